"""``coalsim app``: serve the browser front end.

Starts ``solara run frontend.app`` in production mode (no auto-reload, no version check, no
telemetry, offline assets from ``solara-assets``) as a child process, passing the scenario
folder and the result folders through the environment variables of :mod:`frontend.config`.
The server binds 127.0.0.1 unless ``--host`` says otherwise. Heavy imports happen only when
the command runs, so ``coalsim --help`` stays fast.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


def add_parsers(subparsers) -> None:
    """Add the ``app`` command to ``coalsim``'s subcommands."""
    p = subparsers.add_parser("app", help="serve the browser front end (Solara)")
    p.add_argument("--host", default=DEFAULT_HOST, help=f"address to bind (default {DEFAULT_HOST})")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    p.add_argument(
        "--scenarios",
        metavar="DIR",
        help="folder of scenario files the page may open (default: the repository's scenarios/)",
    )
    p.add_argument(
        "--folder",
        action="append",
        default=[],
        metavar="DIR",
        help="result folder (sweep output, calibration) the page may show; repeatable "
        "(default: out/ if it exists)",
    )
    p.add_argument("--open", action="store_true", help="open a web browser on the page")
    p.set_defaults(func=cmd_app)


def server_command(host: str, port: int, open_browser: bool = False) -> list[str]:
    """The command line that serves :mod:`frontend.app`."""
    return [
        sys.executable,
        "-m",
        "solara",
        "run",
        "frontend.app",
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--open" if open_browser else "--no-open",
        "--no-check-version",
        "--log-level",
        "warning",
    ]


def server_env(scenarios: str | None, folders: list[str]) -> dict[str, str]:
    """Environment of the server: configuration, no telemetry, the project importable."""
    from frontend import config

    env = dict(os.environ)
    if scenarios:
        env[config.ENV_SCENARIOS] = str(Path(scenarios).resolve())
    if folders:
        env[config.ENV_FOLDERS] = os.pathsep.join(str(Path(f).resolve()) for f in folders)
    env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    root = str(config.REPO_ROOT)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
    return env


def cmd_app(args: argparse.Namespace) -> int:
    """Serve the app until interrupted."""
    from sim.scenario import Problem, ScenarioError

    problems = []
    if args.scenarios and not Path(args.scenarios).is_dir():
        problems.append(Problem("--scenarios", f"expected a folder, got {args.scenarios!r}"))
    for f in args.folder:
        if not Path(f).is_dir():
            problems.append(Problem("--folder", f"expected a folder, got {f!r}"))
    if not 0 < args.port < 65536:
        problems.append(Problem("--port", f"expected a port in [1, 65535], got {args.port}"))
    if problems:
        raise ScenarioError("coalsim app", problems)
    env = server_env(args.scenarios, args.folder)
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"coalsim app: serving on http://{host}:{args.port}/ (Ctrl-C to stop)", flush=True)
    proc = subprocess.Popen(server_command(args.host, args.port, args.open), env=env)
    # Stopping `coalsim app` (SIGTERM) stops the server too.
    signal.signal(signal.SIGTERM, lambda *_: proc.terminate())
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        return 130
