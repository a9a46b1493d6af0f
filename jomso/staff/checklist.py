"""The owner's setup checklist on the dashboard: is this shop ready for real customers?"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import current_app, request
from flask_babel import gettext as _
from flask_babel import ngettext

from jomso.addresses import shop_country
from jomso.config import PLACEHOLDER_EMAIL

log = logging.getLogger(__name__)

OK, TODO, UNKNOWN = "ok", "todo", "unknown"


@dataclass(frozen=True)
class CheckItem:
    title: str
    status: str  # OK, TODO or UNKNOWN
    message: str


def setup_checklist() -> list[CheckItem]:
    return [
        _payments(),
        _mail(),
        _https(),
        _policy(),
        _privacy_notice(),
        _seller(),
        _shipping(),
        _taxes(),
    ]


def _payments() -> CheckItem:
    config = current_app.config
    keys = ("BRAINTREE_MERCHANT_ID", "BRAINTREE_PUBLIC_KEY", "BRAINTREE_PRIVATE_KEY")
    if all(config.get(k) for k in keys):
        return CheckItem(
            _("Payments"),
            OK,
            _("Braintree is configured (%(env)s).", env=config.get("BRAINTREE_ENVIRONMENT")),
        )
    return CheckItem(
        _("Payments"),
        TODO,
        _(
            "Demo payments: no card is really charged. Set JOMSO_BRAINTREE_MERCHANT_ID, "
            "JOMSO_BRAINTREE_PUBLIC_KEY and JOMSO_BRAINTREE_PRIVATE_KEY to take real payments."
        ),
    )


def _mail() -> CheckItem:
    server = current_app.config.get("MAIL_SERVER")
    if server:
        return CheckItem(_("Mail"), OK, _("Mail is sent through %(server)s.", server=server))
    return CheckItem(
        _("Mail"),
        TODO,
        _(
            "Mail goes to the outbox folder in the instance folder, not to customers. Set "
            "JOMSO_MAIL_SERVER to send it."
        ),
    )


def _https() -> CheckItem:
    """Served over HTTPS, and both sign-in cookies (the session and "Keep me signed in") sent
    over HTTPS only: a page that came over HTTPS says nothing about the cookies."""
    config = current_app.config
    if config.get("SESSION_COOKIE_SECURE") and config.get("REMEMBER_COOKIE_SECURE"):
        return CheckItem(
            _("HTTPS"),
            OK,
            _("The shop is served over HTTPS. Its sign-in cookies are sent over HTTPS only."),
        )
    if request.is_secure:
        return CheckItem(
            _("HTTPS"),
            TODO,
            _(
                "This page came over HTTPS, but the sign-in cookies may also travel over plain "
                'HTTP. Set JOMSO_SESSION_COOKIE_SECURE=true (the "Keep me signed in" cookie '
                "follows it)."
            ),
        )
    return CheckItem(
        _("HTTPS"),
        TODO,
        _(
            "This page was not served over HTTPS. Put the shop behind a proxy with a "
            'certificate and set JOMSO_SESSION_COOKIE_SECURE=true (the "Keep me signed in" '
            "cookie follows it)."
        ),
    )


def _policy() -> CheckItem:
    title = _("Privacy policy")
    try:
        from jomso.privacy.services import current_policy
    except ImportError:
        return CheckItem(title, UNKNOWN, _("The policy's state cannot be read yet."))
    try:
        policy = current_policy()
    except Exception:  # the checklist must never take the dashboard down
        log.exception("reading the current policy for the checklist failed")
        return CheckItem(title, UNKNOWN, _("The policy's state cannot be read yet."))
    if policy is None:
        return CheckItem(title, TODO, _("No privacy policy is published yet."))
    # The policy the shop ships with is version 1 with no publisher: nobody reviewed it yet.
    if policy.version == 1 and policy.created_by is None:
        return CheckItem(title, TODO, _("The shop still shows the policy it came with. Review it."))
    return CheckItem(title, OK, _("A reviewed privacy policy is published."))


def _privacy_notice() -> CheckItem:
    """What the privacy page must name and only the owner knows: who is responsible (required
    in production, see ``jomso.config.check_settings``), the host and the mail provider."""
    config = current_app.config
    title = _("Who handles customers' data")
    missing = []
    if not str(config.get("SHOP_ADDRESS") or "").strip():
        missing.append("JOMSO_SHOP_ADDRESS")
    if str(config.get("SHOP_EMAIL") or "").strip().lower() in ("", PLACEHOLDER_EMAIL):
        missing.append("JOMSO_SHOP_EMAIL")
    if not str(config.get("HOSTING_PROVIDER") or "").strip():
        missing.append("JOMSO_HOSTING_PROVIDER")
    if config.get("MAIL_SERVER") and not str(config.get("MAIL_PROVIDER") or "").strip():
        missing.append("JOMSO_MAIL_PROVIDER")
    if missing:
        return CheckItem(
            title,
            TODO,
            _(
                "The privacy page must say who is responsible for customers' data and who "
                "else handles it. Set %(settings)s (and, for a host or mail provider that "
                "takes data outside the EEA, JOMSO_HOSTING_TRANSFER or "
                "JOMSO_MAIL_PROVIDER_TRANSFER).",
                settings=", ".join(missing),
            ),
        )
    return CheckItem(
        title, OK, _("The privacy page names the shop, its address, its host and mail provider.")
    )


def _shipping() -> CheckItem:
    """Somewhere to deliver to, and not the one rate for every country a new shop starts with
    (migration 0014's zone "Everywhere")."""
    from jomso.shipping.rates import setup_state, zones_without_methods

    title = _("Shipping")
    zones, methods, only_default = setup_state()
    if not methods:
        return CheckItem(
            title, TODO, _("No delivery method is offered: nobody can check out. Add one.")
        )
    empty = zones_without_methods()
    if empty:
        return CheckItem(
            title,
            TODO,
            ngettext(
                "The zone %(names)s offers no delivery method: customers there cannot check "
                "out. Add a method or delete the zone.",
                "The zones %(names)s offer no delivery method: customers there cannot check "
                "out. Add a method or delete the zones.",
                len(empty),
                names=", ".join(f"“{name}”" for name in empty),
            ),
        )
    if only_default:
        return CheckItem(
            title,
            TODO,
            _(
                "One rate goes to every country in the world. Set the zones you deliver to "
                "and their rates."
            ),
        )
    return CheckItem(
        title,
        OK,
        ngettext(
            "%(num)d delivery method is offered.", "%(num)d delivery methods are offered.", methods
        )
        + " "
        + ngettext("%(num)d zone.", "%(num)d zones.", zones),
    )


def _seller() -> CheckItem:
    """What invoices print as the seller (``jomso.invoices``): the legal name and postal
    address are needed; a missing tax id is said, not required (not every seller has one)."""
    from jomso.invoices.seller import get_seller_details, missing_parts

    title = _("Shop address and seller details")
    details = get_seller_details()
    missing = missing_parts(details)
    if missing:
        return CheckItem(
            title,
            TODO,
            _(
                "Invoices need the shop's legal name and postal address. Enter them on the "
                "seller details page, with your tax id if you have one."
            ),
        )
    if not details.tax_id:
        return CheckItem(
            title,
            OK,
            _(
                "Invoices show %(name)s and its address. No tax id is saved: add your VAT "
                "number if the shop has one.",
                name=details.legal_name,
            ),
        )
    return CheckItem(
        title,
        OK,
        _(
            "Invoices show %(name)s, its address and the tax id %(number)s.",
            name=details.legal_name,
            number=details.tax_id,
        ),
    )


def _taxes() -> CheckItem:
    """Whether the shop charges tax where it sells: at least one rate, and one for the shop's
    own country (or a region of it)."""
    from jomso.taxes.services import setup_state

    title = _("Taxes")
    rates, home_rates, included = setup_state()
    style = _("Prices include tax.") if included else _("Tax is added to prices at checkout.")
    if not rates:
        return CheckItem(
            title,
            TODO,
            _(
                "No tax rate is set: no order charges tax. Set your rates, and whether your "
                "prices include tax, under Taxes."
            ),
        )
    if not home_rates:
        return CheckItem(
            title,
            TODO,
            _("No tax rate is set for your own country (%(country)s).", country=shop_country())
            + " "
            + style,
        )
    return CheckItem(
        title,
        OK,
        ngettext("%(num)d tax rate is set.", "%(num)d tax rates are set.", rates) + " " + style,
    )
