"""Settings: defaults here, then ``instance/config.py``, then ``JOMSO_*`` environment variables.

Every setting is documented in the configuration table of docs/owners.md (tests/test_docs.py
checks). Environment values are parsed as JSON when they parse (``JOMSO_PRODUCTS_PER_PAGE=24``
is an int), otherwise kept as text.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from flask import Flask

from jomso.translations import SHIPPED
from jomso.urls import split_shop_url

ENV_PREFIX = "JOMSO"
# What the shop writes is its own: files 0600, folders 0700 (create_app sets the umask).
PRIVATE_UMASK = 0o077
PRIVATE_FOLDER_MODE = 0o700

log = logging.getLogger(__name__)


class Defaults:
    ENV = "development"  # "production" turns on the production safety checks
    SHOP_NAME = "Jomso Demo Shop"
    SHOP_EMAIL = "shop@example.com"  # the controller's contact; production needs a real one
    SHOP_ADDRESS = ""  # the controller's postal address (lines); production needs it
    # The meta description of pages without their own (home, cart...); empty: a sentence made
    # from SHOP_NAME
    SHOP_DESCRIPTION = ""
    LOCALE = "en_US"  # the default language, and the number and date format of its language
    # The languages the shop offers (each needs a catalog in translations/, English is the
    # source): a visitor gets the first of their browser's languages among these, or picks one
    LANGUAGES = ["en", "de", "fr", "es"]
    BABEL_TRANSLATION_DIRECTORIES = str(SHIPPED)  # the repository's translations/ folder
    CURRENCY = "USD"
    TIMEZONE = "UTC"

    DATABASE_URL = ""  # empty: SQLite file jomso.sqlite3 in the instance folder
    SQLITE_BUSY_TIMEOUT_MS = 5000
    BACKUP_DIR = ""  # where `backup` writes when given no DEST; empty: instance/backups

    # Carriers staff ship with, and the page where a parcel is followed: "{tracking}" is
    # replaced by the tracking number. Staff may type another carrier (no link then).
    CARRIERS = {
        "UPS": "https://www.ups.com/track?tracknum={tracking}",
        "USPS": "https://tools.usps.com/go/TrackConfirmAction?tLabels={tracking}",
        "FedEx": "https://www.fedex.com/fedextrack/?trknbr={tracking}",
        "DHL": "https://www.dhl.com/global-en/home/tracking/tracking-express.html?submit=1&tracking-id={tracking}",
        "Royal Mail": "https://www.royalmail.com/track-your-item#/tracking-results/{tracking}",
        "La Poste": "https://www.laposte.fr/outils/suivre-vos-envois?code={tracking}",
        "DPD": "https://tracking.dpd.de/status/en_US/parcel/{tracking}",
    }
    PRODUCTS_PER_PAGE = 24
    SEARCH_MAX_RESULTS = 1000  # a search lists at most this many products (the newest matches)
    NEW_PRODUCT_DAYS = 14
    NEW_PRODUCT_COUNT = 8  # at most this many of the newest products carry the "new" badge
    CART_MAX_QUANTITY = 99
    LOW_STOCK_THRESHOLD = 5  # the back office's "low stock": the dashboard card, the list filter
    PAGE_CACHE_ENABLED = True  # one body of each catalog page for every visitor (page_cache.py)
    PAGE_CACHE_MAX_PAGES = 2000  # pages kept (per worker, or in Redis); the least recently used go
    PAGE_CACHE_MAX_BYTES = 64 * 1024 * 1024  # and the memory they take in each worker
    # Several app servers: redis://host:6379/0 shares the rate limits, the page cache and the
    # mail sender's lease between them (redis_store.py); empty: each machine keeps its own
    REDIS_URL = ""

    MAX_CONTENT_LENGTH = 64 * 1024  # bytes of a request body; more gets 413 (request_limits.py)
    MAX_FORM_PARTS = 200  # fields of a form; more gets 413
    MAX_IMAGE_BYTES = 5 * 1024 * 1024
    MAX_CATALOG_IMPORT_BYTES = 20 * 1024 * 1024  # a catalog CSV upload or file (csv_import.py)
    MAX_IMAGE_PIXELS = 40_000_000  # width x height; larger images are refused (decompression bombs)

    RATELIMIT_STORAGE_URI = ""  # empty: REDIS_URL if set, else ratelimits.sqlite3 in the instance
    RATELIMIT_ENABLED = True

    SESSION_COOKIE_NAME = "jomso_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    ALLOW_INSECURE_COOKIES = False  # let production start with cookies sent over plain HTTP
    REMEMBER_COOKIE_NAME = "jomso_remember"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = 30 * 24 * 3600
    STAFF_IDLE_MINUTES = 30

    WTF_CSRF_TIME_LIMIT = 4 * 3600

    MAIL_SERVER = ""  # empty: mail goes to the outbox folder in the instance folder
    MAIL_PORT = 587
    MAIL_USERNAME = ""
    MAIL_PASSWORD = ""
    MAIL_USE_TLS = True
    MAIL_USE_SSL = False
    MAIL_SENDER = ""  # defaults to SHOP_EMAIL
    MAIL_TIMEOUT = 10
    # thread (a sender in each worker), cron (send-mail only), commit; empty: thread, or commit
    # under TESTING (mail_sender.py)
    MAIL_DELIVERY = ""
    MAIL_MAX_ATTEMPTS = 8  # a message that failed this many times is given up (failed)
    MAIL_RETRY_SECONDS = 60  # wait before the 2nd attempt; doubled before each next one
    MAIL_KEEP_DAYS = 7  # `purge` deletes sent and failed messages (address, body) after this
    MAIL_STUCK_MINUTES = 15  # due mail waiting longer: /readyz answers 503, doctor fails

    BRAINTREE_ENVIRONMENT = "sandbox"
    BRAINTREE_MERCHANT_ID = ""
    BRAINTREE_PUBLIC_KEY = ""
    BRAINTREE_PRIVATE_KEY = ""
    BRAINTREE_MERCHANT_ACCOUNT_ID = ""
    # Seconds the SDK waits to connect and again for each answer. A payment request may so take
    # twice this: keep that under gunicorn's worker timeout (30 s in the shipped
    # gunicorn.conf.py), so a hanging gateway ends as "payment unknown", never as a killed worker.
    BRAINTREE_TIMEOUT = 10
    # A payment attempt older than this whose outcome is unknown may be settled as failed by
    # `reconcile-payments` (one that Braintree holds is settled as paid at once). It must outlast
    # any checkout request still waiting for Braintree (payment_timing_problems below).
    RECONCILE_AFTER_SECONDS = 120
    ALLOW_DEMO_PAYMENTS = False
    ORDER_LINK_DAYS = 365  # how long the order link in confirmation emails works
    SHOP_URL = ""  # public address, e.g. https://shop.example.com: every full link (jomso.urls)

    ANALYTICS_ENABLED = True  # record storefront page views (false: no log, no visitor cookie)
    ANALYTICS_WRITE_BEHIND = True  # write page views from a background thread, in batches
    ANALYTICS_IP_DAYS = 30  # page-view IPs are shortened after this many days by `purge`
    ANALYTICS_KEEP_DAYS = 395  # page views are deleted after this many days by `purge`
    CONSENT_MAX_AGE_DAYS = 182  # a cookie choice is remembered this long, then asked again

    CONTACT_MIN_SECONDS = 3  # a contact form sent sooner after it was shown is sent back
    ENQUIRY_KEEP_DAYS = 730  # `purge` anonymises enquiries untouched for this many days
    NEWSLETTER_BATCH_SIZE = 50  # new-product emails sent per batch (one commit each)
    NEWSLETTER_SEND_NOW_MAX = 50  # lists up to this size are sent from the staff page at once
    NEWSLETTER_PENDING_DAYS = 30  # `purge` deletes addresses that never confirmed after this
    RESTOCK_PENDING_DAYS = 2  # "email me when it is back": unconfirmed requests deleted after
    RESTOCK_KEEP_DAYS = 180  # ... and confirmed ones still waiting, after this many days
    PRIVACY_DATA_LINK_DAYS = 7  # an access request's emailed download link works this long
    PRIVACY_REQUEST_KEEP_DAYS = 1095  # `purge` deletes privacy requests closed this long ago

    ORDER_KEEP_YEARS = 10  # orders keep their personal fields this long after their year ends
    FAILED_ORDER_KEEP_DAYS = 90  # orders whose payment failed are anonymised after this
    CART_KEEP_DAYS = 30  # `purge` deletes carts nobody changed for this many days
    CONSENT_KEEP_DAYS = 1095  # `purge` deletes consent-ledger rows older than this
    ACCESS_LOG_KEEP_DAYS = 730  # `purge` deletes access-log entries older than this
    NEWSLETTER_UNSUBSCRIBED_DAYS = 30  # `purge` deletes unsubscribed addresses after this

    # Who else handles personal data, named on the privacy page (jomso/privacy/notice.py).
    HOSTING_PROVIDER = ""  # the company hosting the server, and where, e.g. "Hetzner, Germany"
    HOSTING_TRANSFER = ""  # if the host takes data outside the EEA: where, under what safeguards
    MAIL_PROVIDER = ""  # who delivers the mail, and where; empty: the MAIL_SERVER host name
    MAIL_PROVIDER_TRANSFER = ""  # the same for the mail provider
    DATA_PROTECTION_OFFICER = ""  # name and contact, when the shop has one
    EU_REPRESENTATIVE = ""  # for a shop outside the EU selling to it (GDPR article 27)
    SUPERVISORY_AUTHORITY = ""  # the shop's data protection authority, e.g. its name and site

    PROXY_FIX = 0  # number of reverse proxies in front that set X-Forwarded-For and -Proto
    PROXY_FIX_HOST = False  # also believe their X-Forwarded-Host


def instance_path_from_env() -> str | None:
    """The instance folder, when ``JOMSO_INSTANCE_PATH`` moves it."""
    path = os.environ.get(f"{ENV_PREFIX}_INSTANCE_PATH")
    return str(Path(path).resolve()) if path else None


def load_config(app: Flask, test_config: dict | None) -> None:
    """Fill ``app.config`` from defaults, the instance config file and the environment, then
    refuse settings that are unsafe (see ``check_settings``)."""
    app.config.from_object(Defaults)
    _private_folder(Path(app.instance_path))
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env(ENV_PREFIX)
    else:
        app.config.update(test_config)

    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(Path(app.instance_path))
    if not app.config.get("MAIL_SENDER"):
        app.config["MAIL_SENDER"] = app.config["SHOP_EMAIL"]

    app.config["SQLALCHEMY_DATABASE_URI"] = app.config.get("DATABASE_URL") or (
        f"sqlite:///{Path(app.instance_path) / 'jomso.sqlite3'}"
    )
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
    app.config["BABEL_DEFAULT_LOCALE"] = app.config["LOCALE"]
    app.config["BABEL_DEFAULT_TIMEZONE"] = app.config["TIMEZONE"]
    app.config["PERMANENT_SESSION_LIFETIME"] = 14 * 24 * 3600
    # The "Keep me signed in" cookie is Secure whenever the session cookie is: its own
    # setting can add Secure, never take it away.
    app.config["REMEMBER_COOKIE_SECURE"] = bool(app.config.get("REMEMBER_COOKIE_SECURE")) or bool(
        app.config["SESSION_COOKIE_SECURE"]
    )
    app.config["LANGUAGES"] = _languages(app.config.get("LANGUAGES"), app.config["LOCALE"])
    trusted = app.config.get("TRUSTED_HOSTS")
    if isinstance(trusted, str):  # JOMSO_TRUSTED_HOSTS="shop.example.com, www.example.com"
        app.config["TRUSTED_HOSTS"] = [h for h in re.split(r"[\s,]+", trusted) if h]
    check_settings(app.config)


def _languages(value: Any, default_locale: str) -> list[str]:
    """``LANGUAGES`` as a list of language codes (``JOMSO_LANGUAGES="en, de"`` or a JSON list);
    the language of ``LOCALE`` is always offered. Refuses to start with an unknown code."""
    if isinstance(value, str):
        value = re.split(r"[\s,]+", value)
    languages: list[str] = []
    for code in [*(value or []), default_locale]:
        code = str(code).strip().replace("-", "_")
        if not code:
            continue
        try:
            language = Locale.parse(code).language
        except (ValueError, UnknownLocaleError):
            raise RuntimeError(
                f"Refusing to start: JOMSO_LANGUAGES holds {code!r}, which is not a language "
                "code. List two-letter codes, e.g. JOMSO_LANGUAGES=en,de,fr,es."
            ) from None
        if language not in languages:
            languages.append(language)
    return languages


# The contact address the shop ships with: a privacy page naming it would name nobody.
PLACEHOLDER_EMAIL = Defaults.SHOP_EMAIL


def check_settings(config: Mapping[str, Any]) -> None:
    """Refuse to start (``RuntimeError`` saying what to set) with a malformed ``SHOP_URL``, and
    in production (``ENV=production``) with any of ``production_problems`` (no ``SHOP_URL``,
    insecure cookies, no controller's postal address and contact for the privacy page). The
    demo payments guard is ``jomso.payments``'; anywhere, payment timeouts that do not fit
    together (``payment_timing_problems``)."""
    timing = payment_timing_problems(config) + carrier_problems(config)
    if timing:
        raise RuntimeError("Refusing to start: " + " ".join(timing))
    if config.get("SHOP_URL"):
        try:
            split_shop_url(config["SHOP_URL"])
        except ValueError as error:
            raise RuntimeError(str(error)) from None
    if config.get("ENV") != "production":
        return
    problems = production_problems(config)
    if problems:
        raise RuntimeError("Refusing to start in production: " + " ".join(problems))


def production_problems(config: Mapping[str, Any]) -> list[str]:
    """What would stop the shop from starting in production: no ``SHOP_URL``, or cookies that
    are not ``Secure`` (unless ``ALLOW_INSECURE_COOKIES``). Each says what to set; ``doctor``
    lists them whatever ``ENV`` is."""
    problems = []
    if not config.get("SHOP_URL"):
        problems.append(
            "JOMSO_SHOP_URL is not set, so links in emails would have no trustworthy address. "
            "Set it to the shop's public address, e.g. JOMSO_SHOP_URL=https://shop.example.com."
        )
    insecure = [
        f"JOMSO_{name}"
        for name in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE")
        if not config.get(name)
    ]
    if insecure and not config.get("ALLOW_INSECURE_COOKIES"):
        problems.append(
            f"{' and '.join(insecure)} not true, so sign-in cookies would also travel over "
            "plain HTTP. Serve the shop over HTTPS and set JOMSO_SESSION_COOKIE_SECURE=true, "
            "or set JOMSO_ALLOW_INSECURE_COOKIES=true for a shop reached over plain HTTP on a "
            "private network only."
        )
    missing = []
    if not str(config.get("SHOP_ADDRESS") or "").strip():
        missing.append("JOMSO_SHOP_ADDRESS (the postal address)")
    if str(config.get("SHOP_EMAIL") or "").strip().lower() in ("", PLACEHOLDER_EMAIL):
        missing.append("JOMSO_SHOP_EMAIL (the contact address)")
    if missing:
        problems.append(
            f"{' and '.join(missing)} not set, so the privacy page could not say who is "
            "responsible for customers' data and how to reach them. Set them to the shop "
            "owner's (one line of the address per line, or separated by commas)."
        )
    return problems


def payment_timing_problems(config: Mapping[str, Any], worker_timeout: float = 0) -> list[str]:
    """Why the payment timeouts would let a customer wait on a stuck payment, or let
    reconciling fail a payment still being asked for; empty when they fit together.

    The SDK waits up to ``BRAINTREE_TIMEOUT`` to connect and as long again for the answer, so a
    checkout may wait twice that for Braintree. ``worker_timeout`` is gunicorn's (0: unknown,
    or none): it must be longer than that wait, or gunicorn kills the worker in the middle of
    the payment and the customer gets an error instead of the "we are checking your payment"
    page. ``RECONCILE_AFTER_SECONDS`` must be longer than both, or ``reconcile-payments`` could
    settle as failed a payment whose checkout is still waiting for Braintree's answer.
    """
    try:
        gateway = float(config.get("BRAINTREE_TIMEOUT") or 0)
        after = float(config.get("RECONCILE_AFTER_SECONDS") or 0)
    except (TypeError, ValueError):
        return [
            "JOMSO_BRAINTREE_TIMEOUT and JOMSO_RECONCILE_AFTER_SECONDS must be numbers of seconds."
        ]
    if gateway <= 0:
        return ["JOMSO_BRAINTREE_TIMEOUT must be a positive number of seconds (default 10)."]
    problems = []
    if after <= 2 * gateway:
        problems.append(
            f"JOMSO_RECONCILE_AFTER_SECONDS ({after:g}) must be more than twice "
            f"JOMSO_BRAINTREE_TIMEOUT ({gateway:g}), or reconciling could settle as failed a "
            "payment that Braintree is still answering. Keep the defaults (120 and 10)."
        )
    if worker_timeout > 0 and 2 * gateway >= worker_timeout:
        problems.append(
            f"gunicorn's worker timeout ({worker_timeout:g} s) must be more than twice "
            f"JOMSO_BRAINTREE_TIMEOUT ({gateway:g} s), or a worker waiting for Braintree is "
            "killed and its customer gets an error. Lower JOMSO_BRAINTREE_TIMEOUT (default 10) "
            "or raise gunicorn's timeout (30 in the shipped gunicorn.conf.py)."
        )
    if worker_timeout > 0 and after <= worker_timeout:
        problems.append(
            f"JOMSO_RECONCILE_AFTER_SECONDS ({after:g}) must be more than gunicorn's worker "
            f"timeout ({worker_timeout:g} s), or reconciling could settle as failed a payment "
            "whose checkout is still running."
        )
    return problems


def carrier_problems(config: Mapping[str, Any]) -> list[str]:
    """What is wrong with ``CARRIERS``: it maps carrier names to http(s) addresses holding
    ``{tracking}`` once; empty when it does."""
    carriers = config.get("CARRIERS", {})
    example = 'e.g. {"UPS": "https://www.ups.com/track?tracknum={tracking}"}'
    if not isinstance(carriers, Mapping):
        return [f"JOMSO_CARRIERS must map carrier names to tracking addresses, {example}."]
    problems = []
    for name, template in carriers.items():
        if not isinstance(name, str) or not name.strip() or len(name) > 80:
            problems.append(f"JOMSO_CARRIERS: {name!r} is not a carrier name (1 to 80 letters).")
        elif (
            not isinstance(template, str)
            or not re.match(r"^https?://[^\s{}]+", template)
            or template.count("{tracking}") != 1
            or re.sub(r"\{tracking\}", "", template).count("{")
        ):
            problems.append(
                f"JOMSO_CARRIERS: the address of {name!r} must start with https:// and hold "
                f"{{tracking}} once, where the tracking number goes, {example}."
            )
    return problems


def _private_folder(folder: Path) -> None:
    """Make the instance folder with mode 0700, and make an existing one of ours private (a
    checkout's ``instance/`` is 0755): it holds the database, the secret key and the outbox."""
    folder.mkdir(mode=PRIVATE_FOLDER_MODE, parents=True, exist_ok=True)
    info = folder.stat()
    mode = stat.S_IMODE(info.st_mode)
    if not mode & 0o077 or info.st_uid != os.getuid():
        return
    try:
        folder.chmod(PRIVATE_FOLDER_MODE)
    except OSError as error:
        log.warning("The instance folder is open to other users (mode %o): %s", mode, error)
    else:
        log.warning("The instance folder was open to other users (mode %o); now 0700.", mode)


def _instance_secret_key(instance: Path) -> str:
    """Read the generated secret key, making it (mode 0600) on first start."""
    key_file = instance / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_hex(32)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key
