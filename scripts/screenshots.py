"""Screenshots of the app's three pages for the docs: ``docs/screenshots/*.png``.

Usage (from the repository root)::

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--folder DIR ...]
                                            [--steps 60] [--runs 20]

Starts ``coalsim app`` on 127.0.0.1 and a free port, drives Debian's Chromium
(``/usr/bin/chromium``, through Playwright; never a downloaded browser) and writes
``simulate.png`` (the Idlib scenario after ``--steps`` steps), ``ensemble.png`` (an ensemble
of ``--runs`` seeds) and ``results.png`` (the first result folder). Without ``--folder`` the
results page shows a comparison report made for the occasion with ``coalsim compare``.
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from frontend.chromium import CHROMIUM, CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parents[1]
VIEWPORT = {"width": 1400, "height": 1000}


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, folders: list[Path], log: Path) -> subprocess.Popen:
    """Start ``coalsim app`` and wait until it answers ``/readyz``."""
    cmd = [sys.executable, "-m", "sim.cli", "app", "--port", str(port)]
    for f in folders:
        cmd += ["--folder", str(f)]
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.5)
        if proc.poll() is not None:
            break
    proc.terminate()
    raise SystemExit(f"the app did not start; see {log}:\n{log.read_text()[-2000:]}")


def stop_server(proc: subprocess.Popen) -> None:
    """Stop ``coalsim app`` (it stops its Solara server on SIGTERM)."""
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def demo_results(where: Path, runs: int) -> Path:
    """A comparison report (``coalsim compare``) of the Idlib scenario, for the results page."""
    out = where / "compare_idlib_2017"
    cmd = [sys.executable, "-m", "sim.cli", "compare", "scenarios/idlib_2017.yaml"]
    cmd += ["--runs", str(runs), "--workers", "1", "--out", str(out)]
    subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return where


def full_height(page, path: Path, limit: int = 2400) -> None:
    """Screenshot the page, up to ``limit`` pixels high.

    The app scrolls inside its own panes, so the window is grown to the content's height.
    """
    height = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll('*')].map(e => e.scrollHeight))"
    )
    page.set_viewport_size({"width": VIEWPORT["width"], "height": min(int(height) + 40, limit)})
    page.wait_for_timeout(800)
    page.screenshot(path=path)


def shoot_simulate(page, url: str, steps: int, path: Path) -> None:
    """The Simulate page after ``steps`` steps."""
    page.goto(url + "/")
    page.locator(".coalsim-date").wait_for(timeout=120_000)
    step = page.get_by_role("button", name="Step", exact=True)
    for k in range(1, steps + 1):
        step.click()
        page.locator(".coalsim-step", has_text=f"step {k} of").wait_for(timeout=30_000)
    page.mouse.move(0, 0)
    page.wait_for_timeout(500)
    full_height(page, path)


def shoot_ensemble(page, url: str, runs: int, path: Path) -> None:
    """The Ensemble page after an ensemble of ``runs`` seeds of the default scenario."""
    page.goto(url + "/ensemble")
    page.locator(".coalsim-ensemble-scenario").wait_for(timeout=120_000)
    page.locator(".coalsim-runs input").fill(str(runs))
    page.locator(".coalsim-workers input").fill("1")
    page.locator(".coalsim-runs input").press("Enter")
    page.get_by_role("button", name="Run ensemble").click()
    page.locator(".coalsim-headline").wait_for(timeout=900_000)
    page.wait_for_timeout(500)
    full_height(page, path)


def shoot_results(page, url: str, path: Path) -> None:
    """The Sweeps and calibration page on its first folder."""
    page.goto(url + "/results")
    page.locator(".coalsim-results").wait_for(timeout=120_000)
    page.locator(".coalsim-folder-summary").wait_for(timeout=30_000)
    page.wait_for_timeout(1500)
    full_height(page, path, limit=1600)


def main(argv: list[str] | None = None) -> int:
    """Make the screenshots."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--folder", action="append", default=[], help="result folder to show")
    parser.add_argument("--steps", type=int, default=60, help="steps before the screenshot")
    parser.add_argument("--runs", type=int, default=20, help="runs of the ensemble")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="coalsim-shots-") as tmp:
        folders = [Path(f).resolve() for f in args.folder]
        if not folders:
            print("making a comparison report for the results page (coalsim compare)...")
            folders = [demo_results(Path(tmp), args.runs)]
        port = free_port()
        server = start_server(port, folders, Path(tmp) / "server.log")
        url = f"http://127.0.0.1:{port}"
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                for name, shoot in (
                    ("simulate", lambda pg, f: shoot_simulate(pg, url, args.steps, f)),
                    ("ensemble", lambda pg, f: shoot_ensemble(pg, url, args.runs, f)),
                    ("results", lambda pg, f: shoot_results(pg, url, f)),
                ):
                    context = browser.new_context(viewport=VIEWPORT)
                    shoot(context.new_page(), out / f"{name}.png")
                    context.close()
                    print(f"wrote {out / f'{name}.png'}")
                browser.close()
        finally:
            stop_server(server)
    return 0


if __name__ == "__main__":
    sys.exit(main())
