"""On a real Dask cluster (a scheduler and two workers on 127.0.0.1, started here).

The sweep completes although one worker is SIGKILLed mid-sweep, with exactly the expected
runs, and gives the same results as the local process pool for the same seeds.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest

from sweeps.store import ResultStore
from tests.sweeps.conftest import CLI, N_SMALL, ROOT, comparable, env, expected_keys

LOOPBACK = "127.0.0.1"
# Without a dashboard the HTTP endpoints still listen, on all interfaces unless told otherwise.
QUIET_HTTP = ("--no-dashboard", "--dashboard-address", f"{LOOPBACK}:0")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=15)


def listening_addresses(procs: list[subprocess.Popen]) -> set[str]:
    """IP addresses the processes (and their children) listen on."""
    import psutil

    ips = set()
    for p in procs:
        parent = psutil.Process(p.pid)
        for proc in [parent, *parent.children(recursive=True)]:
            for c in proc.net_connections(kind="inet"):
                if c.status == psutil.CONN_LISTEN:
                    ips.add(c.laddr.ip)
    return ips


@pytest.fixture
def cluster(tmp_path):
    """``dask scheduler`` and two ``dask worker`` processes, each in its own process group."""
    procs: list[subprocess.Popen] = []
    logs = []

    def start(name: str, *args: str) -> subprocess.Popen:
        log = open(tmp_path / f"{name}.log", "w")  # noqa: SIM115 - closed in teardown
        logs.append(log)
        p = subprocess.Popen(
            [sys.executable, "-m", "dask", *args],
            cwd=ROOT,
            env=env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        procs.append(p)
        return p

    info = tmp_path / "scheduler.json"
    start_file = ["--scheduler-file", str(info)]
    try:
        start(
            "scheduler",
            "scheduler",
            "--host",
            LOOPBACK,
            "--port",
            "0",
            *QUIET_HTTP,
            *start_file,
        )
        deadline = time.monotonic() + 120
        while not info.exists():
            assert procs[0].poll() is None, (tmp_path / "scheduler.log").read_text()
            assert time.monotonic() < deadline, "the scheduler did not start"
            time.sleep(0.1)
        address = json.loads(info.read_text())["address"]
        assert address.startswith(f"tcp://{LOOPBACK}:")
        workers = [
            start(
                f"worker{i}",
                "worker",
                *start_file,
                "--host",
                LOOPBACK,
                "--nthreads",
                "1",
                "--nworkers",
                "1",
                *QUIET_HTTP,
                "--name",
                f"w{i}",
                "--local-directory",
                str(tmp_path / f"w{i}"),
            )
            for i in (1, 2)
        ]
        from distributed import Client

        with Client(address, timeout="60s") as client:
            client.wait_for_workers(2, timeout=120)
        assert listening_addresses(procs) == {LOOPBACK}
        yield address, workers
    finally:
        for p in reversed(procs):
            _stop(p)
        for log in logs:
            log.close()


def test_sweep_on_dask_survives_a_killed_worker(cluster, tmp_path, small_sweep_file, reference):
    address, workers = cluster
    out = tmp_path / "out"
    log = open(tmp_path / "sweep.log", "w")  # noqa: SIM115 - closed below
    sweep = subprocess.Popen(
        [
            *CLI,
            "sweep",
            str(small_sweep_file),
            "--out",
            str(out),
            "--scheduler",
            address,
            "--no-progress",
        ],
        cwd=ROOT,
        env=env(),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 180
        while len(list(out.glob("runs/p*.parquet"))) < 3:
            assert sweep.poll() is None, (tmp_path / "sweep.log").read_text()
            assert time.monotonic() < deadline, "no run finished in time"
            time.sleep(0.02)
        os.killpg(workers[0].pid, signal.SIGKILL)  # the nanny and its worker process
        at_kill = len(ResultStore(out).finished())
        assert sweep.wait(timeout=240) == 0, (tmp_path / "sweep.log").read_text()
    finally:
        _stop(sweep)
        log.close()
    assert at_kill < N_SMALL, "the worker was killed after the sweep had finished"
    assert workers[0].poll() is not None and workers[1].poll() is None
    text = (tmp_path / "sweep.log").read_text()
    assert f"{N_SMALL} run now ({N_SMALL} ok, 0 error(s))" in text, text
    df = ResultStore(out).read_runs()
    assert set(df["run_key"]) == expected_keys(4, 4) and df["run_key"].is_unique
    assert sum(1 for _ in out.glob("runs/*.parquet")) >= 1
    pd.testing.assert_frame_equal(comparable(df), comparable(ResultStore(reference).read_runs()))
