"""What the customer's and the staff's invoice pages share: finding a document of an order,
and answering with its page or its PDF (both in the order's language, ``documents``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import make_response, render_template, url_for
from sqlalchemy import select

from jomso.extensions import db
from jomso.invoices.documents import printed_credit_note, printed_invoice
from jomso.invoices.models import CreditNote, Invoice
from jomso.invoices.pdf import render

if TYPE_CHECKING:
    from jomso.orders.models import Order


def find_credit_note(order: Order, number: str) -> CreditNote | None:
    return db.session.scalar(
        select(CreditNote)
        .join(Invoice, CreditNote.invoice_id == Invoice.id)
        .where(Invoice.order_id == order.id, CreditNote.number == number.strip().upper())
    )


def _printed(document: Invoice | CreditNote, with_buyer: bool):
    if isinstance(document, Invoice):
        return printed_invoice(document, with_buyer)
    return printed_credit_note(document, with_buyer)


def document_page(
    document: Invoice | CreditNote, back: dict, pdf_endpoint: str, with_buyer: bool = True
):
    """The document's page; ``back`` is the ``url_for`` arguments of the order's page;
    ``with_buyer`` False leaves out the buyer's billing details and email."""
    printed = _printed(document, with_buyer)
    order = document.order if isinstance(document, Invoice) else document.invoice.order
    args = {"number": order.number, "token": back.get("token")}
    if isinstance(document, CreditNote):
        args["credit_number"] = document.number
    response = make_response(
        render_template(
            "invoices/document.html",
            printed=printed,
            back_url=url_for(**back),
            pdf_url=url_for(pdf_endpoint, **args),
        )
    )
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def document_pdf(document: Invoice | CreditNote, with_buyer: bool = True):
    printed = _printed(document, with_buyer)
    response = make_response(render(printed))
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'inline; filename="{printed.number}.pdf"'
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Cache-Control"] = "private, no-store"
    return response
