"""Jomso: a self-hosted web shop for small businesses."""

from __future__ import annotations

import importlib
import inspect
import os

from flask import Flask

from jomso.config import PRIVATE_UMASK, instance_path_from_env, load_config
from jomso.templating import ShopEnvironment

# The release this code is, or leads to (``.devN``: not released yet). pyproject.toml says the
# same (tests/test_version.py) and docs/changelog.md describes each release.
__version__ = "0.2.0.dev0"

# One blueprint per domain; each package exposes ``bp``.
BLUEPRINTS = (
    "jomso.health",
    "jomso.catalog",
    "jomso.catalog.staff_views",
    "jomso.cart",
    "jomso.accounts.pages",
    "jomso.privacy.views",
    "jomso.privacy.staff_views",
    "jomso.privacy.cli",
    "jomso.privacy.request_views",
    "jomso.privacy.request_staff_views",
    "jomso.consent",
    "jomso.contact",
    "jomso.contact.staff_views",
    "jomso.contact.interest_views",
    "jomso.newsletter",
    "jomso.newsletter.staff_views",
    "jomso.staff.pages",
    "jomso.analytics",
    "jomso.sales",
    "jomso.checkout",
    "jomso.orders.staff_views",
    "jomso.payments.views",
    "jomso.backups",
    "jomso.doctor",
    "jomso.crawlers",
    "jomso.pages",
    "jomso.pages.staff_views",
    "jomso.shipping.staff_views",
    "jomso.invoices.staff_views",
    "jomso.invoices.views",
    "jomso.invoices.document_staff_views",
    "jomso.discounts.staff_views",
    "jomso.taxes.staff_views",
)


class Shop(Flask):
    """Flask, without asking ``inspect`` on every request whether each hook and view is a
    coroutine function: Flask's ``ensure_sync`` does, about 30 times a request (20 µs). A
    function whose code is not a coroutine's is returned as it is, as Flask returns it; the
    rest (a ``functools.partial``, an ``async def``) go to Flask. The shop has no async
    views; a sync function marked with ``inspect.markcoroutinefunction`` would not be
    wrapped."""

    def ensure_sync(self, func):
        code = getattr(func, "__code__", None)
        if code is not None and not code.co_flags & inspect.CO_COROUTINE:
            return func
        return super().ensure_sync(func)


def create_app(test_config: dict | None = None) -> Flask:
    # Everything the shop writes (database, outbox, images, keys...) is readable by its own
    # user only. The umask belongs to the process: it applies to everything the process writes.
    os.umask(PRIVATE_UMASK)
    app = Shop(
        __name__,
        instance_path=instance_path_from_env(),
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
    )
    app.jinja_environment = ShopEnvironment  # (made at its first use, after this)
    load_config(app, test_config)
    register_extensions(app)
    register_blueprints(app)
    register_hooks(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    from jomso.accounts.models import AnonymousUser
    from jomso.database import init_database
    from jomso.extensions import csrf, login_manager, migrate
    from jomso.i18n import init_i18n
    from jomso.logging_setup import init_logging
    from jomso.mail_sender import init_mail
    from jomso.payments import init_payments
    from jomso.ratelimits import init_rate_limits
    from jomso.session_cookie import init_session_cookie

    init_logging(app)
    init_database(app)
    from jomso.extensions import db

    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"))
    csrf.init_app(app)
    init_session_cookie(app)
    init_rate_limits(app)
    init_i18n(app)
    login_manager.init_app(app)
    login_manager.anonymous_user = AnonymousUser
    login_manager.login_view = "accounts.login"
    login_manager.session_protection = "basic"
    init_payments(app)
    init_mail(app)
    if app.config.get("PROXY_FIX"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        # X-Forwarded-Host is believed only when asked: links in mail never use it anyway
        # (jomso.urls), but pages and checks that read the request's host would.
        hops = int(app.config["PROXY_FIX"])
        host_hops = hops if app.config.get("PROXY_FIX_HOST") else 0
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=host_hops)


def register_blueprints(app: Flask) -> None:
    for name in BLUEPRINTS:
        app.register_blueprint(importlib.import_module(name).bp)


def register_hooks(app: Flask) -> None:
    from jomso.errors import init_errors
    from jomso.request_limits import init_request_limits
    from jomso.security import init_security
    from jomso.templating import init_templating

    init_request_limits(app)
    init_security(app)
    init_errors(app)
    init_templating(app)


def register_commands(app: Flask) -> None:
    from jomso.cli import register_cli

    register_cli(app)
