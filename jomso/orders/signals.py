"""Signals higher domains listen to, so that orders need not import them (the rules in
docs/architecture.md). Sent with the app as sender; receivers are connected when their package
is imported (``jomso/sales/hooks.py``) and run at the point of sending, inside the sender's
transaction: they write in it and do not commit.
"""

from blinker import Namespace

_signals = Namespace()

# Sent with ``order=`` when the checkout's new order becomes paid through Core statements
# (``new_rows.record_sale``), which the ORM's flush hooks do not see. Sales forgets the
# figures of the day the order was placed, as its flush hook does for an order that starts
# counting.
new_order_paid = _signals.signal("new-order-paid")
