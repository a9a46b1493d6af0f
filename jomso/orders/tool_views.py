"""Order tools on the staff order page: internal notes and sending an email again, and what
the order page needs to show them (a context processor of the ``staff_orders`` blueprint).
The services are in ``orders.notes``."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from jomso.orders import notes, queries
from jomso.orders.blueprint import bp
from jomso.orders.carriers import carrier_names
from jomso.orders.forms import NoteForm, ResendForm
from jomso.permissions import Permission, permission_required


@bp.context_processor
def _order_tools():
    return {
        "staff_timeline": notes.staff_timeline,
        "resendable": notes.resendable,
        "note_form": NoteForm(formdata=None),
        "resend_form": ResendForm(formdata=None),
        "carrier_names": carrier_names,
        "max_note": notes.MAX_NOTE,
    }


def _back(number: str):
    return redirect(url_for(".order_detail", number=number, _anchor="timeline-title"), 303)


@bp.post("/<number>/notes")
@permission_required(Permission.PROCESS_ORDERS)
def order_add_note(number: str):
    """Add an internal note; an empty or overlong one is refused with the reason."""
    order = queries.find_order(number) or abort(404)
    form = NoteForm()
    if not form.validate():
        flash(" ".join(str(error) for error in form.body.errors), "error")
        return _back(order.number)
    notes.add_note(order, form.body.data, current_user._get_current_object())
    flash(_("Your note is on the timeline. Only staff see it."), "success")
    return _back(order.number)


@bp.post("/<number>/resend")
@permission_required(Permission.PROCESS_ORDERS)
def order_resend_email(number: str):
    """Send the confirmation or the shipping email again."""
    order = queries.find_order(number) or abort(404)
    form = ResendForm()
    if not form.validate():
        abort(400)
    result = notes.resend(order, form.email.data, current_user._get_current_object())
    flash(result.message, "success" if result.ok else "error")
    return _back(order.number)
