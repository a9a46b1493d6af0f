"""Orders: what was bought, the status pipeline, payments kept, and the services that change
them. No views of its own: the checkout (``jomso.checkout``), the staff order pages
(``jomso.orders.staff_views``) and the webhook view (``jomso.payments.webhooks``) call
``jomso.orders.services``. The pipeline lives in ``jomso.orders.status``.
"""

from jomso.orders import data_rights, hooks  # noqa: F401  (register with privacy)
