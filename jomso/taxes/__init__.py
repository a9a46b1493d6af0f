"""Taxes: VAT and sales tax, computed in integer cents in one place.

- ``models.py``: the shop's tax settings (prices include tax or not, how shipping is taxed),
  tax classes (standard, reduced, zero, and any the owner adds) and the rates per class and
  place (a country, or a region of it: ``US-CA``, ``CA-QC``).
- ``money.py``: the arithmetic. ``compute`` turns lines, shipping and the rates that apply
  into a ``TaxBreakdown`` (tax per line, on shipping and per rate), with one rounding rule.
  It reads nothing: the cart, checkout, orders, mails and staff pages all pass it what they
  have, so they cannot disagree.
- ``services.py``: reading the settings and rates for an address (``breakdown_for``), the
  label prices carry ("incl. VAT", "plus tax").
- ``editing.py``, ``forms.py``, ``staff_views.py``: the owner's page at ``/staff/taxes``.
- ``eu_rates.csv`` and ``seeding.py``: the EU's standard and reduced rates the owner may load.
- ``demo.py``: the demo shop's rates.
"""
