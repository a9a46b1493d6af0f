"""Retention: every table holding personal data has a rule, and ``flask --app app purge``
applies them all.

The completeness test walks the schema as the export test does: a table is personal when it is
linked to an account (through foreign keys, from ``users``), when the data download covers it,
or when it has an email, phone, address or IP column. Each such table must be named by a rule
of ``jomso.privacy.retention``, so a new table holding personal data without a period fails it.
"""

from __future__ import annotations

import os
import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from jomso.audit.models import AccessLogEntry
from jomso.cart.models import Cart
from jomso.config import Defaults
from jomso.consent.models import ConsentRecord
from jomso.database import utcnow
from jomso.extensions import db
from jomso.newsletter.models import Subscriber, SubscriberStatus
from jomso.orders.models import Order
from jomso.privacy import registry as data_rights
from jomso.privacy import retention as registry
from tests.accounts.helpers import registered_customer, sign_in
from tests.catalog.helpers import make_product
from tests.mailbox import outbox_files
from tests.orders.helpers import DECLINED, add_to_cart, all_orders, buy, get_order, order_number

ROOT = Path(__file__).resolve().parents[2]
PERSONAL_COLUMN_WORDS = {"email", "phone", "ip", "address"}


def personal_tables() -> set[str]:
    """Tables holding data about a person, found by walking the schema."""
    linked = {"users"}
    changed = True
    while changed:
        changed = False
        for table in db.metadata.sorted_tables:
            if table.name in linked or table.name in data_rights.NOT_PERSONAL_TABLES:
                continue
            if any(fk.column.table.name in linked for fk in table.foreign_keys):
                linked.add(table.name)
                changed = True
    by_column = {
        table.name
        for table in db.metadata.sorted_tables
        if any(set(column.name.split("_")) & PERSONAL_COLUMN_WORDS for column in table.columns)
    }
    return linked | data_rights.exported_tables() | by_column


def tables_without_a_rule() -> list[str]:
    return sorted(personal_tables() - registry.covered_tables())


def test_every_table_holding_personal_data_has_a_retention_rule(app):
    assert {"users", "orders", "outgoing_mail", "consent_records", "access_log"} <= (
        personal_tables()
    )
    missing = tables_without_a_rule()
    assert missing == [], (
        f"{missing} hold personal data but no retention rule names them: register one in the "
        "domain's retention.py (@retention_rule(..., tables=[...]) or declare_retention)"
    )


def test_the_walk_finds_a_table_whose_rule_is_missing(app, monkeypatch):
    rules = {name: rule for name, rule in registry._RULES.items() if "carts" not in rule.tables}
    monkeypatch.setattr(registry, "_RULES", rules)
    assert tables_without_a_rule() == ["cart_items", "carts"]


def test_every_rule_names_real_tables_and_settings(app):
    tables = set(db.metadata.tables)
    for rule in registry.retention_rules():
        assert set(rule.tables) <= tables, rule.name
        assert rule.tables or rule.files, rule.name
        if rule.setting:
            assert hasattr(Defaults, rule.setting), rule.name
            assert rule.unit in ("days", "years"), rule.name


def test_purge_applies_every_scheduled_rule_and_prints_what_each_removed(runner):
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    printed = dict(line.rsplit(": ", 1) for line in result.output.splitlines())
    scheduled = [rule.name for rule in registry._RULES.values() if rule.apply is not None]
    assert list(printed) == scheduled
    assert set(printed.values()) == {"0"}
    assert "orders: anonymised after the accounting period" in printed
    assert "carts: abandoned ones deleted" in printed


def test_other_domains_add_retention_rules(runner, monkeypatch):
    monkeypatch.setattr(registry, "_RULES", dict(registry._RULES))
    seen = []

    @registry.retention_rule(
        "gift cards: expired ones deleted",
        data="Gift cards",
        tables=("gift_cards",),
        action=registry.Action.DELETE,
        setting="ORDER_KEEP_YEARS",
        unit="years",
        starts="after they expire",
    )
    def _rule(now):
        seen.append(now)
        return 3

    output = runner.invoke(args=["purge"]).output
    assert "gift cards: expired ones deleted: 3" in output
    assert seen and seen[0].tzinfo is not None
    listed = runner.invoke(args=["purge", "--list"]).output
    assert "| Gift cards | 10 years after they expire | deleted | `JOMSO_ORDER_KEEP_YEARS` |" in (
        listed
    )


def test_purge_list_shows_the_periods_with_the_current_settings(app, runner):
    app.config.update(ORDER_KEEP_YEARS=7, CART_KEEP_DAYS=1)
    listed = runner.invoke(args=["purge", "--list"]).output
    assert "| 7 years after the end of the year of the order's last change" in listed
    assert "| Your cart | 1 day after its last change | deleted | `JOMSO_CART_KEEP_DAYS` |" in (
        listed
    )
    assert "until you delete your account" in listed


# -- Each rule, through the purge command --------------------------------------------------------


def _set(app, model, values: dict, *where) -> None:
    with app.app_context():
        db.session.execute(
            update(model)
            .where(*where)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()


def _ids(app, model) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(select(model.id).order_by(model.id)))


def _purge(runner) -> dict[str, int]:
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    return {k: int(v) for k, v in (line.rsplit(": ", 1) for line in result.output.splitlines())}


def test_abandoned_carts_are_deleted_and_their_guest_starts_afresh(app, client, runner):
    product = make_product(app, "Teapot", stock=5)
    add_to_cart(client, product)
    other = app.test_client()
    add_to_cart(other, product)
    old, recent = _ids(app, Cart)
    _set(app, Cart, {"updated_at": utcnow() - timedelta(days=31)}, Cart.id == old)

    assert _purge(runner)["carts: abandoned ones deleted"] == 1
    assert _ids(app, Cart) == [recent]
    assert "Your cart is empty" in client.get("/cart").text
    add_to_cart(client, product)  # the session named the deleted cart: a new one is made
    assert len(_ids(app, Cart)) == 2


def _ten_years_ago_and_more(now: datetime, years: int) -> tuple[datetime, datetime]:
    """A time in the last year past the period, and one in the first year still within it."""
    return datetime(now.year - years - 1, 12, 31, 12, tzinfo=UTC), datetime(
        now.year - years, 1, 1, 12, tzinfo=UTC
    )


def test_orders_are_anonymised_after_the_accounting_period(app, client, runner):
    first = order_number(buy(app, client)[0])
    second = order_number(buy(app, app.test_client(), price_cents=2500)[0])
    past, within = _ten_years_ago_and_more(utcnow(), 10)
    _set(app, Order, {"updated_at": past}, Order.number == first)
    _set(app, Order, {"updated_at": within}, Order.number == second)

    assert _purge(runner)["orders: anonymised after the accounting period"] == 1
    old, kept = get_order(app, first), get_order(app, second)
    assert (old.email, old.billing_name, old.shipping_line1, old.phone) == (("deleted",) * 4)
    assert old.anonymized_at is not None
    assert old.lines and old.payments and old.total_cents == 1995  # the books keep the sale
    assert old.billing_country == "US"
    assert (kept.email, kept.anonymized_at) == ("gus@example.com", None)

    app.config["ORDER_KEEP_YEARS"] = 1  # the period is a setting
    assert _purge(runner)["orders: anonymised after the accounting period"] == 1
    assert get_order(app, second).email == "deleted"


def test_orders_whose_payment_failed_are_anonymised_sooner(app, client, runner):
    buy(app, client, nonce=DECLINED)  # the checkout page says so; the order stays
    paid = order_number(buy(app, app.test_client(), price_cents=2500)[0])
    [failed] = [o.number for o in all_orders(app) if o.status == "payment_failed"]
    long_ago = utcnow() - timedelta(days=91)
    _set(app, Order, {"updated_at": long_ago}, Order.number.in_([failed, paid]))

    assert _purge(runner)["orders: failed payments anonymised"] == 1
    assert get_order(app, failed).email == "deleted"
    assert get_order(app, paid).email == "gus@example.com"


def _subscriber(email: str, status: str, unsubscribed_at: datetime | None) -> Subscriber:
    return Subscriber(
        email=email,
        status=status,
        source="footer",
        unsubscribe_key="k" * 32,
        created_at=utcnow() - timedelta(days=400),
        unsubscribed_at=unsubscribed_at,
    )


def test_unsubscribed_addresses_are_deleted(app, runner):
    gone = SubscriberStatus.UNSUBSCRIBED
    with app.app_context():
        db.session.add_all(
            [
                _subscriber("old@example.com", gone, utcnow() - timedelta(days=31)),
                _subscriber("new@example.com", gone, utcnow() - timedelta(days=29)),
                _subscriber("reader@example.com", SubscriberStatus.CONFIRMED, None),
            ]
        )
        db.session.commit()
    assert _purge(runner)["newsletter: unsubscribed addresses deleted"] == 1
    with app.app_context():
        left = set(db.session.scalars(select(Subscriber.email)))
    assert left == {"new@example.com", "reader@example.com"}


def test_old_choices_in_the_consent_ledger_are_deleted(app, runner):
    with app.app_context():
        for days in (1096, 1094):
            db.session.add(
                ConsentRecord(
                    created_at=utcnow() - timedelta(days=days),
                    choice="accept",
                    scope="analytics",
                    policy_version=1,
                    source="banner",
                    visitor_id=f"v{days}",
                )
            )
        db.session.commit()
    assert _purge(runner)["consent ledger: old choices deleted"] == 1
    with app.app_context():
        assert list(db.session.scalars(select(ConsentRecord.visitor_id))) == ["v1094"]


def test_old_access_log_entries_are_deleted_though_the_application_may_not(app, runner):
    with app.app_context():
        for days in (731, 729):
            db.session.add(
                AccessLogEntry(
                    created_at=utcnow() - timedelta(days=days),
                    kind="view_personal_data",
                    actor_label="owner@staff.example.org",
                    detail=f"{days}",
                )
            )
        db.session.commit()
    assert _purge(runner)["access log: old entries deleted"] == 1
    with app.app_context():
        assert list(db.session.scalars(select(AccessLogEntry.detail))) == ["729"]


def test_ended_sign_ins_are_deleted(app, client, runner):
    from jomso.accounts.models import UserSession

    registered_customer(client)
    other_device = app.test_client()
    sign_in(other_device)
    live, ended = _ids(app, UserSession)
    _set(app, UserSession, {"expires_at": utcnow() - timedelta(seconds=1)}, UserSession.id == ended)
    assert _purge(runner)["sign-ins: ended ones deleted"] == 1
    assert _ids(app, UserSession) == [live]
    assert client.get("/account").status_code == 200  # the live one still works
    assert other_device.get("/account").status_code == 302


def test_old_outbox_files_are_deleted(app, client, runner):
    registered_customer(client)
    registered_customer(app.test_client(), email="cy@example.com")
    old, recent = outbox_files(app)
    week_ago = time.time() - 8 * 86400
    os.utime(old, (week_ago, week_ago))
    assert _purge(runner)["mail: outbox files deleted"] == 1
    assert outbox_files(app) == [recent]


@pytest.mark.sqlite_only(reason="SQLite's write-ahead log is a file beside the database")
def test_purge_that_removed_something_empties_the_write_ahead_log(app, client, runner):
    registered_customer(client)
    wal = Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///") + "-wal")
    assert wal.stat().st_size > 0  # the registration is in the log
    with app.app_context():
        db.session.add(AccessLogEntry(created_at=utcnow() - timedelta(days=800), kind="sign_in"))
        db.session.commit()
    assert _purge(runner)["access log: old entries deleted"] == 1
    assert wal.stat().st_size == 0


# -- The periods in the docs ---------------------------------------------------------------------


def test_docs_privacy_holds_the_retention_table_of_the_registry(app):
    with app.test_request_context():
        table = registry.retention_table_markdown(app.config)
    text = (ROOT / "docs" / "privacy.md").read_text(encoding="utf-8")
    assert table in text, (
        "docs/privacy.md's retention table differs from the registry; replace it by the "
        "output of `flask --app app purge --list`:\n" + table
    )


def readme_periods() -> str:
    """The README's line of default periods, made from the registry."""
    settings = dict.fromkeys(r.setting for r in registry.retention_rules() if r.setting)
    listed = ", ".join(f"`JOMSO_{name}`={getattr(Defaults, name)}" for name in settings)
    return f"Default periods: {listed}."


def test_the_readme_shows_the_default_periods_of_the_registry(app):
    text = re.sub(r"\s+", " ", (ROOT / "README.md").read_text(encoding="utf-8"))
    expected = readme_periods()
    assert expected in text, f"README.md should say: {expected}"
    assert "docs/privacy.md#retention-periods" in text
