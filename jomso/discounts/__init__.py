"""Discount codes: what a code gives (a percent off, an amount off, free shipping), its
limits (minimum subtotal, dates, uses in all and per customer, categories or products), and
how it prices a cart.

- ``models.py``: ``DiscountCode`` and the categories and products a code is limited to.
- ``codes.py``: how a typed code is read (case and spaces ignored) and the lookalike-folded
  key that keeps two codes from differing only by O/0 or I/1/L.
- ``pricing.py``: whether a code applies to a cart and why not, and the discount split over
  the eligible lines (largest remainder, so the shares add up exactly). The cart's summary
  (``jomso.cart.services.summarize``) is the one caller; the order keeps what it computed.
- ``usage.py``: how many orders used a code, in all and by one customer. The orders domain
  counts them (its ``discount_usage`` registers the counter here): a discount keeps no table
  of who used it.
- ``editing.py``, ``forms.py``, ``staff_views.py``: the staff's pages at ``/staff/discounts``.
"""
