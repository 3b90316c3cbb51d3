"""Onboarding learners from a CSV of the provider's MIS: the dry run's report, the import,
and the pages."""

import io

import pytest
from sqlalchemy import func, select

from portfolio.accounts.models import Role, User
from portfolio.audit import trail as audit
from portfolio.audit.models import AuditEvent
from portfolio.db import db
from portfolio.enrolments import onboarding
from portfolio.enrolments.models import Cohort, Enrolment, OnboardingUpload
from portfolio.enrolments.onboarding import Outcome
from portfolio.enrolments.onboarding_file import FileRefused, decode, is_uln, parse
from portfolio.jobs import Job, JobState
from portfolio.mail.models import OutgoingEmail
from portfolio.progress.models import EnrolmentProgress
from tests import factories
from tests.statements import counting

HEADER = (
    "mis_id,uln,name,email,cohort,awarding_body,unit_code,start,planned_end,"
    "assessor_email,iqa_email"
)
# Valid Unique Learner Numbers (HESA's example, and two more with matching check digits).
ULNS = ["9276308686", "1000000019", "1000000027"]


def line(people, n: int = 1, **values) -> str:
    row = {
        "mis_id": f"MIS{n:04d}", "uln": "", "name": f"New Learner {n}",
        "email": f"new.learner{n}@example.org", "cohort": "Sept 2026 apprentices",
        "awarding_body": "PEARSON", "unit_code": "PEARSON-INCIDENTS", "start": "2026-09-07",
        "planned_end": "2027-09-03", "assessor_email": people[Role.ASSESSOR].email,
        "iqa_email": people[Role.IQA].email, **values,
    }  # fmt: skip
    return ",".join(row[name] for name in HEADER.split(","))


def csv_of(*lines: str, header: str = HEADER) -> str:
    return "\r\n".join([header, *lines]) + "\r\n"


def dry_run(people, text: str) -> dict[int, onboarding.RowPlan]:
    plan = onboarding.plan(people[Role.ADMIN].provider_id, parse(text))
    return {item.row.number: item for item in plan.rows}


def run_import(people, text: str) -> dict:
    plan = onboarding.plan(people[Role.ADMIN].provider_id, parse(text))
    return onboarding.apply(people[Role.ADMIN], plan)


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_the_uln_check_digit_is_checked():
    assert all(is_uln(uln) for uln in ULNS)
    assert not is_uln("9276308687")  # the last digit changed
    assert not is_uln("0276308686")  # starts with 0
    assert not is_uln("927630868")  # nine digits


def test_the_dry_run_refuses_each_bad_row_with_its_number_and_reports_the_good_ones(app, people):
    other_assessor = factories.make_user(people["other_admin"].provider, Role.ASSESSOR)
    text = csv_of(
        line(people, 1),  # row 2: good
        line(people, 2, email="not-an-address"),
        line(people, 3, uln="9276308687"),
        line(people, 4, start="2026-13-01"),
        line(people, 5, planned_end="2026-01-01"),
        line(people, 6, awarding_body="NOBODY"),
        line(people, 7, unit_code="PEARSON-NOTHING"),
        line(people, 8, assessor_email=other_assessor.email),
        line(people, 9, iqa_email=people[Role.ASSESSOR].email),
        line(people, 10, name=""),
        line(people, 11, mis_id="MIS0001"),  # row 12: the MIS id of row 2
        line(people, 12) + ",extra",
        line(people, 13, uln=ULNS[0]),  # row 14: good, with a ULN
        line(people, 14, unit_code="CG-INCIDENTS", awarding_body="CG"),
    )
    report = dry_run(people, text)
    expected = {
        3: "Email: “not-an-address” is not an email address mail can be sent to",
        4: "is not a Unique Learner Number",
        5: "Start “2026-13-01” is not a date",
        6: "Planned end is before Start.",
        7: "No awarding body has the code “NOBODY”",
        8: "PEARSON has no unit “PEARSON-NOTHING”",
        9: f"No one at your provider has the email address {other_assessor.email}",
        10: f"{people[Role.ASSESSOR].email} is the address of {people[Role.ASSESSOR].name}, "
        "whose role is Assessor, not Internal quality assurer (IQA).",
        11: "Name is empty.",
        12: "MIS id “MIS0001” is also on row 2",
        13: "It has 12 values where the header has 11 columns.",
        15: "part of several qualifications",
    }
    for number, reason in expected.items():
        item = report[number]
        assert item.outcome is Outcome.REFUSED, number
        assert any(reason in r for r in item.reasons), (number, item.reasons)
    # The first row shares its MIS id with row 12, so both are refused; row 14 is good.
    assert report[2].outcome is Outcome.REFUSED
    assert report[14].outcome is Outcome.CREATE
    assert report[14].changes == ["new learner", "new cohort", "new enrolment"]
    # Nothing was written.
    assert count(User, User.mis_id.is_not(None)) == 0
    assert count(Cohort) == 0


def test_files_that_cannot_be_read_are_refused_whole_saying_why(app, people):
    good = csv_of(line(people)).encode()
    assert decode(b"\xef\xbb\xbf" + good) == good.decode()  # UTF-8 with a byte order mark
    cases = [
        ("Ünïcode".encode("latin-1") + b"\n", "not UTF-8 text: line 1"),
        ("a,b\n".encode("utf-16"), "UTF-16"),
        (b"", "empty"),
        (b"a" * (5 * 1024 * 1024 + 1), "the largest accepted is 5 MB"),
    ]
    for data, message in cases:
        with pytest.raises(FileRefused, match=message):
            decode(data)
    header = HEADER.replace("planned_end", "end_date") + ",notes"
    with pytest.raises(FileRefused) as refused:
        parse(csv_of(header=header))
    assert "missing: planned_end" in refused.value.message
    assert "not known: end_date, notes" in refused.value.message


def test_the_import_creates_the_learner_cohort_and_enrolment_and_audits_each(app, people):
    text = csv_of(line(people, 1, uln=ULNS[0]), line(people, 2), line(people, 3, cohort=""))
    result = run_import(people, text)
    assert result["counts"] == {"refused": 0, "create": 3, "update": 0, "unchanged": 0}
    learner = db.session.scalar(select(User).where(User.mis_id == "MIS0001"))
    assert (learner.name, learner.email, learner.uln, learner.role) == (
        "New Learner 1", "new.learner1@example.org", ULNS[0], Role.LEARNER,
    )  # fmt: skip
    assert learner.provider_id == people[Role.ADMIN].provider_id
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.learner_id == learner.id))
    assert enrolment.unit.code == "PEARSON-INCIDENTS"
    assert enrolment.assessor_id == people[Role.ASSESSOR].id
    assert enrolment.iqa_id == people[Role.IQA].id
    assert enrolment.cohort.name == "Sept 2026 apprentices"
    assert count(Cohort, Cohort.name == "Sept 2026 apprentices") == 1
    third = db.session.scalar(select(User).where(User.mis_id == "MIS0003"))
    assert (
        db.session.scalar(select(Enrolment.cohort_id).where(Enrolment.learner_id == third.id))
        is None
    )
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.learner_id == learner.id)
    ).all()
    assert "account.created" in actions and "enrolment.created" in actions
    assert count(AuditEvent, AuditEvent.action == "onboarding.imported") == 1
    # Each new learner is invited to choose their password, and has none until then.
    assert "account.invitation_sent" in actions
    assert learner.password_hash is None
    assert count(AuditEvent, AuditEvent.action == "account.invitation_sent") == 3


def test_importing_the_same_file_again_reports_every_row_unchanged_and_changes_nothing(app, people):
    text = csv_of(*(line(people, n) for n in range(1, 6)))
    run_import(people, text)
    users, enrolments = count(User), count(Enrolment)
    events = count(AuditEvent, AuditEvent.action != "onboarding.imported")
    report = dry_run(people, text)
    assert {item.outcome for item in report.values()} == {Outcome.UNCHANGED}
    result = run_import(people, text)
    assert result["counts"]["unchanged"] == 5
    assert (count(User), count(Enrolment)) == (users, enrolments)
    assert count(AuditEvent, AuditEvent.action != "onboarding.imported") == events


def test_a_changed_row_updates_the_learner_and_the_enrolment(app, people):
    run_import(people, csv_of(line(people, 1)))
    changed = line(
        people, 1, name="Renamed Learner", uln=ULNS[1], planned_end="2027-12-31",
        assessor_email=people["assessor2"].email,
    )  # fmt: skip
    report = dry_run(people, csv_of(changed))
    assert report[2].outcome is Outcome.UPDATE
    assert report[2].changes == ["name", "ULN", "planned end", "assessor"]
    result = run_import(people, csv_of(changed))
    assert result["counts"]["update"] == 1
    learner = db.session.scalar(select(User).where(User.mis_id == "MIS0001"))
    assert (learner.name, learner.uln) == ("Renamed Learner", ULNS[1])
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.learner_id == learner.id))
    assert enrolment.assessor_id == people["assessor2"].id
    assert enrolment.planned_end_on.isoformat() == "2027-12-31"
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.learner_id == learner.id)
    ).all()
    assert "account.changed" in actions and "enrolment.changed" in actions
    assert actions.count("account.invitation_sent") == 1  # when created, not again


def test_a_learner_already_added_by_hand_is_matched_by_email_and_given_the_mis_id(app, people):
    learner = people[Role.LEARNER]
    report = dry_run(people, csv_of(line(people, 1, email=learner.email, name=learner.name)))
    assert report[2].outcome is Outcome.CREATE  # the enrolment is new
    assert report[2].changes == ["MIS id", "new cohort", "new enrolment"]
    run_import(people, csv_of(line(people, 1, email=learner.email, name=learner.name)))
    assert learner.mis_id == "MIS0001"
    assert count(User, User.email == learner.email) == 1


def test_a_row_that_fails_while_applied_leaves_nothing_of_itself_and_the_others_apply(app, people):
    text = csv_of(
        line(people, 1),
        line(people, 2, cohort="A cohort only row 3 names"),
        line(people, 3),
    )
    plan = onboarding.plan(people[Role.ADMIN].provider_id, parse(text))
    assert plan.to_apply == 3
    # Between the dry run and the import, someone at another provider takes row 3's address:
    # the row's cohort is created, then its learner fails the unique email address.
    factories.make_user(
        people["other_admin"].provider, Role.LEARNER, email="new.learner2@example.org"
    )
    result = onboarding.apply(people[Role.ADMIN], plan)
    assert result["counts"] == {"refused": 1, "create": 2, "update": 0, "unchanged": 0}
    assert result["refused"][0]["row"] == 3
    assert count(Cohort, Cohort.name == "A cohort only row 3 names") == 0
    assert count(User, User.mis_id == "MIS0002") == 0
    assert count(User, User.mis_id.in_(["MIS0001", "MIS0003"])) == 2
    assert count(Enrolment, Enrolment.provider_id == people[Role.ADMIN].provider_id) == 2


def test_each_commit_holds_whole_rows_with_their_progress_invitations_and_audit_events(
    app, people, mail_server
):
    admin = people[Role.ADMIN]
    text = csv_of(*(line(people, n) for n in range(1, 6)), line(people, 6, email="broken"))
    plan = onboarding.plan(admin.provider_id, parse(text))
    new_learners = User.mis_id.is_not(None)
    held = []

    def commit(done: int, total: int) -> None:
        # What the job commits at each report: every row applied so far, whole.
        held.append((
            done, count(User, new_learners), count(Enrolment), count(EnrolmentProgress),
            count(OutgoingEmail, OutgoingEmail.template == "invitation"),
            count(AuditEvent, AuditEvent.action == "account.invitation_sent"),
            count(AuditEvent, AuditEvent.action == "enrolment.created"),
        ))  # fmt: skip
        db.session.commit()  # the tests run jobs as they commit

    result = onboarding.apply(admin, plan, progress=commit, every=2)
    assert result["counts"]["create"] == 5
    assert held == [(2, 2, 2, 2, 2, 2, 2), (4, 4, 4, 4, 4, 4, 4), (6, 5, 5, 5, 5, 5, 5)]
    # One job delivered each report's invitations; every learner has theirs.
    jobs = db.session.scalars(select(Job).where(Job.kind == "emails").order_by(Job.id)).all()
    assert [len(job.arguments[0]) for job in jobs] == [2, 2, 1]
    assert {job.state for job in jobs} == {JobState.DONE}
    assert sorted(m["To"].addresses[0].username for m in mail_server.messages) == [
        f"new.learner{n}" for n in range(1, 6)
    ]
    progress = db.session.scalars(select(EnrolmentProgress)).all()
    assert {p.criteria_total for p in progress} == {
        len(plan.rows[0].unit.current.criteria)
    }  # fmt: skip
    assert {(p.criteria_claimed, p.items, p.signed_off) for p in progress} == {(0, 0, False)}
    assert audit.verify(admin.provider_id)[0].ok


def test_the_import_writes_a_rows_progress_invitation_and_audit_in_statements_per_chunk(
    app, people
):
    run_import(people, csv_of(line(people, 1)))  # the cohort exists from here on
    db.session.commit()  # and its invitation is delivered (the tests run jobs as they commit)

    def reads_and_updates(numbers: range) -> int:
        text = csv_of(*(line(people, n) for n in numbers))
        plan = onboarding.plan(people[Role.ADMIN].provider_id, parse(text))
        with counting(db.engine) as statements:
            onboarding.apply(people[Role.ADMIN], plan)
        db.session.commit()
        # SQLite's driver is sent new rows one INSERT each (no ordered RETURNING of many).
        return sum(not s.lstrip().upper().startswith("INSERT") for s in statements)

    ten, twenty = reads_and_updates(range(2, 12)), reads_and_updates(range(12, 32))
    # A row's own check that its learner is not on the unit yet; the rest is shared.
    assert twenty - ten == 10


def test_another_providers_people_are_refused_without_being_named(app, people):
    other = people["other_admin"].provider
    other_iqa = factories.make_user(other, Role.IQA)
    taken = people["other_learner"].email
    report = dry_run(
        people, csv_of(line(people, 1, iqa_email=other_iqa.email), line(people, 2, email=taken))
    )
    assert report[2].reasons == [
        f"No one at your provider has the email address {other_iqa.email} with an active account."
    ]
    assert report[3].reasons == [f"The email address {taken} is already in use."]
    assert people["other_learner"].name not in " ".join(report[3].reasons)


def test_a_unit_of_several_qualifications_is_imported_with_its_qualification_code(app, people):
    header = HEADER + ",qualification_code"
    text = csv_of(
        line(people, 1, awarding_body="CG", unit_code="CG-INCIDENTS") + ",CG-L3-NVQ-DIP-CCO",
        line(people, 2, awarding_body="cg", unit_code="cg-incidents") + ",NO-SUCH",
        header=header,
    )
    report = dry_run(people, text)
    assert report[2].outcome is Outcome.CREATE
    assert report[2].qualification.code == "CG-L3-NVQ-DIP-CCO"
    assert "is not part of a qualification “NO-SUCH”" in report[3].reasons[0]


def test_the_dry_run_reads_the_database_in_a_fixed_number_of_statements(app, people):
    provider_id = people[Role.ADMIN].provider_id
    run_import(people, csv_of(*(line(people, n) for n in range(1, 4))))
    small = parse(csv_of(*(line(people, n) for n in range(1, 4))))
    large = parse(csv_of(*(line(people, n) for n in range(1, 41))))
    db.session.expire_all()
    with counting(db.engine) as few:
        onboarding.plan(provider_id, small)
    db.session.expire_all()
    with counting(db.engine) as many:
        onboarding.plan(provider_id, large)
    assert len(many) == len(few)


# -- the pages ------------------------------------------------------------------------------


def upload(client, text: str | bytes, filename: str = "learners.csv"):
    data = text.encode() if isinstance(text, str) else text
    return client.post(
        "/onboarding", data={"file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )  # fmt: skip


def test_an_admin_uploads_reads_the_report_and_imports(client, auth, people):
    auth.sign_in(people[Role.ADMIN])
    assert "Import learners from your MIS" in client.get("/onboarding").get_data(as_text=True)
    template = client.get("/onboarding/template.csv")
    assert template.mimetype == "text/csv"
    assert template.get_data(as_text=True).startswith(HEADER + "\r\n")
    text = csv_of(line(people, 1), line(people, 2, email="broken"), line(people, 3))
    response = upload(client, "\ufeff" + text)
    assert response.status_code == 302
    report_url = response.headers["Location"]
    page = client.get(report_url).get_data(as_text=True)
    assert "Refused: <strong>1</strong>" in page and "Create: <strong>2</strong>" in page
    # Refused rows come first.
    assert page.index("Email: “broken” is not an email address") < page.index("New Learner 1")
    assert "Import 2 rows" in page
    record = db.session.scalar(select(OnboardingUpload))
    response = client.post(f"/onboarding/{record.id}/import")
    assert response.status_code == 302
    # The tests run jobs as their request commits.
    assert count(User, User.mis_id.in_(["MIS0001", "MIS0003"])) == 2
    db.session.refresh(record)
    assert record.result["counts"]["create"] == 2
    assert record.imported_by_id == people[Role.ADMIN].id
    page = client.get(report_url).get_data(as_text=True)
    assert ": 2 created, 0 updated, 0 unchanged, 1 refused." in page
    # What importing again would do is told apart from what the import did.
    again = page[page.index("Importing the file again now would do this"):]
    assert "Unchanged: <strong>2</strong>" in again and "Refused: <strong>1</strong>" in again
    assert "Unchanged: <strong>" not in page[: page.index("Importing the file again")]
    # A second import of the same upload is refused.
    client.post(f"/onboarding/{record.id}/import")
    assert "already been started" in client.get(report_url).get_data(as_text=True)


def test_a_file_that_cannot_be_read_is_refused_on_the_upload_page(client, auth, people):
    auth.sign_in(people[Role.ADMIN])
    response = upload(client, "name,email\nA,a@example.org\n")
    assert response.status_code == 400
    assert "missing: mis_id" in response.get_data(as_text=True)
    response = upload(client, "Ünïcode".encode("cp1252"))
    assert response.status_code == 400
    assert "not UTF-8 text" in response.get_data(as_text=True)
    assert count(OnboardingUpload) == 0


def test_only_admins_reach_onboarding_and_another_providers_upload_is_not_found(
    client, auth, people
):
    mine = OnboardingUpload(
        provider_id=people[Role.ADMIN].provider_id, uploaded_by=people[Role.ADMIN],
        filename="a.csv", content=csv_of(line(people, 1)),
    )  # fmt: skip
    theirs = OnboardingUpload(
        provider_id=people["other_admin"].provider_id, uploaded_by=people["other_admin"],
        filename="b.csv", content=csv_of(line(people, 1)),
    )  # fmt: skip
    db.session.add_all([mine, theirs])
    db.session.flush()
    for role in (Role.LEARNER, Role.ASSESSOR, Role.IQA, Role.EQA):
        auth.sign_in(people[role])
        assert client.get("/onboarding").status_code == 403
        assert client.get(f"/onboarding/{mine.id}").status_code == 403
        assert client.post(f"/onboarding/{mine.id}/import").status_code == 403
        auth.sign_out()
    auth.sign_in(people[Role.ADMIN])
    assert client.get(f"/onboarding/{mine.id}").status_code == 200
    assert client.get(f"/onboarding/{theirs.id}").status_code == 404
    assert client.post(f"/onboarding/{theirs.id}/import").status_code == 404
    db.session.refresh(theirs)
    assert theirs.import_requested_at is None


def test_an_import_stopped_part_way_and_run_again_reports_the_rows_it_had_applied(people):
    """A worker killed after the first hundred rows were committed: the run after it applies
    the rest and still reports every row as created, not the first hundred as unchanged."""

    class Killed(Exception):
        pass

    admin = people[Role.ADMIN]
    upload = OnboardingUpload(provider_id=admin.provider_id, uploaded_by=admin,
                              filename="big.csv",
                              content=csv_of(*(line(people, n) for n in range(1, 151))))  # fmt: skip
    db.session.add(upload)
    onboarding.request_import(admin, upload)
    db.session.commit()

    def stop_after_first_commit(done, total):
        db.session.commit()
        raise Killed

    with pytest.raises(Killed):
        onboarding.import_upload(upload, progress=stop_after_first_commit)
    db.session.rollback()
    assert count(User, User.role == Role.LEARNER, User.mis_id.is_not(None)) >= 100
    result = onboarding.import_upload(db.session.get(OnboardingUpload, upload.id))
    assert result["counts"] == {"refused": 0, "create": 150, "update": 0, "unchanged": 0}
    assert count(Enrolment, Enrolment.learner_id.in_(
        select(User.id).where(User.mis_id.is_not(None)))) == 150  # fmt: skip
