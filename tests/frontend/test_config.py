"""Path safety and upload limits of the front end (no browser)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from frontend import config
from sim.scenario import ScenarioError

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def roots(tmp_path, monkeypatch):
    """A scenario folder and a result root, plus a secret file outside both."""
    scen = tmp_path / "scen"
    scen.mkdir()
    (scen / "small.yaml").write_text((ROOT / "scenarios" / "three_groups.yaml").read_text())
    (scen / "notes.txt").write_text("not a scenario")
    secret = tmp_path / "secret.yaml"
    secret.write_text("name: secret\n")
    os.symlink(secret, scen / "leak.yaml")
    res = tmp_path / "res"
    (res / "sweep" / "deep").mkdir(parents=True)
    (res / "sweep" / "sobol.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (res / "sweep" / "report.md").write_text("# report")
    (res / "sweep" / "deep" / "posterior.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (res / "calib").mkdir()
    (res / "calib" / "abc.db").write_bytes(b"SQLite format 3\x00")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "private.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    os.symlink(outside / "private.png", res / "sweep" / "linked.png")
    os.symlink(outside, res / "linked_dir")
    monkeypatch.setenv(config.ENV_SCENARIOS, str(scen))
    monkeypatch.setenv(config.ENV_FOLDERS, str(res))
    return {"scen": scen, "res": res, "outside": outside, "tmp": tmp_path}


def test_resolve_inside_accepts_paths_inside_the_root(tmp_path):
    (tmp_path / "a").mkdir()
    assert config.resolve_inside(tmp_path, "a") == (tmp_path / "a").resolve()
    assert config.resolve_inside(tmp_path, ".") == tmp_path.resolve()
    assert config.resolve_inside(tmp_path, "a/../a") == (tmp_path / "a").resolve()


@pytest.mark.parametrize("bad", ["..", "../x", "a/../../x", "/etc/passwd", "a/../../../etc"])
def test_resolve_inside_refuses_paths_that_leave_the_root(tmp_path, bad):
    (tmp_path / "a").mkdir()
    with pytest.raises(config.PathNotAllowed):
        config.resolve_inside(tmp_path / "a", bad)


def test_resolve_inside_refuses_a_symlink_out_of_the_root(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    os.symlink(tmp_path, root / "up")
    with pytest.raises(config.PathNotAllowed):
        config.resolve_inside(root, "up")


def test_scenarios_are_listed_by_name_and_only_those_open(roots):
    listed = config.list_scenarios()
    assert list(listed) == ["small"]  # not the .txt, not the link to a file outside
    assert config.scenario_path("small") == (roots["scen"] / "small.yaml").resolve()
    for name in ("leak", "notes", "../secret", str(roots["tmp"] / "secret.yaml"), ""):
        with pytest.raises(config.PathNotAllowed):
            config.scenario_path(name)
    assert config.default_scenario() == "small"


def test_default_scenarios_are_the_repository_ones(monkeypatch):
    monkeypatch.delenv(config.ENV_SCENARIOS, raising=False)
    assert {"idlib_2017", "three_groups"} <= set(config.list_scenarios())
    assert config.default_scenario() == "idlib_2017"


def test_result_folders_stay_inside_the_roots(roots):
    folders = {f.label: f for f in config.list_result_folders()}
    assert set(folders) == {"res/calib", "res/sweep", "res/sweep/deep"}  # link not followed
    sweep = config.folder_contents(config.find_result_folder("res/sweep"))
    assert [p.name for p in sweep.plots] == ["sobol.png"]  # the link to outside is left out
    assert [p.name for p in sweep.reports] == ["report.md"]
    calib = config.folder_contents(folders["res/calib"])
    assert [p.name for p in calib.databases] == ["abc.db"]
    for label in ("res/linked_dir", "res/..", "../outside", str(roots["outside"]), "res/nope"):
        with pytest.raises(config.PathNotAllowed):
            config.find_result_folder(label)


def test_a_forged_result_folder_is_refused(roots):
    forged = config.ResultFolder("x", roots["res"], "../outside")
    with pytest.raises(config.PathNotAllowed):
        config.folder_contents(forged)


def test_result_roots_default_to_out_in_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.delenv(config.ENV_FOLDERS, raising=False)
    monkeypatch.chdir(tmp_path)
    assert config.result_roots() == []
    (tmp_path / "out").mkdir()
    assert config.result_roots() == [(tmp_path / "out").resolve()]


def test_upload_size_is_capped_before_reading():
    cap = config.UPLOAD_MAX_BYTES
    with pytest.raises(ScenarioError) as err:
        config.read_upload(None, size=cap + 1, source="big.yaml")
    assert "at most" in str(err.value) and err.value.source == "big.yaml"
    with pytest.raises(ScenarioError):
        config.read_upload(b"x" * (cap + 1), size=None)
    with pytest.raises(ScenarioError):
        config.read_upload(b"", size=0)
    with pytest.raises(ScenarioError, match="UTF-8"):
        config.read_upload(b"\xff\xfe\x00", size=3)
    assert config.read_upload(b"name: x\n", size=8) == "name: x\n"
