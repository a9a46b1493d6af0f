"""Demo staff accounts, one per role, for ``seed-demo`` and ``demo``. Demo shops only.

Their passwords are made once and kept in the instance folder (``demo-staff-passwords``,
mode 0600: only the shop's user can read it), so they stay the same from one start to the
next. Every start prints them and puts back a demo account's stored password (and enables
it) when someone changed or disabled it, so what is printed always signs in.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from flask import current_app

from jomso.accounts.lookup import find_user_by_email
from jomso.accounts.passwords import hash_password, verify_password
from jomso.accounts.user_sessions import end_all_sessions
from jomso.extensions import db
from jomso.permissions import ROLE_LABELS, Role
from jomso.staff.services import create_staff

DEMO_DOMAIN = "staff.example.com"  # reserved for examples: no real mailbox can receive mail
PASSWORDS_FILE = "demo-staff-passwords"


def passwords_path() -> Path:
    return Path(current_app.instance_path) / PASSWORDS_FILE


def create_demo_staff() -> list[tuple[str, str, list[str]]]:
    """One staff member per role (``owner@staff.example.com``, ...) with the password kept in
    the instance folder (made on first use). Returns (email, password, roles) for the command
    to print; the database holds the passwords only as hashes."""
    stored = _read_passwords()
    wanted = {}
    for role in Role:
        email = f"{role.value}@{DEMO_DOMAIN}"
        wanted[email] = stored.get(email) or secrets.token_urlsafe(12)
    if wanted != stored:
        _write_passwords(wanted)  # before any account changes: a password is never lost
    made = []
    for role in Role:
        email = f"{role.value}@{DEMO_DOMAIN}"
        password = wanted[email]
        user = find_user_by_email(email)
        if user is None:
            user, _created = create_staff(email, password, [role], name=f"Demo {ROLE_LABELS[role]}")
        else:
            if not user.active or not verify_password(user.password_hash, password):
                user.password_hash = hash_password(password)
                user.active = True
                end_all_sessions(user, commit=False)
                db.session.commit()
            user, _created = create_staff(email, None, [role])
        made.append((user.email, password, user.role_names))
    return made


def _read_passwords() -> dict[str, str]:
    path = passwords_path()
    if not path.exists():
        return {}
    pairs = (line.split() for line in path.read_text(encoding="utf-8").splitlines())
    return {fields[0]: fields[1] for fields in pairs if len(fields) == 2}


def _write_passwords(passwords: dict[str, str]) -> None:
    """Replace the file at once; the new one is created with mode 0600."""
    path = passwords_path()
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with contextlib.suppress(FileNotFoundError):
        partial.unlink()  # left by a crash, perhaps with another mode
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.writelines(f"{email} {password}\n" for email, password in passwords.items())
    os.replace(partial, path)
