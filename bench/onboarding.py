"""How long onboarding a 5,000-row CSV from a management information system takes.

On a fresh database of each kind (SQLite in a temporary folder; PostgreSQL in a throwaway
cluster, from bench/harness.py), migrated and with the criteria imported: one provider with
an admin, 10 assessors and 3 IQAs. A CSV of ``--rows`` learners is built: each on one of
the five library units (City & Guilds' with its qualification code), in one of 20 cohorts
that do not exist yet, with an assessor and an IQA, a valid ULN on every other row, and one
row in a hundred refused (a bad email address).

Timed, each from a fresh session:

- the dry run: decoding and parsing the file, and ``onboarding.plan`` (what the report page
  does before rendering its first 100 rows);
- the import: ``onboarding.import_upload`` as the job runs it, committing every 100 rows
  (``run.progress``): each row in a savepoint, its learner, cohort and enrolment created,
  audited, its progress rows computed;
- importing the same file again (every row unchanged).

The statements the import sends are counted (savepoints aside), per row applied.
Target: the import under 60 s on each database.

Run: .venv/bin/python bench/onboarding.py [--rows 5000] [--db sqlite,postgresql]
"""

import argparse
import csv
import io
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402

from bench.harness import SECRET_KEY, database  # noqa: E402
from portfolio import create_app  # noqa: E402
from portfolio.accounts.models import Provider, Role  # noqa: E402
from portfolio.accounts.people import create_person  # noqa: E402
from portfolio.db import db  # noqa: E402
from portfolio.enrolments import onboarding  # noqa: E402
from portfolio.enrolments.models import OnboardingUpload  # noqa: E402
from portfolio.enrolments.onboarding_file import COLUMNS, decode, parse  # noqa: E402
from portfolio.units.library import import_criteria  # noqa: E402
from tests.statements import counting  # noqa: E402

TARGET_SECONDS = 60
PASSWORD = "bench-onboarding-password-2026"  # noqa: S105
UNITS = [("PEARSON", "PEARSON-INCIDENTS", ""), ("BIIAB", "BIIAB-INCIDENTS", ""),
         ("SFJ", "SFJ-INCIDENTS", ""), ("VTCT", "VTCT-INCIDENTS", ""),
         ("CG", "CG-INCIDENTS", "CG-L3-NVQ-DIP-CCO")]  # fmt: skip


def uln(number: int) -> str:
    """A valid ULN near ``number``: the first nine digits, then the check digit that makes
    the weighted sum leave 10 (numbers whose check digit would be 10 are skipped)."""
    while True:
        digits = f"{number:09d}"
        total = sum(int(d) * w for d, w in zip(digits, range(10, 1, -1), strict=True))
        check = (10 - total) % 11
        if check < 10:
            return digits + str(check)
        number += 1


def build_csv(rows: int, assessors: list[str], iqas: list[str]) -> bytes:
    rng = random.Random(2026)
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.name for c in COLUMNS] + ["qualification_code"])
    for n in range(1, rows + 1):
        body, unit, qualification = UNITS[n % len(UNITS)]
        email = f"learner{n}@mis.example.org" if n % 100 else f"learner{n} at mis.example.org"
        values = [f"MIS{n:06d}", uln(100_000_000 + n * 7) if n % 2 else "",
                  f"Learner {n:05d} {rng.choice(['Khan', 'Evans', 'Smith', 'Nowak', 'Okafor'])}",
                  email, f"Cohort {n % 20 + 1:02d}, Sept 2026", body, unit,
                  "2026-09-07", "07/09/2027", rng.choice(assessors), rng.choice(iqas),
                  qualification]  # fmt: skip
        writer.writerow(values)
    return out.getvalue().encode()


def measure(kind: str, rows: int) -> dict:
    with database(kind, "onboarding") as place:
        os.environ["PORTFOLIO_INSTANCE_PATH"] = str(place.instance)
        app = create_app({"SQLALCHEMY_DATABASE_URI": place.url, "SECRET_KEY": SECRET_KEY,
                          "PUBLIC_URL": "http://127.0.0.1", "JOBS_IMMEDIATE": False})  # fmt: skip
        with app.app_context():
            try:
                upgrade()
                import_criteria(ROOT / "criteria")
                provider = Provider(name="Bench College")
                db.session.add(provider)
                db.session.flush()
                admin = create_person(provider, name="Bench Admin", email="admin@bench.example.org",
                                      role=Role.ADMIN, password=PASSWORD)  # fmt: skip
                staff = {Role.ASSESSOR: [], Role.IQA: []}
                for role, count in ((Role.ASSESSOR, 10), (Role.IQA, 3)):
                    for n in range(count):
                        email = f"{role.value}{n}@bench.example.org"
                        create_person(provider, name=f"{role.label} {n}", email=email, role=role,
                                      password=PASSWORD)  # fmt: skip
                        staff[role].append(email)
                data = build_csv(rows, staff[Role.ASSESSOR], staff[Role.IQA])
                upload = OnboardingUpload(provider_id=provider.id, uploaded_by=admin,
                                          filename="bench.csv", content=decode(data))  # fmt: skip
                db.session.add(upload)
                db.session.commit()
                upload_id, admin_id = upload.id, admin.id
                db.session.remove()

                started = time.perf_counter()
                upload = db.session.get(OnboardingUpload, upload_id)
                plan = onboarding.plan(upload.provider_id, parse(decode(data)))
                dry_run = time.perf_counter() - started
                counts = plan.counts
                db.session.remove()

                def commit(done: int, total: int) -> None:
                    db.session.commit()

                results = []
                for _ in range(2):  # the import, then the same file again
                    upload = db.session.get(OnboardingUpload, upload_id)
                    upload.imported_by_id = admin_id
                    started = time.perf_counter()
                    with counting(db.engine) as statements:
                        result = onboarding.import_upload(upload, progress=commit)
                        db.session.commit()
                    results.append((time.perf_counter() - started, len(statements), result))
                    db.session.remove()
            finally:
                db.session.remove()
                db.engine.dispose()
    (seconds, statements, result), (again, _, second) = results
    applied = result["counts"]["create"] + result["counts"]["update"]
    return {"database": place.name, "rows": rows, "dry_run": dry_run, "planned": counts,
            "import": seconds, "statements_per_row": statements / max(applied, 1),
            "result": result["counts"], "again": again, "again_result": second["counts"]}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--db", default="sqlite,postgresql")
    args = parser.parse_args(argv)
    print(f"\n== Onboarding a {args.rows:,}-row CSV (target: import under {TARGET_SECONDS} s)")
    met = []
    for kind in args.db.split(","):
        m = measure(kind, args.rows)
        ok = m["import"] < TARGET_SECONDS
        met.append(ok)
        print(f"{m['database']}: dry run {m['dry_run']:.1f} s "
              f"({m['planned']['create']} create, {m['planned']['refused']} refused); "
              f"import {m['import']:.1f} s{'' if ok else ' MISS'} "
              f"({m['result']['create']} created, {m['result']['refused']} refused; "
              f"{m['statements_per_row']:.1f} statements a row); "
              f"the same file again {m['again']:.1f} s ({m['again_result']['unchanged']} unchanged)",
              flush=True)  # fmt: skip
    print(f"Overall: {sum(met)} of {len(met)} targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
