"""Braintree webhook notifications: POST /webhooks/braintree (the ``webhooks`` blueprint).

Braintree posts a form with ``bt_signature`` and ``bt_payload``; the SDK verifies the HMAC
with our private key. Disputes (opened, won, lost...) and failed refunds are kept against their
order and shown on the staff order page; a ``check`` (sent when the URL is set up) and kinds
the shop does not follow are answered 200 too, so Braintree does not retry them. A bad
signature answers 400 and writes a log line without the payload. Exempt from CSRF: the
signature is the proof. The body is capped at ``MAX_BODY`` bytes, whatever the shop-wide cap
(Braintree's notifications are a few kilobytes): a larger one gets 413 without being parsed.
"""

from __future__ import annotations

import logging

from flask import Blueprint, request

from jomso.extensions import csrf
from jomso.payments.app import parse_webhook
from jomso.payments.results import InvalidWebhook
from jomso.request_limits import body_limit

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks", cli_group=None)
log = logging.getLogger("jomso.payments")

MAX_BODY = 64 * 1024  # bytes; Braintree's notifications are a few kilobytes


@bp.post("/braintree")
@body_limit(max_bytes=MAX_BODY, max_fields=8)  # bt_signature and bt_payload
@csrf.exempt
def braintree_notification():
    from jomso.orders.webhooks import record_webhook

    signature = request.form.get("bt_signature", "")
    payload = request.form.get("bt_payload", "")
    if not signature or not payload:
        log.warning("webhook refused: missing fields from %s", request.remote_addr)
        return "missing bt_signature or bt_payload\n", 400, {"Content-Type": "text/plain"}
    try:
        event = parse_webhook(signature, payload)
    except InvalidWebhook as error:
        # The reason, never the payload: it could name a customer's transaction.
        log.warning("webhook refused: %s, from %s", error, request.remote_addr)
        return "invalid signature\n", 400, {"Content-Type": "text/plain"}
    row = record_webhook(event)
    log.info("webhook %s received%s", event.kind, "" if row is None else ", recorded")
    return "ok\n", 200, {"Content-Type": "text/plain"}
