"""Requests per second and latency of the pages that grow with a provider, under gunicorn.

For each database (SQLite in a temporary folder, then PostgreSQL in a throwaway cluster from
tests/postgres.py): migrate, import the criteria, load the demo and a large provider (5,000
learners x 100 evidence items by default), then serve it with gunicorn (sync workers, two
per core) on a free loopback port, sign in over HTTP as one of the large provider's
learners, one of its assessors and its admin, and measure each page with wrk:

- /hello: a plain route answering "hello", the ceiling the other pages are compared with;
- the learner's portfolio (/enrolments/<id>/portfolio), for a learner with a typical number
  of items, and that learner's home page (/), their to-do list;
- the assessor's caseload (/caseload), about 50 learners;
- the provider dashboard for one cohort of 100 learners (/dashboard?cohort=<id>);
- the provider dashboard for all learners (/dashboard).

Each page gets a 2-second warm-up, then ``wrk -t2 -c20 -d10s --latency --timeout 30s``
(so slow pages are measured, not dropped as timeouts). A page's share of hello is of hello
measured for 5 s just before and just after it, so that a machine whose speed drifts during
the run (a shared one does, by a fifth within a minute) moves both alike. Targets: every
signed-in page serves at least 8% of hello's requests per second; the all-learner dashboard
has a median under 250 ms. Latencies are printed, not judged: on two shared cores a p99
measures the machine more than the code. Every page must answer 200 to its user before it
is measured; a page that does not
(404, 500, a redirect to sign-in), or errors during its run, is reported and the run exits
non-zero. A missed target is reported as MISS but does not fail the run. The "cores" column
is the CPU gunicorn, the database server and wrk used during a page's run: on a machine
shared with other work it shows how much of the machine the figures had.

After loading, the tables are analysed, and on PostgreSQL vacuumed too (``VACUUM ANALYZE``),
as a database in service is: otherwise autovacuum starts on the freshly written tables a
minute later and runs through the measurements. The load's writes are then put on disk
(a checkpoint of the database, and ``sync``), so that PostgreSQL's checkpointer and the
kernel are not still writing them out while pages are measured. All traffic stays on
127.0.0.1.

Run: .venv/bin/python bench/web.py [--learners 5000] [--items 100] [--duration 10]
     [--databases sqlite,postgresql]    (needs Debian's wrk and postgresql packages)
"""

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # for bench.harness when run as a script

from bench.harness import (  # noqa: E402
    COOKIE,
    USER_AGENT,
    Built,
    Server,
    build,
    children_cpu_seconds,
    database,
    fetch,
    sign_in,
    tree_cpu_seconds,
    write_out,
)
from bench.large_demo import ADMIN_EMAIL, DOMAIN  # noqa: E402
from portfolio.demo import PASSWORD  # noqa: E402

WRK_TIMEOUT = "30s"  # wrk's default of 2 s would drop slow pages' requests from the latencies
WARM_UP_SECONDS = 2  # of wrk on each page before it is measured, discarded
HELLO_AROUND_SECONDS = 5  # of hello just before and just after each page judged against it
FEW_REQUESTS = 50  # fewer than this in a run and its 99th percentile means little


@dataclass(frozen=True)
class Target:
    share: float | None = None  # minimum req/s as a fraction of hello's
    p99_ms: float | None = None
    p50_ms: float | None = None

    def describe(self) -> str:
        parts = []
        if self.share is not None:
            parts.append(f">= {self.share:.0%} of hello")
        if self.p99_ms is not None:
            parts.append(f"p99 < {self.p99_ms:g} ms")
        if self.p50_ms is not None:
            parts.append(f"p50 < {self.p50_ms:g} ms")
        return ", ".join(parts) or "-"

    def met(self, result: "WrkResult", hello_rps: float | None) -> bool | None:
        """True or False, or None when it cannot be judged (no hello figure)."""
        checks = []
        if self.share is not None:
            if not hello_rps:
                return None
            checks.append(result.rps / hello_rps >= self.share)
        if self.p99_ms is not None:
            checks.append(result.p99_ms < self.p99_ms)
        if self.p50_ms is not None:
            checks.append(result.p50_ms < self.p50_ms)
        return all(checks) if checks else None


AUTHENTICATED = Target(share=0.08)


@dataclass(frozen=True)
class Page:
    label: str
    path: str
    user: str | None  # which signed-in user requests it: learner, assessor, admin
    target: Target | None
    # Connections to load it with; None means --connections. The whole-provider dashboard
    # is what one manager waits for, so its median is measured one request at a time.
    connections: int | None = None


@dataclass(frozen=True)
class WrkResult:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_2xx: int  # responses other than 2xx or 3xx
    socket_errors: int  # connect, read and write errors
    timeouts: int  # requests unanswered within WRK_TIMEOUT (not in the latencies)

    @property
    def errors(self) -> int:
        return self.non_2xx + self.socket_errors + self.timeouts

    def problems(self) -> str:
        parts = [
            f"{n} {what}"
            for n, what in ((self.non_2xx, "non-2xx"), (self.socket_errors, "socket errors"),
                            (self.timeouts, "timeouts"))
            if n
        ]  # fmt: skip
        if self.requests < FEW_REQUESTS:
            parts.append(f"only {self.requests} request{'' if self.requests == 1 else 's'}")
        return ", ".join(parts)


def check_page(base: str, page: Page, cookie: str | None) -> str | None:
    """None when the page answers 200, else what went wrong, plainly."""
    status, body, headers = fetch(base + page.path, cookie=cookie)
    if status == 200:
        return None
    if status in (301, 302, 303, 307, 308):
        location = headers.get("Location", "")
        if "/sign-in" in location:
            return f"{status} redirect to sign-in: the session was not accepted"
        return f"{status} redirect to {location}"
    if status == 404:
        return "404 Not Found: is the route there yet (or not visible to this user)?"
    if status >= 500:
        return f"{status} server error: see the gunicorn log below"
    first = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).strip()[:120]
    return f"{status}: {first}"


# -- wrk -----------------------------------------------------------------------------------------------


def run_wrk(
    url: str, cookie: str | None, duration: int, connections: int, threads: int
) -> WrkResult:
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency",
               "--timeout", WRK_TIMEOUT, "-H", f"User-Agent: {USER_AGENT}"]  # fmt: skip
    if cookie:
        command += ["-H", f"Cookie: {COOKIE}={cookie}"]
    command.append(url)
    completed = subprocess.run(  # noqa: S603
        command, capture_output=True, text=True, timeout=duration + 60, check=False
    )
    if completed.returncode != 0:
        raise RuntimeError(f"wrk failed ({completed.returncode}): {completed.stderr.strip()}")
    return parse_wrk(completed.stdout)


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def parse_wrk(output: str) -> WrkResult:
    """Requests/sec, the 50% and 99% latencies (in ms) and any errors from wrk's report."""
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    requests = re.search(r"(\d+) requests in", output)
    latencies = {
        percent: float(value) * _UNITS_MS[unit]
        for percent, value, unit in re.findall(
            r"^\s*(\d+)%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M
        )
    }
    if not rps or "50" not in latencies or "99" not in latencies:
        raise RuntimeError(f"could not read wrk's report:\n{output}")
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    connect, read, write, timeouts = (int(n) for n in sockets.groups()) if sockets else (0,) * 4
    return WrkResult(
        rps=float(rps.group(1)),
        p50_ms=latencies["50"],
        p99_ms=latencies["99"],
        requests=int(requests.group(1)) if requests else 0,
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=connect + read + write,
        timeouts=timeouts,
    )


# -- one database ----------------------------------------------------------------------------------------


def pages(built: Built) -> list[Page]:
    return [
        Page("hello (the ceiling)", "/hello", None, None),
        Page(f"learner portfolio ({built.learner_items} items)",
             f"/enrolments/{built.learner_enrolment_id}/portfolio", "learner", AUTHENTICATED),
        Page("learner's home", "/", "learner", AUTHENTICATED),
        Page(f"learner's off-the-job hours ({built.learner_entries} entries)",
             f"/enrolments/{built.learner_enrolment_id}/hours", "learner", AUTHENTICATED),
        Page("assessor caseload", "/caseload", "assessor", AUTHENTICATED),
        Page(f"line manager's home ({built.manager_apprentices} apprentices)", "/", "employer",
             AUTHENTICATED),
        Page(f"dashboard, cohort of {built.cohort_size}", f"/dashboard?cohort={built.cohort_id}",
             "admin", AUTHENTICATED),
        Page(f"dashboard, all {built.figures['learners']:,} learners (1 connection)", "/dashboard",
             "admin", Target(p50_ms=250), connections=1),
    ]  # fmt: skip


def measure(name: str, url: str, instance: Path, args, postmaster: int | None = None) -> bool:
    """Build, serve and measure one database; prints its table; True when every page answered."""
    print(f"\n== {name}: building {args.learners:,} learners x {args.items} items ...", flush=True)
    built = build(url, instance, args.learners, args.items)
    f = built.figures
    print(
        f"{name}: data built in {built.seconds:.0f} s (large provider {built.large_seconds:.0f} s): "
        f"{f['evidence_items']:,} items, {f['evidence_versions']:,} versions, "
        f"{f['criterion_claims']:,} claims, {f['decisions']:,} decisions, "
        f"{f['criterion_judgements']:,} judgements",
        flush=True,
    )
    started = time.monotonic()
    write_out(url)
    print(f"{name}: the load's writes put on disk in {time.monotonic() - started:.0f} s", flush=True)
    server = Server(url, instance, args.workers)
    try:
        server.wait_until_ready()
        cookies = {
            "learner": sign_in(server.base, built.learner_email, PASSWORD),
            "assessor": sign_in(server.base, f"assessor1@{DOMAIN}", PASSWORD),
            "employer": sign_in(server.base, f"manager1@{DOMAIN}", PASSWORD),
            "admin": sign_in(server.base, ADMIN_EMAIL, PASSWORD),
        }
        results: dict[str, WrkResult | str] = {}
        # A page's share is of hello measured just before and just after it: on a shared
        # machine the speed drifts within a run, and a ceiling from a minute earlier can be
        # a fifth off either way.
        ceilings: dict[str, float] = {}
        # Cores gunicorn, wrk and PostgreSQL kept busy during each run: well under all of them
        # means something else on the machine was taking CPU, and the figures are low.
        cores: dict[str, float] = {}

        def hello() -> float:
            return run_wrk(server.base + "/hello", None, HELLO_AROUND_SECONDS,
                           args.connections, args.threads).rps  # fmt: skip

        def used_cpu() -> float:
            database = tree_cpu_seconds(postmaster) if postmaster else 0.0
            return server.cpu_seconds() + children_cpu_seconds() + database

        for page in pages(built):
            cookie = cookies.get(page.user) if page.user else None
            problem = check_page(server.base, page, cookie)
            if problem:
                print(f"{name}: FAIL {page.path} as {page.user or 'anyone'}: {problem}", flush=True)
                results[page.label] = problem
                continue
            url = server.base + page.path
            connections = page.connections or args.connections
            threads = min(args.threads, connections)
            judged = page.target is not None and page.target.share is not None
            run_wrk(url, cookie, WARM_UP_SECONDS, connections, threads)
            before = hello() if judged else None
            cpu_before, started = used_cpu(), time.monotonic()
            result = run_wrk(url, cookie, args.duration, connections, threads)
            used = used_cpu() - cpu_before
            cores[page.label] = used / (time.monotonic() - started)
            results[page.label] = result
            if judged:
                ceilings[page.label] = (before + hello()) / 2
            print(f"{name}: {page.path}: {result.rps:,.1f} req/s, p50 {result.p50_ms:.1f} ms, "
                  f"p99 {result.p99_ms:.1f} ms, {result.requests} requests; server, database "
                  f"and wrk used {cores[page.label]:.1f} of {os.cpu_count()} cores"
                  + (f" ({result.problems()})" if result.problems() else ""), flush=True)  # fmt: skip
        ok = all(isinstance(r, WrkResult) and not r.errors for r in results.values())
        print_table(name, built, args, results, cores, ceilings)
        if any(isinstance(r, str) and "server error" in r for r in results.values()):
            print(f"\ngunicorn log (last lines):\n{server.log_tail()}")
        return ok
    finally:
        server.stop()


def print_table(name: str, built: Built, args, results: dict, cores: dict[str, float],
                ceilings: dict[str, float]) -> None:  # fmt: skip
    rows = [("page", "req/s", "p50 ms", "p99 ms", "of hello", "hello around", "cores", "target",
             "result")]  # fmt: skip
    for page in pages(built):
        result = results[page.label]
        target = page.target.describe() if page.target else "-"
        if isinstance(result, str):
            rows.append((page.label, "-", "-", "-", "-", "-", "-", target,
                         f"ERROR {result.split(':')[0]}"))  # fmt: skip
            continue
        ceiling = ceilings.get(page.label)
        share = f"{result.rps / ceiling:.1%}" if ceiling else "-"
        verdict = "-"
        if page.target:
            met = page.target.met(result, ceiling)
            verdict = "n/a" if met is None else "PASS" if met and not result.errors else "MISS"
        if result.problems():
            verdict += f" ({result.problems()})"
        rows.append((page.label, f"{result.rps:,.1f}", f"{result.p50_ms:.1f}",
                     f"{result.p99_ms:.1f}", share, f"{ceiling:,.1f}" if ceiling else "-",
                     f"{cores[page.label]:.1f}", target, verdict))  # fmt: skip
    print(
        f"\n{name}: {args.learners:,} learners x {args.items} items (data built in "
        f"{built.seconds:.0f} s); gunicorn {args.workers} sync workers on Python "
        f"{platform.python_version()} ({sys.base_prefix}); "
        f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s. Cores: CPU that "
        f"gunicorn, the database and wrk used during the run, of {os.cpu_count()}; fewer "
        "means other work on the machine took CPU and the figures are low. A page's share "
        f"is of the hello route's req/s measured for {HELLO_AROUND_SECONDS} s just before "
        "and just after it (hello around)."
    )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for index, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])]
        cells += [cell.rjust(width) for cell, width in zip(row[1:7], widths[1:7], strict=True)]
        cells += [row[7].ljust(widths[7]), row[8]]
        print("  ".join(cells).rstrip())
        if index == 0:
            print("  ".join("-" * w for w in widths))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=5000)
    parser.add_argument("--items", type=int, default=100, help="evidence items per learner")
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk per page")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1))
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    databases = [d.strip() for d in args.databases.split(",") if d.strip()]
    unknown = set(databases) - {"sqlite", "postgresql"}
    if unknown or not databases:
        parser.error(f"--databases takes sqlite and/or postgresql, not {', '.join(unknown)}")
    if args.learners < 1 or args.items < 0 or args.duration < 1:
        parser.error("--learners and --duration must be at least 1, --items at least 0")
    if not shutil.which("wrk"):
        raise SystemExit("wrk was not found: install Debian's wrk package (apt-get install wrk)")
    ok = True
    for kind in databases:
        with database(kind) as store:
            ok = measure(store.name, store.url, store.instance, args, store.postmaster) and ok
    if not ok:
        print("\nSome pages did not answer 200 or had errors: see above.", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
