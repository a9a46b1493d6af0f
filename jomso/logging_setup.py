"""Logging that never writes personal or payment data.

The code logs ids and order numbers, never names, emails, addresses, card data or nonces. As a
second line of defence every record passes a filter that masks, in the message, the exception
text and the stack:

- email addresses and phone numbers (8 or more digits with the separators people type, 10 or
  more without, which covers card numbers), also when they are percent-encoded in a URL, once
  or several times (``alice%40example.com``, ``%2B1%20202...``, ``+`` for a space in a query
  string, ``%2540`` inside a ``next=`` link);
- the values of query and form parameters whose name says they are personal or secret
  (``email=``, ``billing-name=``, ``q=``, ``password=``, ``token=``...), at every level of
  encoding, because a name or an address has no shape a pattern could recognise;
- payment nonces, and the secret tokens in account and order links.

A URL that needed masking is written decoded, with the masked parts replaced and any space,
quote or control character escaped again, so a masked line still reads as one line.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import unquote, unquote_plus

from flask import Flask

# Also with percent-escapes inside (``alice%2Bshop@example.com``, as some servers log it).
_EMAIL = re.compile(r"(?:[\w.+-]|%[0-9A-Fa-f]{2})+@(?:[\w-]|%[0-9A-Fa-f]{2})+(\.[\w-]+)+")
# A phone number as people type it: an optional + or (, then at least 8 digits with up to two
# separators (space, dot, dash, slash, parentheses, or + for a space) between any two of them.
_NUMBER = re.compile(r"[+(]?\d(?:[ ./\-()+]{0,2}\d){7,}")
_IPV4 = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")


def _mask_number(match: re.Match) -> str:
    """Masks what looks like a phone or card number. A bare run of 8 or 9 digits (a byte count,
    a duration) and an IPv4 address are not phone numbers as anyone writes them: kept."""
    number = match.group(0)
    if (number.isdigit() and len(number) < 10) or _IPV4.fullmatch(number):
        return number
    return "<number>"


# Parameters whose value is personal or secret, whatever the page: matched on the last part
# of the name, so ``billing-name``, ``shipping-postal_code`` and ``current_password`` count.
_PERSONAL_KEYS = (
    "q|search|customer|email|phone|tel|name|line1|line2|address|city|region|postal_code|"
    "postcode|zip|username|message|tracking_number|password|token|nonce|device_data"
)
_KEY_VALUE = re.compile(r"(?<![\w.\[\]-])([\w.\[\]-]+)=([^?&\s\"'<>;#]*)")
_PERSONAL_KEY = re.compile(rf"(?:^|[-_.\[])(?:{_PERSONAL_KEYS})\]?$", re.I)

_PATTERNS = [
    (_EMAIL, "<email>"),
    (_NUMBER, _mask_number),
    (re.compile(r"\b(tokencc|fake)[\w-]*nonce[\w-]*\b", re.I), "<nonce>"),
    (
        re.compile(r"/(password-reset|confirm|unsubscribe|signed)/[\w.\-]+"),
        r"/\1/<token>",
    ),
]

# A run of text that may be a URL or part of one and holds an encoded character or a ``+``.
_ENCODED_TOKEN = re.compile(r"[^\s\"'<>]*(?:%[0-9A-Fa-f]{2}|\+)[^\s\"'<>]*")
_UNSAFE_IN_LINE = re.compile(r"[\x00-\x20\"\x7f]")
_MAX_DECODINGS = 4


def _mask_value(match: re.Match) -> str:
    key, value = match.group(1), match.group(2)
    if value and _PERSONAL_KEY.search(key):
        return f"{key}=<redacted>"
    return match.group(0)


def _redact_plain(text: str) -> str:
    text = _KEY_VALUE.sub(_mask_value, text)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def _redact_level(text: str) -> str:
    """What can be masked before the next decoding: parameter values (whole only at their own
    level) and emails (whose + would become a space). Phone numbers wait for the last level,
    where no ``%20`` can lend them digits."""
    return _EMAIL.sub("<email>", _KEY_VALUE.sub(_mask_value, text))


def _decode(text: str, outermost: bool) -> str:
    """One level of percent-decoding. + is a space only in the query string of the URL as
    sent; once decoded, a + is itself (a phone number's, an email's)."""
    if not outermost:
        return unquote(text)
    path, mark, query = text.partition("?")
    return unquote(path) + mark + unquote_plus(query)


def _redact_encoded(match: re.Match) -> str:
    """One encoded run: parameter values and emails masked at each level of encoding, then
    every pattern on the fully decoded text. Unchanged when nothing in it needed masking."""
    token = current = match.group(0)
    masked = False
    for level in range(_MAX_DECODINGS):
        cleaned = _redact_level(current)
        masked = masked or cleaned != current
        decoded = _decode(cleaned, outermost=level == 0)
        if decoded == cleaned:
            break
        current = decoded
    else:
        cleaned = current
    final = _redact_plain(cleaned)
    if not masked and final == cleaned:
        return token
    return _UNSAFE_IN_LINE.sub(lambda m: f"%{ord(m.group(0)):02X}", final)


def redact(text: str) -> str:
    """``text`` with personal and secret values masked (see the module docstring)."""
    if "%" in text or "+" in text:
        text = _ENCODED_TOKEN.sub(_redact_encoded, text)
    return _redact_plain(text)


_base_factory = logging.getLogRecordFactory()
_exception_formatter = logging.Formatter()


def _redacting_record_factory(*args, **kwargs) -> logging.LogRecord:
    record = _base_factory(*args, **kwargs)
    message = record.getMessage()
    cleaned = redact(message)
    if cleaned != message:
        record.msg, record.args = cleaned, None
    # Formatters print ``exc_text`` when it is set instead of formatting the exception again,
    # so the traceback (whose last line is the exception's message) is masked once, here.
    if record.exc_info and record.exc_info[0] is not None and not record.exc_text:
        record.exc_text = redact(_exception_formatter.formatException(record.exc_info))
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    return record


def init_logging(app: Flask) -> None:
    """Install the redaction for every logger in the process, the server's included. Under
    gunicorn the shop's own records go to gunicorn's error log (its file, its format, rotated
    with it); elsewhere (commands, tests) they go where they went before: warnings and errors to
    standard error."""
    if logging.getLogRecordFactory() is not _redacting_record_factory:
        logging.setLogRecordFactory(_redacting_record_factory)
    shop_log = logging.getLogger("jomso")  # also Flask's app.logger: the app is named "jomso"
    shop_log.setLevel(logging.INFO)
    for handler in logging.getLogger("gunicorn.error").handlers:
        if handler not in shop_log.handlers:
            shop_log.addHandler(handler)
