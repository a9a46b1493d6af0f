"""Logging that never writes personal or payment data.

The code logs ids and order numbers, never names, emails, addresses, card data or nonces. As a
second line of defence every record passes a filter that masks email addresses, long digit runs
(card numbers, phone numbers), payment nonces and secret tokens in URLs.
"""

from __future__ import annotations

import logging
import re

from flask import Flask

_PATTERNS = [
    (re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"), "<email>"),
    (re.compile(r"\+?\d[\d \-]{8,}\d"), "<number>"),
    (re.compile(r"\b(tokencc|fake)[\w-]*nonce[\w-]*\b", re.I), "<nonce>"),
    (re.compile(r"(payment_method_nonce|password|token)=[^&\s\"]+", re.I), r"\1=<redacted>"),
    (
        re.compile(r"/(password-reset|confirm|unsubscribe|signed)/[\w.\-]+"),
        r"/\1/<token>",
    ),
]


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


_base_factory = logging.getLogRecordFactory()


def _redacting_record_factory(*args, **kwargs) -> logging.LogRecord:
    record = _base_factory(*args, **kwargs)
    message = record.getMessage()
    cleaned = redact(message)
    if cleaned != message:
        record.msg, record.args = cleaned, None
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
