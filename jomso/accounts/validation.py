"""What counts as a valid email, password and phone number for this shop (countries and
addresses: ``jomso.addresses``)."""

from __future__ import annotations

import re

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from zxcvbn import zxcvbn

# Countries belong to addresses (jomso.addresses); the account forms name them from here too.
from jomso.addresses import country_choices, country_name, shop_country
from jomso.mail import has_line_break

PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 256
_ZXCVBN_MAX = 72  # zxcvbn refuses longer input; a longer password is long enough anyway
_MIN_SCORE = 3  # zxcvbn's "safely unguessable" (about 10^8 guesses and up)


class Invalid(ValueError):
    """Input that cannot be used; ``str(error)`` is the message for the customer."""


def parse_email(raw: str) -> str:
    """The address as the shop stores it (syntax checked, lower-cased); raises ``Invalid``.

    Deliverability is not checked: that would need DNS, and the confirmation link proves it.
    An address becomes a mail header: a line break in it is refused with its own message.
    """
    if has_line_break(raw):
        raise Invalid(_("Line breaks are not allowed here."))
    try:
        result = validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        raise Invalid(_("Enter a valid email address, like name@example.com.")) from error
    return result.normalized.lower()


def check_password(password: str, email: str = "", name: str = "") -> None:
    """Raise ``Invalid`` with advice when the password is too short or too easy to guess."""
    if len(password) < PASSWORD_MIN_LENGTH:
        raise Invalid(_("Use at least %(num)d characters.", num=PASSWORD_MIN_LENGTH))
    if len(password) > PASSWORD_MAX_LENGTH:
        raise Invalid(_("Use at most %(num)d characters.", num=PASSWORD_MAX_LENGTH))
    personal = _personal_words(email, name)
    lowered = password.lower()
    if any(word in lowered for word in personal):
        raise Invalid(_("Do not use your name or email address in your password."))
    result = zxcvbn(password[:_ZXCVBN_MAX], user_inputs=sorted(personal))
    if result["score"] < _MIN_SCORE:
        feedback = result["feedback"]
        advice = [feedback.get("warning") or "", *(feedback.get("suggestions") or [])]
        advice_text = " ".join(_(a) for a in advice if a)
        message = _("This password is too easy to guess.")
        raise Invalid(f"{message} {advice_text}".strip())


def _personal_words(email: str, name: str) -> set[str]:
    """Words from the email's local part and the name that must not appear in a password."""
    local = email.partition("@")[0].lower()
    words = {local} | set(re.split(r"[\W_]+", local)) | set(re.split(r"\W+", name.lower()))
    return {w for w in words if len(w) >= 3}


def normalize_phone(raw: str, region: str | None = None) -> str:
    """The number in E.164 (``+12025550143``); raises ``Invalid``. ``region`` is the country
    a number without ``+`` is read in (default: the shop's)."""
    region = region or shop_country()
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as error:
        raise Invalid(
            _("Enter a phone number with its area code, like +1 202 555 0143.")
        ) from error
    if not phonenumbers.is_valid_number(number):
        raise Invalid(
            _(
                "This does not look like a valid phone number. "
                "Check the digits and the country code."
            )
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(e164: str) -> str:
    """A stored number for people to read: national format at home, international abroad."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    if phonenumbers.region_code_for_number(number) == shop_country():
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


__all__ = [
    "Invalid",
    "check_password",
    "country_choices",
    "country_name",
    "format_phone",
    "normalize_phone",
    "parse_email",
    "shop_country",
]
