"""``backup`` and ``restore`` on SQLite: what the archive holds and how it is written, where it
goes, a restore into an empty shop, an older schema brought to head, and every refusal (a
damaged archive, a newer schema, a shop with data, the other kind of database), each leaving
the shop as it was."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import stat
import tarfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from jomso import __version__
from jomso.backup_folder import newest_backup
from jomso.backups.archive import Manifest, write_archive
from jomso.extensions import db
from jomso.schema import database_revision, head_revision
from tests.backups.helpers import (
    dispose,
    image_files,
    make_shop,
    manifest_of,
    members_of,
    repack,
    shop_contents,
    with_manifest,
    write_members,
)
from tests.catalog.helpers import make_product
from tests.orders.helpers import DECLINED, add_to_cart, checkout


@pytest.fixture(scope="module")
def shop(tmp_path_factory, sqlite_schema_file):
    """A shop with data: products with pictures, a paid order, a failed one, its own
    ``config.py``; made through the pages where a customer would. Tests may back it up and
    try to restore into it, never change it."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        app = make_shop(tmp_path_factory.mktemp("shop"), monkeypatch, "source",
                        schema=sqlite_schema_file)  # fmt: skip
    bowl = make_product(app, "Stoneware Bowl", price_cents=2400, stock=5, images=2)
    make_product(app, "Garden Trowel", price_cents=1550, stock=3, images=1)
    client = app.test_client()
    add_to_cart(client, bowl, 2)
    assert checkout(client).status_code == 303
    add_to_cart(client, bowl, 1)
    assert checkout(client, nonce=DECLINED).status_code == 422
    (Path(app.instance_path) / "config.py").write_text('SHOP_NAME = "Pots & Trowels"\n')
    yield app
    dispose(app)


@pytest.fixture(scope="module")
def made(shop, tmp_path_factory):
    """An archive of ``shop``, made once."""
    path = tmp_path_factory.mktemp("made") / "shop.tar.gz"
    assert backup(shop, path).exit_code == 0
    return path


@pytest.fixture
def archive(made, tmp_path):
    """A copy of the shop's archive for this test to use (and damage)."""
    return Path(shutil.copyfile(made, tmp_path / "shop.tar.gz"))


def backup(app, *args):
    return app.test_cli_runner().invoke(args=["backup", *map(str, args)])


def restore(app, archive):
    return app.test_cli_runner().invoke(args=["restore", str(archive)])


def test_backup_writes_one_private_archive_with_its_manifest(shop, tmp_path):
    result = backup(shop, tmp_path / "backups")
    assert result.exit_code == 0, result.output
    [archive] = (tmp_path / "backups").iterdir()  # no temporary file left beside it
    assert re.fullmatch(r"jomso-backup-\d{8}T\d{6}Z\.tar\.gz", archive.name)
    made = datetime.strptime(archive.name[13:29], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    assert abs((datetime.now(UTC) - made).total_seconds()) < 120  # UTC, not local time
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    assert f"Backup written: {archive} (" in result.output
    assert "sqlite database at schema" in result.output
    assert f"{len(image_files(shop))} picture files" in result.output

    members = members_of(archive)
    assert list(members)[-1] == "manifest.json"
    assert set(members) == {
        "manifest.json",
        "database/jomso.sqlite3",
        "instance/secret_key",
        "instance/demo-braintree-key",
        "instance/offline-braintree.json",
        "instance/config.py",
        *(f"instance/images/{name}" for name in image_files(shop)),
    }
    instance = Path(shop.instance_path)
    assert members["instance/secret_key"] == (instance / "secret_key").read_bytes()
    assert members["instance/config.py"] == b'SHOP_NAME = "Pots & Trowels"\n'
    assert members["database/jomso.sqlite3"].startswith(b"SQLite format 3\x00")

    manifest = manifest_of(archive)
    with shop.app_context():
        head = head_revision()
    assert manifest["format"] == 1 and manifest["app"] == "jomso"
    assert manifest["version"] == __version__
    assert manifest["database"]["kind"] == "sqlite"
    assert manifest["database"]["member"] == "database/jomso.sqlite3"
    assert manifest["database"]["schema_revision"] == head
    assert manifest["database"]["rows"]["orders"] == 2  # the paid one and the failed one
    assert manifest["database"]["rows"]["products"] == 2
    assert set(manifest["members"]) == set(members) - {"manifest.json"}
    for name, entry in manifest["members"].items():
        assert entry == {
            "size": len(members[name]),
            "sha256": hashlib.sha256(members[name]).hexdigest(),
        }


def test_without_dest_the_archive_goes_to_the_backup_dir(shop, tmp_path, monkeypatch):
    # default: the instance folder's backups/, which no later backup takes in
    assert backup(shop).exit_code == 0
    folder = Path(shop.instance_path) / "backups"
    [first] = folder.iterdir()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert newest_backup(folder)[0] == first

    monkeypatch.setitem(shop.config, "BACKUP_DIR", str(tmp_path / "elsewhere"))
    assert backup(shop).exit_code == 0
    [archive] = (tmp_path / "elsewhere").iterdir()
    assert not any(name.startswith("instance/backups") for name in members_of(archive))
    path, made = newest_backup(tmp_path / "elsewhere")
    assert path == archive and abs((datetime.now(UTC) - made).total_seconds()) < 120
    assert newest_backup(tmp_path / "nothing-here") is None


def test_dest_may_name_the_archive_and_an_existing_file_stays(shop, tmp_path):
    target = tmp_path / "named" / "before-upgrade.tar.gz"
    assert backup(shop, target).exit_code == 0
    assert manifest_of(target)["database"]["rows"]["orders"] == 2
    written = target.read_bytes()
    result = backup(shop, target)
    assert result.exit_code == 1
    assert f"No backup written. {target} already exists" in result.output
    assert target.read_bytes() == written
    assert sorted(p.name for p in target.parent.iterdir()) == ["before-upgrade.tar.gz"]


def test_restore_into_an_empty_shop_brings_back_everything(shop, archive, tmp_path, monkeypatch):
    target = make_shop(tmp_path, monkeypatch, "target")  # a new folder, no database yet

    result = restore(target, archive)
    assert result.exit_code == 0, result.output
    assert "It holds 2 products, 2 orders, 0 users, as when it was made." in result.output
    assert shop_contents(target) == shop_contents(shop)
    assert image_files(target) == image_files(shop)
    source, restored = Path(shop.instance_path), tmp_path / "target" / "instance"
    for name in ("secret_key", "demo-braintree-key", "offline-braintree.json", "config.py"):
        assert (restored / name).read_bytes() == (source / name).read_bytes(), name
        assert stat.S_IMODE((restored / name).stat().st_mode) == 0o600
    assert not [p for p in restored.iterdir() if p.name.startswith(".")]  # unpacking cleaned up

    # the restored shop serves its pictures; started anew, it signs with the restored key
    with target.app_context():
        key = shop_contents(target)["images"][0]
    with target.test_client().get(f"/images/{key}-320.webp") as picture:
        assert picture.status_code == 200
    dispose(target)
    again = make_shop(tmp_path, monkeypatch, "target")
    assert again.config["SECRET_KEY"] == (source / "secret_key").read_text()
    assert "Stoneware Bowl" in again.test_client().get("/products/stoneware-bowl").text
    dispose(again)


def test_a_shop_with_its_own_config_keeps_it(shop, archive, tmp_path, monkeypatch):
    """Into a new shop whose owner wrote a config.py and ran init-db already."""
    (tmp_path / "target" / "instance").mkdir(parents=True)
    (tmp_path / "target" / "instance" / "config.py").write_text("MAIL_SERVER = 'smtp.new'\n")
    target = make_shop(tmp_path, monkeypatch, "target", migrate=True)  # an empty schema too

    result = restore(target, archive)
    assert result.exit_code == 0, result.output
    assert "the archive's is beside it as config.py.from-backup" in result.output
    instance = tmp_path / "target" / "instance"
    assert (instance / "config.py").read_text() == "MAIL_SERVER = 'smtp.new'\n"
    assert (instance / "config.py.from-backup").read_text() == 'SHOP_NAME = "Pots & Trowels"\n'
    assert shop_contents(target) == shop_contents(shop)
    dispose(target)


def test_an_older_schema_is_migrated_to_head(tmp_path, monkeypatch):
    """A 0.1.0 shop (schema 0001, the upgrade tests' rows) backed up, restored by this
    version: the schema comes to head and the shop works (the upgrade case's checks)."""
    from tests.upgrades.cases import CASES, RELEASE_0_1_0
    from tests.upgrades.test_upgrades import build_through_the_releases

    [release] = [case for case in CASES if case.revision == RELEASE_0_1_0]
    old = make_shop(tmp_path, monkeypatch, "old")
    build_through_the_releases(old, (release,))
    archive = tmp_path / "old.tar.gz"
    assert backup(old, archive).exit_code == 0
    dispose(old)
    assert manifest_of(archive)["database"]["schema_revision"] == RELEASE_0_1_0

    target = make_shop(tmp_path, monkeypatch, "target")
    result = restore(target, archive)
    assert result.exit_code == 0, result.output
    with target.app_context():
        assert database_revision() == head_revision()
        assert f"schema {RELEASE_0_1_0} (now {head_revision()})" in result.output
    release.check(target, target.test_client())
    dispose(target)


# -- Refusals ----------------------------------------------------------------------------------


def _flip_a_byte(path):
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def _truncate(path):
    path.write_bytes(path.read_bytes()[: path.stat().st_size * 2 // 3])


def _symlink(members):
    link = tarfile.TarInfo("instance/images/00/evil")
    link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
    return {**members, link.name: link}


def _listed(members, name, content):
    """Add a member and list it in the manifest too, as a hand-made archive could."""
    members[name] = content
    with_manifest(members, lambda d: d["members"].update(
        {name: {"size": len(content), "sha256": hashlib.sha256(content).hexdigest()}}))  # fmt: skip


DAMAGE = {
    "a flipped byte": ("file", _flip_a_byte, "it is damaged or incomplete"),
    "cut short": ("file", _truncate, "it is damaged or incomplete"),
    "no manifest": (
        "members", lambda m: m.pop("manifest.json") and None, "it has no manifest"),
    "a changed secret": (
        "members", lambda m: m.update({"instance/secret_key": b"x" * 64}),
        "instance/secret_key does not match its checksum"),
    "a changed database": (
        "members", lambda m: m.update({"database/jomso.sqlite3": m["database/jomso.sqlite3"][:-1]}),
        "database/jomso.sqlite3 does not match its checksum"),
    "a member gone": (
        "members", lambda m: m.pop("instance/config.py") and None,
        "instance/config.py is listed in the manifest but missing"),
    "a member added": (
        "members", lambda m: {"instance/extra.py": b"import os", **m},
        "instance/extra.py is not listed in the manifest"),
    "a path outside": (
        "members", lambda m: {"instance/../../evil": b"x", **m}, "which no Jomso backup holds"),
    "a link": ("members", _symlink, "which is not a plain file"),
    "a database as an instance file": (
        "members", lambda m: _listed(m, "instance/jomso.sqlite3", b"SQLite format 3\x00"),
        "it holds instance/jomso.sqlite3, which no Jomso backup holds"),
    "a newer format": (
        "members", lambda m: with_manifest(m, lambda d: d.update(format=2)),
        "its manifest has format 2"),
}  # fmt: skip


def _untouched(app, tmp_path, name):
    """What an empty shop holds that a refused restore must leave as it was."""
    instance = tmp_path / name / "instance"
    with app.app_context():
        from jomso.backups.databases import tables_with_rows

        tables = tables_with_rows(db.engine)
    return (
        tables,
        sorted(p.name for p in instance.iterdir()),
        (instance / "secret_key").read_bytes(),
        image_files(app),
    )


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_restore_refuses_a_damaged_archive(archive, tmp_path, monkeypatch, damage):
    kind, change, message = DAMAGE[damage]
    if kind == "file":
        change(archive)
    else:
        repack(archive, archive, change)
    target = make_shop(tmp_path, monkeypatch, "target")
    before = _untouched(target, tmp_path, "target")

    result = restore(target, archive)
    assert result.exit_code == 1
    assert f"Refusing {archive}: " in result.output and message in result.output
    assert "Nothing was changed." in result.output
    assert _untouched(target, tmp_path, "target") == before
    assert not (tmp_path / "evil").exists()
    dispose(target)


def test_restore_refuses_a_newer_schema(archive, tmp_path, monkeypatch):
    def newer(members):
        with_manifest(members, lambda d: d.update(version="9.0.0"))
        with_manifest(members, lambda d: d["database"].update(schema_revision="9999"))

    repack(archive, archive, newer)
    target = make_shop(tmp_path, monkeypatch, "target")
    before = _untouched(target, tmp_path, "target")
    result = restore(target, archive)
    assert result.exit_code == 1
    assert "made by Jomso 9.0.0 with database schema 9999" in result.output
    assert "does not know: it is newer. Install Jomso 9.0.0 or later" in result.output
    assert _untouched(target, tmp_path, "target") == before
    dispose(target)


def test_restore_refuses_a_shop_with_data(shop, archive):
    before = shop_contents(shop), image_files(shop)
    result = restore(shop, archive)  # into the shop itself
    assert result.exit_code == 1
    assert "Not restored. This shop is not empty: its database has rows in" in result.output
    assert "holds pictures" in result.output and "Nothing was changed." in result.output
    assert (shop_contents(shop), image_files(shop)) == before


def test_restore_refuses_the_other_kind_of_database(archive, tmp_path, monkeypatch):
    repack(archive, archive, lambda m: with_manifest(
        m, lambda d: d["database"].update(kind="postgresql")))  # fmt: skip
    target = make_shop(tmp_path, monkeypatch, "target")
    result = restore(target, archive)
    assert result.exit_code == 1
    assert "The archive holds a PostgreSQL database and this shop is set up for SQLite" in (
        result.output
    )
    dispose(target)


def test_restore_names_a_missing_file(shop, tmp_path):
    result = restore(shop, tmp_path / "nowhere.tar.gz")
    assert result.exit_code != 0
    assert "nowhere.tar.gz" in result.output


def test_an_archive_written_by_hand_without_a_database_is_refused(tmp_path, monkeypatch):
    archive = write_members(tmp_path / "hand.tar.gz", {"manifest.json": b"{}"})
    target = make_shop(tmp_path, monkeypatch, "target")
    result = restore(target, archive)
    assert result.exit_code == 1 and "its manifest is not a Jomso backup's" in result.output
    assert os.listdir(tmp_path / "target" / "instance")  # the shop's own files are still there
    dispose(target)


def test_a_file_gone_before_it_was_read_is_left_out_and_named(tmp_path):
    """A picture deleted between the database copy and the moment its file is read."""
    kept = tmp_path / "kept.webp"
    kept.write_bytes(b"RIFF....WEBP")
    manifest = Manifest("0", "now", "sqlite", "database/x", "0001", {}, {})
    written, vanished = write_archive(
        tmp_path / "a.tar.gz",
        [("instance/images/ab/kept.webp", kept), ("instance/images/ab/gone.webp", tmp_path / "no")],
        manifest,
    )
    assert vanished == ["instance/images/ab/gone.webp"]
    assert list(written.members) == ["instance/images/ab/kept.webp"]
    assert list(members_of(tmp_path / "a.tar.gz")) == [
        "instance/images/ab/kept.webp",
        "manifest.json",
    ]
