"""Street addresses, recognised by their shape rather than by a list of street types.

An address is a flat, house number or house name followed by the street's capitalised
words ("Flat 12, Quarry Steps", "17b The Stray", "Glebe House, Nidd Knoll"). Such a run is
an address when something around it says so:

- a known street word ends it ("14 Acacia Avenue", the first rules below);
- a flat or apartment number leads it ("Flat 12, Quarry Steps");
- a postcode follows it, perhaps after a town ("12 Cinder Spur, Otley, LS21 3AB");
- a cue comes before it ("lives at", "address is", "moved to", "sent to" ...), in any case;
- or it reads as a place in a sentence: after a preposition such as "at", "outside" or
  "from", two or more capitalised words, then punctuation or a little word ("and", "about").

Counts and labels stay alone: a number after a word that names something else ("Platform
4", "Gate 2", "Case 2231"), before a lower-case noun ("3 Pennine Water engineers", "12 Step
Programme training"), after money, or with a business word among the capitals ("Holbeck
Depot", "Leeds Station"). The town after an address is not personal data by itself; it is
returned apart so that names are not looked for in it.
"""

import re

from portfolio.evidence.pii.lists import (
    CALENDAR_NAMES,
    NOT_NAMES,
    ORG_HEADS,
    ROLE_WORDS,
    STREET_SUFFIXES,
    TITLES,
)
from portfolio.evidence.pii.names import classify, frequent_words
from portfolio.evidence.pii.patterns import (
    NUMBER_WORDS,
    POSTCODE,
    answers_question,
    window_before,
)

_SUFFIX = (
    r"(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Close|Cl|Drive|Dr|Way|Crescent|Cres|Court|Ct|"
    r"Place|Pl|Gardens|Gdns|Terrace|Grove|Hill|Row|Walk|Square|Sq|Mews|Park|View|Rise|"
    r"Parade|Vale|Heights|Wharf|Yard|Boulevard|Gate|Chase|Croft|Fold|Wynd|Brae|Meadows|"
    r"Green|Broadway|Circus|Embankment|Esplanade|Promenade|Quay|End|Common|Brow|Approach|"
    r"Loan|Garth|Dene|Nook|Ridge|Steps|Bank|Lea|Shaw|Side|Holme|Glade|Dell|Path|Crest)"
)
_WORD = r"[A-Z][a-z'’]+(?:-(?:[a-z]{1,4}-)*[A-Z][a-z'’]+)*"
_STREET = r"(?:St\.? |Saint )?" + _WORD + r"(?: (?:" + _WORD + r"|upon|on|the|de|la))*?"
# Welsh and Scottish Gaelic streets put the street word first: "Heol Ddu", "Ffordd y Parc".
_PREFIX_STREET = r"(?:Heol|Ffordd|Stryd|Lôn|Lon|Rhodfa|Clos|Cwrt|Maes|Bryn|Glan|Llys|Parc|Sr[aà]id|Rathad)(?: (?:y|yr|an|na|(?:h-)?[A-Z][a-z'’]+)){1,3}"
_HOUSE_NAME = (
    r"(?:[A-Z][a-z'’]+ ){1,2}(?:Cottage|Cottages|House|Farm|Farmhouse|Lodge|Barn|Villa|"
    r"Bungalow|Manor|Hall|Mill|Grange|Rectory|Vicarage|Chapel|Oast|Croft|Steading)"
)
ADDRESS = re.compile(
    r"(?<![\w£$€.,:/-])(?:(?:Flat|Fflat|Apartment|Apt|Unit|Suite|Room|Studio)\.? \d{1,4}[A-Za-z]?"
    r",? )?(?:" + _HOUSE_NAME + r",? |(?<![\d.:])\d{1,4}[A-Za-z]?(?:-\d{1,4}[A-Za-z]?)?,? )"
    r"(?:" + _STREET + " " + _SUFFIX + r"\b(?: " + _SUFFIX + r"\b)?|" + _PREFIX_STREET + r"\b)"
    # A second street after a block's name: "10 Larch Court, Fairfield Way".
    r"(?:, " + _STREET + " " + _SUFFIX + r"\b(?: " + _SUFFIX + r"\b)?)?"
)
_STREET_AFTER = r", \d{1,4}[A-Za-z]? " + _STREET + " " + _SUFFIX + r"\b(?: " + _SUFFIX + r"\b)?"
_BUILDING = (
    r"(?:Flat|Apartment|Apt|Unit|Suite|Studio)\.? \d{1,4}[A-Za-z]?,? (?:[A-Z][a-z'’]+ ){1,3}"
    r"(?:Court|House|Tower|Building|Lodge|Mansions|Point|Heights|Plaza|Apartments|Block|"
    r"Halls?|Mill|Wharf|Quay|Works|Buildings)\b"
    # and the street after it: "Flat 9, Meridian House, 52 Cheetham Hill Road"
    r"(?:" + _STREET_AFTER + r")?|"
    # a room in student halls, with the street: "Room 211, Sandringham Halls, 50 Lower ..."
    r"Room \d{1,4}[A-Za-z]?, (?:[A-Z][a-z'’]+ ){1,3}(?:Halls|House|Court)\b" + _STREET_AFTER
)
ADDRESS_LOWER = re.compile(
    r"(?i)(?:address(?: line ?1)?|addr\b|lives at|living at|resides at|moved to|property at|"
    r"deliver(?:ed|y) to)"
    # perhaps with a house's name: "ADDRESS: UNIT 4, THE MALTINGS, 21 MILL STREET"
    r"\W{0,4}(?:is |was )?((?:(?:flat|unit|apartment) \d{1,4}[a-z]?,? )?"
    r"(?:[a-z'’-]+(?: [a-z'’-]+){0,2}, )?\d{1,4}[a-z]?,? (?:[a-z'’-]+ ){1,3}"
    r"(?:street|road|avenue|lane|close|drive|way|crescent|court|place|gardens|terrace|grove|"
    r"hill|row|walk|square|mews|park|view|rise|st|rd|ave|ln|dr|cl|ct|pl|gdns|cres|sq)\b)"
)


_CAPITALISED_AFTER = re.compile(r" ([A-Z][a-z]+)")
_LABELLED = re.compile(r"(?i)\b(?:plots?|platforms?|bays?|stands?|pitch(?:es)?|lots?|phases?)\s+$")


def addresses(text: str) -> list[tuple[str, int, int]]:
    found = []
    for m in ADDRESS.finditer(text):
        after = _CAPITALISED_AFTER.match(text, m.end())
        if m.group().endswith(("Dr", "St")) and after and classify(after.group(1)) in "NU":
            continue  # "the Oak Dr Patel": "Dr" is more likely a title
        if _LABELLED.search(window_before(text, m.start(), 12)):
            continue  # "Plots 44-52, Meadow Gate": numbers of plots, not a house
        start = m.start()
        named = _HOUSE_BEFORE.search(text, max(0, start - 60), start)
        if named and _house(named.group(2)) and not window_before(text, named.start(), 40).strip():
            start = named.start()  # opening a line, as a letter's address: "The Laurels, 2 ..."
        found.append(("ADDRESS", start, m.end()))
    for m in re.finditer(_HOUSE_NAME, text):
        if _postcode_follows(text, m.end()):
            found.append(("ADDRESS", m.start(), m.end()))  # "Hillhead Steading, Kintore AB51"
    found += [("ADDRESS", m.start(1), m.end(1)) for m in ADDRESS_LOWER.finditer(text)]
    found += [("ADDRESS", m.start(), m.end()) for m in re.finditer(_BUILDING, text)]
    return found


# ---- by shape ---------------------------------------------------------------------------
_LOW = r"[a-zà-öø-ÿŵŷ'’]"  # a lower-case letter, Welsh and accented ones too ("Tŷ'n")
_CAP = r"[A-Z]" + _LOW + r"+(?:-(?:[a-z]{1,4}-)*[A-Z]" + _LOW + r"+)*"
LED = re.compile(
    r"(?<![\w£$€.,:/#-])(?=(?:Flat|Apartment|Apt)\b|\d|" + _HOUSE_NAME + r", )"
    r"(?:(?P<flat>(?:Flat|Apartment|Apt)\.? \d{1,4}[A-Za-z]?(?:/\d{1,2})?),? )?"
    # a stair's number and a flat's in Scotland: "27/4 Lochend Gait", "Flat 2/1, 45 ..."
    r"(?:(?P<number>(?<![\d.:])\d{1,4}[A-Za-z]?(?:-\d{1,4}[A-Za-z]?|/\d{1,2})?),? |"
    r"(?P<house>" + _HOUSE_NAME + r"), )?"
    r"(?P<street>(?:The |St\.? )?" + _CAP + r"(?: " + _CAP + r"){0,4})"
)
CUE = re.compile(
    r"(?i)(?:\blives|\bliving|\bresides|\bresiding|\bstaying|\bstays|\bhome|\bproperty|"
    r"\bdeliver(?:ed|y)?|\bsent|\bmoved|\bmoving|\brelocated)\s+(?:at|to|in|into)\s*$|"
    r"\baddr\b\.?\s*[:\-–]?\s*$|"
    r"\baddress(?:\s+(?:is|was|of|as|checked|confirmed|given|now|line (?:1|one)|"
    r"on (?:file|record|the system|the account)|for [\w ]{1,30}(?=:)))?\s*[:\-–,]?\s*$|"
    r"\baddress[\"']\s*:\s*[\"']$|"  # a key and its value in JSON: "address": "2 Mill Lane"
    r"^[ \t]*home\s*[:\-–]\s*$"
)
# Little words after a street: it ends there ("outside 12 Clough Edge about the noise").
_AFTER = frozenset(
    "about and but with until since for at on in near so is was where which who when before "
    "after because as or to from by yesterday today tonight this last again twice has have "
    "had are were will would can could should did does do opposite behind beside next off "
    "above below over under between round around along past up down into onto through across "
    "towards now then while although though unless if whose earlier later not".split()
)
# Words before a number that make the number an address's: prepositions and verbs of place,
# and "number" as a round's notes say it ("number twelve copper beech close").
_BEFORE = frozenset(
    "at to from outside of near opposite behind in on into by beside is was had as it's "
    "visited visit attend attended reached previously formerly number".split()
)
_LOWER_AFTER_CUE = re.compile(
    r"(?i)(?:flat \d{1,4}[a-z]?,? )?\d{1,4}[a-z]?(?:-\d{1,4}[a-z]?)?,? (?:the )?"
    r"[a-z][a-z'’-]+(?![\w'’-])(?: [a-z][a-z'’-]+(?![\w'’-])){0,3}"
)
# A number, in figures or words, and lower-case words ending in a street word, after a word
# of place: "rent for 16 jubilee terrace", "at 27 st aidans road", "went to thirty two dene
# rise".
_LOWER_STREET = re.compile(
    r"(?<![\w£$€.,:/#-])(?:\d{1,4}[a-z]?|" + NUMBER_WORDS + r"),? (?:[a-z][a-z'’-]+ ){1,3}(?:"
    + "|".join(sorted(STREET_SUFFIXES - {"gate", "park", "yard", "fields", "green", "view"}))
    + r")\b"
)
# A house's name and its street in lower case, in a list or after a comma: "the coach
# house, osborne avenue", "east mains farm, kirk road".
_LOWER_HOUSE_STREET = re.compile(
    r"(?:(?<=^)|(?<=\n)|(?<=[,.)] )|(?<=\d\. )|(?<= - ))(?:the )?(?:[a-z][a-z'’-]+ ){0,2}"
    r"(?:house|cottage|cottages|farm|farmhouse|lodge|barn|villa|bungalow|manor|grange|rectory|"
    r"vicarage|steading|stables|smithy|forge), (?:[a-z][a-z'’-]+ ){1,2}(?:"
    + "|".join(sorted(STREET_SUFFIXES - {"gate", "park", "yard", "fields", "green"}))
    + r")\b"
)
# A question whose answer on the next line is an address ("And the first line of the
# address?" / "Caller: The Old Smithy, Carr Lane.").
ADDRESS_QUESTION = re.compile(
    r"(?i)\baddress|\bwhere (?:do|does|are|is) (?:you|they|you both|he|she)\b.{0,12}"
    r"\b(?:live|living|moving|staying)\b"
)
# An answer of a house name and a street: "The Old Smithy, Carr Lane".
_PARTICLE = r"(?:na|nan|an|y|yr|du|de|la|le|of|on|the)"
_NAMED_HOUSE = re.compile(
    r"(?:The )?" + _CAP + r"(?: (?:" + _PARTICLE + r" )?" + _CAP + r"){0,3}, (?:The )?"
    + _CAP + r"(?: " + _CAP + r"){0,3}"
)
# A number and words in any case: an address when a postcode follows ("23 the paddock,
# pc wf17 6hn").
_LOWER_WORD = r"[a-z][a-z'’-]+(?![\w'’-])"
_LOWER_LED = re.compile(
    r"(?i)(?<![\w£$€.,:/#-])(?:flat \d{1,4}[a-z]?,? )?(?<![\d.:])\d{1,4}[a-z]?,? (?:the )?"
    # Welsh streets may have "y" or "yr" inside: "42 heol y cyw".
    + _LOWER_WORD + r"(?: (?:yr? )?" + _LOWER_WORD + r"){0,3}"
)
# A flat in a named block, in any case: "flat 14 ravenscar house".
_LOWER_BLOCK = re.compile(
    r"(?i)(?<![\w£$€.,:/#-])flat \d{1,4}[a-z]?,? (?:[a-z][a-z'’-]+ ){1,3}"
    r"(?:court|house|tower|lodge|mansions|point|heights|apartments|buildings)\b"
)
# Cues strong enough for an address in lower case ("lives at 84 clough vennel").
LOWER_CUE = re.compile(
    r"(?i)\b(?:lives|living|resides|residing|staying|moved|moving) (?:at|to|into) |"
    r"\baddress(?: is| was)?:? |\baddr\b\.?:? "
)
# A house number in words after a cue, as a voice note writes it: "lives at forty two
# Sunnyside Avenue", "at home twelve holloway road".
_WORDED = re.compile(
    r"(?i:" + LOWER_CUE.pattern.removeprefix("(?i)") + r"|\bat home )"
    r"((?i:" + NUMBER_WORDS + r"(?: [a-z][a-z'’-]+){1,3}?) ([A-Za-z]+))\b"
)
_TOWN = re.compile(
    r",? ((?:" + _CAP + r" ){0,2}" + _CAP + r"(?:, (?:" + _CAP + r" ){0,2}" + _CAP + r"(?= *\[POSTCODE\]))?)"
    r"(?=,? *(?:[A-Za-z]{1,2}\d|\[POSTCODE\])|[.;!?\n]|$| [–-] )"
)


# A house's name on a Welsh or Gaelic street: "Bryn Awel, Heol y Nant".
_HOUSE_ON_PREFIX_STREET = re.compile(
    r"(?<![\w'’-])" + _CAP + r"(?: (?:y|yr|an|na) )?(?: ?" + _CAP + r"){0,2}, " + _PREFIX_STREET
    + r"\b"
)
# A person's title, before their name.
_TITLE = r"\b(?:Mrs?|Ms|Miss|Mx|Dr)\.? "
# A house's name just before a number: "Holly Bank, 3 Moor Lane".
_HOUSE_BEFORE = re.compile(
    r"(?<![\w'’])((?:Flat|Fflat|Apartment) \d{1,4}[A-Za-z]?, )?(" + _CAP + r"(?: " + _CAP
    + r"){0,3}), $"
)
# A form's label just before: "Property: ", "Pick-up: ".
_LABEL_BEFORE = re.compile(r"(?m)^[ \t]*[A-Za-z][\w ()/'’-]{0,30}:[ \t]*$")
_NEXT_WORD = re.compile(r" ([A-Za-z'’]+)")
# A town after a comma: "12 Eastgate, Louth".
_TOWN_NEXT = re.compile(r", (?:" + _CAP + r" ){0,2}" + _CAP + r"\b")
_LOCALITY = r"(?:" + _CAP + r" ){0,2}" + _CAP
_BEFORE_POSTCODE = re.compile(r",? *(?:(" + _LOCALITY + r"(?:, " + _LOCALITY + r")?),? *)?")
_POSTCODE_WORD = re.compile(r"(?i)(?:(?:pc|post ?code)\b:? *)?")


def _next_word(text: str, end: int) -> str | None:
    """The word after ``end`` when only a space separates them; None at punctuation."""
    m = _NEXT_WORD.match(text, end)
    return m.group(1) if m else None


def _postcode_follows(text: str, end: int) -> tuple[int, int] | None:
    """Where the town is when a postcode follows, perhaps after a town: (start, end) of the
    town, or (end, end) with no town; None without a postcode."""
    m = _BEFORE_POSTCODE.match(text, end)
    if not POSTCODE.match(text, _POSTCODE_WORD.match(text, m.end()).end()):
        return None
    return m.span(1) if m.group(1) else (end, end)


_CALENDAR = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday january february march april "
    "may june july august september october november december".split()
)


def _trim_street(words: list[str]) -> list[str]:
    """The street's words up to the first that cannot be part of one: a weekday, a month or
    a title ("at 12 Quarry Steps Monday", "to 3 Kiln Garth Mrs Khan")."""
    kept = []
    for word in words:
        low = word.lower()
        if kept and (low in _CALENDAR or low in TITLES):
            break
        kept.append(word)
    return kept


# Words that end the names of businesses (depot, station, hospital), less those that also
# end streets: "Beck Bank", "Corn Exchange", "Tower Hill".
_BUSINESS_WORDS = ORG_HEADS - STREET_SUFFIXES - {"bank", "exchange", "house", "tower", "estate"}


def _business(words: list[str]) -> bool:
    """A place of business: a word such as depot, station or hospital among the capitals."""
    return any(w.lower() in _BUSINESS_WORDS for w in words)


def by_shape(text: str) -> tuple[list[tuple[str, int, int]], list[tuple[int, int]]]:
    """Addresses recognised by shape, and the towns after them (for names to leave alone)."""
    found, towns = [], []
    listed = []  # where a numbered list's people start
    last_end = -1
    for m in LED.finditer(text):
        if not (m.group("flat") or m.group("number") or m.group("house")):
            continue
        words = m.group("street").split()
        first = words[0].lower()
        if first in CALENDAR_NAMES or first in NOT_NAMES or first in TITLES:
            continue
        words = _trim_street(words)
        end = m.start("street") + len(" ".join(words))
        if _listed_person(text, m, words, end):
            listed.append(m.start())
            continue
        before = window_before(text, m.start(), 40)
        postcode = _postcode_follows(text, end)
        if "/" in (m.group("number") or "") and not (postcode or CUE.search(before)):
            continue  # a stair and a flat before a postcode, not a day and month: "03/03 Premier"
        asked = answers_question(text, m.start(), ADDRESS_QUESTION)
        if not (m.group("flat") or postcode or asked):
            after = _next_word(text, end)
            cued = CUE.search(before)
            if not (after is None or after.lower() in _AFTER or (cued and after.islower())):
                continue  # a count of things: "3 Pennine Water engineers"
            if _business(words) and not cued:
                continue
            if not cued and not (
                _placed(before, last_end, m.start()) or _in_apposition(text, m.start(), end)
            ):
                continue
            one_word_street = _TOWN_NEXT.match(text, end) and not _business(words)
            if len(words) < 2 and not m.group("house") and not one_word_street:
                continue
        start = m.start()
        named = _HOUSE_BEFORE.search(text, max(0, start - 60), start)
        if named and not _person(named.group(2)):
            ahead = window_before(text, named.start(), 40)
            placed = _house(named.group(2)) and (
                _placed(ahead, -1, 0) or _LABEL_BEFORE.search(ahead)
            )
            # before a postcode: a house's name, or any after a label or a person's name ("Mrs
            # Betty Hamilton, Ballynakilly House, 8 ...", "Site: Larchmount, 17 Ridgeway, EN2")
            house = named.group(2)
            before_postcode = postcode and (
                _house(house)
                or (
                    " " not in house
                    and classify(house) not in "NA"
                    and re.search(r"\w:[ \t]*$|(?:" + _TITLE + r")?[A-Z][\w'’-]+ [A-Z][\w'’-]+, $", ahead)
                )
            )
            if placed or named.group(1) or CUE.search(ahead) or before_postcode:
                start = named.start()  # "of Holly Bank, 3 Moor Lane", "Fflat 4, Tŷ Glas, 19"
        found.append(("ADDRESS", start, end))
        last_end = end
        town = town_after(text, end)
        if town:
            towns.append(town)
    for m in re.finditer(r"(?m)^(?:[A-Za-z][\w ]{0,20}:)?[ \t]*(?:It['’]s )?", text):
        house = _NAMED_HOUSE.match(text, m.end())
        if house and answers_question(text, house.start(), ADDRESS_QUESTION):
            first, rest = house.group().split(", ", 1)
            if not (_person(first) or rest.startswith(("Flat", "Apartment"))):
                found.append(("ADDRESS", house.start(), house.end()))  # not "Shannon Kelly, Flat 3"
        if house and _letter_heading(text, house):
            found.append(("ADDRESS", house.start(), house.end()))
    houses = _named_houses(text)
    found += houses
    towns += named_house_towns(text, houses)
    position = 0
    while m := _HOUSE_ON_PREFIX_STREET.search(text, position):
        house = m.group().split(", ", 1)[0]
        titled = re.search(_TITLE + "$", text[max(0, m.start() - 5) : m.start()])
        if house.split()[0].lower().rstrip(".") in TITLES or titled or _person(house):
            position = m.start() + 1  # a person before the house: "Mr Idris Bowen, Bryn Teg"
            continue
        position = m.end()
        before = window_before(text, m.start(), 40)
        # A postcode after it: "and Ty Gwyn, Heol y Bont, LL18 5UF".
        after_name = _postcode_follows(text, m.end())
        # Between commas after a titled name: "Mrs Sioned Powell, Hendre Fach, Lôn Tyllwyd,".
        after_name = after_name or bool(
            re.search(_TITLE + r"[A-Z][\w'’-]+(?: [A-Z][\w'’-]+)?, $", before)
            and re.match(r"[,;.]", text[m.end() : m.end() + 1])
        )
        asked = answers_question(text, m.start(), ADDRESS_QUESTION)
        labelled = _LABEL_BEFORE.search(before)
        if CUE.search(before) or _placed(before, -1, m.start()) or after_name or asked or labelled:
            found.append(("ADDRESS", m.start(), m.end()))
    for m in _LOWER_LED.finditer(text):
        if m.start() in listed:
            continue
        words = _until_little_word(m.group().split(" "))
        end = m.start() + len(" ".join(words))
        if len(words) >= 2 and _postcode_follows(text, end):
            found.append(("ADDRESS", m.start(), end))
    for m in _LOWER_STREET.finditer(text):
        before = window_before(text, m.start(), 40)
        placed = _placed(before, -1, m.start()) or re.search(r"(?i)\bfor\s*$", before)
        if CUE.search(before) or placed or _postcode_follows(text, m.end()):
            found.append(("ADDRESS", m.start(), m.end()))
    found += [("ADDRESS", *m.span()) for m in _LOWER_HOUSE_STREET.finditer(text)]
    found += [("ADDRESS", *m.span()) for m in _LOWER_BLOCK.finditer(text)]
    for m in _WORDED.finditer(text):
        if m.group(2).lower() in STREET_SUFFIXES:
            found.append(("ADDRESS", m.start(1), m.end(2)))
    for m in LOWER_CUE.finditer(text):
        lower = _LOWER_AFTER_CUE.match(text, m.end())
        if lower:
            kept = _until_little_word(lower.group().split(" "))
            if len(kept) < 3:
                continue  # a number and two words at least: not "moved to 422 and logged"
            if not (kept[1].lower() in frequent_words() and kept[1].endswith("s")):  # "2 streets"
                found.append(("ADDRESS", lower.start(), lower.start() + len(" ".join(kept))))
    return found, towns


# Words that end the names of houses: "Holly Bank", "Orchard End", "Rose Cottage".
_HOUSE_WORDS = STREET_SUFFIXES | frozenset(
    "bank end house cottage cottages farm farmhouse lodge barn villa bungalow manor hall mill "
    "grange rectory vicarage chapel croft view side brow garth nook holme haven rise home".split()
)


def _house(words: str) -> bool:
    """A house's name, not a person's: "The Laurels", or ending in a word such as "Bank"."""
    return words.startswith("The ") or words.split()[-1].lower() in _HOUSE_WORDS


def _listed_person(text: str, m: re.Match, words: list[str], end: int) -> bool:
    """A numbered list's person, their address after a comma: "2 Olga Zhukova, 6 Mill Mews"
    (a given name, then names or unknown words, none a street's)."""
    line_start = text.rfind("\n", 0, m.start()) + 1
    return (
        m.group("number") is not None
        and not m.group("flat")
        and not text[line_start : m.start()].strip()
        and text.startswith(",", end)
        and classify(words[0]) == "N"
        and all(classify(w) in "NU" and w.lower() not in STREET_SUFFIXES for w in words)
    )


def _person(words: str) -> bool:
    """Words that are all names and no ordinary words: "Shannon Kelly", not "Bryn Awel"."""
    return all(classify(w) == "N" for w in words.split())


def _letter_heading(text: str, house: re.Match) -> bool:
    """A house's name and its street on a line of their own, with a postcode on one of the
    three lines after, perhaps after the town: a letter's address ("Hollybank, Mill Lane /
    Little Budworth / CW6 9EY", "Brackenfold, Rydal Road / Ambleside LA22 9AN")."""
    street = house.group().split(", ", 1)[1]
    line_end = text.find("\n", house.end())
    named_street = street.split()[-1].lower() in STREET_SUFFIXES or re.fullmatch(
        _PREFIX_STREET, street
    )
    if not named_street or text[house.end() : line_end].strip(" ,"):
        return False
    following = text[line_end + 1 :].split("\n")[:3]
    return any(_POSTCODE_LINE.fullmatch(line.strip(" ,.")) for line in following)


# A line of a letter's address with its postcode, perhaps after the town: "Ambleside LA22 9AN".
_POSTCODE_LINE = re.compile(r"(?:" + _LOCALITY + r",? )?" + POSTCODE.pattern, re.IGNORECASE)


def _until_little_word(words: list[str]) -> list[str]:
    """A street's words up to a little word that follows streets ("about", "and", "not")."""
    kept = []
    for word in words:
        if kept and word.lower() in _AFTER:
            break
        kept.append(word)
    return kept


def _named_houses(text: str) -> list[tuple[str, int, int]]:
    """A house's name and its street after a cue ("delivery to Ty Gwyn, Ffordd y Llan"), or
    a house called "The ..." and a street with a street word after a word of place ("a call
    at The Laurels, Ferry Lane")."""
    found = []
    for m in _NAMED_HOUSE.finditer(text):
        house, street = m.group().split(", ", 1)
        start = m.start()
        if " of " in house:  # "Mrs Aurelia Popescu of Wisteria Cottage": the house is after
            person, house = house.rsplit(" of ", 1)
            start += len(person) + len(" of ")
        old = house.startswith("The Old ")  # a house that was a business: "The Old Bakery"
        if (_business(house.split()[-1:]) and not old) or _business(street.split()[-1:]):
            continue  # "Boothtown Surgery, Halifax"; not "The Old Forge, Church Lane"
        before = window_before(text, start, 40)
        last = street.split()[-1].lower()
        street_word = last in STREET_SUFFIXES
        placed = street_word and house.startswith("The ") and _placed(before, -1, start)
        # "Ivy Cottage, Church Bank, Goathland YO22": a house's word may end the street too.
        # A house's name of one unknown word: "Sunnybank, Low Fold, Bolton-by-Bowland BB7";
        # before a street with a street word, any name but a person's: "Little Acre, Pinfold
        # Lane, Southwell NG25".
        named = (
            _house(house)
            or (" " not in house and classify(house) == "U")
            or (street_word and not _person(house))
        )
        posted = (street_word or last in _HOUSE_WORDS) and named and (
            _postcode_follows(text, m.end())
        )
        if placed or posted or CUE.search(before):
            found.append(("ADDRESS", start, m.end()))
    return found


def named_house_towns(text: str, found: list[tuple[str, int, int]]) -> list[tuple[int, int]]:
    """The towns after the addresses found: "The Old Forge, Back Lane, Great Ayton, TS9"."""
    return [t for t in (town_after(text, end) for _, _, end in found) if t]


def _in_apposition(text: str, start: int, end: int) -> bool:
    """A number and two or more capitalised words between commas straight after a name or
    a place: "said Mr Rashid Chaudhry, 54 Cragg Brow, and ..."; not a count of things
    ("Leeds, 3 Team Leaders, 2 Agents")."""
    words = text[start:end].split()[1:]
    counted = any(w.lower() in frequent_words() or w.lower() in ROLE_WORDS for w in words[-1:])
    return (
        len(words) >= 2
        and not counted
        and bool(re.search(r"[A-Z][\w'’-]+, $", text[max(0, start - 30) : start]))
        and bool(re.match(r"[,.;]|\s*$", text[end : end + 1]))
    )


def _placed(before: str, last_end: int, start: int) -> bool:
    """Whether the words before a number place it as an address: a preposition or verb of
    place, or "and"/"or" straight after another address ("3 Kiln Garth and 5 Beck Side")."""
    previous = re.search(r"([A-Za-z'’]+)\W*$", before)
    if previous is None:
        return True
    word = previous.group(1).lower().replace("’", "'")
    if word in ("and", "or"):
        return last_end >= 0 and start - last_end <= len(previous.group()) + 2
    return word in _BEFORE


def town_after(text: str, end: int) -> tuple[int, int] | None:
    """The span of the town after an address ending at ``end`` (", Otley, LS21 1AB",
    ", Penrith."), if there is one."""
    postcode = _postcode_follows(text, end)
    if postcode:
        return postcode if postcode[1] > postcode[0] else None
    m = _TOWN.match(text, end)
    return m.span(1) if m else None
