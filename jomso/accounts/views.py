from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from jomso.accounts import bp
from jomso.accounts.forms import EmptyForm, LoginForm
from jomso.accounts.services import authenticate
from jomso.security import is_safe_redirect


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is not None:
            cart_id = session.get("cart_id")
            session.clear()  # a new session at login: nothing from before survives but the cart
            if cart_id is not None:
                session["cart_id"] = cart_id
            login_user(user, remember=form.remember.data)
            target = request.args.get("next")
            if not is_safe_redirect(target):
                target = url_for("staff.dashboard") if user.is_staff else url_for(".overview")
            return redirect(target)
        form.password.errors.append(_("The email or password is not right."))
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
def logout():
    if EmptyForm().validate_on_submit():
        logout_user()
        session.clear()
        flash(_("You are signed out."), "success")
    return redirect(url_for("catalog.home"))


@bp.route("/register", methods=["GET", "POST"])
def register():
    abort(404)


@bp.get("")
@login_required
def overview():
    return render_template("accounts/overview.html", logout_form=EmptyForm(), user=current_user)
