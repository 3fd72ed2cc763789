"""The drill app in a browser: `gridsim drill` serves the gas-leak drill, Debian's chromium
(driven by Playwright, headless) starts the clock, sees an objective change, fires an inject as
the facilitator, takes a decision as a player and sees another refused with its message, checks
the KPI panel, finishes the drill and downloads its after-action report; the log it wrote is
the log of the same decisions played from their script."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from sim.drill import load_drill, load_script, play_drill

ROOT = Path(__file__).resolve().parents[2]
GAS_LEAK = ROOT / "scenarios" / "drills" / "gas_leak.yaml"
CHROMIUM = Path("/usr/bin/chromium")
#: How long the page may take to show or change something (milliseconds).
WAIT_MS = 20_000

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium; "
        ".ci/run installs it)",
    ),
]


def serve(out: Path) -> tuple[subprocess.Popen[str], str]:
    """Start `gridsim drill` on a free port; returns the process and the app's address."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sim.cli",
            "drill",
            str(GAS_LEAK),
            "--port",
            "0",
            "--out",
            out,
            "--replays",
            "2",
            "--workers",
            "1",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "200"},
    )
    assert process.stdout is not None
    seen = []
    for line in process.stdout:
        seen.append(line)
        if match := re.search(r"http://127\.0\.0\.1:\d+", line):
            return process, match.group(0)
    process.wait()
    raise AssertionError("the app did not start:\n" + "".join(seen))


def choose(page: Page, label: str, option: str) -> None:
    """Pick `option` in the select labelled `label`."""
    page.get_by_label(label).click(force=True)
    page.get_by_role("option", name=option, exact=True).click()


def set_speed(page: Page, speed: str) -> None:
    """The facilitator sets the clock's speed (simulated hours per second)."""
    page.get_by_label("speed (simulated h per second)").fill(speed)
    page.get_by_role("button", name="Set speed").click()
    expect(page.locator(".drill-clock")).to_contain_text(f" {speed} h/s")


def objective_status(page: Page, name: str):
    return page.locator(".drill-objectives tr", has_text=name).locator(".drill-status")


def test_a_drill_played_in_the_browser(tmp_path: Path) -> None:
    out = tmp_path / "drill"
    process, url = serve(out)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"]
            )
            page = browser.new_page(viewport={"width": 1400, "height": 1800})
            page.set_default_timeout(WAIT_MS)
            expect.set_options(timeout=WAIT_MS)
            page.goto(url)
            clock = page.locator(".drill-clock")
            expect(clock).to_contain_text("day 2 20:30")  # the players take over at 68.5 h
            expect(objective_status(page, "leak_checked")).to_have_text("on track")
            kpis = page.locator(".drill-kpis")
            expect(kpis.locator("tr", has_text="screening coverage")).to_contain_text("–")

            # the facilitator starts the clock: the leak (21:00) brings screening, the
            # line-busy inject fires at 21:05, the two grids are not all checked by 23:00
            set_speed(page, "1")
            page.get_by_role("button", name="Start").click()
            expect(clock).to_contain_text("running")
            expect(page.locator(".drill-message", has_text="物业值班电话打不通")).to_be_visible()
            expect(objective_status(page, "leak_checked")).to_have_text("missed")
            expect(kpis.locator("tr", has_text="screening coverage")).to_contain_text("%")
            expect(page.locator(".drill-map .incident").first).to_be_visible()
            page.get_by_role("button", name="Pause").click()
            expect(clock).to_contain_text("paused")
            set_speed(page, "0.25")  # time for a decision while the clock runs, below

            # the facilitator fires the rumour, listed without a time
            page.get_by_role("button", name="Fire rumour").click()
            expect(page.locator(".drill-outcome", has_text="rumour fired at")).to_be_visible()
            expect(page.locator(".drill-log")).to_contain_text("rumour_surge")

            # 社区书记 calls four of the street's cadres
            page.get_by_role("button", name="社区书记").click()
            page.get_by_role("button", name="mobilise a team or pool").click()
            choose(page, "team or pool *", "street_cadres")
            page.get_by_label("how many (empty: all)").fill("4")
            page.get_by_role("button", name="Decide").click()
            expect(page.locator(".drill-outcome", has_text="taken at")).to_be_visible()
            cadres = page.locator(".drill-staff tr", has_text="street_cadres")

            # 街道 tries to set off the plan that the leak has set off already
            page.get_by_role("button", name="街道").click()
            page.get_by_role("button", name="fire a plan").click()
            choose(page, "plan *", "gas_response")
            page.get_by_role("button", name="Decide").click()
            expect(page.locator(".drill-refusal")).to_contain_text(
                "refused: plan 'gas_response' is in force already"
            )
            # and raises the response level instead, the clock running again
            page.get_by_role("button", name="facilitator").click()
            page.get_by_role("button", name="Start").click()
            page.get_by_role("button", name="screened").click()  # the map, the clock running
            expect(page.locator(".drill-map-box")).to_contain_text("households screened")
            page.get_by_role("button", name="街道").click()
            page.get_by_role("button", name="declare a response level").click()
            choose(page, "mode *", "emergency")
            choose(page, "response level", "III")
            page.get_by_role("button", name="Decide").click()
            expect(page.locator(".drill-outcome", has_text="taken at")).to_be_visible()
            expect(page.locator(".drill-mode")).to_contain_text("emergency III")
            expect(cadres.locator("td").nth(1)).not_to_have_text("0")  # on duty

            page.get_by_role("button", name="facilitator").click()
            page.get_by_role("button", name="Finish").click()
            expect(page.locator(".drill-saved")).to_contain_text(str(out))
            expect(clock).to_contain_text("day 3 06:00")
            report = page.locator(".drill-report")
            expect(report).to_contain_text("written", timeout=180_000)
            with page.expect_download() as download:
                page.get_by_role("button", name="Download the report").click()
            downloaded = Path(download.value.path()).read_text(encoding="utf-8")
            page.set_viewport_size({"width": 1400, "height": 2600})  # down to the log
            page.screenshot(path=tmp_path / "drill_app.png")
            log_text = page.locator(".drill-log").inner_text()
            browser.close()
    finally:
        process.terminate()
        process.wait(timeout=20)
    assert (tmp_path / "drill_app.png").stat().st_size > 20_000

    played = json.loads((out / "drill_log.json").read_text(encoding="utf-8"))
    kinds = [(e["kind"], e["outcome"]) for e in played if e["role"] != "events list"]
    assert kinds == [
        ("inject", "fired"),
        ("decision", "taken"),
        ("decision", "refused"),
        ("decision", "taken"),
    ]
    assert all(entry["what"] in log_text for entry in played if entry["outcome"] != "refused")

    # the same decisions at the same simulated times, played from their script
    drill = load_drill(GAS_LEAK)
    scripted, _ = play_drill(drill, load_script(out / "decisions.yaml", drill))

    def plain(log: list[dict]) -> list[dict]:
        return [
            {k: v for k, v in e.items() if k != "wall"} for e in log if e["outcome"] != "refused"
        ]

    assert plain([entry.record() for entry in scripted.log]) == plain(played)
    objectives = json.loads((out / "objectives.json").read_text(encoding="utf-8"))
    assert objectives == json.loads(json.dumps(scripted.objectives()))
    assert objectives["leak_checked"]["status"] == "missed"
    assert downloaded == (out / "report.html").read_text(encoding="utf-8")
    assert "decisions.yaml" in downloaded and (out / "replays.csv").is_file()
