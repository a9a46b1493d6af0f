"""The dashboard and the owner's staff management pages."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from jomso.accounts.forms import EmptyForm
from jomso.accounts.lookup import find_user_by_email
from jomso.accounts.validation import Invalid, check_password
from jomso.audit.services import AuditFilter, filtered_entries, last_sign_ins
from jomso.extensions import db
from jomso.form_checks import Problem, report
from jomso.permissions import (
    PERMISSION_LABELS,
    ROLE_LABELS,
    ROLE_PERMISSIONS,
    Permission,
    Role,
    permission_required,
    role_permission_labels,
    staff_required,
)
from jomso.staff.blueprint import bp
from jomso.staff.checklist import setup_checklist
from jomso.staff.dashboard import cards_for
from jomso.staff.forms import StaffCreateForm, StaffForm
from jomso.staff.navigation import links_for
from jomso.staff.services import (
    StaffError,
    create_staff,
    disable_staff,
    enable_staff,
    get_staff_member,
    parse_roles,
    staff_members,
    update_staff,
)


@bp.get("/")
@staff_required
def dashboard():
    """The morning questions, each a card for the roles that may see it (what to ship, what
    to reconcile, what needs an answer, what runs low, what sold: jomso/staff/dashboard.py),
    then what this person's roles let them do; for the owner, the setup checklist too."""
    links = [link for link in links_for(current_user) if link.endpoint != "staff.dashboard"]
    owner = current_user.can(Permission.ADMINISTER)
    allowed = [label for p, label in PERMISSION_LABELS.items() if current_user.can(p)]
    return render_template(
        "staff/dashboard.html",
        cards=cards_for(current_user),
        links=links,
        checklist=setup_checklist() if owner else None,
        allowed=allowed,
    )


@bp.get("/staff")
@permission_required(Permission.ADMINISTER)
def staff_list():
    members = staff_members()
    return render_template(
        "staff/staff_list.html",
        members=members,
        last_seen=last_sign_ins(m.id for m in members),
    )


@bp.route("/staff/new", methods=["GET", "POST"])
@permission_required(Permission.ADMINISTER)
def staff_new():
    """Add a staff member with an initial password typed by the owner. An email that belongs
    to a customer account gets the roles added; that account keeps its password."""
    form = StaffCreateForm()
    if form.is_submitted():
        valid = form.validate()  # every problem at once: the fields, then the rules below
        existing = find_user_by_email(form.email.data) if form.email.data else None
        valid = report(form, _new_staff_problems(form, existing)) and valid
        if not valid:
            return _render_new(form, existing if existing and existing.is_staff else None), 422
        try:
            user, created = create_staff(
                form.email.data,
                form.password.data if existing is None else None,
                parse_roles(form.roles.data),
                name=form.name.data or "",
                actor=current_user,
            )
        except StaffError as error:
            form.roles.errors.append(str(error))
            return _render_new(form), 422
        if created:
            flash(
                _("%(who)s can now sign in with the password you chose.", who=user.email),
                "success",
            )
        else:
            flash(
                _(
                    "%(who)s already had a customer account: it now has the roles you chose "
                    "and keeps its own password.",
                    who=user.email,
                ),
                "success",
            )
        return redirect(url_for(".staff_edit", user_id=user.id))
    return _render_new(form), (422 if form.errors else 200)


def _new_staff_problems(form: StaffCreateForm, existing) -> list[Problem]:
    """An address already on the staff; for a new account, a missing or weak password (an
    existing customer account keeps its own)."""
    if existing is not None:
        if existing.is_staff:
            message = _("This person is already on the staff. Change their roles on their page.")
            return [("email", message)]
        return []
    if not form.password.data:
        return [("password", _("Choose an initial password."))]
    try:
        check_password(form.password.data, email=form.email.data or "", name=form.name.data or "")
    except Invalid as error:
        return [("password", str(error))]
    return []


def _render_new(form, existing=None):
    return render_template(
        "staff/staff_new.html", form=form, existing=existing, role_help=_role_help()
    )


@bp.route("/staff/<int:user_id>", methods=["GET", "POST"])
@permission_required(Permission.ADMINISTER)
def staff_edit(user_id: int):
    """One staff member: name, roles, enable or disable, and their recent log entries."""
    member = get_staff_member(user_id) or abort(404)
    form = StaffForm(data={"name": member.name, "roles": member.role_names})
    status = 200
    if form.validate_on_submit():
        try:
            roles = parse_roles(form.roles.data)
            changed = update_staff(member, form.name.data or "", roles, current_user)
        except StaffError as error:
            db.session.rollback()
            form.roles.errors.append(str(error))
            status = 422
        else:
            flash(_("Roles saved.") if changed else _("Saved. The roles are unchanged."), "success")
            if not current_user.can(Permission.ADMINISTER):  # the owner gave up their own role
                return redirect(url_for(".dashboard"))
            return redirect(url_for(".staff_edit", user_id=member.id))
    elif request.method == "POST":
        status = 422
    recent = db.session.scalars(filtered_entries(AuditFilter(actor_id=member.id)).limit(10)).all()
    return (
        render_template(
            "staff/staff_edit.html",
            member=member,
            form=form,
            action_form=EmptyForm(),
            recent=recent,
            role_help=_role_help(),
        ),
        status,
    )


@bp.post("/staff/<int:user_id>/disable")
@permission_required(Permission.ADMINISTER)
def staff_disable(user_id: int):
    member = get_staff_member(user_id) or abort(404)
    if EmptyForm().validate_on_submit():
        try:
            disable_staff(member, current_user)
        except StaffError as error:
            flash(str(error), "error")
        else:
            flash(_("%(who)s is disabled and signed out everywhere.", who=member.email), "success")
    return redirect(url_for(".staff_edit", user_id=member.id))


@bp.post("/staff/<int:user_id>/enable")
@permission_required(Permission.ADMINISTER)
def staff_enable(user_id: int):
    member = get_staff_member(user_id) or abort(404)
    if EmptyForm().validate_on_submit():
        enable_staff(member, current_user)
        flash(_("%(who)s can sign in again.", who=member.email), "success")
    return redirect(url_for(".staff_edit", user_id=member.id))


def _role_help() -> list[tuple[str, object, list]]:
    """(value, label, what it allows) for each role, shown beside the role checkboxes."""
    return [(role.value, ROLE_LABELS[role], _allows(role)) for role in Role]


def _allows(role: Role) -> list:
    if ROLE_PERMISSIONS[role] == frozenset(Permission):  # the owner: say it short
        return [_("Everything the other roles can do"), PERMISSION_LABELS[Permission.ADMINISTER]]
    return role_permission_labels(role)
