"""``backup`` and ``restore`` on PostgreSQL (``pg_dump`` and ``pg_restore``): a shop with data
comes back whole into a new database and into one where ``init-db`` made an empty schema; the
restored shop takes new orders (its sequences came back too); a shop with data is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from jomso.schema import head_revision
from tests import services
from tests.backups.helpers import dispose, image_files, make_shop, manifest_of, shop_contents
from tests.catalog.helpers import make_product
from tests.helpers import make_user
from tests.orders.helpers import DECLINED, add_to_cart, checkout, order_number


@pytest.fixture
def databases(postgres_admin_url):
    """New databases on the test server, dropped afterwards."""
    made = []

    def new() -> str:
        made.append(services.create_database(postgres_admin_url))
        return made[-1]

    yield new
    for url in made:
        services.drop_database(url)


def test_a_postgresql_shop_comes_back_whole(tmp_path, monkeypatch, databases):
    shop = make_shop(tmp_path, monkeypatch, "source", database_url=databases(), migrate=True)
    bowl = make_product(shop, "Stoneware Bowl", price_cents=2400, stock=5, images=2)
    make_product(shop, "Garden Trowel", price_cents=1550, stock=3, images=1)
    make_user(shop, "pat@example.com", name="Pat Buyer")
    client = shop.test_client()
    add_to_cart(client, bowl, 2)
    assert checkout(client).status_code == 303
    add_to_cart(client, bowl, 1)
    assert checkout(client, nonce=DECLINED).status_code == 422

    archive = tmp_path / "shop.tar.gz"
    result = shop.test_cli_runner().invoke(args=["backup", str(archive)])
    assert result.exit_code == 0, result.output
    manifest = manifest_of(archive)
    with shop.app_context():
        assert manifest["database"]["schema_revision"] == head_revision()
    assert manifest["database"]["kind"] == "postgresql"
    assert manifest["database"]["member"] == "database/jomso.pgdump"
    assert (manifest["database"]["rows"]["orders"], manifest["database"]["rows"]["users"]) == (2, 1)
    expected, pictures = shop_contents(shop), image_files(shop)
    secret = (Path(shop.instance_path) / "secret_key").read_bytes()

    # into a new, empty database; and into one where init-db made the schema already
    for name, migrate in (("new", False), ("migrated", True)):
        target = make_shop(tmp_path, monkeypatch, name, database_url=databases(), migrate=migrate)
        result = target.test_cli_runner().invoke(args=["restore", str(archive)])
        assert result.exit_code == 0, result.output
        assert "It holds 2 products, 2 orders, 1 users, as when it was made." in result.output
        assert shop_contents(target) == expected
        assert image_files(target) == pictures
        assert (Path(target.instance_path) / "secret_key").read_bytes() == secret
        # the restored shop serves and sells: its sequences continue after the restored rows
        buyer = target.test_client()
        assert "Stoneware Bowl" in buyer.get("/products/stoneware-bowl").text
        add_to_cart(buyer, bowl, 1)
        placed = checkout(buyer)
        assert placed.status_code == 303
        assert order_number(placed) not in {order[0] for order in expected["orders"]}
        dispose(target)

    # a shop with data is never overwritten
    result = shop.test_cli_runner().invoke(args=["restore", str(archive)])
    assert result.exit_code == 1 and "This shop is not empty" in result.output
    assert shop_contents(shop) == expected
    dispose(shop)
