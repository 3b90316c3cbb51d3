"""Measure the personal-data check against the labelled corpora of call notes.

    .venv/bin/python bench/pii_eval.py [path/to/corpus.jsonl|notes.txt] [--misses] [--alarms]

With no path it reports on each corpus in tests/evidence/pii_corpus/ in turn: the first
(corpus.jsonl, which the detector was built on), the second (second.jsonl, written before
any tuning for it), the notes written by hand (handwritten.txt), the third set, written
blind in other sectors' voices (third.txt), the fourth, written blind as apprentices
write their evidence (fourth.txt), the fifth, written blind in seventeen sectors with
chats, signatures and names in lower case (fifth.txt), the sixth, written blind with
every type at least 27 times (sixth.txt), the seventh, written blind about incidents
through contact centres (seventh.txt), the eighth, written blind in banking, billing,
travel and advice lines (eighth.txt), the ninth, written blind in care, housing,
councils and offices (ninth.txt), the tenth, written blind in retail, hospitality,
logistics, trades, IT support and schools (tenth.txt), the eleventh, written blind in
utilities, telecoms, emergency and non-emergency lines, travel and councils (eleventh.txt),
the twelfth, written blind in surgeries, colleges, insurance, payroll, housing,
facilities, vets and leisure, with tables and CSV lines (twelfth.txt), the thirteenth,
written blind in solicitors, funeral directors, charities, buses, salons, nurseries, clubs,
crisis lines and venues (thirteenth.txt), the fourteenth, written blind as learners on
this unit write their evidence of incidents through contact centres (fourteenth.txt),
the fifteenth, written blind as customer service apprentices write theirs across sixteen
kinds of employer (fifteenth.txt), the sixteenth, written blind as apprentices of
twenty-six standards write theirs (sixteenth.txt), and the seventeenth, written blind in
banks, pensions, water, insurance claims, travel, parcels, councils, housing, student
finance, surgeries, debt advice, vets, opticians, letting agents and courts
(seventeenth.txt), the eighteenth, written blind in recruitment, admissions, schools,
home care, field engineering, hospitals, police and fire, hire desks, holiday parks,
stadiums, advice centres, trade counters, removals and kennels (eighteenth.txt), the
nineteenth, written blind as learners on this unit write their evidence across the four
nations (nineteenth.txt), the twentieth, written blind as assessors, IQAs, employers and
apprentices of eighteen standards write around an apprenticeship (twentieth.txt), and the
twenty-first, written blind by customer-facing staff of public services, leisure and
social media care (twenty-first.txt), the twenty-second, written blind in airports,
ports, driving schools, studios, clinics, prisons' visits, clubs and trades' rounds
(twenty-second.txt), the twenty-third, written blind by contact centres and front desks
of utilities, councils, banks, insurers, practices, schools, hotels and small firms
(twenty-third.txt), and the twenty-fourth, written blind at advice lines, care and patient
advice desks, halls of residence, clubs, airports, island ferries, taxi offices, letting
agents, solicitors, venues, deliveries and Northern Irish and Welsh offices
(twenty-fourth.txt), and the twenty-fifth, written blind at funeral directors, register
offices, courts, police and fire stations, care agencies, interpreters, garages, auction
houses, pawnbrokers, installers, caravan parks, box offices, stables and harbours
(twenty-fifth.txt), and the twenty-sixth, written blind at estate agents, building
societies, vets, dentists, opticians, pharmacies, student services, libraries, transport
operators, parking offices, recruitment and security firms, venues, gyms, phone shops,
trades, kennels, driving schools, clubs, housing repairs, admissions and nurseries
(twenty-sixth.txt), and the twenty-seventh, written blind at constituency offices, unions,
HR and data protection teams, fostering, youth work, food banks, refugee support, crisis
lines, veterans' charities, rescue call-outs, building sites, factories, farms, waste and
highways crews, meter rounds, pubs, bakeries, markets, software and cyber desks, a news
desk and churches (twenty-seventh.txt), and the twenty-eighth, written blind as customer
service and contact centre apprentices write their evidence, with their assessors',
employers' and IQAs' notes (twenty-eighth.txt), and the twenty-ninth, written blind at
bank branches, post offices, shops' service desks, salons, studios, cinemas, theme parks,
zoos, stadiums, festivals, receptions, hotels, student halls, campsites, care rotas and
soft play centres (twenty-ninth.txt), and the thirtieth, written blind at telecoms and
breakdown desks, dealerships, couriers, warehouses, factories, building sites, pubs,
hotels, gyms, schools, surgeries, insurers, payroll teams, local radio, churches, kennels,
allotments and trades (thirtieth.txt), and the thirty-first, written blind in health,
care, housing and public services in Scotland, Wales, Northern Ireland and the north of
England (thirty-first.txt), and the thirty-second, written blind in online and consumer
customer service (thirty-second.txt), and the thirty-third, written blind as apprentices
of thirty standards write their evidence, with their assessors', IQAs' and employers'
notes (thirty-third.txt), and the thirty-fourth, written blind in trades, field service and
logistics (thirty-fourth.txt), and the thirty-fifth, written blind in the back offices of
finance, law, HR and public administration (thirty-fifth.txt), and the thirty-sixth,
written blind in rural and coastal Britain and Northern Ireland (thirty-sixth.txt), and the
thirty-seventh, written blind as people type on phones and scanners read forms
(thirty-seventh.txt), and the thirty-eighth, written blind by and about people of many
cultures and naming conventions (thirty-eighth.txt), and the thirty-ninth, written blind
in clinical and health administration (thirty-ninth.txt), and the fortieth, written blind
in legal, justice, housing and local-government offices (fortieth.txt), and the forty-first,
written blind in the offices of colleges, schools and training providers (forty-first.txt).

A label counts as found when a finding of the same type overlaps at least half of the
label's characters. A false alarm is a finding that overlaps no label at all (a finding that
overlaps a label of another type is not counted as a false alarm: the text it covers is
personal data and would be replaced; it simply does not count towards that label's recall).
Precision is (findings - false alarms) / findings. A name label is "unlisted" when none of
its words (titles, initials and particles aside) is in any name list the detector uses.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

from portfolio.evidence.pii import TYPES, find_personal_data
from portfolio.evidence.pii.lists import PARTICLES, TITLES, lexicon

CORPUS = Path(__file__).resolve().parent.parent / "tests/evidence/pii_corpus/corpus.jsonl"


def load(path: Path = CORPUS) -> list[dict]:
    """A corpus: JSON lines, or (a ``.txt`` file) notes marked up by hand."""
    if path.suffix == ".txt":
        return parse_marked(path.read_text(encoding="utf-8"), path.stem)
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


MARK = re.compile(r"\[\[([A-Z_]+)\|(.+?)\]\]")


def parse_marked(source: str, prefix: str) -> list[dict]:
    """Notes separated by lines of ``---``, personal data marked ``[[TYPE|text]]``; lines
    before the first ``---`` starting with ``#`` are a comment."""
    notes = []
    for i, block in enumerate(source.split("\n---\n")[1:]):
        text, labels, pos = "", [], 0
        for m in MARK.finditer(block):
            text += block[pos : m.start()]
            labels.append({"type": m.group(1), "start": len(text),
                           "end": len(text) + len(m.group(2))})  # fmt: skip
            text += m.group(2)
            pos = m.end()
        text += block[pos:]
        notes.append({"id": f"{prefix}-{i:03d}", "text": text.strip("\n"), "labels": labels})
    return notes


def name_is_listed(name: str) -> bool:
    """Whether any word of a name (titles, initials, particles aside) is in the detector's lists."""
    lex = lexicon()
    for word in re.findall(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", name):
        low = word.lower()
        if low in TITLES or low in PARTICLES or len(word) == 1:
            continue
        parts = [low, *re.split(r"[-'’]", low)]
        if any(lex.is_listed(p) for p in parts if len(p) > 1):
            return True
    return False


def _found(label: dict, findings: list) -> bool:
    need = (label["end"] - label["start"]) / 2
    return any(
        f.type == label["type"] and min(f.end, label["end"]) - max(f.start, label["start"]) >= need
        for f in findings
    )


def evaluate(corpus: list[dict]) -> dict:
    """The figures the bench prints, as a dict (rates are fractions; None when undefined)."""
    labelled, found = Counter(), Counter()
    unlisted_total = unlisted_found = 0
    findings_total = alarms = clean_notes = clean_flagged = 0
    misses, false_alarms, by_note = [], [], []
    for note in corpus:
        text, labels = note["text"], note["labels"]
        findings = find_personal_data(text)
        by_note.append(findings)
        findings_total += len(findings)
        for label in labels:
            labelled[label["type"]] += 1
            hit = _found(label, findings)
            found[label["type"]] += hit
            if not hit:
                misses.append((note["id"], label["type"], text[label["start"] : label["end"]]))
            if label["type"] == "NAME" and not name_is_listed(text[label["start"] : label["end"]]):
                unlisted_total += 1
                unlisted_found += hit
        for f in findings:
            if not any(f.start < lab["end"] and lab["start"] < f.end for lab in labels):
                alarms += 1
                false_alarms.append((note["id"], f.type, f.text))
        if not labels:
            clean_notes += 1
            clean_flagged += bool(findings)
    total = sum(labelled.values())

    def rate(a: int, b: int) -> float | None:
        return a / b if b else None

    return {
        "notes": len(corpus),
        "labels": total,
        "labels_by_type": {t: labelled[t] for t in TYPES},
        "recall": rate(sum(found.values()), total),
        "recall_by_type": {t: rate(found[t], labelled[t]) for t in TYPES},
        "unlisted_names": unlisted_total,
        "unlisted_name_share": rate(unlisted_total, labelled["NAME"]),
        "unlisted_name_recall": rate(unlisted_found, unlisted_total),
        "findings": findings_total,
        "false_alarms": alarms,
        "false_alarms_per_100_notes": 100 * alarms / len(corpus) if corpus else None,
        "precision": rate(findings_total - alarms, findings_total),
        "clean_notes": clean_notes,
        "clean_notes_flagged_share": rate(clean_flagged, clean_notes),
        "misses": misses,
        "false_alarm_list": false_alarms,
        "findings_by_note": by_note,  # what the check found in each note, in order
    }


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.1f}%"


def report(figures: dict) -> str:
    lines = [
        f"notes: {figures['notes']}   labelled spans: {figures['labels']}",
        f"recall overall: {_pct(figures['recall'])}",
        "",
        f"{'type':<16}{'labels':>8}{'recall':>9}",
    ]
    for t in TYPES:
        lines.append(
            f"{t:<16}{figures['labels_by_type'][t]:>8}{_pct(figures['recall_by_type'][t]):>9}"
        )
    lines += [
        "",
        f"names not in the detector's lists: {figures['unlisted_names']} "
        f"({_pct(figures['unlisted_name_share'])} of name labels), "
        f"recall {_pct(figures['unlisted_name_recall'])}",
        f"findings: {figures['findings']}   false alarms: {figures['false_alarms']} "
        f"({figures['false_alarms_per_100_notes']:.2f} per 100 notes)   "
        f"precision: {_pct(figures['precision'])}",
        f"clean notes (no labels): {figures['clean_notes']}, "
        f"with any finding: {_pct(figures['clean_notes_flagged_share'])}",
    ]
    return "\n".join(lines)


CORPORA = [
    CORPUS,
    CORPUS.with_name("second.jsonl"),
    CORPUS.with_name("handwritten.txt"),
    CORPUS.with_name("third.txt"),
    CORPUS.with_name("fourth.txt"),
    CORPUS.with_name("fifth.txt"),
    CORPUS.with_name("sixth.txt"),
    CORPUS.with_name("seventh.txt"),
    CORPUS.with_name("eighth.txt"),
    CORPUS.with_name("ninth.txt"),
    CORPUS.with_name("tenth.txt"),
    CORPUS.with_name("eleventh.txt"),
    CORPUS.with_name("twelfth.txt"),
    CORPUS.with_name("thirteenth.txt"),
    CORPUS.with_name("fourteenth.txt"),
    CORPUS.with_name("fifteenth.txt"),
    CORPUS.with_name("sixteenth.txt"),
    CORPUS.with_name("seventeenth.txt"),
    CORPUS.with_name("eighteenth.txt"),
    CORPUS.with_name("nineteenth.txt"),
    CORPUS.with_name("twentieth.txt"),
    CORPUS.with_name("twenty-first.txt"),
    CORPUS.with_name("twenty-second.txt"),
    CORPUS.with_name("twenty-third.txt"),
    CORPUS.with_name("twenty-fourth.txt"),
    CORPUS.with_name("twenty-fifth.txt"),
    CORPUS.with_name("twenty-sixth.txt"),
    CORPUS.with_name("twenty-seventh.txt"),
    CORPUS.with_name("twenty-eighth.txt"),
    CORPUS.with_name("twenty-ninth.txt"),
    CORPUS.with_name("thirtieth.txt"),
    CORPUS.with_name("thirty-first.txt"),
    CORPUS.with_name("thirty-second.txt"),
    CORPUS.with_name("thirty-third.txt"),
    CORPUS.with_name("thirty-fourth.txt"),
    CORPUS.with_name("thirty-fifth.txt"),
    CORPUS.with_name("thirty-sixth.txt"),
    CORPUS.with_name("thirty-seventh.txt"),
    CORPUS.with_name("thirty-eighth.txt"),
    CORPUS.with_name("thirty-ninth.txt"),
    CORPUS.with_name("fortieth.txt"),
    CORPUS.with_name("forty-first.txt"),
]


def main(argv: list[str]) -> None:
    paths = [Path(a) for a in argv if not a.startswith("--")] or CORPORA
    for i, path in enumerate(paths):
        figures = evaluate(load(path))
        print(("\n" if i else "") + f"== {path.name}")
        print(report(figures))
        if "--misses" in argv:
            print("\nmisses:")
            for item in figures["misses"]:
                print("  ", *item)
        if "--alarms" in argv:
            print("\nfalse alarms:")
            for item in figures["false_alarm_list"]:
                print("  ", *item)


if __name__ == "__main__":
    main(sys.argv[1:])
