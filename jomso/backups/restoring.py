"""Restoring a backup into an empty shop: ``restore_backup(archive)``.

The steps, each refusing (``BackupError``, saying why and what to do) before anything of the
shop changes:

1. unpack the archive into a private folder inside the instance folder and check every member
   against the manifest (``jomso.backups.archive.read_archive``);
2. refuse a schema this code does not know (made by a newer Jomso), and a database of the
   other kind (SQLite against PostgreSQL);
3. refuse a shop that is not empty: a database table with rows (beyond those the migrations
   write) or a picture. A restore never overwrites a shop's data;
4. load the database, check it holds the rows the manifest counted, put the instance files
   and pictures in place, and migrate the schema to this code's head (``init_schema``), so an
   archive made by an older Jomso comes up to date.

The instance files replace those the empty shop made at its first start (its secret key, the
demo payment key), which protect nothing yet. ``config.py`` is the exception: one already
there is the operator's and stays; the archive's is then written beside it as
``config.py.from-backup``.
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from jomso.backups.archive import BackupError, DamagedArchive, Manifest, read_archive
from jomso.backups.databases import check_kind, load_database, row_counts, tables_with_rows
from jomso.backups.making import is_kept_instance_file
from jomso.catalog.images import images_dir
from jomso.cli import init_schema
from jomso.extensions import db
from jomso.schema import database_revision, head_revision, known_revisions

FILE_MODE = 0o600
CONFIG_FILE = "config.py"
SET_ASIDE_SUFFIX = ".from-backup"


@dataclass(frozen=True)
class Restored:
    manifest: Manifest
    revision: str | None  # the schema after the migrations
    files: list[str]  # instance files put in place
    set_aside: list[str]  # instance files written beside the shop's own
    images: int
    seconds: float


def restore_backup(archive: Path) -> Restored:
    """Restore ``archive`` into this (empty) shop; see the module docstring."""
    app = current_app._get_current_object()
    instance = Path(app.instance_path)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(dir=instance, prefix=".restore-") as unpacked:
        staging = Path(unpacked)
        manifest = read_archive(Path(archive), staging)
        check_instance_files(manifest)
        check_schema(manifest)
        check_kind(db.engine, manifest.database_kind)
        check_empty()
        db.session.remove()
        load_database(db.engine, manifest.database_kind, staging / manifest.database_member)
        _check_rows(manifest)
        files, set_aside = _place_instance_files(staging / "instance", instance)
        images = _place_images(staging / "instance" / "images", images_dir())
    db.session.remove()
    init_schema()
    db.session.remove()
    revision = database_revision()
    return Restored(manifest, revision, files, set_aside, images, time.monotonic() - started)


def check_instance_files(manifest: Manifest) -> None:
    """Refuse instance files no backup writes (a database or log file where the shop keeps its
    own): an archive holding one was not made by ``backup``."""
    for name in manifest.members:
        top = name.removeprefix("instance/")
        if name.startswith("instance/") and "/" not in top and not is_kept_instance_file(top):
            raise DamagedArchive(f"it holds {name}, which no Jomso backup holds.")


def check_schema(manifest: Manifest) -> None:
    """Refuse a schema revision this code has no migration for: a newer Jomso made it."""
    if manifest.schema_revision not in known_revisions():
        from jomso import __version__

        raise BackupError(
            f"The archive was made by Jomso {manifest.version} with database schema "
            f"{manifest.schema_revision}, which this Jomso ({__version__}, schema "
            f"{head_revision()}) does not know: it is newer. Install Jomso "
            f"{manifest.version} or later, then restore."
        )


def check_empty() -> None:
    """Refuse a shop with data: rows in its database or pictures in its folder."""
    tables = tables_with_rows(db.engine)
    folder = images_dir()
    pictures = folder.is_dir() and any(path.is_file() for path in folder.rglob("*"))
    if not tables and not pictures:
        return
    held = []
    if tables:
        shown = ", ".join(tables[:5]) + (f" and {len(tables) - 5} more" if len(tables) > 5 else "")
        held.append(f"its database has rows in {shown}")
    if pictures:
        held.append(f"{folder} holds pictures")
    raise BackupError(
        f"This shop is not empty: {' and '.join(held)}. A restore replaces everything, so it "
        "only goes into an empty shop. Set JOMSO_INSTANCE_PATH (and JOMSO_DATABASE_URL) to "
        "a new folder (and a new database), then run restore again. Nothing was changed."
    )


def _check_rows(manifest: Manifest) -> None:
    with db.engine.connect() as connection:
        counts = row_counts(connection)
    differing = sorted(
        name for name, rows in manifest.database_rows.items() if counts.get(name) != rows
    )
    if differing:
        raise BackupError(
            f"The restored database does not hold the rows the backup counted in "
            f"{', '.join(differing)}. Restore into a new, empty database."
        )


def _place_instance_files(unpacked: Path, instance: Path) -> tuple[list[str], list[str]]:
    files, set_aside = [], []
    if not unpacked.is_dir():
        return files, set_aside
    for path in sorted(unpacked.iterdir()):
        if not path.is_file():
            continue
        target = instance / path.name
        if path.name == CONFIG_FILE and target.exists():
            if target.read_bytes() == path.read_bytes():
                continue
            target = instance / (CONFIG_FILE + SET_ASIDE_SUFFIX)
            set_aside.append(target.name)
        else:
            files.append(path.name)
        path.chmod(FILE_MODE)
        os.replace(path, target)
    return files, set_aside


def _place_images(unpacked: Path, folder: Path) -> int:
    count = 0
    if not unpacked.is_dir():
        return count
    for path in sorted(unpacked.rglob("*")):
        if path.is_file():
            target = folder / path.relative_to(unpacked)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, target)
            count += 1
    return count
