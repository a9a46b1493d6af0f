"""What Braintree's sandbox does with each documented test nonce and test amount.

* Nonces (``braintree.test.nonces.Nonces``): ``fake-valid-nonce`` and ``fake-valid-<brand>-nonce``
  (visa, mastercard, amex, discover, jcb, maestro, dinersclub) pay with the matching test card;
  ``fake-processor-declined-<brand>-nonce`` is declined (2000 Do Not Honor);
  ``fake-gateway-rejected-fraud-nonce`` and ``fake-gateway-rejected-risk-thresholds-nonce`` are
  gateway rejected; ``fake-processor-failure-jcb-nonce`` fails (3000);
  ``fake-luhn-invalid-nonce`` is a validation error on the card number (81715);
  ``fake-consumed-nonce`` is a nonce used before (91564); any other nonce is unknown (91565), and
  a missing one cannot determine the payment method (91508). The fake nonces are reusable, as in
  the sandbox.
* Amounts: 0.01 to 1999.99 authorize; 2000.00 to 2999.99 are ``processor_declined`` with that
  number as the response code; 3000.00 to 3000.99 ``failed`` (Processor Network Unavailable);
  5001.00 is ``gateway_rejected`` (application_incomplete); a missing, malformed or non-positive
  amount is a validation error (81502, 81503, 81531).
* Faults, for tests and demonstrations (not Braintree's, documented in docs/owners.md):
  4001.00 to 4001.99 authorize and record the sale, then the connection times out (the SDK
  raises ``ReadTimeoutError``), so the sale can be found by order id afterwards;
  4002.00 to 4002.99 time out before reaching the gateway (``ConnectTimeoutError``, nothing
  recorded); 4003.00 to 4003.99 answer 503 (``ServiceUnavailableError``, nothing recorded);
  4004.00 to 4004.99 authorize and record the sale, then hang: no answer comes for the SDK's
  whole timeout (``BRAINTREE_TIMEOUT``), after which the connection times out as for 4001.
  That is a gateway that authorized but whose answer was lost, slowly: the request (and the
  worker serving it) waits all that time, long enough to be killed in the middle.
"""

from __future__ import annotations

import secrets
import string
import time
from decimal import Decimal

import requests

from jomso.payments.offline.store import SandboxCard, set_status

VISA = SandboxCard("Visa", "411111", "1111")
# Nonce -> the test card Braintree's sandbox charges for it.
VALID_NONCES: dict[str, SandboxCard] = {
    "fake-valid-nonce": SandboxCard("Visa", "401288", "1881"),
    "fake-valid-visa-nonce": VISA,
    "fake-valid-mastercard-nonce": SandboxCard("MasterCard", "555555", "4444"),
    "fake-valid-amex-nonce": SandboxCard("American Express", "378282", "0005"),
    "fake-valid-discover-nonce": SandboxCard("Discover", "601111", "1117"),
    "fake-valid-jcb-nonce": SandboxCard("JCB", "353011", "0000"),
    "fake-valid-maestro-nonce": SandboxCard("Maestro", "630400", "0000"),
    "fake-valid-dinersclub-nonce": SandboxCard("Diners Club", "362596", "0004"),
}
DECLINED_NONCES: dict[str, SandboxCard] = {
    "fake-processor-declined-visa-nonce": SandboxCard("Visa", "400011", "1115"),
    "fake-processor-declined-mastercard-nonce": SandboxCard("MasterCard", "510510", "5100"),
    "fake-processor-declined-amex-nonce": SandboxCard("American Express", "378734", "1000"),
    "fake-processor-declined-discover-nonce": SandboxCard("Discover", "601100", "9424"),
}
REJECTED_NONCES: dict[str, tuple[SandboxCard, str]] = {
    "fake-gateway-rejected-fraud-nonce": (SandboxCard("Visa", "400011", "1511"), "fraud"),
    "fake-gateway-rejected-risk-thresholds-nonce": (
        SandboxCard("Visa", "400011", "1511"),
        "risk_threshold",
    ),
}
FAILED_NONCES: dict[str, SandboxCard] = {
    "fake-processor-failure-jcb-nonce": SandboxCard("JCB", "356600", "0505"),
}
LUHN_INVALID_NONCE = "fake-luhn-invalid-nonce"
# Card brands whose processor does not settle an authorization in parts, so partial settlement
# answers 915102 (ProcessorDoesNotSupportPartialSettlement). Braintree offers partial settlement
# only to some merchants and payment methods; the offline gateway refuses it for Maestro (the
# ``fake-valid-maestro-nonce``), so that the shop's answer to the refusal can be tried.
PARTIAL_SETTLEMENT_UNSUPPORTED = frozenset({"Maestro"})
CONSUMED_NONCE = "fake-consumed-nonce"

# Braintree's processor response texts for the decline codes its sandbox answers with.
PROCESSOR_TEXTS: dict[int, str] = {
    2000: "Do Not Honor",
    2001: "Insufficient Funds",
    2002: "Limit Exceeded",
    2003: "Cardholder's Activity Limit Exceeded",
    2004: "Expired Card",
    2005: "Invalid Credit Card Number",
    2006: "Invalid Expiration Date",
    2007: "No Account",
    2008: "Card Account Length Error",
    2009: "No Such Issuer",
    2010: "Card Issuer Declined CVV",
    2011: "Voice Authorization Required",
    2012: "Processor Declined - Possible Lost Card",
    2013: "Processor Declined - Possible Stolen Card",
    2014: "Processor Declined - Fraud Suspected",
    2015: "Transaction Not Allowed",
    2016: "Duplicate Transaction",
    2017: "Cardholder Stopped Billing",
    2018: "Cardholder Stopped All Billing",
    2019: "Invalid Transaction",
    2020: "Violation",
    2021: "Security Violation",
    2022: "Declined - Updated Cardholder Available",
    2023: "Processor Does Not Support This Feature",
    2024: "Card Type Not Enabled",
    2038: "Processor Declined",
    2041: "Declined - Call For Approval",
    2044: "Declined - Call Issuer",
    2046: "Declined",
    2047: "Call Issuer. Pick Up Card",
    2053: "Card reported as lost or stolen",
    2057: "Issuer or Cardholder has put a restriction on the card",
    2059: "Address Verification Failed",
    2060: "Address Verification and Card Security Code Failed",
}
HARD_DECLINES = {2004, 2005, 2007, 2008, 2009, 2012, 2013, 2014, 2015, 2017, 2018, 2047, 2053}
FAILED_TEXT = "Processor Network Unavailable - Try Again"


def nonce_error(nonce: str) -> tuple[str, tuple[str, ...]] | None:
    """The validation error (code, where it is nested) a sale with ``nonce`` gets, if any.

    A nonce without an error here but no card either (see :func:`card_for`) is unknown."""
    if not nonce:
        return "91508", ("transaction",)
    if nonce == CONSUMED_NONCE:
        return "91564", ("transaction",)
    if nonce == LUHN_INVALID_NONCE:
        return "81715", ("transaction", "credit_card")
    return None


def card_for(nonce: str) -> SandboxCard | None:
    """The test card a nonce pays with; None for a nonce the sandbox does not know."""
    if nonce in VALID_NONCES:
        return VALID_NONCES[nonce]
    if nonce in DECLINED_NONCES:
        return DECLINED_NONCES[nonce]
    if nonce in REJECTED_NONCES:
        return REJECTED_NONCES[nonce][0]
    return FAILED_NONCES.get(nonce)


def fault_before_recording(amount: Decimal) -> tuple[int, str] | None:
    """Faults where the sale never reaches the gateway: raise a connect timeout, or answer 503."""
    whole = int(amount)
    if whole == 4002:
        raise requests.exceptions.ConnectTimeout("offline gateway: simulated connect timeout")
    if whole == 4003:
        return 503, ""
    return None


def fault_after_recording(amount: Decimal, timeout: float) -> None:
    """The faults where the sale is recorded but its answer is lost: a read timeout at once
    (4001), or after hanging for the client's whole ``timeout`` in seconds (4004)."""
    whole = int(amount)
    if whole == 4004:
        time.sleep(timeout)
    if whole in (4001, 4004):
        raise requests.exceptions.ReadTimeout("offline gateway: simulated read timeout")


def decide(txn: dict, nonce: str, amount: Decimal) -> None:
    """Settle a new sale's fate by nonce, then by amount, as the sandbox does."""
    whole = int(amount)
    if nonce in REJECTED_NONCES or amount == Decimal("5001.00"):
        reason = REJECTED_NONCES[nonce][1] if nonce in REJECTED_NONCES else None
        txn["gateway_rejection_reason"] = reason or "application_incomplete"
        txn["processor_response_code"] = None
        txn["processor_response_text"] = None
        txn["processor_response_type"] = None
        set_status(txn, "gateway_rejected")
    elif nonce in FAILED_NONCES or whole == 3000:
        txn["processor_response_code"] = "3000"
        txn["processor_response_text"] = FAILED_TEXT
        txn["processor_response_type"] = "soft_declined"
        set_status(txn, "failed")
    elif nonce in DECLINED_NONCES or 2000 <= whole <= 2999:
        code = whole if 2000 <= whole <= 2999 else 2000
        txn["processor_response_code"] = str(code)
        txn["processor_response_text"] = PROCESSOR_TEXTS.get(code, "Processor Declined")
        txn["processor_response_type"] = (
            "hard_declined" if code in HARD_DECLINES else "soft_declined"
        )
        set_status(txn, "processor_declined")
    else:
        txn["processor_authorization_code"] = "".join(
            secrets.choice(string.ascii_uppercase + string.digits) for _ in range(6)
        )
        set_status(txn, "authorized")
