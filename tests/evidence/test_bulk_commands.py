"""A provider checks many notes in one process: ``flask pii scan`` and ``flask evidence
suggest`` on several files, standard input and JSON lines."""

import json

from tests.stories import LEAKY

LOGGING = "I logged the time, nature and severity of the incident in the CRM system."


def jsonl(records: list) -> str:
    return "".join(
        (r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in records
    )


def lines_of(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines()]


def note(i: int) -> dict:
    """A thousand notes, each with its own phone number and a field to pass through."""
    return {
        "id": f"n{i:04d}",
        "cohort": "2026-A",
        "text": f"Call {i} at 14:{i % 60:02d}: ring back on 07700 900{i:03d} about £{i}.50.",
    }


# ---- flask pii scan --------------------------------------------------------------------------
def test_pii_scan_checks_a_thousand_json_lines_from_standard_input_in_order(runner):
    notes = [note(i) for i in range(1000)]

    result = runner.invoke(args=["pii", "scan", "--jsonl", "-"], input=jsonl(notes))

    assert result.exit_code == 0, result.output
    out = lines_of(result.stdout)
    assert [o["id"] for o in out] == [n["id"] for n in notes]
    for given, got in zip(notes, out, strict=True):
        assert got["cohort"] == "2026-A" and got["text"] == given["text"]
        assert [(f["type"], f["text"]) for f in got["findings"]] == [
            ("PHONE", f"07700 900{given['id'][-3:]}")
        ]


def test_pii_scan_redacts_json_lines_and_leaves_the_personal_data_out(runner):
    notes = [note(i) for i in range(3)] + [{"id": "clean", "text": "Power restored at 14:32."}]

    result = runner.invoke(args=["pii", "scan", "--jsonl", "--redact", "-"], input=jsonl(notes))

    assert result.exit_code == 0, result.output
    out = lines_of(result.stdout)
    assert out[0] == {"id": "n0000", "cohort": "2026-A", "replaced": 1,
                      "text": "Call 0 at 14:00: ring back on [PHONE] about £0.50."}  # fmt: skip
    assert out[3] == {"id": "clean", "text": "Power restored at 14:32.", "replaced": 0}
    assert "07700" not in result.stdout


def test_a_malformed_line_is_named_by_number_and_the_run_carries_on(runner, tmp_path):
    path = tmp_path / "notes.jsonl"
    path.write_bytes(
        jsonl(
            [note(1), "{not json", "", '["a list"]', {"id": "x", "text": 12}, {"id": "y"}]
        ).encode()
        + b'{"text": "caf\xe9"}\n'
        + jsonl([note(2)]).encode()
    )

    result = runner.invoke(args=["pii", "scan", "--jsonl", str(path)])

    assert result.exit_code == 1
    out = lines_of(result.stdout)
    # one output line per non-blank input line, in order: errors in their places
    assert [o.get("id") for o in out] == ["n0001", None, None, None, None, None, "n0002"]
    assert out[1] == {"file": str(path), "line": 2,
                      "error": "not valid JSON (Expecting property name enclosed in double "
                               "quotes at column 2)"}  # fmt: skip
    assert out[2]["line"] == 4  # the blank line 3 is skipped, but still counted
    errors = result.stderr
    assert f"{path}, line 2: not valid JSON" in errors
    assert f"{path}, line 4: expected a JSON object with a 'text' field, found a list" in errors
    assert f"{path}, line 5: 'text' must be a string, found a number" in errors
    assert f"{path}, line 6: the object has no 'text' field" in errors
    assert f"{path}, line 7: not UTF-8 text" in errors
    assert "5 of 7 lines could not be read" in errors
    assert out[-1]["findings"][0]["text"] == "07700 900002"


def test_pii_scan_takes_several_files_and_standard_input(runner, tmp_path):
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_text(LEAKY)
    second.write_text("Nothing personal here; restored at 14:32.")

    result = runner.invoke(
        args=["pii", "scan", str(first), "-", str(second)], input="Ring Siobhan on 0161 496 0000."
    )

    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert [o["file"] for o in out] == [str(first), "-", str(second)]
    assert any(f["text"] == "07700 900123" for f in out[0]["findings"])
    assert [(f["type"], f["text"]) for f in out[1]["findings"]] == [
        ("NAME", "Siobhan"),
        ("PHONE", "0161 496 0000"),
    ]
    assert out[2]["findings"] == []

    redacted = runner.invoke(args=["pii", "scan", "--redact", str(first), str(second)])
    texts = [o["text"] for o in json.loads(redacted.stdout)]
    assert "[PHONE]" in texts[0] and "07700 900123" not in texts[0]
    assert texts[1] == "Nothing personal here; restored at 14:32."


def test_a_byte_order_mark_is_not_counted_in_the_offsets(runner, tmp_path):
    text = "Ring Siobhan on 0161 496 0000."
    marked = tmp_path / "notepad.txt"
    marked.write_bytes(b"\xef\xbb\xbf" + text.encode())  # as Windows Notepad saves UTF-8
    result = runner.invoke(args=["pii", "scan", str(marked)])
    assert result.exit_code == 0, result.output
    (found,) = [f for f in json.loads(result.stdout) if f["type"] == "PHONE"]  # one file: its list
    assert text[found["start"]:found["end"]] == "0161 496 0000"


def test_a_file_that_is_not_text_is_named_and_the_others_are_checked(runner, tmp_path):
    good, bad = tmp_path / "good.txt", tmp_path / "bad.txt"
    good.write_text("Ring 07700 900123.")
    bad.write_bytes(b"\xff\xfe\x00binary")

    result = runner.invoke(args=["pii", "scan", str(bad), str(good)])

    assert result.exit_code == 1
    out = json.loads(result.stdout)
    assert out[0] == {"file": str(bad), "error": "not UTF-8 text"}
    assert out[1]["findings"][0]["text"] == "07700 900123"
    assert f"{bad}: not UTF-8 text" in result.stderr
    alone = runner.invoke(args=["pii", "scan", str(bad)])
    assert alone.exit_code == 1 and f"{bad} is not UTF-8 text" in alone.output


def test_standard_input_alone_reads_one_note(runner):
    result = runner.invoke(
        args=["pii", "scan", "--redact", "-"], input="Call Priya on 07700 900123."
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == "Call [NAME] on [PHONE]."


# ---- flask evidence suggest -------------------------------------------------------------------
def test_suggest_ranks_a_thousand_json_lines_in_one_process(runner, tmp_path):
    alone = tmp_path / "log.txt"
    alone.write_text(LOGGING)
    single = runner.invoke(args=["evidence", "suggest", "--unit", "BIIAB-INCIDENTS", str(alone)])
    expected = json.loads(single.stdout)
    texts = [LOGGING, "Nothing to do with the unit.", "[NAME] rang at 14:32 from [PHONE]."]
    notes = [{"n": i, "text": texts[i % 3]} for i in range(1000)]

    result = runner.invoke(
        args=["evidence", "suggest", "--unit", "BIIAB-INCIDENTS", "--limit", "3", "--jsonl", "-"],
        input=jsonl(notes),
    )

    assert result.exit_code == 0, result.output
    out = lines_of(result.stdout)
    assert [o["n"] for o in out] == list(range(1000))
    for o in out:
        if o["text"] == LOGGING:
            assert o["suggestions"] == expected[:3]
        elif o["text"].startswith("[NAME]"):
            assert o["suggestions"] == []
    assert out[0]["suggestions"][0]["number"] == "1.1"


def test_suggest_takes_several_files_and_names_a_bad_line(runner, tmp_path):
    log, notes = tmp_path / "log.txt", tmp_path / "notes.jsonl"
    log.write_text(LOGGING)
    notes.write_text(jsonl([{"text": LOGGING, "learner": "L1"}, "oops"]))

    several = runner.invoke(
        args=["evidence", "suggest", "--unit", "BIIAB-INCIDENTS", str(log), "-"], input=LOGGING
    )
    assert several.exit_code == 0, several.output
    out = json.loads(several.stdout)
    assert [o["file"] for o in out] == [str(log), "-"]
    assert out[0]["suggestions"] == out[1]["suggestions"] != []

    lines = runner.invoke(
        args=["evidence", "suggest", "--unit", "BIIAB-INCIDENTS", "--jsonl", str(notes)]
    )
    assert lines.exit_code == 1
    first, second = lines_of(lines.stdout)
    assert first["learner"] == "L1" and first["suggestions"][0]["number"] == "1.1"
    assert second == {"file": str(notes), "line": 2,
                      "error": "not valid JSON (Expecting value at column 1)"}  # fmt: skip
    assert f"{notes}, line 2: not valid JSON" in lines.stderr


def test_suggest_refuses_an_unknown_unit_before_reading(runner):
    result = runner.invoke(
        args=["evidence", "suggest", "--unit", "NOPE", "--jsonl", "-"], input="{}\n"
    )
    assert result.exit_code == 1
    assert "no unit with code 'NOPE'" in result.output
    assert result.stdout == ""


def test_suggest_ranks_with_the_units_guidance_as_the_claims_page_does(app, runner, tmp_path):
    from sqlalchemy import select

    from portfolio.db import db
    from portfolio.evidence.item_suggestions import criteria_texts
    from portfolio.evidence.suggest import suggest_criteria
    from portfolio.units.models import Unit

    version = db.session.scalar(select(Unit).where(Unit.code == "BIIAB-INCIDENTS")).current
    guidance = version.document["guidance"]
    criteria = criteria_texts(version.id)
    texts = [
        "I kept the caller calm, checked the address twice and passed it to the engineer.",
        "Logged the job with the time, the reference and what the customer told me.",
        "I explained to the caller what would happen next and when we would ring back.",
    ]
    expected = [[s.number for s in suggest_criteria(t, criteria, guidance=guidance, limit=5)]
                for t in texts]  # fmt: skip
    without = [[s.number for s in suggest_criteria(t, criteria, limit=5)] for t in texts]
    assert expected != without  # the guidance changes the ranking of these texts
    result = runner.invoke(
        args=["evidence", "suggest", "--unit", "BIIAB-INCIDENTS", "--jsonl", "-"],
        input=jsonl([{"text": t} for t in texts]),
    )
    assert result.exit_code == 0, result.output
    assert [[s["number"] for s in o["suggestions"]] for o in lines_of(result.output)] == expected
