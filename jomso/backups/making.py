"""Making a backup while the shop serves: ``make_backup(destination)``.

The archive holds, in this order: the consistent copy of the database
(``jomso.backups.databases``), the instance folder's own files (the generated secret key, the
demo payment key, ``config.py``, the demo staff passwords, the offline gateway's store) and
the product images, then the manifest (``jomso.backups.archive``).

Left out: the database's live files (the copy stands for them), the rate-limit counters and
the mail outbox (passing state), temporary, lock and log files, and any other folder of the
instance (among them the default backup folder, ``instance/backups``).

Pictures are read after the database copy. A picture uploaded meanwhile is in the archive
without a row (harmless); one deleted meanwhile may be missing for a row the copy still has:
``Backup.vanished`` names it.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import Flask, current_app

from jomso import __version__
from jomso.backup_folder import ARCHIVE_SUFFIX, archive_name, backup_folder
from jomso.backups.archive import MEMBER_NAME, Manifest, write_archive
from jomso.backups.databases import SQLITE, copy_database
from jomso.catalog.images import images_dir
from jomso.database import utcnow
from jomso.extensions import db
from jomso.ratelimits import DEFAULT_FILE as RATELIMITS_FILE

FOLDER_MODE = 0o700
# Instance files that are not the shop's to keep: SQLite's files (the database is copied on
# its own), the lock and temporary files of the shop's writers, the logs cron lines write.
_SKIPPED_SUFFIXES = (".sqlite3", ".sqlite3-wal", ".sqlite3-shm", ".sqlite3-journal", ".lock",
                     ".tmp", ".part", ".log")  # fmt: skip
_SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")


@dataclass(frozen=True)
class Backup:
    path: Path
    size: int
    seconds: float
    manifest: Manifest
    vanished: list[str]  # members that went while the backup ran (deleted pictures)

    @property
    def images(self) -> int:
        return sum(name.startswith("instance/images/") for name in self.manifest.members)


def archive_target(destination: Path, now: datetime) -> Path:
    """A path ending in ``.tar.gz`` is the archive; anything else is a folder to write
    ``jomso-backup-<UTC time>.tar.gz`` into."""
    if destination.name.endswith(ARCHIVE_SUFFIX) and not destination.is_dir():
        return destination
    return destination / archive_name(now)


def make_backup(destination: Path | None = None) -> Backup:
    """Write the whole shop into one archive (see the module docstring); the shop keeps
    serving. ``destination``: a folder or a ``.tar.gz`` path; None: ``backup_folder``."""
    app = current_app._get_current_object()
    started, now = time.monotonic(), utcnow()
    folder = destination or backup_folder(app.config, app.instance_path)
    target = archive_target(Path(folder), now).absolute()
    target.parent.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".jomso-backup-") as staging:
        copy = copy_database(db.engine, Path(staging))
        members = [
            (f"database/{copy.file.name}", copy.file),
            *instance_members(app),
            *image_members(),
        ]
        manifest = Manifest(
            version=__version__,
            created_at=now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            database_kind=copy.kind,
            database_member=f"database/{copy.file.name}",
            schema_revision=copy.revision,
            database_rows=copy.rows,
            members={},
        )
        manifest, vanished = write_archive(target, members, manifest)
    return Backup(target, target.stat().st_size, time.monotonic() - started, manifest, vanished)


def instance_members(app: Flask) -> list[tuple[str, Path]]:
    """The files at the top of the instance folder that belong in a backup."""
    instance = Path(app.instance_path)
    live = [instance / RATELIMITS_FILE]
    if db.engine.dialect.name == SQLITE and db.engine.url.database:
        live.append(Path(db.engine.url.database))
    skipped = {p.parent.resolve() / (p.name + end) for p in live for end in _SQLITE_COMPANIONS}
    return [
        (f"instance/{path.name}", path)
        for path in sorted(instance.iterdir())
        if path.is_file()
        and instance.resolve() / path.name not in skipped
        and is_kept_instance_file(path.name)
    ]


def is_kept_instance_file(name: str) -> bool:
    """Whether a file of this name at the top of the instance folder belongs in a backup (and
    so may come out of one): no dotfiles (temporary files), no SQLite, lock or log files."""
    return bool(MEMBER_NAME.fullmatch(f"instance/{name}")) and not name.endswith(_SKIPPED_SUFFIXES)


def image_members() -> list[tuple[str, Path]]:
    """Every picture file under ``instance/images``."""
    folder = images_dir()
    if not folder.is_dir():
        return []
    members = []
    for path in sorted(folder.rglob("*")):
        name = f"instance/images/{path.relative_to(folder).as_posix()}"
        if path.is_file() and MEMBER_NAME.fullmatch(name):
            members.append((name, path))
    return members
