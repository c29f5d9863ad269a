"""The results folder: atomic files, de-duplication, compaction, identity of the sweep."""

from __future__ import annotations

import os
import shutil

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sim.scenario import ScenarioError
from sweeps.store import ResultStore, arrow_schema

SCHEMA = arrow_schema(
    [
        ("run_key", "str"),
        ("spec_hash", "str"),
        ("point", "int"),
        ("replicate", "int"),
        ("seed", "int"),
        ("status", "str"),
        ("error", "str"),
        ("count.fight", "int"),
        ("outcome.x", "bool"),
    ]
)
DESIGN = pd.DataFrame({"point": [0, 1], "a": [0.1, 0.2]})


def manifest(h="abc", replicates=2):
    return {"spec_hash": h, "name": "t", "sweep_file": "t.yaml", "replicates": replicates}


def row(p, r, ok=True, fights=3, h="abc", **extra):
    out = {
        "run_key": f"p{p:06d}-r{r:05d}",
        "spec_hash": h,
        "point": p,
        "replicate": r,
        "seed": 100 + r,
        "status": "ok" if ok else "error",
        "error": None if ok else "ValueError: boom",
        "count.fight": fights if ok else None,
        "outcome.x": (fights > 2) if ok else None,
    }
    out.update(extra)
    return out


def open_store(root, **kw):
    return ResultStore.open(root, manifest(**kw), DESIGN, "name: t\n")


def test_write_read_and_finished(tmp_path):
    s = open_store(tmp_path / "out")
    s.write("p000000-r00000", row(0, 0), SCHEMA)
    s.write("p000001-r00000", row(1, 0, ok=False), SCHEMA)
    assert s.finished() == {"p000000-r00000": "ok", "p000001-r00000": "error"}
    df = s.read_runs()
    assert df["run_key"].tolist() == ["p000000-r00000", "p000001-r00000"]
    assert df.loc[1, "error"] == "ValueError: boom" and pd.isna(df.loc[1, "count.fight"])
    assert bool(df.loc[0, "outcome.x"]) and df.loc[0, "count.fight"] == 3
    s.close()
    assert (tmp_path / "out" / "sweep.yaml").read_text() == "name: t\n"
    assert ResultStore(tmp_path / "out").read_design().equals(DESIGN)


def test_no_temporary_files_are_read_and_stale_ones_are_cleaned(tmp_path):
    s = open_store(tmp_path / "out")
    s.write("p000000-r00000", row(0, 0), SCHEMA)
    # a writer killed mid-write leaves a partial temporary file: never read, removed on open
    partial = s.runs_dir / ".tmp-123-p000001-r00000.ok.parquet"
    partial.write_bytes(b"PAR1 not a parquet file")
    assert list(s.finished()) == ["p000000-r00000"]
    assert len(s.read_runs()) == 1
    s.close()
    s = open_store(tmp_path / "out")
    assert not partial.exists()
    s.close()


def test_retried_run_replaces_its_error_and_duplicates_are_dropped(tmp_path):
    s = open_store(tmp_path / "out")
    s.write("p000000-r00000", row(0, 0, ok=False), SCHEMA)
    s.write("p000000-r00000", row(0, 0), SCHEMA)
    assert s.finished() == {"p000000-r00000": "ok"}
    assert not (s.runs_dir / "p000000-r00000.error.parquet").exists()
    # killed between writing the ok row and deleting the error row: ok wins when reading
    s.write("p000001-r00000", row(1, 0), SCHEMA)
    pq.write_table(
        pa.Table.from_pylist([row(1, 0, ok=False)], schema=SCHEMA),
        s.runs_dir / "p000001-r00000.error.parquet",
    )
    df = s.read_runs()
    assert df["run_key"].is_unique and len(df) == 2 and (df["status"] == "ok").all()
    s.close()


def test_compaction_is_safe_to_interrupt(tmp_path):
    s = open_store(tmp_path / "out")
    for p in range(2):
        for r in range(2):
            s.write(f"p{p:06d}-r{r:05d}", row(p, r, fights=p + r), SCHEMA)
    before = s.read_runs()
    singles = sorted(s.runs_dir.glob("p*.parquet"))
    # simulate a compaction killed after the merged file was renamed in, before the deletes
    keep = tmp_path / "keep"
    keep.mkdir()
    for f in singles:
        shutil.copy(f, keep / f.name)
    assert s.compact() == 4
    assert [p.name[:5] for p in s.runs_dir.iterdir()] == ["part-"]
    for f in keep.iterdir():
        shutil.copy(f, s.runs_dir / f.name)
    after = s.read_runs()
    pd.testing.assert_frame_equal(before, after)
    assert len(s.finished()) == 4
    # compacting again merges the leftovers into a second part: still one row per run
    s.compact()
    pd.testing.assert_frame_equal(before, s.read_runs())
    s.close()


def test_schemas_are_unified_across_files(tmp_path):
    s = open_store(tmp_path / "out")
    s.write("p000000-r00000", row(0, 0, ok=False), SCHEMA)  # error row first
    s.write("p000000-r00001", row(0, 1, **{"score.brier": 0.25}), SCHEMA)  # an extra column
    df = s.read_runs()
    assert df.set_index("run_key").loc["p000000-r00001", "score.brier"] == 0.25
    assert pd.isna(df.set_index("run_key").loc["p000000-r00000", "score.brier"])
    s.compact()
    assert s.read_runs().equals(df)
    s.close()


def test_replicates_above_the_manifest_are_hidden(tmp_path):
    s = open_store(tmp_path / "out", replicates=3)
    for r in range(3):
        s.write(f"p000000-r{r:05d}", row(0, r), SCHEMA)
    s.close()
    s = open_store(tmp_path / "out", replicates=2)  # the user lowered `replicates`
    assert len(s.read_runs()) == 2
    s.close()


def test_series_are_deduplicated_per_run(tmp_path):
    s = open_store(tmp_path / "out")
    series = pd.DataFrame({"run_key": ["p000000-r00000"] * 3, "step": [0, 1, 2], "fighters": 1.0})
    s.write("p000000-r00000", row(0, 0), SCHEMA, series)
    s.compact(min_files=1)
    s.write("p000000-r00000", row(0, 0), SCHEMA, series)  # a re-run after a crash
    got = s.read_series()
    assert len(got) == 3 and got["step"].tolist() == [0, 1, 2]
    s.close()


def test_another_sweep_or_folder_is_refused(tmp_path):
    s = open_store(tmp_path / "out")
    with pytest.raises(ScenarioError, match="another `coalsim sweep` is writing"):
        open_store(tmp_path / "out")
    s.close()
    with pytest.raises(ScenarioError) as info:
        open_store(tmp_path / "out", h="def")
    assert "results of another sweep" in str(info.value) and "sweep.json" in str(info.value)
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    with pytest.raises(ScenarioError, match=r"no sweep\.json"):
        open_store(other)
    assert os.listdir(other) == ["notes.txt"]  # left untouched
