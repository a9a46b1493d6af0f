"""The archive format: one ``.tar.gz`` whose last member, ``manifest.json``, lists every other
member with its size and SHA-256, and says what the archive holds (format, app version,
database kind and schema revision, when it was made).

Members are regular files only, named ``database/<file>``, ``instance/<file>`` or
``instance/images/<path>``. ``write_archive`` writes to a private temporary file beside the
destination and renames it into place, so an archive under its final name is always complete;
``read_archive`` unpacks into a folder and refuses (``DamagedArchive``) anything the manifest
does not vouch for: a truncated or corrupt file, a checksum or size that differs, a member
missing from the manifest or from the archive, a name outside the layout, a link.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import io
import json
import os
import re
import tarfile
import tempfile
import time
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

FORMAT = 1
MANIFEST = "manifest.json"
ARCHIVE_MODE = 0o600
CHUNK = 1 << 20
# Compressing the database and a few text files pays; pictures are WebP already. Level 6 is
# gzip's own default: most of the gain of 9 at a fraction of its time.
COMPRESS_LEVEL = 6
_SEGMENT = r"[A-Za-z0-9_][A-Za-z0-9_.-]*"
MEMBER_NAME = re.compile(
    rf"(database/{_SEGMENT}|instance/{_SEGMENT}|instance/images(/{_SEGMENT})+)"
)


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


class DamagedArchive(BackupError):
    """The archive is not one this code wrote, or it changed since."""


@dataclass(frozen=True)
class Manifest:
    """What ``manifest.json`` says: ``members`` maps each name to (size, sha256)."""

    version: str
    created_at: str
    database_kind: str
    database_member: str
    schema_revision: str
    database_rows: dict[str, int]  # rows per table in the copy: a restore compares
    members: dict[str, tuple[int, str]]

    def to_json(self) -> bytes:
        data: dict[str, Any] = {
            "format": FORMAT,
            "app": "jomso",
            "version": self.version,
            "created_at": self.created_at,
            "database": {
                "kind": self.database_kind,
                "member": self.database_member,
                "schema_revision": self.schema_revision,
                "rows": dict(sorted(self.database_rows.items())),
            },
            "members": {
                name: {"size": size, "sha256": digest}
                for name, (size, digest) in sorted(self.members.items())
            },
        }
        return json.dumps(data, indent=2).encode() + b"\n"

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        try:
            data = json.loads(raw)
            if data.get("app") != "jomso":
                raise DamagedArchive("its manifest is not a Jomso backup's.")
            if data.get("format") != FORMAT:
                raise DamagedArchive(
                    f"its manifest has format {data.get('format')!r}; this version of Jomso "
                    f"reads format {FORMAT}. Restore it with the version that made it."
                )
            database = data["database"]
            members = {
                str(name): (int(entry["size"]), str(entry["sha256"]))
                for name, entry in data["members"].items()
            }
            return cls(
                version=str(data["version"]),
                created_at=str(data["created_at"]),
                database_kind=str(database["kind"]),
                database_member=str(database["member"]),
                schema_revision=str(database["schema_revision"]),
                database_rows={str(k): int(v) for k, v in database["rows"].items()},
                members=members,
            )
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise DamagedArchive(f"its manifest cannot be read ({error}).") from None


class _Hashing:
    """A file object that hashes what is read through it (tarfile reads the member once)."""

    def __init__(self, raw: BinaryIO):
        self.raw = raw
        self.hash = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        chunk = self.raw.read(size)
        self.hash.update(chunk)
        self.size += len(chunk)
        return chunk


def _tarinfo(name: str, size: int, mtime: float) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = size, int(mtime), 0o600
    info.uname = info.gname = ""
    return info


def write_archive(
    target: Path, members: Iterable[tuple[str, Path]], manifest: Manifest
) -> tuple[Manifest, list[str]]:
    """Write ``members`` (name, file) and their manifest to ``target``, atomically, mode 0600.
    ``manifest.members`` is filled in here. A file that vanished before it could be read (a
    picture deleted meanwhile) is left out and named in the second value returned. Refuses to
    replace an existing file."""
    if target.exists():
        raise BackupError(f"{target} already exists; choose another name.")
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    recorded: dict[str, tuple[int, str]] = {}
    vanished: list[str] = []
    try:
        with os.fdopen(fd, "wb") as raw:
            with tarfile.open(
                fileobj=raw, mode="w:gz", compresslevel=COMPRESS_LEVEL, format=tarfile.PAX_FORMAT
            ) as tar:
                for name, path in members:
                    assert MEMBER_NAME.fullmatch(name), name
                    try:
                        source = path.open("rb")
                    except FileNotFoundError:
                        vanished.append(name)
                        continue
                    with source:
                        info = os.fstat(source.fileno())
                        reader = _Hashing(source)
                        try:
                            tar.addfile(_tarinfo(name, info.st_size, info.st_mtime), reader)
                        except OSError as error:  # a full disk, or a file that shrank
                            raise BackupError(
                                f"Cannot copy {path} into {target}: {error}"
                            ) from None
                    recorded[name] = (reader.size, reader.hash.hexdigest())
                manifest = dataclasses.replace(manifest, members=recorded)
                body = manifest.to_json()
                tar.addfile(_tarinfo(MANIFEST, len(body), time.time()), io.BytesIO(body))
            raw.flush()
            os.fsync(raw.fileno())
        os.chmod(temporary, ARCHIVE_MODE)
        if target.exists():
            raise BackupError(f"{target} appeared while the backup was written; nothing replaced.")
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    _fsync_folder(target.parent)
    return manifest, vanished


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def read_archive(archive: Path, into: Path) -> Manifest:
    """Unpack ``archive`` into the folder ``into`` (member names become paths below it) and
    check every member against the manifest; raises ``DamagedArchive`` on any difference."""
    if not archive.is_file():
        raise BackupError(f"There is no file {archive}.")
    found: dict[str, tuple[int, str]] = {}
    manifest_raw: bytes | None = None
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            for member in tar:
                name = member.name
                if name in found or (name == MANIFEST and manifest_raw is not None):
                    raise DamagedArchive(f"it holds {name} twice.")
                if not member.isfile():
                    raise DamagedArchive(f"it holds {name}, which is not a plain file.")
                source = tar.extractfile(member)
                assert source is not None
                if name == MANIFEST:
                    manifest_raw = source.read()
                elif MEMBER_NAME.fullmatch(name):
                    found[name] = _unpack(source, into / name)
                else:
                    raise DamagedArchive(f"it holds {name!r}, which no Jomso backup holds.")
            # tarfile stops quietly at a damaged header; reading the compressed stream to
            # its end checks its length and CRC, so damage anywhere is found.
            while tar.fileobj.read(CHUNK):
                pass
    except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
        raise DamagedArchive(f"it is damaged or incomplete ({error}).") from None
    if manifest_raw is None:
        raise DamagedArchive("it has no manifest (manifest.json).")
    manifest = Manifest.from_json(manifest_raw)
    for name in sorted(set(manifest.members) | set(found)):
        if name not in found:
            raise DamagedArchive(f"{name} is listed in the manifest but missing.")
        if name not in manifest.members:
            raise DamagedArchive(f"{name} is not listed in the manifest.")
        if found[name] != manifest.members[name]:
            raise DamagedArchive(f"{name} does not match its checksum in the manifest.")
    if manifest.database_member not in found:
        raise DamagedArchive("it holds no database.")
    return manifest


def _unpack(source: BinaryIO, destination: Path) -> tuple[int, str]:
    """Copy one member out; returns (size, sha256). Reading errors are the archive's (the
    caller's ``DamagedArchive``); writing errors are this machine's (``BackupError``)."""
    digest, size = hashlib.sha256(), 0
    try:
        destination.parent.mkdir(parents=True, exist_ok=True)
        out = destination.open("xb")
    except OSError as error:
        raise BackupError(f"Cannot unpack into {destination.parent}: {error}") from None
    with out:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            try:
                out.write(chunk)
            except OSError as error:
                raise BackupError(f"Cannot unpack into {destination.parent}: {error}") from None
    return size, digest.hexdigest()
