"""Braintree in the privacy page's list of recipients (``jomso.privacy.processors``): what it
receives (the card details straight from the browser, the amount and order number, the device
data its script collects on the checkout page), where, and its automated fraud screening, the
one decision about a person the shop leaves to a machine."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from jomso.privacy.processors import PROCESSOR, Recipient, register_recipient

BRAINTREE = Recipient(
    name=_l("Braintree, a service of PayPal (PayPal (Europe) S.à r.l. et Cie, S.C.A.)"),
    kind=PROCESSOR,
    purpose=_l("takes card payments for us, and screens them for fraud"),
    data=_l(
        "your card details, which you type into Braintree's own fields and which never reach "
        "us; the amount and the order number; and device data that Braintree's script collects "
        "on the checkout page (your browser's and device's characteristics and your IP address)"
    ),
    location=_l("Luxembourg, within the PayPal group"),
    transfer=_l(
        "PayPal may handle payment data in the United States and other countries outside the "
        "EEA. As its privacy statement describes, it relies on its Binding Corporate Rules, "
        "approved by EU data protection authorities, and on the European Commission's standard "
        "contractual clauses."
    ),
    automated_decision=_l(
        "Braintree checks every card payment against patterns of fraud, using the payment and "
        "device data, and may decline it on that basis without a person looking at it. A "
        "declined payment is not charged: you can try another card, or write to us and a "
        "person will look at your order and tell you why it failed, as far as we can see."
    ),
)

register_recipient("braintree", lambda _config: BRAINTREE)
