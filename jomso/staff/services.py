"""Staff accounts: create, change roles, disable and enable. Services own the transaction.

Every change is written to the access log in the same transaction as the change itself.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext as _
from sqlalchemy import func, select

from jomso.accounts.lookup import find_user_by_email, normalize_email
from jomso.accounts.models import StaffRole, User
from jomso.accounts.passwords import hash_password
from jomso.accounts.user_sessions import end_all_sessions
from jomso.audit import AuditKind, record_event
from jomso.database import utcnow
from jomso.extensions import db
from jomso.permissions import Role


class StaffError(Exception):
    """A change the rules refuse (the last owner, one's own account); the message says why,
    in words for the person who asked."""


def parse_roles(names: Iterable[str]) -> list[Role]:
    """Role names to roles, in the roles table's order; ValueError names the unknown ones."""
    wanted = {str(n).strip().lower() for n in names}
    unknown = sorted(wanted - {r.value for r in Role})
    if unknown:
        raise ValueError(
            _(
                "Unknown role: %(unknown)s. The roles are: %(roles)s.",
                unknown=", ".join(unknown),
                roles=", ".join(r.value for r in Role),
            )
        )
    return [r for r in Role if r.value in wanted]


def staff_members() -> list[User]:
    """Every account holding a role, enabled first, then by email."""
    return list(
        db.session.scalars(
            select(User).where(User.roles.any()).order_by(User.active.desc(), User.email)
        )
    )


def get_staff_member(user_id: int) -> User | None:
    user = db.session.get(User, user_id)
    return user if user is not None and user.is_staff else None


def create_staff(
    email: str,
    password: str | None,
    roles: Iterable[Role],
    name: str = "",
    actor: User | None = None,
) -> tuple[User, bool]:
    """Make a staff account, or add ``roles`` to the existing account with this email (its
    password is then left alone). Returns the account and whether it was created."""
    roles = list(roles)
    if not roles:
        raise StaffError(_("Choose at least one role."))
    user = find_user_by_email(email)
    if user is not None:
        _change_roles(user, set(user.role_names) | {r.value for r in roles}, actor)
        db.session.commit()
        return user, False
    if not password:
        raise StaffError(_("A new account needs a password."))
    user = User(
        email=normalize_email(email),
        password_hash=hash_password(password),
        name=name.strip(),
        roles=[StaffRole(role=r.value) for r in roles],
        # The owner (or the operator) vouches for a staff address; no confirmation link.
        email_confirmed_at=utcnow(),
    )
    db.session.add(user)
    db.session.flush()
    record_event(
        AuditKind.STAFF_CREATED,
        actor=actor,
        detail=f"account #{user.id}, roles: {', '.join(user.role_names)}",
        commit=False,
    )
    db.session.commit()
    return user, True


def update_staff(user: User, name: str, roles: Iterable[Role], actor: User | None) -> bool:
    """Change a staff member's name and roles. Returns whether the roles changed.

    At least one role must stay (to take all access away, disable the account), and the
    owner role cannot be taken from the last enabled owner.
    """
    wanted = {r.value for r in roles}
    if not wanted:
        raise StaffError(
            _("Choose at least one role. To take away all access, disable the account instead.")
        )
    user.name = name.strip()
    changed = _change_roles(user, wanted, actor)
    db.session.commit()
    return changed


def disable_staff(user: User, actor: User | None) -> None:
    """Disable the account and end its sessions at once (the next request is signed out)."""
    if actor is not None and actor.id == user.id:
        raise StaffError(_("You cannot disable your own account."))
    if not user.active:
        return
    if Role.OWNER.value in user.role_names and _other_active_owners(user) == 0:
        raise StaffError(
            _(
                "This is the only enabled owner. Make someone else an owner first, so the "
                "shop always has someone who can manage staff."
            )
        )
    user.active = False
    end_all_sessions(user, commit=False)
    record_event(AuditKind.STAFF_DISABLED, actor=actor, detail=f"account #{user.id}", commit=False)
    db.session.commit()


def enable_staff(user: User, actor: User | None) -> None:
    """Let a disabled staff member sign in again (with their old password)."""
    if user.active:
        return
    user.active = True
    record_event(AuditKind.STAFF_ENABLED, actor=actor, detail=f"account #{user.id}", commit=False)
    db.session.commit()


def _other_active_owners(user: User) -> int:
    return db.session.scalar(
        select(func.count(User.id)).where(
            User.id != user.id,
            User.active.is_(True),
            User.roles.any(StaffRole.role == Role.OWNER.value),
        )
    )


def _change_roles(user: User, wanted: set[str], actor: User | None) -> bool:
    """Set ``user``'s roles to ``wanted`` and log the change; no commit."""
    before = set(user.role_names)
    if wanted == before:
        return False
    if Role.OWNER.value in before - wanted and user.active and _other_active_owners(user) == 0:
        raise StaffError(
            _(
                "This is the only enabled owner, so the owner role stays. Make someone else "
                "an owner first."
            )
        )
    # Keep the rows of roles that stay: deleting and re-adding one would clash on flush.
    user.roles = [r for r in user.roles if r.role in wanted] + [
        StaffRole(role=name) for name in sorted(wanted - before)
    ]
    added, removed = sorted(wanted - before), sorted(before - wanted)
    parts = [f"account #{user.id}"]
    if added:
        parts.append("added " + ", ".join(added))
    if removed:
        parts.append("removed " + ", ".join(removed))
    record_event(AuditKind.ROLE_CHANGE, actor=actor, detail="; ".join(parts), commit=False)
    return True


def set_new_order_emails(user: User, wanted: bool) -> bool:
    """Switch ``user``'s own "new order" email on or off; returns whether it changed.
    Commits. (Sent only while they may see orders: ``jomso.orders.staff_notices``.)"""
    changed = user.notify_new_orders != wanted
    user.notify_new_orders = wanted
    db.session.commit()
    return changed
