"""What every template can use: shop settings, header data and small helpers."""

from __future__ import annotations

from flask import Flask, current_app
from flask_babel import gettext as _

from jomso.addresses import address_lines, layouts_for_script
from jomso.permissions import Permission


def init_templating(app: Flask) -> None:
    # An address as its country prints it, line by line (templates/partials/address.html).
    app.jinja_env.filters["address_lines"] = address_lines
    # Every country's address form layout, for static/js/address.js.
    app.jinja_env.globals["address_layouts"] = layouts_for_script

    @app.context_processor
    def _shop_context():
        return {
            "shop_name": current_app.config["SHOP_NAME"],
            "shop_email": current_app.config["SHOP_EMAIL"],
            "shop_description": shop_description,
            "Permission": Permission,
        }


def shop_description() -> str:
    """The meta description of every page that has none of its own (``SHOP_DESCRIPTION``)."""
    return current_app.config.get("SHOP_DESCRIPTION") or _(
        "%(shop)s: browse the catalog, order online, pay securely by card and follow your parcel.",
        shop=current_app.config["SHOP_NAME"],
    )
