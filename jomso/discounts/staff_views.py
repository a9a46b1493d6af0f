"""The staff's discount codes at /staff/discounts: the list with each code's uses, a form to
create or edit one, and deactivating (codes are never deleted: orders name them). For the
owner and the catalog role (``MANAGE_DISCOUNTS``)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from jomso.discounts import editing
from jomso.discounts.forms import KIND_LABELS, DiscountCodeForm
from jomso.discounts.models import DiscountCode
from jomso.extensions import db
from jomso.form_checks import accepted, form_status
from jomso.permissions import Permission, permission_required

bp = Blueprint("discounts_admin", __name__, url_prefix="/staff/discounts", cli_group=None)

manage = permission_required(Permission.MANAGE_DISCOUNTS)


@bp.get("")
@manage
def code_list():
    return render_template(
        "staff/discounts/list.html", codes=editing.codes_with_uses(), kind_labels=KIND_LABELS
    )


@bp.route("/new", methods=["GET", "POST"], defaults={"code_id": None})
@bp.route("/<int:code_id>", methods=["GET", "POST"])
@manage
def code_edit(code_id: int | None):
    code = db.get_or_404(DiscountCode, code_id) if code_id is not None else None
    form = DiscountCodeForm(data=editing.form_data(code) if code else None)
    form.categories.choices = editing.category_choices()
    if accepted(form, editing.problems, code):
        code = editing.save(form, code)
        flash(_("The discount code %(code)s is saved.", code=code.code), "success")
        return redirect(url_for(".code_list"))
    return render_template("staff/discounts/edit.html", form=form, code=code), form_status(form)


@bp.post("/<int:code_id>/active")
@manage
def code_active(code_id: int):
    """Deactivate a code (customers are told it is no longer valid), or activate it again."""
    code = db.get_or_404(DiscountCode, code_id)
    active = request.form.get("active") == "1"
    editing.set_active(code, active)
    if active:
        flash(_("The discount code %(code)s is active again.", code=code.code), "success")
    else:
        flash(_("The discount code %(code)s is deactivated.", code=code.code), "success")
    return redirect(url_for(".code_list"))
