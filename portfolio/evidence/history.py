"""What changed between two versions of an item, field by field, words marked."""

import difflib
from dataclasses import dataclass

from portfolio.evidence.kinds import field_label
from portfolio.evidence.models import EvidenceFile, EvidenceVersion

# How a run of words of a field's text fared from one version to the next.
SAME, REMOVED, ADDED = "same", "removed", "added"


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str
    diff: list[tuple[str, str]]  # runs of words: SAME, REMOVED or ADDED, and the words


def flatten(value, prefix: str = "") -> dict[str, str]:
    """Every value in a version's content by path, as text."""
    if isinstance(value, dict):
        out = {}
        for key, inner in value.items():
            out.update(flatten(inner, f"{prefix}.{key}" if prefix else key))
        return out
    if isinstance(value, list):
        out = {}
        for index, inner in enumerate(value):
            out.update(flatten(inner, f"{prefix}.{index}"))
        return out
    if isinstance(value, bool):
        return {prefix: "yes" if value else "no"}
    return {prefix: "" if value is None else str(value)}


def word_diff(before: str, after: str) -> list[tuple[str, str]]:
    """The words of both texts in order, in runs kept, removed and added (shown by the
    ``word_diff`` macro of templates/evidence/_content.html)."""
    old, new = before.split(), after.split()
    runs = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            runs.append((SAME, " ".join(old[a1:a2])))
            continue
        if a2 > a1:
            runs.append((REMOVED, " ".join(old[a1:a2])))
        if b2 > b1:
            runs.append((ADDED, " ".join(new[b1:b2])))
    return runs


def changes(previous: EvidenceVersion | None, version: EvidenceVersion) -> list[Change]:
    """Fields that differ between a version and the one before it."""
    before = flatten(previous.content) if previous else {}
    after = flatten(version.content)
    out = []
    for path in sorted(set(before) | set(after), key=lambda p: (p.split(".")[0], p)):
        old, new = before.get(path, ""), after.get(path, "")
        if old != new:
            out.append(Change(_label(path), old, new, word_diff(old, new)))
    return out


def _label(path: str) -> str:
    label = field_label(path)
    return label.replace("_", " ").capitalize() if label == path else label


def file_changes(files: list[EvidenceFile], number: int) -> tuple[list, list]:
    """Files added and removed in this version."""
    added = [f for f in files if f.added_in_version == number]
    removed = [f for f in files if f.removed_in_version == number]
    return added, removed
