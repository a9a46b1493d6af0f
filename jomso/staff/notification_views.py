"""A staff member's own notification choices at /staff/notifications: the "new order" email,
for those who may see orders. Each person switches it for themselves; the owner sees who
gets it on the staff list."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from jomso.permissions import Permission, permission_required
from jomso.staff.blueprint import bp
from jomso.staff.forms import NotificationsForm
from jomso.staff.services import set_new_order_emails


@bp.route("/notifications", methods=["GET", "POST"])
@permission_required(Permission.VIEW_ORDERS)
def notifications():
    form = NotificationsForm(data={"new_orders": current_user.notify_new_orders})
    if form.validate_on_submit():
        wanted = bool(form.new_orders.data)
        set_new_order_emails(current_user, wanted)
        if wanted:
            message = _(
                "You will get an email for each new order, at %(email)s.", email=current_user.email
            )
        else:
            message = _("You will no longer get an email for each new order.")
        flash(message, "success")
        return redirect(url_for(".notifications"))
    return render_template(
        "staff/notifications.html",
        form=form,
        sees_customers=current_user.can(Permission.VIEW_CUSTOMERS),
    )
