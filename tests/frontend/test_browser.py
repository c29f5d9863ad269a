"""The app in real Chromium: load, step, parameters and Reset, uploads, tabs, ensemble, results.

One server for the session (``app_url``); every test gets a fresh browser context, hence a
fresh Solara kernel and its own model.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from sim.rules import RULES
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]
IDLIB = ROOT / "scenarios" / "idlib_2017.yaml"
SMALL = ROOT / "scenarios" / "three_groups.yaml"
LOAD = 90_000  # ms: first page of a session imports the model and Mesa's viz
ACT = 20_000  # ms: one interaction


def _scenario_start(path) -> tuple[dt.date, int]:
    from sim import load_scenario

    s = load_scenario(path)
    return s.start, s.step_days


def open_page(page: Page, url: str, path: str = "/") -> None:
    page.goto(url + path)
    page.locator(".coalsim-date").wait_for(timeout=LOAD)


def current_step(page: Page) -> int:
    text = page.locator(".coalsim-step").inner_text()
    m = re.search(r"step (\d+) of", text)
    return int(m.group(1)) if m else -1


def click_step(page: Page, times: int = 1) -> None:
    for _ in range(times):
        k = current_step(page)
        page.get_by_role("button", name="Step", exact=True).click()
        expect(page.locator(".coalsim-step")).to_contain_text(f"step {k + 1} of", timeout=ACT)


def choose_scenario(page: Page, name: str) -> None:
    page.locator(".coalsim-scenario-select").click()
    page.locator(".v-menu__content .v-list-item", has_text=name).first.click()
    expect(page.locator(".coalsim-model-summary")).to_contain_text(name, timeout=ACT)


def test_page_loads_and_ten_steps_change_date_log_and_network(page: Page, app_url: str):
    start, days = _scenario_start(IDLIB)
    open_page(page, app_url)
    expect(page.locator(".coalsim-date")).to_have_text(str(start))
    expect(page.locator(".coalsim-model-summary")).to_contain_text("idlib_2017")
    network = page.locator(".coalsim-network-svg svg")
    expect(network.locator("circle").first).to_be_visible()
    before = network.screenshot()
    count_before = page.locator(".coalsim-event-count").inner_text()
    assert count_before.startswith("0 simulated events")

    click_step(page, 10)

    expect(page.locator(".coalsim-date")).to_have_text(str(start + dt.timedelta(days=10 * days)))
    count_after = page.locator(".coalsim-event-count").inner_text()
    assert count_after != count_before and int(count_after.split()[0]) > 0
    assert page.locator(".coalsim-events tbody tr").count() > 0
    after = network.screenshot()
    assert before != after, "the network picture did not change after ten steps"


def test_slider_change_and_reset_rebuild_the_model(page: Page, app_url: str):
    start, _ = _scenario_start(IDLIB)
    open_page(page, app_url)
    click_step(page, 2)
    page.locator(".coalsim-rule-truces").click()
    slider = page.locator(".coalsim-param-truces-base_rate [role=slider]")
    slider.focus()
    slider.press("End")  # the top of the documented range, 1
    # The scenario's value is its fitted file's (calibration/fitted/idlib_2017.yaml).
    own = load_scenario(IDLIB).rule_values("truces")["base_rate"]
    assert own != RULES["truces"].param("base_rate").default
    expect(page.locator(".coalsim-pending")).to_contain_text(f"truces.base_rate {own:g} -> 1")
    # Not applied yet: the running model still has the scenario's value.
    expect(page.locator(".coalsim-model-summary")).to_contain_text("settings changed: none")
    expect(page.locator(".coalsim-model-summary")).to_contain_text("rules: 5 fitted value(s)")

    page.get_by_role("button", name="Reset", exact=True).click()

    summary = page.locator(".coalsim-model-summary")
    expect(summary).to_contain_text("truces.base_rate=1", timeout=ACT)
    expect(page.locator(".coalsim-date")).to_have_text(str(start))
    expect(page.locator(".coalsim-step")).to_contain_text("step 0 of")
    expect(page.locator(".coalsim-pending")).to_have_count(0)


def test_invalid_upload_shows_the_field_path_and_the_page_keeps_working(page: Page, app_url: str):
    start, days = _scenario_start(IDLIB)
    open_page(page, app_url)
    text = SMALL.read_text()
    bad = text.replace("fighters: 6000", "fighters: -5", 1)
    assert bad != text
    page.locator(".coalsim-upload input[type=file]").set_input_files(
        files=[{"name": "bad.yaml", "mimeType": "text/yaml", "buffer": bad.encode()}]
    )
    problems = page.locator(".coalsim-problems")
    expect(problems).to_contain_text("groups[0].fighters", timeout=ACT)
    expect(problems).to_contain_text("bad.yaml")
    # The running model is untouched and still steps.
    expect(page.locator(".coalsim-model-summary")).to_contain_text("idlib_2017")
    click_step(page)
    expect(page.locator(".coalsim-date")).to_have_text(str(start + dt.timedelta(days=days)))
    # A valid upload is then opened.
    page.locator(".coalsim-upload input[type=file]").set_input_files(
        files=[{"name": "good.yaml", "mimeType": "text/yaml", "buffer": text.encode()}]
    )
    expect(page.locator(".coalsim-model-summary")).to_contain_text("upload: good.yaml", timeout=ACT)
    expect(problems).to_have_count(0)


def test_two_contexts_run_different_scenarios_independently(browser, app_url: str):
    idlib_start, idlib_days = _scenario_start(IDLIB)
    small_start, small_days = _scenario_start(SMALL)
    args = {"viewport": {"width": 1400, "height": 1000}}
    a_ctx, b_ctx = browser.new_context(**args), browser.new_context(**args)
    try:
        a, b = a_ctx.new_page(), b_ctx.new_page()
        open_page(a, app_url)
        open_page(b, app_url)
        choose_scenario(a, "three_groups")
        click_step(a, 3)
        expect(a.locator(".coalsim-date")).to_have_text(
            str(small_start + dt.timedelta(days=3 * small_days))
        )
        # B still has its own model: the default scenario, not stepped.
        expect(b.locator(".coalsim-model-summary")).to_contain_text("idlib_2017")
        expect(b.locator(".coalsim-date")).to_have_text(str(idlib_start))
        click_step(b)
        expect(b.locator(".coalsim-date")).to_have_text(
            str(idlib_start + dt.timedelta(days=idlib_days))
        )
        expect(a.locator(".coalsim-date")).to_have_text(
            str(small_start + dt.timedelta(days=3 * small_days))
        )
        expect(a.locator(".coalsim-model-summary")).to_contain_text("three_groups")
    finally:
        a_ctx.close()
        b_ctx.close()


def test_play_steps_until_paused(page: Page, app_url: str):
    open_page(page, app_url)
    page.get_by_role("button", name="▶").click()
    expect(page.locator(".coalsim-step")).to_contain_text(
        re.compile(r"step ([3-9]|\d\d+) of"), timeout=ACT
    )
    page.get_by_role("button", name="❚❚").click()
    expect(page.get_by_role("button", name="▶")).to_be_visible(timeout=ACT)
    page.wait_for_timeout(800)  # a step already under way when Pause was clicked may land
    paused = current_step(page)
    page.wait_for_timeout(1500)  # five play intervals
    assert current_step(page) == paused


@pytest.mark.skipif(
    importlib.util.find_spec("calibration.comparison") is None,
    reason="calibration/comparison.py (run_comparison) is not in this tree yet",
)
def test_ensemble_page_finishes_a_small_ensemble(page: Page, app_url: str):
    page.goto(app_url + "/ensemble")
    page.locator(".coalsim-ensemble-scenario").wait_for(timeout=LOAD)
    page.locator(".coalsim-runs input").fill("4")
    page.locator(".coalsim-from input").fill("2017-01-01")
    page.locator(".coalsim-to input").fill("2017-12-31")
    page.locator(".coalsim-workers input").fill("1")
    page.locator(".coalsim-runs input").press("Enter")
    page.get_by_role("button", name="Run ensemble").click()
    headline = page.locator(".coalsim-headline")
    expect(headline).to_be_visible(timeout=180_000)
    expect(headline).to_contain_text("skill")
    expect(page.locator(".coalsim-ensemble-done")).to_contain_text("4 runs")
    assert page.locator(".coalsim-headline tbody tr").count() > 0


def test_results_page_shows_plots_and_reports_of_the_allowed_folders(page: Page, app_url: str):
    page.goto(app_url + "/results")
    page.locator(".coalsim-folder-select").wait_for(timeout=LOAD)
    expect(page.locator(".coalsim-folder-summary")).to_be_visible(timeout=ACT)
    page.locator(".coalsim-folder-select").click()
    page.locator(".v-menu__content .v-list-item", has_text="sweep_demo").first.click()
    expect(page.locator(".coalsim-report")).to_contain_text("Sweep report", timeout=ACT)
    expect(page.locator(".coalsim-plot img")).to_have_count(1)
    page.locator(".coalsim-folder-select").click()
    page.locator(".v-menu__content .v-list-item", has_text="calibration_demo").first.click()
    expect(page.locator(".coalsim-folder-summary")).to_contain_text("1 databases", timeout=ACT)
    expect(page.get_by_text("abc.db")).to_be_visible()
