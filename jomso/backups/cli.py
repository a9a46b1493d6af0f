"""``flask --app app backup [DEST]`` and ``flask --app app restore ARCHIVE``."""

from __future__ import annotations

from pathlib import Path

import click

from jomso.backups import bp
from jomso.backups.archive import BackupError, DamagedArchive
from jomso.backups.making import make_backup
from jomso.backups.restoring import restore_backup


@bp.cli.command("backup")
@click.argument("destination", metavar="[DEST]", required=False, type=click.Path(path_type=Path))
def backup_command(destination: Path | None) -> None:
    """Write the whole shop (database, pictures, instance secrets and config) into one
    archive while it keeps serving. DEST is a folder, where the archive is named
    jomso-backup-<UTC time>.tar.gz, or a file name ending in .tar.gz; without DEST the
    archive goes to JOMSO_BACKUP_DIR (default: the instance folder's backups/)."""
    try:
        done = make_backup(destination)
    except BackupError as error:
        raise click.ClickException(f"No backup written. {error}") from None
    manifest = done.manifest
    click.echo(
        f"Backup written: {done.path} ({done.size / 2**20:.1f} MiB in {done.seconds:.1f} s; "
        f"{manifest.database_kind} database at schema {manifest.schema_revision}, "
        f"{done.images} picture files, Jomso {manifest.version})."
    )
    for name in done.vanished:
        click.echo(f"  left out, deleted while the backup ran: {name}")


@bp.cli.command("restore")
@click.argument("archive", type=click.Path(path_type=Path, dir_okay=False))
def restore_command(archive: Path) -> None:
    """Restore an archive made by `backup` into this shop, which must be empty (a new
    instance folder and database), then migrate its schema to this version. Stop the shop
    first; start it once the restore is done."""
    try:
        done = restore_backup(archive)
    except DamagedArchive as error:
        raise click.ClickException(f"Refusing {archive}: {error} Nothing was changed.") from None
    except BackupError as error:
        raise click.ClickException(f"Not restored. {error}") from None
    manifest = done.manifest
    rows = manifest.database_rows
    click.echo(
        f"Restored {archive}, made {manifest.created_at} by Jomso {manifest.version}: "
        f"{manifest.database_kind} database at schema {manifest.schema_revision} "
        f"(now {done.revision}), {done.images} picture files, instance files "
        f"{', '.join(done.files) or 'none'}."
    )
    counted = ", ".join(
        f"{rows[name]} {name}" for name in ("products", "orders", "users") if name in rows
    )
    if counted:
        click.echo(f"It holds {counted}, as when it was made.")
    for name in done.set_aside:
        click.echo(
            f"This shop has its own config.py: the archive's is beside it as {name}. "
            "Compare them and keep what this server needs."
        )
    click.echo("Start (or restart) the shop now.")
