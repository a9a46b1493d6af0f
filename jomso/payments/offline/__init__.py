"""An offline stand-in for Braintree's servers, plugged into the real SDK as its ``http_strategy``.

Without Braintree credentials the shop runs in demo payments mode: the adapter builds the same
``braintree.BraintreeGateway`` as with real credentials, but the SDK's transport is
:class:`OfflineGateway`. It reads the request XML the SDK sends and answers with the XML shapes,
statuses and error codes Braintree's sandbox uses, so the SDK parses its answers into real
``Transaction``, ``SuccessfulResult`` and ``ErrorResult`` objects, and every line of the adapter
runs as it would against Braintree.

The modules, one concern each:

* :mod:`.transport`: the ``http_strategy`` the SDK talks to, routing each request;
* :mod:`.endpoints`: what each API operation (sale, find, capture, void, settle, refund,
  search) does to the stored transactions;
* :mod:`.rules`: what each documented test nonce and test amount does;
* :mod:`.shapes`: Braintree's XML (responses, validation errors, request amounts);
* :mod:`.store`: the JSON file of transactions and idempotency keys, shared by processes.
"""

from jomso.payments.offline.shapes import to_xml
from jomso.payments.offline.store import STORE_NAME
from jomso.payments.offline.transport import OfflineGateway

__all__ = ["STORE_NAME", "OfflineGateway", "to_xml"]
