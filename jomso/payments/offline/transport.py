"""The offline gateway's HTTP plumbing: the SDK's ``http_strategy``, routing each API request.

The braintree SDK hands every request (verb, path, headers, XML body) to its ``http_strategy``
and expects ``(HTTP status, XML body)`` back. :class:`OfflineGateway` is that strategy in demo
payments mode: it reads the request body, routes the merchant's API path to the operation in
:mod:`~jomso.payments.offline.endpoints`, and lets the SDK wrap simulated network faults as it
wraps real ones.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import ClassVar
from urllib.parse import urlsplit

import requests
from braintree.util.http import Http
from braintree.util.xml_util import XmlUtil

from jomso.payments.offline.endpoints import (
    client_token,
    find,
    refund,
    sale,
    search,
    search_ids,
    settle,
    submit_for_partial_settlement,
    submit_for_settlement,
    void,
)
from jomso.payments.offline.store import Store


class OfflineGateway:
    """The SDK's ``http_strategy`` in demo mode: answers Braintree's API from a local file.

    Use :meth:`for_store` to get a subclass bound to one store file; the SDK instantiates it
    with ``(config, environment)``.
    """

    store_path: ClassVar[Path | None] = None
    currency: ClassVar[str] = "USD"

    def __init__(self, config, environment=None):
        self.config = config
        self.environment = environment

    @classmethod
    def for_store(cls, path: Path | str, currency: str = "USD") -> type[OfflineGateway]:
        """A subclass whose transactions live in ``path`` (created on first write)."""
        return type(cls.__name__, (cls,), {"store_path": Path(path), "currency": currency})

    # -- the http_strategy interface -------------------------------------------------------

    def http_do(self, verb: str, full_path: str, headers: dict, body) -> tuple[int, str]:
        """Answer one API request as Braintree would: ``(HTTP status, XML body)``."""
        path = urlsplit(full_path).path
        prefix = f"/merchants/{self.config.merchant_id}"
        if not path.startswith(prefix + "/"):
            return 404, ""
        route = path[len(prefix) :]
        params = XmlUtil.dict_from_xml(body) if body and body.strip() else {}
        store = Store(self.store_path, currency=self.currency, merchant_id=self.config.merchant_id)
        if verb == "POST" and route == "/client_token":
            return client_token(self.config.merchant_id)
        if verb == "POST" and route == "/transactions":
            return sale(store, params.get("transaction") or {}, float(self.config.timeout))
        if verb == "POST" and route == "/transactions/advanced_search_ids":
            return search_ids(store, params.get("search") or {})
        if verb == "POST" and route == "/transactions/advanced_search":
            return search(store, params.get("search") or {})
        match = re.fullmatch(r"/transactions/([A-Za-z0-9_-]+)(?:/(\w+))?", route)
        if match:
            txn_id, action = match.groups()
            handler = {
                ("GET", None): find,
                ("PUT", "submit_for_settlement"): submit_for_settlement,
                ("POST", "submit_for_partial_settlement"): submit_for_partial_settlement,
                ("PUT", "void"): void,
                ("PUT", "settle"): settle,
                ("POST", "refund"): refund,
            }.get((verb, action))
            if handler:
                return handler(store, txn_id, params.get("transaction") or {})
        raise NotImplementedError(f"the offline gateway does not answer {verb} {route}")

    def handle_exception(self, exception: Exception) -> None:
        """With ``wrap_http_exceptions`` the SDK turns transport errors into its own; anything
        else raised here is a bug in this class and must surface as itself."""
        if isinstance(exception, requests.exceptions.RequestException):
            Http.handle_exception(self, exception)
        raise exception

    def close(self) -> None:
        """Nothing to close: no connection, no open file between calls."""
