"""The delivery step of the checkout: the methods offered for the address typed, the one
chosen, and what to tell the customer when nothing can be delivered there.

The page carries a digest of the methods it offered and of the tax it showed
(``delivery_hash``). When the address changed after the page was shown (another country or
state typed, without pressing "Update"), the methods offered or the tax may differ: the order
is not placed, and the page comes back with the methods and the tax for the new address.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from flask_babel import gettext as _

from jomso.addresses import country_name
from jomso.checkout.forms import CheckoutForm
from jomso.i18n import format_money
from jomso.shipping import rates
from jomso.shipping.rates import Quote


@dataclass
class Delivery:
    quotes: list[Quote]
    chosen: Quote | None
    # Why nothing (or only a pickup) is offered for this address, for the page.
    problem: str | None = None
    # The tax rates at the place the tax follows (set by the view, "standard:7250"): other
    # rates, another tax, so the page is shown again before placing the order. (Not the tax
    # itself: it changes with the method chosen when shipping is taxed.)
    tax_rates: str = ""

    @property
    def digest(self) -> str:
        parts = [f"{q.method_id}:{q.cents}" for q in self.quotes]
        parts.append(f"tax:{self.tax_rates}")
        return hashlib.sha256(";".join(parts).encode()).hexdigest()[:32]


def quote_label(quote: Quote) -> str:
    price = format_money(quote.cents) if quote.cents else _("Free")
    return f"{quote.name} · {price}"


def delivery_for(form: CheckoutForm, subtotal_cents: int, weight_grams: int) -> Delivery:
    """The methods for the address in ``form``, set as the choices of its radio buttons. The
    chosen one is the customer's when it is offered, else the cheapest delivery (or the
    first pickup), and the radio button is set to it."""
    country, region = form.destination()
    quotes = rates.quotes(country, region, subtotal_cents, weight_grams)
    form.limit_shipping_countries(rates.shipping_countries())
    form.shipping_method.choices = [(q.method_id, quote_label(q)) for q in quotes]
    chosen = next((q for q in quotes if q.method_id == form.shipping_method.data), None)
    if chosen is None and quotes:
        chosen = quotes[0]
    form.shipping_method.data = chosen.method_id if chosen else None
    form.collected = chosen is not None and not chosen.needs_address
    problem = None
    if not any(q.needs_address for q in quotes) and country:
        name = country_name(country)
        problem = (
            _("We do not deliver to %(country)s. You can collect your order instead.", country=name)
            if quotes
            else _(
                "We do not deliver to %(country)s. Please choose another delivery address.",
                country=name,
            )
        )
    return Delivery(quotes, chosen, problem)


def check_choice(form: CheckoutForm, delivery: Delivery) -> str | None:
    """Before payment: the message when the order cannot be delivered as chosen (nothing
    offered, or a method the page did not offer for this address), else None."""
    sent = form.shipping_method.raw_data[0] if form.shipping_method.raw_data else None
    if not delivery.quotes:
        return delivery.problem or _("Please enter the delivery address.")
    if sent is None:
        return _("Choose how your order is delivered.")
    if delivery.chosen is None or str(delivery.chosen.method_id) != sent:
        return _("That delivery method is not offered for this address: please choose one below.")
    return None
