"""The EQA's ZIP of many portfolios, made by a real job worker: how close two workers come to
half the time of the PDFs made one by one, and whether the web process grows with the ZIP.

On a fresh SQLite database in a temporary folder (migrated, criteria imported), 50
learners (``--portfolios``) each build a countersigned portfolio of 10 evidence items
(``--items``) with bench/pdf.py's ``build`` (the same mix of logs, call notes and STAR
accounts, screenshots and attached PDFs). Then:

1. **Alone.** Each portfolio's PDF is made once in this process, one after another, as a
   ``portfolio_pdf`` job makes it (``service.build_pdf`` with its time limit: gathered here,
   rendered and signed in a forked child); nothing is stored. One warm-up export first, not
   counted. Their wall times are summed; so are their CPU times (this process and the
   children).
2. **Through the queue.** gunicorn (bench/harness.py's ``Server``, one sync worker) serves
   the app, and ``flask jobs worker --workers 2`` runs beside it on the same database and
   SQLite queue in the instance folder, in processes of their own. Signed in as the admin
   over HTTP, the bench reads /exports/eqa, posts every portfolio with the form's CSRF
   token, follows the redirect to /jobs/<id> and asks /jobs/<id>/status every 0.2 s until
   the job is done. Wall time is from the POST to the first answer saying done; the PDFs'
   jobs and the ZIP are all made by the worker. Target: wall / (sum alone / 2) <= 1.2.
   The worker's CPU time (with its forked renders) over the sum alone shows what the queue
   costs beyond the PDFs themselves, whatever else the machine runs.
3. **Memory.** The peak RSS (VmHWM in /proc/<pid>/status) of gunicorn's worker process, the
   one web process, just before and just after downloading the ZIP from
   /exports/eqa/<id>.zip (checked: a ZIP of every PDF and index.csv). The ZIP is sent from
   disk by ``send_file`` (gunicorn's sendfile), so the peak should not move with its size.

All traffic stays on 127.0.0.1; everything made is removed at the end. No timing is asserted:
a missed target is printed as MISS; the run exits non-zero only when something failed.

Run: .venv/bin/python bench/eqa_export.py [--portfolios 50] [--items 10] [--workers 2]
"""

import argparse
import io
import json
import os
import re
import resource
import signal
import subprocess
import sys
import time
import zipfile
from contextlib import suppress
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # for bench.harness when run as a script

from bench import harness, pdf  # noqa: E402

RATIO_TARGET = 1.2
JOB_SECONDS = 1800  # the longest the export may take before the run gives up
WORKER_START_SECONDS = 60
POLL_SECONDS = 0.2


# -- alone -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Alone:
    wall: list[float]
    cpu: list[float]
    pages: list[int]
    sizes: list[int]
    render_cpu: float  # of the sum of ``cpu``, the forked renders' part


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def alone(built: list[pdf.Built]) -> Alone:
    """Each portfolio's PDF made as its job makes it, one after another."""
    from portfolio.exports import service

    service.build_pdf(pdf.fresh_sign_off(built[0].sign_off_id))  # warm-up, not counted
    wall, cpu, pages, sizes = [], [], [], []
    renders = children_cpu()
    for b in built:
        sign_off = pdf.fresh_sign_off(b.sign_off_id)
        t, c = time.perf_counter(), time.process_time() + children_cpu()
        data, count = service.build_pdf(sign_off)
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() + children_cpu() - c)
        pages.append(count)
        sizes.append(len(data))
    return Alone(wall, cpu, pages, sizes, children_cpu() - renders)


# -- the worker --------------------------------------------------------------------------------


class Worker:
    """``flask jobs worker`` in a process group of its own (its forked renders with it)."""

    def __init__(self, server: harness.Server, url: str, instance: Path, workers: int):
        self.log_path = instance / "worker.log"
        self.log = open(self.log_path, "wb")  # noqa: SIM115  (closed in stop())
        env = {**os.environ, "FLASK_APP": "wsgi", "DATABASE_URL": url,
               "SECRET_KEY": harness.SECRET_KEY, "PORTFOLIO_INSTANCE_PATH": str(instance),
               "PORTFOLIO_PUBLIC_URL": server.base, "PORTFOLIO_SESSION_COOKIE_SECURE": "false"}  # fmt: skip
        flask = str(Path(sys.executable).parent / "flask")
        self.process = subprocess.Popen(  # noqa: S603
            [flask, "jobs", "worker", "--workers", str(workers)], cwd=ROOT, env=env,
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip

    def wait_until_ready(self) -> None:
        deadline = time.monotonic() + WORKER_START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(
                    f"the worker exited with {self.process.returncode}:\n{self.tail()}"
                )
            if b"Running jobs from" in self.log_path.read_bytes():
                return
            time.sleep(0.1)
        raise SystemExit(
            f"the worker did not start within {WORKER_START_SECONDS} s:\n{self.tail()}"
        )

    def cpu_seconds(self) -> tuple[float, float]:
        """CPU used so far by the worker process itself, and by the renders it forked."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return own, harness.tree_cpu_seconds(self.process.pid) - own

    def tail(self, lines: int = 30) -> str:
        self.log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)  # a render left behind, if any
        self.log.close()


# -- through the web app -----------------------------------------------------------------------


def kib(pid: int, field: str) -> int:
    """A figure of /proc/<pid>/status in KiB: VmHWM is the process's peak RSS."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} for process {pid}")


def web_process(server: harness.Server) -> int:
    """gunicorn's one worker process, the one that answers requests."""
    master = server.process.pid
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    if len(children) != 1:
        raise RuntimeError(f"expected one gunicorn worker, found {len(children)}")
    return int(children[0])


class Session:
    """An admin's session over HTTP, its cookie updated as the server renews it."""

    def __init__(self, base: str):
        self.base = base
        self.cookie = harness.sign_in(base, pdf.ADMIN_EMAIL, pdf.PASSWORD)

    def fetch(self, path: str, **kwargs):
        status, body, headers = harness.fetch(self.base + path, cookie=self.cookie, **kwargs)
        for value in headers.get_all("Set-Cookie") or []:
            morsel = SimpleCookie(value).get(harness.COOKIE)
            if morsel is not None and morsel.value:
                self.cookie = morsel.value
        return status, body, headers


@dataclass(frozen=True)
class Queued:
    wall: float
    picked_up: float  # from the POST until the job's page first saw it started (0.2 s steps)
    worker_cpu: tuple[float, float]  # the worker process itself, its renders
    web_cpu: float
    job_id: int
    zip_bytes: int
    zip_seconds: float
    hwm_before_kib: int
    hwm_after_kib: int
    rss_after_kib: int
    hwm_at_start_kib: int
    timeline: "Timeline"


@dataclass(frozen=True)
class Timeline:
    """When the PDFs' jobs ran, in seconds from the export's job being queued (its rows)."""

    first_pdf_started: float
    last_pdf_finished: float
    export_finished: float
    pdf_seconds: float  # the PDFs' jobs' running times, summed
    pdf_jobs: int

    @classmethod
    def of(cls, export, pdf_jobs) -> "Timeline":
        def at(moment) -> float:
            return (moment - export.created_at).total_seconds()

        return cls(
            min(at(j.started_at) for j in pdf_jobs), max(at(j.finished_at) for j in pdf_jobs),
            at(export.finished_at),
            sum((j.finished_at - j.started_at).total_seconds() for j in pdf_jobs), len(pdf_jobs),
        )  # fmt: skip

    @property
    def running_at_once(self) -> float:
        """PDF jobs running at once on average, between the first's start and the last's end."""
        return self.pdf_seconds / (self.last_pdf_finished - self.first_pdf_started)


def through_the_queue(server: harness.Server, worker: Worker, sign_off_ids: list[int],
                      app) -> Queued:  # fmt: skip
    from portfolio.db import db
    from portfolio.jobs.models import Job

    session = Session(server.base)
    web = web_process(server)
    status, body, _ = session.fetch("/exports/eqa")
    if status != 200:
        raise RuntimeError(f"GET /exports/eqa answered {status}")
    match = harness.CSRF.search(body)
    if not match:
        raise RuntimeError("no csrf_token field in the EQA export form")
    form = [("csrf_token", match.group(1) or match.group(2))]
    form += [("sign_off", str(i)) for i in sign_off_ids]
    hwm_at_start = kib(web, "VmHWM")
    worker_cpu, web_cpu = worker.cpu_seconds(), server.cpu_seconds()

    started = time.monotonic()
    status, _, headers = session.fetch("/exports/eqa", data=form)
    location = headers.get("Location", "")
    found = re.search(r"/jobs/(\d+)$", location)
    if status != 303 or not found:
        raise RuntimeError(f"POST /exports/eqa answered {status} {location!r}")
    job_id = int(found.group(1))
    deadline, picked_up = started + JOB_SECONDS, None
    while True:
        status, body, _ = session.fetch(f"/jobs/{job_id}/status")
        if status != 200:
            raise RuntimeError(f"GET /jobs/{job_id}/status answered {status}")
        state = json.loads(body)
        if picked_up is None and (state["state"] != "queued" or state["total"]):
            picked_up = time.monotonic() - started
        if state["finished"]:
            break
        if time.monotonic() > deadline:
            raise RuntimeError(f"the export was not done within {JOB_SECONDS} s")
        time.sleep(POLL_SECONDS)
    wall = time.monotonic() - started
    (own, renders), web_cpu = worker.cpu_seconds(), server.cpu_seconds() - web_cpu
    worker_cpu = (own - worker_cpu[0], renders - worker_cpu[1])
    if state["state"] != "done":
        raise RuntimeError(f"the export failed: {state['error']}\n{worker.tail()}")
    with app.app_context():
        export = db.session.get(Job, job_id)
        result = dict(export.result)
        timeline = Timeline.of(export, db.session.scalars(
            db.select(Job).where(Job.kind == "portfolio_pdf", Job.id > job_id)).all())  # fmt: skip
        db.session.remove()
    if result["included"] != len(sign_off_ids) or result["left_out"]:
        raise RuntimeError(f"the ZIP left out: {result['left_out']}")
    status, _, _ = session.fetch(f"/jobs/{job_id}")  # the page that offers the download
    if status != 200:
        raise RuntimeError(f"GET /jobs/{job_id} answered {status}")

    hwm_before = kib(web, "VmHWM")
    t = time.monotonic()
    status, data, headers = session.fetch(f"/exports/eqa/{job_id}.zip", text=False)
    zip_seconds = time.monotonic() - t
    hwm_after, rss_after = kib(web, "VmHWM"), kib(web, "VmRSS")
    if status != 200 or headers.get("Content-Type") != "application/zip":
        raise RuntimeError(f"the ZIP answered {status} {headers.get('Content-Type')}")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        if archive.testzip() is not None:
            raise RuntimeError("the ZIP is damaged")
    if "index.csv" not in names or sum(n.endswith(".pdf") for n in names) != len(sign_off_ids):
        raise RuntimeError(f"the ZIP holds {len(names)} files, not every PDF and the index")
    return Queued(wall, picked_up, worker_cpu, web_cpu, job_id, len(data), zip_seconds,
                  hwm_before, hwm_after, rss_after, hwm_at_start, timeline)  # fmt: skip


# -- the report --------------------------------------------------------------------------------


def mib(k: float) -> str:
    return f"{k / 1024:.1f} MiB"


def report(args, built_seconds: float, one: Alone, queued: Queued) -> None:
    total, cpu = sum(one.wall), sum(one.cpu)
    ratio = queued.wall / (total / args.workers)
    n = len(one.wall)
    print(f"\n== EQA export of {n} portfolios ({args.items} items each), "
          f"flask jobs worker --workers {args.workers}")  # fmt: skip
    rows = [["", "measured", "target"]]
    rows.append(
        ["pages a PDF / PDF size", f"{one.pages[0]} / {one.sizes[0] / 1048576:.2f} MiB", ""]
    )
    rows.append(["one PDF alone: median / min / max (s)", f"{sorted(one.wall)[n // 2]:.2f} / "
                 f"{min(one.wall):.2f} / {max(one.wall):.2f}", ""])  # fmt: skip
    rows.append([f"sum of the {n} alone: wall / CPU (s)", f"{total:.1f} / {cpu:.1f}", ""])
    rows.append(["EQA export through the queue, wall (s)", f"{queued.wall:.1f}", ""])
    rows.append([f"wall / (sum alone / {args.workers})",
                 f"{ratio:.3f} {pdf.verdict(ratio <= RATIO_TARGET)}", f"<= {RATIO_TARGET}"])  # fmt: skip
    rows.append(["  from POST to the worker starting the job (s)", f"{queued.picked_up:.2f}", ""])
    t = queued.timeline
    rows.append(["  PDF jobs: first started / last done (s in)",
                 f"{t.first_pdf_started:.1f} / {t.last_pdf_finished:.1f}", ""])  # fmt: skip
    rows.append(["  PDF jobs running at once, on average", f"{t.running_at_once:.2f}", ""])
    rows.append(["  one PDF job, mean (s)", f"{t.pdf_seconds / t.pdf_jobs:.2f}", ""])
    rows.append(["  the ZIP's job done (s in)", f"{t.export_finished:.1f}", ""])
    own, renders = queued.worker_cpu
    rows.append(["CPU alone: the process / its renders (s)",
                 f"{cpu - one.render_cpu:.1f} / {one.render_cpu:.1f}", ""])  # fmt: skip
    rows.append(["CPU of the worker: itself / its renders (s)", f"{own:.1f} / {renders:.1f}", ""])
    rows.append(["  worker over alone (info)", f"{(own + renders) / cpu:.3f}", ""])
    rows.append(["  cores the worker kept busy (CPU / wall)",
                 f"{(own + renders) / queued.wall:.2f}", ""])  # fmt: skip
    rows.append(["web process CPU meanwhile (s)", f"{queued.web_cpu:.2f}", ""])
    rows.append(["ZIP size / download time", f"{queued.zip_bytes / 1048576:.1f} MiB / "
                 f"{queued.zip_seconds:.2f} s", ""])  # fmt: skip
    rows.append(["web process peak RSS before the export", mib(queued.hwm_at_start_kib), ""])
    rows.append(["web process peak RSS before the download", mib(queued.hwm_before_kib), ""])
    grew = queued.hwm_after_kib - queued.hwm_before_kib
    ok = grew < queued.zip_bytes / 1024 / 10
    rows.append(["web process peak RSS after the download", mib(queued.hwm_after_kib),
                 "unchanged"])  # fmt: skip
    rows.append(["  grown by", f"{grew} KiB {pdf.verdict(ok)}",
                 f"< a tenth of the ZIP ({queued.zip_bytes / 10240:.0f} KiB)"])  # fmt: skip
    rows.append(["web process RSS after the download", mib(queued.rss_after_kib), ""])
    pdf.table(rows)
    load = os.getloadavg()
    print(f"\nMachine: {os.cpu_count()} CPUs; load average {load[0]:.2f} {load[1]:.2f} "
          f"{load[2]:.2f} at the end (started at {args.start_load:.2f}); Python "
          f"{sys.version.split()[0]}; {pdf.versions()}; portfolios built in "
          f"{built_seconds:.0f} s")  # fmt: skip
    if max(load[0], args.start_load) > 0.5:
        print("Other work was running on the machine: the renders shared its cores with it, "
              "so both wall times, taken minutes apart, swing with it, and the ratio either "
              "way; the worker's CPU over the sum alone's is the steadier guide to what the "
              "queue costs.")  # fmt: skip
    print(f"Overall: {(ratio <= RATIO_TARGET) + ok} of 2 targets met")


# -- main --------------------------------------------------------------------------------------


def _terminate(signum, frame):
    raise SystemExit(128 + signum)  # so that finally blocks stop the processes, remove files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--portfolios", type=int, default=50)
    parser.add_argument("--items", type=int, default=10, help="evidence items per portfolio")
    parser.add_argument("--workers", type=int, default=2, help="the job worker's threads")
    args = parser.parse_args(argv)
    if not 1 <= args.portfolios <= 500 or not 1 <= args.items <= 200 or args.workers < 1:
        parser.error("--portfolios 1 to 500, --items 1 to 200, --workers at least 1")
    signal.signal(signal.SIGTERM, _terminate)
    args.start_load = os.getloadavg()[0]
    print(f"EQA export benchmark: {args.portfolios} portfolios of {args.items} items, "
          f"{args.workers} worker threads; {os.cpu_count()} CPUs, load average "
          f"{args.start_load:.2f} at the start", flush=True)  # fmt: skip

    with harness.database("sqlite", "eqa") as database:
        os.environ["PORTFOLIO_INSTANCE_PATH"] = str(database.instance)
        from flask_migrate import upgrade

        from portfolio import create_app
        from portfolio.db import db
        from portfolio.jobs.models import Job
        from portfolio.units.library import import_criteria

        app = create_app({"SQLALCHEMY_DATABASE_URI": database.url,
                          "SECRET_KEY": harness.SECRET_KEY, "PUBLIC_URL": pdf.BASE_URL})  # fmt: skip
        server = worker = None
        try:
            with app.app_context(), app.test_request_context(base_url=pdf.BASE_URL):
                upgrade()
                import_criteria(harness.ROOT / "criteria")
                db.session.commit()
                built, built_seconds, _ = pdf.build(app, [args.items] * args.portfolios)
                if db.session.scalar(db.select(db.func.count()).select_from(Job)):
                    raise RuntimeError("building the portfolios queued jobs")
                print(f"built {len(built)} countersigned portfolios in {built_seconds:.1f} s",
                      flush=True)  # fmt: skip
                one = alone(built)
                print(f"made each PDF alone: {sum(one.wall):.1f} s in all "
                      f"({sum(one.cpu):.1f} s CPU)", flush=True)  # fmt: skip
                db.session.remove()
                db.engine.dispose()
            harness.write_out(database.url)
            server = harness.Server(database.url, database.instance, 1)
            server.wait_until_ready()
            worker = Worker(server, database.url, database.instance, args.workers)
            worker.wait_until_ready()
            queued = through_the_queue(server, worker, [b.sign_off_id for b in built], app)
            print(f"export through the queue: {queued.wall:.1f} s", flush=True)
        except Exception:
            if server is not None:
                print(f"gunicorn log (last lines):\n{server.log_tail()}", file=sys.stderr)
            if worker is not None:
                print(f"worker log (last lines):\n{worker.tail()}", file=sys.stderr)
            raise
        finally:
            if worker is not None:
                worker.stop()
            if server is not None:
                server.stop()
            with suppress(Exception), app.app_context():
                db.engine.dispose()
    report(args, built_seconds, one, queued)
    return 0


if __name__ == "__main__":
    sys.exit(main())
