"""How long the daily notification digest takes for a provider of 5,000 learners.

On a fresh database of each kind (SQLite in a temporary folder; PostgreSQL in a throwaway
cluster, from bench/harness.py), migrated: one provider with ``--learners`` learners who
chose the daily digest, each with three notifications neither read nor emailed (a
submission returned, one accepted, a unit signed off), and 200 learners of another provider
likewise, which the digest must leave alone. Built with bulk inserts: the figure is the
digest's, not the data's.

Timed, from a fresh session: ``digest.daily_digest`` as its job runs it: composing (marking
the notifications, reading them with their recipients, rendering and storing one message a
person) and delivering every message by SMTP to a real server on loopback (aiosmtpd, from
tests/mailserver.py), a connection per message as in service. The statements it sends are
counted (and compared with a provider of 50 learners: the count must not grow).
Target: under 60 s on each database.

Run: .venv/bin/python bench/digest.py [--learners 5000] [--db sqlite,postgresql]
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402

from bench.harness import SECRET_KEY, database  # noqa: E402
from portfolio import create_app  # noqa: E402
from portfolio.accounts.models import Provider, Role, User  # noqa: E402
from portfolio.db import db, utcnow  # noqa: E402
from portfolio.mail.models import OutgoingEmail  # noqa: E402
from portfolio.notifications import digest  # noqa: E402
from portfolio.notifications.models import EmailChoice, Notification, NotificationSetting  # noqa: E402
from tests.mailserver import HOST, free_port  # noqa: E402
from tests.statements import counting  # noqa: E402

TARGET_SECONDS = 60
EVENTS = [
    ("evidence_returned", {"assessor": "Priya Sharma", "title": "Gas smell at a block of flats"}),
    ("evidence_accepted_feedback", {"assessor": "Priya Sharma", "title": "Billing dispute call"}),
    ("unit_signed_off", {"assessor": "Priya Sharma", "unit": "Deal with incidents"}),
]


def provider_with_learners(name: str, learners: int) -> int:
    """A provider whose learners chose the daily digest, each with three notifications."""
    provider = Provider(name=name)
    db.session.add(provider)
    db.session.flush()
    tag = name.lower().replace(" ", "-")
    ids = db.session.scalars(
        insert(User).returning(User.id),
        [{"provider_id": provider.id, "email": f"learner{n}@{tag}.example.org",
          "name": f"Learner {n:05d}", "role": Role.LEARNER, "password_hash": "-",
          "session_token": f"{tag}-{n}"} for n in range(learners)],
    ).all()  # fmt: skip
    db.session.execute(
        insert(NotificationSetting), [{"user_id": i, "email": EmailChoice.DAILY} for i in ids]
    )
    now = utcnow()
    db.session.execute(
        insert(Notification),
        [{"provider_id": provider.id, "recipient_id": person, "kind": kind,
          "facts": {**facts, "item": person, "enrolment": person}, "created_at": now}
         for person in ids for kind, facts in EVENTS],
    )  # fmt: skip
    db.session.commit()
    return provider.id


def run_digest(provider_id: int) -> tuple[float, float, int, dict]:
    """``digest.daily_digest``'s two steps, timed apart: composing, then delivering."""
    db.session.remove()
    with counting(db.engine) as statements:
        started = time.perf_counter()
        people = digest.compose(provider_id)
        db.session.commit()
        composed = time.perf_counter()
        sent, failed = digest.deliver(provider_id)
        finished = time.perf_counter()
    result = {"people": people, "sent": sent, "failed": failed}
    return composed - started, finished - composed, len(statements), result


def measure(kind: str, learners: int, port: int) -> dict:
    with database(kind, "digest") as place:
        os.environ["PORTFOLIO_INSTANCE_PATH"] = str(place.instance)
        app = create_app({"SQLALCHEMY_DATABASE_URI": place.url, "SECRET_KEY": SECRET_KEY,
                          "PUBLIC_URL": "http://127.0.0.1", "JOBS_IMMEDIATE": False,
                          "MAIL_HOST": HOST, "MAIL_PORT": port,
                          "MAIL_SECURITY": "none"})  # fmt: skip
        with app.app_context():
            try:
                upgrade()
                small = provider_with_learners("Small College", 50)
                large = provider_with_learners("Bench College", learners)
                provider_with_learners("Other College", 200)
                *_, small_statements, _ = run_digest(small)
                compose, deliver, statements, result = run_digest(large)
                left = db.session.scalar(
                    select(func.count()).where(
                        Notification.emailed_at.is_(None), Notification.provider_id != large
                    )
                )
                stored = db.session.scalar(
                    select(func.count()).where(
                        OutgoingEmail.provider_id == large, OutgoingEmail.sent_at.is_not(None)
                    )
                )
            finally:
                db.session.remove()
                db.engine.dispose()
    return {"db": place.name, "seconds": compose + deliver, "compose": compose,
            "statements": statements,
            "small_statements": small_statements, "result": result,
            "stored": stored, "others_left": left}  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=5000)
    parser.add_argument("--db", default="sqlite,postgresql")
    args = parser.parse_args()
    port = free_port()
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink",
         "-l", f"{HOST}:{port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    time.sleep(1)  # listening
    failed = False
    print(f"Daily notification digest: {args.learners} learners, 3 notifications each, "
          f"delivered by SMTP on loopback (target < {TARGET_SECONDS} s)")  # fmt: skip
    try:
        for kind in args.db.split(","):
            figures = measure(kind, args.learners, port)
            ok = (figures["seconds"] < TARGET_SECONDS
                  and figures["result"]["sent"] == figures["stored"] == args.learners
                  and figures["statements"] == figures["small_statements"]
                  and figures["others_left"] == 200 * 3 + 0)  # fmt: skip
            failed |= not ok
            print(f"  {figures['db']:<10} {figures['seconds']:6.1f} s, "
                  f"composing {figures['compose']:.1f} s, "
                  f"{figures['stored']} emails sent, {figures['statements']} statements "
                  f"({figures['small_statements']} for 50 learners)"
                  f"{'' if ok else '  MISSED'}")  # fmt: skip
    finally:
        server.terminate()
        server.wait()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
