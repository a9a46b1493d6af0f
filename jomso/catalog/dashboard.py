"""The catalog's card on the staff dashboard: products running low (``stock_levels``)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from jomso.catalog.stock_levels import low_stock_products, low_stock_threshold
from jomso.permissions import Permission
from jomso.staff.dashboard import CardContent, CardItem, CardLink, DashboardCard, register_card


def _stock_text(stock: int) -> str:
    if stock <= 0:
        return str(_l("sold out"))
    return ngettext("%(num)d left", "%(num)d left", stock)


def _low_stock() -> CardContent:
    total, lowest = low_stock_products()
    threshold = low_stock_threshold()
    return CardContent(
        count=total,
        summary=ngettext(
            "On sale with %(num)d unit or fewer.", "On sale with %(num)d units or fewer.", threshold
        ),
        items=[
            CardItem(
                p.name,
                f"{p.variant_text.split(' ', 1)[0]} · {_stock_text(p.stock_total)}",
                "catalog_admin.product_edit",
                {"product_id": p.id},
            )
            for p in lowest
        ],
        links=[
            CardLink(
                _l("All products low on stock"),
                "catalog_admin.product_list",
                {"stock": "low", "status": "active", "sort": "stock"},
            )
        ],
        attention=total > 0,
    )


register_card(
    DashboardCard("low_stock", Permission.MANAGE_CATALOG, _l("Low on stock"), _low_stock, order=40)
)
