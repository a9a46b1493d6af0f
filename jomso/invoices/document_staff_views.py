"""The staff's invoice and credit notes of an order, beside its page
(``/staff/orders/<number>``): whoever may see the order may see them
(``Permission.VIEW_ORDERS``). The buyer's billing name, address and email are shown only to
those who see the customer record (``orders.visibility.sees_customer_record``: the owner), as
on the order's page; the orders role gets the same document without them, saying so. Each
view is written in the personal-data access log, as the order's page is.

``/staff/orders/<number>/invoice`` and ``.../invoice.pdf``;
``/staff/orders/<number>/credit-notes/<credit number>`` and ``....pdf``.
"""

from __future__ import annotations

from flask import Blueprint, abort

from jomso.audit import record_personal_data_access
from jomso.invoices.issuing import invoice_of
from jomso.invoices.models import CreditNote, Invoice
from jomso.invoices.responses import document_page, document_pdf, find_credit_note
from jomso.orders.models import Order
from jomso.orders.queries import find_order
from jomso.orders.visibility import sees_customer_record
from jomso.permissions import Permission, permission_required

bp = Blueprint("staff_invoices", __name__, url_prefix="/staff/orders", cli_group=None)


def _order_or_404(number: str) -> Order:
    return find_order(number) or abort(404)


def _logged(endpoint: str, order: Order, what: str) -> None:
    record_personal_data_access(
        f"staff_invoices.{endpoint}",
        order.user_id,
        what,
        subject_email=order.email if order.anonymized_at is None else None,
    )


def _invoice(number: str, endpoint: str) -> Invoice:
    order = _order_or_404(number)
    invoice = invoice_of(order) or abort(404)
    _logged(endpoint, order, f"invoice {invoice.number}")
    return invoice


def _credit_note(number: str, credit_number: str, endpoint: str) -> CreditNote:
    order = _order_or_404(number)
    note = find_credit_note(order, credit_number) or abort(404)
    _logged(endpoint, order, f"credit note {note.number}")
    return note


def _back(number: str) -> dict:
    return {"endpoint": "staff_orders.order_detail", "number": number}


@bp.get("/<number>/invoice")
@permission_required(Permission.VIEW_ORDERS)
def invoice_page(number: str):
    invoice = _invoice(number, "invoice_page")
    return document_page(invoice, _back(number), ".invoice_pdf", sees_customer_record())


@bp.get("/<number>/invoice.pdf")
@permission_required(Permission.VIEW_ORDERS)
def invoice_pdf(number: str):
    return document_pdf(_invoice(number, "invoice_pdf"), sees_customer_record())


@bp.get("/<number>/credit-notes/<credit_number>")
@permission_required(Permission.VIEW_ORDERS)
def credit_note_page(number: str, credit_number: str):
    note = _credit_note(number, credit_number, "credit_note_page")
    return document_page(note, _back(number), ".credit_note_pdf", sees_customer_record())


@bp.get("/<number>/credit-notes/<credit_number>.pdf")
@permission_required(Permission.VIEW_ORDERS)
def credit_note_pdf(number: str, credit_number: str):
    note = _credit_note(number, credit_number, "credit_note_pdf")
    return document_pdf(note, sees_customer_record())
