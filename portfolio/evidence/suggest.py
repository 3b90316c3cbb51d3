"""Suggest which of a unit's assessment criteria a piece of evidence shows, and say why.

The learner accepts or ignores each suggestion, so it must be explainable: every suggestion
carries the learner's own words that matched. How it works:

1. Both texts (the evidence, and each criterion with its learning outcome) are split into
   words, lower-cased, stop words dropped and the rest stemmed (Porter, 1980).
2. Words and multi-word phrases are looked up in a concept map of contact-centre incident
   vocabulary, so that "rang her back" meets "keeping them informed" and "sat with the new
   starter" meets "support to colleagues". A word counts both as itself and as the concepts
   it belongs to; weaker synonyms count for less.
3. Each criterion feature is weighted by how rare it is among the unit's criteria (an
   IDF): a feature every criterion shares says little about which one the text shows.
4. A criterion's score is the BM25-style saturated sum of the features the evidence shares
   with it, as a share of the criterion's own weight, squashed into 0..1. A criterion is
   left out unless the evidence meets it on something that says what was done: a time or a
   reference alone is no evidence of logging.

The vocabulary is general contact-centre incident vocabulary, not tuned to any one unit, so
any unit's criteria can be given; bench/suggest_eval.py measures it on a labelled set.
"""

import math
import re
from dataclasses import dataclass
from functools import cache, lru_cache

# How much a learning outcome's words count next to the criterion's own.
OUTCOME_WEIGHT = 0.5
# BM25's term-frequency saturation: a word said five times is not five times the evidence.
SATURATION = 2.0
# The score is coverage / (coverage + NORMALISER), coverage being the share of the
# criterion's weight the evidence matches (above 1 when matched words recur): 0..1.
NORMALISER = 0.5
MAX_TERMS = 6


@dataclass(frozen=True)
class CriterionText:
    id: int | str
    number: str
    text: str
    outcome: str = ""


@dataclass(frozen=True)
class Suggestion:
    criterion_id: int | str
    number: str
    score: float
    terms: tuple[str, ...]

    def as_dict(self) -> dict:
        return {
            "criterion_id": self.criterion_id,
            "number": self.number,
            "score": self.score,
            "terms": list(self.terms),
        }


# --- Words -------------------------------------------------------------------------------


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


STOP_WORDS = _word_set(
    """
    a about above after against all also am an and any are as at be became been
    before being below between both but by can could did do does doing down during each either
    etc few for from further had has have having he her here hers herself him himself his how
    i if in into is it its itself just me might more most my myself no nor not now of off on
    once only or other our ours ourselves out over own per same she should so some such than that
    the their theirs them themselves then there these they this those through to too under
    until up upon very was we were what when where which while who whom will with within
    would you your yours yourself us let lets got get gets getting go goes going went one two
    three four five six seven eight nine ten first second third every behind whether across
    already still even yet quite via
    e.g eg i.e ie
    """
)
# How specifications are written, not what they ask for: dropped from criteria only, since
# in evidence "showed her the script" or "understood" can mean something.
BOILERPLATE = _word_set(
    """
    award awarded credit demonstrate demonstrates demonstrating demonstrated ability able
    evidence assessor assessors look marks mark given show shown must ensure ensuring
    including include includes appropriate relevant understand knowledge various based
    referencing according provide provides conduct conducts effective effectively
    """
)

# Words the stemmer cannot reach (irregular verbs), mapped to the form it can.
IRREGULAR = {
    "kept": "keep", "sent": "send", "told": "tell", "spoke": "speak", "spoken": "speak",
    "gave": "give", "given": "give", "took": "take", "taken": "take", "rang": "ring",
    "rung": "ring", "made": "make", "felt": "feel", "went": "go", "brought": "bring",
    "thought": "think", "wrote": "write", "written": "write", "caught": "catch", "found": "find",
    "left": "leave", "met": "meet", "paid": "pay", "said": "say", "saw": "see", "seen": "see",
    "stood": "stand", "understood": "understand", "learnt": "learn", "began": "begin",
    "begun": "begin", "chose": "choose", "chosen": "choose", "knew": "know", "known": "know",
    "led": "lead", "held": "hold", "sat": "sit", "heard": "hear", "showed": "show",
    "shown": "show", "sought": "seek", "taught": "teach", "bought": "buy", "ran": "run",
}  # fmt: skip

# Words whose stem would merge them with a word of another meaning: kept whole.
EXACT = {
    "manager": "manager", "managers": "manager", "timely": "timely",
    "effectiveness": "effectiveness", "minutes": "minutes", "teams": "teams",
    "information": "information", "reference": "reference", "references": "reference",
    "business": "business", "businesses": "business", "news": "news",
    "community": "community", "communities": "community", "several": "several",
    "differently": "differently",
}  # fmt: skip

# Said in nearly every piece of contact-centre evidence, so they count for little.
GENERIC_WORDS = {
    "incident": 0.2, "contact centre": 0.1, "call centre": 0.1, "customer": 0.3,
    "caller": 0.3, "call": 0.3, "contact": 0.3, "centre": 0.3, "manage": 0.3,
    "management": 0.3, "deal": 0.3, "handle": 0.3, "handling": 0.3, "issue": 0.3,
    "problem": 0.3, "use": 0.3, "using": 0.3, "team": 0.3, "time": 0.3,
}  # fmt: skip

# The headings of a STAR account say where a sentence sits, not what the learner did.
_STAR_HEADING = re.compile(r"\b(?:situation|task|action|result)\s*:", re.IGNORECASE)
_TOKEN = re.compile(r"[A-Za-z0-9]+(?:[&'’.:/\-][A-Za-z0-9]+)*%?")
# Whole tokens recognised by their shape before any splitting.
_PATTERNS = (
    (re.compile(r"\d{1,2}[:.]\d{2}|\d{1,2}(?:am|pm)"), {"TIME": 1.0}),
    (re.compile(r"p[1-5]|sev[1-5]|cat[1-5]"), {"PRIORITY": 1.0}),
    (re.compile(r"999|112"), {"EMERGENCY_SERVICE": 1.0}),
    (re.compile(r"\d+(?:\.\d+)?%"), {"KPI": 0.5}),
    (re.compile(r"(?:\d+|one|two|four|eight|24|48)-(?:hour|minute|day)s?"), {"SLA": 0.6}),
)

# --- The concept map ---------------------------------------------------------------------
# Contact-centre incident vocabulary, grouped by what a criterion asks for. A bare string
# counts fully; a (term, weight) pair is a weaker or ambiguous member. Terms go through the
# same normalisation as the texts, so "escalation" also covers "escalated" and "escalating".

CONCEPTS: dict[str, tuple[str | tuple[str, float], ...]] = {
    "RECORD": (
        "log", "record", "document", "documentation", "note", "notes", "timestamp",
        "write up", "write down", "incident record", "incident log", "case notes", "capture",
        "audit trail", "timeline", "register", "key in", "fill in", "report completed",
        ("ticket", 0.8), ("enter", 0.5), ("input", 0.6), ("form", 0.4), ("job card", 0.5),
        ("incident report", 0.4), ("kept minutes", 0.8), ("took minutes", 0.8),
        # "Updated the log" is record keeping; "updated the customer" is informing.
        ("update record", 0.8), ("update log", 0.8), ("update ticket", 0.8),
        ("update system", 0.8), ("update notes", 0.8), ("update case", 0.8),
        ("update list", 0.6), ("take details", 0.7), ("take down", 0.7),
    ),
    "DETAILS": (
        "detail", "details", "particulars", "nature", "description", ("what happened", 0.5),
        ("information", 0.7), ("info", 0.7), ("describe", 0.5), ("facts", 0.5),
        ("address", 0.4), ("location", 0.4), ("postcode", 0.4), ("grid reference", 0.4),
    ),
    "TIME": (("time", 0.4), "date", "timestamp", "o'clock", "midnight", "midday"),
    "IDENTIFIER": (
        "caller id", "reference", "ref", "account number", "case reference", "job number",
        "ticket number", "log reference", "cli", "caller reference", ("number", 0.3),
    ),
    "TEMPLATE": ("template", ("form", 0.6), ("fields", 0.4), ("drop-down", 0.5), ("mandatory", 0.5)),
    "ACCURACY": (
        "accurate", "accuracy", "correct", "clarity", "completeness", "precise", "thorough",
        "double-check", ("complete", 0.5), ("clear", 0.5), ("full", 0.4), ("exact", 0.4),
        ("up to date", 0.5),
        ("read back", 0.5), ("check", 0.3),
    ),
    "PRIORITY": (
        "priority", "prioritise", "prioritisation", "severity", "severe", "urgent", "urgency",
        "impact", "critical", "risk to life", "life-threatening", "priority matrix",
        "high priority", "top priority", ("triage", 0.8), ("grade", 0.6), ("emergency", 0.4),
        ("major incident", 0.6), ("vulnerable", 0.4), ("risk", 0.4), ("assess", 0.4),
        ("dangerous", 0.4), ("safety", 0.3),
    ),
    "CLASSIFY": (
        "categorise", "category", "classify", "classification", "incident type", "triage",
        ("type", 0.3), ("assess", 0.6), ("identify", 0.5), ("diagnose", 0.5), ("tag", 0.5),
        ("sort", 0.5), ("code", 0.3), ("treat as", 0.5),
    ),
    "ESCALATE": (
        "escalate", "escalation", "escalation path", "refer", "referral", "second line",
        "2nd line", "third line", "resolver group", ("duty manager", 0.7), ("hand over", 0.5),
        ("handover", 0.5), ("transfer", 0.6), ("supervisor", 0.5), ("team leader", 0.5),
        ("manager", 0.5), ("senior", 0.3), ("specialist", 0.4), ("flag", 0.6), ("raise with", 0.6),
        ("safeguarding lead", 0.6), ("dsl", 0.6), ("major incident", 0.5), ("pass to", 0.5),
        ("on-call manager", 0.7),
    ),
    "EMERGENCY_SERVICE": (
        "emergency services", "police", "ambulance", "paramedic", "fire brigade",
        "fire service", "fire and rescue", "coastguard", "police officer",
    ),
    "ALERT": (
        "alert", "notify", "notification", "warn", "heads-up", "made aware", "let know",
        "broadcast", ("page", 0.7), ("flag", 0.5), ("contact", 0.3), ("tell", 0.3),
        ("inform", 0.4), ("copy in", 0.4), ("distribution list", 0.6),
    ),
    "UPDATE": (
        "update", "inform", "keep informed", "progress", "call back", "ring back",
        "phone back", "follow up", "follow-up", "holding statement", "let know",
        ("status", 0.4), ("eta", 0.4), ("tell", 0.3), ("explain", 0.3), ("regular", 0.3),
        ("news", 0.5), ("latest", 0.4),
    ),
    "EMPATHY": (
        "empathy", "empathetic", "empathise", "reassure", "reassurance", "apologise",
        "apology", "sorry", "rapport", "active listening", "put at ease",
        ("listen", 0.6), ("understanding", 0.3), ("calm", 0.4), ("upset", 0.4),
        ("distressed", 0.4), ("worried", 0.4), ("worrying", 0.4), ("anxious", 0.4),
        ("frightened", 0.4), ("in tears", 0.4), ("frustrated", 0.4),
        ("kind", 0.4), ("gentle", 0.5), ("acknowledge", 0.3), ("feel", 0.3),
    ),
    "CALM": (
        "calm", "composed", "professional", "professionally", "steady", "under pressure",
        "level-headed", ("panic", 0.4), ("patience", 0.4), ("focused", 0.4), ("rush", 0.3),
    ),
    "CUSTOMER": (
        ("customer", 0.3), ("caller", 0.3), ("tenant", 0.3), ("resident", 0.3),
        ("householder", 0.3), ("member of public", 0.3), ("cardholder", 0.3),
    ),
    "STAKEHOLDER": (
        "stakeholder", "affected", "department", "other teams", "service owner",
        ("client", 0.5), ("business", 0.3), ("partner", 0.4), ("account manager", 0.5),
        ("site manager", 0.5), ("building manager", 0.5), ("everyone", 0.3), ("all agents", 0.5),
    ),
    "PROCEDURE": (
        "procedure", "policy", "sop", "standard operating procedure", "protocol",
        "guideline", "incident management plan", "runbook", "playbook", "checklist",
        ("process", 0.8), ("guidance", 0.7), ("script", 0.7), ("plan", 0.7),
        ("framework", 0.7), ("workflow", 0.7), ("knowledge base", 0.5), ("rule", 0.6),
        ("require", 0.4), ("standard", 0.5), ("organisational", 0.5), ("continuity plan", 1.0),
        ("step by step", 0.6),
    ),
    "DATA_PROTECTION": (
        "gdpr", "data protection", "dpa", "confidential", "confidentiality", "personal data",
        "privacy", "anonymise", "redact", "redaction", "id&v", "security questions",
        "passed security", "data breach", "pci", "need to know", "data sharing",
        ("personal details", 0.7), ("verify", 0.6), ("verification", 0.6), ("identity", 0.5),
        ("consent", 0.8), ("secure", 0.7), ("encrypt", 0.8), ("sensitive", 0.6),
        ("card number", 0.6), ("card details", 0.6), ("share", 0.4), ("protection", 0.6),
        ("security", 0.4), ("remove name", 0.7), ("name removed", 0.7), ("details removed", 0.7),
        ("remove details", 0.7),
    ),
    "REGULATION": (
        "regulation", "regulatory", "regulator", "legal", "law", "legislation", "compliance",
        "comply", "compliant", "statutory", "ofgem", "ofwat", "ofcom", "fca", "riddor",
        "health and safety", "h&s", "duty of care", "consumer rights act", "equality act",
        ("requirement", 0.6), ("ombudsman", 0.6), ("safeguarding", 0.6), ("gdpr", 0.5),
        ("data protection", 0.5), ("standards", 0.4), ("licence", 0.4),
    ),
    "EVALUATE": (
        "evaluate", "evaluation", "effectiveness", "reflecting", "review", "reflect", "reflection",
        "look back", "lessons learned", "lessons learnt", "lesson", "go well", "what worked",
        "do differently", "even better if", "hindsight", "debrief", "wash-up", "post-incident",
        "retrospective", "analyse", "analysis", ("next time", 0.7), ("differently", 0.7),
        ("learn", 0.5), ("huddle", 0.4), ("compare", 0.4), ("measure", 0.5), ("go wrong", 0.6),
        ("go through", 0.4),
    ),
    "IMPROVE": (
        "improve", "improvement", "suggest", "suggestion", "recommend", "recommendation",
        "propose", "proposal", "prevent", "recurrence", ("change", 0.4), ("better", 0.4),
        ("trial", 0.4), ("again", 0.3),
    ),
    "KPI": (
        "kpi", "key performance indicator", "performance indicator", "first call resolution",
        "fcr", "first-time fix", "first time fix", "average handling time", "aht",
        "handling time", "abandon rate", "abandonment", "wrap-up", "customer satisfaction",
        "csat", "nps", "metric", "repeat calls", ("target", 0.7), ("sla", 0.6),
        ("service level", 0.6), ("survey", 0.5), ("measure", 0.5), ("figures", 0.5),
        ("performance", 0.5),
    ),
    "SLA": (
        "service level agreement", "sla", "service level", "response time", "fix time",
        "resolution time", ("target", 0.5), ("contract", 0.6), ("deadline", 0.5),
        ("breach", 0.6),
    ),
    "ROOT_CAUSE": (
        "root cause", "underlying cause", "recurrence", ("cause", 0.8), ("repeat", 0.5),
        ("reason", 0.3), ("why", 0.3), ("real cause", 1.0),
    ),
    "SUPPORT": (
        "support", "coach", "buddy", "mentor", "floor walker", "talk through", "sit with",
        "sit next", "listen in", ("help", 0.5), ("assist", 0.5), ("shadow", 0.7),
        ("show how", 0.6), ("show where", 0.6), ("guide", 0.6), ("prompt", 0.6), ("take over", 0.5), ("step in", 0.5),
        ("wellbeing", 0.5), ("a hand", 0.6), ("train", 0.5), ("explain", 0.2),
    ),
    "COLLEAGUE": (
        "colleague", "new starter", "starter", "trainee", "team member", "teammate", "peer",
        "coworker", "new agent", "new advisor", ("agent", 0.4), ("advisor", 0.4),
        ("adviser", 0.4), ("team", 0.3),
    ),
    "RATIONALE": (
        "rationale", "reason", "justify", "justification", "weigh up", "factor",
        ("decision", 0.7), ("decide", 0.7), ("choose", 0.7), ("because", 0.4),
        ("rather than", 0.5), ("instead", 0.4), ("so that", 0.3),
    ),
    "DEPLOY": (
        "deploy", "deployment", "dispatch", "despatch", "allocate", "allocation", "mobilise",
        "call out", "call-out", "send out", ("assign", 0.8), ("send", 0.6), ("task", 0.6),
        ("book", 0.5), ("attend", 0.5), ("request", 0.3), ("job", 0.3),
    ),
    "RESOURCE": (
        "resource", "engineer", "technician", "field staff", "field team", "field engineer",
        "crew", "contractor", "responder", "specialist team", "personnel",
        "plumber", "electrician", "locksmith", "surveyor", "patrol",
        ("specialist", 0.6), ("staff", 0.6), ("team", 0.3), ("teams", 0.3), ("van", 0.5),
        ("driver", 0.5),
        ("unit", 0.3), ("warden", 0.5), ("on-call", 0.5), ("people", 0.3),
    ),
    "AVAILABILITY": (
        "available", "availability", "on shift", "rota", "on call", "capacity", "nearest",
        "closest", "short-staffed", ("free", 0.5), ("busy", 0.4), ("tracker", 0.5),
        ("live location", 0.6), ("committed", 0.3), ("staff", 0.3),
    ),
    "CONFIRM": (
        "confirm", "confirmation", "acknowledge", "acknowledgement", "receipt", "read back",
        "repeat back", "reported back", "en route", ("received", 0.5), ("repeat", 0.4),
        ("accept", 0.7), ("reply", 0.5), ("eta", 0.5), ("arrival time", 0.5),
        ("feedback", 0.6), ("check", 0.3),
    ),
    "INSTRUCTION": (
        "instruction", "instruct", "brief", "briefing", "job details",
        "job sheet", ("job card", 0.6), ("what to do", 0.6),
    ),
    "COMMS_TOOL": (
        "telephony", "radio", "webchat", "email", "e-mail", "slack", "sms", "teams message",
        "teams chat", "teams channel", "on teams", "via teams", "microsoft teams", "ms teams",
        "conference bridge", "incident bridge", "bridge call", ("chat", 0.7),
        "messaging", "internal messaging", "pager", "dispatch software", "dispatch system",
        "communication tool", "communication channel", "job board", "intercom", "tannoy",
        "pda", "handset", ("phone", 0.6), ("telephone", 0.6), ("text", 0.5), ("message", 0.5),
        ("channel", 0.7), ("app", 0.5), ("portal", 0.6), ("dialler", 0.6), ("ivr", 0.6),
        ("system", 0.4), ("crm", 0.4), ("software", 0.4), ("tool", 0.5),
    ),
    "RECORD_SYSTEM": (
        "system", "crm", "database", "software", "servicenow", "salesforce", "zendesk",
        "incident management system", "ticketing", "case management", "incident logging software",
        ("platform", 0.6), ("screen", 0.5), ("tool", 0.5), ("portal", 0.4), ("app", 0.3),
        ("radio", 0.3), ("telephony", 0.3), ("chat", 0.3), ("email", 0.3),
    ),
    "COMMUNICATE": (
        "communication", "communicate", ("speak", 0.4), ("talk", 0.3), ("conversation", 0.4),
        ("phone", 0.3), ("message", 0.3), ("explain", 0.3),
    ),
    "PROMPT": (
        "timely", "promptly", "prompt", "quickly", "straight away", "immediately", "at once",
        "swift", "swiftly", "efficiently", "efficient", ("fast", 0.6), ("right away", 1.0),
        ("within minutes", 1.0), ("same day", 0.5),
    ),
    "RESOLVE": (
        "resolve", "resolution", "fix", "restore", ("close", 0.5), ("back on", 0.5),
        ("outcome", 0.4),
    ),
}  # fmt: skip


# Concepts that say how or when something was done, not what: a time, a reference, "clear",
# "quickly". They add to a match but cannot make one alone, so that a football report's
# "kicked off at 3pm" suggests nothing.
CONTEXT_CONCEPTS = frozenset(
    {"TIME", "DETAILS", "IDENTIFIER", "ACCURACY", "CUSTOMER", "COMMUNICATE", "PROMPT"}
)

# A concept that implies another: GDPR is a regulatory requirement, quoting a KPI is
# evaluating, calling 999 is alerting the emergency services and an escalation.
IMPLIES = {
    "DATA_PROTECTION": {"REGULATION": 0.5},
    "KPI": {"EVALUATE": 0.4},
    "EMERGENCY_SERVICE": {"ALERT": 0.5, "ESCALATE": 0.5},
}

# --- Stemming ----------------------------------------------------------------------------

_VOWELS = frozenset("aeiou")


def _is_consonant(word: str, i: int) -> bool:
    if word[i] in _VOWELS:
        return False
    if word[i] == "y":
        return i == 0 or not _is_consonant(word, i - 1)
    return True


def _measure(stem: str) -> int:
    """Porter's m: how many vowel-then-consonant sequences the stem has."""
    m, previous_vowel = 0, False
    for i in range(len(stem)):
        vowel = not _is_consonant(stem, i)
        m += previous_vowel and not vowel
        previous_vowel = vowel
    return m


def _has_vowel(stem: str) -> bool:
    return any(not _is_consonant(stem, i) for i in range(len(stem)))


def _ends_cvc(word: str) -> bool:
    """Consonant, vowel, consonant, the last not w, x or y: hop, not hoop."""
    n = len(word)
    return (
        n >= 3
        and _is_consonant(word, n - 3)
        and not _is_consonant(word, n - 2)
        and _is_consonant(word, n - 1)
        and word[-1] not in "wxy"
    )


_STEP2 = (
    ("ational", "ate"), ("tional", "tion"), ("enci", "ence"), ("anci", "ance"), ("izer", "ize"),
    ("bli", "ble"), ("alli", "al"), ("entli", "ent"), ("eli", "e"), ("ousli", "ous"),
    ("ization", "ize"), ("ation", "ate"), ("ator", "ate"), ("alism", "al"), ("iveness", "ive"),
    ("fulness", "ful"), ("ousness", "ous"), ("aliti", "al"), ("iviti", "ive"), ("biliti", "ble"),
    ("logi", "log"),
)  # fmt: skip
_STEP3 = (
    ("icate", "ic"), ("ative", ""), ("alize", "al"), ("iciti", "ic"), ("ical", "ic"),
    ("ful", ""), ("ness", ""),
)  # fmt: skip
_STEP4 = sorted(
    ("al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent", "ion",
     "ou", "ism", "ate", "iti", "ous", "ive", "ize"),
    key=len,
    reverse=True,
)  # fmt: skip


def _replace_suffix(word: str, rules, min_measure: int = 0) -> str:
    for suffix, replacement in rules:
        if word.endswith(suffix):
            stem = word[: -len(suffix)]
            return stem + replacement if _measure(stem) > min_measure else word
    return word


@cache
def porter_stem(word: str) -> str:
    """The Porter (1980) stemmer: escalated, escalating, escalation -> escal."""
    if len(word) <= 2:
        return word
    if word.endswith(("sses", "ies")):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    if word.endswith("eed"):
        if _measure(word[:-3]) > 0:
            word = word[:-1]
    else:
        for suffix in ("ed", "ing"):
            if word.endswith(suffix) and _has_vowel(word[: -len(suffix)]):
                word = word[: -len(suffix)]
                if word.endswith(("at", "bl", "iz")):
                    word += "e"
                elif len(word) >= 2 and word[-1] == word[-2] and word[-1] not in "aeioulsz":
                    word = word[:-1]
                elif _measure(word) == 1 and _ends_cvc(word):
                    word += "e"
                break
    if word.endswith("y") and _has_vowel(word[:-1]):
        word = word[:-1] + "i"
    word = _replace_suffix(word, _STEP2)
    word = _replace_suffix(word, _STEP3)
    for suffix in _STEP4:
        if word.endswith(suffix):
            stem = word[: -len(suffix)]
            if _measure(stem) > 1 and (suffix != "ion" or stem.endswith(("s", "t"))):
                word = stem
            break
    if word.endswith("e"):
        stem = word[:-1]
        if _measure(stem) > 1 or (_measure(stem) == 1 and not _ends_cvc(stem)):
            word = stem
    if word.endswith("ll") and _measure(word) > 1:
        word = word[:-1]
    return word


# --- Analysis ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    key: str  # the normalised stem; "" for a number or symbol that means nothing alone
    start: int
    end: int
    stop: bool
    pattern: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class _Term:
    """One word or phrase of a text and the features it brings."""

    start: int
    end: int
    features: tuple[tuple[str, float], ...]


def _normalise_word(word: str) -> str:
    word = word.lower().replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    word = IRREGULAR.get(word, word)
    # British and American spellings meet: prioritize -> prioritise, analyze -> analyse.
    word = re.sub(r"iz(e|es|ed|ing|ation|ations|er|ers)$", r"is\1", word)
    word = re.sub(r"yz(e|es|ed|ing)$", r"ys\1", word)
    # Adverbs meet their adjectives (calmly -> calm), which Porter leaves apart; not reply,
    # family or possibly, where "ly" is no suffix or the stem would change.
    if len(word) >= 6 and word.endswith("ly") and not word.endswith(("ply", "ily", "bly")):
        word = word[:-2]
    return word


def _word_key(word: str) -> tuple[str, bool]:
    """A word's key (its stem) and whether it is a stop word."""
    lower = word.lower().replace("’", "'")
    if lower in EXACT:
        return EXACT[lower], False
    word = _normalise_word(word)
    if word in STOP_WORDS:
        return word, True
    if not any(ch.isalpha() for ch in word):
        return "", True
    return porter_stem(word), False


def _tokens(text: str) -> list[_Token]:
    headings = {match.start() for match in _STAR_HEADING.finditer(text)}
    tokens = []
    for match in _TOKEN.finditer(text):
        if match.start() in headings:
            continue
        raw = match.group().lower()
        pattern = next((features for regex, features in _PATTERNS if regex.fullmatch(raw)), None)
        if pattern is not None:
            features = tuple(_with_implied(pattern).items())
            tokens.append(_Token("", match.start(), match.end(), False, features))
            continue
        # Hyphenated and slashed words are read part by part, so "follow-up" meets "follow up".
        offset = match.start()
        for part in re.split(r"[\-/]", match.group()):
            if part:
                key, stop = _word_key(part)
                tokens.append(_Token(key, offset, offset + len(part), stop))
            offset += len(part) + 1
    return tokens


def _phrase_key(phrase: str) -> tuple[str, ...]:
    """A lexicon entry as the sequence of keys its words normalise to, stop words kept."""
    keys = []
    for match in _TOKEN.finditer(phrase):
        for part in re.split(r"[\-/]", match.group()):
            if part:
                keys.append(_word_key(part)[0])
    return tuple(keys)


def _with_implied(concepts: dict[str, float]) -> dict[str, float]:
    """The concepts with those they imply, at the implied strength."""
    out = dict(concepts)
    for concept, weight in concepts.items():
        for other, factor in IMPLIES.get(concept, {}).items():
            out[other] = max(out.get(other, 0.0), weight * factor)
    return out


@cache
def _lexicon() -> dict[str, list[tuple[tuple[str, ...], dict[str, float]]]]:
    """Concept entries indexed by their first key, longest first."""
    entries: dict[tuple[str, ...], dict[str, float]] = {}
    for concept, terms in CONCEPTS.items():
        for term in terms:
            phrase, weight = (term, 1.0) if isinstance(term, str) else term
            key = _phrase_key(phrase)
            if not key:
                continue
            concepts = entries.setdefault(key, {})
            for name, strength in _with_implied({concept: weight}).items():
                concepts[name] = max(concepts.get(name, 0.0), strength)
    # Generic phrases ("contact centre") are read as one term that belongs to no concept.
    for phrase in GENERIC_WORDS:
        entries.setdefault(_phrase_key(phrase), {})
    index: dict[str, list[tuple[tuple[str, ...], dict[str, float]]]] = {}
    for key, concepts in entries.items():
        index.setdefault(key[0], []).append((key, concepts))
    for candidates in index.values():
        candidates.sort(key=lambda entry: -len(entry[0]))
    return index


@cache
def _boilerplate_keys() -> frozenset[str]:
    return frozenset(_word_key(word)[0] for word in BOILERPLATE)


@cache
def _generic_weights() -> dict[str, float]:
    """Literal weights of the generic terms, by their keys joined with spaces."""
    return {" ".join(_phrase_key(term)): weight for term, weight in GENERIC_WORDS.items()}


# Stop words and generic words a phrase may skip over: "rang her back" is "ring back", as
# are "called the customer back" and "raised the incident with" is "raise with".
_MAX_GAP = 2


def _match_phrase(tokens: list[_Token], i: int, key: tuple[str, ...]) -> int | None:
    """The index after the phrase if it starts at token i, else None.

    A phrase that starts with a stop word must be whole ("on call", not "on the call").
    """
    max_gap = 0 if tokens[i].stop else _MAX_GAP
    generic = _generic_weights()
    j = i + 1
    for part in key[1:]:
        gap = 0
        while (
            j < len(tokens)
            and tokens[j].key != part
            and (tokens[j].stop or tokens[j].key in generic)
            and gap < max_gap
        ):
            j += 1
            gap += 1
        if j >= len(tokens) or tokens[j].key != part:
            return None
        j += 1
    return j


@lru_cache(maxsize=4096)
def _analyse(text: str, criterion: bool = False) -> tuple[_Term, ...]:
    """The text's terms: phrases from the concept map, else single words that are not stop words.

    For a criterion's text the specification's boilerplate ("award credit for demonstrating")
    is dropped first.
    """
    tokens = _tokens(text)
    if criterion:
        boilerplate = _boilerplate_keys()
        tokens = [token for token in tokens if token.key not in boilerplate]
    lexicon = _lexicon()
    generic = _generic_weights()
    terms = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.pattern:
            terms.append(_Term(token.start, token.end, token.pattern))
            i += 1
            continue
        matched = None
        for key, concepts in lexicon.get(token.key, ()):
            # A stop word may start a phrase ("on call") but is nothing on its own.
            end = _match_phrase(tokens, i, key) if len(key) > 1 or not token.stop else None
            if end is not None:
                matched = (key, concepts, end)
                break
        if matched is None and token.stop:
            i += 1
            continue
        key, concepts, end = matched or ((token.key,), {}, i + 1)
        literal = " ".join(key)
        features = {"=" + literal: generic.get(literal, 1.0), **concepts}
        terms.append(_Term(token.start, tokens[end - 1].end, tuple(features.items())))
        i = end
    return tuple(terms)


def _profile(text: str, scale: float = 1.0) -> dict[str, float]:
    profile: dict[str, float] = {}
    for term in _analyse(text, criterion=True):
        for feature, weight in term.features:
            profile[feature] = max(profile.get(feature, 0.0), weight * scale)
    return profile


def _criterion_profile(criterion: CriterionText) -> dict[str, float]:
    profile = _profile(criterion.outcome, OUTCOME_WEIGHT)
    for feature, weight in _profile(criterion.text).items():
        profile[feature] = max(profile.get(feature, 0.0), weight)
    return profile


def _saturate(frequency: float) -> float:
    return frequency * (SATURATION + 1) / (frequency + SATURATION)


def _surface(text: str, term: _Term) -> str:
    """The learner's words as written, without the capital a sentence start gives them."""
    words = text[term.start : term.end]
    before = text[: term.start].rstrip()
    sentence_start = not before or before[-1] in ".!?:-*\u2022"
    if sentence_start and words[:1].isupper() and words[1:].islower():
        words = words[0].lower() + words[1:]
    return words


def suggest_criteria(
    text: str,
    criteria: list[CriterionText],
    *,
    limit: int | None = None,
    min_score: float = 0.05,
) -> list[Suggestion]:
    """The unit's criteria this evidence seems to show, best first, with the words that matched."""
    terms = _analyse(text or "")
    if not terms or not criteria:
        return []
    frequency: dict[str, float] = {}
    for term in terms:
        for feature, weight in term.features:
            frequency[feature] = frequency.get(feature, 0.0) + weight
    core = _core_features(terms)

    profiles = [_criterion_profile(criterion) for criterion in criteria]
    document_frequency: dict[str, int] = {}
    for profile in profiles:
        for feature in profile:
            document_frequency[feature] = document_frequency.get(feature, 0) + 1
    n = len(criteria)
    idf = {
        feature: math.log(1 + (n - df + 0.5) / (df + 0.5))
        for feature, df in document_frequency.items()
    }

    ranked = []
    for position, (criterion, profile) in enumerate(zip(criteria, profiles, strict=True)):
        importance = {feature: idf[feature] * weight for feature, weight in profile.items()}
        contributions = {
            feature: importance[feature] * _saturate(frequency[feature])
            for feature in importance
            if feature in frequency
        }
        matched = sum(contributions.values())
        if not core.intersection(contributions):
            continue
        coverage = matched / sum(importance.values())
        score = coverage / (coverage + NORMALISER)
        if score < min_score:
            continue
        ranked.append(
            (-score, position, criterion, _explain(text, terms, contributions, frequency))
        )
    ranked.sort(key=lambda entry: (entry[0], entry[1]))
    suggestions = [
        Suggestion(criterion.id, criterion.number, round(-negative, 4), explanation)
        for negative, _position, criterion, explanation in ranked
    ]
    return suggestions if limit is None else suggestions[:limit]


def _core_features(terms: tuple[_Term, ...]) -> set[str]:
    """The features that can make a match: those of terms that say what was done."""
    core = set()
    for term in terms:
        literal = [f for f, weight in term.features if f.startswith("=") and weight >= 1]
        concepts = [f for f, _weight in term.features if not f.startswith("=")]
        substantive = [c for c in concepts if c not in CONTEXT_CONCEPTS]
        if substantive or (literal and not concepts):
            core.update(substantive + literal)
    return core


def _explain(
    text: str,
    terms: tuple[_Term, ...],
    contributions: dict[str, float],
    frequency: dict[str, float],
) -> tuple[str, ...]:
    """The learner's words that matched, the ones that weighed most first."""
    by_word: dict[str, list] = {}
    for term in terms:
        share = sum(
            contributions[feature] * weight / frequency[feature]
            for feature, weight in term.features
            if feature in contributions
        )
        if share <= 0:
            continue
        surface = _surface(text, term)
        entry = by_word.setdefault(surface.lower(), [0.0, term.start, surface])
        entry[0] += share
    best = sorted(by_word.values(), key=lambda entry: (-entry[0], entry[1]))
    if not best:
        return ()
    floor = best[0][0] * 0.1
    return tuple(surface for share, _start, surface in best[:MAX_TERMS] if share >= floor)
