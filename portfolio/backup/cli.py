"""``flask backup`` and ``flask restore`` (docs/backup.md)."""

from pathlib import Path

import click
from flask.cli import with_appcontext


def _size(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return ""


@click.command("backup")
@click.argument("destination", type=click.Path(path_type=Path))
@click.option("--gzip", "compress", is_flag=True, help="Compress (a .tar.gz when naming a folder).")
@with_appcontext
def backup_command(destination: Path, compress: bool):
    """Write one archive of the database, evidence files, signed PDFs and signing material.

    DESTINATION is a folder (the archive is named for the time, in UTC) or the archive's
    own name ending .tar or .tar.gz. The archive holds the signing key: keep it as safe
    as the server.
    """
    from portfolio.backup.archive import make_backup
    from portfolio.backup.database import BackupError

    try:
        written = make_backup(destination, compress)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    snap = written.snapshot
    click.echo(
        f"Wrote {written.path} ({_size(written.size)}): the {snap.kind} database at revision "
        f"{snap.revision}, {len(snap.evidence_files)} evidence files, {len(snap.documents)} "
        f"signed PDFs; {written.members} members in its manifest."
    )
    for name in written.missing:
        click.echo(f"  {name} is named by the database but is not on the disk", err=True)
    for name in written.mismatched:
        click.echo(f"  {name} differs from the SHA-256 recorded when it was stored", err=True)
    if written.missing or written.mismatched:
        raise click.ClickException(
            f"{len(written.missing)} stored files are missing and {len(written.mismatched)} "
            "no longer match their recorded hashes: they were lost or changed on the disk. "
            "The archive holds what there is; restore the others from an earlier backup."
        )


@click.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def restore_command(archive: Path):
    """Check ARCHIVE against its manifest and restore it into this empty instance.

    Nothing is written unless every member matches its SHA-256, the database is empty and
    of the archive's kind, and the schema is this version's.
    """
    from portfolio.audit.trail import verify
    from portfolio.backup.database import BackupError
    from portfolio.backup.restore import restore

    try:
        restored = restore(archive)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    manifest = restored.checked.manifest
    click.echo(
        f"Checked {len(restored.checked.members) + 1} members against the manifest of "
        f"{archive.name}, made at {manifest['created_at']}."
    )
    click.echo(
        f"Restored the {restored.checked.kind} database, {restored.evidence_files} evidence "
        f"files, {restored.documents} signed PDFs"
        + (", the signing certificate" if restored.signing else "")
        + f"; the restore is noted in the audit trail of {restored.providers} "
        + ("provider." if restored.providers == 1 else "providers.")
    )
    for name in manifest.get("missing", []):
        click.echo(f"  {name} was already missing when the backup was made", err=True)
    broken = [report for report in verify() if not report.ok]
    for report in broken:
        click.echo(f"  {report.provider_name}: {report.reason}", err=True)
    if broken:
        raise click.ClickException(f"{len(broken)} audit chains are broken after the restore.")
    click.echo("Every audit chain is intact (flask audit verify).")
