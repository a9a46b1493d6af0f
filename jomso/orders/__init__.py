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
* ``search_terms``: the words the staff search finds an order by, kept beside it;
* ``data_rights`` and ``hooks``: the account's data export and deletion, and guest orders
  linked to an account once its email is confirmed.
"""

from jomso.orders import data_rights, hooks, search_terms  # noqa: F401  (register, listen)
