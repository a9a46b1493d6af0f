"""Shipping: where the shop delivers and at what price.

- ``models.py``: ``ShippingZone`` (a name and its areas: countries, or regions of a country,
  or ``*`` for every other country), ``ShippingMethod`` (a zone's way of delivering: a flat
  rate, a rate that is free from a subtotal, bands by weight; or a local pickup, which belongs
  to no zone and is offered to every customer).
- ``rates.py``: the quotes for an address and a cart (the methods that apply and their price,
  integer cents), the countries the shop ships to, and the cart's estimate for the shop's own
  country. The cart, the checkout and the order all take their shipping price from here.
- ``forms.py`` and ``staff_views.py``: the owner's page at ``/staff/shipping``.
- ``demo.py``: the demo shop's two zones and three methods.
"""
