"""Faults while a portfolio PDF is made: a worker killed mid-render, storage that refuses the
file, a document that cannot be recorded, and the debris such faults leave."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from portfolio import ROOT

RENDER_FOREVER = textwrap.dedent(
    """
    from portfolio.exports.pdf import render_with_time_limit
    from portfolio.exports.signing import SignatureSpace

    huge = "<table>" + "<tr><td>x</td></tr>" * 400_000 + "</table>"
    print("rendering", flush=True)
    render_with_time_limit(huge, {}, {}, SignatureSpace(4000, reason="test"), 600)
    """
)


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # The command name is in brackets and may hold spaces: the fields follow it.
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(entry.name))
    return found


def running(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has ended


def wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_the_render_child_dies_with_the_worker_that_started_it():
    with subprocess.Popen(
        [sys.executable, "-c", RENDER_FOREVER], cwd=ROOT, stdout=subprocess.PIPE, text=True
    ) as worker:
        child = None
        try:
            assert worker.stdout.readline() == "rendering\n"
            assert wait_for(lambda: children_of(worker.pid), 60), "the render never started"
            (child,) = children_of(worker.pid)
            time.sleep(0.5)  # well into the render
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait(10)
            assert wait_for(lambda: not running(child), 5), "the render child outlived its worker"
        finally:
            worker.kill()
            if child and running(child):
                os.kill(child, signal.SIGKILL)
