"""Card brands as customers and staff read them.

Braintree names a card's type by its own constants (``braintree.CreditCard.CardType``:
"MasterCard", "China UnionPay", "UK Maestro"...); the shop stores that name as it came
(``Payment.card_brand``) and shows it through ``card_brand_name`` (the ``card_brand`` template
filter), spelled the way each brand spells itself. This is the one place that says so.
"""

from __future__ import annotations

from flask_babel import gettext as _

# Braintree's card type -> the brand's own spelling.
CARD_BRANDS = {
    "American Express": "American Express",
    "Carte Blanche": "Carte Blanche",
    "China UnionPay": "UnionPay",
    "Diners Club": "Diners Club",
    "Discover": "Discover",
    "Electron": "Visa Electron",
    "Elo": "Elo",
    "Hiper": "Hiper",
    "Hipercard": "Hipercard",
    "JCB": "JCB",
    "Laser": "Laser",
    "UK Maestro": "Maestro",
    "Maestro": "Maestro",
    "MasterCard": "Mastercard",
    "Solo": "Solo",
    "Switch": "Switch",
    "Visa": "Visa",
}


def card_brand_name(card_type: str | None) -> str:
    """The brand to show for Braintree's ``card_type`` ("MasterCard" -> "Mastercard"); a type
    Braintree does not know ("Unknown", empty) reads as a plain card."""
    if not card_type or card_type == "Unknown":
        return _("Card")
    return CARD_BRANDS.get(card_type, card_type)
