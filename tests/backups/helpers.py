"""Helpers for the backup tests: shops with their own instance folder and database, what a shop
holds (to compare a restored copy with its source), and archives taken apart and put back
together, to damage them on purpose."""

from __future__ import annotations

import io
import json
import shutil
import tarfile
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

from jomso import create_app
from jomso.accounts.models import User
from jomso.catalog.images import images_dir
from jomso.catalog.models import Product, ProductImage
from jomso.cli import init_schema
from jomso.extensions import db
from jomso.orders.models import Order
from tests.conftest import _test_config


def make_shop(tmp_path: Path, monkeypatch, name: str, database_url: str | None = None,
              migrate: bool = False, schema: Path | None = None):  # fmt: skip
    """An app with its own instance folder ``<tmp_path>/<name>/instance`` and, unless told,
    its SQLite database inside it (as a shop has it): a copy of ``schema`` (the suite's
    migrated template) when given, migrated when ``migrate``, else not made yet. Its secret
    key is generated into the instance folder, as in a shop."""
    instance = tmp_path / name / "instance"
    monkeypatch.setenv("JOMSO_INSTANCE_PATH", str(instance))
    if schema is not None:
        instance.mkdir(mode=0o700, parents=True, exist_ok=True)
        shutil.copyfile(schema, instance / "jomso.sqlite3")
    config = _test_config(instance / "jomso.sqlite3")
    del config["SECRET_KEY"]
    if database_url:
        config["DATABASE_URL"] = database_url
    app = create_app(config)
    if migrate:
        with app.app_context():
            init_schema()
            db.session.remove()
    return app


def dispose(app) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def shop_contents(app) -> dict:
    """What a shop holds, in a form two shops can be compared by."""
    with app.app_context():
        orders = db.session.scalars(select(Order).order_by(Order.id)).all()
        contents = {
            "users": sorted(db.session.scalars(select(User.email))),
            "products": sorted(
                (p.slug, p.price_cents, p.stock_total, p.is_active)
                for p in db.session.scalars(select(Product))
            ),
            "images": sorted(db.session.scalars(select(ProductImage.key))),
            "orders": [_order(order) for order in orders],
        }
        db.session.remove()
    return contents


def _order(order: Order) -> tuple:
    return (
        order.number,
        order.status,
        order.email,
        order.total_cents,
        [(line.sku, line.quantity, line.unit_price_cents) for line in order.lines],
        [change.to_status for change in order.changes],
        sorted((p.kind, p.status, p.transaction_id) for p in order.payments),
    )


def image_files(app) -> dict[str, bytes]:
    with app.app_context():
        folder = images_dir()
    if not folder.is_dir():
        return {}
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def members_of(archive: Path) -> dict[str, bytes]:
    """The archive's members in order, name -> content."""
    with tarfile.open(archive, "r:gz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar if m.isfile()}


def manifest_of(archive: Path) -> dict:
    return json.loads(members_of(archive)["manifest.json"])


def write_members(target: Path, members: dict[str, bytes | tarfile.TarInfo]) -> Path:
    """An archive of ``members`` in order; a ``TarInfo`` value is written as it is (a link)."""
    with tarfile.open(target, "w:gz") as tar:
        for name, content in members.items():
            if isinstance(content, tarfile.TarInfo):
                tar.addfile(content)
                continue
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    return target


def repack(archive: Path, target: Path, edit: Callable[[dict], dict | None]) -> Path:
    """A copy of ``archive`` whose members ``edit`` changed (in place or by returning new ones)."""
    members = members_of(archive)
    edited = edit(members)
    return write_members(target, members if edited is None else edited)


def with_manifest(members: dict, change: Callable[[dict], None]) -> None:
    """Edit the manifest of ``members`` in place (its JSON)."""
    manifest = json.loads(members["manifest.json"])
    change(manifest)
    members["manifest.json"] = json.dumps(manifest).encode()
