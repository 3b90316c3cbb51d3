"""Finding people's names in free text, for the personal-data check.

Each capitalised word gets a class:

- S: never a name (organisations, products, days, months, titles, role words);
- L: a place that is not also a name (Leeds); it counts as a surname straight after a
  given name or title ("Nerys Gwynedd", "Mx Gwynedd");
- N: a given name or surname that is not also an ordinary word (Siobhan, Patel);
- A: an ambiguous name, also an ordinary word or a place (Will, Grace, Rose, Preston);
- W: an ordinary English word (Customer, Period, Thanks);
- U: unknown (Oluwaseun, Brzeczyszczykiewicz): most often a name, a place or a brand.

Runs of capitalised words joined by single spaces are split at S and L words into pieces;
a title starts a piece and takes up to four name words after it ("Mrs A. Khan", "Dr Tan";
the title is part of the span). In other pieces, groups of N/A/U words (with initials and
particles such as "bin", "da", "van") are names when:

- a cue comes before: "my name is", "spoke to", "Caller:", "passed to", "emailed", "per",
  "engineer", "her husband" and the like (see ``_CUE``);
- the group has two or more words, one of them N or U ("Oluwaseun Bakare"), or is not at
  the start of a sentence ("... with Will Young");
- it is a single N word ("Wojciech");
- a verb that people do follows ("Grace said", "Tadhg rang back"; for U words also "is",
  "took", "from" ..., a bracket or a colon: "Tadhg (supervisor)", "Tadhg: please chase");
- it is joined by "and" or a comma to a name ("Grace and Priya", "cc Jasper, Eilidh");
- a role stands beside it ("Rose, my senior stylist", "a new member, Mark,", "Will
  (mentor)", "Bill (Mr W. Hughes)").

A group is not a name when a street or organisation word follows ("Kennedy Close",
"Preston depot", "Matlock and Buxton depots") or, uncued, when an article comes before
("a Netgear Orbi"). Ordinary words join a group next to name words ("Tan Wei", "Wei Tan").
Separate passes find names after field cues whatever their case ("Surname: OKONKWO"),
titles in lower case ("mr khan"), lower-case names after strong cues ("spoke to priya") or
that are no English word ("gemma"), the speakers of a copied chat ("[07:16] Dawn:"), a name
signing a message, initials where someone signs ("Taken by: KB"), and, last, every other
place a name found once is written the same way.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from portfolio.evidence.pii.lists import (
    ABBREVIATIONS,
    CALENDAR_NAMES,
    JOBS,
    NO_NAME,
    ORG_HEADS,
    PARTICLES,
    ROLE_WORDS,
    STREET_SUFFIXES,
    STRONG_NAMES,
    STRONG_VERBS,
    TITLES,
    WEAK_VERBS,
    frequent_words,
    lexicon,
)

CONTRACTIONS = re.compile(r"(?i).+['’](?:m|ll|ve|d|t|re|s)$")
_CUE = "|".join(
    [
        # introductions
        r"(?:sur|first |last |family |full |fore|maiden )?name(?:'s| is| was| given as| as)|"
        r"account name",
        r"i'm|i am|this is|it's|its|it is|known as|(?:hi|hiya|hey|hello)\b[\w ,]{0,8}\bits",
        # talking to someone, handing work to someone
        r"speaking to|spoke to|spoke with|speaking with|talked to|talking to|talked with|"
        r"called by|asked for|asked to speak to|on behalf of|left with|signed for by",
        r"passed to|passed over to|transferred to|handed to|handed over to|put through to|"
        r"escalated to|assigned to|allocated to|call ?back to|call ?back for|addressed to|"
        r"referred(?: (?:him|her|them|it))? to",
        # doing something with or for someone
        r"emailed|told|met|thanked|reminded|informed|contacted|messaged|texted|shadowed|"
        r"chased|asked|advised|warned|helped|called|rang|phoned|waiting on|waiting for|"
        r"checked with|agreed with|confirmed with|working with|according to|per|cc|"
        r"(?:booked|booking|appointment|appt|session|lesson|class)(?: \w+){0,2} with|"
        r"\d{1,2}(?:[:.]\d\d)?(?:am|pm)? with|(?:my|our|the) team|team members?|"
        r"thanks to|thank you|thanks|hi|hello|dear|love from|in the name of",
        r"(?:voicemail|message|reminder|note|email|letter|text|update|complaint|feedback|"
        r"query|concern|visit|invoice|parcel|delivery)s? (?:for|from|about|by)",
        r"(?:attended|approved|authorised|checked|raised|logged|handled|completed|signed|applied|"
        r"done|visited|taken|written|witnessed|observed|assessed|reviewed|seen|served|"
        r"processed|corrected|prepared|keyed|verified|countersigned|supervised|actioned|"
        r"handed over|collected|covered)(?: (?:at )?\d{1,2}[:.]\d\d)? by",
        r"well done|congratulations|congrats|good luck|welcome",
        # fields and people's roles
        r"(?:caller|customer|cust|contact|patient|tenant|account holder|policy ?holder|"
        r"bill payer|engineer|agent|advisor|adviser|nurse|clinician|applicant|claimant|"
        r"vendor|buyer|passenger)(?: name)?\s*[:\-–]",
        r"name\s*[:\-–]|caller|customer|cust|son|daughter|wife|husband|partner|mum|mother|dad|"
        r"father|sister|brother|carer|friend|colleague|manager|team leader|supervisor|"
        r"engineer|technician|driver|courier|nurse|doctor|landlord|tenant|neighbour|agent|"
        r"advisor|adviser|clinician|paramedic|officer|resident|homeowner|patient|key holder|"
        r"nephew|niece|uncle|aunt|auntie|cousin|grandson|granddaughter|nan|gran|grandad|"
        r"grandma|grandpa|stepson|stepdaughter|fianc[eé]e?|mentor|stylist|assessor|witness|"
        r"observer|tutor|trainer|reviewer",
    ]
)
# Relatives and the people around someone, whose name may follow in lower case, if listed
# ("her husband ron", "neighbour hope richards").
_CLOSE_TO = (
    "husband|wife|son|daughter|partner|mum|dad|brother|sister|neighbour|driver|matron|carer|"
    "instructor|instr|landlord|landlady|nan|nana|gran|granny|grandma|grandad|grandpa|grandson|"
    "granddaughter|aunt|auntie|uncle|cousin|nephew|niece"
)
# Cues strong enough to take a name written in lower case ("spoke to priya").
STRONG_CUE = re.compile(
    r"(?i)(?:^|(?<=[^\w']))(?:(?:my |her |his |their )?name(?: is| was|'s)|i'm|i am|this is|"
    r"it['’]?s|"
    r"(?:hi|hiya|hey|hello)\b[\w ,]{0,8}\bits|"
    r"(?:(?:my|her|his|their) )?(?:" + _CLOSE_TO + r") |"
    r"name on (?:the )?(?:account|card) |"
    r"(?:customer|cust|client|tenant|patient|pt|member)(?: name)? |"
    r"spoke to|spoke with|"
    r"speaking to|speaking with|passed to|transferred to|handed over to|handed to|"
    r"refer(?:red)? to|(?:msg|message) for|"
    r"(?:man|woman|lady|gentleman|guy|bloke|chap|lad|girl|boy|person|someone|somebody|child|kid)"
    r" (?:called|named)|"
    r"(?:caller|customer|contact|patient|tenant|account holder)(?: name)?\s*[:\-–]|"
    r"name\s*[:\-–])\s*$"
)
CUE_BEFORE = re.compile(r"(?i)(?:^|(?<=[^\w']))(" + _CUE + r")[\s:,\-–]*$")
# A person's role in lower case: "carer Blessing", not "Customer Services".
ROLE_BEFORE = re.compile(r"(?:^|(?<=[^\w']))(?:" + "|".join(sorted(ROLE_WORDS)) + r")\s+$")
_WORD = r"[^\W\d_]+(?:['’][^\W\d_]+|-[^\W\d_]+)*"
TOKEN = re.compile(_WORD)
LOWER_TITLE = re.compile(
    r"(?<![\w'])(mrs?|ms|mx|dr|miss|MRS?|MS|MX|DR|MISS|PROF|SIR|DAME|REV|"
    r"Mrs?|Ms|Mx|Dr|Miss|Prof|Sir|Dame|Rev)\.?\s+(?:[A-Za-z]\.? ){0,3}(" + _WORD + r")"
)


def classify(word: str) -> str:
    """The class (S, N, A, W or U) of one capitalised word."""
    lex = lexicon()
    low = word.lower()
    if low in CALENDAR_NAMES:
        return "A"
    if CONTRACTIONS.fullmatch(word):
        return "W"
    # Capitals then lower case, or capitals inside: "MOTs", "NINo", "WaterSure" (not "McKay").
    shaped = re.fullmatch(r"[A-Z]{2,}[a-z]+", word) or re.search(r"[a-z][A-Z]", word)
    if shaped and not re.match(r"(?:Mc|Mac|Nic|Fitz|De|Di|La|Le|Van|Von)[A-Z]", word):
        return "S"
    if low in lex.stop or low in TITLES or low in ABBREVIATIONS:
        return "S"  # "Veh: CU67 HBW", "Appt: Mon"
    if low in lex.given or low in lex.surnames:
        ambiguous = (low in lex.common and low not in STRONG_NAMES) or low in lex.places
        return "A" if ambiguous else "N"
    if low in lex.places:
        return "S"
    if low in lex.common:
        return "W"
    if re.match(r"(?:O['’]|D['’])[A-Z][a-z]", word):
        return "N"  # "O'Hare", "D'Souza": not "o" and "hare"
    parts = [p for p in re.split(r"[-'’]", low) if p]
    if len(parts) > 1:
        kinds = {classify(p) for p in parts if len(p) > 1}
        if kinds & {"N", "A"}:
            return "N" if "N" in kinds or "U" in kinds else "A"
        if kinds == {"W"} or "S" in kinds:
            return "W" if "W" in kinds else "S"
    if re.match(r"(?:Mc|Mac|Nic|Fitz|O['’]|D['’])[A-Z]", word):
        return "N"
    if _ordinary_by_shape(low, lex.common):
        return "W"  # "Affordability", "Repayments", "Callback", "Wristband"
    doer = re.fullmatch(r"(.{3,}?)e?rs?", low)
    if doer and (doer.group(1) in lex.common or doer.group(1) + "e" in lex.common):
        return "W"  # someone who does a common thing: "Installer", "Payer"
    plain = _without_accents(word)
    if plain != word:
        return classify(plain)  # "Sinéad", "Zoë": listed without their accents
    return "U"


_NOUN_ENDING = re.compile(r".{3,}(?:ments?|ity|ities|ness|tions?)")


def _ordinary_by_shape(low: str, common: frozenset[str]) -> bool:
    """An unknown word made of ordinary ones: a plural, a noun by its ending, or two
    ordinary words run together."""
    if low.endswith("s") and low[:-1] in common:
        return True
    if _NOUN_ENDING.fullmatch(low):
        return True
    frequent = frequent_words()
    return any(low[:i] in frequent and low[i:] in frequent for i in range(4, len(low) - 3))


def _without_accents(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass
class _Token:
    start: int
    end: int
    text: str
    kind: str = ""  # S N A W U, T for a title, P for a particle, I for an initial
    possessive: bool = False


def _is_cap(word: str) -> bool:
    return word[0].isupper() and any(c.islower() for c in word)


def _tokens(text: str, masked: list[tuple[int, int]]) -> list[_Token]:
    tokens = []
    for m in TOKEN.finditer(text):
        start, end, word = m.start(), m.end(), m.group()
        possessive = False
        if re.search(r"['’]s$", word) and len(word) > 3:
            end, word, possessive = end - 2, word[:-2], True
        tok = _Token(start, end, word, possessive=possessive)
        if any(a <= start < b for a, b in masked):
            tok.kind = "S"
        elif CONTRACTIONS.fullmatch(word):
            tok.kind = "x"  # "I'm", "Don't": never part of a name
        elif len(word) == 1 and word.isupper():
            dotted = text[end : end + 1] == "."
            after_title = bool(tokens) and tokens[-1].kind == "T"
            tok.kind = "I" if word not in "AI" or dotted or after_title else "x"
        elif word.lower() in TITLES and _is_cap(word + "x"):
            tok.kind = "T"
            if text[end : end + 1] == ".":
                tok.end += 1
        elif word.lower() in PARTICLES and word.islower():
            tok.kind = "P"
        elif _is_cap(word):
            tok.kind = classify(word)
            if tok.kind == "S" and word.lower() in lexicon().places:
                tok.kind = "L"
            beside_digit = re.search(r"\d\s*$", text[max(0, start - 4) : start]) or re.match(
                r"\s*\d", text[end : end + 3]
            )
            if word.lower() in CALENDAR_NAMES and beside_digit:
                tok.kind = "S"
        else:
            tok.kind = "x"  # lower case or all capitals: not part of a run
        tokens.append(tok)
    # A given name that is also a word of another list, between two names: "Bartosz Jan
    # Kowalczyk".
    for before, tok, after in zip(tokens, tokens[1:], tokens[2:], strict=False):
        if (
            tok.kind == "S"
            and before.kind == "N" == after.kind
            and tok.text.lower() in lexicon().given
            and text[before.end : tok.start] == " " == text[tok.end : after.start]
        ):
            tok.kind = "A"
    return tokens


def _runs(text: str, tokens: list[_Token]) -> list[list[_Token]]:
    """Maximal runs of run-able tokens joined by single spaces."""
    runs: list[list[_Token]] = []
    current: list[_Token] = []
    for tok in tokens:
        if tok.kind == "x":
            if current:
                runs.append(current)
            current = []
            continue
        if current:
            gap = text[current[-1].end : tok.start]
            if (
                gap not in (" ", ". ")
                or current[-1].possessive
                or (gap == ". " and current[-1].kind != "I")
            ):
                runs.append(current)
                current = []
        current.append(tok)
    if current:
        runs.append(current)
    return runs


def _pieces(run: list[_Token]) -> list[list[_Token]]:
    """Split a run at S words; a title starts a new piece."""
    pieces: list[list[_Token]] = []
    current: list[_Token] = []
    previous = None
    for tok in run:
        if tok.kind == "U" and previous is not None and previous.kind == "L":
            tok.kind = "L"  # an unknown word after a place is part of it: "Manchester Piccadilly"
        previous = tok
        if tok.kind == "S" and "-" in tok.text and len(current) == 1 and current[0].kind == "T":
            tok.kind = "A"  # a hyphenated given name after a title: "Mrs Sun-hee Park"
        if tok.kind == "L" and current and current[-1].kind in "NUTI":
            tok.kind = "A"  # a place after a given name is a surname: "Nerys Gwynedd"
            current.append(tok)
        elif tok.kind in "STL":
            if current:
                pieces.append(current)
            current = [tok] if tok.kind == "T" else []
        else:
            current.append(tok)
    if current:
        pieces.append(current)
    return pieces


def _groups(text: str, piece: list[_Token]) -> list[list[_Token]]:
    """The name-like groups of an untitled piece.

    A group is N/A/U words with initials and particles between them. An ordinary word (W)
    joins a group straight after an N or U word ("Wei Tan"), or starts one after a cue when
    a name word follows ("Caller: Tan Wei") or a verb or bracket does ("spoke with Jasper
    (supervisor)").
    """
    groups: list[list[_Token]] = []
    current: list[_Token] = []
    for i, tok in enumerate(piece):
        nxt = piece[i + 1].kind if i + 1 < len(piece) else ""
        if tok.kind == "U" and tok.text.lower() in ORG_HEADS:
            if current:
                groups.append(current)
            current = []  # "Nowak Roofing Ltd": a firm's word ends a name
        elif tok.kind in "NAUIP" or (tok.kind == "W" and _word_joins(text, tok, current, nxt)):
            current.append(tok)
        elif tok.kind == "W" and not current and not nxt and _cue(text, tok.start):
            after = _next_word(text, tok.end)
            if after in STRONG_VERBS or after in WEAK_VERBS or after.startswith(("(", ":")):
                groups.append([tok])
            elif re.match(r"(?:,| and| &) [A-Z]", text[tok.end : tok.end + 6]):
                groups.append([tok])  # "cc Jasper, Eilidh": the neighbour may confirm it
            elif not _sentence_initial(text, tok.start) and _cue(text, tok.start, roles=True):
                groups.append([tok])  # "carer Blessing on scene"
            elif _GREETED.search(text, max(0, tok.start - 8), tok.start) and re.match(
                r",", text[tok.end : tok.end + 1]
            ) and tok.text.lower() not in _NOT_GREETED:
                groups.append([tok])  # "Hi Precious, it's Dan"
            elif _KNOWN_AS.search(text, max(0, tok.start - 24), tok.start):
                groups.append([tok])  # "known as Paddy"
        elif (
            tok.kind == "W"
            and not current
            and not nxt
            and tok.text.lower() not in ROLE_WORDS
            and (
                re.match(r" (?:and|&) [A-Z]", text[tok.end : tok.end + 6])
                or _BRACKETED.match(text, tok.end)
                or (_APPOSITIVE_ROLE.match(text, tok.end) and not _sentence_initial(text, tok.start))
            )
        ):
            groups.append([tok])  # "Jasper and Fiachra", "Kit, the event manager"
        else:
            if current:
                groups.append(current)
            current = []
    if current:
        groups.append(current)
    trimmed = []
    for group in groups:
        while group and group[-1].kind in "PI":
            group = group[:-1]
        while group and group[0].kind == "P":
            group = group[1:]
        if group and (any(t.kind in "NAU" for t in group) or len(group) == 1):
            trimmed.append(group)
    return trimmed


_GREETED = re.compile(r"(?i)\b(?:hi|hiya|hello|hey|dear|morning)\s+$")
_NOT_GREETED = frozenset("team all everyone there guys folks both sir madam colleagues".split())
# What a person is called besides their name: "known as Paddy", "goes by Sunny".
_KNOWN_AS = re.compile(
    r"(?i)\b(?:known as|know as|goes by|nicknamed|prefers(?: to be called)?)(?:\s*:)?\s+[\"“']?$"
)


def _word_joins(text: str, tok: _Token, current: list[_Token], nxt: str) -> bool:
    """Whether an ordinary word (W) is part of a name: straight after an N or U word ("Wei
    Tan"), or before a name word after a cue ("Caller: Tan Wei"), or before an N or U word
    mid-sentence or when it is not a frequent word ("cc Cai, Tan Zhiwei")."""
    low = tok.text.lower()
    if low in ORG_HEADS:
        return False
    if current:
        if current[-1].kind in "NU" and not current[-1].possessive:
            return True
        # After a listed given name that is also a word, after a cue, a rarer word is its
        # surname: "Assessor: Robin Fairweather" (not "Caller: Will Call").
        first = current[0]
        return (
            len(current) == 1
            and first.kind == "A"
            and first.text.lower() in lexicon().given
            and low not in frequent_words()
            and _cue(text, first.start)
        )
    if nxt in ("N", "A", "U") and _cue(text, tok.start):
        return True
    return (
        nxt in ("N", "U")
        and low not in ROLE_WORDS
        and (not _sentence_initial(text, tok.start) or low not in frequent_words())
    )


def _titled(text: str, piece: list[_Token]) -> tuple[tuple[int, int] | None, list[_Token]]:
    """The span of a title and the name after it, and the tokens left over."""
    title, body, taken = piece[0], piece[1:], []
    for tok in body[:4]:
        if tok.kind in "NAUIPL" or (tok.kind == "W" and (not taken or taken[-1].kind in "NUI")):
            taken.append(tok)
            if tok.possessive:
                break
        else:
            break
    while taken and taken[-1].kind in "PI":
        taken.pop()
    if not taken:
        return None, body
    rest = body[len(taken) :]
    if title.text.lower() == "dr" and re.search(r"\d\w*,? +[A-Z]\w+ +$", text[: title.start]):
        return None, body  # "14 Oak Dr Smith": the address's "Dr", not a title
    return (title.start, taken[-1].end), rest


def _sentence_initial(text: str, start: int) -> bool:
    before = text[max(0, start - 80) : start]
    if start > 80 and not before.strip(" \t\"'“‘(*•-–"):
        before = text[:start]
    stripped = before.rstrip(" \t\"'“‘(*•-–")
    return not stripped or stripped[-1] in ".!?:;\n" or "\n" in before[len(stripped) :]


def _next_word(text: str, end: int) -> str:
    """The next word in lower case, "(" and its word, or ":" when a colon follows."""
    if text[end : end + 1] == ":":
        return ":"
    m = re.match(r"[ \t]*(\(?[\w'’]+)", text[end : end + 40])
    return re.sub(r"['’](?:d|s|ll)$", "", m.group(1).lower()) if m else ""


def _cue(text: str, start: int, roles: bool = False) -> bool:
    """Whether a cue ends just before ``start``; with ``roles``, only a person's role
    ("carer", "engineer", "her husband")."""
    line_start = text.rfind("\n", 0, start) + 1
    window = text[max(line_start, start - 40) : start]
    if roles:
        return bool(ROLE_BEFORE.search(window))
    cue = CUE_BEFORE.search(window)
    # Not across a table's or a form's gap: "Security Manager     Date:".
    return bool(cue) and not re.search(r" {3,}|\t", window[cue.end(1) :])


@dataclass
class _Candidate:
    start: int
    end: int
    kinds: set[str]
    after: str


_PRONOUNS = frozenset("i you it we they he she this that there these those do be have not".split())
# After a label's colon: a title or a number, so the label is no name.
_LABEL_VALUE = re.compile(r":[ \t]*(?:\d|(?i:mrs?|ms|miss|mx|dr)\.?\s)")


def _judge(text: str, group: list[_Token], cued: bool) -> bool | None:
    """True: a name; False: not; None: a lone ambiguous word a neighbour may confirm."""
    start, end = group[0].start, group[-1].end
    words = [t for t in group if t.kind in "NAUW"]
    kinds = {t.kind for t in words}
    after = "'s" if group[-1].possessive else _next_word(text, end)
    if _org_head_after(text, end, listed=len(words) == 1):
        return False
    if _firm(text, group) or (not cued and _street(text, group)):
        return False
    if re.search(r"\bSt\.? $", text[max(0, start - 4) : start]):
        return False  # a saint: "St James's", "St Mark's"
    if re.search(r"\bStorm $", text[max(0, start - 6) : start]) or group[0].text == "Storm":
        return False  # a named storm: "Storm Dennis"
    firm_after = re.match(r"['’]s [A-Z]", text[end : end + 4])
    if group[-1].possessive and firm_after and _org_head_after(text, end + 2, listed=False):
        return False  # "Frank's Plumbing", not "Grace's line manager"
    if len(words) == 1 and re.match(r" \d{1,3}\b(?! ?\d|[/:.]\d)", text[end : end + 6]):
        return False  # a call sign or a ward: "Oscar 21", "Ward 7"
    if re.search(r"\bnear $", text[max(0, start - 5) : start]) and not cued:
        return False  # a place: "near Hebden Bridge"
    if len(words) == 1 and kinds <= {"A", "W"} and after in _PRONOUNS and _sentence_initial(
        text, start
    ):
        return False  # "Caller: Will it be backdated?", "Mark it as read"
    determiner = re.search(
        r"(?i)\b(?:a|an|the|this|that|our|your|their|its)\s+$", text[max(0, start - 8) : start]
    )
    conjunction = (
        determiner
        and determiner.group().startswith("that")
        and any(t.kind in "NU" for t in group)
    )  # "confirm that Ivy Cheung handled", not "that Netgear Orbi"
    if not cued and determiner and not conjunction:
        return False  # "a Netgear Orbi", "the Kettering hub"; not "confirm that Liam Ince"
    if cued and not (kinds <= {"W"} and _department(text, start)):
        return True
    after_comma = text[max(0, start - 2) : start] == ", "  # "9 Church Side, Cinderford, who"
    if kinds & {"N", "A", "U"} and _WHO.match(text, end) and not after_comma and (
        not _sentence_initial(text, start)
    ):
        return True  # "I rang Oskar, who said ..."
    if kinds <= {"W"}:
        return None
    if len(words) >= 2 and (
        kinds & {"N", "U"} or after in STRONG_VERBS or not _sentence_initial(text, start)
    ):
        return True
    if kinds == {"N"}:
        return True
    if any(t.kind == "I" for t in group[:-1]) and group[-1].kind in "NU":
        return True  # an initial and a surname: "H. Brightwell"
    if after in STRONG_VERBS or after == "'s":
        return True
    if "U" in kinds and after == ":" and _LABEL_VALUE.match(text, end):
        return None  # a form's label: "Hirer: Mrs Nowak", "Redelivery: 12"
    if "U" in kinds and (after in WEAK_VERBS or after.startswith(("(", ":"))):
        return True
    return None


_WHO = re.compile(r",? who\b")


def _department(text: str, start: int) -> bool:
    """A capitalised role just before ordinary words: a department, "Customer Operations"."""
    role = re.search(r"\b([A-Z][a-z]+) $", text[max(0, start - 20) : start])
    return bool(role) and role.group(1).lower() in ROLE_WORDS


def _street(text: str, group: list[_Token]) -> bool:
    """A street named without a number: "on Brook Lane"."""
    before = text[max(0, group[0].start - 24) : group[0].start]
    street = len(group) >= 2 and group[-1].text.lower() in STREET_SUFFIXES
    after_street = re.search(r"(\w+) (?:and|or) $", before)
    return street and bool(
        re.search(r"(?i)\b(?:on|in|at|off|near|along|from|to|via|into)\s+$", before)
        or (after_street and after_street.group(1).lower() in STREET_SUFFIXES)
    )


_PAIR_AFTER = re.compile(r" & [A-Z][\w'’-]* ([\w'’-]+)")
_PAIR_BEFORE = re.compile(r"[A-Z][\w'’-]* ([\w'’-]+) & $")


_PERSON_AFTER = re.compile(r" & ([A-Z][\w'’-]*)( [A-Z][\w'’-]*)?")
_PERSON_BEFORE = re.compile(r"(?<![\w'’-])([A-Z][\w'’-]*)( [A-Z][\w'’-]*)? & $")


def _two_people(text: str, group: list[_Token]) -> bool:
    """Two people's names either side of an ampersand, one with a surname, each from a given
    name or ending in a surname, one at least from a given name: "Gemma Marsh & Tom Gill",
    "Dawn & Stuart Fell", "Joseph & Comfort Adeyemi"; not "Ben & Jerry's"."""
    given = lexicon().given
    start, end = group[0].start, group[-1].end
    other = _PERSON_AFTER.match(text, end) or _PERSON_BEFORE.search(text, max(0, start - 40), start)
    if not other:
        return False
    surname = other.group(2) and other.group(2).strip()
    firsts = (group[0].text.lower() in given, other.group(1).lower() in given)
    return (
        any(firsts)
        and (firsts[0] or (len(group) >= 2 and group[-1].kind in "NU"))
        and (firsts[1] or (surname is not None and classify(surname) in "NU"))
        and (len(group) >= 2 or surname is not None)
    )


def _firm(text: str, group: list[_Token]) -> bool:
    """Names joined by an ampersand are a firm: "Hartley & Boothroyd"; not two people of one
    surname: "Will Ferreira & Summer Ferreira", nor two people: "Gemma Marsh & Tom Gill"."""
    start, end = group[0].start, group[-1].end
    if _two_people(text, group):
        return False
    if len(group) >= 2:
        after = _PAIR_AFTER.match(text, end)
        before = _PAIR_BEFORE.search(text, max(0, start - 40), start)
        if group[-1].text in (after and after.group(1), before and before.group(1)):
            return False
    firm_after = re.match(r" & [A-Z]", text[end : end + 4])
    return bool(firm_after or re.search(r"[A-Z]\w* & $", text[max(0, start - 30) : start]))


# The word after, not across a form's gap ("Resident: Jason Tillotson      Room: 7").
_HEAD_AFTER = re.compile(
    r"(?:(?:,| and| &| or) [A-Z][\w'’-]*(?: [A-Z][\w'’-]*)?){0,4}(?: {1,2}|\t)([\w'’.]+)"
)


_HEAD_NEXT = re.compile(r"(?: {1,2}|\t)([\w'’.]+)")


def _org_head_after(text: str, end: int, listed: bool = True) -> bool:
    """Whether a place or organisation word follows, maybe after a list: "Preston depot",
    "Matlock and Buxton depots", "Dublin Road". Only single words are read as the start of
    a list: "Dariusz Nowak, Nowak Roofing Ltd" is a person and his firm."""
    m = (_HEAD_AFTER if listed else _HEAD_NEXT).match(text, end)
    if not m:
        return False
    word = m.group(1).lower().rstrip(".")
    return word in ORG_HEADS or (word.endswith("s") and word[:-1] in ORG_HEADS)


# A ship's name and places by their first words: "MV Glen Sannox", "Isle of Lewis", "Port Ellen".
_VESSELS_AND_PLACES = re.compile(
    r"\b(?:MV|HMS|RMS) [A-Z][\w'’-]+(?: (?:of |the )?[A-Z][\w'’-]+){0,2}|"
    r"\b(?:Isle|Isles) of [A-Z][\w'’-]+|\bPort [A-Z][a-z'’-]+"
)


def find_names(text: str, exclude: list[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """Spans of people's names in text, a title included in its name's span.

    ``exclude``: spans already found to be other personal data (an address, an email
    address); words there are not names and break runs of capitalised words.
    """
    lex = lexicon()
    masked = [m.span() for m in lex.phrases.finditer(text)]
    masked += [m.span() for m in _VESSELS_AND_PLACES.finditer(text)]
    found: list[tuple[int, int]] = []
    pending: list[_Candidate] = []
    tokens = [t for t in _tokens(text, masked) if not any(a <= t.start < b for a, b in exclude)]
    for run in _runs(text, tokens):
        for piece in _pieces(run):
            if piece[0].kind == "T":
                span, piece = _titled(text, piece)
                if span:
                    found.append(span)
                if not piece:
                    continue
            for group in _groups(text, piece):
                verdict = _judge(text, group, _cue(text, group[0].start))
                if verdict:
                    found.append((group[0].start, group[-1].end))
                elif verdict is None:
                    kinds = {t.kind for t in group if t.kind in "NAUW"}
                    after = _next_word(text, group[-1].end)
                    pending.append(_Candidate(group[0].start, group[-1].end, kinds, after))
    found += _coordinated(text, pending, found)
    found += _field_names(text)
    found += _lower_case_titles(text, found)
    found += _lower_case_names(text, found)
    found += _signed_and_speaking(text, found)
    found += _by_company(text)
    found += _speakers(text)
    found += _surname_first(text)
    found += _named_in_capitals(text)
    found += [m.span(1) for m in _PAYEE.finditer(text)]
    found += _lower_case_initials(text)
    found += [m.span() for m in _NICKNAMED.finditer(text)]
    found += [m.span(g) for m in _INITIALS.finditer(text) for g in (1, 2) if m.group(g)]
    found += _lower_case_given_names(text)
    found += _labelled_people(text)
    found += [m.span(1) for m in _ROLE_NAMED.finditer(text)]
    found += _again(text, found)
    found += _initials_of(text, found)
    found += _capital_surnames_before(text, found)
    return [s for s in _merge(found) if not any(a < s[1] and s[0] < b for a, b in exclude)]


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


_JOIN_BEFORE = re.compile(r"(?:,| and| &| or| \+)\s$")
_JOIN_AFTER = re.compile(r"(?:,| and| &| or| \+)\s")


def _neighbours(text: str, start: int, end: int) -> tuple[int, int]:
    """Where a word joined before by a comma or "and" would end, and one after would start."""
    before = _JOIN_BEFORE.search(text, max(0, start - 6), start)
    after = _JOIN_AFTER.match(text, end)
    return (before.start() if before else -1), (after.end() if after else -1)


# The words of a person's role or job, as one alternation.
_ROLES = "|".join(sorted(ROLE_WORDS | JOBS))
# A person's role in apposition after their name: "Rose, my senior stylist".
_APPOSITIVE_ROLE = re.compile(
    r",? (?:my|our|his|her|their|the) (?:[a-z]+ ){0,2}(?i:" + _ROLES + r")s?\b"
)

# A person's role or job in lower case, then a comma: "a new member, Mark, on the cardio",
# "The boy, Oskar, was breathing".
_PEOPLE = {"member", "learner", "apprentice", "guest", "boy", "girl", "lad", "child", "owner",
           "student", "pupil", "man", "woman", "lady", "gentleman"}  # fmt: skip
_ROLE_COMMA = re.compile(r"\b(?:" + "|".join(sorted(ROLE_WORDS | JOBS | _PEOPLE)) + r"), $")
# A person's role, then their name in brackets: "his wife (Dawn)".
_ROLE_BRACKET = re.compile(r"\b(?i:" + _ROLES + r") \($")
# A title or a role in brackets after a name: "Bill (Mr W. Hughes)", "Will (mentor)".
_BRACKETED = re.compile(
    r" \((?:(?i:mrs?|ms|miss|mx|dr)\.? |(?:" + _ROLES + r")\)|"
    r"(?i:mob|mobile|tel|phone|ph|m|t)\b[:.]?[ \t]*(?:\+44|0)\d)"
)


def _coordinated(
    text: str, pending: list[_Candidate], found: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """Lone ambiguous words joined to a name ("Grace and Priya"), or to each other before a
    verb ("Tadhg and Caradog are handling it"), are names."""
    by_start = {c.start: c for c in pending}
    by_end = {c.end: c for c in pending}
    verbs = STRONG_VERBS | WEAK_VERBS
    confirmed: dict[int, _Candidate] = {}
    for cand in pending:
        other = by_start.get(_neighbours(text, cand.start, cand.end)[1])
        if other and (cand.kinds | other.kinds) & {"N", "U"} and other.after in verbs:
            confirmed[cand.start], confirmed[other.start] = cand, other
    for cand in pending:
        role_before = _ROLE_COMMA.search(text, max(0, cand.start - 30), cand.start)
        if role_before or _APPOSITIVE_ROLE.match(text, cand.end) or _BRACKETED.match(text, cand.end):
            confirmed[cand.start] = cand  # "Rose, my senior stylist", "Will (mentor)"
        elif text.startswith(")", cand.end) and _ROLE_BRACKET.search(
            text, max(0, cand.start - 30), cand.start
        ):
            confirmed[cand.start] = cand  # "his wife (Dawn)"
    queue = list(found) + [(c.start, c.end) for c in confirmed.values()]
    while queue:
        start, end = queue.pop()
        # A name, then what the person is called in brackets, from the same letter:
        # "Ifeoma Nnamdi (Ify)"; not "Alfie (Westie)", "Isla Fraser-Mackay (Rec)".
        called = by_start.get(end + 2) if text.startswith(" (", end) else None
        if (
            called
            and called.start not in confirmed
            and text.startswith(")", called.end)
            and text[called.start] == text[start]
        ):
            confirmed[called.start] = called
            queue.append((called.start, called.end))
        prev_end, next_start = _neighbours(text, start, end)
        for cand in (by_end.get(prev_end), by_start.get(next_start)):
            # Not a job's first word: "Dawn Ferreira-Hughes, Branch Manager".
            if cand and cand.start not in confirmed and cand.after not in ROLE_WORDS:
                confirmed[cand.start] = cand
                queue.append((cand.start, cand.end))
    return [(c.start, c.end) for c in confirmed.values()]


FIELD = re.compile(
    r"(?i:\b(?:(?:surname|last[ _]name|family[ _]name|first[ _]names?|forenames?|"
    r"full[ _]name|given[ _]names?)(?:\(s\))?"
    r"(?:\s+is|\s+was)?\s*[:\-–]?\s*|(?:my name is|name is|name was|name given as|name as)\s+|"
    r"(?:caller |customer |contact |your )?names?\s*[:\-–]\s*|"
    r"(?:name on (?:the )?(?:card|account)|account name)(?:\s*:)?\s+[\"“']?|"
    # a key and its value in JSON or a dictionary: "surname": "Ogunyemi"
    r"(?<=[\"'])(?:surname|last[ _]name|family[ _]name|first[ _]names?|forenames?|"
    r"full[ _]name|given[ _]names?)[\"']\s*:\s*[\"']))"
    r"((?:(?:Mrs?|Ms|Miss|Mx|Dr|Prof|MRS?|MS|MISS|DR)\.? )?[^\W\d_][\w'’-]*"
    r"(?: [^\W\d_][\w'’-]*){0,2})"
)


def _field_names(text: str) -> list[tuple[int, int]]:
    """Words after "surname", "first name", "Name:" and the like: any capitalised or
    all-capitals words, places included ("Surname Gwynedd", "surname KHAN")."""
    lex = lexicon()
    extra = []
    for m in FIELD.finditer(text):
        start = end = m.start(1)
        words = list(re.finditer(r"[^\s]+", m.group(1)))
        for i, word in enumerate(words):
            w = word.group().rstrip(".,;:\"'")
            low = w.lower()
            article_before_word = low in ("the", "a", "an") and (
                i + 1 < len(words) and words[i + 1].group()[0].islower()
            )
            if (
                not w
                or not w[0].isupper()
                or (low in NO_NAME and low not in ("a", "an", "the"))
                or article_before_word
                or (low in lex.stop and low not in TITLES)
            ):
                break
            end = m.start(1) + word.start() + len(w)
        if end > start and text[start:end].lower().rstrip(".") not in TITLES:
            extra.append((start, end))
    return extra


# A person after a label that names one: an email's sender, a signature, a form's contact.
_PERSON_LABEL = re.compile(
    r"(?m)(?:^|[ \t]{2,}|^\d{1,2}[:.]\d\d[ \t]+)[ \t]*(?i:(?:main|joint|lead|second) )?"
    r"(?i:from|to|cc|signed|signature|staff|presenter|queries|"
    r"emergency contact|next of kin|injured person|(?:[a-z]+ed|checked in|taken|dealt with|"
    r"triage|signed for the \w+) by|signed for the (?:employer|provider|company)|"
    r"agent|call handler|handler|mother|"
    r"father|couple|volunteer|vol|caller|customer|patient|member|tenant|resident|applicant|"
    r"claimant|policy ?holder|account holder|key ?holder|witness|driver|passenger|owner|"
    r"officer|operator|room leader|borrower|client|learner|apprentice|student|pupil|parent|"
    r"guardian|occupant|occupier|informant|deceased|party [12]|clerk|visitor|artist|"
    r"first aider|site lead|gate ?man|haulier|foreman|contact|referrer|key ?worker|"
    r"case ?worker|social worker|host|counter clerk|booked in by|known as|statement of|"
    r"pupils|students|learners|visitors|residents|patients|tenants|attendees|"
    r"(?:line manager |manager |employer )?present|companion|paralegal|surveyor|installer|"
    r"fitter|electrician|plumber|engineer|technician|controller|reported to|observed)"
    r"[ \t]*:[ \t]*"
    # "HENDERSON, Kyle James": a surname in capitals, then the given names.
    r"([A-Z][A-Z'’-]+, [A-Z][a-z'’-]+(?: [A-Z][a-z'’-]+){0,2}|"
    r"(?:(?i:mrs?|ms|miss|mx|dr)\.? )?(?:[A-Z]\.? ?){0,2}[A-Z][\w'’-]*(?: [A-Z][\w'’-]*){0,3})"
    r"(?=[ \t]*(?:<|\(|,|&|/|$|\.(?:\s|$))| on\b| \d| {2,}|\t| [-–] )"
)


# A role and the name in brackets, speaking: "Agent (Faith): Hello".
_ROLE_NAMED = re.compile(
    r"(?mi)^[ \t]*(?:\[\d{1,2}:\d\d\][ \t]*)?"
    r"(?:agent|advisor|adviser|assessor|operator|call handler|handler|rep|finance|payroll|"
    r"reception|admin|support|service desk|helpdesk)[ \t]*"
    r"\(((?-i:[A-Z][\w'’-]*)(?: (?-i:[A-Z][\w'’-]*))?)\):"
)
_NEXT_LABELS = frozenset("DOB NHS NI TEL MOB REF ID NO DD".split())
_NOT_A_NAME_START = frozenset("my the a an his her our their your its this that no yes".split())


def _labelled_people(text: str) -> list[tuple[int, int]]:
    """ "From: Chester Ogunbanjo <...>", "Signed: P. Lincoln, HR Manager", "Staff: Bryn": the
    words after the label, unless they are a team's or a firm's ("From: Customer
    Relations"), or ordinary words only ("To: All Staff")."""
    lex = lexicon()
    found = []
    for m in _PERSON_LABEL.finditer(text):
        start, end = m.span(1)
        # The name ends before a form's next label: "Mr Colin Dempsey DOB 08/08/1952".
        for w in list(re.finditer(r"\S+", m.group(1)))[1:]:
            if w.group() in _NEXT_LABELS:
                end = start + w.start() - 1
                break
        words = [w.strip(".") for w in text[start:end].split()]
        words = [w for w in words if len(w) > 1 and w.lower() not in TITLES]
        low = [w.lower() for w in words]
        if not words or any(w in ORG_HEADS or w in ROLE_WORDS for w in low):
            continue
        if re.search(r"\d", text[start:end]):
            continue  # a reference: "Caller: LB12004418."
        if len(words) == 1 and words[0].isupper() and len(words[0]) <= 3:
            continue  # an acronym: "Patient: NHS 111 transfer"
        if low[0] in _NOT_A_NAME_START:
            continue  # "Caller: My Corsa, CU19 XWM"
        kinds = [classify(w.capitalize()) for w in words]
        # Names or words of no list, not ordinary words ("To: Payroll", "Agent: Lovely, and
        # ..."); a firm's or a place's word only before a surname ("Chelsea Kruger"), and any
        # word after an initial ("Clerk: J. Harrow", "Signed for the employer: M. Fairweather").
        initialled = re.match(r"(?:[A-Z]\. ?|[A-Z] ){1,2}[A-Z][a-z]", text[start:end])
        if not any(k in ("NAUSW" if initialled else "NAU") for k in kinds):
            continue
        if any(w in lex.stop for w in low) and (len(words) == 1 or kinds[-1] not in "NU"):
            continue
        found.append((start, end))
    return found


# Abbreviations that are nobody's initials: after "signed by" and the like, and (with the
# rest) anywhere in a note.
_ABBREVIATED = frozenset("HR IT GP QA HQ ID OK ME CAB".split())
_NOT_INITIALS = _ABBREVIATED | frozenset("AM PM UK NI TV PC IOU".split())


# A surname in capitals at the start of a field, before a given name: "SAR-0553,HUSSEIN Ayaan".
_CAPITAL_SURNAME = re.compile(r"(?:^|(?<=[\n,|\t:]))[ \t]*([A-Z][A-Z'’-]{2,}) $")


def _capital_surnames_before(text: str, found: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Names found, with the surname in capitals before them where a field starts."""
    extra = []
    for start, end in found:
        if not re.match(r"[A-Z][a-z]", text[start : start + 2]):
            continue  # a given name as written, not a title or capitals: "FAO MR P J WOJCIK"
        m = _CAPITAL_SURNAME.search(text, max(0, start - 30), start)
        if m and classify(m.group(1).capitalize()) in "NU" and m.group(1) not in _NOT_INITIALS:
            extra.append((m.start(1), end))
    return extra


def _initials_of(text: str, found: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Initials of a person named in the text, in capitals: "DW asked MI" in the notes of a
    meeting with Dawn Whitaker and Mohammed Iqbal present; or of a person a transcript's key
    names by role: "RW = volunteer, C = caller"."""
    initials = set(re.findall(r"(?m)(?:^|\(|, )([A-Z]{2,3}) = [a-z]", text))
    for start, end in found:
        words = [
            w
            for w in re.findall(r"[^\W\d_][\w'’-]*", text[start:end])
            if w.lower() not in TITLES and w.lower() not in PARTICLES
        ]
        if 2 <= len(words) <= 3 and all(w[0].isupper() and len(w) > 1 for w in words):
            initials.add("".join(w[0] for w in words))
    initials -= _NOT_INITIALS
    if not initials:
        return []
    return [
        m.span()
        # not a reference ("ref KA/22/118") or a firm's name ("t/a JH Plastering")
        for m in re.finditer(r"(?<![\w'’/-])([A-Z]{2,3})(?![\w'’/-]| [A-Z][a-z])", text)
        if m.group() in initials and not any(a <= m.start() < b for a, b in found)
    ]


_CAPITALS_AFTER = re.compile(r" ([A-Z][A-Z'’-]+)\b")


def _lower_case_titles(text: str, found: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """ "mr khan", "MRS SMITH": a title then a listed name, when not capitalised."""
    lex = lexicon()
    extra = []
    for m in LOWER_TITLE.finditer(text):
        title, word = m.group(1), m.group(2)
        if _is_cap(title) and _is_cap(word):
            continue  # handled by the main pass
        if any(a < m.end() and m.start() < b for a, b in found):
            continue
        listed = word.lower() in lex.surnames or word.lower() in lex.given
        kind = classify(word.capitalize())
        # Not a title before an ordinary word ("ms teams", "dr appointment"); "mr x" is
        # already anonymised.
        if kind == "N" or (kind == "A" and listed) or (
            kind == "U" and len(word) > 2 and title.lower() != "dr"
        ):
            # The surname after a given name, in capitals too: "MRS DOREEN PICKERSGILL".
            surname = _CAPITALS_AFTER.match(text, m.end()) if word.isupper() else None
            if surname and classify(surname.group(1).capitalize()) in "NU":
                extra.append((m.start(), surname.end()))
            else:
                extra.append((m.start(), m.end()))
    return extra


# A message signed with a name on its last line ("...for our records.\nRahima"), or on a
# line of its own before a blank line, or after "Thanks" (perhaps with a job after it:
# "Kind regards, Reece, Customer Care"); and a person answering the phone ("IT service
# desk, Rich speaking").
_SIGNED = re.compile(
    r"(?:^|[.!?]\s*\n)\s*([A-Z][a-z'’-]+)[.!\"”]*(?:\s*$|[ \t]*\n[ \t>]*\n)|"
    r"(?im:^[ \t>]*(?:thanks|thank you|many thanks|regards|kind regards|best wishes|cheers|"
    r"speak soon|all the best|diolch|ta)\b[^\n]{0,20}\n[ \t>]*)([A-Z][a-z'’-]+)"
    r"(?=[ \t.!x]*(?:\n|$)|[ \t]+[|–-][ \t])|"
    r"(?im:^[ \t>]*(?:thanks|many thanks|regards|kind regards|best wishes|cheers),[ \t]*)"
    r"([A-Z][a-z'’-]+)(?=[ \t.!x]*(?:\n|$)|,[ \t]*[A-Z][^\n]{0,40}$)|"
    # a reply signed at the end of its last sentence: "... hang up. – Kamal", "^Abi"
    r"[.!?)][ \t]+(?:[–—-]|\^)[ \t]?([A-Z][a-z'’-]+)(?=[ \t]*(?:\n|$))"
)
_SPEAKING = re.compile(r"(?:^|[,.:]\s*)([A-Z][a-z'’-]+) speaking\b", re.MULTILINE)
# Initials and a surname alone on a message's last line: its writer ("M. Costa").
_SIGNED_INITIALLED = re.compile(r"\n[ \t]*((?:[A-Z]\. ?){1,2}[A-Z][a-z'’-]+)[ \t]*\Z")
# A rank or a calling before a surname: "Watch Manager Kerr", "PC Adeyemi", "Nurse Okon".
_RANKED = re.compile(
    r"\b(?:(?:Watch|Crew|Station|Group) Manager|Sergeant|Sgt|Inspector|Insp|PC|PCSO|DC|DS|"
    r"Constable|Councillor|Cllr|Nurse|Sister|Matron|Pastor|Imam|Rabbi|Captain|Capt)\.? "
    r"([A-Z][a-z'’-]+)(?: ([A-Z][a-z'’-]+))?"
)
# A person and the writer together: "Bartek and I", "me and Dev"; not a modal verb that
# may be a name ("sorry, Will and I don't know").
_WITH_ME = re.compile(r"\b([A-Z][a-z'’-]+) and I\b|\b(?:me|Me) and ([A-Z][a-z'’-]+)\b")
_MODALS = frozenset("will may can should would might must shall".split())
# Someone a note asks to be asked or called: "ask Sunny to chase", "call Pavel on 07700 900342".
_ASKED_OF = re.compile(
    r"\b(?i:ask|call|ring|phone|text|tell|remind|email|get)[ \t]+([A-Z][a-z'’-]+)"
    r"(?= (?:to [a-z]|on (?:\+44|0)\d|about\b))"
)
# Someone from a place of work saying or doing something: "Amber from the café told me".
_FROM_WHERE = re.compile(
    r"(?:^|(?<=[.!?]\s)|(?<=\n))([A-Z][a-z'’-]+) from (?:the |our )?[\w'’ -]{2,25}? "
    r"(?:told|said|showed|helped|asked|reminded|explained|rang|came|gave|suggested|checked|"
    r"will|is|was|has)\b"
)
# Someone at their post: "Hope on reception dealt with it", "Sandy on the till".
_AT_POST = re.compile(
    r"\b([A-Z][a-z'’-]+) on (?:reception|the desk|the front desk|the till|tills|the door|the gate|"
    r"duty|shift|lates|earlies|nights)\b"
)
# Feedback that names its reader at the start of a line: "Zara, this is a good account".
_ADDRESSED = re.compile(
    r"(?m)^[ \t]*([A-Z][a-z'’-]+),[ \t]+(?=(?i:this|that|you|your|thanks|thank you|well done|"
    r"great|good|please|just|i|i've|i'm|can you|could you)\b)"
)


def _by_company(text: str) -> list[tuple[int, int]]:
    """People known by the company their name keeps: a rank before it ("Watch Manager
    Kerr"), the writer beside it ("Bartek and I"), a place of work and a verb after it
    ("Amber from the café told me"), a request around it ("ask Sunny to chase"), a post
    ("Hope on reception")."""
    found = []
    for m in _RANKED.finditer(text):
        if classify(m.group(1)) in "NU":
            whole = m.group(2) and classify(m.group(2)) in "NAU"
            found.append((m.start(), m.end(2) if whole else m.end(1)))
    for m in _WITH_ME.finditer(text):
        group = 1 if m.group(1) else 2
        word, kind = m.group(group), classify(m.group(group))
        # "Hunter and I", not "on 30 June and I".
        if kind in "NU" or (kind == "A" and word.lower() not in CALENDAR_NAMES | _MODALS):
            found.append(m.span(group))
    found += [m.span(1) for m in _FROM_WHERE.finditer(text) if classify(m.group(1)) in "NAU"]
    found += [m.span(1) for m in _ASKED_OF.finditer(text) if classify(m.group(1)) in "NAU"]
    found += [m.span(1) for m in _AT_POST.finditer(text) if classify(m.group(1)) in "NAU"]
    return found


def _signed_and_speaking(text: str, found: list[tuple[int, int]]) -> list[tuple[int, int]]:
    extra = []
    for m in _SIGNED_INITIALLED.finditer(text):
        surname = re.split(r"[. ]+", m.group(1))[-1]
        if classify(surname) != "W" and surname.lower() not in ORG_HEADS | ROLE_WORDS:
            extra.append(m.span(1))
    for m in (*_SIGNED.finditer(text), *_SPEAKING.finditer(text), *_ADDRESSED.finditer(text)):
        group = next(i for i in (1, 2, 3, 4) if m.re is not _SIGNED or m.group(i))
        start, end = m.span(group)
        if any(a < end and start < b for a, b in found) or re.match(r" \d", text[end : end + 2]):
            continue  # found already, or a ward or a call sign ("Thanks, Ward 7 team")
        # Before "speaking" or after "Thanks" even a name that is also a word ("Rich").
        sure = m.re is _SPEAKING or group > 1
        if classify(m.group(group)) in ("NAU" if sure else "NU"):
            extra.append((start, end))
    return extra


# A conversation copied line by line: "[07:16] Dawn: moved to studio 2", "leanne: ty!!",
# "Deb (team leader): ...", "Dev @ PhoneFix: ...", "Aneta – Oakleigh Lodge: ...".
_SPEAKER = re.compile(
    r"(?m)^[ \t>]*(\[?(?:\d{1,2}/\d{1,2}(?:/\d{2,4})?[ \t]+|"
    r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,?[ \t]+)?\d{1,2}[:.]\d\d\]?[ \t]*)?"
    r"([^\W\d_][\w'’-]*(?: [A-Z]\.?| [A-Z][a-z][\w'’-]*)?)"
    r"(?: \([^)\n]{1,30}\)| (?:@|–) [^:\n]{1,30})?([ \t]+\d{1,2}[:.]\d\d)?:[ \t]"
)


# A chat copied from Teams: the speaker and the time on a line of their own, the message on
# the lines after ("Olamide 12:04"); the same groups as ``_SPEAKER``'s.
_SPEAKER_OVER = re.compile(
    r"(?m)^[ \t]*()([A-Z][\w'’-]*(?: [A-Z][a-z][\w'’-]*)?)([ \t]+\d{1,2}:\d\d)[ \t]*$"
)


def _two_words(label: str) -> bool:
    """A speaker's label of a name and a surname, not a name and an initial."""
    return re.search(r" [A-Z][a-z]", label) is not None


def _speakers(text: str) -> list[tuple[int, int]]:
    """The speakers of a conversation: given names, or with a time or "Me" in the
    conversation, any name-like word. A form's labels ("Outcome:") are ordinary words."""
    lex = lexicon()
    # A name and surname speak ("Parminder Gill:"), not a name and another word ("Darwin
    # Gallery:"), unless a given name speaks at a time ("[10:31] Rob Kettle:").
    over = list(_SPEAKER_OVER.finditer(text))
    lines = [
        m
        for m in [*_SPEAKER.finditer(text), *(over if len(over) >= 2 else [])]
        if not _two_words(m.group(2))
        or classify(m.group(2).split()[1]) in "NAU"
        or (
            (m.group(1) or m.group(3))
            and m.group(2).split()[0].lower() in lex.given
            and m.group(2).split()[1].lower() not in ORG_HEADS
        )
    ]
    labels = {m.group(2).lower() for m in lines}
    timed = any(m.group(1) or m.group(3) for m in lines) or labels & {"me", "i"}
    # Those named by a listed given name, or by a name and a surname.
    given = [
        m
        for m in lines
        if m.group(2).split()[0].lower() in lex.given or _two_words(m.group(2))
    ]
    # Initials that speak twice or more, beside others that do: "SB: Good morning" / "KO: Yes".
    initials = Counter(m.group(2) for m in lines if re.fullmatch(r"[A-Z]{2,3}", m.group(2)))
    speaking = {i for i, n in initials.items() if n >= 2 and i not in _NOT_INITIALS}
    extra = [m.span(2) for m in lines if m.group(2) in speaking] if len(speaking) >= 2 else []
    if not (timed or len({m.group(2).lower() for m in given}) >= 2):
        return extra
    for m in lines:
        first = m.group(2).split()[0]
        kind = classify(first.capitalize())
        if first.lower() in lex.given and kind != "S" or (timed and kind in "NAU"):
            extra.append(m.span(2))
    return extra


# A name with a nickname in quotes: "Mrs Margaret "Peggy" Ellison".
_NICKNAMED = re.compile(
    r"(?:\b(?:Mrs?|Ms|Miss|Mx|Dr)\.? )?\b[A-Z][a-z]+ [\"“‘'][A-Z][a-z]+[\"”’'] [A-Z][\w'’-]+"
)
# A list's "Surname, Given" or "Surname I" before a column, a dash or the line's end, perhaps
# after a label, a time or a column of numbers: "Wojcik, Marta | CJ 38", "| Pike J |",
# "44190   HOLLINGWORTH, S   KX19", "11:30  ROBERTS, Ieuan   09/02/1963", "Marsh, Dennis - RP
# 89 33 01 A", "Name of injured person: KOWALCZYK, Marek".
_SURNAME_FIRST = re.compile(
    r"(?m)(?:^|\| ?|^[A-Za-z /()-]{1,30}:[ \t]*|^[\w:.–-]{1,12}(?: [\w:.–-]{1,12})?(?: {2,}|\t)|"
    r"^\d{1,3}[.)][ \t]+|"
    # after another of a list ("OKAFOR, Jennifer; LIU, Wei"), a bed's number or a time
    r"; |^(?i:bed|room|rm) \d{1,3}[A-Za-z]?[ \t]+|^\d{1,2}[:.]\d\d[ \t]+)"
    r"\s*((?:(?-i:[A-Z]{2,3}) ){0,2}[A-ZÀ-ÖØ-Þ][\w'’-]+)"
    r"(?:, ([A-Z][a-z'’]+(?:-[A-Z]?[a-z'’]+)?|[A-Z][A-Z'’-]+(?: [A-Z][A-Z'’-]+)?)|,? ([A-Z])\.?|"
    # a surname in capitals, then the given name, before a column: "MBEKI Thandiwe | DOB"
    r" (?P<given>[A-Z][a-z'’]+)(?=[ \t]*\|))"
    r"(?=\s*(?:\||$|\t|;)| {2,}| [-–] | \d| \()"
)


def _surname_first(text: str) -> list[tuple[int, int]]:
    lex = lexicon()
    found = []
    for m in _SURNAME_FIRST.finditer(text):
        surname, given, initial = m.group(1), m.group(2), m.group(3)
        if m.group("given"):
            if surname.isupper() and len(surname) > 2 and classify(m["given"]) in "NAU":
                found.append((m.start(1), m.end("given")))
            continue
        # A listed given name, or a name of no other kind, or any name-like word after a
        # surname in capitals ("KOWALCZYK, Marek").
        if given and given.isupper() and not surname.isupper():
            continue  # "Smith, ABC": an abbreviation, not a given name
        listed = given and (
            given.lower().split("-")[0] in lex.given
            or classify(given) == "N"
            or (surname.isupper() and classify(given) in "NAU")
        )
        if listed and classify(surname.capitalize()) in "NAU":  # "FLETCHER, Daisy-May"
            found.append((m.start(1), m.end(2)))
        elif initial and initial not in "AI" and classify(surname) in "NAUW" and not (
            text.startswith(" (", m.end())  # "Cat B (full)", "Run B (18 t)"
        ):
            found.append((m.start(1), m.end(3)))
    return found


# A person named in capitals by a legal document's heading: "ESTATE OF MARGARET ELSIE
# DUNWOODY DECEASED", "WITNESS STATEMENT OF DARREN PAUL WHITCOMBE", "MS JOANNA KOWALSKA
# <spaces> Claimant".
_CAPITAL_WORD = r"[A-ZÀ-ÖØ-ÞĀ-ſ][A-ZÀ-ÖØ-ÞĀ-ſ'’-]+"
_CAPITALS = (
    r"((?:(?:MRS?|MS|MISS|DR)\.? )?" + _CAPITAL_WORD
    + r"(?: (?!DECEASED\b)" + _CAPITAL_WORD + r"){1,3})"
)  # fmt: skip
_NAMED_IN_CAPITALS = re.compile(
    r"(?m)(?:\b(?:ESTATE|STATEMENT|AFFIDAVIT) OF|\bTHE LATE) " + _CAPITALS + r"\b|"
    r"^[ \t]*" + _CAPITALS + r"(?= DECEASED\b|[ \t]{2,}(?:Claimant|Respondent|Applicant|"
    r"Defendant|Appellant)s?\b)"
)


TITLE_CAPITALS = frozenset(("MR", "MRS", "MS", "MISS", "DR"))


def _named_in_capitals(text: str) -> list[tuple[int, int]]:
    found = []
    for m in _NAMED_IN_CAPITALS.finditer(text):
        group = 1 if m.group(1) else 2
        words = [w for w in m.group(group).split() if w.rstrip(".") not in TITLE_CAPITALS]
        if words and all(classify(w.capitalize()) in "NAU" for w in words):
            found.append(m.span(group))
    return found


# An initial and a surname in capitals before the bank details they name, as a sole
# trader's invoice gives them: "Pay by bank transfer to D PENHALIGON, sort code 30-96-51".
_PAYEE = re.compile(
    r"(?<![\w.])([A-Z]\.? (?!SORT\b)[A-Z][A-Z'’-]{2,})(?=,? (?i:sort|s/c|acc(?:ount)?\b|a/c))"
)


_LOWER_INITIAL = re.compile(r"(?<![\w.])[a-z]\. ?([a-z][a-z'’-]{2,})(?![\w'’-])")


def _lower_case_initials(text: str) -> list[tuple[int, int]]:
    """An initial and a listed surname in lower case: "signed p. hussain", "k. o'hare"."""
    lex = lexicon()
    return [
        m.span()
        for m in _LOWER_INITIAL.finditer(text)
        if classify(m.group(1).capitalize()) == "N" and m.group(1) in lex.surnames
        or re.match(r"o['’]|mc|mac", m.group(1))
    ]


# Initials where a person signs or is named by their role: "Taken by: KB", "Assessor: JO".
_NOT_ABBREVIATED = r"(?!(?:" + "|".join(sorted(_ABBREVIATED)) + r")\b)"
# "KB", "R.H.", "P.McG", "C.O'H".
_INITIALS_OF_ONE = r"[A-Z]{2,3}\b|(?![AP]\.M\b)[A-Z]\.(?:Mc|O['’])?[A-Z](?:\.[A-Z])?(?:\.|\b)"
_INITIALS = re.compile(
    r"(?i:\b(?:(?:taken|(?:counter)?signed|checked|completed|logged|written|assessed|observed|"
    r"witnessed|booked|coded|keyed|entered|processed|approved|verified|authori[sz]ed) by|"
    r"assessor|witness|observer|initials|(?:counter)?signed|checked(?=\s*:)|operator|"
    r"(?:second )?authori[sz]er)\s*[:\-–]?\s*)"
    + _NOT_ABBREVIATED + r"(" + _INITIALS_OF_ONE + r")(?![\w-]| [A-Z][a-z])"
    # and a second person's: "signed FS / EM"
    r"(?:[ \t]*[/&][ \t]*" + _NOT_ABBREVIATED + r"(" + _INITIALS_OF_ONE + r")(?![\w-]))?"
)
_LOWER_WORD = re.compile(r"(?<![\w'’@./#-])[a-z][a-z'’-]{2,}(?![\w'’@/-])")


def _lower_case_given_names(text: str) -> list[tuple[int, int]]:
    """A given name in lower case that is no English word ("saw how gemma does it",
    "thanks kelly-marie"), with the surname after it ("ahmed el-sayed")."""
    lex = lexicon()
    found = []
    for m in _LOWER_WORD.finditer(text):
        parts = m.group().split("-")
        if not all(
            p in lex.given and classify(p.capitalize()) == "N" and p not in frequent_words()
            for p in parts
        ):
            continue
        end = m.end()
        surname = _LOWER_SURNAME.match(text, end)
        if surname and classify(surname.group(1).capitalize()) in "NU":
            end = surname.end()
        found.append((m.start(), end))
    # A given name that is also a word, before a surname that is not: "tom harding".
    for m in _LOWER_PAIR.finditer(text):
        given, surname = m.group(2), m.group(3)
        kind = classify(given.capitalize())
        name_like = kind == "N" or (kind == "A" and given not in frequent_words())
        listed_surname = surname in lex.surnames and classify(surname.capitalize()) == "N"
        listed_given = name_like and given in lex.given
        # Or a word in no list or dictionary before it: "for kayden fletcher".
        unknown_given = kind == "U" and not {given, surname} & frequent_words()
        if listed_surname and (listed_given or unknown_given):
            found.append(m.span(1))
    return found


# Every pair of lower-case words, overlapping ("then tom harding": "then tom", "tom harding").
_LOWER_PAIR = re.compile(
    r"(?<![\w'’@./#-])(?=(([a-z]{3,}) ([a-z][a-z'’]+(?:-[a-z]+)?))(?![\w'’@-]))"
)


_LOWER_SURNAME = re.compile(r" ([a-z][a-z'’]*(?:-[a-z][a-z'’]*)?)(?![\w'’@-])")


_WORD_START = re.compile(r"(?<![\w'’-])" + _WORD)
_NOT_WORD_END = re.compile(r"[\w-]|['’][a-rt-z]")


def _again(text: str, found: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Every other place a name found once is written the same way: "Dawn (Gym Manager):
    ... / Dawn: moved to studio 2"."""
    words, given = set(), set()
    for start, end in found:
        for m in TOKEN.finditer(text, start, end):
            low = m.group().lower()
            name_like = len(low) > 1 and low not in TITLES and low not in PARTICLES
            if name_like and classify(m.group().capitalize()) in "NAU":
                words.add(m.group())
                if m.group().islower():
                    words.add(m.group().capitalize())  # "its jasmine bello" / "Jasmine,"
            elif name_like and m.start() == start and end > m.end() + 1 and _is_cap(m.group()):
                given.add(m.group())  # "Precious Mhlanga": "Precious" alone is her too
    if not words and not given:
        return []
    names, spans = words | given, []
    for m in _WORD_START.finditer(text):
        # The whole word, or its part before an apostrophe ("Dawn's", "O'Neil").
        word = m.group()
        cuts = [len(word), *(i for i in range(len(word) - 1, 0, -1) if word[i] in "'’")]
        for cut in cuts:
            start, end = m.start(), m.start() + cut
            if word[:cut] in names and not _NOT_WORD_END.match(text, end):
                spans.append((start, end))
                break
    return [
        (start, end)
        for start, end in spans
        if not (_org_head_after(text, end, listed=False) or text.startswith(" &", end))
        and (text[start:end] in words or not _sentence_initial(text, start))
    ]


# An agent's line of a transcript: "Agent: ...", "Agent Kamal: ...", "Adviser (Faith): ...".
_AGENT_LINE = re.compile(
    r"(?mi)^[ \t]*(?:agent|advisor|adviser|operator|call handler|handler)\b[^:\n]{0,25}:"
)
STRONG_CUE_AHEAD = re.compile(STRONG_CUE.pattern.replace(r"\s*$", r"\s*"))
_LOWER_RUN = re.compile(r"[a-z][a-z'’-]+(?: [a-z][a-z'’-]+){0,3}(?![\w'’-])")


def _lower_case_names(text: str, found: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """A name in lower case straight after a strong cue: "spoke to priya", "caller: tadhg"."""
    extra = []
    transcript = len(_AGENT_LINE.findall(text)) >= 2
    for cue in STRONG_CUE_AHEAD.finditer(text):
        m = _LOWER_RUN.match(text, cue.end())
        if not m:
            continue
        if transcript and cue.group().rstrip().endswith(":"):
            continue  # what a caller said in a transcript ("Customer: redeliver please")
        if any(a < m.end() and m.start() < b for a, b in found):
            continue
        end, kinds = m.start(), []
        relative = _RELATIVE_BEFORE.search(cue.group())
        words = list(re.finditer(r"\S+", m.group()))
        classes = [
            "P" if w.group() in PARTICLES else classify(w.group().capitalize()) for w in words
        ]
        for i, (word, kind) in enumerate(zip(words, classes, strict=True)):
            w, nxt = word.group(), classes[i + 1] if i + 1 < len(classes) else ""
            if kind in "AW" and not kinds and nxt in ("N", "U") and w not in _ARTICLES:
                kind = "A"  # "tan yuxuan": an ordinary word before a name is part of it
            lone_ambiguous = (
                kind == "A" and not kinds and nxt not in ("N", "U")
                and not (relative and w not in _VERBS_AFTER_RELATIVE)
            )  # "mum jade" is a name, "mum will" is not
            if w in ABBREVIATIONS or len(w) < 2 or kind in "SW" or lone_ambiguous:
                break
            kinds.append(kind)
            if kind != "P":
                end = m.start() + word.end()
        listed_only = _LISTED_ONLY.search(cue.group())
        lone_name = relative and kinds == ["A"] and classes[0] == "A"
        if set(kinds) & ({"N"} if listed_only else {"N", "U"}) or lone_name:
            extra.append((m.start(), end))  # after "her husband" a listed name only
    return extra


_ARTICLES = frozenset(("the", "a", "an"))
_RELATIVE_BEFORE = re.compile(r"(?i)(?:" + _CLOSE_TO + r")\s*$")
# Words that are names too but, after "mum" or "her husband", say what they do.
_VERBS_AFTER_RELATIVE = frozenset(("will", "may", "can"))
# Cues after which a lower-case word must be a listed name ("her husband ron"), not any
# unknown word ("customer texted").
_LISTED_ONLY = re.compile(
    r"(?i)(?:" + _CLOSE_TO + r"|customer|cust|client|tenant|patient|member)\s*$"
)
