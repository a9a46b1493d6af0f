"""How much a request may send: small bodies with few fields on every page, more only on the
views that declare it.

* **Every body** is capped at ``MAX_CONTENT_LENGTH`` bytes (64 KiB) and ``MAX_FORM_PARTS``
  fields (200). Werkzeug refuses a ``Content-Length`` over the cap before reading a byte of
  the body, and stops reading a body sent without one (chunked) as soon as it passes the cap;
  either way the answer is the "Too large" page (413). A body refused for its length is then
  read to its end unparsed and dropped, up to 8 MiB (``drain_refused_body``), so that the
  proxy sending it gets that page. Werkzeug counts the parts of a
  ``multipart/form-data`` body but not the fields of a URL-encoded one: :class:`ShopRequest`
  counts those too, on the capped body, before anything parses it. The limits apply to
  whatever reads the form first (the CSRF check does, before the view runs).
* **A view that needs more** says so with :func:`body_limit`: room for the longest text its
  form accepts (``text_characters``, counted at 9 bytes each: any character percent-encoded),
  for a file (``file_setting``, the setting that caps the file: the picture upload), or a
  fixed cap of its own (``max_bytes``: Braintree's webhook). On a staff view (one that
  declares its permission) the declaration counts only for a signed-in account holding that
  permission: anyone else meets the shop-wide caps there too, so nobody without a staff
  sign-in can make the shop read more than 64 KiB.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Flask, Request, current_app, request
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import FormDataParser
from werkzeug.wsgi import LimitedStream

# The most bytes one character of a form field can take in a URL-encoded body: three UTF-8
# bytes (any character of the Basic Multilingual Plane), each written as %XX.
BYTES_PER_CHARACTER = 9
VIEW_ATTRIBUTE = "body_limit"
_NO_PERMISSION = object()  # a view that declares no permission (not a staff view)

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class BodyLimit:
    """What one view accepts beyond the shop-wide caps."""

    fixed_bytes: int | None = None
    text_characters: int = 0
    file_setting: str | None = None
    max_fields: int | None = None

    def max_bytes(self, config: Mapping[str, Any]) -> int:
        if self.fixed_bytes is not None:
            return self.fixed_bytes
        room = int(config["MAX_CONTENT_LENGTH"]) + BYTES_PER_CHARACTER * self.text_characters
        if self.file_setting:
            room += int(config[self.file_setting])
        return room


def body_limit(
    *,
    max_bytes: int | None = None,
    text_characters: int = 0,
    file_setting: str | None = None,
    max_fields: int | None = None,
) -> Callable[[F], F]:
    """Declare what a view's requests may send (put it below the route decorator):
    ``MAX_CONTENT_LENGTH`` plus room for ``text_characters`` and for a file capped by the
    setting ``file_setting``; or exactly ``max_bytes``. ``max_fields`` replaces
    ``MAX_FORM_PARTS``."""
    limit = BodyLimit(max_bytes, text_characters, file_setting, max_fields)

    def decorate(view: F) -> F:
        setattr(view, VIEW_ATTRIBUTE, limit)
        return view

    return decorate


class FieldCountingParser(FormDataParser):
    """Werkzeug's form parser, which also refuses a URL-encoded body with more fields than
    ``max_form_parts`` (it counts only multipart parts)."""

    def parse(self, stream, mimetype, content_length, options=None):
        if mimetype == "application/x-www-form-urlencoded" and self.max_form_parts is not None:
            body = stream.read()  # the stream is capped at max_content_length
            if body.count(b"&") >= self.max_form_parts:
                raise RequestEntityTooLarge()
            stream = io.BytesIO(body)
        return super().parse(stream, mimetype, content_length, options)


class ShopRequest(Request):
    """The shop's request: its body limits are those of the view it is routed to."""

    form_data_parser_class = FieldCountingParser
    _set_max_bytes: int | None = None
    _set_max_fields: int | None = None

    @property
    def declared_body_limit(self) -> BodyLimit | None:
        """The :func:`body_limit` of the view this request goes to, if it declares one and,
        on a staff view, the signed-in account holds the view's permission."""
        if self.url_rule is None or not current_app:
            return None
        view = current_app.view_functions.get(self.url_rule.endpoint)
        limit = getattr(view, VIEW_ATTRIBUTE, None)
        permission = getattr(view, "required_permission", _NO_PERMISSION)
        if limit is None or permission is _NO_PERMISSION:
            return limit
        if not current_user.is_authenticated:
            return None
        allowed = current_user.is_staff if permission is None else current_user.can(permission)
        return limit if allowed else None

    @property
    def max_content_length(self) -> int | None:
        if self._set_max_bytes is not None:
            return self._set_max_bytes
        limit = self.declared_body_limit
        if limit is not None:
            return limit.max_bytes(current_app.config)
        return super().max_content_length

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._set_max_bytes = value

    @property  # type: ignore[override]
    def max_form_parts(self) -> int | None:
        if self._set_max_fields is not None:
            return self._set_max_fields
        limit = self.declared_body_limit
        if limit is not None and limit.max_fields is not None:
            return limit.max_fields
        return super().max_form_parts

    @max_form_parts.setter
    def max_form_parts(self, value: int | None) -> None:
        self._set_max_fields = value


# The most of a refused body read to the end (``drain_refused_body``): more than the nginx
# site in deploy/ lets through (5,184 KiB), so everything it passes on.
DRAIN_MAX_BYTES = 8 * 1024 * 1024


def drain_refused_body() -> None:
    """Read and drop the body of a request refused for its ``Content-Length`` (Werkzeug refuses
    before reading a byte). A sync gunicorn worker closes the connection after each answer,
    and closing with the body unread resets it: the proxy still sending the body would then
    answer 502, not the "Too large" page, when the reset comes before it read the answer.
    Bodies over ``DRAIN_MAX_BYTES``, or without a length, are left: nginx never sends those."""
    length, cap = request.content_length, request.max_content_length
    if length is None or cap is None or not cap < length <= DRAIN_MAX_BYTES:
        return
    stream = request.environ.get("wsgi.input")
    if stream is not None:
        LimitedStream(stream, length).exhaust()


def init_request_limits(app: Flask) -> None:
    app.request_class = ShopRequest
