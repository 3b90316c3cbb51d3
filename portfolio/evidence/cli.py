"""``flask pii`` and ``flask evidence``: the personal-data check and suggestions in bulk, and
the sweep of the files folder."""

import json
from datetime import timedelta
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from portfolio.db import db
from portfolio.evidence import files
from portfolio.evidence.pii import find_personal_data, redact
from portfolio.evidence.suggest import CriterionText, suggest_criteria
from portfolio.units.models import AwardingBody, Criterion, LearningOutcome, Unit


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise click.ClickException(f"{path} is not UTF-8 text") from None


@click.group("pii")
def pii_cli():
    """Find UK personal data in text."""


@pii_cli.command("scan")
@click.option(
    "--redact", "do_redact", is_flag=True, help="Print the text with placeholders instead."
)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def scan_command(do_redact: bool, file: Path):
    """Print the findings in FILE as JSON (type, start, end, text), or the redacted text."""
    text = _read(file)
    findings = find_personal_data(text)
    if do_redact:
        click.echo(redact(text, findings), nl=False)
    else:
        click.echo(json.dumps([f.as_dict() for f in findings], ensure_ascii=False, indent=2))


@click.group("evidence")
def evidence_cli():
    """Work with evidence in bulk."""


@evidence_cli.command("suggest")
@click.option("--unit", "unit_code", required=True,
              help="Unit code, e.g. PEARSON-INCIDENTS (or BODY:UNIT when codes repeat).")  # fmt: skip
@click.option("--limit", default=5, show_default=True, type=click.IntRange(1, 50))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def suggest_command(unit_code: str, limit: int, file: Path):
    """Rank the unit's criteria (current version) for the text in FILE, as JSON."""
    body_code, _, code = unit_code.rpartition(":")
    query = select(Unit).where(Unit.code == code)
    if body_code:
        query = query.join(AwardingBody).where(AwardingBody.code == body_code)
    units = db.session.scalars(query).all()
    if not units:
        raise click.ClickException(f"no unit with code {unit_code!r}; see 'flask criteria list'")
    if len(units) > 1:
        raise click.ClickException(f"several units have code {code!r}; give it as BODY:{code}")
    rows = db.session.execute(
        select(Criterion.id, Criterion.number, Criterion.text, LearningOutcome.text)
        .join(LearningOutcome, Criterion.outcome_id == LearningOutcome.id)
        .where(Criterion.criteria_set_id == units[0].current.id)
        .order_by(Criterion.position)
    ).all()
    criteria = [CriterionText(id=i, number=n, text=t, outcome=o) for i, n, t, o in rows]
    texts = {c.id: c.text for c in criteria}
    ranked = suggest_criteria(_read(file), criteria, limit=limit)
    click.echo(json.dumps(
        [{**s.as_dict(), "terms": list(s.terms), "text": texts[s.criterion_id]} for s in ranked],
        ensure_ascii=False, indent=2,
    ))  # fmt: skip


@evidence_cli.command("sweep")
@click.option("--older-than", default=60, show_default=True, type=click.IntRange(0),
              help="Minutes: a younger file may belong to an upload under way.")  # fmt: skip
@with_appcontext
def sweep_command(older_than: int):
    """Remove partial uploads and stored files no evidence refers to (left by faults)."""
    swept = files.sweep(timedelta(minutes=older_than))
    click.echo(
        f"Removed {swept.partial} partial upload{'' if swept.partial == 1 else 's'} and "
        f"{swept.unrecorded} file{'' if swept.unrecorded == 1 else 's'} no evidence refers to "
        f"from {files.storage_dir()}."
    )
