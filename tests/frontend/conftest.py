"""Fixtures of the front-end tests: Debian's Chromium, one app server for the session.

The server is started the way users start it (``coalsim app``, through ``python -m sim.cli``)
on 127.0.0.1 and a free port, with the repository's scenarios and a small result folder made
here; the tests wait for ``/readyz``. Browser tests are skipped (with the reason) when
``/usr/bin/chromium`` is missing; ``make test`` installs it first (``make browser``).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from frontend.chromium import CHROMIUM, CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parents[2]
READY_TIMEOUT = 120.0


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright's launch arguments, with Debian's Chromium (never a downloaded one)."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: run `make browser` (apt-get install chromium)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """A desktop-sized window, so the sidebar is open."""
    return {**browser_context_args, "viewport": {"width": 1400, "height": 1000}}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _png(path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(4, 3), dpi=60)
    ax = fig.subplots()
    ax.plot([0, 1, 2], [0, 1, 4])
    ax.set_title(title)
    fig.savefig(path)


@pytest.fixture(scope="session")
def result_root(tmp_path_factory) -> Path:
    """A result root with a sweep folder (plot + report) and a calibration folder (db + plot)."""
    root = tmp_path_factory.mktemp("results")
    sweep = root / "sweep_demo"
    sweep.mkdir()
    _png(sweep / "sensitivity.png", "sensitivity")
    (sweep / "report.md").write_text(
        "# Sweep report\n\nMorris screening of 3 parameters.\n\n![](sensitivity.png)\n"
    )
    calib = root / "calibration_demo"
    calib.mkdir()
    (calib / "abc.db").write_bytes(b"SQLite format 3\x00" + bytes(100))
    _png(calib / "posterior.png", "posterior")
    return root


@pytest.fixture(scope="session")
def app_url(result_root, tmp_path_factory) -> str:
    """Base URL of a ``coalsim app`` server for the whole session."""
    port = _free_port()
    log = tmp_path_factory.mktemp("server") / "server.log"
    cmd = [sys.executable, "-m", "sim.cli", "app", "--port", str(port)]
    cmd += ["--scenarios", str(ROOT / "scenarios"), "--folder", str(result_root)]
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + READY_TIMEOUT
    try:
        while True:
            try:
                with urllib.request.urlopen(f"{url}/readyz", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the app server did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.5)
        yield url
    finally:
        _stop(proc)


def _stop(proc: subprocess.Popen) -> None:
    """Stop ``coalsim app`` and the Solara server it started."""
    children = []
    if shutil.which("pgrep"):
        out = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True)
        children = [int(p) for p in out.stdout.split()]
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
    for pid in children:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, 15)
