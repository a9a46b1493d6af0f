"""Where backups go and how they are named, for any module to read: ``backup`` writes there
(``jomso.backups``), and a health check can ask for the newest archive without importing the
backups package.

Archives are named ``jomso-backup-YYYYmmddTHHMMSSZ.tar.gz`` (the UTC time they were made), so
the newest is the greatest name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ARCHIVE_SUFFIX = ".tar.gz"
ARCHIVE_NAME = re.compile(r"jomso-backup-(\d{8}T\d{6}Z)\.tar\.gz")
STAMP_FORMAT = "%Y%m%dT%H%M%SZ"


def backup_folder(config: Mapping[str, Any], instance_path: str | Path) -> Path:
    """Where ``backup`` writes when not told: ``BACKUP_DIR``, else ``<instance>/backups``."""
    return Path(config.get("BACKUP_DIR") or Path(instance_path) / "backups")


def archive_name(made: datetime) -> str:
    return f"jomso-backup-{made.astimezone(UTC).strftime(STAMP_FORMAT)}{ARCHIVE_SUFFIX}"


def newest_backup(folder: Path) -> tuple[Path, datetime] | None:
    """The newest archive ``backup`` named in ``folder``, with the UTC time in its name; None
    when there is none."""
    if not folder.is_dir():
        return None
    found = [
        (match.group(1), path)
        for path in folder.iterdir()
        if (match := ARCHIVE_NAME.fullmatch(path.name)) and path.is_file()
    ]
    if not found:
        return None
    stamp, path = max(found)
    return path, datetime.strptime(stamp, STAMP_FORMAT).replace(tzinfo=UTC)
