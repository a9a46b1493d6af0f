"""Every production check ``doctor`` runs, by area: settings, the instance folder, HTTPS, mail,
payments, backups, the database and its migrations, Redis. Each check returns findings: OK,
WARN (works, but look at it) or FAIL (fix it before taking orders), with a message that says
what was found and what to do. Messages never hold a password, a key or a customer's data.
"""

from __future__ import annotations

import re
import stat
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from jomso.backup_folder import backup_folder, newest_backup
from jomso.config import production_problems
from jomso.extensions import db
from jomso.mail import MailState, OutgoingMail
from jomso.mail_sender import delivery_mode
from jomso.payments import is_demo_mode
from jomso.readiness import check_mail_queue, check_redis
from jomso.urls import split_shop_url

OK, WARN, FAIL = "OK", "WARN", "FAIL"

# Values that come from an example (deploy/jomso.env, the docs), never from a real shop.
PLACEHOLDER = re.compile(r"example\.(com|org|net)\b|^your_|^change-me$", re.IGNORECASE)
EXAMPLE_SETTINGS = (
    "SHOP_URL", "SHOP_EMAIL", "TRUSTED_HOSTS", "MAIL_SERVER", "MAIL_USERNAME", "MAIL_PASSWORD",
    "MAIL_SENDER", "BRAINTREE_MERCHANT_ID", "BRAINTREE_PUBLIC_KEY", "BRAINTREE_PRIVATE_KEY",
    "BRAINTREE_MERCHANT_ACCOUNT_ID",
)  # fmt: skip

# Files of the instance folder that hold secrets: readable by the shop's user only.
SECRET_FILES = ("secret_key", "config.py", "demo-braintree-key", "demo-staff-passwords")
# A daily backup, with an hour's room for the timer and the backup's own run time.
BACKUP_MAX_AGE = timedelta(hours=25)


@dataclass(frozen=True)
class Finding:
    status: str  # OK, WARN or FAIL
    area: str
    message: str


Check = Callable[[Flask], list[Finding]]


def check_settings(app: Flask) -> list[Finding]:
    config = app.config
    found = []
    if config.get("ENV") != "production":
        found.append(
            Finding(
                FAIL,
                "settings",
                f"JOMSO_ENV is {config.get('ENV')!r}, so the start-up safety checks are off: "
                "set JOMSO_ENV=production.",
            )
        )
    found += [Finding(FAIL, "settings", problem) for problem in production_problems(config)]
    placeholders = [
        f"JOMSO_{name}"
        for name in EXAMPLE_SETTINGS
        if any(PLACEHOLDER.search(str(value)) for value in _values(config.get(name)))
        # An unset sender is the shop's address: naming that one is enough.
        and not (name == "MAIL_SENDER" and config.get(name) == config.get("SHOP_EMAIL"))
    ]
    if placeholders:
        found.append(
            Finding(
                FAIL,
                "settings",
                f"still the example's values: {', '.join(placeholders)}: put the shop's own",
            )
        )
    if config.get("ALLOW_INSECURE_COOKIES"):
        found.append(
            Finding(
                WARN,
                "settings",
                "JOMSO_ALLOW_INSECURE_COOKIES=true: sign-in cookies may travel over plain "
                "HTTP. Only for a shop on a private network.",
            )
        )
    if not config.get("TRUSTED_HOSTS"):
        found.append(
            Finding(
                WARN,
                "settings",
                "JOMSO_TRUSTED_HOSTS is not set, so the shop answers any Host header: set it "
                "to the shop's host name.",
            )
        )
    if not found:
        found.append(Finding(OK, "settings", "production mode; the start-up checks pass"))
    return found


def _values(value) -> list:
    return list(value) if isinstance(value, list | tuple) else [value or ""]


def check_instance_folder(app: Flask) -> list[Finding]:
    folder = Path(app.instance_path)
    mode = stat.S_IMODE(folder.stat().st_mode)
    found = []
    if mode & 0o007:
        found.append(
            Finding(
                FAIL,
                "instance",
                f"{folder} is open to every user (mode {mode:04o}): chmod 700 {folder}",
            )
        )
    elif mode & 0o070:
        found.append(Finding(WARN, "instance", f"{folder} is open to its group (mode {mode:04o})"))
    open_secrets, open_files = [], []
    for entry in sorted(folder.iterdir()):
        entry_mode = stat.S_IMODE(entry.lstat().st_mode)
        if entry.name in SECRET_FILES and entry_mode & 0o077:
            open_secrets.append(f"{entry.name} ({entry_mode:04o})")
        elif entry_mode & 0o007:
            open_files.append(f"{entry.name} ({entry_mode:04o})")
    if open_secrets:
        found.append(
            Finding(
                FAIL,
                "instance",
                f"secrets readable by other users: {', '.join(open_secrets)}; "
                f"chmod 600 them in {folder}",
            )
        )
    if open_files:
        found.append(
            Finding(
                FAIL,
                "instance",
                f"readable by every user: {', '.join(open_files)}; chmod -R go= {folder}",
            )
        )
    if not found:
        found.append(
            Finding(OK, "instance", f"{folder} (mode {mode:04o}) and its secrets are private")
        )
    return found


def check_https(app: Flask) -> list[Finding]:
    config = app.config
    found = []
    shop_url = config.get("SHOP_URL")
    if not shop_url:
        found.append(Finding(FAIL, "https", "JOMSO_SHOP_URL is not set"))
    else:
        parts = split_shop_url(shop_url)
        scheme, host = parts.scheme, parts.netloc
        if scheme == "https":
            found.append(Finding(OK, "https", f"the shop's address is https://{host}"))
        else:
            found.append(
                Finding(
                    FAIL,
                    "https",
                    f"JOMSO_SHOP_URL is {scheme}://{host}: serve the shop over HTTPS and set "
                    f"JOMSO_SHOP_URL=https://{host}",
                )
            )
    if not int(config.get("PROXY_FIX") or 0):
        found.append(
            Finding(
                WARN,
                "https",
                "JOMSO_PROXY_FIX is 0: behind nginx set it to 1, or the shop sees every "
                "visitor as the proxy (one rate limit for all) and HTTPS as plain HTTP (no "
                "HSTS header).",
            )
        )
    return found


def check_mail(app: Flask) -> list[Finding]:
    config = app.config
    found = []
    if not config.get("MAIL_SERVER"):
        found.append(
            Finding(
                FAIL,
                "mail",
                "no SMTP server (JOMSO_MAIL_SERVER): mail is written to the outbox folder and "
                "reaches nobody",
            )
        )
    else:
        security = (
            "TLS"
            if config.get("MAIL_USE_SSL")
            else "STARTTLS"
            if config.get("MAIL_USE_TLS")
            else None
        )
        where = f"{config['MAIL_SERVER']}:{config['MAIL_PORT']}"
        if security:
            found.append(Finding(OK, "mail", f"SMTP {where} with {security}"))
        else:
            found.append(
                Finding(WARN, "mail", f"SMTP {where} without TLS: passwords and mail in clear")
            )
    mode = delivery_mode(app)
    if mode == "commit":
        found.append(
            Finding(
                WARN,
                "mail",
                "JOMSO_MAIL_DELIVERY=commit makes pages wait for the mail server: use thread "
                "or cron",
            )
        )
    queue = check_mail_queue(config)
    if queue.ok:
        found.append(Finding(OK, "mail", f"queue: {queue.detail} (delivery: {mode})"))
    else:
        hint = (
            "is the jomso-mail.timer (send-mail) running?"
            if mode == "cron"
            else "is the shop running?"
        )
        found.append(Finding(FAIL, "mail", f"queue: {queue.detail}; {hint}"))
    given_up = db.session.scalar(
        select(func.count()).select_from(OutgoingMail).where(OutgoingMail.state == MailState.FAILED)
    )
    if given_up:
        found.append(
            Finding(
                WARN,
                "mail",
                f"{given_up} messages were given up (the owner's dashboard lists them)",
            )
        )
    return found


def check_payments(app: Flask) -> list[Finding]:
    config = app.config
    if is_demo_mode(app):
        if config.get("ALLOW_DEMO_PAYMENTS"):
            return [
                Finding(
                    WARN,
                    "payments",
                    "demo payments (JOMSO_ALLOW_DEMO_PAYMENTS=true): no card is charged",
                )
            ]
        return [
            Finding(
                FAIL,
                "payments",
                "demo payments on the offline gateway: set JOMSO_BRAINTREE_MERCHANT_ID, "
                "JOMSO_BRAINTREE_PUBLIC_KEY and JOMSO_BRAINTREE_PRIVATE_KEY",
            )
        ]
    merchant = config["BRAINTREE_MERCHANT_ID"]
    if config.get("BRAINTREE_ENVIRONMENT") != "production":
        return [
            Finding(
                WARN,
                "payments",
                f"Braintree sandbox (merchant {merchant}): test cards only, no real money; "
                "set JOMSO_BRAINTREE_ENVIRONMENT=production to go live",
            )
        ]
    return [Finding(OK, "payments", f"Braintree production, merchant {merchant}")]


def check_backups(app: Flask) -> list[Finding]:
    folder = backup_folder(app.config, app.instance_path)
    newest = newest_backup(folder)
    if newest is None:
        return [
            Finding(
                FAIL,
                "backups",
                f"no backup in {folder} yet: run `flask --app app backup` daily (the timer in "
                "deploy/), or set JOMSO_BACKUP_DIR to the folder it writes to",
            )
        ]
    age = max(datetime.now(UTC) - newest[1], timedelta(0))
    hours = age.total_seconds() / 3600
    if age > BACKUP_MAX_AGE:
        return [
            Finding(
                FAIL,
                "backups",
                f"the newest backup in {folder} is {hours:.0f} hours old: is the daily "
                "backup running?",
            )
        ]
    return [Finding(OK, "backups", f"the newest backup in {folder} is {hours:.1f} hours old")]


def check_database(app: Flask) -> list[Finding]:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    config = app.extensions["migrate"].migrate.get_config()
    expected = set(ScriptDirectory.from_config(config).get_heads())
    try:
        with db.engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    except SQLAlchemyError as error:
        return [Finding(FAIL, "database", f"no answer ({type(error).__name__})")]
    where = db.engine.url.render_as_string(hide_password=True)
    if current == expected:
        return [Finding(OK, "database", f"{where}: schema at {', '.join(sorted(current))}")]
    have = f"schema at {', '.join(sorted(current))}" if current else "no schema"
    return [
        Finding(
            FAIL,
            "database",
            f"{where}: {have}, this version needs {', '.join(sorted(expected))}: "
            "run flask --app app init-db",
        )
    ]


def check_redis_server(app: Flask) -> list[Finding]:
    result = check_redis(app)
    status = {True: OK, False: FAIL, None: OK}[result.ok]
    return [Finding(status, "redis", result.detail)]


CHECKS: tuple[tuple[str, Check], ...] = (
    ("settings", check_settings),
    ("instance", check_instance_folder),
    ("https", check_https),
    ("mail", check_mail),
    ("payments", check_payments),
    ("backups", check_backups),
    ("database", check_database),
    ("redis", check_redis_server),
)


def run_checks(app: Flask) -> list[Finding]:
    """Every check's findings, in the order of ``CHECKS``. A check that breaks (a table
    missing before ``init-db``, say) is a FAIL of its own area; the others still run."""
    findings = []
    for area, check in CHECKS:
        try:
            findings += check(app)
        except Exception as error:
            db.session.rollback()
            findings.append(Finding(FAIL, area, f"could not be checked ({type(error).__name__})"))
    return findings
