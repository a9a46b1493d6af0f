"""The customer's own area: overview, profile, addresses, email, password, devices, orders,
data export and account deletion. Every page needs a signed-in account and shows only its own
data: ids in URLs are looked up within the signed-in account (404 otherwise)."""

from __future__ import annotations

import json

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from jomso.accounts import addresses, limits, password_changes, profile_changes, user_sessions
from jomso.accounts.blueprint import bp
from jomso.accounts.data_rights import delete_account, export_user_data
from jomso.accounts.forms import (
    AddressForm,
    DeleteAccountForm,
    EmailChangeForm,
    EmptyForm,
    PasswordChangeForm,
    ProfileForm,
    asked_for_address_layout,
)
from jomso.accounts.passwords import verify_password
from jomso.accounts.validation import country_name, format_phone
from jomso.consent.cookies import forget_choice, forget_visitor, visitor_id_from_request
from jomso.newsletter.services import subscription_for
from jomso.privacy.services import current_policy


@bp.after_request
def _no_store(response):
    # Account pages are personal: no shared or browser cache may keep them.
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.app_template_filter("phone")
def _phone_filter(e164: str) -> str:
    return format_phone(e164)


@bp.app_template_filter("country_name")
def _country_filter(code: str) -> str:
    return country_name(code)


@bp.get("")
@login_required
def overview():
    return render_template(
        "accounts/overview.html",
        user=current_user,
        logout_form=EmptyForm(),
        policy=current_policy(),
    )


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    user = current_user
    billing = user.default_billing_address
    form = ProfileForm(region=billing.country if billing else None)
    subscription = subscription_for(user)
    if request.method == "GET":
        form.name.data = user.name
        form.newsletter.data = subscription is not None and subscription.is_active
        numbers = [format_phone(p.number) for p in user.phones]
        # The numbers kept, plus an empty input or two for a new one.
        shown = min(max(len(numbers) + 1, 2), form.phones.max_entries)
        form.phones.entries = []
        for number in [*numbers, "", ""][:shown]:
            form.phones.append_entry(number)
    if form.validate_on_submit():
        profile_changes.update_profile(
            user, form.name.data, form.phone_numbers(), form.newsletter.data
        )
        flash(_("Your profile is saved."), "success")
        return redirect(url_for(".profile"))
    return render_template("accounts/profile.html", form=form, user=user, subscription=subscription)


# -- Address book ----------------------------------------------------------------------------


def _own_address_or_404(address_id: int):
    address = addresses.own_address(current_user, address_id)
    if address is None:
        abort(404)
    return address


@bp.get("/addresses")
@login_required
def address_book():
    return render_template(
        "accounts/addresses.html", addresses=current_user.addresses, button_form=EmptyForm()
    )


@bp.route("/addresses/new", methods=["GET", "POST"])
@login_required
def add_address():
    form = AddressForm()
    if request.method == "GET":
        form.name.data = current_user.name
    if not asked_for_address_layout() and form.validate_on_submit():
        data = {**form.address_data(), "name": form.name.data}
        addresses.add_address(
            current_user,
            data,
            billing=form.default_billing.data,
            shipping=form.default_shipping.data,
        )
        flash(_("The address is added."), "success")
        return redirect(url_for(".address_book"))
    return render_template("accounts/address_form.html", form=form, address=None)


@bp.route("/addresses/<int:address_id>/edit", methods=["GET", "POST"])
@login_required
def edit_address(address_id):
    address = _own_address_or_404(address_id)
    form = AddressForm(obj=address if request.method == "GET" else None)
    if request.method == "GET":
        form.default_billing.data = address.is_default_billing
        form.default_shipping.data = address.is_default_shipping
    if not asked_for_address_layout() and form.validate_on_submit():
        data = {**form.address_data(), "name": form.name.data}
        addresses.update_address(
            address, data, billing=form.default_billing.data, shipping=form.default_shipping.data
        )
        flash(_("The address is saved."), "success")
        return redirect(url_for(".address_book"))
    return render_template("accounts/address_form.html", form=form, address=address)


@bp.post("/addresses/<int:address_id>/delete")
@login_required
def delete_address(address_id):
    address = _own_address_or_404(address_id)
    if EmptyForm().validate_on_submit():
        addresses.delete_address(address)
        flash(_("The address is deleted."), "success")
    return redirect(url_for(".address_book"))


@bp.post("/addresses/<int:address_id>/default/<any(billing, shipping):purpose>")
@login_required
def default_address(address_id, purpose):
    address = _own_address_or_404(address_id)
    if EmptyForm().validate_on_submit():
        addresses.make_default(
            address, billing=purpose == "billing", shipping=purpose == "shipping"
        )
        flash(_("Your default address is changed."), "success")
    return redirect(url_for(".address_book"))


# -- Email, password, devices ------------------------------------------------------------------


@bp.route("/email", methods=["GET", "POST"])
@login_required
@limits.per_account(limits.PASSWORD_CHECK_PER_ACCOUNT)
def change_email():
    form = EmailChangeForm()
    if form.validate_on_submit():
        new_email = form.email.normalized
        if new_email == current_user.email:
            form.email.errors.append(_("This is already your address."))
        elif profile_changes.request_email_change(
            current_user, form.current_password.data, new_email
        ):
            flash(
                _(
                    "We sent a link to %(email)s. Your address changes when you follow it.",
                    email=new_email,
                ),
                "success",
            )
            return redirect(url_for(".change_email"))
        else:
            form.current_password.errors.append(_("This is not your current password."))
    return render_template(
        "accounts/email.html", form=form, user=current_user, cancel_form=EmptyForm()
    )


@bp.post("/email/cancel")
@login_required
def cancel_email_change():
    if EmptyForm().validate_on_submit():
        profile_changes.cancel_email_change(current_user)
        flash(_("The change of address is cancelled."), "success")
    return redirect(url_for(".change_email"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
@limits.per_account(limits.PASSWORD_CHECK_PER_ACCOUNT)
def change_password():
    form = PasswordChangeForm(user=current_user)
    if form.validate_on_submit():
        if password_changes.change_password(
            current_user, form.current_password.data, form.password.data
        ):
            flash(_("Your password is changed. Your other devices are signed out."), "success")
            return redirect(url_for(".overview"))
        form.current_password.errors.append(_("This is not your current password."))
    return render_template("accounts/password.html", form=form)


@bp.get("/sessions")
@login_required
def sessions():
    return render_template(
        "accounts/sessions.html",
        sessions=user_sessions.active_sessions(current_user),
        current=current_user.current_session,
        button_form=EmptyForm(),
    )


@bp.post("/sessions/<int:session_id>/end")
@login_required
def end_session(session_id):
    if EmptyForm().validate_on_submit():
        current = current_user.current_session
        if current is not None and current.id == session_id:
            abort(404)  # this device signs out with the sign-out button
        if not user_sessions.end_session(current_user, session_id):
            abort(404)
        flash(_("That device is signed out."), "success")
    return redirect(url_for(".sessions"))


@bp.post("/sessions/end-others")
@login_required
def end_other_sessions():
    if EmptyForm().validate_on_submit():
        user_sessions.end_other_sessions(current_user)
        flash(_("All your other devices are signed out."), "success")
    return redirect(url_for(".sessions"))


# -- Orders, data export, deletion ---------------------------------------------------------------


@bp.get("/orders")
@login_required
def orders():
    from jomso.orders.queries import orders_for_user

    return render_template("accounts/orders.html", orders=orders_for_user(current_user))


@bp.get("/export")
@login_required
def export():
    """Everything the shop holds about the customer, as a JSON download."""
    data = export_user_data(current_user._get_current_object(), [visitor_id_from_request()])
    day = data["exported_at"][:10]
    return Response(
        json.dumps(data, indent=2, ensure_ascii=False),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="jomso-data-{day}.json"'},
    )


@bp.route("/delete", methods=["GET", "POST"])
@login_required
@limits.per_account(limits.PASSWORD_CHECK_PER_ACCOUNT)
def delete():
    user = current_user._get_current_object()
    form = DeleteAccountForm()
    if user.is_staff:
        return render_template("accounts/delete.html", form=form, staff=True), (
            403 if request.method == "POST" else 200
        )
    if form.validate_on_submit():
        if verify_password(user.password_hash, form.current_password.data):
            delete_account(user, [visitor_id_from_request()])
            user.current_session = None  # its row went with the account
            user_sessions.sign_out(user)
            response = redirect(url_for(".deleted"))
            # This browser's page views and consent records went with the account: its
            # visitor id ends here, and so does the choice whose record is gone, so nothing
            # carries on counting it under a consent the shop can no longer show.
            forget_visitor(response)
            forget_choice(response)
            return response
        form.current_password.errors.append(_("This is not your password."))
    return render_template("accounts/delete.html", form=form, staff=False)


@bp.get("/deleted")
def deleted():
    return render_template("accounts/deleted.html")
