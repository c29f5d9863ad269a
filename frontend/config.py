"""Server configuration of the front end and the only way it turns names into paths.

The server is started (by ``coalsim app``, see :mod:`frontend.cli`) with a folder of scenario
files and a list of result folders (sweep outputs, calibration databases). They reach the Solara
process through environment variables:

``COALSIM_SCENARIOS``
    Folder of ``*.yaml`` scenario files (default: the repository's ``scenarios/``).
``COALSIM_FOLDERS``
    Result folders, separated by ``os.pathsep`` (default: ``out/`` in the working directory
    if it exists).

The browser only ever sends *names* chosen from lists built here (a scenario's stem, a
result folder's label); this module maps them back to paths and checks that every path it
returns resolves inside one of the configured roots (symbolic links included). It reads the
environment and lists folders; it never writes anything.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sim.scenario import Problem, ScenarioError

ENV_SCENARIOS = "COALSIM_SCENARIOS"
ENV_FOLDERS = "COALSIM_FOLDERS"

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SCENARIO = "idlib_2017"
SCENARIO_SUFFIXES = (".yaml", ".yml")
UPLOAD_MAX_BYTES = 1_000_000  # an uploaded scenario (idlib_2017.yaml is about 40 kB)
PLOT_SUFFIXES = (".png",)
REPORT_SUFFIXES = (".md",)
DATABASE_SUFFIXES = (".db", ".sqlite", ".sqlite3")
MAX_IMAGE_BYTES = 20_000_000  # larger PNGs are listed but not sent to the browser
MAX_FILES_SHOWN = 60  # per kind and folder
MAX_SCAN_DEPTH = 4  # how deep result folders are searched for plots
MAX_SCAN_DIRS = 2000  # stop listing a root after this many folders


class PathNotAllowed(ValueError):
    """A path that is not inside the folders the server was started with."""


def scenario_dir() -> Path:
    """The folder whose scenario files the page may open."""
    env = os.environ.get(ENV_SCENARIOS)
    if env:
        return Path(env).expanduser().resolve()
    repo = REPO_ROOT / "scenarios"
    return repo if repo.is_dir() else (Path.cwd() / "scenarios").resolve()


def list_scenarios() -> dict[str, Path]:
    """Scenario name (file stem) -> file, for the scenario files directly in :func:`scenario_dir`.

    Files that are symbolic links pointing outside the folder are left out.
    """
    root = scenario_dir()
    if not root.is_dir():
        return {}
    out: dict[str, Path] = {}
    for path in sorted(root.iterdir()):
        if path.suffix.lower() not in SCENARIO_SUFFIXES or path.stem in out:
            continue
        try:
            resolved = resolve_inside(root, path.name)
        except PathNotAllowed:
            continue
        if resolved.is_file():
            out[path.stem] = resolved
    return out


def default_scenario() -> str | None:
    """Name of the scenario the page opens on: ``idlib_2017`` if listed, else the first one."""
    names = list(list_scenarios())
    if DEFAULT_SCENARIO in names:
        return DEFAULT_SCENARIO
    return names[0] if names else None


def scenario_path(name: str) -> Path:
    """The file of the listed scenario called ``name``.

    Raises:
        PathNotAllowed: If ``name`` is not one of :func:`list_scenarios`.
    """
    listed = list_scenarios()
    if name not in listed:
        raise PathNotAllowed(f"not a listed scenario: {name!r}")
    return listed[name]


def result_roots() -> list[Path]:
    """The result folders the server was started with (existing folders only, resolved)."""
    env = os.environ.get(ENV_FOLDERS)
    if env is None:
        candidates = [Path.cwd() / "out"]
    else:
        candidates = [Path(p).expanduser() for p in env.split(os.pathsep) if p.strip()]
    roots: list[Path] = []
    for c in candidates:
        r = c.resolve()
        if r.is_dir() and r not in roots:
            roots.append(r)
    return roots


def resolve_inside(root: Path, relative: str | Path) -> Path:
    """Resolve ``relative`` against ``root`` and check that the result stays inside ``root``.

    Args:
        root: A configured folder.
        relative: A path relative to ``root`` (``"."`` for the folder itself).

    Returns:
        The resolved path (symbolic links followed).

    Raises:
        PathNotAllowed: If ``relative`` is absolute or resolves outside ``root``.
    """
    rel = Path(relative)
    if rel.is_absolute() or rel.drive:
        raise PathNotAllowed(f"expected a relative path, got {str(relative)!r}")
    base = Path(root).resolve()
    target = (base / rel).resolve()
    if target != base and not target.is_relative_to(base):
        raise PathNotAllowed(f"{str(relative)!r} is outside {base}")
    return target


@dataclass(frozen=True)
class ResultFolder:
    """A folder with plots, reports or databases, inside one of the result roots.

    Attributes:
        label: What the page shows and sends back (``root-name/sub/folder``).
        root: The configured root it is in.
        relative: Its path relative to ``root`` (``"."`` for the root itself).
    """

    label: str
    root: Path
    relative: str

    @property
    def path(self) -> Path:
        """The folder, resolved and checked to be inside its root."""
        return resolve_inside(self.root, self.relative)


def _root_labels(roots: list[Path]) -> list[str]:
    labels: list[str] = []
    for k, root in enumerate(roots):
        label = root.name or str(root)
        labels.append(label if label not in labels else f"{label}#{k + 1}")
    return labels


def _has_results(folder: Path) -> bool:
    try:
        return any(
            p.suffix.lower() in PLOT_SUFFIXES + REPORT_SUFFIXES + DATABASE_SUFFIXES
            for p in folder.iterdir()
            if p.is_file()
        )
    except OSError:
        return False


def list_result_folders() -> list[ResultFolder]:
    """Folders with plots, reports or databases under the result roots (a few levels deep).

    Symbolic links to folders are not followed, so nothing outside the roots is listed.
    """
    out: list[ResultFolder] = []
    roots = result_roots()
    for root, label in zip(roots, _root_labels(roots), strict=True):
        for seen, (dirpath, dirnames, _files) in enumerate(os.walk(root, followlinks=False)):
            here = Path(dirpath)
            rel = here.relative_to(root)
            depth = len(rel.parts)
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            if depth >= MAX_SCAN_DEPTH:
                dirnames[:] = []
            if seen >= MAX_SCAN_DIRS:
                break
            if _has_results(here):
                name = label if depth == 0 else f"{label}/{rel.as_posix()}"
                out.append(ResultFolder(name, root, rel.as_posix() if depth else "."))
    return out


def find_result_folder(label: str) -> ResultFolder:
    """The listed result folder called ``label``.

    Raises:
        PathNotAllowed: If no listed folder has that label.
    """
    for folder in list_result_folders():
        if folder.label == label:
            return folder
    raise PathNotAllowed(f"not a listed result folder: {label!r}")


@dataclass(frozen=True)
class FolderContents:
    """What the Results page shows of one folder.

    Attributes:
        plots: PNG files, sorted by name.
        reports: Markdown files, sorted by name.
        databases: Database files, sorted by name.
    """

    plots: list[Path]
    reports: list[Path]
    databases: list[Path]


def folder_contents(folder: ResultFolder) -> FolderContents:
    """The plots, reports and databases directly inside a listed result folder.

    Files whose resolved path leaves the folder's root (symbolic links) are left out.
    """
    base = folder.path
    plots, reports, dbs = [], [], []
    for p in sorted(base.iterdir()):
        try:
            resolved = resolve_inside(folder.root, p.relative_to(folder.root))
        except (PathNotAllowed, ValueError):
            continue
        if not resolved.is_file():
            continue
        suffix = p.suffix.lower()
        if suffix in PLOT_SUFFIXES:
            plots.append(resolved)
        elif suffix in REPORT_SUFFIXES:
            reports.append(resolved)
        elif suffix in DATABASE_SUFFIXES:
            dbs.append(resolved)
    return FolderContents(plots[:MAX_FILES_SHOWN], reports[:MAX_FILES_SHOWN], dbs[:MAX_FILES_SHOWN])


def read_upload(data: bytes | None, size: int | None = None, source: str = "<upload>") -> str:
    """Check an uploaded scenario's size and decode it.

    Args:
        data: The bytes received (at most ``UPLOAD_MAX_BYTES + 1`` are ever read).
        size: The size the browser announced, checked before anything is read.
        source: The file's name, for error messages.

    Returns:
        The file's text.

    Raises:
        ScenarioError: If the file is too large, empty or not UTF-8 text.
    """
    limit = f"expected a scenario file of at most {UPLOAD_MAX_BYTES} bytes"
    if size is not None and size > UPLOAD_MAX_BYTES:
        raise ScenarioError(source, [Problem("", f"{limit}, got {size} bytes")])
    if data is None or len(data) == 0:
        raise ScenarioError(source, [Problem("", "the file is empty")])
    if len(data) > UPLOAD_MAX_BYTES:
        raise ScenarioError(source, [Problem("", f"{limit}, got more")])
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ScenarioError(source, [Problem("", "expected UTF-8 text")]) from None


def record_events_path() -> Path:
    """The historical record's event table (``calibration/record/events.csv``)."""
    import calibration

    return Path(calibration.__file__).resolve().parent / "record" / "events.csv"
