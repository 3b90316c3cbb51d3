"""``flask pii`` and ``flask evidence``: the personal-data check and suggestions in bulk, and
the sweep of the files folder."""

import json
from datetime import timedelta

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from portfolio.cli import Group
from portfolio.db import db
from portfolio.evidence import bulk, files
from portfolio.evidence.item_suggestions import criteria_texts
from portfolio.evidence.pii import find_personal_data, redact, redacted
from portfolio.evidence.suggest import suggest_criteria
from portfolio.units.models import AwardingBody, CriteriaSet, Unit

INPUTS = click.argument(
    "paths", metavar="FILE...", nargs=-1, required=True,
    type=click.Path(exists=True, dir_okay=False, allow_dash=True),
)  # fmt: skip
JSONL = click.option(
    "--jsonl", is_flag=True,
    help="Read JSON lines (one object a line, the note in its 'text' field) and write one "
    "object a line, in the same order, with every other field passed through.",
)  # fmt: skip


def _run(paths: tuple[str, ...], jsonl: bool, result) -> None:
    """Give each note to ``result`` (text -> the fields to add) and print the output.

    One file, not JSON lines: the one field ``result`` gives, as indented JSON. Several
    files: a JSON list of one object per file, with its 'file'. JSON lines: one object a
    line, as each note is done, so a long run can be followed and memory stays flat."""
    if not jsonl and len(paths) == 1:
        note = next(bulk.read_files(paths))
        if note.error:
            raise click.ClickException(f"{note.place} is {note.error}")
        (value,) = result(note.text).values()
        click.echo(json.dumps(value, ensure_ascii=False, indent=2))
        return
    total = failed = 0
    outputs = []
    for note in bulk.read_jsonl(paths) if jsonl else bulk.read_files(paths):
        total += 1
        if note.error:
            failed += 1
            bulk.echo_error(note)
            where = {"file": note.source, "line": note.line} if jsonl else {"file": note.source}
            output = {**where, "error": note.error}
        elif jsonl:
            output = {**note.record, **result(note.text)}
        else:
            output = {"file": note.source, **result(note.text)}
        if jsonl:
            click.echo(json.dumps(output, ensure_ascii=False))
        else:
            outputs.append(output)
    if not jsonl:
        click.echo(json.dumps(outputs, ensure_ascii=False, indent=2))
    bulk.finish(failed, total, "line" if jsonl else "file")


@click.group("pii")
def pii_cli():
    """Find UK personal data in text."""


@pii_cli.command("scan")
@click.option("--redact", "do_redact", is_flag=True,
              help="Give the text with placeholders instead of the findings.")  # fmt: skip
@JSONL
@INPUTS
def scan_command(do_redact: bool, jsonl: bool, paths: tuple[str, ...]):
    """Find personal data in each FILE ('-' for standard input): the findings as JSON
    (type, start, end, text), or with --redact the text with placeholders.

    With --jsonl each output object gets 'findings', or with --redact its 'text' replaced by
    the redacted text and 'replaced', the number of findings replaced (the findings
    themselves are left out, as they are the personal data). A line that cannot be read
    gets an object with 'file', 'line' and 'error' in its place, the error is named on
    standard error, and the command carries on and exits with status 1 at the end."""

    def result(text: str) -> dict:
        if do_redact:
            text, replaced = redacted(text)
            return {"text": text, "replaced": replaced}
        return {"findings": [f.as_dict() for f in find_personal_data(text)]}

    if do_redact and not jsonl and len(paths) == 1:
        # one file redacted is printed as text, as it was written
        note = next(bulk.read_files(paths))
        if note.error:
            raise click.ClickException(f"{note.place} is {note.error}")
        click.echo(redact(note.text), nl=False)
        return
    _run(paths, jsonl, result)


@click.group("evidence", cls=Group)
def evidence_cli():
    """Work with evidence in bulk."""


def _unit_version(unit_code: str) -> CriteriaSet:
    """The unit's current version; a ClickException names a wrong code."""
    body_code, _, code = unit_code.rpartition(":")
    query = select(Unit).where(Unit.code == code)
    if body_code:
        query = query.join(AwardingBody).where(AwardingBody.code == body_code)
    units = db.session.scalars(query).all()
    if not units:
        raise click.ClickException(f"no unit with code {unit_code!r}; see 'flask criteria list'")
    if len(units) > 1:
        raise click.ClickException(f"several units have code {code!r}; give it as BODY:{code}")
    return units[0].current


@evidence_cli.command("suggest")
@click.option("--unit", "unit_code", required=True,
              help="Unit code, e.g. PEARSON-INCIDENTS (or BODY:UNIT when codes repeat).")  # fmt: skip
@click.option("--limit", default=5, show_default=True, type=click.IntRange(1, 50))
@click.option("--meaning", is_flag=True,
              help="Also read each text with the sentence model, as the job worker does for "
              "evidence (loading it takes a few seconds; then about 30 ms a text).")  # fmt: skip
@JSONL
@INPUTS
@with_appcontext
def suggest_command(unit_code: str, limit: int, meaning: bool, jsonl: bool,
                    paths: tuple[str, ...]):  # fmt: skip
    """Rank the unit's criteria (current version, with its guidance) for the text in each
    FILE ('-' for standard input), as JSON; with --jsonl each output object gets
    'suggestions'. With --meaning the ranking is the claims page's once the worker has read
    the evidence; without it, from the words alone.

    A line that cannot be read gets an object with 'file', 'line' and 'error' in its place,
    the error is named on standard error, and the command carries on and exits with
    status 1 at the end."""
    version = _unit_version(unit_code)
    criteria = criteria_texts(version.id)
    texts = {c.id: c.text for c in criteria}

    def result(text: str) -> dict:
        read = None
        if meaning:
            from portfolio.evidence.sentence_meaning import read as read_meaning

            read = read_meaning(text, tuple(texts.values()))
        ranked = suggest_criteria(text, criteria, guidance=version.guidance, meaning=read,
                                  limit=limit)  # fmt: skip
        return {"suggestions": [
            {**s.as_dict(), "terms": list(s.terms), "text": texts[s.criterion_id]} for s in ranked
        ]}  # fmt: skip

    _run(paths, jsonl, result)


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
