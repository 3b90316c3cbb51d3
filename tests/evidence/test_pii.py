"""The personal-data check: each kind of UK personal data, what must not be flagged,
redaction, and the measured figures on the labelled corpus of call notes."""

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from portfolio.evidence.pii import (
    PLACEHOLDERS,
    TYPES,
    Finding,
    find_personal_data,
    redact,
    redacted,
)
from portfolio.evidence.pii.patterns import luhn_ok, nhs_ok

ROOT = Path(__file__).resolve().parents[2]
CORPUS_DIR = Path(__file__).resolve().parent / "pii_corpus"


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


def found(text: str) -> list[tuple[str, str]]:
    return [(f.type, f.text) for f in find_personal_data(text)]


def assert_finds(text: str, kind: str, value: str) -> None:
    assert (kind, value) in found(text), f"{kind} {value!r} not found in {text!r}: {found(text)}"


def assert_clean(text: str) -> None:
    assert found(text) == [], f"unexpected findings in {text!r}"


# ---- the API --------------------------------------------------------------------------------
def test_types_and_placeholders_match():
    assert set(PLACEHOLDERS) == set(TYPES)
    assert PLACEHOLDERS["NI_NUMBER"] == "[NI NUMBER]"
    assert len(set(PLACEHOLDERS.values())) == len(TYPES)


def test_findings_are_sorted_non_overlapping_and_point_into_the_text():
    text = (
        "Caller: Jane Doe, 14 Acacia Avenue, Leeds LS1 4AB, on 07700 900123 or "
        "jane.doe@example.com. DOB 12/03/1985. Card 4111 1111 1111 1111. Sort code 20-45-77, "
        "account 43218765. NI AB 12 34 56 C. NHS 943 476 5919. Reg AB12 CDE."
    )
    findings = find_personal_data(text)
    assert {f.type for f in findings} == set(TYPES)
    for f in findings:
        assert text[f.start : f.end] == f.text
        assert f.as_dict() == {"type": f.type, "start": f.start, "end": f.end, "text": f.text}
    for a, b in zip(findings, findings[1:], strict=False):
        assert a.end <= b.start


def test_finding_is_frozen():
    finding = Finding("NAME", 0, 4, "Jane")
    with pytest.raises(AttributeError):
        finding.start = 1


def test_empty_and_plain_text():
    assert find_personal_data("") == []
    assert_clean("The caller reported a power cut and I logged it on the system.")


# ---- names ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Spoke to Mrs Okafor about the bill.", "Mrs Okafor"),
        ("Spoke to Mr. O'Neill about the bill.", "Mr. O'Neill"),
        ("Dr Patel rang from the surgery.", "Dr Patel"),
        ("Prof Eilidh MacDonald called.", "Prof Eilidh MacDonald"),
        ("Letter for Mx J. Smith-Jones.", "Mx J. Smith-Jones"),
        ("Sir Dylan Evans was on hold.", "Sir Dylan Evans"),
        ("Dame Priya Patel was on hold.", "Dame Priya Patel"),
        ("Miss Aisha Khan confirmed.", "Miss Aisha Khan"),
        ("Rev Chukwuemeka Obi asked for a callback.", "Rev Chukwuemeka Obi"),
        ("Ms McDonald wants a refund.", "Ms McDonald"),
        ("Mrs A Khan wants a refund.", "Mrs A Khan"),
        ("My name is Katarzyna Nowak, she said.", "Katarzyna Nowak"),
        ('She said "Hi, I\'m Fatima" and explained.', "Fatima"),
        ("Engineer said this is Priya from the network team.", "Priya"),
        ("I was speaking to Wojciech about it.", "Wojciech"),
        ("Spoke to Zhang Wei in billing.", "Zhang Wei"),
        ("Caller: Jane Doe", "Jane Doe"),
        ("Customer: Mohammed Al-Rashid", "Mohammed Al-Rashid"),
        ("Name: Nguyen Van An", "Nguyen Van An"),
        ("Caller name - Siobhan O'Sullivan", "Siobhan O'Sullivan"),
        ("Surname Begum, first name Nusrat.", "Begum"),
        ("Surname Begum, first name Nusrat.", "Nusrat"),
        ("Called by Rhys Pritchard at 10:00.", "Rhys Pritchard"),
        ("Asked for Niamh on the late shift.", "Niamh"),
        ("Then Oluwaseun Bakare rang back.", "Oluwaseun Bakare"),
        ("Passed to Siobhan in the network team.", "Siobhan"),
        ("Wojciech said the fault was cleared.", "Wojciech"),
        ("Grace said she would call back.", "Grace"),
        ("Tadhg rang back at 3pm.", "Tadhg"),
        ("The neighbour, Eilidh MacLeod, has a key.", "Eilidh MacLeod"),
        ("Added to Siobhan's queue.", "Siobhan"),
        ("Dylan Evans and Chukwuemeka Obi are handling it.", "Dylan Evans"),
        ("Dylan Evans and Chukwuemeka Obi are handling it.", "Chukwuemeka Obi"),
        ("Met Kehinde Adeyinka at the door.", "Kehinde Adeyinka"),
        ("spoke to mrs khan about the meter", "mrs khan"),
        ("caller: gruffydd cadwaladr", "gruffydd cadwaladr"),
        ("SURNAME: OKONKWO", "OKONKWO"),
        ("Her husband Tadhg was on the line.", "Tadhg"),
        ("cc Fiachra, Eilidh", "Fiachra"),
        ("Her carer Blessing was on scene.", "Blessing"),
        ("The caller said her name was aoife brennan.", "aoife brennan"),
        ("Per Tamer: no further action.", "Tamer"),
        ("Callback for Mx Gwynedd at 10:20.", "Mx Gwynedd"),
        ("Son Tan Wei is the carer.", "Tan Wei"),
    ],
)
def test_names(text, name):
    assert_finds(text, "NAME", name)


@pytest.mark.parametrize(
    "text",
    [
        "The customer called about the bill and the caller was upset.",
        "My team leader agreed and the engineer attended.",
        "The Manchester depot confirmed a cable fault.",
        "British Gas attended, not our engineer.",
        "User cannot log in to Teams since the Microsoft update.",
        "Told the caller to ring NHS 111 or 999.",
        "Visit booked for Monday in May.",
        "Will call back tomorrow.",
        "Grace period applies for 14 days.",
        "Mark as resolved if no reply.",
        "Bill is overdue; reminder sent.",
        "Flooding on Kennedy Close and the Dublin Road substation.",
        "Matlock and Buxton depots share the van.",
        "Router is a Netgear Orbi.",
        "Customer Service Director copied in.",
        "Milton Keynes hub rerouted the parcel via Swindon.",
        "Spoke to Customer Services at the bank.",
        "Passed to Billing.",
        "Name: not given.",
        "Fly tipping on Brook Lane near the school.",
        "Letter from Hartley & Boothroyd asking for the history.",
        "I'm sorry, Will and I don't know.",
        # Storms, and places on the network named after people; a question after a role.
        "Off supply for 19 hours during Storm Isha; Storm Dennis flooded it again.",
        "Points failure at Stephenson Junction; Fitzroy Substation outage; Elan Valley main.",
        "ASSESSOR: Who did you tell?",
        "09:15 Aquafit – Brunel Pool (lanes 1–3 closed); the Darwin Gallery; Attenborough Arena.",
        # A Welsh rota's days and a street; places by their last word; a job's title.
        "Rota, week 20\nLlun: 9–5\nMawrth: 12–8\nMissed bin collection, Heol Goffa.",
        "heading to Sowerby Bridge next; the 09:45 from Wemyss Bay cancelled.",
        "Queries to the Conveyancing Assistant on the second floor.",
        "09:45 Darwin Gallery: two drawers in the beetle cabinet are stuck.",
        # Ships, and places by their first words.
        "MV Glen Sannox running Troon–Brodick; the 13:30 sailing (MV Isle of Lewis) from "
        "Port Ellen.",
        # What a caller says in a transcript, in lower case.
        "Agent: Or we redeliver tomorrow 8–12?\nCustomer: redeliver please\nAgent: Booked.",
    ],
)
def test_not_names(text):
    assert [f for f in find_personal_data(text) if f.type == "NAME"] == []


def test_a_title_is_part_of_the_name_and_dr_can_be_a_street():
    assert found("Dr Okafor visited 14 Oak Dr, Leeds.") == [
        ("NAME", "Dr Okafor"),
        ("ADDRESS", "14 Oak Dr"),
    ]


# ---- phone numbers ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "number",
    [
        "07700 900123",
        "07700900123",
        "07700 900 123",
        "07700-900-123",
        "07700.900.123",
        "+44 7700 900123",
        "+447700900123",
        "+44 (0)7700 900123",
        "0044 7700 900123",
        "(020) 7946 0000",
        "020 7946 0000",
        "020-7946-0000",
        "+44 20 7946 0000",
        "0161 496 0000",
        "0113-496-0000",
        "0113.496.0000",
        "01632 960 123",
        "01632 960123",
        "(01632) 960123",
        "0800 123 4567",
        "0808 157 0192",
        "0345 600 1234",
        "0330 123 4567",
        "0845 712 3456",
        # Digits straight after it, and a five-digit area code with a digit too many.
        "07731 884 290",
        "01942 496 0118",
    ],
)
def test_phone_formats(number):
    assert found(f"Callback on {number} after 5pm.") == [("PHONE", number)]


@pytest.mark.parametrize(
    "text",
    [
        "Advised to call 999, 111 or 101; 105 for a power cut.",
        "Call at 14:32, then 2.30pm, then 14.32, then 0930 hrs.",
        "Call lasted 00:12:45.",
        "Call back on ext 4412 if it recurs.",
        "Ticket 4471 and job 55123.",
    ],
)
def test_not_phone_numbers(text):
    assert_clean(text)


# ---- email, postcode, address -----------------------------------------------------------------
@pytest.mark.parametrize(
    "email",
    [
        "jane.doe@example.com",
        "j_doe+bills@mail.example.co.uk",
        "Olu.Bakare@staff.northgate-housing.org.uk",
        "priya.patel99@nhs.net",
    ],
)
def test_emails(email):
    assert found(f"Email {email}, confirmed.") == [("EMAIL", email)]


@pytest.mark.parametrize(
    "postcode",
    ["M1 1AE", "B33 8TH", "CR2 6XH", "DN55 1PT", "W1A 0AX", "EC1A 1BB", "SW1A 1AA", "ls1 4ab",
     "LS14AB", "sw1a1aa"],
)  # fmt: skip
def test_postcodes_in_every_format(postcode):
    assert found(f"Postcode {postcode} affected.") == [("POSTCODE", postcode)]


def test_outward_code_only_when_cued():
    assert found("Outage in postcode district LS12 today.") == [("POSTCODE", "LS12")]
    assert_clean("Fault on the M1 and the A1 northbound.")


def test_not_postcodes():
    assert_clean("Area code QQ1 1AA is not real, and 1st 2nd are ordinals.")


@pytest.mark.parametrize(
    "address",
    [
        "14 Acacia Avenue",
        "Flat 3, 27 High Street",
        "221b Baker Street",
        "Rose Cottage, Mill Lane",
        "7 St Mary's Road",
        "12-14 Station Rd",
        "3 Oak Tree Close",
        "88 Heol Ddu",
        "Apartment 12, Riverside Court",
    ],
)
def test_addresses(address):
    assert_finds(f"Engineer sent to {address}, Leeds.", "ADDRESS", address)


def test_lower_case_address_after_a_cue():
    assert_finds("Lives at 14 acacia avenue near the park.", "ADDRESS", "14 acacia avenue")


# ---- national insurance and NHS numbers --------------------------------------------------------
@pytest.mark.parametrize("ni", ["AB 12 34 56 C", "AB123456C", "ab 123456 c", "JG 10 38 29 D"])
def test_ni_numbers(ni):
    assert found(f"NI number {ni} confirmed.") == [("NI_NUMBER", ni)]


@pytest.mark.parametrize(
    "ni",
    ["DA123456C", "FA123456C", "IA123456C", "QA123456C", "UA123456C", "VA123456C", "AO123456C",
     "BG123456C", "GB123456C", "KN123456C", "NK123456C", "NT123456C", "TN123456C", "ZZ123456C",
     "AB123456E"],
)  # fmt: skip
def test_invalid_ni_prefixes_and_suffixes(ni):
    assert [f for f in find_personal_data(f"Ref {ni}.") if f.type == "NI_NUMBER"] == []


def test_nhs_checksum():
    assert nhs_ok("9434765919")
    assert not nhs_ok("9434765918")
    assert not nhs_ok("943476591")
    # a check digit of 10 makes the number invalid
    assert not nhs_ok("1000000010") and not any(nhs_ok(f"100000001{d}") for d in "0123456789")


@pytest.mark.parametrize("number", ["943 476 5919", "943-476-5919", "9434765919"])
def test_nhs_numbers(number):
    assert found(f"NHS number {number}.") == [("NHS_NUMBER", number)]


def test_ten_digits_failing_the_checksum_are_not_nhs_numbers():
    assert_clean("Order number 9434765918 checked.")
    assert_clean("Asset tag 4010428194.")


# ---- cards, sort codes, accounts -------------------------------------------------------------
def test_luhn():
    assert luhn_ok("4111111111111111")
    assert luhn_ok("378282246310005")
    assert not luhn_ok("4111111111111112")


@pytest.mark.parametrize(
    "card",
    ["4111 1111 1111 1111", "4111-1111-1111-1111", "4111111111111111", "5555 5555 5555 4444",
     "3782 822463 10005", "2223 0000 4841 0010"],
)  # fmt: skip
def test_card_numbers(card):
    assert found(f"Card {card} blocked.") == [("CARD_NUMBER", card)]


@pytest.mark.parametrize(
    "number", ["4111 1111 1111 1112", "5555555555554445", "7455 8178 8767 9205"]
)
def test_luhn_failing_numbers_are_not_cards(number):
    assert_clean(f"Tracking number {number} not recognised.")


def test_sort_codes_and_accounts():
    assert found("Sort code 20-45-77, account 43218765.") == [
        ("SORT_CODE", "20-45-77"),
        ("ACCOUNT_NUMBER", "43218765"),
    ]
    assert found("Bank details: 09 20 49 64858713") == [
        ("SORT_CODE", "09 20 49"),
        ("ACCOUNT_NUMBER", "64858713"),
    ]
    assert found("Paying-in branch 40-11-92.") == [("SORT_CODE", "40-11-92")]
    assert found("a/c 1234567 on the old system") == [("ACCOUNT_NUMBER", "1234567")]
    assert found("sort 560029, acct 30021945") == [
        ("SORT_CODE", "560029"),
        ("ACCOUNT_NUMBER", "30021945"),
    ]
    assert found("sort code 608371, account number 31926840.") == [
        ("SORT_CODE", "608371"),
        ("ACCOUNT_NUMBER", "31926840"),
    ]
    assert found("Customer account number 8501234567.") == [("ACCOUNT_NUMBER", "8501234567")]


def test_numbers_without_an_account_cue_are_not_accounts():
    assert_clean("Order 48213377 delayed; meter serial 12345678 replaced.")
    assert_clean("Account credited £45.99; ref 20231104.")


# ---- dates of birth ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("DOB 12/03/1985.", "12/03/1985"),
        ("D.O.B: 12-03-85", "12-03-85"),
        ("Date of birth 12.03.1985 confirmed.", "12.03.1985"),
        ("Born on 12 March 1985.", "12 March 1985"),
        ("dob March 12th 1985", "March 12th 1985"),
        ("Date of birth given as 1985-03-12.", "1985-03-12"),
        ("Her birthday is 3rd April 1962.", "3rd April 1962"),
        ("Verified identity (DOB 7 Jan 1991).", "7 Jan 1991"),
        ("Caller was born in 1948.", "1948"),
        ("Birthday: 4th November", "4th November"),
        ("her dob is the 2nd of May, so", "the 2nd of May"),
        ("DOB: the third of March 2001", "the third of March 2001"),
        ("Advisor: And your date of birth?\nCaller: Twenty-ninth of May, 1942.",
         "Twenty-ninth of May, 1942"),
        ("email: checked\ndate_of_birth: 1986-11-21\n", "1986-11-21"),
        ("D.O.B: 18-Feb-1996", "18-Feb-1996"),
        ("DOB (18+ check): 07/07/1990", "07/07/1990"),
        # As an airline's booking writes it, and as a voice note says it.
        ("Pax 2: OWUSU-ANSAH/KOFI MSTR, DOB 12JUN15 (child)", "12JUN15"),
        ("date of birth fourteenth of may nineteen eighty two he said", "fourteenth of may nineteen eighty two"),
        ("born the 1st of June two thousand and five.", "the 1st of June two thousand and five"),
        ("date of birth eleventh april nineteen ninety three full stop",
         "eleventh april nineteen ninety three"),
        ("childs date of birth fourth of june twenty twelve checked", "fourth of june twenty twelve"),
        # Asked for earlier in the sentence, then given.
        ("I asked for his date of birth to search on it and he gave 02/09/2006.", "02/09/2006"),
        ("confirm your date of birth, which our records show as 17 March 1974, and", "17 March 1974"),
        ("Date of birth: 1988/10/07", "1988/10/07"),
    ],
)
def test_dates_of_birth(text, date):
    assert found(text) == [("DATE_OF_BIRTH", date)]


def test_the_dates_of_birth_listed_after_their_cue():
    text = "recorded their dates of birth (19/04/1991 and 03/12/1992) and address"
    assert found(text) == [("DATE_OF_BIRTH", "19/04/1991"), ("DATE_OF_BIRTH", "03/12/1992")]
    assert found("Invoice dated 04-Nov-2024 paid.") == []
    # A table's row of them; not the next column of a row led by a name.
    row = "| DOB | 1990-05-12 | 1988-11-03 |"
    assert found(row) == [("DATE_OF_BIRTH", "1990-05-12"), ("DATE_OF_BIRTH", "1988-11-03")]
    assert ("DATE_OF_BIRTH", "03/11/2024") not in found("| Jo Bloggs | DOB 14/02/1986 | 03/11/2024 |")
    # Said in words in a transcript, as the answer to the question on the line before.
    said = (
        "agent: thanks and your date of birth\ncaller: twelfth of august nineteen ninety one\n"
        "agent can i confirm your date of birth\ncustomer fourteen oh four seventy two\n"
        "agent whats your date of birth\ncaller the ninth of september eighty eight"
    )
    assert [v for kind, v in found(said) if kind == "DATE_OF_BIRTH"] == [
        "twelfth of august nineteen ninety one", "fourteen oh four seventy two",
        "the ninth of september eighty eight",
    ]  # fmt: skip
    assert found("we had nine eleven sixty three times to call") == []
    # In a table whose cells are split by semicolons.
    rows = "full_name;dob;email;postcode\nGrant Summers;1959-12-30;grant@example.org;TS21 1LN"
    assert found(rows) == [
        ("NAME", "Grant Summers"), ("DATE_OF_BIRTH", "1959-12-30"),
        ("EMAIL", "grant@example.org"), ("POSTCODE", "TS21 1LN"),
    ]  # fmt: skip
    # Beside an NI number in a CSV line; not the next column's date, nor a sort code.
    row = "ACM-661,Oluwatobi Adeyinka,21/07/1990,NP073813A,2024-05-07,01-09-28,M4 5JD"
    assert [v for kind, v in found(row) if kind == "DATE_OF_BIRTH"] == ["21/07/1990"]


def test_a_tables_cells_by_their_columns_headings():
    csv = (
        "employee_id,surname,forename,dob,sort_code,account_no,start_date\n"
        "E40871,Nowak,Zofia,1998-03-17,20-45-77,53018842,2024-09-02\n"
        "E40873,Mac an tSaoir,Eilidh,1979-07-28,83-27-14,00614729,2024-09-09"
    )
    assert found(csv) == [
        ("NAME", "Nowak"), ("NAME", "Zofia"), ("DATE_OF_BIRTH", "1998-03-17"),
        ("SORT_CODE", "20-45-77"), ("ACCOUNT_NUMBER", "53018842"),
        ("NAME", "Mac an tSaoir"), ("NAME", "Eilidh"), ("DATE_OF_BIRTH", "1979-07-28"),
        ("SORT_CODE", "83-27-14"), ("ACCOUNT_NUMBER", "00614729"),
    ]  # fmt: skip
    # Addresses and postcodes by their columns, commas inside the address of a CSV line
    # too, and the columns after it counted from the end; initials under "Initials".
    library = (
        "library_card,name,address,postcode\nLIB0093381,Hoa Trinh,88 Bramble Way,g41 3rd\n"
        "LIB0093382,Keanu Phillips,Flat 6, 12 Normanton Road,DE23 6UQ\n"
    )
    assert found(library) == [
        ("NAME", "Hoa Trinh"), ("ADDRESS", "88 Bramble Way"), ("POSTCODE", "g41 3rd"),
        ("NAME", "Keanu Phillips"), ("ADDRESS", "Flat 6, 12 Normanton Road"),
        ("POSTCODE", "DE23 6UQ"),
    ]  # fmt: skip
    workers = (
        "surname,first name,sort code,account no,address,postcode,start\n"
        "Jones,Elis,40-16-08,10457723,Maesglas, Heol y Bryn,SA48 8PR,11/03/2024"
    )
    assert found(workers) == [
        ("NAME", "Jones"), ("NAME", "Elis"), ("SORT_CODE", "40-16-08"),
        ("ACCOUNT_NUMBER", "10457723"), ("ADDRESS", "Maesglas, Heol y Bryn"),
        ("POSTCODE", "SA48 8PR"),
    ]  # fmt: skip
    # A CSV field in quotes may hold commas; NHS and card numbers by their columns.
    keyholders = (
        "client_ref,name,nhs_no,address,card_number\n"
        'TC-10057,Winston Forbes,6619475086,"Flat 2, 8 Holly Fold",5388557247032873\n'
    )
    # A sum of money with a thousands comma in a row that does not quote it.
    balances = (
        "client,bank,sort_code,account_no,balance\n"
        "Shantelle Reid,Santander,09-01-26,88204136,-£1,045.90"
    )
    assert found(balances) == [
        ("NAME", "Shantelle Reid"), ("SORT_CODE", "09-01-26"), ("ACCOUNT_NUMBER", "88204136"),
    ]  # fmt: skip
    assert found(keyholders) == [
        ("NAME", "Winston Forbes"), ("NHS_NUMBER", "6619475086"),
        ("ADDRESS", "Flat 2, 8 Holly Fold"), ("CARD_NUMBER", "5388557247032873"),
    ]  # fmt: skip
    # Columns lined up with spaces; "Surname, Given" with its particles; an address with its
    # town, in quotes.
    aligned = (
        "Name                NI number        DOB            Phone\n"
        "Mrs Precious Dube   RK 30 55 94 B    23/05/1964     01632 960 538"
    )
    assert found(aligned) == [
        ("NAME", "Mrs Precious Dube"), ("NI_NUMBER", "RK 30 55 94 B"),
        ("DATE_OF_BIRTH", "23/05/1964"), ("PHONE", "01632 960 538"),
    ]  # fmt: skip
    # Phone numbers by their column, a card number in the next; a client's name.
    diary = (
        "Time    Owner                Dog       Phone            No-show card\n"
        "10:30   Danny Smithers       Bruno     07399 018 441    4420 4641 1682 5946"
    )
    assert ("PHONE", "07399 018 441") in found(diary)
    hire = "ref,name,reg,sort_code\nHLF-88120,Mr Eoin Gallagher,DKZ 8127,95-01-23"
    assert ("VEHICLE_REG", "DKZ 8127") in found(hire)
    pension = 'client,dob,nino,adviser\n"O\'Neill, Bridget",19/07/1946,HT 20 11 64 B,Joel'
    assert found(pension)[:2] == [("NAME", "O'Neill, Bridget"), ("DATE_OF_BIRTH", "19/07/1946")]
    # A table of three columns lined up with spaces.
    cards = "Name                 DOB           Postcode\nHunter Mackay        12/05/2014    BB12 6TJ"
    assert ("DATE_OF_BIRTH", "12/05/2014") in found(cards)
    # Initials are letters: not a code with digits under "Initials".
    assert found("Time | Pool | Initials\n07:00 | Main | LG1") == []
    # A rota: people under the days of the week, not its shifts.
    rota = (
        "Car        Mon      Tue      Wed\n"
        "Corsa 1    Autumn   Early    Ravi\n"
        "Van        Hunter   Off      -"
    )
    assert [v for kind, v in found(rota) if kind == "NAME"] == ["Autumn", "Ravi", "Hunter"]
    # An address's cell that ends in its postcode gives the two apart.
    winners = "| Winner | Delivery address |\n|---|---|\n| Hope Mallinson | 6 Meadow View, Bakewell DE45 1BT |"
    assert found(winners)[1:] == [("ADDRESS", "6 Meadow View, Bakewell"), ("POSTCODE", "DE45 1BT")]
    # A house's name and its street under "Address".
    houses = (
        "Consignee             Address                   Postcode   Slot\n"
        "Sadia Rahman          The Granary, Mill Steps   LS21 1BW   any"
    )
    assert found(houses) == [
        ("NAME", "Sadia Rahman"), ("ADDRESS", "The Granary, Mill Steps"), ("POSTCODE", "LS21 1BW"),
    ]  # fmt: skip
    quoted = 'ref,name,address,plan\nSW-1,"van der Berg, Pieter","6 Tanners Ginnel, Swinton",A'
    assert found(quoted) == [
        ("NAME", "van der Berg, Pieter"), ("ADDRESS", "6 Tanners Ginnel, Swinton"),
    ]  # fmt: skip
    assert found("Initials | Name\nMJ | Michael Jeffries") == [
        ("NAME", "MJ"), ("NAME", "Michael Jeffries"),
    ]  # fmt: skip
    # A heading may hold digits, not start with them: "Wk1".
    register = "Child | DOB | Carer | Wk1 | Wk2\nYusuf Demir | 14/06/2017 | Elif Demir | Y | N"
    assert found(register) == [
        ("NAME", "Yusuf Demir"), ("DATE_OF_BIRTH", "14/06/2017"), ("NAME", "Elif Demir"),
    ]  # fmt: skip
    # A heading may start with a number that counts or ranks ("11-digit code", "2nd
    # contact"); a row that starts with a house's number is no heading.
    codes = ("Child | Child DOB | Parent NI | 11-digit code | 2nd contact\n"
             "Lena Vogel | 17/03/2022 | MT319185A | 50018472209 | Katrin Vogel")  # fmt: skip
    assert ("DATE_OF_BIRTH", "17/03/2022") in found(codes)
    houses = "12 High Street | dob | tel\nNo reply | 17/03/2022 | 0113 496 0000"
    assert ("DATE_OF_BIRTH", "17/03/2022") not in found(houses)
    # Prose with commas is no table, and a column's heading says nothing of another's.
    prose = "Rooms, times, staff, kit\nHall 2, 09:30, two, mats\nStudio, 18:00, one, bikes"
    assert found(prose) == []


def test_a_job_after_a_name_is_not_another_name():
    assert found("Signed: Dawn Ferreira-Hughes, Branch Manager") == [
        ("NAME", "Dawn Ferreira-Hughes")
    ]


def test_initials_in_a_reference_or_a_firms_name_are_not_the_persons():
    text = "Subcontractor: Jaroslav Horák t/a JH Plastering. The buyer Keith Armstrong, ref KA/22/118"
    assert found(text) == [("NAME", "Jaroslav Horák"), ("NAME", "Keith Armstrong")]


def test_an_nhs_number_grouped_four_three_three_after_its_cue():
    assert found("The record showed her NHS number 8720 743 963 and an appointment.") == [
        ("NHS_NUMBER", "8720 743 963")
    ]
    assert found("Ticket 8720 743 963 closed.") == []


def test_a_phone_number_said_digit_by_digit_in_a_voice_note():
    text = "my number is oh seven seven oh oh nine double oh four two one thanks bye"
    assert found(text) == [("PHONE", "oh seven seven oh oh nine double oh four two one")]
    # Too few digits, or no trunk nought: a count, not a number to ring.
    assert found("one two three four five six seven eight nine ten") == []


def test_an_outward_code_named_before_postcode_area():
    assert found("lives in the LS9 postcode area, coming by car") == [("POSTCODE", "LS9")]
    assert found("two postcode areas were hit") == []


def test_a_persons_name_before_of_and_their_house_are_told_apart():
    text = (
        "a regular customer's garden, Mrs Aurelia Popescu of Wisteria Cottage, Back Lane, "
        "LS29 8HG"
    )
    assert found(text) == [
        ("NAME", "Mrs Aurelia Popescu"),
        ("ADDRESS", "Wisteria Cottage, Back Lane"),
        ("POSTCODE", "LS29 8HG"),
    ]


def test_a_word_in_brackets_after_a_name_is_another_name_only_from_the_same_letter():
    text = "Owner: Mrs Eileen Crowther, dog Alfie (Westie), booster due"
    assert "Westie" not in [value for kind, value in found(text) if kind == "NAME"]


def test_numbers_in_brackets_and_dateless_registrations():
    assert found("checked the NHS number (164 152 4022) against the certificate") == [
        ("NHS_NUMBER", "164 152 4022")
    ]
    assert found("will repossess her car (BFZ 7324) after two missed payments") == [
        ("VEHICLE_REG", "BFZ 7324")
    ]
    assert found("Old details: 20-98-57 4303917 (only 7 digits)") == [
        ("SORT_CODE", "20-98-57"),
        ("ACCOUNT_NUMBER", "4303917"),
    ]
    assert found("Room ABC 1234 is booked; SLA 1234 hours.") == []
    assert found("08:55 | gas engineer | car hgz 7710") == [("VEHICLE_REG", "hgz 7710")]
    assert found("car park barrier (Bay 6) stuck") == []
    assert found("New taxi from Monday: NXZ 4718, pick-up 08:05") == [("VEHICLE_REG", "NXZ 4718")]
    assert found("77-91-04 | 1604 8683") == [("SORT_CODE", "77-91-04"), ("ACCOUNT_NUMBER", "1604 8683")]


def test_a_date_of_birth_beside_an_ni_number_in_a_list_or_under_its_heading():
    rows = "10442 | Rahman S | MP712629D | 1984-10-03\n10517 | Pike J | LC720151A | 1999-01-30"
    births = [value for kind, value in found(rows) if kind == "DATE_OF_BIRTH"]
    assert births == ["1984-10-03", "1999-01-30"]
    table = "Name | DOB | Start\nAmy | 03/04/1988 | 01/09/2025"
    assert [v for k, v in found(table) if k == "DATE_OF_BIRTH"] == ["03/04/1988"]
    # A recent date beside an NI number is not a birth: "started 2025-04-01".
    assert [k for k, _ in found("10442 | MP712629D | 2025-04-01")] == ["NI_NUMBER"]


def test_answers_to_a_question_without_its_question_mark():
    text = "me: and the account number\ncaller: 03365821\nme: and the property address\n"
    text += "caller: Ty Coch, Heol Pentre, Crymych, SA41 3QE"
    assert found(text) == [
        ("ACCOUNT_NUMBER", "03365821"),
        ("ADDRESS", "Ty Coch, Heol Pentre"),
        ("POSTCODE", "SA41 3QE"),
    ]
    assert [k for k, _ in found("Cost centres: 52-10-07 and 52-10-08")] == []


def test_a_date_of_birth_anywhere_in_the_answer_to_a_question_asking_for_it():
    text = "Me: What's his full name and date of birth?\nCaller: Rhys Pritchard, 3rd of November 2020."
    assert found(text) == [("NAME", "Rhys Pritchard"), ("DATE_OF_BIRTH", "3rd of November 2020")]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        # Introducing oneself in a message, "its" without its apostrophe.
        ("hiya its Sunny, can i book my car in", ["Sunny"]),
        ("hi its Rhiannon Price, my parcel says delivered", ["Rhiannon Price"]),
        ("Hi, its Kerry (mum of Alfie)", ["Kerry", "Alfie"]),
        # A role in apposition, before or after the name.
        ("Rose, my senior stylist, watched me section.", ["Rose"]),
        ("his nephew, Florin, has been looking after his card", ["Florin"]),
        ("two of my team, Kasia and Lerato, disagreed", ["Kasia", "Lerato"]),
        # Booked with someone.
        ("He wants a taster so I booked him with Mark on Friday.", ["Mark"]),
        ("I moved her to Wednesday 16:00 with Amber.", ["Amber"]),
        # "that" as a conjunction, not a determiner.
        ("I can confirm that Liam Gallagher-Ruane attended", ["Liam Gallagher-Ruane"]),
        # A person and then their firm.
        ("Contractor: Dariusz Nowak, Nowak Roofing Ltd, on site", ["Dariusz Nowak"]),
        # A name that is also a word, before "spotted" or "noticed".
        ("I forgot to check her Pension Credit, which Faith spotted in my case note.",
         ["Faith"]),
    ],
)
def test_names_in_apprentices_notes(text, names):
    assert [value for kind, value in found(text) if kind == "NAME"] == names


@pytest.mark.parametrize(
    ("text", "names"),
    [
        # A conversation copied line by line: its speakers, and each name again later.
        ("[07:02] Dawn (Gym Manager): pool closed\n[07:16] Dawn: moved to studio 2",
         ["Dawn", "Dawn"]),
        ("Rich: can u be at the job for 7.30\nMe: ye no probs\nRich: yes", ["Rich", "Rich"]),
        ("leanne: whos doing the 11\nchantelle: me x\nleanne: ty", ["leanne", "chantelle", "leanne"]),
        # A name signing off, on its own line after "Thanks" or before a blank line.
        ("Can you send the plan by 3pm.\nThanks\nFang\nTransport Compliance", ["Fang"]),
        ("I am a new client.\nKasia\n\n(My reply: Saturday 10am.)", ["Kasia"]),
        # A given name in lower case that is no English word, and its accents.
        ("saw how gemma does the weekly shop order", ["gemma"]),
        ("please call Sinéad on reception", ["Sinéad"]),
        # A role or a title in brackets; praise; initials where someone signs.
        ("- Will (mentor) says I can do the bookings", ["Will"]),
        ("rm 8 Bill (Mr W. Hughes) was walking", ["Bill", "Mr W. Hughes"]),
        ("Well done Ruaraidh. You greeted every customer.", ["Ruaraidh"]),
        ("Call back on the mobile. Taken by: KB 14:25", ["KB"]),
        ("I inducted a new member, Mark, on the kit and will check in with Mark next week.",
         ["Mark", "Mark"]),
        # A firm named after a person is not the person.
        ("Paid Campbell & Daughters Joinery; Kev Campbell fitted the door.", ["Kev Campbell"]),
        # Lower case: a given name with its surname, hyphens, a given name that is a word.
        ("new pt registration - ahmed el-sayed dob", ["ahmed el-sayed"]),
        ("born on the 9th of april 1990. thanks kelly-marie", ["kelly-marie"]),
        ("then tom harding came in for a frame adjustment", ["tom harding"]),
        # A form's label is no name; the name after it is.
        ("Hirer: Mrs Aleksandra Nowak\nLicence: checked", ["Mrs Aleksandra Nowak"]),
        ("Me: Can I have your name and address?\nCaller: Shannon Kelly, Flat 3/2, 14 Ardbeg "
         "Street, G42 8LL.", ["Shannon Kelly"]),
        # A given name that is also a word, alone after the full name; an initial and a
        # surname; a lower-case name after "her husband".
        ("Caller: Precious Mhlanga\nCall handler: Thank you Precious. Please leave.",
         ["Precious Mhlanga", "Precious"]),
        ("Safety advice given first. - H. Brightwell)", ["H. Brightwell"]),
        ("lady rang because her husband ron had wandered off", ["ron"]),
        ("Payer: Mr Rohan Fernandes (son)\nPayer NI: checked", ["Mr Rohan Fernandes"]),
        # Lower case after a role or "name on account"; a list's "Surname, Given"; a
        # nickname in quotes.
        ("upgrade today, customer callum o'hare wanted the new handset", ["callum o'hare"]),
        ("name on account natasha greenidge (said to call her tash)",
         ["natasha greenidge", "tash"]),
        ("Employee | NI number\nWojcik, Marta | CJ 38 08 34 C\nOduya, Samuel | MZ638570D",
         ["Wojcik, Marta", "Oduya, Samuel"]),
        ('Plan holder: Mrs Margaret "Peggy" Ellison', ['Mrs Margaret "Peggy" Ellison']),
        # A greeting with a comma; lower-case initials; a list's
        # "Surname I"; a bare kin word before a listed name; a Welsh sign-off.
        ("Hi Precious, it's Dan from the lettings office.", ["Precious", "Dan"]),
        ("he did not promise anything. signed p. hussain, income officer", ["p. hussain"]),
        ("10517 | Pike J | checked", ["Pike J"]),
        ("keep the porch door shut. daughter nia on the mobile if no answer.", ["nia"]),
        ("Please cancel the calls from tonight.\nDiolch,\nBron", ["Bron"]),
        ("Card checked, name on card R BELLAMY. Payment taken.", ["R BELLAMY"]),
        # A surname in capitals first after a field; an abbreviation is no name; three letters.
        ("Driver daily log\nDriver: MACKAY, Stuart\nLicence checked.", ["MACKAY, Stuart"]),
        ("Caller: Nadia (Finance)\nContact: ext 4471", ["Nadia"]),
        ("today me and gaz did a consumer unit change", ["gaz"]),
        # After "checked by" and the like, before a date; fields with underscores or plural;
        # two people of one surname joined by "&"; "SURNAME, I" in a table; "cust".
        ("DD mandates, checked by Olamide 12/04", ["Olamide"]),
        ("Processed by Mercy, 4 mandates, BACS file 0612.", ["Mercy"]),
        ("first_name: Dumitru\nlast_name: Ciobanu\nemail: none", ["Dumitru", "Ciobanu"]),
        ("SURNAME: KAMARA\nFORENAMES: ISATU MARIAMA\n", ["KAMARA", "ISATU MARIAMA"]),
        ("Applicant: Will Ferreira & Summer Ferreira\nViewed: Sat",
         ["Will Ferreira", "Summer Ferreira"]),
        ("JOB     NAME            STATUS\n44190   HOLLINGWORTH, S   Patrol assigned",
         ["HOLLINGWORTH, S"]),
        ("ticket update\ncust sami haddad rang again 3rd time", ["sami haddad"]),
        # After a label that names a person; the initials of a person named; a chat's
        # speaker with the time after the name; "its" introducing a name.
        ("From: Chester Ogunbanjo\nTo: Payroll", ["Chester Ogunbanjo"]),
        ("Signed: P. Lincoln, HR Manager", ["P. Lincoln"]),
        ("CHECKED BY: J. OYELARAN (Student Support Adviser)", ["J. OYELARAN"]),
        ("Present: Dawn Whitaker (chair), Mohammed Iqbal\nDW asked MI about it. IT were told.",
         ["Dawn Whitaker", "Mohammed Iqbal", "DW", "MI"]),
        ("Kasia 10:02: did he pay\nRachel 10:03: no\nKasia 10:05: ok", ["Kasia", "Rachel", "Kasia"]),
        ("Customer: its Liam Prendergast", ["Liam Prendergast"]),
        ("can i rebook for next week? its jasmine bello btw", ["jasmine bello"]),
        ("Time: 21:12    Call handler: Tamsin\nBooked by: Fern (reservations)", ["Tamsin", "Fern"]),
        ("Mother: Chelsea Kruger, 07700 900 675", ["Chelsea Kruger"]),
        ("Resident: Jason Mark Tillotson       Room: 7", ["Jason Mark Tillotson"]),
        ("POLICYHOLDER: MR DIMITRIOS PAPADOPOULOS\nEMERGENCY CONTACT: CHIOMA OBI 07700 900 442",
         ["MR DIMITRIOS PAPADOPOULOS", "CHIOMA OBI"]),
        ("SB: Good morning, roadside assistance.\nKO: Yes, we're on the hard shoulder.\n"
         "SB: Is everyone out of the car?\nKO: Yes.", ["SB", "KO", "SB", "KO"]),
        ("MAIN APPLICANT: SARHANG MAHMOUD\nJOINT APPLICANT: SHILAN MAHMOUD   D.O.B: 25/12/1992",
         ["SARHANG MAHMOUD", "SHILAN MAHMOUD"]),
        ("Lead passenger: Mr Colin Dempsey DOB 08/08/1952", ["Mr Colin Dempsey"]),
        ("Processed by: S. Chukwu, Parking Services", ["S. Chukwu"]),
        ("Officer: Chester Olawale\nBORROWER: MS TEMPERANCE OKORO\nCLIENT: Sole trader",
         ["Chester Olawale", "MS TEMPERANCE OKORO"]),
        # A first name alone before its job or "who": "Kit, the event manager".
        ("I radioed Kit, the event manager, and Azad, my senior barber, came too.",
         ["Kit", "Azad"]),
        ("I shared it with Summer, our SENCO. I rang Oskar, who said no.", ["Summer", "Oskar"]),
        ("Agent (Faith): Hello, you're through.\nCustomer: hi", ["Faith"]),
        ("14/08 11:20  ZW: New connection\n14/08 11:31  ZW: Fee taken\n16/08 09:02  LM: Done",
         ["ZW", "ZW", "LM"]),
        ("RW = volunteer, C = caller\n\nRW: You're through to the line.\nC: hi",
         ["RW", "RW"]),
        # A sign-off with a job after it, feedback that names its reader, and a first name
        # after "referred him to" or "handed over by".
        ("will bring it to you before 1pm.\nKind regards, Reece, Customer Care", ["Reece"]),
        ("Zara, this is a good reflective account. Overall, this meets K2.", ["Zara"]),
        ("I referred him to Olu in benefits. Handed over by Wiktoria.", ["Olu", "Wiktoria"]),
        # A rank before a surname; the writer and someone else; someone from a place of work
        # doing something; initials and a surname alone on the last line.
        ("I went out with Watch Manager Kerr, then Nurse Okon. Nurse Practitioner clinic.",
         ["Watch Manager Kerr", "Nurse Okon"]),
        ("This week Bartek and I did the graphics. Tuesday and I never agree.", ["Bartek"]),
        ("Amber from the café told me she had done the same.", ["Amber"]),
        ("Well done, this meets K2 and S5.\nM. Costa", ["M. Costa"]),
        # After a label: a surname in capitals and the given names, a full stop after; a
        # middle name that is also a month's; a reference is nobody.
        ("Patient: HENDERSON, Kyle James\nClerk: J. Harrow. Caller: LB12004418.",
         ["HENDERSON, Kyle James", "J. Harrow"]),
        ("The candidate was Bartosz Jan Kowalczyk, who holds a licence.",
         ["Bartosz Jan Kowalczyk"]),
        ("Breakdown call, voice note: member name jasmine kaur bains full stop",
         ["jasmine kaur bains"]),
        # A numbered list of "SURNAME, Forename"; a team's speaker with their name in
        # brackets; any "... by:" label; an initial and a word after a person's label.
        ("1.  PATEL, Rohan         NHS 499 269 4160\n2.  FLETCHER, Daisy-May   NHS 337 828 9570",
         ["PATEL, Rohan", "FLETCHER, Daisy-May"]),
        ("[15:48] Finance (Bev): Hi, how can I help?", ["Bev"]),
        ("Form by: Jade (apprentice). [20:44] Hotel (me): Thank you", ["Jade"]),
        ("Enrolled by:         L. Whitby\nSigned for the employer: M. Fairweather    Date: 15/01",
         ["L. Whitby", "M. Fairweather"]),
        # A relative's name in brackets; what a person is called, in brackets after their
        # name, and then alone; an artist's or a visitor's label.
        ("Recovered after 25 min. His wife (Dawn) collected him.", ["Dawn"]),
        ("Artist: Ifeoma Nnamdi (Ify)\nFirst aider: Ify. Manager informed: Dom Castellano.",
         ["Ifeoma Nnamdi", "Ify", "Ify", "Dom Castellano"]),
        ("Artist: Kasia\nDeposit £50 taken by card", ["Kasia"]),
        ("Your names: Mark Fitzpatrick\nEmail: on the form", ["Mark Fitzpatrick"]),
        # In lower case: a word in no list before a listed surname; after "refer to" and
        # "msg for".
        ("went to the house for kayden fletcher year eight", ["kayden fletcher"]),
        ("dd set up - refer to sandeep\nmsg for nirmala - gp rang", ["sandeep", "nirmala"]),
        # A form's "Forename(s):"; a chat's speaker with a role in brackets beside one with a
        # surname; a Gaelic surname; a hyphenated given name after a title; "a man called".
        ("Surname: MUTASA    Forename(s): TENDAI\nDate of birth: on file", ["MUTASA", "TENDAI"]),
        ("Parminder Gill: test booked\nSue (office): using your car?\nParminder Gill: no",
         ["Parminder Gill", "Sue", "Parminder Gill"]),
        ("Caller Mairead NicLeòid booking car + 2 adults", ["Mairead NicLeòid"]),
        ("1. Mrs Sun-hee Park – tea call missed", ["Mrs Sun-hee Park"]),
        ("today i did a claim for a man called osagie whose parcel went", ["osagie"]),
        # After a neighbour, a driver or a carer as after a relative: a listed name only.
        ("- neighbour hope richards has a spare key\n- the neighbour said the van left",
         ["hope richards"]),
        # A chat's speakers after a day and a time; names joined by "+"; "taken at a time
        # by"; a name before a phone in brackets; a title and a name in capitals, the
        # surname too; a signature before a firm's name; a name beside "and I".
        ("[Fri 18:10] Rhiannon (owner): Barn 10-2 (Bill + Daria)\n[Fri 18:12] Faith: ok",
         ["Rhiannon", "Bill", "Daria", "Faith"]),
        ("Booking ref: PTS/88213   Taken 08:55 by Joy\nOn call: Summer (mob 07700 900128)",
         ["Joy", "Summer"]),
        ("Visit to MRS DOREEN PICKERSGILL today", ["MRS DOREEN PICKERSGILL"]),
        ("Thanks,\nOlamide | LinguaBridge Interpreting", ["Olamide"]),
        ("family want him brought in tonight. Hunter and I attending", ["Hunter"]),
        # Two people either side of "&", each from a given name; a timed speaker whose
        # surname is a word; someone a note asks to be asked or called; a person after a
        # role and a comma; initials countersigning, and a second person's after a slash.
        ("| 7 | Gemma Marsh & Tom Gill | Sat |\n5,Dawn & Stuart Fell,2 Bentinck Road",
         ["Gemma Marsh", "Tom Gill", "Dawn", "Stuart Fell"]),
        ("[10:10] Ciara Doherty: sorry!!\n[10:31] Rob Kettle: timesheets by noon",
         ["Ciara Doherty", "Rob Kettle"]),
        ("still owes £212.40, ask Sunny to chase; call Pavel on 07700 900342", ["Sunny", "Pavel"]),
        ("The boy, Oskar, was breathing. The assistant, Dev, said I could cancel.",
         ["Oskar", "Dev"]),
        ("CD collections countersigned by AK.\n- drugs book signed FS / EM", ["AK", "FS", "EM"]),
        # A surname first in a list, after a label or a time and before a dash or a column;
        # a surname in capitals at a field's start; a gateman's, a site lead's, a haulier's
        # label; "known as"; an initial and an "O'" surname; "account name"; two people
        # either side of "&", one from a given name and the other ending in a surname.
        ("Marsh, Dennis - RP 89 33 01 A - stress\nName of injured person: KOWALCZYK, Marek\n"
         "11:30  ROBERTS, Ieuan         09/02/1963   HAVS tier 2",
         ["Marsh, Dennis", "KOWALCZYK, Marek", "ROBERTS, Ieuan"]),
        ("SAR-0553,HUSSEIN Ayaan,07/05/2024", ["HUSSEIN Ayaan"]),
        ("Gateman: Kwasi\nSite lead: Sandeep. Farm office shut.\nHaulier: Dai - lorry booked",
         ["Kwasi", "Sandeep", "Dai"]),
        ("Name: O'SULLIVAN, Padraig (known as Paddy)", ["O'SULLIVAN, Padraig", "Paddy"]),
        ("flu vaccine given by K. O'Hare; refund to account name M L Ho", ["K. O'Hare", "M L Ho"]),
        ("Joseph & Comfort Adeyemi  98-71-04", ["Joseph", "Comfort Adeyemi"]),
        # A given name that is also a word, after a cue, with a rarer word for its surname;
        # a name after "that" when a word of it is a name of no other kind.
        ("Learner: Eilidh MacLeod    Assessor: Robin Fairweather    Date: 18/06/2024",
         ["Eilidh MacLeod", "Robin Fairweather"]),
        ("I confirm that Ivy Cheung handled a difficult call.", ["Ivy Cheung"]),
        # Someone at their post; a host's and a counter clerk's label; someone from a team
        # who will do something.
        ("Hope on reception dealt with it.\nHost: Robin\nCounter clerk: Bryony",
         ["Hope", "Robin", "Bryony"]),
        ("Ref PP-0510-13. Mo from the party team will call you", ["Mo"]),
        # A key and its value in JSON; a relative's given name that is also a word, in
        # lower case; staff initials with full stops after a label; "Known as:"; "account
        # name" and a name on a card in quotes.
        ('{"forename": "Ayodele", "surname": "Ogunyemi", "dob": "2005-03-17"}',
         ["Ayodele", "Ogunyemi"]),
        ("photo via accurx to mum jade; not nan grace", ["jade", "grace"]),
        ("Booked by: R.H.\nOperator: J.T.\nChecked: P.W.\nsecond authoriser C.O'H.",
         ["R.H.", "J.T.", "P.W.", "C.O'H."]),
        ("Staff: Fionnuala / checked by P.McG", ["Fionnuala", "P.McG"]),
        ("First name(s): Chidinma Blessing   Known as: Blessing", ["Chidinma Blessing", "Blessing"]),
        ('account 10457733 (account name P HENDRY); name on card "R K MENON".',
         ["P HENDRY", "R K MENON"]),
        # Surnames first in a list split by semicolons, after a bed's number or a time, with
        # a particle; a surname in capitals and the given name before a column; a label
        # after a time; "Statement of:"; who was present; a reply signed after its last
        # sentence; a role before a name.
        ("SAT 06:30–14:30  OKAFOR, Jennifer; LIU, Wei; DA SILVA, Rafael\n"
         "Bed 2 ADEBAYO, Samuel 77 - catheter\n09:00 ØSTERGAARD, Lise | DOB",
         ["OKAFOR, Jennifer", "LIU, Wei", "DA SILVA, Rafael", "ADEBAYO, Samuel",
          "ØSTERGAARD, Lise"]),
        ("MBEKI Thandiwe | ULN 3392018846 | missing", ["MBEKI Thandiwe"]),
        ("10:40 Patient: HOLLY MARSHALL-KEANE   DOB: on file", ["HOLLY MARSHALL-KEANE"]),
        ("Statement of: MARGARET EILEEN CROWTHER   Age if under 18: over 18",
         ["MARGARET EILEEN CROWTHER"]),
        ("Line manager present: Bill Fairbrother\nCold compress applied by Jade.",
         ["Bill Fairbrother", "Jade"]),
        ("If anyone asks for a PIN, hang up. – Kamal\nthanks for waiting! ^Abi", ["Kamal", "Abi"]),
        ("so chef Rich said plate it separately", ["Rich"]),
        # Capitals in a legal document's heading; surnames first with a given name in
        # capitals, or before a name in brackets; a sole trader's payee before bank details;
        # a paralegal's label.
        ("ESTATE OF MARGARET ELSIE DUNWOODY DECEASED\nBETWEEN\n"
         "MS JOANNA KRZYŻANOWSKA            Claimant\nWITNESS STATEMENT OF DARREN PAUL WHITCOMBE",
         ["MARGARET ELSIE DUNWOODY", "MS JOANNA KRZYŻANOWSKA", "DARREN PAUL WHITCOMBE"]),
        ("Claimant: BALOGUN-SMITH, ADEOLA GRACE\nMurphy, Bridget (Bridie) | Beechfield",
         ["BALOGUN-SMITH, ADEOLA GRACE", "Murphy, Bridget", "Bridie"]),
        ("Pay by bank transfer to D PENHALIGON, sort code 30-96-51; name on account: F IONESCU",
         ["D PENHALIGON", "F IONESCU"]),
        ("Trial bundle served 3 June.\nParalegal: Ikram.", ["Ikram"]),
        # A speaker with their firm or place ("@", "–"); a chat copied from Teams, each
        # speaker and the time on a line of their own; a numbered list's people before
        # their addresses.
        ("[15:10] Dev @ PhoneFix: hi Ruby, screen done\n[19:10] Aneta – night shift: ok",
         ["Dev", "Ruby", "Aneta"]),
        ("Olamide 12:04\nthats the baby yeah?\nKate Kennedy 12:04\nyes\nOlamide 12:05\ndone",
         ["Olamide", "Kate Kennedy", "Olamide"]),
        ("2 Olga Zhukova, 6 Mill Mews, LN11 8QB\n3 Priscilla Agyeman, The Granary, LN11 8RW",
         ["Olga Zhukova", "Priscilla Agyeman"]),
    ],
)
def test_names_in_chats_signatures_and_lower_case(text, names):  # fmt: skip
    assert [value for kind, value in found(text) if kind == "NAME"] == names


@pytest.mark.parametrize(
    "text",
    [
        "Delivery due 4th November.",
        "That Netgear Orbi was replaced.",
        "Invoice from Nowak Roofing Ltd paid.",
        "The rota has Mark Sheet Review at 10.",
        "Caller: Will it be backdated?",
        "Return to work form checked by HR Advisor.",
        "Outcome: resolved\nAction: none\nBill: £45 paid",
        "Caller: Will do, cheers.",
        "Agent: And can you confirm the first line?",
        "Delivered: 9\nRedelivery: 12\nEscalations: 2",
        "Workshop diary: did 3 MOTs and a timing belt.",
        "Reception duties at Marsh Holloway Solicitors. Opened the post.",
        "Rental agreement - Hopwood Vehicle Hire. Vehicle: 2016 Vauxhall Astra.",
        "Case note - Ashby Money Advice; I'm calling from Westgate Debt Advice.",
        "Units Oscar 21 and Oscar 23 attended; Tango 4 informed.",
        "Thanks,\nWard 7 Discharge Coordinator",
        "Install: pendant, key safe. Installer booked Thursday 10-12.",
        "Trespass near Hebden Bridge resolved; vehicle lost near Hungerford.",
        "Ticket SEC-2091 passed to the cyber team.",
        "she talked about her husband alot.",
        "Repayments from: the usual account. Affordability passed. Callback booked.",
        "NINo: checked. We are on WaterSure Plus.",
        "Buses by Avonside Buses; the wake at Rosebank Crematorium; Halliwell Engineering.",
        "Road closures on Hope Street and Rose Lane.",
        "Rhyme Time Tuesdays at the library.",
        "Hi Team, the rota is out.",
        "Born at St James's; church visit to St Mark's.",
        "Next: job 20419, Frank's Plumbing subcontract.",
        "GP practice: Boscombe Manor Medical Centre. Preferences: 1. Highfields Primary.",
        "Team meeting notes\nAttendees: housing, income.\nForename(s): see form",
        "he has been admitted to Ysbyty Gwynedd.",
        "no access, gate code wrong; customer texted a new code.",
        "Sous Chef reminded us: 14 allergens. Cardholder claims: goods not received.",
        "Veh: CU67 HBW Ford Fiesta\nAppt: Mon/Wed/Fri",
        "Solicitors: Hartley & Boothroyd, ref HB/221",
        "Team Leader, Customer Operations (Water)",
        "My train from Manchester Piccadilly was cancelled.",
        "From: Customer Relations <team@example.org>\nTo: All Staff",
        "Security Manager     Date: 08/10/2024",
        "Witness: None\nAgent: Unknown\nTo: Payroll\nAgent: Lovely, and a number?",
        "Room bookings: Andrew Carnegie Room 10:00, Mary Seacole Room; tea in Tennyson Lounge.",
        "Patient: NHS 111 transfer\nCaller: My Corsa, the silver one",
        "HR: approved\nIT: done\nHR: ok\nIT: fine",
        "We met at Leeds, the head office. Security, the team said, was fine.",
        "The son lives at 9 Church Side, Cinderford, who has the key.",
        "I moved out on 30 June and I'm still waiting for my deposit.",
        "WILL CALL BACK TOMORROW, DR TO SEE",
        "Call Reception to book; ask Housing to check; email Payroll about it.",
        "We stock Ben & Jerry's and Marks & Spencer sandwiches.",
        "09:45  Darwin Gallery: two drawers stick\n10:15  Newton Room: lights out",
        "Haulier: booked for Friday\nGateman: none on Sundays\nContact: Customer Services",
        "Delivery from the Leeds depot will arrive. Monday on shift: 3 staff.",
        # Relatives' doings, JSON's other names, abbreviations after a checker's label,
        # brands and cars named as people are.
        "her husband will ring back; mum may come in; my son said no",
        '{"pets": [{"name": "Bill", "breed": "Border Terrier"}], "employer": {"name": "Acme"}}',
        "I checked PNC access. Change approved by CAB. Checked: A.M. shift",
        "Prizes: Ted Baker wash bag, Dr. Martens boots, a Tommy Hilfiger cap, Mr Kipling cakes.",
        "Courtesy car: Kia Sportage, then a Honda Jazz from Arnold Clark.",
        # A consignee's label in a driver's log; "im" for "I'm"; a signed-off "Thanks".
        "Stop 37/112 | 11:42 | Consignee: left with neighbour",
        "caller hi im ringing about my mums prescription\nagent im sorry to hear that",
        "We have fixed the fault. – Thanks",
        # A category or a run with a letter before brackets; a heading in capitals.
        "Prior licence:      Cat B (full)\nRun B (18 t, fleet 51): Holmfirth",
        "THE ESTATE OF THE ABOVE DECEASED; STATEMENT OF ACCOUNT",
    ],
)
def test_not_names_or_birthdays(text):
    assert [kind for kind, _ in found(text) if kind in ("NAME", "DATE_OF_BIRTH")] == []


def test_an_nhs_number_after_someones_age():
    text = "Bed 1 ROBERTS, Gwyneth 89 450 557 7104 – NEWS2 3\nBed 2 ADEBAYO, Samuel 77 6104523870"
    assert [v for kind, v in found(text) if kind == "NHS_NUMBER"] == ["450 557 7104", "6104523870"]


def test_dates_without_a_birth_cue_are_not_personal_data():
    assert_clean("Incident opened 04/11/2026, closed 4 November 2026; visit 2026-11-05.")
    assert_clean("Visit was on 04-11-26, not 05-11-26.")
    assert_clean("DOB not given. Engineer booked for 04/11/2026.")
    assert_clean("Flight BA2037 on 03DEC25, return 17DEC25.")
    assert_clean("I checked the date of birth and said the visit is 12/03/2026 at ten.")


def test_dates_of_birth_listed_after_a_label_each_after_a_given_name():
    text = "Family's dates of birth for the referral: Shilan 10/03/1992, Karwan 17/08/1988."
    assert [v for kind, v in found(text) if kind == "DATE_OF_BIRTH"] == ["10/03/1992", "17/08/1988"]


# ---- vehicle registrations ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "reg"),
    [
        ("Van AB12 CDE blocking the road.", "AB12 CDE"),
        ("AB12CDE parked on the pavement.", "AB12CDE"),
        ("Vehicle reg ab12 cde.", "ab12 cde"),
        ("Registration: yj09jfw", "yj09jfw"),
        ("CCTV shows A123 BCD leaving.", "A123 BCD"),
        ("Old car, reg ABC 123D.", "ABC 123D"),
        # Northern Ireland's, without a cue.
        ("Silver Skoda BJZ 3012 seen at the depot.", "BJZ 3012"),
    ],
)
def test_vehicle_registrations(text, reg):
    assert found(text) == [("VEHICLE_REG", reg)]


def test_codes_like_northern_irish_registrations_with_a_nought_or_a_year_are_not():
    assert_clean("Issued by staff number RPI 0118 under ISO 2024 rules.")


def test_lower_case_registrations_need_a_cue():
    assert_clean("we spoke about ab12 cde earlier")
    assert_clean("P1 SLA breached; P2 within 8 hours.")


# ---- text as a scanner reads a form --------------------------------------------------------------
def test_a_scanned_forms_spacing_is_closed_up_and_each_finding_kept_where_it_was():
    form = (
        "Name:     Mr  Abdikarim  Warsame        DOB:  09 / 06 / 1985\n"
        "Mob ile:  0 7 7 0 0  9 0 0 6 4 3\n"
        "Date of  Birth :  1 7 / 0 3 / 1 9 9 4\n"
        "Sort  Code :  60 - 83 - 71   Acc ount  No :  3 1 9 2 6 6 0 4\n"
        "Home  address  Flat  12,  7  Quayside  Row\nPostcode  PL4  0DX"
    )
    assert found(form) == [
        ("NAME", "Mr  Abdikarim  Warsame"), ("DATE_OF_BIRTH", "09 / 06 / 1985"),
        ("PHONE", "0 7 7 0 0  9 0 0 6 4 3"), ("DATE_OF_BIRTH", "1 7 / 0 3 / 1 9 9 4"),
        ("SORT_CODE", "60 - 83 - 71"), ("ACCOUNT_NUMBER", "3 1 9 2 6 6 0 4"),
        ("ADDRESS", "Flat  12,  7  Quayside  Row"), ("POSTCODE", "PL4  0DX"),
    ]  # fmt: skip
    assert redact(form).splitlines()[1] == "Mob ile:  [PHONE]"
    # Columns three spaces or more apart stay apart; numbers in a list stay apart.
    assert found("Learner: Dominik Wróbel   Witness: line manager") == [("NAME", "Dominik Wróbel")]
    assert_clean("Rooms 1 2 3 4 were checked; pages 3 - 5 and 7 / 8 read.")


# ---- things that are not personal data ---------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "INC-20231104-0042 opened at 14:32.",
        "See INC0012345, REF 45521, CASE-8812, ticket #4471, job 55123.",
        "Credit of £45.99, then £1,200, 45 pounds and GBP 300.",
        "Hold time 12 minutes; 95% answered in 20 seconds.",
        "SLA: P1 within 4 hours; 3 calls and 2 emails.",
        "App version 4.12.3; Windows 11 build 22631; v2.3.1 reinstalled.",
        "Ext 4412 for the duty manager.",
        "Opened 4 November 2026 at 0930 hrs.",
        "Used Massey Ferguson on finance through John Deere Financial or Lombard; an Ifor "
        "Williams trailer behind the Kia Sorento.",
    ],
)
def test_not_personal_data(text):
    assert_clean(text)


def test_placeholders_are_never_flagged():
    text = " ".join(PLACEHOLDERS.values())
    assert_clean(text)
    assert_clean(
        "Caller: [NAME] rang from [PHONE] about [ADDRESS], [POSTCODE]. DOB [DATE OF BIRTH]."
    )
    assert_clean("Spoke to [NAME] (Mrs [NAME]) and emailed [EMAIL].")


# ---- redaction ---------------------------------------------------------------------------------
def test_redact_replaces_each_finding_with_its_placeholder():
    text = "Mrs Olivia Bennett rang from 07700 900123 at 14:32 about £45.99; postcode SW1A 1AA."
    assert redact(text) == "[NAME] rang from [PHONE] at 14:32 about £45.99; postcode [POSTCODE]."


def test_redact_uses_the_given_findings_and_keeps_offsets():
    text = "Call Siobhan on 07700 900123 or Priya on 0161 496 0000."
    findings = find_personal_data(text)
    phones = [f for f in findings if f.type == "PHONE"]
    assert redact(text, phones) == "Call Siobhan on [PHONE] or Priya on [PHONE]."
    # order of the findings given does not matter: replacement works right to left
    assert redact(text, list(reversed(findings))) == redact(text, findings)
    assert redact(text, []) == text
    assert redact(text) == "Call [NAME] on [PHONE] or [NAME] on [PHONE]."


def test_every_type_has_its_placeholder():
    text = "Card 4111 1111 1111 1111, NI AB123456C, NHS 943 476 5919, reg AB12 CDE."
    assert (
        redact(text) == "Card [CARD NUMBER], NI [NI NUMBER], NHS [NHS NUMBER], reg [VEHICLE REG]."
    )


# ---- the labelled corpus ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def corpus() -> list[dict]:
    with (CORPUS_DIR / "corpus.jsonl").open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


@pytest.fixture(scope="module")
def figures(corpus) -> dict:
    bench = _load("pii_eval", ROOT / "bench" / "pii_eval.py")
    return bench.evaluate(corpus)


def test_corpus_file_is_what_the_generator_makes(corpus):
    generator = _load("pii_corpus_generate", CORPUS_DIR / "generate.py")
    assert generator.generate() == corpus


def test_corpus_labels_are_well_formed(corpus):
    assert len(corpus) >= 600
    for note in corpus:
        spans = sorted((lab["start"], lab["end"]) for lab in note["labels"])
        for lab in note["labels"]:
            assert lab["type"] in TYPES
            assert 0 <= lab["start"] < lab["end"] <= len(note["text"])
            assert (
                note["text"][lab["start"] : lab["end"]].strip()
                == note["text"][lab["start"] : lab["end"]]
            )
        for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
            assert end <= start
    assert sum(1 for note in corpus if not note["labels"]) >= 150


def test_recall_on_the_corpus(figures):
    assert figures["recall"] >= 0.95
    for kind in TYPES:
        assert figures["labels_by_type"][kind] >= 40, kind
        assert figures["recall_by_type"][kind] >= 0.95, (kind, figures["recall_by_type"][kind])


def test_names_not_in_the_detectors_lists(figures):
    assert figures["unlisted_name_share"] >= 0.30
    assert figures["unlisted_name_recall"] >= 0.95


def test_false_alarms_on_the_corpus(figures):
    assert figures["false_alarms_per_100_notes"] <= 3
    assert figures["clean_notes_flagged_share"] <= 0.05


def test_redacted_corpus_notes_scan_clean(corpus, figures):
    for note, found in zip(corpus, figures["findings_by_note"], strict=True):
        text = redacted(note["text"], found)[0]
        assert find_personal_data(text) == [], (note["id"], text)
