"""Record py-spy profiles of coalsim's workloads and summarise where the time goes.

Usage (from the repository root)::

    .venv/bin/python -m benchmarks.profile idlib                 # ensemble of Idlib runs
    .venv/bin/python -m benchmarks.profile synthetic --groups 10000 --steps 8
    .venv/bin/python -m benchmarks.profile summarise out/profiles/idlib.txt

``idlib`` and ``synthetic`` run the workload under ``py-spy record --format raw`` (following
the pool's worker processes) into ``out/profiles/``, then print the summary: the share of
samples by phase (imports, scenario load, model construction, stepping), by rule inside
``CoalitionModel.step``, by the innermost function of ``sim/`` on the stack (with the numpy and
Mesa calls it makes), and the hottest lines of ``sim/``. Compiled numba kernels show up as the
line of ``sim/`` that calls them. Only samples of busy threads are counted (py-spy's default),
so a process waiting for its pool does not dilute the figures.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import workloads  # noqa: E402

OUT = ROOT / "out" / "profiles"
_FRAME = re.compile(r"^(?P<func>.*) \((?P<file>[^()]*?)(?::(?P<line>\d+))?\)$")
_RULE = re.compile(r"sim/rules/(\w+)\.py$")


def parse(path: Path) -> list[tuple[list[tuple[str, str, str]], int]]:
    """Stacks of a py-spy raw (collapsed) file: ``([(func, file, line), ...], count)``."""
    stacks = []
    for text in path.read_text(encoding="utf-8").splitlines():
        body, _, count = text.rpartition(" ")
        if not body or not count.isdigit():
            continue
        frames = []
        for part in body.split(";"):
            m = _FRAME.match(part)
            if m is None:  # "process 123:..." or "thread ..." headers
                continue
            file = m["file"]
            if "site-packages/" in file:
                file = file.split("site-packages/", 1)[1]
            frames.append((m["func"], file, m["line"] or ""))
        stacks.append((frames, int(count)))
    return stacks


def _is_sim(file: str) -> bool:
    return file.startswith("sim/") or ("/sim/" in file and "site-packages" not in file)


def _bare(func: str) -> str:
    """``"CoalitionModel.step"`` -> ``"step"`` (py-spy qualifies methods by class)."""
    return func.rsplit(".", 1)[-1]


def _short(file: str) -> str:
    return file[file.index("sim/") :] if "sim/" in file else file


def phase(frames: list[tuple[str, str, str]]) -> str:
    """What the process was doing: importing, loading, building, stepping, or other."""
    files = [(_bare(f), _short(p)) for f, p, _ in frames]
    if ("step", "sim/model.py") in files:
        return "CoalitionModel.step"
    if ("run", "sim/model.py") in files:
        return "Mesa event loop (CoalitionModel.run outside step)"
    if ("apply", "sim/model.py") in files:
        return "scheduled interventions"
    if ("__init__", "sim/model.py") in files:
        return "model construction"
    if any(p == "sim/synthetic.py" for _, p in files):
        return "synthetic scenario generation"
    if any(p.startswith("sim/scenario/") for _, p in files):
        return "scenario load and validation"
    if any(f == "_find_and_load" for f, _ in files):
        return "imports"
    return "other (interpreter, pool, benchmark harness)"


def in_step(frames: list[tuple[str, str, str]]) -> str | None:
    """The part of ``CoalitionModel.step`` a stack is in (a rule, refresh, memories...)."""
    for k, (func, file, _) in enumerate(frames):
        if _bare(func) == "step" and _short(file) == "sim/model.py":
            if k + 1 == len(frames):
                return "model.step itself"
            func2, file2, _ = frames[k + 1]
            m = _RULE.search(_short(file2))
            if m and _bare(func2) == "step":
                return f"rule {m[1]}"
            return f"{func2} ({_short(file2)})"
    return None


def innermost_sim(frames: list[tuple[str, str, str]]) -> tuple[str, str] | None:
    """Innermost ``sim/`` function and line on the stack (it includes the calls it makes)."""
    for func, file, line in reversed(frames):
        if _is_sim(file):
            return f"{func} ({_short(file)})", f"{_short(file)}:{line} {func}"
    return None


def summarise(path: Path, top: int = 15) -> str:
    """A text summary of a py-spy raw profile."""
    stacks = parse(path)
    total = sum(c for _, c in stacks)
    phases, parts, funcs, lines, leaves = Counter(), Counter(), Counter(), Counter(), Counter()
    stepping = 0
    for frames, c in stacks:
        phases[phase(frames)] += c
        part = in_step(frames)
        if part is None:
            continue
        stepping += c
        parts[part] += c
        inner = innermost_sim(frames)
        if inner:
            funcs[inner[0]] += c
            lines[inner[1]] += c
        if frames:
            func, file, _ = frames[-1]
            leaves[f"{func} ({_short(file)})"] += c

    def block(title: str, counter: Counter, base: int, n: int = top) -> list[str]:
        out = [title]
        for key, c in counter.most_common(n):
            out.append(f"  {100 * c / max(base, 1):5.1f}%  {key}")
        return out

    out = [f"{path}: {total} samples of busy threads"]
    out += block("by phase (% of all samples):", phases, total)
    out += block("inside CoalitionModel.step, by part (% of stepping samples):", parts, stepping)
    out += block(
        "inside step, innermost sim/ function, with the library calls it makes (% of stepping):",
        funcs,
        stepping,
    )
    out += block("inside step, hottest sim/ lines (% of stepping):", lines, stepping)
    out += block("inside step, leaf frames (self time, % of stepping):", leaves, stepping)
    return "\n".join(out)


# -- workloads under the profiler ------------------------------------------------------------
def target_idlib(runs: int, workers: int) -> None:
    """An ensemble of Idlib runs on a spawn pool (what a calibration does)."""
    with workloads.idlib_pool(workers) as pool:
        list(pool.map(workloads.ensemble_run, range(1, runs + 1)))


def target_synthetic(groups: int, steps: int) -> None:
    """One synthetic scenario of ``groups`` groups, ``steps`` steps."""
    from sim.model import CoalitionModel
    from sim.synthetic import synthetic_scenario

    workloads.warm_up()
    model = CoalitionModel(synthetic_scenario(groups, seed=1, weeks=steps), rng=0)
    model.run()


def record(name: str, target_args: list[str], rate: int) -> Path:
    """Run ``python -m benchmarks.profile target ...`` under py-spy; the raw profile's path."""
    OUT.mkdir(parents=True, exist_ok=True)
    out = OUT / f"{name}.txt"
    py_spy = Path(sys.executable).with_name("py-spy")
    cmd = [str(py_spy) if py_spy.exists() else "py-spy", "record", "--format", "raw"]
    cmd += ["--rate", str(rate), "--subprocesses", "--output", str(out), "--"]
    cmd += [sys.executable, "-m", "benchmarks.profile", "target", *target_args]
    subprocess.run(cmd, cwd=ROOT, check=True)
    return out


def main(argv: list[str] | None = None) -> int:
    """Record a profile and print its summary, or summarise an existing one."""
    p = argparse.ArgumentParser(prog="python -m benchmarks.profile")
    sub = p.add_subparsers(dest="cmd", required=True)
    q = sub.add_parser("idlib", help="profile an ensemble of Idlib runs")
    q.add_argument("--runs", type=int, default=20)
    q.add_argument("--workers", type=int, default=2)
    q.add_argument("--rate", type=int, default=100)
    q = sub.add_parser("synthetic", help="profile a synthetic scenario")
    q.add_argument("--groups", type=int, default=10_000)
    q.add_argument("--steps", type=int, default=8)
    q.add_argument("--rate", type=int, default=50)
    q = sub.add_parser("summarise", help="summarise a raw profile")
    q.add_argument("file")
    q.add_argument("--top", type=int, default=15)
    q = sub.add_parser("target", help=argparse.SUPPRESS)
    q.add_argument("what", choices=["idlib", "synthetic"])
    q.add_argument("numbers", type=int, nargs=2)
    args = p.parse_args(argv)
    if args.cmd == "target":
        a, b = args.numbers
        target_idlib(a, b) if args.what == "idlib" else target_synthetic(a, b)
        return 0
    if args.cmd == "summarise":
        print(summarise(Path(args.file), args.top))
        return 0
    if args.cmd == "idlib":
        path = record("idlib_ensemble", ["idlib", str(args.runs), str(args.workers)], args.rate)
    else:
        name = f"synthetic_{args.groups}"
        path = record(name, ["synthetic", str(args.groups), str(args.steps)], args.rate)
    print(summarise(path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
