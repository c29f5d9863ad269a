"""The results folder of a sweep: streaming, crash-safe Parquet files and their reader.

Layout of ``DIR``::

    sweep.json              manifest: the sweep's hash, spec, design summary (written atomically)
    sweep.yaml              copy of the sweep file
    design.parquet          the points (parameter values and SALib design-space values)
    runs/<key>.<status>.parquet     one row per finished run, written as it finishes
    runs/part-*.parquet     many such rows compacted into one file
    series/<key>.parquet, series/part-*.parquet    optional per-step table, the same way
    .lock                   held (flock) by the `coalsim sweep` process writing here

**Crash safety.** Every file is written under a temporary name (``.tmp-*``) in its final folder
and renamed into place (``os.replace``, atomic on POSIX), so a reader never sees a partial file,
whatever moment the writer is killed at. A run's series is renamed into place before its row,
so a row never lacks its series. Compaction writes the merged file first and deletes the
small files after: killed in between, the same run is in two files, and the reader keeps one
row per run key (preferring ``ok`` over ``error``). Stale temporary files are removed when the
folder is next opened. Resuming therefore skips exactly the runs whose row is on disk, and
loses at most the runs that were in flight.

**Identity.** The manifest holds the sweep's hash (its spec and the scenario's content):
opening the folder with a different sweep is refused, so stale results are never mixed in.
Only ``replicates`` may change between invocations (replicate seeds do not depend on it).

This module only touches files under ``DIR``; it knows nothing about the model.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import re
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from sim.scenario import Problem, ScenarioError

MANIFEST = "sweep.json"
FORMAT = 1
COMPACT_EVERY = 2000  # single-run files that trigger a compaction during a sweep
ROW_GROUP = 20_000  # rows per row group of a compacted file
_SINGLE = re.compile(r"^(p\d+-r\d+)\.(ok|error)\.parquet$")
_SERIES_SINGLE = re.compile(r"^(p\d+-r\d+)\.parquet$")
_PART = re.compile(r"^part-[0-9a-z-]+\.parquet$")

_ARROW = {
    "int": pa.int64(),
    "float": pa.float64(),
    "bool": pa.bool_(),
    "str": pa.string(),
    "date": pa.date32(),
}


def arrow_schema(columns: Iterable[tuple[str, str]]) -> pa.Schema:
    """Schema from ``(column, kind)`` pairs (kinds: int, float, bool, str, date)."""
    return pa.schema([pa.field(name, _ARROW[kind]) for name, kind in columns])


def _write_atomic(table: pa.Table, path: Path) -> None:
    tmp = path.with_name(f".tmp-{uuid.uuid4().hex}-{path.name}")
    try:
        pq.write_table(table, tmp)
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _write_text_atomic(text: str, path: Path) -> None:
    tmp = path.with_name(f".tmp-{uuid.uuid4().hex}-{path.name}")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _unified(files: list[Path]) -> pa.Schema | None:
    if not files:
        return None
    schemas = [pq.read_schema(f) for f in files]
    return pa.unify_schemas(schemas, promote_options="permissive")


def _read_table(path: Path, schema: pa.Schema, columns: list[str] | None) -> pa.Table:
    t = pq.read_table(path)
    cols = []
    for f in schema:
        if f.name in t.column_names:
            c = t.column(f.name)
            cols.append(c if c.type == f.type else c.cast(f.type))
        else:
            cols.append(pa.nulls(t.num_rows, f.type))
    t = pa.Table.from_arrays(cols, schema=schema)
    return t.select(columns) if columns is not None else t


class ResultStore:
    """The results folder of one sweep (see the module docstring).

    Use :meth:`open` to create or reopen a folder for writing (it checks the manifest and
    takes the folder's lock), or the constructor to read a finished folder.
    """

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.runs_dir = self.root / "runs"
        self.series_dir = self.root / "series"
        self._lock_fd: int | None = None

    # -- manifest ----------------------------------------------------------------------------
    @property
    def manifest_path(self) -> Path:
        """Path of ``sweep.json``."""
        return self.root / MANIFEST

    def manifest(self) -> dict[str, Any]:
        """The manifest of an existing results folder.

        Raises:
            ScenarioError: If the folder holds no (readable) manifest.
        """
        try:
            return json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ScenarioError(
                str(self.root),
                [Problem(MANIFEST, "expected a folder written by `coalsim sweep` (no sweep.json)")],
            ) from None
        except (OSError, json.JSONDecodeError) as exc:
            raise ScenarioError(
                str(self.root), [Problem(MANIFEST, f"cannot read the manifest: {exc}")]
            ) from None

    @classmethod
    def open(
        cls,
        root: str | Path,
        manifest: dict[str, Any],
        design: pd.DataFrame,
        sweep_text: str = "",
    ) -> ResultStore:
        """Create a results folder, or reopen one made by the same sweep, for writing.

        Args:
            root: The folder (created if missing).
            manifest: Must hold ``spec_hash``; written as ``sweep.json``.
            design: The design's points, written as ``design.parquet``.
            sweep_text: The sweep file's text, copied to ``sweep.yaml``.

        Raises:
            ScenarioError: If the folder holds another sweep's results, is a non-empty folder
                that is not a results folder, cannot be created, or another process is
                writing to it.
        """
        store = cls(root)
        src = str(store.root)
        try:
            store.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ScenarioError(
                "--out", [Problem("--out", f"cannot create {src}: {exc}")]
            ) from None
        if not store.root.is_dir():
            raise ScenarioError("--out", [Problem("--out", f"expected a folder, got {src}")])
        if not store.manifest_path.exists():
            others = [p.name for p in store.root.iterdir() if p.name != ".lock"]
            if others:
                raise ScenarioError(
                    src,
                    [
                        Problem(
                            "",
                            "expected a new or empty folder, or one written by `coalsim sweep`; "
                            f"it holds {sorted(others)[:5]} and no sweep.json",
                        )
                    ],
                )
        store._lock()
        if store.manifest_path.exists():
            old = store.manifest()
            if old.get("spec_hash") != manifest["spec_hash"]:
                store.close()
                raise ScenarioError(
                    src,
                    [
                        Problem(
                            MANIFEST,
                            f"this folder holds the results of another sweep "
                            f"({old.get('name')!r} from {old.get('sweep_file')}, hash "
                            f"{old.get('spec_hash')}); expected hash {manifest['spec_hash']} "
                            f"of {manifest.get('sweep_file')}: the sweep file or its scenario "
                            "changed. Use a new --out folder (or delete this one).",
                        )
                    ],
                )
            manifest = {**old, **manifest, "created": old.get("created", manifest.get("created"))}
        store.runs_dir.mkdir(exist_ok=True)
        store._clean_temporaries()
        _write_atomic(
            pa.Table.from_pandas(design, preserve_index=False), store.root / "design.parquet"
        )
        if sweep_text:
            _write_text_atomic(sweep_text, store.root / "sweep.yaml")
        _write_text_atomic(json.dumps(manifest, indent=2, default=str), store.manifest_path)
        return store

    def _lock(self) -> None:
        fd = os.open(self.root / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise ScenarioError(
                str(self.root),
                [Problem("", "another `coalsim sweep` is writing to this folder right now")],
            ) from None
        self._lock_fd = fd

    def close(self) -> None:
        """Release the folder's lock."""
        if self._lock_fd is not None:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            os.close(self._lock_fd)
            self._lock_fd = None

    def _clean_temporaries(self) -> None:
        for d in (self.root, self.runs_dir, self.series_dir):
            if not d.is_dir():
                continue
            for p in d.glob(".tmp-*"):
                with contextlib.suppress(FileNotFoundError):
                    p.unlink()

    # -- writing -----------------------------------------------------------------------------
    def write(self, key: str, row: dict[str, Any], schema: pa.Schema, series=None) -> Path:
        """Write one finished run (its series first, then its row); returns the row's file.

        Columns of ``row`` missing from ``schema`` (comparison scores) are added as float64
        (or as inferred).
        """
        if series is not None:
            self.series_dir.mkdir(exist_ok=True)
            table = pa.Table.from_pandas(series, preserve_index=False)
            _write_atomic(table, self.series_dir / f"{key}.parquet")
        fields = list(schema)
        known = set(schema.names)
        for name, value in row.items():
            if name not in known:
                typ = pa.float64() if isinstance(value, int | float) else pa.string()
                fields.append(pa.field(name, typ))
        full = pa.schema(fields)
        table = pa.Table.from_pylist([{f.name: row.get(f.name) for f in full}], schema=full)
        status = "ok" if row.get("status") == "ok" else "error"
        path = self.runs_dir / f"{key}.{status}.parquet"
        _write_atomic(table, path)
        if status == "ok":  # a retried run that failed before: its error row is now stale
            with contextlib.suppress(FileNotFoundError):
                (self.runs_dir / f"{key}.error.parquet").unlink()
        return path

    # -- what is done ------------------------------------------------------------------------
    def _singles(self) -> list[Path]:
        return sorted(p for p in self.runs_dir.glob("p*.parquet") if _SINGLE.match(p.name))

    def _parts(self, d: Path) -> list[Path]:
        return sorted(p for p in d.glob("part-*.parquet") if _PART.match(p.name))

    def finished(self) -> dict[str, str]:
        """Run key -> ``"ok"`` or ``"error"`` for every run whose row is on disk."""
        out: dict[str, str] = {}
        for p in self._parts(self.runs_dir):
            t = pq.read_table(p, columns=["run_key", "status"])
            for k, s in zip(
                t.column("run_key").to_pylist(), t.column("status").to_pylist(), strict=True
            ):
                if out.get(k) != "ok":
                    out[k] = s
        for p in self._singles():
            k, s = _SINGLE.match(p.name).groups()
            if out.get(k) != "ok":
                out[k] = s
        return out

    # -- compaction --------------------------------------------------------------------------
    def compact(self, min_files: int = 2) -> int:
        """Merge single-run files into one ``part-*`` file per folder; returns files merged."""
        merged = 0
        for folder, singles in (
            (self.runs_dir, self._singles()),
            (
                self.series_dir,
                [p for p in self.series_dir.glob("p*.parquet") if _SERIES_SINGLE.match(p.name)],
            ),
        ):
            singles = sorted(singles)
            if len(singles) < min_files:
                continue
            schema = _unified(singles)
            name = f"part-{dt.datetime.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}.parquet"
            path = folder / name
            tmp = folder / f".tmp-{uuid.uuid4().hex}-{name}"
            try:
                with pq.ParquetWriter(tmp, schema) as writer:
                    batch: list[pa.Table] = []
                    rows = 0
                    for f in singles:  # streamed, in row groups of about ROW_GROUP rows
                        t = _read_table(f, schema, None)
                        batch.append(t)
                        rows += t.num_rows
                        if rows >= ROW_GROUP:
                            writer.write_table(pa.concat_tables(batch))
                            batch, rows = [], 0
                    if batch:
                        writer.write_table(pa.concat_tables(batch))
                os.replace(tmp, path)
            finally:
                with contextlib.suppress(FileNotFoundError):
                    tmp.unlink()
            for f in singles:
                with contextlib.suppress(FileNotFoundError):
                    f.unlink()
            merged += len(singles)
        return merged

    # -- reading -----------------------------------------------------------------------------
    def read_runs(
        self, columns: list[str] | None = None, replicates: int | None = None
    ) -> pd.DataFrame:
        """All run rows, one per run key (``ok`` preferred), sorted by point and replicate.

        Args:
            columns: Columns to read (``run_key``, ``status``, ``point``, ``replicate`` are
                always included).
            replicates: Keep replicates below this number (default: the manifest's).
        """
        files = self._parts(self.runs_dir) + self._singles()
        if not files:
            return pd.DataFrame(columns=["run_key", "point", "replicate", "status"])
        schema = _unified(files)
        want = None
        if columns is not None:
            base = ["run_key", "spec_hash", "point", "replicate", "status"]
            want = [c for c in dict.fromkeys(base + list(columns)) if c in schema.names]
        table = pa.concat_tables([_read_table(f, schema, want) for f in files])
        df = table.to_pandas()
        if self.manifest_path.exists():
            m = self.manifest()
            df = df[df["spec_hash"] == m["spec_hash"]]
            replicates = m.get("replicates") if replicates is None else replicates
        if replicates is not None:
            df = df[df["replicate"] < replicates]
        df = df.assign(_rank=(df["status"] != "ok").astype(int))
        df = df.sort_values(["point", "replicate", "_rank"], kind="stable")
        df = df.drop_duplicates("run_key").drop(columns="_rank")
        return df.reset_index(drop=True)

    def read_series(self, columns: list[str] | None = None) -> pd.DataFrame:
        """The per-step table, with each run's rows taken from one file only."""
        files = self._parts(self.series_dir) + sorted(
            p for p in self.series_dir.glob("p*.parquet") if _SERIES_SINGLE.match(p.name)
        )
        if not files:
            return pd.DataFrame()
        schema = _unified(files)
        want = None if columns is None else list(dict.fromkeys(["run_key", *columns]))
        seen: set[str] = set()
        tables = []
        for f in files:
            t = _read_table(f, schema, want)
            keys = set(pc.unique(t.column("run_key")).to_pylist())
            dup = keys & seen
            if dup:
                mask = pc.invert(pc.is_in(t.column("run_key"), pa.array(sorted(dup))))
                t = t.filter(mask)
            seen |= keys
            tables.append(t)
        return pa.concat_tables(tables).to_pandas()

    def read_design(self) -> pd.DataFrame:
        """The design's points (``design.parquet``)."""
        return pd.read_parquet(self.root / "design.parquet")
