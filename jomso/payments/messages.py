"""What a customer (or staff member) reads when a payment does not go through.

Braintree's processor codes and validation codes are precise but written for developers. These
tables turn them into a handful of sentences a customer can act on. They never blame the
customer for fraud and never reveal more than the bank said.
"""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

Message = str | LazyString

BANK_DECLINED = _l("Your bank declined the payment. Please use another card or contact your bank.")
INSUFFICIENT_FUNDS = _l(
    "The card has insufficient funds or has reached its limit. Please use another card."
)
EXPIRED_CARD = _l("The card has expired. Please use another card.")
CARD_DETAILS_WRONG = _l(
    "The card number or expiry looks wrong. Please check them and try again, or use another card."
)
CVV_WRONG = _l("The security code (CVV) does not match the card. Please check it and try again.")
ADDRESS_WRONG = _l(
    "The billing address does not match the one your bank has for this card. "
    "Please check it and try again."
)
CARD_NOT_ALLOWED = _l("This card cannot be used for this purchase. Please use another card.")
PROCESSOR_FAILED = _l(
    "The card network did not respond. You have not been charged. Please try again in a moment."
)
DECLINED = _l("The payment was declined. Please use another card or contact your bank.")

NOT_ACCEPTED = _l("We could not accept this payment. Please use another card.")
DUPLICATE = _l(
    "This looks like a repeat of a payment made a moment ago, so it was stopped. "
    "Please check your orders before trying again."
)
SHOP_CANNOT_TAKE_CARDS = _l(
    "The shop cannot take card payments at the moment. You have not been charged."
)
AUTHENTICATION_FAILED = _l(
    "Your bank could not confirm the payment. Please try again or use another card."
)

CARD_FORM_EXPIRED = _l(
    "Your card details have expired or were already used. Please enter them again."
)
CARD_MISSING = _l("Please enter your card details.")
PAYMENT_NOT_PROCESSED = _l(
    "The payment could not be processed. You have not been charged. "
    "Please check your details or use another card."
)

UNREACHABLE = _l(
    "We could not reach the payment service. You have not been charged. "
    "Please try again in a moment."
)
NO_ANSWER = _l(
    "The payment service did not answer in time, so we cannot confirm your payment yet. "
    "We will check it and never charge you twice: please do not pay again, your order page "
    "will show the result."
)

# Staff-facing: capture, void and refund refusals.
CAPTURE_TOO_LARGE = _l("The amount to capture is larger than what was authorized.")
CANNOT_CAPTURE = _l("Only an authorized payment can be captured.")
CANNOT_CAPTURE_PART = _l(
    "This payment cannot be captured in parts: only an authorization that is not closed can."
)
NO_PARTIAL_SETTLEMENT = _l(
    "Braintree does not capture this payment method in parts, so this authorization could not "
    "be captured for one parcel. Ship everything that is left in one parcel instead."
)
CANNOT_VOID = _l("This payment can no longer be voided: it has settled or is already closed.")
NOT_SETTLED = _l(
    "This payment cannot be refunded until it has settled. Void it instead, or try again later."
)
REFUND_TOO_LARGE = _l("The refund is larger than what is left to refund on this payment.")
ALREADY_REFUNDED = _l("This payment has already been fully refunded.")
CANNOT_REFUND_CREDIT = _l("A refund cannot be refunded.")
CANNOT_SETTLE = _l("Only a payment submitted for settlement can be settled.")
NOT_FOUND = _l("The payment service has no record of this payment.")

# Processor response codes (Braintree's 2000 class) -> message.
_PROCESSOR: dict[str, Message] = {
    "2000": BANK_DECLINED,
    "2001": INSUFFICIENT_FUNDS,
    "2002": INSUFFICIENT_FUNDS,
    "2003": INSUFFICIENT_FUNDS,
    "2004": EXPIRED_CARD,
    "2005": CARD_DETAILS_WRONG,
    "2006": CARD_DETAILS_WRONG,
    "2008": CARD_DETAILS_WRONG,
    "2051": CARD_DETAILS_WRONG,
    "2010": CVV_WRONG,
    "2012": BANK_DECLINED,
    "2013": BANK_DECLINED,
    "2014": BANK_DECLINED,
    "2038": BANK_DECLINED,
    "2041": BANK_DECLINED,
    "2044": BANK_DECLINED,
    "2046": BANK_DECLINED,
    "2047": BANK_DECLINED,
    "2053": BANK_DECLINED,
    "2015": CARD_NOT_ALLOWED,
    "2024": CARD_NOT_ALLOWED,
    "2057": CARD_NOT_ALLOWED,
    "2059": ADDRESS_WRONG,
    "2060": ADDRESS_WRONG,
    "3000": PROCESSOR_FAILED,
}

# Gateway rejection reasons -> message.
_REJECTION: dict[str, Message] = {
    "fraud": NOT_ACCEPTED,
    "risk_threshold": NOT_ACCEPTED,
    "excessive_retry": NOT_ACCEPTED,
    "token_issuance": NOT_ACCEPTED,
    "cvv": CVV_WRONG,
    "avs": ADDRESS_WRONG,
    "avs_and_cvv": ADDRESS_WRONG,
    "duplicate": DUPLICATE,
    "application_incomplete": SHOP_CANNOT_TAKE_CARDS,
    "three_d_secure": AUTHENTICATION_FAILED,
}

# Validation error codes -> message; the first code found in this table wins.
_VALIDATION: dict[str, Message] = {
    "91564": CARD_FORM_EXPIRED,  # nonce already used
    "91565": CARD_FORM_EXPIRED,  # nonce unknown or expired
    "91566": CARD_FORM_EXPIRED,  # nonce locked
    "93107": CARD_FORM_EXPIRED,
    "93108": CARD_FORM_EXPIRED,
    "81715": CARD_DETAILS_WRONG,  # card number invalid
    "81716": CARD_DETAILS_WRONG,  # card number length
    "81712": CARD_DETAILS_WRONG,  # expiration month invalid
    "81713": CARD_DETAILS_WRONG,  # expiration year invalid
    "81709": CARD_DETAILS_WRONG,  # expiration date required
    "81707": CVV_WRONG,  # CVV must be 3 or 4 digits
    "91508": CARD_MISSING,  # cannot determine payment method
    "91522": CAPTURE_TOO_LARGE,
    "91507": CANNOT_CAPTURE,
    "915103": CANNOT_CAPTURE_PART,
    "915102": NO_PARTIAL_SETTLEMENT,
    "91504": CANNOT_VOID,
    "91506": NOT_SETTLED,
    "91574": NOT_SETTLED,
    "91521": REFUND_TOO_LARGE,
    "91512": ALREADY_REFUNDED,
    "91505": CANNOT_REFUND_CREDIT,
    "91575": CANNOT_SETTLE,
    "not_found": NOT_FOUND,
}


def for_decline(processor_code: str | None) -> Message:
    return _PROCESSOR.get(processor_code or "", DECLINED)


def for_rejection(reason: str | None) -> Message:
    return _REJECTION.get(reason or "", NOT_ACCEPTED)


def for_validation(codes: list[str]) -> Message:
    for code in codes:
        if code in _VALIDATION:
            return _VALIDATION[code]
    return PAYMENT_NOT_PROCESSED


def for_unavailable(reached: bool) -> Message:
    """``reached``: the request may have been processed, so the outcome is unknown."""
    return NO_ANSWER if reached else UNREACHABLE
