"""What every template can use: shop settings, header data and small helpers."""

from __future__ import annotations

from flask import Flask, current_app

from jomso.permissions import Permission


def init_templating(app: Flask) -> None:
    @app.context_processor
    def _shop_context():
        return {
            "shop_name": current_app.config["SHOP_NAME"],
            "shop_email": current_app.config["SHOP_EMAIL"],
            "Permission": Permission,
        }
