"""Bad staffing input is refused before anything runs, naming the field; a staffing that only
turns bad during the run (everyone able to take a category has left) still runs to its horizon
and reports the cases nobody handled.

Through the Python API (`sim.scenario_from_dict` raising `sim.ScenarioError` whose problems
carry the dotted field path) and through the command line (`gridsim validate FILE...`: exit 2,
one `file:line: path: message` line per problem, no traceback).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

import sim
from sim.config.loader import merge_mappings
from sim.vocabulary import WEEKDAYS

from scenario_parts import NO_ATTRIBUTES, ROUND_THE_CLOCK, flat_requests

ROOT = Path(__file__).resolve().parents[2]
MMC = ROOT / "scenarios" / "theory" / "mmc.yaml"
EVERY_DAY = {"start": "08:00", "end": "17:00", "days": list(WEEKDAYS)}

BASE = {
    "name": "staffing-errors",
    "run": {"days": 5, "tick": "24h"},
    "world": {
        "households": NO_ATTRIBUTES,
        "streets": [
            {"id": "s", "communities": [{"id": "c", "grids": 3, "households_per_grid": 100}]}
        ],
    },
    "categories": {"service": {"work": "20min"}, "errand": {"work": "30min"}},
    "grid_workers": {"per_grid": 1, "shift": ROUND_THE_CLOCK, "patrol": {"enabled": False}},
    "sources": {"resident": flat_requests("0.002/h", mix={"service": 1, "errand": 0.5})},
    "loop": {"feedback": {"handler": "none"}},
}
FORMS = {
    "categories": {"forms": {"kind": "admin", "work": "10min", "loop": False}},
    "sources": {"admin": {"category": "forms", "rate_per_grid": "1/day"}},
}


def team(**settings) -> dict:
    return {"teams": {"x": {"kind": "part_time", "shift": ROUND_THE_CLOCK, **settings}}}


def patched(*patches: dict) -> dict:
    data = BASE
    for patch in patches:
        data = merge_mappings(data, patch)
    return data


# (patch, field path, part of the message)
BAD = {
    "category nobody may take": (
        {"grid_workers": {"categories": ["service"]}},
        "sources.resident.mix",
        "nobody present at every grid may take category 'errand'",
    ),
    "no grid workers and no team": (
        {"grid_workers": {"per_grid": 0}},
        "sources.resident.mix",
        "its cases could never be handled",
    ),
    "only a team that is not at every grid": (
        patched(
            {"grid_workers": {"categories": ["service"]}},
            team(per_grid=0, categories=["errand"]),
        ),
        "sources.resident.mix",
        "category 'errand'",
    ),
    "forms nobody may take": (
        patched(FORMS, {"grid_workers": {"categories": ["service", "errand"]}}),
        "sources.admin",
        "category 'forms'",
    ),
    "overlapping shifts on one day": (
        team(
            per_grid=1,
            roster=[
                [
                    {"start": "08:00", "end": "17:00", "days": ["mon"]},
                    {"start": "16:00", "end": "20:00", "days": ["mon"]},
                ]
            ],
        ),
        "teams.x",
        "roster pattern 0 has overlapping shifts",
    ),
    "overlapping night shift into the next day": (
        team(
            per_grid=1,
            roster=[
                [EVERY_DAY],
                [
                    {"start": "20:00", "end": "08:00", "days": ["tue"]},
                    {"start": "07:00", "end": "12:00", "days": ["wed"]},
                ],
            ],
        ),
        "teams.x",
        "roster pattern 1 has overlapping shifts",
    ),
    "overlapping across the week's end": (
        team(
            per_grid=1,
            roster=[
                [
                    {"start": "22:00", "end": "06:00", "days": ["sun"]},
                    {"start": "05:00", "end": "09:00", "days": ["mon"]},
                ]
            ],
        ),
        "teams.x",
        "overlapping shifts",
    ),
    "profile shares below 1": (
        team(per_grid=1, profiles=[{"name": "a", "share": 0.5}, {"name": "b", "share": 0.3}]),
        "teams.x",
        "profile shares must add up to 1, not 0.8",
    ),
    "profile shares above 1": (
        team(per_grid=1, profiles=[{"name": "a", "share": 0.7}, {"name": "b", "share": 0.7}]),
        "teams.x",
        "profile shares must add up to 1, not 1.4",
    ),
    "a share above 1": (
        team(per_grid=1, profiles=[{"name": "a", "share": 1.5}]),
        "teams.x.profiles.0.share",
        "between 0 and 1",
    ),
    "two sizes": (
        team(per_grid=1, per_community=2),
        "teams.x",
        "give only one of per_grid, per_community, grids_per_member, table, not per_grid and "
        "per_community",
    ),
    "three sizes": (
        team(per_grid=1, per_community=2, grids_per_member=3),
        "teams.x",
        "give only one of",
    ),
    "no size": (team(), "teams.x", "give one of per_grid, per_community, grids_per_member"),
    "unknown category": (
        team(per_grid=1, categories=["service", "servcie"]),
        "teams.x.categories",
        "unknown category 'servcie'",
    ),
    "unknown category resolved": (
        team(per_grid=1, resolves={"erand": 0.5}),
        "teams.x.resolves",
        "unknown category 'erand'",
    ),
    "blocked unknown department": (
        patched(FORMS, {"sources": {"admin": {"blocked": ["民政", "公安"]}}}),
        "sources.admin",
        "blocked departments not in departments: 公安",
    ),
    "grid workers sized by a rule and per grid": (
        {"grid_workers": {"per_grid": 1, "rule": {"points_per_worker": 10}}},
        "grid_workers",
        "give either rule or per_grid, not both",
    ),
    "grid workers sized by a rule and per k grids": (
        {"grid_workers": {"per_grid": None, "grids_per_member": 2, "rule": {}}},
        "grid_workers",
        "give either rule or grids_per_member, not both",
    ),
    "difficulty rule max below min": (
        {"grid_workers": {"per_grid": None, "rule": {"min": 3, "max": 2}}},
        "grid_workers.rule",
        "max must be ≥ min",
    ),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_staffing_raises_scenario_error_with_the_field_path(case: str) -> None:
    patch, path, message = BAD[case]
    with pytest.raises(sim.ScenarioError) as info:
        sim.scenario_from_dict(patched(patch), source="staffing.yaml")
    problems = [(p.path, p.message) for p in info.value.problems]
    # the field named, or a field inside it (a more precise path is as good)
    named = [(p, m) for p, m in problems if p == path or p.startswith(f"{path}.")]
    assert any(message in m for _, m in named), problems
    assert f"staffing.yaml: {named[0][0]}: " in str(info.value)


def test_every_staffing_problem_is_reported_at_once() -> None:
    data = merge_mappings(team(per_grid=1, per_community=1), {"teams": {"y": {"per_grid": 1}}})
    data = merge_mappings(data, {"teams": {"y": {"profiles": [{"name": "a", "share": 0.2}]}}})
    with pytest.raises(sim.ScenarioError) as info:
        sim.scenario_from_dict(patched(data))
    assert {p.path for p in info.value.problems} == {"teams.x", "teams.y"}


#: Profile shares that add up to 1 only up to floating-point rounding (0.1 + 0.2 + 0.7).
ROUNDED_SHARES = [("a", 0.1), ("b", 0.2), ("c", 0.7)]


def test_good_staffing_passes() -> None:
    sim.scenario_from_dict(
        patched(
            {"grid_workers": {"categories": ["service"]}},
            team(
                per_community=1,
                categories=["errand"],
                roster=[
                    [
                        {"start": "08:00", "end": "12:00", "days": ["mon"]},
                        {"start": "12:00", "end": "16:00", "days": ["mon"]},
                        {"start": "20:00", "end": "08:00", "days": ["sun"]},
                    ]
                ],
                profiles=[{"name": name, "share": share} for name, share in ROUNDED_SHARES],
            ),
        )
    )


# --- through the command line -------------------------------------------------------------------

#: file name → (YAML after `extends: mmc.yaml`, text on the offending line, path, message)
CLI_BAD = {
    "coverage.yaml": (
        "grid_workers:\n  categories: []\nsources:\n  resident:\n    mix: {service: 1}\n",
        "mix:",
        "sources.resident.mix.service",
        "nobody present at every grid may take category 'service'",
    ),
    "overlap.yaml": (
        "teams:\n"
        "  evening:\n"
        "    per_grid: 1\n"
        "    roster:\n"
        "      - - {start: '08:00', end: '17:00', days: [mon]}\n"
        "        - {start: '16:00', end: '20:00', days: [mon]}\n",
        "evening:",
        "teams.evening",
        "roster pattern 0 has overlapping shifts",
    ),
    "shares.yaml": (
        "teams:\n"
        "  mixed:\n"
        "    per_grid: 2\n"
        "    profiles:\n"
        "      - {name: young, share: 0.5}\n"
        "      - {name: old, share: 0.3}\n",
        "mixed:",
        "teams.mixed",
        "profile shares must add up to 1, not 0.8",
    ),
    "share_above_one.yaml": (
        "teams:\n  mixed:\n    per_grid: 2\n    profiles:\n      - {name: young, share: 1.5}\n",
        "share: 1.5",
        "teams.mixed.profiles.0.share",
        "between 0 and 1",
    ),
    "two_sizes.yaml": (
        "teams:\n  pool:\n    per_grid: 1\n    grids_per_member: 3\n",
        "pool:",
        "teams.pool",
        "give only one of",
    ),
    "unknown_category.yaml": (
        "teams:\n  pool:\n    per_grid: 1\n    categories: [servcie]\n",
        "categories: [servcie]",
        "teams.pool.categories",
        "unknown category 'servcie'",
    ),
    "rule_and_size.yaml": (  # mmc.yaml sizes grid workers per_grid: 3, as baseline.yaml does 1
        "grid_workers:\n  rule: {points_per_worker: 300}\n",
        "grid_workers:",
        "grid_workers",
        "give either rule or per_grid, not both",
    ),
    "blocked.yaml": (
        "categories:\n"
        "  forms: {kind: admin, work: 10min, loop: false}\n"
        "sources:\n"
        "  admin:\n"
        "    category: forms\n"
        "    rate_per_grid: 1/day\n"
        "    blocked: [民政, 公安]\n",
        "admin:",
        "sources.admin",
        "blocked departments not in departments: 公安",
    ),
}


def console_script() -> str:
    script = shutil.which("gridsim", path=str(Path(sys.executable).parent))
    if script is None:
        pytest.fail("the gridsim console script is not installed: run `pip install -e .`")
    return script


def gridsim(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [console_script(), *map(str, args)],
        cwd=cwd,
        env={"PATH": "/usr/bin:/bin", "NO_COLOR": "1", "COLUMNS": "200", "LANG": "C.UTF-8"},
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
    )


def line_of(file: Path, needle: str) -> int:
    lines = file.read_text(encoding="utf-8").splitlines()
    return next(i for i, text in enumerate(lines, 1) if needle in text)


def test_validate_reports_each_bad_staffing_with_file_line_and_path(tmp_path: Path) -> None:
    files = []
    for name, (body, _, _, _) in CLI_BAD.items():
        file = tmp_path / name
        file.write_text(f"extends: {MMC}\nname: {file.stem}\n{body}", encoding="utf-8")
        files.append(file)
    result = gridsim("validate", MMC, *files, cwd=tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 2, output
    assert "Traceback" not in output
    assert f"ok {MMC}" in result.stdout
    for file, (_, needle, path, message) in zip(files, CLI_BAD.values(), strict=True):
        where = f"{file}:{line_of(file, needle)}: {path}: "
        assert re.search(rf"^\s*{re.escape(where)}.*{re.escape(message)}", result.stderr, re.M), (
            where,
            result.stderr,
        )
    assert f"{len(files)} of {len(files) + 1} files have problems" in result.stderr


# --- a category nobody is left to handle --------------------------------------------------------

DESERTED = patched(
    {
        "grid_workers": {"categories": ["service"]},
        "teams": {
            "vol": {
                "kind": "volunteer",
                "per_community": 3,
                "shift": EVERY_DAY,
                "categories": ["errand"],
                "dropout": {"after_idle": "30min", "p": 1.0},
            }
        },
    }
)


def test_cases_nobody_can_handle_stay_open_and_the_run_ends_at_its_horizon() -> None:
    """Volunteers are the only ones who may run errands; present at every grid, they pass the
    coverage check, but all of them leave after their first idle half hour."""
    scenario = sim.scenario_from_dict(DESERTED)
    result = sim.run(scenario, seed=3, days=10)
    summary, cases, workers = result.summary, result.cases, result.workers
    assert summary["horizon_h"] == 240.0
    assert result.timeseries["t_h"].max() == 240.0
    vol = workers[workers["role"] == "vol"]
    assert vol["left_h"].notna().all() and (vol["left_h"] < 24.0).all()
    untouched = cases[(cases["status"] == "open") & cases["accepted_h"].isna()]
    assert summary["unhandled"] == len(untouched) > 10
    assert set(untouched["category"].astype(str)) == {"errand"}
    # errands arriving after the last volunteer left are never started
    gone = vol["left_h"].max()
    late = cases[(cases["category"] == "errand") & (cases["created_h"] > gone)]
    assert len(late) > 0 and late["accepted_h"].isna().all()
    # the rest of the work goes on as usual, and every case is accounted for
    service = cases[cases["category"] == "service"]
    assert service.loc[service["created_h"] < 230.0, "implemented_h"].notna().all()
    checks = summary["checks"]
    assert checks["conservation"] and checks["open"] >= summary["unhandled"]
    assert np.isfinite(summary["time_to_close_h"]["mean"])


def test_the_command_line_run_reports_unhandled_cases(tmp_path: Path) -> None:
    file = tmp_path / "deserted.yaml"
    file.write_text(yaml.safe_dump(DESERTED, allow_unicode=True), encoding="utf-8")
    assert gridsim("validate", file, cwd=tmp_path).returncode == 0
    out = tmp_path / "run"
    result = gridsim("run", file, "--days", "6", "--seed", "3", "--out", out, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["horizon_h"] == 144.0
    assert summary["unhandled"] > 0
