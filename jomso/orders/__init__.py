"""Orders: what was bought, the status pipeline, payments kept, and the services that change
them. Its only views are the staff order pages (``jomso.orders.staff_views``); the checkout
(``jomso.checkout``) and the webhook view (``jomso.payments.views``) call its services too.

The pipeline lives in ``jomso.orders.status``; every status change goes through
``jomso.orders.transitions``, which the services share:

* ``placing``: placing an order at checkout (stock reserved, the card authorized once);
* ``reconciling``: settling payments whose outcome is unknown;
* ``fulfilment``: the staff actions (ship, cancel, refund...);
* ``webhooks``: disputes and failed refunds Braintree announces;
* ``queries``: order numbers and lookups;
* ``discount_usage``: how many orders used a discount code (for ``jomso.discounts``);
* ``dashboard``: its cards on the staff dashboard (orders to ship, payments to reconcile);
* ``search_terms``: the words the staff search finds an order by, kept beside it;
* ``data_rights``, ``retention`` and ``hooks``: the account's data export and deletion, the
  retention rules, and guest orders linked to an account once its email is confirmed;
  ``notice``: the carrier, as a recipient named on the privacy page.
"""

# Registering with privacy (data rights, retention, the privacy page's recipients) and with the
# staff dashboard; keeping the search terms:
from jomso.orders import (  # noqa: F401
    dashboard,
    data_rights,
    discount_usage,
    hooks,
    notice,
    retention,
    search_terms,
)
