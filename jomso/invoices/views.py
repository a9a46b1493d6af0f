"""The customer's invoice and credit notes, beside their order page (``/orders/<number>``):
the same people may see them (the account that placed the order, the browser that placed
it, whoever holds the email's signed link: ``orders.access.may_view``); anyone else gets 404
in the shop's look, whether or not such an order or document exists.

``/orders/<number>/invoice`` (a page that prints on A4) and ``/orders/<number>/invoice.pdf``;
``/orders/<number>/credit-notes/<credit number>`` and ``....pdf``.
"""

from __future__ import annotations

from flask import Blueprint, abort, request

from jomso.invoices.issuing import invoice_of
from jomso.invoices.models import CreditNote, Invoice
from jomso.invoices.responses import document_page, document_pdf, find_credit_note
from jomso.orders import access
from jomso.orders.models import Order
from jomso.orders.queries import find_order

bp = Blueprint("invoices", __name__, cli_group=None)


def _order_or_404(number: str) -> Order:
    order = find_order(number)
    if order is None or not access.may_view(order, request.args.get("token")):
        abort(404)
    return order


def _invoice_or_404(number: str) -> Invoice:
    return invoice_of(_order_or_404(number)) or abort(404)


def _credit_note_or_404(number: str, credit_number: str) -> CreditNote:
    return find_credit_note(_order_or_404(number), credit_number) or abort(404)


def _back(number: str) -> dict:
    return {"endpoint": "checkout.order_page", "number": number, "token": request.args.get("token")}


@bp.get("/orders/<number>/invoice")
def invoice_page(number: str):
    """The invoice as a page that prints well."""
    return document_page(_invoice_or_404(number), _back(number), ".invoice_pdf")


@bp.get("/orders/<number>/invoice.pdf")
def invoice_pdf(number: str):
    return document_pdf(_invoice_or_404(number))


@bp.get("/orders/<number>/credit-notes/<credit_number>")
def credit_note_page(number: str, credit_number: str):
    return document_page(
        _credit_note_or_404(number, credit_number), _back(number), ".credit_note_pdf"
    )


@bp.get("/orders/<number>/credit-notes/<credit_number>.pdf")
def credit_note_pdf(number: str, credit_number: str):
    return document_pdf(_credit_note_or_404(number, credit_number))
