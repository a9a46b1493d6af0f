"""The owner's page for the seller's details at /staff/seller (settings are the owner's:
``ADMINISTER``)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from jomso.accounts.forms import asked_for_address_layout
from jomso.addresses import address_lines
from jomso.invoices.forms import SellerForm
from jomso.invoices.seller import SellerData, get_seller_details, save_seller_details
from jomso.permissions import Permission, permission_required

bp = Blueprint("seller_admin", __name__, url_prefix="/staff/seller", cli_group=None)


@bp.route("", methods=["GET", "POST"])
@permission_required(Permission.ADMINISTER)
def seller_details():
    """The form, filled with what is saved; saved when every field is right, else shown again
    with what was typed and a message beside each wrong field. The country's button lays the
    address out again without checking anything."""
    details = get_seller_details()
    form = SellerForm(obj=details if request.method == "GET" else None)
    if not asked_for_address_layout() and form.validate_on_submit():
        details = save_seller_details(
            SellerData(
                legal_name=form.legal_name.data,
                address=form.address_data(),
                tax_id=form.tax_id.data,
                invoice_footer=form.invoice_footer.data or "",
            )
        )
        flash(_("The seller's details are saved. Invoices will show them."), "success")
        return redirect(url_for(".seller_details"))
    status = 422 if form.errors else 200
    return (
        render_template(
            "staff/invoices/seller.html",
            form=form,
            details=details,
            lines=address_lines(details) if details else [],
        ),
        status,
    )
