"""The privacy page says what GDPR articles 13 and 14 ask, and what it can take from the code it
takes from the registries: the retention rules, the cookies, the recipients, the logs. A
registry entry missing from the page fails here; so does a column of a log table the page does
not describe."""

from __future__ import annotations

import re
from html import unescape

import pytest

from jomso.consent.cookies import CookieInfo, cookie_table
from jomso.extensions import db
from jomso.privacy import logs as logs_registry
from jomso.privacy import processors as processors_registry
from jomso.privacy import retention as retention_registry
from jomso.privacy.notice import PURPOSES
from tests.staff.helpers import staff_client


def _text(response) -> str:
    assert response.status_code == 200
    html = response.text
    main = html[html.index("<main") : html.index("</main>")]
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", main)))


def _page(client) -> str:
    return _text(client.get("/privacy"))


def _clean(value) -> str:
    return re.sub(r"\s+", " ", str(value)).strip()


def test_every_registry_entry_is_on_the_privacy_page(app, client):
    app.config.update(MAIL_SERVER="smtp.example.net")  # so that there is a mail provider
    page = _page(client)
    with app.test_request_context():
        rules = [
            (_clean(r.data), _clean(r.describe_period(app.config)), _clean(r.action_label))
            for r in retention_registry.retention_rules()
        ]
        cookies = [(c.name, _clean(c.purpose), _clean(c.lifetime)) for c in cookie_table()]
        recipients = processors_registry.recipients(app.config)
        recipient_texts = [
            _clean(value)
            for r in recipients
            for value in (r.name, r.purpose, r.data, r.location, r.transfer, r.automated_decision)
            if str(value)
        ]
        logged = [(_clean(log.title), [_clean(f.label) for f in log.fields]) for log in
                  logs_registry.logs()]  # fmt: skip
        purposes = [(_clean(p.purpose), _clean(p.data), _clean(p.basis)) for p in PURPOSES]
    assert len(rules) >= 15 and len(recipients) >= 4 and len(logged) >= 4
    for data, period, action in rules:
        assert f"{data} {period} {action}" in page, data
    for name, purpose, lifetime in cookies:
        assert f"{name} {purpose} {lifetime}" in page, name
    for text in recipient_texts:
        assert text in page, text
    for title, fields in logged:
        assert title in page
        for label in fields:
            assert label in page, label
    for purpose, data, basis in purposes:
        assert f"{purpose} {data} {basis}" in page, purpose


def test_a_new_entry_in_each_registry_appears_on_the_page(app, client, monkeypatch):
    monkeypatch.setattr(retention_registry, "_RULES", dict(retention_registry._RULES))
    monkeypatch.setattr(processors_registry, "_SOURCES", dict(processors_registry._SOURCES))
    monkeypatch.setattr(logs_registry, "_LOGS", dict(logs_registry._LOGS))
    from jomso.consent import cookies

    monkeypatch.setattr(cookies, "_EXTRA_COOKIES", list(cookies._EXTRA_COOKIES))
    retention_registry.declare_retention(
        "gift cards: kept",
        data="Gift card balances",
        tables=("gift_cards",),
        action=retention_registry.Action.ANONYMIZE,
        period=lambda config: "until the card is spent",
    )
    processors_registry.register_recipient(
        "printer",
        lambda config: processors_registry.Recipient(
            name="Print & Post Ltd",
            kind=processors_registry.PROCESSOR,
            purpose="prints gift cards",
            data="the recipient's name and address",
            location="Ireland",
            transfer="none; stated to test the transfers list",
        ),
    )
    logs_registry.register_log(
        logs_registry.Log("gift_log", "Gift card log", "to count gift cards",
                          (logs_registry.LoggedField("the card's serial number"),))
    )  # fmt: skip
    cookies.register_cookie(CookieInfo("jomso_gift", "remembers a gift message", "1 day", False))
    page = _page(client)
    assert "Gift card balances until the card is spent anonymised" in page
    assert "Print & Post Ltd" in page and "prints gift cards" in page
    assert "Print & Post Ltd: none; stated to test the transfers list" in page
    assert "Gift card log" in page and "the card's serial number" in page
    assert "jomso_gift remembers a gift message 1 day Only with your consent" in page


@pytest.mark.parametrize("key", ["page_views", "consent_records", "access_log"])
def test_the_page_describes_every_column_of_a_log_table(app, key):
    [log] = [log for log in logs_registry.logs() if log.key == key]
    columns = {c.name for c in db.metadata.tables[log.table].columns if not c.primary_key}
    described = {field.column for field in log.fields}
    assert columns == described, f"{log.table}: describe {sorted(columns - described)}"


def test_the_controller_and_the_contacts_come_from_the_settings(app, client):
    app.config.update(
        SHOP_NAME="Tea & Kettle Ltd",
        SHOP_EMAIL="privacy@teakettle.example",
        SHOP_ADDRESS="4 Harbour Row\nPortsmouth PO1 2AB\nUnited Kingdom",
        DATA_PROTECTION_OFFICER="Dana Officer, dpo@teakettle.example",
        EU_REPRESENTATIVE="Rep GmbH, Berlin",
        SUPERVISORY_AUTHORITY="the Information Commissioner's Office, ico.org.uk",
    )
    response = client.get("/privacy")
    page = _text(response)
    assert (
        "Who is responsible for your data Tea & Kettle Ltd 4 Harbour Row Portsmouth PO1 2AB "
        "United Kingdom privacy@teakettle.example"
    ) in page
    assert '<a href="mailto:privacy@teakettle.example">' in response.text
    assert "Our data protection officer: Dana Officer, dpo@teakettle.example" in page
    assert "Our representative in the European Union: Rep GmbH, Berlin" in page
    assert "Ours is: the Information Commissioner's Office, ico.org.uk." in page


def test_every_right_is_named_with_how_to_use_it_here(client):
    response = client.get("/privacy")
    page = _text(response)
    for right in (
        "Access",
        "Correction",
        "Erasure",
        "Restriction",
        "Objection",
        "Portability",
        "Withdrawing consent",
        "Complaint",
    ):
        assert re.search(rf"\b{right}\b", page), right
    for link in (
        "/account/export",
        "/account/profile",
        "/account/addresses",
        "/account/email",
        "/account/delete",
        "/cookies",
        "mailto:shop@example.com",
    ):
        assert f'href="{link}"' in response.text, link
    assert "We answer a request within one month" in page
    # Without an account: the request page, for access, correction and erasure.
    assert response.text.count('href="/privacy/request"') == 3


def test_the_recipients_follow_the_settings(app, client):
    page = _page(client)
    assert "Braintree, a service of PayPal" in page
    assert "device data that Braintree's script collects" in page
    assert "Our hosting provider" in page
    assert "delivers the emails we send you" not in page  # no mail server: no mail provider
    app.config.update(
        MAIL_SERVER="smtp.example.net",
        MAIL_PROVIDER="Postbote Inc., United States",
        MAIL_PROVIDER_TRANSFER="United States, under the EU-U.S. Data Privacy Framework",
        HOSTING_PROVIDER="Hetzner Online GmbH, Germany",
    )
    page = _page(client)
    assert "Postbote Inc., United States (works on our behalf" in page
    assert (
        "Postbote Inc., United States: United States, under the EU-U.S. Data Privacy Framework"
        in page
    )
    assert "Hetzner Online GmbH, Germany" in page and "Our hosting provider" not in page
    assert "Transfers outside the European Economic Area" in page


def test_the_only_automated_decision_is_the_payment_providers_fraud_screening(client):
    page = _page(client)
    section = page[page.index("Decisions made by automated means") :]
    section = section[: section.index("Your rights")]
    assert "No decision about you is made by automated means, except this one:" in section
    assert "Braintree checks every card payment against patterns of fraud" in section
    assert "a person will look at your order" in section
    assert section.count("Braintree, a service of PayPal") == 1


def test_the_setup_checklist_asks_for_what_the_page_must_name(app):
    owner = staff_client(app, "owner")
    text = _text(owner.get("/staff/"))
    assert "Who handles customers' data" in text
    assert "Set JOMSO_SHOP_ADDRESS, JOMSO_SHOP_EMAIL, JOMSO_HOSTING_PROVIDER" in text
    app.config.update(
        SHOP_ADDRESS="4 Harbour Row",
        SHOP_EMAIL="privacy@teakettle.example",
        HOSTING_PROVIDER="Hetzner Online GmbH, Germany",
    )
    text = _text(owner.get("/staff/"))
    assert "The privacy page names the shop, its address, its host and mail provider." in text
