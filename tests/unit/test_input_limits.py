"""Bounded, finite input: every limit of sim.config.limits refused with the file, line and field
before anything is built; every way a file can fail to parse is a ScenarioError (exit 2), never
another exception; `extends:` reads only YAML files and never shows another file's lines; lines
survive aliases, merge keys and `extends:`; a child may change a distribution's kind."""

from __future__ import annotations

import os
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest

import sim
from sim.config.limits import LIMITS_ENV, Limits, limits
from sim.config.loader import ScenarioError, load_data, merge_mappings
from sim.scenario import load_scenario
from sim.sweep import load_experiment

ROOT = Path(__file__).resolve().parents[2]
MMC = ROOT / "scenarios" / "theory" / "mmc.yaml"


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def child_of_mmc(tmp_path: Path, text: str, name: str = "child.yaml") -> Path:
    """A scenario extending mmc.yaml with `text` over it."""
    (tmp_path / "mmc.yaml").write_text(MMC.read_text(encoding="utf-8"), encoding="utf-8")
    return write(tmp_path, name, "extends: mmc.yaml\n" + textwrap.dedent(text).lstrip("\n"))


def problems(error: pytest.ExceptionInfo[ScenarioError]) -> list[tuple[str, str, int | None]]:
    return [(Path(p.file).name, p.path, p.line) for p in error.value.problems]


def message(error: pytest.ExceptionInfo[ScenarioError]) -> str:
    return str(error.value)


@pytest.fixture
def small_limits(monkeypatch: pytest.MonkeyPatch):
    """Set GRIDSIM_LIMITS for one test."""

    def set_limits(text: str) -> None:
        monkeypatch.setenv(LIMITS_ENV, text)

    return set_limits


# --- the reader: size, depth, entries, values ------------------------------------------------


def test_a_file_larger_than_the_limit_is_refused_unread(tmp_path: Path, small_limits) -> None:
    small_limits("file_bytes=1000")
    big = write(tmp_path, "big.yaml", "name: x\n" + "# padding\n" * 200)
    with pytest.raises(ScenarioError) as error:
        load_data(big)
    assert problems(error) == [("big.yaml", "", None)]
    assert "more than 1,000 bytes" in message(error) and "file_bytes" in message(error)


def test_deep_nesting_is_refused_at_its_line(tmp_path: Path) -> None:
    deep = write(tmp_path, "deep.yaml", "name: x\na: " + "[" * 500 + "]" * 500 + "\n")
    with pytest.raises(ScenarioError) as error:
        load_data(deep)
    [(name, path, line)] = problems(error)
    assert (name, line) == ("deep.yaml", 2)
    assert path.startswith("a.0.0.0") and "nested too deep" in message(error)


def test_nesting_in_a_complex_key_is_refused_too(tmp_path: Path) -> None:
    deep = write(tmp_path, "key.yaml", "name: x\n? " + "[" * 500 + "]" * 500 + "\n: 1\n")
    with pytest.raises(ScenarioError, match="nested too deep"):
        load_data(deep)


def test_block_nesting_is_refused_too(tmp_path: Path) -> None:
    text = "".join(f"{'  ' * level}k{level}:\n" for level in range(300)) + "  " * 300 + "v: 1\n"
    with pytest.raises(ScenarioError, match="depth"):
        load_data(write(tmp_path, "deep.yaml", text))


def test_a_long_list_is_refused_at_the_first_entry_too_many(tmp_path: Path, small_limits) -> None:
    small_limits("items=10")
    items = "".join(f"  - {i}\n" for i in range(50))
    with pytest.raises(ScenarioError) as error:
        load_data(write(tmp_path, "long.yaml", f"name: x\ntags:\n{items}"))
    assert problems(error) == [("long.yaml", "tags.10", 13)]
    assert "too many entries" in message(error)


def test_a_large_mapping_is_refused(tmp_path: Path, small_limits) -> None:
    small_limits("items=10")
    keys = "".join(f"  k{i}: 1\n" for i in range(50))
    with pytest.raises(ScenarioError, match="too many entries"):
        load_data(write(tmp_path, "wide.yaml", f"name: x\nm:\n{keys}"))


def test_an_alias_bomb_is_refused(tmp_path: Path, small_limits) -> None:
    small_limits("nodes=10000")
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 8)]
    with pytest.raises(ScenarioError, match="nodes"):
        load_data(write(tmp_path, "bomb.yaml", "\n".join(lines) + "\n"))


@pytest.mark.parametrize("character", ["\x00", "\x07", "\x1b"])
def test_nul_and_control_characters_name_their_line(tmp_path: Path, character: str) -> None:
    bad = write(tmp_path, "ctl.yaml", f"name: x\ndescription: a{character}b\n")
    with pytest.raises(ScenarioError) as error:
        load_data(bad)
    assert problems(error) == [("ctl.yaml", "", 2)]
    assert "not allowed" in message(error)


def test_an_integer_of_5000_digits_is_bad_input_at_its_line(tmp_path: Path) -> None:
    bad = write(tmp_path, "int.yaml", "name: x\nseed: " + "7" * 5000 + "\n")
    with pytest.raises(ScenarioError) as error:
        load_data(bad)
    assert problems(error) == [("int.yaml", "", 2)]
    assert "7777" not in message(error)


def test_an_impossible_date_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as error:
        load_data(write(tmp_path, "date.yaml", "name: x\nwhen: 2024-13-45\n"))
    assert problems(error) == [("date.yaml", "", 2)]


def test_overrides_are_bounded_too(tmp_path: Path) -> None:
    file = write(tmp_path, "s.yaml", "name: x\n")
    with pytest.raises(ScenarioError, match="depth"):
        load_data(file, ["a" + ".a" * 300 + "=1"])
    with pytest.raises(ScenarioError, match="cannot read this value"):
        load_data(file, ["seed=" + "9" * 5000])
    with pytest.raises(ScenarioError, match="not allowed"):
        load_data(file, ["name=a\x00b"])


def test_bad_gridsim_limits_is_bad_input(tmp_path: Path, small_limits) -> None:
    small_limits("households=lots,color=3")
    with pytest.raises(ScenarioError) as error:
        load_data(write(tmp_path, "s.yaml", "name: x\n"))
    assert {(p.file, p.path) for p in error.value.problems} == {
        (LIMITS_ENV, "households"),
        (LIMITS_ENV, "color"),
    }


def test_limits_default_and_raised(small_limits) -> None:
    assert limits() == Limits()
    small_limits("households=5_000_000, runs=10")
    assert (limits().households, limits().runs, limits().grids) == (5_000_000, 10, Limits().grids)


# --- extends ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("/dev/zero", "only a YAML file"),
        ("/etc/passwd", "only a YAML file"),
        ("/tmp", "only a YAML file"),
        ("sub.yaml", "is a directory"),
        ("link.yaml", "only a YAML file"),  # a symlink named .yaml to a file that is not
        ("fifo.yaml", "not a regular file"),
    ],
)
def test_extends_reads_only_regular_yaml_files(tmp_path: Path, target: str, reason: str) -> None:
    (tmp_path / "sub.yaml").mkdir()
    (tmp_path / "secret.txt").write_text("password: hunter2\n", encoding="utf-8")
    (tmp_path / "link.yaml").symlink_to(tmp_path / "secret.txt")
    os.mkfifo(tmp_path / "fifo.yaml")
    child = write(tmp_path, "child.yaml", f"name: x\nextends: {target}\n")
    started = time.monotonic()
    with pytest.raises(ScenarioError) as error:
        load_data(child)
    assert time.monotonic() - started < 5
    assert problems(error) == [("child.yaml", "extends", 2)]
    assert reason in message(error)
    assert "hunter2" not in message(error)


def test_a_nul_in_the_extends_path_is_bad_input(tmp_path: Path) -> None:
    child = write(tmp_path, "child.yaml", 'name: x\nextends: "base\\0.yaml"\n')
    with pytest.raises(ScenarioError) as error:
        load_data(child)
    assert problems(error) == [("child.yaml", "extends", 2)]
    assert "NUL" in message(error)


def test_errors_in_an_extended_file_never_quote_its_lines(tmp_path: Path) -> None:
    write(tmp_path, "parent.yaml", "name: x\ntoken: s3cr3t-value\n  bad: [\n")
    child = write(tmp_path, "child.yaml", "extends: parent.yaml\n")
    with pytest.raises(ScenarioError) as error:
        load_data(child)
    assert problems(error)[0][:1] == ("parent.yaml",)
    assert "s3cr3t" not in message(error) and "^" not in message(error)


# --- lines through aliases, merge keys and extends; a distribution's kind ---------------------


def test_a_value_reached_by_an_alias_keeps_its_own_line(tmp_path: Path) -> None:
    write(
        tmp_path,
        "parent.yaml",
        """
        name: parent
        b: {cv: 1, median: 2}
        """,
    )
    child = write(
        tmp_path,
        "child.yaml",
        """
        extends: parent.yaml
        anchors:
          slow: &slow
            cv: 9
        b: *slow
        """,
    )
    _, origins = load_data(child)
    assert origins["b.cv"] == (str(child), 4)
    assert origins["b.median"] == (str(tmp_path / "parent.yaml"), 2)


def test_keys_of_a_merge_key_keep_their_lines(tmp_path: Path) -> None:
    write(tmp_path, "parent.yaml", "name: p\nteam: {per_grid: 1, speed: 1}\n")
    child = write(
        tmp_path,
        "child.yaml",
        """
        extends: parent.yaml
        base: &base
          speed: 2
          per_grid: 3
        team:
          <<: *base
          per_grid: 4
        """,
    )
    data, origins = load_data(child)
    assert data["team"] == {"speed": 2, "per_grid": 4}
    assert origins["team.speed"] == (str(child), 3)
    assert origins["team.per_grid"] == (str(child), 7)


def test_an_error_through_an_alias_names_the_anchor_line(tmp_path: Path) -> None:
    child = child_of_mmc(
        tmp_path,
        """
        x-slow: &slow {dist: lognormal, median: 1h, cv: -2}
        categories:
          service: {work: *slow, priority: 1}
        """,
    )
    with pytest.raises(ScenarioError) as error:
        load_scenario(child, ["x-slow=null"])  # the anchor's own key is gone, its value used
    assert ("child.yaml", "categories.service.work.cv", 2) in problems(error)


def test_a_child_may_change_a_distributions_kind(tmp_path: Path) -> None:
    child = child_of_mmc(
        tmp_path,
        """
        categories:
          service: {work: {dist: lognormal, median: 1h, cv: 0.5}, priority: 1}
        """,
        "lognormal.yaml",
    )
    grandchild = write(
        tmp_path,
        "exponential.yaml",
        """
        extends: lognormal.yaml
        categories:
          service: {work: {dist: exponential, mean: 2h}}
        """,
    )
    work = load_scenario(grandchild).categories["service"].work
    assert (work.dist, work.mean) == ("exponential", 2.0)
    assert load_scenario(child).categories["service"].work.dist == "lognormal"
    same_kind = merge_mappings({"dist": "gamma", "mean": 1, "cv": 2}, {"dist": "gamma", "cv": 3})
    assert same_kind == {"dist": "gamma", "mean": 1, "cv": 3}


# --- numbers: finite, and within physical ranges -----------------------------------------------


@pytest.mark.parametrize(
    ("text", "path"),
    [
        (
            "incidents: {x: {start: 1h, duration: 2h, intensity: [[0h, .nan]]}}",
            "incidents.x.intensity.0.1",
        ),
        ("grid_workers: {pay: {monthly_yuan: .inf}}", "grid_workers.pay.monthly_yuan"),
        (
            "categories: {service: {work: {dist: gamma, mean: 1h, cv: .inf}, priority: 1}}",
            "categories.service.work.cv",
        ),
        (
            "categories: {service: {work: {dist: lognormal, median: 1h, cv: 1e308}, priority: 1}}",
            "categories.service.work.cv",
        ),
        ("sources: {resident: {rate_per_household: 1e308}}", "sources.resident.rate_per_household"),
        (
            "sources: {patrol: {rate_per_household: {service: 12345/h}}}",
            "sources.patrol.rate_per_household.service",
        ),
        ("run: {days: 1e308}", "run.days"),
        ("run: {days: 1000, tick: 1s}", "run.tick"),
        (
            "sources: {resident: {rate_per_household: '1" + "0" * 400 + "/h'}}",
            "sources.resident.rate_per_household",
        ),
    ],
)
def test_numbers_must_be_finite_and_within_range(tmp_path: Path, text: str, path: str) -> None:
    child = child_of_mmc(tmp_path, text)
    with pytest.raises(ScenarioError) as error:
        load_scenario(child)
    assert ("child.yaml", path, 2) in problems(error), message(error)


# --- work size: households, grids, staff, runs -----------------------------------------------


@pytest.mark.parametrize(
    ("edit", "limit"),
    [
        ("grids: 1,", "grids: 100000000,"),
        ("households_per_grid: 100}", "households_per_grid: 1000000000}"),
        ("per_grid: 3 ", "per_grid: 100000000 "),
    ],
)
def test_a_world_or_staff_too_large_fails_fast_without_building_it(
    tmp_path: Path, edit: str, limit: str
) -> None:
    text = MMC.read_text(encoding="utf-8")
    assert edit in text
    big = tmp_path / "big.yaml"
    big.write_text(text.replace(edit, limit, 1), encoding="utf-8")
    started = time.monotonic()
    with pytest.raises(ScenarioError) as error:
        load_scenario(big)
    assert time.monotonic() - started < 5
    assert "above the limit" in message(error)
    [problem] = error.value.problems[:1]
    assert problem.line is not None and problem.path


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ("warm_start: {backlog: {service: 1000000000000}}", "warm_start.backlog"),
        (
            "sources: {admin: {departments: {civil: {quota: 100000000}}}}",
            "sources.admin.departments.civil.quota",
        ),
    ],
)
def test_work_released_at_once_is_bounded(tmp_path: Path, text: str, path: str) -> None:
    child = child_of_mmc(tmp_path, text)
    with pytest.raises(ScenarioError) as error:
        load_scenario(child)
    assert ("child.yaml", path, 2) in problems(error), message(error)
    assert "batch" in message(error)


def test_a_raised_limit_lets_a_larger_world_through(tmp_path: Path, small_limits) -> None:
    text = MMC.read_text(encoding="utf-8").replace(
        "households_per_grid: 100}", "households_per_grid: 3000000}"
    )
    big = tmp_path / "big.yaml"
    big.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError, match="households"):
        load_scenario(big)
    small_limits("households=3000000")
    assert load_scenario(big).world.streets[0].communities[0].households_per_grid == 3_000_000


def test_the_city_scenario_is_within_the_default_limits() -> None:
    scenario = load_scenario(ROOT / "scenarios" / "jiamusi_city.yaml")
    assert scenario.world.size_problems() == []
    assert scenario._staff_problems() == []


def test_too_many_runs_are_refused_without_listing_them(tmp_path: Path) -> None:
    experiment = ROOT / "experiments" / "staffing_mix.yaml"
    started = time.monotonic()
    with pytest.raises(ScenarioError) as error:
        load_experiment(experiment, ["replications=100000000"])
    assert time.monotonic() - started < 5
    assert [(p.file, p.path) for p in error.value.problems] == [("--set", "replications")]
    assert "runs" in message(error)


# --- a warm start's run folder ------------------------------------------------------------------


@pytest.mark.parametrize(
    "table",
    [
        b"not a parquet file at all",
        pd.DataFrame({"a": [1, 2]}),
        pd.DataFrame(
            {"category": ["service"], "grid": ["c-g01"], "household": ["x"], "status": ["open"]}
        ),
    ],
    ids=["corrupt", "foreign", "mistyped"],
)
def test_a_bad_warm_start_table_is_bad_input(tmp_path: Path, table: object) -> None:
    run = tmp_path / "run"
    run.mkdir()
    if isinstance(table, bytes):
        (run / "cases.parquet").write_bytes(table)
    else:
        table.to_parquet(run / "cases.parquet")
    child = child_of_mmc(tmp_path, "warm_start: {from_run: run}")
    with pytest.raises(ScenarioError) as error:
        load_scenario(child)
    assert problems(error) == [("child.yaml", "warm_start.from_run", 2)]
    assert "not a run's cases table" in message(error)


def test_a_warm_start_from_another_worlds_households_is_bad_input(tmp_path: Path) -> None:
    run = tmp_path / "run"
    run.mkdir()
    table = {"category": ["service"], "grid": ["c-g01"], "household": [10**6], "status": ["open"]}
    pd.DataFrame(table).to_parquet(run / "cases.parquet")
    scenario = load_scenario(child_of_mmc(tmp_path, "warm_start: {from_run: run}"))
    with pytest.raises(ScenarioError, match="household 1000000, not in this world"):
        sim.run(scenario, seed=0, days=1)
