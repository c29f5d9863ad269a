"""``coalsim app``: arguments, defaults and bad input (no server is started)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from frontend import cli, config
from sim.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]


def test_app_defaults_bind_localhost_on_8765():
    args = build_parser().parse_args(["app"])
    assert (args.host, args.port, args.folder, args.scenarios) == ("127.0.0.1", 8765, [], None)
    cmd = cli.server_command(args.host, args.port)
    assert cmd[cmd.index("--host") + 1] == "127.0.0.1"
    assert "--production" in cmd and "--no-open" in cmd and "--no-check-version" in cmd


def test_app_passes_folders_through_the_environment(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    env = cli.server_env(str(tmp_path), [str(a), str(b)])
    assert env[config.ENV_SCENARIOS] == str(tmp_path.resolve())
    assert env[config.ENV_FOLDERS].split(":") == [str(a.resolve()), str(b.resolve())]
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"


def test_app_refuses_missing_folders_with_status_2(tmp_path):
    r = subprocess.run(
        [sys.executable, "-m", "sim.cli", "app", "--folder", str(tmp_path / "nope")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 2
    assert "--folder" in r.stderr and "expected a folder" in r.stderr
