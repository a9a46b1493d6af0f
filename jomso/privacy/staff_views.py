"""The owner's privacy policy pages under /staff/policy: the versions so far, and a new
version written from the current one, previewed with a diff, then published.

Also adds the "Privacy policy" section (which version the customer accepted) to the
customer records (jomso/staff/customers.py).
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from jomso.accounts.models import User
from jomso.extensions import db
from jomso.form_checks import report
from jomso.i18n import format_when
from jomso.permissions import Permission, permission_required
from jomso.privacy.editing import (
    next_version_number,
    normalize_body,
    policy_diff,
    publish_version,
)
from jomso.privacy.models import PolicyVersion
from jomso.privacy.services import (
    acceptances,
    current_policy,
    policy_versions,
    render_policy,
)
from jomso.request_limits import body_limit
from jomso.shop_time import shop_today
from jomso.staff.customers import CustomerSection, register_customer_section

bp = Blueprint("policy_admin", __name__, url_prefix="/staff/policy", cli_group=None)

administer = permission_required(Permission.ADMINISTER)
POLICY_MAX = 200_000  # characters of the policy text


class PolicyForm(FlaskForm):
    body = TextAreaField(
        _l("Policy text (Markdown)"),
        validators=[DataRequired(_l("The policy cannot be empty.")), Length(max=POLICY_MAX)],
        render_kw={"rows": 28, "spellcheck": "true"},
    )
    summary = StringField(
        _l("What changed"),
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
        validators=[
            DataRequired(_l("Say in a sentence what changed: customers read it in the history.")),
            Length(max=500),
        ],
    )
    effective_date = DateField(_l("Takes effect on"), validators=[Optional()])
    # The version this edit started from: publishing after someone else published is stopped.
    base_version = HiddenField()

    def validate_effective_date(self, field):
        if field.data and field.data < shop_today():
            raise ValidationError(_l("Choose today or a later day."))


@bp.get("")
@administer
def version_list():
    """The version in effect, an upcoming one, and every earlier version."""
    versions = policy_versions()
    current = current_policy()
    publisher_ids = {v.created_by for v in versions if v.created_by}
    publishers = {}
    if publisher_ids:
        rows = db.session.execute(select(User.id, User.email).where(User.id.in_(publisher_ids)))
        publishers = dict(rows.all())
    return render_template(
        "staff/policy/versions.html",
        versions=versions,
        current=current,
        today=shop_today(),
        publishers=publishers,
    )


@bp.route("/new", methods=["GET", "POST"])
@body_limit(text_characters=POLICY_MAX)
@administer
def version_new():
    """Write a new version from the current one. "Preview" shows it rendered and what
    changed; "Publish" (offered once previewed) makes it the policy customers see."""
    current = current_policy()
    form = PolicyForm(data={"body": current.body, "base_version": str(current.version)})
    if request.method == "GET":
        return _render_new(form, current)
    action = request.form.get("action")
    valid = form.validate()  # every problem at once: the fields and an unchanged text
    body = normalize_body(form.body.data or "")
    if body and body == normalize_body(current.body):
        unchanged = _("This is the text of the current version: change something.")
        valid = report(form, [("body", unchanged)]) and valid
    if not valid:
        return _render_new(form, current, preview=action in ("preview", "publish")), 422
    if form.base_version.data != str(current.version):
        form.body.errors.append(
            _(
                "Someone published version %(num)d while you were editing. Check the changes "
                "against it below, then publish again.",
                num=current.version,
            )
        )
        form.base_version.data = str(current.version)
        return _render_new(form, current, preview=True), 422
    if action != "publish":
        return _render_new(form, current, preview=True)
    policy = publish_version(body, form.summary.data, current_user, form.effective_date.data)
    if policy.effective_date > shop_today():
        flash(
            _(
                "Version %(num)d is published. It takes effect on %(date)s; customers are "
                "told then.",
                num=policy.version,
                date=format_when(policy.effective_date, "document"),
            ),
            "success",
        )
    else:
        flash(
            _(
                "Version %(num)d is published and in effect. Signed-in customers are told the "
                "policy changed.",
                num=policy.version,
            ),
            "success",
        )
    return redirect(url_for(".version_list"))


def _render_new(form: PolicyForm, current: PolicyVersion, preview: bool = False):
    draft = normalize_body(form.body.data or "")
    return render_template(
        "staff/policy/new.html",
        form=form,
        current=current,
        preview=preview and bool(draft.strip()),
        diff=policy_diff(current.body, draft) if preview else None,
        rendered=render_policy(PolicyVersion(body=draft)) if preview else None,
        next_number=next_version_number(),
    )


# -- The customer record's policy section ------------------------------------------------------


def _policy_section(customer: User) -> dict:
    return {"acceptances": acceptances(customer), "current_version": current_policy().version}


register_customer_section(
    CustomerSection(
        "policy", _l("Privacy policy"), "staff/customers/_policy.html", load=_policy_section
    )
)
