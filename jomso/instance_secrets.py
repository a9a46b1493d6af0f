"""Secrets generated once per shop and kept in its instance folder (mode 0600), such as the
key that signs demo-mode webhook notifications.

The first process that needs one writes it to a private temporary file and links it into
place, so workers starting together agree on one value and none reads a half-written file.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from pathlib import Path


def instance_secret(instance: Path | str, name: str, nbytes: int = 32) -> str:
    """The secret kept in ``<instance>/<name>``, made (random, ``nbytes`` bytes as hex) on
    first use."""
    path = Path(instance) / name
    with contextlib.suppress(FileNotFoundError):
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{name}.")  # mode 0600
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(nbytes))
        with contextlib.suppress(FileExistsError):  # another process made it first
            os.link(temporary, path)
    finally:
        os.unlink(temporary)
    return path.read_text().strip()
