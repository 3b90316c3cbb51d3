"""The detectors of the personal-data check other than names: each returns candidate
findings as (type, start, end), which ``find_personal_data`` ranks and chooses between."""

import re
from datetime import date
from typing import TYPE_CHECKING

from portfolio.evidence.pii.lists import NOT_REGISTRATIONS, POSTCODE_AREAS
from portfolio.evidence.pii.names import frequent_words

if TYPE_CHECKING:
    import phonenumbers


def window_before(text: str, start: int, size: int) -> str:
    """Up to ``size`` characters before ``start`` on the same line."""
    # rfind within the window only: searching back to the start is quadratic on long text
    return text[max(text.rfind("\n", max(0, start - size), start) + 1, start - size) : start]


EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+'-]*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}"
)

# ---- numbers: phone, NHS, card, sort code, account -------------------------------------
NHS_CUE = re.compile(r"(?i)\b(?:nhs|chi|health|patient)\b")
ACCOUNT_CUE = re.compile(r"(?i)\baccount|\bacc\b|\bacct\b|\ba/c\b")
OTHER_NUMBER_CUE = re.compile(
    r"(?i)\b(?:ref(?:erence)?|ticket|order|case|job|invoice|incident|inc|policy|meter|"
    r"mpan|mprn|claim|booking|tracking|consignment|serial|ext(?:ension)?|phone|mobile|tel)\b"
)
SORT_CODE = re.compile(
    r"(?<![\w/.:£$-])(?<!\d )(\d{2})([- ])(\d{2})\2(\d{2})(?![\w/:-]|[.,]\d|[ -]\d{1,6}\b)"
)
# Six digits run together straight after their cue: "sort code 608371", "sort 560029".
SORT_CODE_RUN = re.compile(r"(?i)\b(?:sort(?: ?code)?|s/c)\b[\s:.-]*(\d{6})(?![\w/-]|[.,]\d)")
# Ten digits grouped 4-3-3, an NHS number only after its cue: "NHS number 8720 743 963".
_NHS_GROUPED_OTHERWISE = re.compile(r"(?<![\w/.+-])\d{4} \d{3} \d{3}(?![\w/-]|[.,]?\d| \d)")
# Ten digits that may be an NHS number; not inside a longer run of numbers, but after a
# time of day ("08:30 922 512 2713") or a word and someone's age ("Gwyneth 89 450 557 7104").
_NHS = re.compile(
    r"(?<![\w/.+-])(?:(?<=\d\d:\d\d )|(?<=[^\W\d_,] \d\d )|(?<=[^\W\d_,] \d\d\d )|(?<!\d ))"
    r"\d{3}([ -]?)\d{3}\1\d{4}(?![\w/-]|[.,]?\d)"
)
CARD = re.compile(
    r"(?<![\w/.-])(?:\d{4}([ -]?)\d{4}\1\d{4}\1\d{1,4}(?:\1\d{1,3})?|\d{4}([ -]?)\d{6}\2\d{4,5}"
    r"|\d{13,19})(?![\w/-]|[.,]\d)"
)
ACCOUNT = re.compile(r"(?<![\w/.#£$€-])(\d{7,10}|\d{4} \d{4})(?![\w/-]|[.,]\d| \d)")


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def nhs_ok(digits: str) -> bool:
    if len(digits) != 10 or not digits.isdigit():
        return False
    check = 11 - sum(int(d) * (10 - i) for i, d in enumerate(digits[:9])) % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


# Digits as a phone number may start: the trunk 0, or +44 or 0044 (perhaps with "(0)").
_PHONE_START = re.compile(r"(?<![\w+/.-])(?:(?:\+|00)44 ?(?:\(0\) ?)?|0)\d")
_DIGIT_GROUPS = re.compile(r"(?:[ -]?\(?\d+\)?)+")
_ONE_TOO_MANY = re.compile(r"(?<![\w+/.-])0[12]\d{3}([ -])\d{3}\1\d{4}(?![\w/-]|[.,]?\d)")


def _phones(text: str) -> list[tuple[str, int, int]]:
    """UK phone numbers, found and parsed by libphonenumber in any way they are written, and
    kept when they are whole UK numbers written as people write them: from the trunk 0 or
    +44, with ten digits after it (nine for some 01 area codes, 0800 and 0500), in groups of
    two digits or more, the first of three or more unless a code in brackets or +44 comes
    first. That tells them from dates, times and references ("07.07.2026 2.20").

    Numbers the numbering plan has not allocated count too: libphonenumber's validity would
    miss the ranges kept for drama (01632, 07700 900) and ranges allocated after its data.

    A number with other digits straight after it ("ring 07731 884 290 30 minutes before", a
    card number in the next column) is read again without them, as libphonenumber's matcher
    takes the run of digits as a whole."""
    import phonenumbers  # here, not at the top: a worker that checks no text never loads it

    found = []
    for match in phonenumbers.PhoneNumberMatcher(text, "GB", phonenumbers.Leniency.POSSIBLE):
        if _uk_number(match.raw_string, match.number):
            found.append(("PHONE", match.start, match.end))
    for start in _PHONE_START.finditer(text):
        if any(a <= start.start() < b for _, a, b in found):
            continue
        run = _DIGIT_GROUPS.match(text, start.start() + len(start.group()) - 1)
        written = text[start.start() : run.end()].rstrip(" -")
        while written.count(" ") + written.count("-") >= 1:
            try:
                number = phonenumbers.parse(written, "GB")
            except phonenumbers.NumberParseException:
                number = None
            if number is not None and _uk_number(written, number):
                found.append(("PHONE", start.start(), start.start() + len(written)))
                break
            written = re.sub(r"[ -]+\(?\d+\)?$", "", written)  # without its last group
    found += _spoken_phones(text, found)
    # A number with a five-digit area code and a digit too many, as people mistype one
    # ("01942 496 0118"): still somebody's phone number.
    for m in _ONE_TOO_MANY.finditer(text):
        if not any(a < m.end() and m.start() < b for _, a, b in found):
            found.append(("PHONE", m.start(), m.end()))
    return found


# A phone number read out digit by digit, as a voice note writes it: "oh seven seven oh oh
# nine double oh four two one".
_DIGIT_WORD = {
    "oh": "0", "o": "0", "zero": "0", "nought": "0", "one": "1", "two": "2", "three": "3",
    "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9",
}  # fmt: skip
_SPOKEN_DIGITS = re.compile(
    r"(?i)(?<![\w'’-])(?:(?:double|triple) )?(?:" + "|".join(_DIGIT_WORD) + r")"
    r"(?:[ ,-]+(?:(?:double|triple) )?(?:" + "|".join(_DIGIT_WORD) + r"))+(?![\w'’-])"
)


def _spoken_phones(text: str, found: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Phone numbers said digit by digit: ten or eleven digits from the trunk 0 that
    libphonenumber reads as a UK number."""
    spoken = []
    for m in _SPOKEN_DIGITS.finditer(text):
        digits, times = "", 1
        for word in re.findall(r"[a-z]+", m.group().lower()):
            if word in ("double", "triple"):
                times = 2 if word == "double" else 3
            else:
                digits, times = digits + _DIGIT_WORD[word] * times, 1
        whole = 10 <= len(digits) <= 11 and digits[0] == "0" and is_phone_number(digits)
        if whole and not any(a < m.end() and m.start() < b for _, a, b in found):
            spoken.append(("PHONE", m.start(), m.end()))
    return spoken


def is_phone_number(value: str) -> bool:
    """Whether ``value`` is one UK phone number and nothing else (a table's cell)."""
    return any(start == 0 and end == len(value) for _, start, end in _phones(value))


def _uk_number(written: str, number: "phonenumbers.PhoneNumber") -> bool:
    """Whether libphonenumber's reading of ``written`` is a whole UK number written as people
    write them (``_phones`` says how)."""
    import phonenumbers

    digits = phonenumbers.national_significant_number(number)
    if number.country_code != 44 or not (
        (len(digits) == 10 and digits[0] in "1235789")
        or (len(digits) == 9 and digits.startswith(("1", "800", "500")))
    ):
        return False
    if written.startswith("(") and not re.match(r"\((?:0|\+44)", written):
        return False  # a number in brackets without its trunk 0: "(164 152 4022)"
    prefixed = written.startswith(("+", "00", "("))
    if not prefixed and not written.startswith("0"):
        return False
    groups = re.findall(r"\d+", re.sub(r"^(?:\+|00)44|\(0\)", "", written))
    if any(len(group) < 2 for group in groups[1:]):
        return False
    return prefixed or len(groups) <= 1 or len(groups[0]) >= 3


def numbers(text: str) -> list[tuple[str, int, int]]:
    found = _phones(text)
    for m in CARD.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        if 13 <= len(digits) <= 19 and digits[0] in "23456" and luhn_ok(digits):
            found.append(("CARD_NUMBER", m.start(), m.end()))
    for m in _NHS_GROUPED_OTHERWISE.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        if nhs_ok(digits) and NHS_CUE.search(window_before(text, m.start(), 40)):
            found.append(("NHS_NUMBER", m.start(), m.end()))
    for m in _NHS.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        before = window_before(text, m.start(), 40)
        if nhs_ok(digits) and (digits[0] != "0" or NHS_CUE.search(before)):
            found.append(("NHS_NUMBER", m.start(), m.end()))
    sort_codes = []
    for m in SORT_CODE.finditer(text):
        day, month = int(m.group(1)), int(m.group(3))
        before = window_before(text, m.start(), 25)
        line = text[
            text.rfind("\n", 0, m.start()) + 1 : (text.find("\n", m.end()) + 1 or len(text) + 1) - 1
        ]
        is_date = 1 <= day <= 31 and 1 <= month <= 12 and int(m.group(4)) <= 35
        banking = re.search(r"(?i)sort|s/c|bank|account|acc\b|a/c|\b\d{8}\b", line)
        if is_date and m.group(2) == "-" and not banking:
            continue  # "on 04-11-26": a date, not a sort code
        if re.search(r"(?i)cost cent(?:re|er)|nominal|budget code", line):
            continue  # a finance code shaped as one
        sort_codes.append((m.start(), m.end()))
        found.append(("SORT_CODE", m.start(), m.end()))
    for m in SORT_CODE_RUN.finditer(text):
        sort_codes.append(m.span(1))
        found.append(("SORT_CODE", *m.span(1)))
    for m in ACCOUNT.finditer(text):
        before = window_before(text, m.start(), 30)
        cues = list(ACCOUNT_CUE.finditer(before))
        between = before[cues[-1].end() :] if cues else ""
        cued = bool(cues) and not OTHER_NUMBER_CUE.search(between)
        cued = cued and not re.search(r"\d", between)
        straight_after = any(0 <= m.start() - b <= 2 for a, b in sort_codes)
        digits = m.group().replace(" ", "")
        near_sort = (
            digits.isdigit()
            and (len(digits) == 8 or (len(digits) == 7 and straight_after))
            and any(
                (0 <= m.start() - b <= 30 or 0 <= a - m.end() <= 30)
                and "\n" not in text[min(b, m.end()) : max(a, m.start())]
                for a, b in sort_codes
            )
        )
        asked = answers_question(text, m.start(), ACCOUNT_CUE)
        if cued or near_sort or asked:
            found.append(("ACCOUNT_NUMBER", m.start(), m.end()))
    return found


# ---- identifiers with letters: NI number, postcode, vehicle registration ---------------
NI = re.compile(
    r"(?<![\w-])(?!BG|GB|KN|NK|NT|TN|ZZ)"
    r"[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z][ -]?\d{2}[ -]?\d{2}[ -]?\d{2}[ -]?[A-D](?![\w-])",
    re.IGNORECASE,
)
POSTCODE = re.compile(
    r"(?<![\w-])([A-Z]{1,2})(\d[A-Z\d]?) ?(\d[ABD-HJLNP-UW-Z]{2})(?![\w-])", re.IGNORECASE
)
OUTWARD = re.compile(
    r"(?i)\b(?:post ?code|postal code|p/code)(?: area| district)?(?: is| was| of)?\W{0,3}"
    r"([A-Z]{1,2}\d[A-Z\d]?)(?![\w-])"
    # or named before it: "the LS9 postcode area"
    r"|(?<![\w-])([A-Z]{1,2}\d[A-Z\d]?) (?:post ?code|postal) (?:area|district)\b"
)
REG_CUE = re.compile(
    r"(?i)\b(?:reg|registration|vehicle|vrm|number plate|plate|car|van|taxi|minibus|lorry|truck)\b"
)
REG_CURRENT = re.compile(r"(?<![\w-])([A-Z]{2})(\d{2}) ?([A-Z]{3})(?![\w-])", re.IGNORECASE)
REG_PREFIX = re.compile(r"(?<![\w-])([A-Z])(\d{1,3}) ?([A-Z]{3})(?![\w-])", re.IGNORECASE)
REG_SUFFIX = re.compile(r"(?<![\w-])([A-Z]{3}) ?(\d{1,3})([A-Z])(?![\w-])", re.IGNORECASE)
# Dateless: letters and up to four digits, with no year ("BFZ 7324"); after a cue only.
REG_DATELESS = re.compile(r"(?<![\w-])([A-Z]{1,3}) (\d{1,4})(?![\w-]|[.,]\d)", re.IGNORECASE)


def identifiers(text: str) -> list[tuple[str, int, int]]:
    found = [("NI_NUMBER", m.start(), m.end()) for m in NI.finditer(text)]
    for m in POSTCODE.finditer(text):
        area, inward = m.group(1).upper(), m.group(3)
        if area not in POSTCODE_AREAS or (m.group(1).isupper() != inward[1:].isupper()):
            continue
        if inward.islower() and re.fullmatch(r"1st|2nd|3rd|\dth", inward):
            continue
        found.append(("POSTCODE", m.start(), m.end()))
    for m in OUTWARD.finditer(text):
        group = 1 if m.group(1) else 2
        if re.match(r"[A-Z]{1,2}", m.group(group), re.I).group().upper() in POSTCODE_AREAS:
            found.append(("POSTCODE", m.start(group), m.end(group)))
    for m in REG_CURRENT.finditer(text):
        letters, age, tail = m.group(1).upper(), int(m.group(2)), m.group(3).upper()
        plausible = (2 <= age <= 29 or 51 <= age <= 79) and not re.search("[IQ]", tail)
        if plausible and letters[0] not in "IQZ" and _reg_allowed(text, m):
            found.append(("VEHICLE_REG", m.start(), m.end()))
    for rx, letters_group in ((REG_PREFIX, 3), (REG_SUFFIX, 1)):
        for m in rx.finditer(text):
            letters = m.group(letters_group).upper()
            if letters in NOT_REGISTRATIONS or not _reg_allowed(text, m):
                continue
            cued = bool(REG_CUE.search(window_before(text, m.start(), 30)))
            # "A123 BCD" uncued only when BCD is not a frequent word ("P2 ALL", "M1 NOW");
            # "ABC 123D" is distinctive enough
            if cued or rx is REG_SUFFIX or letters.lower() not in frequent_words():
                found.append(("VEHICLE_REG", m.start(), m.end()))
    for m in REG_DATELESS.finditer(text):
        cued = REG_CUE.search(window_before(text, m.start(), 20))
        letters, written = m.group(1).upper(), m.group(1)
        one_case = written.isupper() or written.islower()  # "hgz 7710", not "Bay 6"
        # Northern Ireland's, without a cue: the last two letters (the county's code) hold an I
        # or a Z, and the number has no leading nought and is no year ("MFZ 2264", "AXI 5530";
        # not "RPI 0118" or "ISO 2024").
        digits = m.group(2)
        irish = written.isupper() and bool(re.search("[IZ]", letters[1:])) and (
            re.fullmatch(r"[1-9]\d{2,3}", digits) and not re.fullmatch(r"(?:19|20)\d\d", digits)
        )
        if ((cued and one_case) or irish) and len(letters) == 3 and letters not in NOT_REGISTRATIONS:
            found.append(("VEHICLE_REG", m.start(), m.end()))  # "her car (BFZ 7324)"
    return found


def _reg_allowed(text: str, m: re.Match[str]) -> bool:
    """Upper case anywhere; any case only after a registration cue."""
    if m.group().isupper():
        return True
    return bool(REG_CUE.search(window_before(text, m.start(), 30)))


# ---- dates of birth and addresses -------------------------------------------------------
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
# A day of the month in words: "twenty-ninth", "third".
_ORDINAL = (
    r"(?:(?:twenty|thirty)[- ]?)?(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)|"
    r"tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|"
    r"eighteenth|nineteenth|twentieth|thirtieth"
)
# Numbers in words, as voice notes write them: one to ninety-nine.
UNITS = r"(?:one|two|three|four|five|six|seven|eight|nine)"
_TEENS = r"(?:ten|eleven|twelve|(?:thir|four|fif|six|seven|eigh|nine)teen)"
# Twenty to ninety-nine, as a year's last two figures are said too: "eighty eight".
_TENS_WORDS = r"(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[- ]" + UNITS + r")?"
NUMBER_WORDS = r"(?:" + _TENS_WORDS + "|" + UNITS + "|" + _TEENS + ")"
# A year said in words: "nineteen eighty two", "nineteen oh five", "two thousand and five",
# "twenty twelve".
_YEAR_WORDS = (
    r"nineteen (?:" + NUMBER_WORDS + r"|o[h'][- ]" + UNITS + r")|two thousand(?: and)?"
    r"(?: " + UNITS + "| " + _TEENS + ")?|twenty (?:o[h'][- ]" + UNITS + "|" + _TEENS
    + r"|twenty(?:[- ]" + UNITS + r")?)"
)  # fmt: skip
# A date said as its figures, as a voice note writes it: "fourteen oh four seventy two"
# (14/04/72), "nine eleven sixty three".
_SPOKEN_FIGURES = (
    r"(?:twenty(?:[- ]" + UNITS + r")?|thirty(?:[- ]one)?|" + _TEENS + "|" + UNITS + r") "
    r"(?:o[h'][- ]" + UNITS + "|" + UNITS + r"|ten|eleven|twelve) "
    r"(?:" + _YEAR_WORDS + "|" + _TENS_WORDS + ")"
)
DATE = re.compile(
    r"(?i)(?<![\w/.-])(?:\d{1,2}([/.-])\d{1,2}\1(?:\d{4}|\d{2})|\d{4}([/.-])\d{2}\2\d{2}|"
    r"(?:the )?(?:" + _ORDINAL + r") (?:of )?" + _MONTH + r",? (?:\d{4}|" + _YEAR_WORDS + "|"
    + _TENS_WORDS + r")|" + _SPOKEN_FIGURES + "|"
    r"\d{1,2}-" + _MONTH + r"-(?:\d{4}|\d{2})|"
    # Day, month and year run together, as airline bookings write them: "23APR84".
    r"\d{1,2}" + _MONTH + r"(?:\d{4}|\d{2})|"
    r"\d{1,2} \d{1,2} \d{4}|"
    r"\d{1,2}(?:st|nd|rd|th)?(?: of)? " + _MONTH + r"\.?,? (?:\d{4}|'?\d{2})|"
    r"(?:the )?\d{1,2}(?:st|nd|rd|th) of "
    + _MONTH
    + r"(?:,? (?:\d{4}|" + _YEAR_WORDS + r"))?|"
    + _MONTH
    + r"\.? \d{1,2}(?:st|nd|rd|th)?,? \d{4}|"
    + _MONTH
    + r" \d{4}|(?:19|20)\d{2})"
    r"(?![\w/-]|[.:]\d)"
)
DOB_CUE = re.compile(
    r"(?i)(?:\bd\.?o\.?b\b\.?|\bdates?[ _]of[ _]birth\b|\bbirth[ _]?date\b|\bborn\b|\bbirthday\b|"
    r"\bb\. )"
)
# A birthday without its year, straight after its cue: "Birthday: 4th November".
BIRTHDAY = re.compile(
    r"(?i)\b(?:birthday|d\.?o\.?b\b\.?|date of birth|born(?: on)?)(?: is| was)?[\s:\-–]*"
    r"((?:the )?\d{1,2}(?:st|nd|rd|th)?(?: of)? " + _MONTH + r"|" + _MONTH + r" \d{1,2}(?:st|nd|rd|th)?)"
    r"\b(?!,? \d)"
)
DOB_AFTER = re.compile(r"(?i)^\s*[(\[-]?\s*(?:dob|d\.o\.b\.?|date of birth)\b")


# A question written without its question mark: "ok can i take the address".
_ASKING = re.compile(
    r"(?i)\b(?:can|could|may) (?:i|we) (?:take|have|get|grab|check|confirm)\b|"
    r"\b(?:confirm|tell me)\b|\bwhat(?:['’]?s| is)\b|"
    r"(?::\s*|\band )(?:and )?(?:the|your|his|her) [\w ]{0,20}(?:please)?\s*$"
)


def answers_question(
    text: str, start: int, cue: re.Pattern[str], anywhere: bool = False
) -> bool:
    """In a transcript, whether ``start`` opens the answer to a question on the line before
    that matches ``cue`` ("Can you confirm your date of birth?" / "Caller: 10.11.82"); with
    ``anywhere``, whether it is anywhere in that answer ("Caller: Rhys Pritchard, 3rd of
    November 2020")."""
    line_start = text.rfind("\n", max(0, start - (200 if anywhere else 40)), start) + 1
    opening = text[line_start:start]
    if not line_start or not (
        anywhere or re.fullmatch(r"\s*(?:[A-Za-z][\w ]{0,20}:)?\s*(?:It['’]s )?", opening)
    ):
        return False
    asked_from = text.rfind("\n", max(0, line_start - 300), line_start - 1) + 1
    question = text[max(asked_from, line_start - 300) : line_start - 1].rstrip()
    asking = question.endswith("?") or _ASKING.search(question)
    return bool(asking) and bool(cue.search(question))


def _beside_ni_number(text: str, m: re.Match[str]) -> bool:
    """A whole date at least 14 years ago in a table's or a CSV line's row that holds an NI
    number: a list of staff or claimants ("10442 | Rahman S | MP712629D | 1984-10-03",
    "ACM-6610077,Oluwatobi Adeyinka,21/07/1990,NP073813A")."""
    line_start = text.rfind("\n", 0, m.start()) + 1
    line_end = text.find("\n", m.end())
    line = text[line_start : line_end if line_end >= 0 else len(text)]
    year = re.search(r"(?:19|20)\d{2}", m.group())
    # In a CSV line, not a sort code's shape: "...,JC 19 44 70 A,14/01/1998,01-09-28,...".
    csv = line.count(",") >= 3 and not re.fullmatch(r"\d\d-\d\d-\d\d", m.group())
    return (
        ("|" in line or csv)
        and bool(NI.search(line))
        and year is not None
        and int(year.group()) <= date.today().year - 14
    )


# Asking for a date of birth, then the answer in the same sentence: "I asked for his date
# of birth to search on it and he gave 02/09/2006", "your date of birth, which our records
# show as 17 March 1974".
_ASKED_EARLIER = re.compile(
    r"(?i)\b(?:date of birth|d\.?o\.?b\b)[^.!?\n]{0,60}\b(?:said|gave|gives|says|told me|"
    r"confirmed|replied|it was|it's|shows? as|recorded as|held as|given as)[\s:,]*$"
)


# Dates of birth under a label, each after its person's given name.
_LABELLED_LIST = re.compile(
    r"(?i)(?:\bd\.?o\.?b\b|\bdates? of birth\b)[^.!?\n\d:]{0,30}:\s*(?-i:[A-Z][a-z'’-]+ )?$"
)


# A table's row of dates of birth, from the line's start: "| DOB | 1990-05-12 | ".
_DOB_ROW = re.compile(r"(?i)[ \t]*\|?[ \t]*(?:dob|d\.o\.b\.?|dates? of birth)[ \t]*\|")


def _asked_for_earlier(text: str, m: re.Match[str]) -> bool:
    """A whole date given as the answer after a date of birth was asked for earlier in the
    sentence."""
    whole = re.search(r"\d{4}|'\d\d$|\d{1,2}[/.-]\d{1,2}[/.-]\d{2}$", m.group())
    return bool(whole) and bool(_ASKED_EARLIER.search(window_before(text, m.start(), 100)))


def dates_of_birth(text: str) -> list[tuple[str, int, int]]:
    found = []
    for m in DATE.finditer(text):
        before = window_before(text, m.start(), 35)
        cues = list(DOB_CUE.finditer(before))
        # What lies between the cue and the date, less any brackets: "DOB (18+ check): ".
        between = re.sub(r"\([^)]*\)", "", before[cues[-1].end() :] if cues else "")
        cued = bool(cues) and not re.search(r"[.!?;] |\d", between)
        cued = cued or bool(DOB_AFTER.match(text[m.end() : m.end() + 20]))
        cued = cued or answers_question(text, m.start(), DOB_CUE, anywhere=True)
        cued = cued or _beside_ni_number(text, m) or _asked_for_earlier(text, m)
        # A label further back, then the person's given name: "Family's dates of birth for
        # the referral: Shilan 10/03/1992".
        cued = cued or bool(_LABELLED_LIST.search(window_before(text, m.start(), 70)))
        # The next of a list of them: "dates of birth (19/04/1991 and 03/12/1992)", or of a
        # table's row of them: "| DOB | 1990-05-12 | 1988-11-03 |". Perhaps each after its
        # person's given name: "Shilan 10/03/1992, Karwan 17/08/1988".
        # (A comma with a space after it: in a CSV line the next column is another date.)
        in_row = _DOB_ROW.match(text, text.rfind("\n", 0, m.start()) + 1, m.start())
        joined = r"\s*(?:,\s|and|or|&" + (r"|\|" if in_row else "") + ")"
        cued = cued or bool(
            found
            and re.fullmatch(joined + r"\s*(?:[A-Z][a-z'’-]+ )?", text[found[-1][2] : m.start()])
        )
        if not cued:
            continue
        value = m.group()
        partial = re.fullmatch(r"(?:19|20)\d{2}|(?i:[a-z]+) \d{4}", value)
        if partial and not re.search(r"(?i)\b(?:born|dob|d\.o\.b|birth)", before):
            continue  # a year or month alone needs a birth cue, not just "b."
        if m.group(1):
            day, month = (int(x) for x in re.split(r"[/.-]", value)[:2])
            if not (1 <= day <= 31 and 1 <= month <= 12):
                continue
        found.append(("DATE_OF_BIRTH", m.start(), m.end()))
    for m in BIRTHDAY.finditer(text):
        if not any(a <= m.start(1) < b for _, a, b in found):
            found.append(("DATE_OF_BIRTH", m.start(1), m.end(1)))
    return found
