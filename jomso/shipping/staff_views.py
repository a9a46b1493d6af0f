"""The owner's shipping page at /staff/shipping: zones with their countries and methods, the
local pickups, and a form for each (settings are the owner's: ``ADMINISTER``)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from jomso.addresses import country_name, shop_country
from jomso.extensions import db
from jomso.form_checks import accepted, form_status
from jomso.permissions import Permission, permission_required
from jomso.shipping import editing, rates
from jomso.shipping.forms import KIND_LABELS, PICKUP_ZONE, MethodForm, ZoneForm
from jomso.shipping.models import ShippingMethod, ShippingZone

bp = Blueprint("shipping_admin", __name__, url_prefix="/staff/shipping", cli_group=None)
# For the storefront's templates: the product page's "free shipping from", the cart's
# "shipping to <the shop's country>".
bp.add_app_template_global(rates.free_from_cents, "free_shipping_from")
bp.add_app_template_global(lambda: country_name(shop_country()), "shop_country_name")

administer = permission_required(Permission.ADMINISTER)


@bp.get("")
@administer
def zone_list():
    zones, pickups = rates.zones_with_methods()
    return render_template(
        "staff/shipping/list.html", zones=zones, pickups=pickups, kind_labels=KIND_LABELS
    )


@bp.route("/zones/new", methods=["GET", "POST"], defaults={"zone_id": None})
@bp.route("/zones/<int:zone_id>", methods=["GET", "POST"])
@administer
def zone_edit(zone_id: int | None):
    zone = db.get_or_404(ShippingZone, zone_id) if zone_id is not None else None
    form = ZoneForm(
        data={"name": zone.name, "areas": ", ".join(a.code for a in zone.areas)} if zone else None
    )
    if accepted(form, editing.zone_problems, zone):
        zone = editing.save_zone(form, zone)
        flash(_("The zone “%(name)s” is saved.", name=zone.name), "success")
        return redirect(url_for(".zone_list"))
    return render_template("staff/shipping/zone.html", form=form, zone=zone), form_status(form)


@bp.post("/zones/<int:zone_id>/delete")
@administer
def zone_delete(zone_id: int):
    zone = db.get_or_404(ShippingZone, zone_id)
    name = zone.name
    editing.delete_zone(zone)
    flash(_("The zone “%(name)s” and its methods are deleted.", name=name), "success")
    return redirect(url_for(".zone_list"))


@bp.route("/methods/new", methods=["GET", "POST"], defaults={"method_id": None})
@bp.route("/methods/<int:method_id>", methods=["GET", "POST"])
@administer
def method_edit(method_id: int | None):
    method = db.get_or_404(ShippingMethod, method_id) if method_id is not None else None
    if method is not None:
        data = {
            "zone": method.zone_id or PICKUP_ZONE,
            "name": method.name,
            "kind": method.kind,
            "price": method.price_cents,
            "free_from": method.free_from_cents,
            "weight_bands": "\n".join(
                f"{grams}: {_price_text(cents)}" for grams, cents in method.bands
            ),
            "is_active": method.is_active,
        }
    else:
        data = {"zone": request.args.get("zone", PICKUP_ZONE, type=int)}
    form = MethodForm(data=data)
    form.zone.choices = editing.zone_choices()
    if accepted(form, editing.method_problems):
        method = editing.save_method(form, method)
        flash(_("The method “%(name)s” is saved.", name=method.name), "success")
        return redirect(url_for(".zone_list"))
    page = render_template("staff/shipping/method.html", form=form, method=method)
    return page, form_status(form)


def _price_text(cents: int) -> str:
    from jomso.catalog.admin_forms import format_price_input

    return format_price_input(cents)


@bp.post("/methods/<int:method_id>/delete")
@administer
def method_delete(method_id: int):
    method = db.get_or_404(ShippingMethod, method_id)
    name = method.name
    editing.delete_method(method)
    flash(_("The method “%(name)s” is deleted.", name=name), "success")
    return redirect(url_for(".zone_list"))
