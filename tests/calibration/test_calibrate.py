"""``coalsim calibrate``: priors, statistics, parameter recovery, resume, outputs, bad input.

The recovery test simulates the small three-group scenario with known values of two
parameters, calibrates on a small budget in one process with a fixed seed, and checks that
the true values lie inside the 90% credible intervals and that the data narrowed the prior.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
import yaml

from calibration.abc import (
    build_setup,
    calibrate,
    make_sampler,
    particle_seed,
    run_statistics,
    scenario_digest,
    statistics_for,
)
from calibration.comparison import summary_statistics
from calibration.posterior import (
    apply_fitted,
    load_fitted,
    posterior_particles,
    summary_table,
    weighted_quantile,
)
from calibration.priors import DEFAULT_PARAMS, prior_for, resolve_priors
from sim.cli import main
from sim.model import CoalitionModel
from sim.scenario import ScenarioError, with_params
from tests.calibration.helpers import ROOT, small_record, small_scenario

WOO = "windows_of_opportunity.base_rate"
MWC = "minimum_winning_coalition.rate"
TRUTH = {WOO: 0.005, MWC: 0.05}


@pytest.fixture(scope="module")
def record(tmp_path_factory):
    return small_record(tmp_path_factory.mktemp("record"))


def synthetic_setup(record, population: int, seed: int = 3, truth=TRUTH, obs_seed=12345):
    """A setup whose observations are one run of the small scenario with ``truth``."""
    s = small_scenario()
    priors = resolve_priors(list(truth), s)
    base = build_setup(s, priors, record=record, seed=seed, population=population)
    observed = run_statistics(s, truth, obs_seed, base.start, base.end, base.dates, record)
    return build_setup(
        s,
        priors,
        record=record,
        seed=seed,
        population=population,
        observed=observed,
        synthetic=f"one run, seed {obs_seed}, {truth}",
    )


# -- priors ----------------------------------------------------------------------------------
def test_priors_come_from_the_declared_ranges():
    s = small_scenario()
    priors = resolve_priors(None, s)
    assert [p.name for p in priors] == list(DEFAULT_PARAMS)
    for p in priors:
        assert p.scale == "log"  # base rates with low = 0
        assert p.low <= p.default <= p.high == p.declared[1]
        assert p.low == pytest.approx(min(p.declared[1] / 1000, p.default / 10))
        assert p.natural(p.lo) == pytest.approx(p.low) and p.natural(p.hi) == pytest.approx(p.high)
    woo = prior_for(WOO)
    assert (woo.low, woo.high) == pytest.approx((1e-5, 0.2))  # the default 1e-4 stays inside
    weight = prior_for("defection.ideology_weight")
    assert (weight.scale, weight.low, weight.high) == ("linear", 0.0, 10.0)
    duration = prior_for("truces.mean_duration")  # [1, 520]: spans orders of magnitude
    assert (duration.scale, duration.low, duration.high) == ("log", 1.0, 520.0)
    contacts = prior_for("tactical_cooperation.contacts")
    assert contacts.integer and contacts.natural(contacts.internal(7.4)) == 7.0


def test_bad_parameter_names_are_all_reported():
    with pytest.raises(ScenarioError) as exc:
        resolve_priors(
            [
                "nope.rate",
                "truces.nope",
                "truces.enabled",
                "landscape_alignment.patron_weight",
                "truces.base_rate",
                "truces.base_rate",
                "x",
            ],
            small_scenario(),
        )
    text = str(exc.value)
    for needle in (
        "nope.rate",
        "truces.nope",
        "cannot be calibrated",
        "does not run",
        "named twice",
        "expected RULE.PARAM",
    ):
        assert needle in text


# -- statistics and seeds --------------------------------------------------------------------
def test_fast_statistics_equal_the_comparisons(record):
    s = with_params(small_scenario(), {WOO: 0.02, MWC: 0.3})
    dates = [dt.date(2020, 7, 1)]
    fast = statistics_for(s, record, s.start, s.end, dates)
    seen = 0
    for seed in range(4):
        model = CoalitionModel(s, rng=seed).run()
        alignments = {d: model.alignment(d) for d in dates}
        a = fast(model.events(), alignments)
        b = summary_statistics(model.events(), alignments, record, s)
        assert list(a) == list(b) and a == b
        seen += sum(v for k, v in a.items() if k.startswith(("count.", "pair.")))
    assert seen > 0  # something was counted


def test_particle_seeds_are_a_function_of_seed_and_values():
    assert particle_seed(0, [0.1, 0.2]) == particle_seed(0, [0.1, 0.2])
    assert particle_seed(0, [0.1, 0.2]) != particle_seed(1, [0.1, 0.2])
    assert particle_seed(0, [0.1, 0.2]) != particle_seed(0, [0.1, 0.2000001])


def test_weighted_quantile():
    v, w = np.array([3.0, 1.0, 2.0]), np.array([1.0, 1.0, 1.0])
    assert weighted_quantile(v, w, 0.5) == pytest.approx(2.0)
    assert weighted_quantile(np.array([1.0, 2.0]), np.array([0.0, 1.0]), 0.5) == 2.0


# -- recovery --------------------------------------------------------------------------------
def test_parameter_recovery_on_synthetic_data(record, tmp_path):
    setup = synthetic_setup(record, population=30)
    cal = calibrate(setup, tmp_path / "abc.db", 3, sampler=make_sampler(workers=1))
    assert cal.generations == 3
    table = summary_table(posterior_particles(cal.history, setup.priors), setup.priors)
    table = table.set_index("parameter")
    for name, true in TRUTH.items():
        row = table.loc[name]
        assert row["q05"] <= true <= row["q95"], (name, true, row.to_dict())
    # the data narrowed at least one prior (the fight rate: fights and truces are counted)
    assert table.loc[WOO, "shrinkage"] > 0.3, table
    assert table["shrinkage"].max() > 0.3


def test_same_seed_same_calibration_in_one_process(record, tmp_path):
    setup = synthetic_setup(record, population=5, seed=5)
    runs = []
    for k in range(2):
        cal = calibrate(setup, tmp_path / f"{k}.db", 1, sampler=make_sampler(workers=1))
        runs.append(posterior_particles(cal.history, setup.priors))
    assert runs[0].equals(runs[1])


def test_resume_continues_and_refuses_another_configuration(record, tmp_path):
    db = tmp_path / "abc.db"
    setup = synthetic_setup(record, population=6)
    first = calibrate(setup, db, 1, sampler=make_sampler(workers=1))
    assert (first.generations, first.generations_before) == (1, 0)
    again = calibrate(setup, db, 2, sampler=make_sampler(workers=1))
    assert (again.run_id, again.generations, again.generations_before) == (first.run_id, 2, 1)
    done = calibrate(setup, db, 2, sampler=make_sampler(workers=1))  # nothing left to do
    assert done.generations == 2 and done.elapsed == 0.0
    other = synthetic_setup(record, population=6, seed=4)
    with pytest.raises(ScenarioError, match=r"belongs to another calibration .*seed"):
        calibrate(other, db, 2, sampler=make_sampler(workers=1))
    (tmp_path / "junk.db").write_text("not a database")
    with pytest.raises(ScenarioError, match="not a pyabc database"):
        calibrate(setup, tmp_path / "junk.db", 1, sampler=make_sampler(workers=1))


# -- command line ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def small_files(tmp_path_factory):
    """The small scenario as a YAML file and the small record as a folder."""
    folder = tmp_path_factory.mktemp("files")
    scenario = folder / "small.yaml"
    scenario.write_text(yaml.safe_dump(small_scenario().model_dump(mode="json")))
    small_record(folder / "record")
    return scenario, folder / "record"


def calibrate_args(small_files, tmp_path, *extra):
    scenario, record_dir = small_files
    return [
        "calibrate", str(scenario), "--params", WOO, MWC, "--record", str(record_dir),
        "--population", "6", "--generations", "1", "--check-runs", "2",
        "--db", str(tmp_path / "c.db"), "--fitted", str(tmp_path / "fitted" / "small.yaml"),
        *extra,
    ]  # fmt: skip


def test_cli_writes_summary_plots_check_and_fitted_file(small_files, tmp_path, capsys):
    assert main(calibrate_args(small_files, tmp_path, "--workers", "1")) == 0
    out = capsys.readouterr().out
    assert "t: 0, eps:" in out and "Accepted:" in out  # progress per generation
    assert "posterior predictive check" in out
    for name in (
        "posterior.csv",
        "particles.csv",
        "generations.csv",
        "marginals.png",
        "pairs.png",
        "epsilon.png",
        "report.md",
        "test.yaml",
        "predictive/report.md",
    ):
        assert (tmp_path / name).stat().st_size > 0, name
    fitted = load_fitted(tmp_path / "fitted" / "small.yaml")
    assert set(fitted) == {"windows_of_opportunity", "minimum_winning_coalition"}
    scenario = apply_fitted(small_scenario(), tmp_path / "fitted" / "small.yaml")
    assert scenario.rule_values("windows_of_opportunity")["base_rate"] == fitted[
        "windows_of_opportunity"]["base_rate"]  # fmt: skip
    report = (tmp_path / "report.md").read_text()
    assert "## Posterior" in report and "--set windows_of_opportunity.base_rate=" in report
    # run again: the stored generation is reused, nothing is sampled
    assert main(calibrate_args(small_files, tmp_path, "--workers", "1", "--check-runs", "0")) == 0
    assert "continued the stored calibration" in capsys.readouterr().out
    # the same scenario naming a fitted file: a calibration ignores it (and says so), so it is
    # the same calibration and continues, nothing sampled
    scenario, _ = small_files
    with_fitted = tmp_path / "with_fitted.yaml"
    with_fitted.write_text(scenario.read_text() + "fitted: fitted/small.yaml\n")
    args = calibrate_args(small_files, tmp_path, "--workers", "1", "--check-runs", "0")
    args[args.index(str(scenario))] = str(with_fitted)
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "continued the stored calibration" in out
    assert "note: the scenario's fitted file ('fitted/small.yaml') is not used" in out
    assert "base of every run (the calibrated parameters aside): rules: declared defaults (" in (
        (tmp_path / "report.md").read_text()
    )
    # another configuration in the same database is refused
    assert main(calibrate_args(small_files, tmp_path, "--workers", "1", "--population", "7")) == 2
    assert "belongs to another calibration" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--params", "truces.nope"], "truces.nope: expected a parameter of truces"),
        (["--population", "1"], "--population: expected a whole number >= 2"),
        (["--generations", "0"], "--generations: expected a whole number >= 1"),
        (["--from", "2020-02-30"], "--from: expected a date YYYY-MM-DD"),
        (["--until", "2030-01-01"], "the scenario's period"),
        (["--workers", "2", "--scheduler", "tcp://127.0.0.1:1"], "not both"),
    ],
)
def test_bad_input_exits_2_without_traceback(small_files, tmp_path, capsys, extra, message):
    assert main(calibrate_args(small_files, tmp_path, *extra)) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


# -- Dask --------------------------------------------------------------------------------------
def test_calibration_on_a_dask_cluster(record, tmp_path):
    distributed = pytest.importorskip("distributed")
    setup = synthetic_setup(record, population=6)
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        sampler = make_sampler(scheduler=cluster.scheduler_address)  # what --scheduler does
        try:
            assert type(sampler).__name__ == "DaskDistributedSampler"
            assert sampler.client_cores() == 2
            cal = calibrate(setup, tmp_path / "abc.db", 1, sampler=sampler)
        finally:
            sampler.client.close()
    assert cal.generations == 1
    particles = posterior_particles(cal.history, setup.priors)
    assert len(particles) == 6 and particles["weight"].sum() == pytest.approx(1.0)


def test_an_unreachable_scheduler_exits_2(small_files, tmp_path, capsys):
    args = calibrate_args(small_files, tmp_path, "--scheduler", "tcp://127.0.0.1:9")
    assert main(args) == 2
    assert "--scheduler: cannot connect to tcp://127.0.0.1:9" in capsys.readouterr().err


def test_the_shipped_fitted_file_is_valid_and_is_the_default_scenarios_rules():
    from sim import load_scenario

    path = ROOT / "calibration" / "fitted" / "idlib_2017.yaml"
    idlib = ROOT / "scenarios" / "idlib_2017.yaml"
    fitted = load_fitted(path)  # the scenario loader's reader, values checked
    assert set(fitted) == {p.partition(".")[0] for p in DEFAULT_PARAMS}
    by_posterior = apply_fitted(load_scenario(idlib, use_fitted=False), path)
    by_scenario = load_scenario(idlib)  # through its fitted: entry
    assert by_scenario.rules == by_posterior.rules == fitted
    assert scenario_digest(by_scenario) == scenario_digest(by_posterior)


def test_load_fitted_refuses_bad_values_with_the_file_and_path(tmp_path):
    path = tmp_path / "f.yaml"
    path.write_text("defection: {base_rate: 0.5}\ntruces: {nope: 1}\n")
    with pytest.raises(ScenarioError) as info:
        load_fitted(path)
    assert info.value.source == str(path)
    assert [p.path for p in info.value.problems] == ["defection.base_rate", "truces.nope"]
    with pytest.raises(ScenarioError, match="cannot read the file"):
        load_fitted(tmp_path / "missing.yaml")
