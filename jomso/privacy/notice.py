"""The parts of the privacy page that the shop writes itself, from its settings and registries,
beside the owner's editable policy text: what GDPR articles 13 and 14 require a shop to say.

- who is responsible (the controller, from SHOP_NAME, SHOP_ADDRESS, SHOP_EMAIL, and the data
  protection officer and EU representative when there are ones);
- each purpose with its legal basis (``PURPOSES``, here);
- who else receives data (``jomso.privacy.processors``), the transfers outside the European
  Economic Area and their safeguards, and the decisions made by automated means;
- how long each kind of data is kept (``jomso.privacy.retention``);
- what the logs record (``jomso.privacy.logs``);
- every right, and how to use it here (the template, ``templates/privacy/_notice.html``).

The cookie table comes from ``jomso.consent.cookies`` through the view. Privacy itself
registers the recipients no domain owns (the host and the mail provider, from the settings)
and the application log.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l

from jomso.privacy.logs import Log, LoggedField, logs, register_log
from jomso.privacy.processors import PROCESSOR, Recipient, recipients, register_recipient
from jomso.privacy.retention import RetentionRule, retention_rules

# The legal bases of GDPR article 6(1) a shop uses.
CONSENT = _l("your consent (GDPR article 6(1)(a)); you can withdraw it at any time")
CONTRACT = _l("our contract with you, or the steps you asked for before one (article 6(1)(b))")
LEGAL_OBLIGATION = _l("a legal obligation we have (article 6(1)(c))")


def legitimate_interest(interest: Any) -> Any:
    return _l("our legitimate interest (article 6(1)(f)): %(interest)s", interest=interest)


@dataclass(frozen=True)
class Purpose:
    purpose: Any
    data: Any
    basis: Any


PURPOSES: tuple[Purpose, ...] = (
    Purpose(
        _l("Your account: signing in, your address book, your orders in one place"),
        _l("name, email address, phone numbers, addresses, password hash, signed-in devices"),
        CONTRACT,
    ),
    Purpose(
        _l("Taking, delivering and answering for your order, and emailing you about it"),
        _l("name, email address, phone number, billing and shipping addresses, what you bought"),
        CONTRACT,
    ),
    Purpose(
        _l("Taking your card payment (through Braintree)"),
        _l(
            "card details (to Braintree only); the transaction number, card brand and last four "
            "digits"
        ),
        CONTRACT,
    ),
    Purpose(
        _l("Screening card payments for fraud (by Braintree)"),
        _l("the payment and the device data Braintree's script collects at checkout"),
        legitimate_interest(_l("keeping you and us safe from card fraud")),
    ),
    Purpose(
        _l("Keeping our books and tax records"),
        _l("orders, their amounts and payments, with the buyer's name and address"),
        LEGAL_OBLIGATION,
    ),
    Purpose(
        _l("Answering your messages and questions about products"),
        _l("name, email address, your message; the phone and order number if you give them"),
        legitimate_interest(
            _l("answering what you ask us (for a question about your order: our contract)")
        ),
    ),
    Purpose(
        _l("Seeing which products people ask about"),
        _l("counts per product only, never who asked"),
        legitimate_interest(_l("offering products people want")),
    ),
    Purpose(
        _l("Emails about new products"),
        _l("email address, when and where you asked and confirmed"),
        CONSENT,
    ),
    Purpose(
        _l("Counting page views, without anything that recognises you"),
        _l("the page, the time, your browser's and system's names and major versions"),
        legitimate_interest(_l("learning which pages are useful")),
    ),
    Purpose(
        _l("Counting returning visitors (analytics)"),
        _l("a random visitor number in a cookie, your IP address, your account if signed in"),
        CONSENT,
    ),
    Purpose(
        _l("Keeping the shop and your data safe"),
        _l("sign-in sessions, counts of failed attempts, the staff access log, the logs"),
        legitimate_interest(_l("protecting your account and data, as article 32 also requires")),
    ),
    Purpose(
        _l("Showing what you chose and which policy you accepted"),
        _l("the consent ledger and your policy acceptances"),
        LEGAL_OBLIGATION,
    ),
)


@dataclass(frozen=True)
class Controller:
    name: str
    address_lines: list[str]
    email: str
    data_protection_officer: str = ""
    representative: str = ""


@dataclass
class Notice:
    """Everything the generated part of the privacy page shows."""

    controller: Controller
    purposes: tuple[Purpose, ...]
    recipients: list[Recipient]
    retention: list[RetentionRule]
    logs: list[Log]
    supervisory_authority: str = ""
    config: Mapping[str, Any] = field(default_factory=dict)

    @property
    def transfers(self) -> list[Recipient]:
        return [r for r in self.recipients if str(r.transfer).strip()]

    @property
    def automated_decisions(self) -> list[Recipient]:
        return [r for r in self.recipients if str(r.automated_decision).strip()]

    def period(self, rule: RetentionRule) -> str:
        return rule.describe_period(self.config)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in str(text or "").splitlines() if line.strip()]


def controller(config: Mapping[str, Any]) -> Controller:
    return Controller(
        name=config["SHOP_NAME"],
        address_lines=_lines(config.get("SHOP_ADDRESS", "")),
        email=config["SHOP_EMAIL"],
        data_protection_officer=str(config.get("DATA_PROTECTION_OFFICER") or "").strip(),
        representative=str(config.get("EU_REPRESENTATIVE") or "").strip(),
    )


def build_notice(config: Mapping[str, Any]) -> Notice:
    return Notice(
        controller=controller(config),
        purposes=PURPOSES,
        recipients=recipients(config),
        retention=retention_rules(),
        logs=logs(),
        supervisory_authority=str(config.get("SUPERVISORY_AUTHORITY") or "").strip(),
        config=config,
    )


# -- What no domain owns: the host, the mail provider, the application log --------------------


def _host(config: Mapping[str, Any]) -> Recipient:
    named = str(config.get("HOSTING_PROVIDER") or "").strip()
    return Recipient(
        name=named or _l("Our hosting provider"),
        kind=PROCESSOR,
        purpose=_l("runs the server the shop and its database are on"),
        data=_l("everything the shop keeps, stored on its server"),
        location=named or _l("where the shop's server is"),
        transfer=str(config.get("HOSTING_TRANSFER") or "").strip(),
    )


def _mail_provider(config: Mapping[str, Any]) -> Recipient | None:
    server = str(config.get("MAIL_SERVER") or "").strip()
    named = str(config.get("MAIL_PROVIDER") or "").strip()
    if not server:
        return None  # no mail leaves the shop
    return Recipient(
        name=named or server,
        kind=PROCESSOR,
        purpose=_l("delivers the emails we send you"),
        data=_l("your email address and the emails we send you"),
        location=named or server,
        transfer=str(config.get("MAIL_PROVIDER_TRANSFER") or "").strip(),
    )


register_recipient("host", _host)
register_recipient("mail_provider", _mail_provider)

register_log(
    Log(
        key="application_log",
        title=_l("The shop's technical log"),
        purpose=_l("to find and fix faults"),
        fields=(
            LoggedField(_l("the time and how serious the event was")),
            LoggedField(_l("which part of the shop wrote it")),
            LoggedField(
                _l(
                    "what happened, with account numbers and order numbers, never names, "
                    "addresses or card details; email addresses, phone numbers and secret "
                    "links are masked should one slip in"
                )
            ),
        ),
    )
)

register_log(
    Log(
        key="web_server_log",
        title=_l("The web server's request log"),
        purpose=_l("to see that the shop answers, and how fast; kept two weeks"),
        fields=(
            LoggedField(_l("the time of each request")),
            LoggedField(_l("the page asked for, without anything after the question mark")),
            LoggedField(_l("the answer's status, size and how long it took")),
            LoggedField(
                _l(
                    "never your IP address, the page you came from or your browser's name; "
                    "secret links in addresses are masked"
                )
            ),
        ),
    )
)
