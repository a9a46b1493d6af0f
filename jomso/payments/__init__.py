"""Card payments through Braintree: the gateway adapter, its results, and the offline gateway.

Not a blueprint: no views. Checkout, staff order pages and the webhook view call these
functions (inside an app context); every amount is integer cents in the shop's currency.

How the checkout uses it
------------------------

1. **Order number before the charge.** Create the order (status "payment pending") and its
   number first, then ``authorize(order.number, total_cents, nonce, device_data,
   idempotency_key=...)``. The order number goes to Braintree as ``order_id``; use a key that is
   the same for a resubmitted form (e.g. the order number) so a retry never charges twice.
   Never store or log the nonce.
2. **Authorize at checkout** and look at ``result.outcome``:

   - ``APPROVED``: money is held (status ``authorized``). Record ``transaction_id``, ``status``,
     ``amount_cents``, ``card_brand`` and ``card_last4``; mark the order paid.
   - ``DECLINED`` / ``REJECTED`` / ``INVALID``: nothing is charged. Release the stock, keep the
     cart and show ``result.customer_message`` (translated, written for customers) on the
     checkout page.
   - ``UNAVAILABLE``: a timeout or network fault; Braintree may or may not have authorized.
     Mark the order "payment unknown", show ``customer_message``, and do not retry the sale.
3. **Reconcile** an unknown payment later with ``find_by_order(order.number)``: a sale with
   ``is_authorized`` means paid (record it); none means nothing was charged. ``find_by_order``
   and ``find`` raise ``GatewayUnavailable`` when Braintree cannot be asked: try again later.
4. **Capture on ship:** ``capture(transaction_id)`` (or a smaller ``amount_cents``) submits the
   authorization for settlement. Braintree settles captured payments in its nightly batch.
   An order shipped in several parcels captures each with ``capture_part(transaction_id,
   amount_cents, order_number)`` (Braintree's partial settlement): each makes a child
   transaction of its own, which is voided, settled and refunded by its own id.
5. **Void on cancel before settlement:** ``void(transaction_id)`` works while the status is
   ``authorized`` or ``submitted_for_settlement``; nothing is charged.
6. **Refund after settlement:** ``refund(transaction_id)`` refunds what is left, or
   ``refund(transaction_id, amount_cents)`` a part. It answers ``INVALID`` with error code 91506
   before settlement (void instead), 91521 when the amount is larger than what is left, 91512
   when all of it was refunded already. The result describes the new refund transaction. Pass
   ``idempotency_key`` (the shop's refund record id) so a retry cannot refund twice.
   After ``UNAVAILABLE`` from capture, void or refund, look at ``find(transaction_id)`` before
   trying again.
7. **Webhooks:** ``parse_webhook(bt_signature, bt_payload)`` returns a ``WebhookEvent`` or
   raises ``InvalidWebhook``.

Demo payments mode (no credentials) runs the same code against the offline gateway; there
``settle(transaction_id)`` stands in for the nightly settlement batch and
``sample_webhook(kind, transaction_id)`` signs a notification (e.g. a dispute) as Braintree
would. ``demo_cards()`` lists the test cards the demo checkout offers.

Modules
-------

``results`` (outcomes, results, events, exceptions), ``adapter`` (``PaymentGateway``, the calls
to the SDK), ``translate`` (SDK answers as results, amounts as cents), ``settings`` (sandbox,
production or demo), ``app`` (the app's gateway and the operations above), ``messages`` (what
customers read), ``views`` (the webhook view), ``offline`` (the offline gateway) and ``notice``
(Braintree as a recipient of personal data, for the privacy page).
"""

import warnings

with warnings.catch_warnings():
    # braintree 4.x emits a DeprecationWarning about one of its own enums while it is being
    # imported; it says nothing about our code, and tests turn warnings into errors. Imported
    # here, before any module of the package: they all import from braintree.
    warnings.simplefilter("ignore", DeprecationWarning)
    import braintree  # noqa: F401
from jomso.payments import notice  # noqa: F401  (Braintree on the privacy page)
from jomso.payments.adapter import PaymentGateway
from jomso.payments.app import (
    authorize,
    capture,
    capture_part,
    client_token,
    find,
    find_by_order,
    get_gateway,
    init_payments,
    is_demo_mode,
    parse_webhook,
    refund,
    sample_webhook,
    settle,
    void,
)
from jomso.payments.results import (
    GatewayUnavailable,
    InvalidWebhook,
    Outcome,
    PaymentError,
    PaymentResult,
    WebhookEvent,
)
from jomso.payments.settings import DemoCard, demo_cards

__all__ = [
    "DemoCard",
    "GatewayUnavailable",
    "InvalidWebhook",
    "Outcome",
    "PaymentError",
    "PaymentGateway",
    "PaymentResult",
    "WebhookEvent",
    "authorize",
    "capture",
    "capture_part",
    "client_token",
    "demo_cards",
    "find",
    "find_by_order",
    "get_gateway",
    "init_payments",
    "is_demo_mode",
    "parse_webhook",
    "refund",
    "sample_webhook",
    "settle",
    "void",
]
