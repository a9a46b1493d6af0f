"""Signing up, in and out; confirming an address; resetting a forgotten password."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_login import current_user, login_required

from jomso.accounts import (
    limits,
    lookup,
    password_changes,
    profile_changes,
    registration,
    tokens,
    user_sessions,
)
from jomso.accounts.blueprint import bp
from jomso.accounts.forms import (
    EmptyForm,
    LoginForm,
    RegisterForm,
    ResetPasswordForm,
    ResetRequestForm,
)
from jomso.accounts.signals import login_failed
from jomso.errors import render_error
from jomso.privacy.services import current_policy
from jomso.security import is_safe_redirect


def _home_for(user) -> str:
    return url_for("staff.dashboard") if user.is_staff else url_for("accounts.overview")


def _too_many_failures(seconds: int):
    wait = format_timedelta(timedelta(seconds=seconds), threshold=1, add_direction=False)
    message = _(
        "There were too many failed sign-ins to this account from your connection. For your "
        "security, please wait %(wait)s and try again, or choose a new password with "
        "“Forgot your password?” on the sign-in page.",
        wait=wait,
    )
    return (*render_error(429, message=message), {"Retry-After": str(seconds)})


@bp.route("/login", methods=["GET", "POST"])
@limits.per_client(limits.LOGIN_PER_CLIENT)
def login():
    """Unknown email and wrong password get the same answer after the same work. A signed-in
    visitor sees the form too (to switch accounts), with a note saying who is signed in.
    A client is refused for an account only after its own failures there (accounts/limits.py)."""
    target = request.args.get("next")
    form = LoginForm()
    if form.validate_on_submit():
        wait = limits.sign_in_wait(form.email.data)
        if wait is not None:
            return _too_many_failures(wait)
        user = lookup.authenticate(form.email.data, form.password.data)
        if user is not None:
            user_sessions.sign_in(user, remember=form.remember.data)
            return redirect(target if is_safe_redirect(target) else _home_for(user))
        limits.record_failed_sign_in(form.email.data)
        known = lookup.find_user_by_email(form.email.data)
        login_failed.send(current_app._get_current_object(), user=known)
        form.password.errors.append(_("The email or password is not right."))
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
def logout():
    if EmptyForm().validate_on_submit() and current_user.is_authenticated:
        user_sessions.sign_out(current_user)
        flash(_("You are signed out."), "success")
    return redirect(url_for("catalog.home"))


@bp.route("/register", methods=["GET", "POST"])
@limits.per_client(limits.REGISTER_PER_CLIENT)
def register():
    """A new account is signed in at once, with the site-wide notice asking to confirm the
    address. An address that already has an account signs nobody in: its owner gets a mail
    saying someone tried, and the visitor gets the same page, word for word (docs/privacy.md
    says what the sign-in itself still tells, and how the rate limit bounds it)."""
    if current_user.is_authenticated:
        return redirect(url_for(".overview"))
    form = RegisterForm()
    if form.validate_on_submit():
        user = registration.register(
            registration.Registration(
                name=form.name.data,
                email=form.email.normalized,
                password=form.password.data,
                newsletter=form.newsletter.data,
            )
        )
        if user is not None:
            user_sessions.sign_in(user)
        return render_template("accounts/check_email.html", email=form.email.normalized)
    return render_template("accounts/register.html", form=form, policy=current_policy())


@bp.get("/confirm/<token>")
def confirm_email(token):
    try:
        user, newly = registration.confirm_email(token)
    except tokens.InvalidToken:
        return render_template("accounts/link_invalid.html", kind="confirm"), 400
    return render_template("accounts/confirmed.html", user=user, newly=newly)


@bp.post("/confirm/resend")
@login_required
@limits.per_account(limits.CONFIRM_RESEND_PER_ACCOUNT)
def resend_confirmation():
    if EmptyForm().validate_on_submit():
        if current_user.is_confirmed:
            flash(_("Your email address is already confirmed."), "info")
        else:
            registration.send_confirmation(current_user)
            flash(
                _("We sent a new link to %(email)s.", email=current_user.email),
                "success",
            )
    target = request.form.get("next")
    return redirect(target if is_safe_redirect(target) else url_for(".overview"))


@bp.route("/password-reset", methods=["GET", "POST"])
@limits.per_client(limits.RESET_PER_CLIENT)
@limits.per_email(limits.RESET_PER_ACCOUNT)
def password_reset_request():
    """Always the same answer, whether or not the address has an account."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        password_changes.request_password_reset(form.email.normalized)
        return render_template("accounts/reset_sent.html", email=form.email.normalized)
    return render_template("accounts/reset_request.html", form=form)


@bp.route("/password-reset/<token>", methods=["GET", "POST"])
@limits.per_client(limits.RESET_FORM_PER_CLIENT)
def password_reset(token):
    try:
        user = password_changes.user_for_reset_token(token)
    except tokens.InvalidToken:
        return render_template("accounts/link_invalid.html", kind="reset"), 400
    form = ResetPasswordForm(user=user)
    if form.validate_on_submit():
        password_changes.reset_password(user, form.password.data)
        if current_user.is_authenticated:
            user_sessions.sign_out(current_user)
        flash(_("Your password is changed. Please sign in with the new one."), "success")
        return redirect(url_for(".login"))
    return render_template("accounts/reset_form.html", form=form)


@bp.get("/email/confirm/<token>")
def confirm_email_change(token):
    try:
        user = profile_changes.confirm_email_change(token)
    except tokens.InvalidToken:
        return render_template("accounts/link_invalid.html", kind="email_change"), 400
    except profile_changes.EmailInUse:
        return render_template("accounts/link_invalid.html", kind="email_in_use"), 409
    return render_template("accounts/email_changed.html", user=user)
