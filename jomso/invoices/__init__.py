"""Invoices: what the shop issues as the seller. So far, the seller's own details.

- ``models.py``: ``SellerDetails``, one row (id 1) once the owner saved them: the legal name,
  the postal address, the tax id (a VAT number in the EU) and the text at the foot of every
  invoice.
- ``seller.py``: reading and saving them, the tax id's loose check, and whether they are
  complete (the setup checklist asks).
- ``forms.py`` and ``staff_views.py``: the owner's page at ``/staff/seller``.
"""
