"""The carrier in the privacy page's list of recipients (``jomso.privacy.processors``): who
delivers a parcel gets what it needs to deliver it."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from jomso.privacy.processors import RECIPIENT, Recipient, register_recipient

CARRIER = Recipient(
    name=_l("The carrier delivering your parcel (named in the email telling you it shipped)"),
    kind=RECIPIENT,
    purpose=_l("delivers your order"),
    data=_l("the shipping name, address and phone number of your order"),
    location=_l("the carrier's own country; for a parcel abroad, also the destination country"),
)

register_recipient("carrier", lambda _config: CARRIER)
