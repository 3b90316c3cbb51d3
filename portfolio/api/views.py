"""The REST API at /api/v1 for a provider's own systems: bearer tokens, JSON, problem details.

Every query is limited to the token's provider: another provider's object is a 404, as in
the app. A read-only token is refused every write (403). Described by openapi.yaml, served
at /api/v1/openapi.json; docs/api.md is the guide.
"""

import functools
import json
from pathlib import Path

import yaml
from flask import Blueprint, g, jsonify, request, send_file, url_for
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from portfolio.accounts.models import Role, User
from portfolio.api import paging, problems, resources, tokens, writes
from portfolio.api.limits import limiter, rate_limit
from portfolio.api.models import ApiToken
from portfolio.api.problems import Problem, field_error, invalid
from portfolio.assessment.models import SignOff
from portfolio.dates import local_today
from portfolio.db import db
from portfolio.enrolments.models import Cohort, Enrolment
from portfolio.evidence.models import EvidenceItem
from portfolio.exports import jobs, service
from portfolio.exports.models import DocumentStatus
from portfolio.extensions import csrf
from portfolio.listing import whole_number
from portfolio.progress import workload
from portfolio.progress.models import EnrolmentProgress

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# Bearer tokens, not cookies, authenticate here: a browser cannot be tricked into sending one.
csrf.exempt(bp)
limiter.shared_limit(rate_limit, scope="api")(bp)

SPEC_PATH = Path(__file__).with_name("openapi.yaml")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# How long a caller waits before asking again for a PDF being made.
PDF_RETRY_SECONDS = 10


@functools.cache
def specification() -> dict:
    return yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))


@bp.record_once
def _init_limiter(state) -> None:
    from portfolio.api import limits

    limits.init_app(state.app)


@bp.errorhandler(Problem)
def _problem(error: Problem):
    return problems.response(error)


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    return problems.response(problems.from_http_error(error))


@bp.errorhandler(500)
def _server_error(error):
    db.session.rollback()
    return problems.response(Problem(500, "The problem has been logged. Try again later."))


@bp.before_request
def authenticate() -> None:
    """The request's token (``g.api_token``): 401 without a working one, 403 for a write
    with a read-only one. The session cookie is never read here."""
    if request.endpoint == "api.openapi":
        return
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    challenge = {"WWW-Authenticate": 'Bearer realm="portfolio"'}
    if scheme.lower() != "bearer" or not secret.strip():
        raise Problem(401, "Send the token in an Authorization header: “Bearer pt_…”.",
                      headers=challenge)  # fmt: skip
    token = tokens.find(secret.strip())
    if token is None:
        challenge["WWW-Authenticate"] += ', error="invalid_token"'
        raise Problem(401, "This token is not known or has been revoked.", headers=challenge)
    if tokens.mark_used(token):
        db.session.commit()
    g.api_token = token
    if request.method not in SAFE_METHODS and not token.writes:
        raise Problem(403, "This token is read-only. An admin can make a read and write token "
                           "on the API tokens page.")  # fmt: skip


def _token() -> ApiToken:
    return g.api_token


def _one(query):
    found = db.session.execute(query).first()
    if found is None:
        raise Problem(404, problems.DETAILS[404])
    return found


def _id_argument(name: str) -> int | None:
    text = request.args.get(name)
    if text is None:
        return None
    number = whole_number(text)
    if number is None:
        raise invalid([field_error(name, f"{name} must be a whole number, an id.")])
    return number


def _body() -> dict:
    if not request.is_json:
        raise Problem(415, "Send the body as JSON, with Content-Type: application/json.")
    try:
        body = json.loads(request.get_data(), object_pairs_hook=_fields_once)
    except RecursionError:  # JSON nested thousands deep; the bodies here are flat
        raise Problem(400, "The body is nested too deeply to read: send one JSON object of "
                           "fields.") from None  # fmt: skip
    except _RepeatedField as repeated:  # JSON allows it, and parsers keep either copy
        raise invalid([field_error(repeated.name, "This field is in the body more than once: "
                                                  "send it once.")]) from None  # fmt: skip
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise Problem(400, "The body is not a JSON object.")
    unreadable = [name for name, value in body.items()
                  if not _is_text(name) or (isinstance(value, str) and not _is_text(value))]  # fmt: skip
    if unreadable:
        raise invalid([field_error(name if _is_text(name) else None,
                                   "This holds half of a character written as a \\u escape "
                                   "(a surrogate without its pair), which is not text.")
                       for name in unreadable])  # fmt: skip
    return body


class _RepeatedField(ValueError):
    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


def _fields_once(pairs: list[tuple[str, object]]) -> dict:
    """A JSON object's fields, refusing a name given twice rather than keeping the last."""
    fields = dict(pairs)
    if len(fields) < len(pairs):
        seen = set()
        raise _RepeatedField(next(n for n, _ in pairs if n in seen or seen.add(n)))
    return fields


def _is_text(value: str) -> bool:
    """Whether a string from JSON is text: "\\ud800" alone decodes, but to no character."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _listing(rows, show, next_url):
    return jsonify(data=[show(row) for row in rows], next=next_url)


@bp.get("/openapi.json")
def openapi():
    """This API's OpenAPI 3.1 description."""
    return jsonify(specification())


# -- people ---------------------------------------------------------------------------------


@bp.get("/people")
def people():
    query = resources.people(_token().provider_id)
    role = request.args.get("role")
    if role is not None:
        if role not in {r.value for r in Role}:
            raise invalid(
                [field_error("role", f"role must be one of {', '.join(r.value for r in Role)}.")]
            )
        query = query.where(User.role == Role(role))
    rows, next_url = paging.page(query, User.id, "api.people")
    return _listing(rows, lambda row: resources.person(row.User), next_url)


@bp.get("/people/<mis_id>")
def person(mis_id: str):
    row = _one(resources.people(_token().provider_id).where(User.mis_id == mis_id))
    return jsonify(resources.person(row.User))


@bp.put("/people/<mis_id>")
def put_person(mis_id: str):
    learner, created = writes.put_person(_token(), mis_id, _body())
    db.session.commit()
    response = jsonify(resources.person(learner))
    if created:
        response.status_code = 201
        response.headers["Location"] = url_for("api.person", mis_id=mis_id)
    return response


@bp.put("/people/<mis_id>/enrolments/<awarding_body>/<unit_code>")
def put_enrolment(mis_id: str, awarding_body: str, unit_code: str):
    enrolment, created = writes.put_enrolment(_token(), mis_id, awarding_body, unit_code, _body())
    db.session.commit()
    row = _one(resources.enrolments(_token().provider_id).where(Enrolment.id == enrolment.id))
    response = jsonify(resources.enrolment(row.Enrolment))
    if created:
        response.status_code = 201
        response.headers["Location"] = url_for("api.enrolment", enrolment_id=enrolment.id)
    return response


# -- cohorts --------------------------------------------------------------------------------


@bp.get("/cohorts")
def cohorts():
    rows, next_url = paging.page(resources.cohorts(_token().provider_id), Cohort.id, "api.cohorts")
    return _listing(rows, resources.cohort, next_url)


@bp.post("/cohorts")
def create_cohort():
    cohort = writes.create_cohort(_token(), _body())
    db.session.commit()
    row = _one(resources.cohorts(_token().provider_id).where(Cohort.id == cohort.id))
    response = jsonify(resources.cohort(row))
    response.status_code = 201
    response.headers["Location"] = url_for("api.cohort", cohort_id=cohort.id)
    return response


@bp.get("/cohorts/<int:cohort_id>")
def cohort(cohort_id: int):
    row = _one(resources.cohorts(_token().provider_id).where(Cohort.id == cohort_id))
    return jsonify(resources.cohort(row))


# -- enrolments and their progress ----------------------------------------------------------


@bp.get("/enrolments")
def enrolments():
    query = resources.enrolments(_token().provider_id)
    if (cohort_id := _id_argument("cohort_id")) is not None:
        query = query.where(Enrolment.cohort_id == cohort_id)
    if (learner_id := _id_argument("learner_id")) is not None:
        query = query.where(Enrolment.learner_id == learner_id)
    rows, next_url = paging.page(query, Enrolment.id, "api.enrolments")
    return _listing(rows, lambda row: resources.enrolment(row.Enrolment), next_url)


@bp.get("/enrolments/<int:enrolment_id>")
def enrolment(enrolment_id: int):
    row = _one(resources.enrolments(_token().provider_id).where(Enrolment.id == enrolment_id))
    return jsonify(resources.enrolment(row.Enrolment))


def _progress_query():
    plan = workload.settings(_token().provider_id)
    today = local_today(_token().provider.time_zone)
    query = resources.progress(_token().provider_id, today, plan.inactive_days)
    return query, lambda row: resources.progress_row(row, plan.marking_target_days,
                                                     plan.inactive_days)  # fmt: skip


@bp.get("/progress")
def progress_list():
    query, show = _progress_query()
    if (cohort_id := _id_argument("cohort_id")) is not None:
        query = query.where(EnrolmentProgress.cohort_id == cohort_id)
    rows, next_url = paging.page(query, EnrolmentProgress.enrolment_id, "api.progress_list")
    return _listing(rows, show, next_url)


@bp.get("/enrolments/<int:enrolment_id>/progress")
def progress(enrolment_id: int):
    query, show = _progress_query()
    return jsonify(show(_one(query.where(EnrolmentProgress.enrolment_id == enrolment_id))))


# -- evidence -------------------------------------------------------------------------------


@bp.get("/evidence")
def evidence():
    query = resources.evidence(_token().provider_id)
    if (enrolment_id := _id_argument("enrolment_id")) is not None:
        query = query.where(EvidenceItem.enrolment_id == enrolment_id)
    rows, next_url = paging.page(query, EvidenceItem.id, "api.evidence")
    return _listing(rows, resources.evidence_item, next_url)


@bp.get("/evidence/<int:item_id>")
def evidence_item(item_id: int):
    row = _one(resources.evidence(_token().provider_id).where(EvidenceItem.id == item_id))
    return jsonify(resources.evidence_item(row))


# -- sign-offs and their PDFs ---------------------------------------------------------------


@bp.get("/sign-offs")
def sign_offs():
    query = resources.sign_offs(_token().provider_id)
    if (enrolment_id := _id_argument("enrolment_id")) is not None:
        query = query.where(SignOff.enrolment_id == enrolment_id)
    rows, next_url = paging.page(query, SignOff.id, "api.sign_offs")
    return _listing(rows, resources.sign_off, next_url)


@bp.get("/sign-offs/<int:sign_off_id>")
def sign_off(sign_off_id: int):
    row = _one(resources.sign_offs(_token().provider_id).where(SignOff.id == sign_off_id))
    return jsonify(resources.sign_off(row))


@bp.get("/sign-offs/<int:sign_off_id>/pdf")
def sign_off_pdf(sign_off_id: int):
    """The signed portfolio PDF of a countersigned sign-off in force: the same stored document
    the app gives. One not made yet is started, as opening it in the app starts it, and the
    answer is 202 with Retry-After."""
    sign_off = _one(select(SignOff).where(
        SignOff.id == sign_off_id, SignOff.provider_id == _token().provider_id)).SignOff  # fmt: skip
    if sign_off.withdrawn_at is not None:
        raise Problem(409, "This sign-off was withdrawn: its PDF, if one was made, is superseded. "
                           "Use the enrolment's sign-off in force.", kind="withdrawn")  # fmt: skip
    if sign_off.countersigned_at is None:
        raise Problem(409, "The portfolio PDF is made once the IQA has countersigned the unit.",
                      kind="not-countersigned")  # fmt: skip
    record = service.request_document(sign_off)
    if record.status is DocumentStatus.FAILED:
        raise Problem(409, "Making this PDF failed. Open the portfolio PDF in the app to see "
                           "why and to try again.", kind="pdf-failed")  # fmt: skip
    if record.status is not DocumentStatus.READY:
        db.session.commit()
        if service.claim(record):
            jobs.start_document(record, None)
            db.session.commit()
            db.session.refresh(record)
    if record.status is DocumentStatus.READY:
        try:
            return send_file(
                service.stored_path(record.stored_name), mimetype="application/pdf",
                as_attachment=True, download_name=f"portfolio-{sign_off.enrolment_id}.pdf",
                conditional=True, etag=record.sha256,
            )  # fmt: skip
        except FileNotFoundError:
            raise Problem(404, "The stored PDF is missing; tell the provider's admin.") from None
    response = jsonify(status=record.status.value, retry_after=PDF_RETRY_SECONDS)
    response.status_code = 202
    response.headers["Retry-After"] = str(PDF_RETRY_SECONDS)
    return response
