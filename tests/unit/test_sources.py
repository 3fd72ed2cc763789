"""Work sources: resident requests (rate, hour-of-day profile, weekend factor, household
multipliers) and the revisit cadence. Counts are compared with their Poisson expectation within
4 standard errors; runs are seeded, so the tests are deterministic."""

from __future__ import annotations

import math

import mesa
import numpy as np
import pandas as pd
import pytest
from scipy import stats

import sim
from sim.config.loader import merge_mappings
from sim.metrics import cases_table
from sim.model import GridModel
from sim.vocabulary import ATTRIBUTES

from scenario_parts import INSTANT_LOOP, NO_ATTRIBUTES, ROUND_THE_CLOCK, flat_requests

RATE = 0.02  # requests per household per hour

BASE = {
    "name": "sources-test",
    "run": {"days": 20, "tick": "24h"},
    "world": {
        "households": NO_ATTRIBUTES,
        "streets": [
            {
                "id": "s",
                "communities": [
                    {"id": "a", "grids": 2, "households_per_grid": 50},
                    {"id": "b", "grids": 2, "households_per_grid": 150},
                ],
            }
        ],
    },
    "categories": {"service": {"work": "1min", "priority": 1}},
    "grid_workers": {"per_grid": 3, "shift": ROUND_THE_CLOCK, "patrol": {"enabled": False}},
    "sources": {"resident": flat_requests(f"{RATE}/h")},
    "loop": INSTANT_LOOP,
}


def simulate(patch: dict, seed: int = 1) -> tuple[GridModel, pd.DataFrame]:
    """Run the model itself (not `sim.run`) to keep its world: (model, cases table)."""
    scenario = sim.scenario_from_dict(merge_mappings(BASE, patch))
    model = GridModel(scenario, seed=seed)
    try:
        model.run_model()
        return model, cases_table(model)
    finally:
        mesa.Agent._ids.pop(model, None)


def within(count: float, expected: float, k: float = 4.0) -> bool:
    """Poisson count within k standard errors of its expectation."""
    return abs(count - expected) < k * math.sqrt(expected)


def resident(cases: pd.DataFrame) -> pd.DataFrame:
    return cases[cases["source"] == "resident"]


# --- resident requests ------------------------------------------------------------------------


def test_arrival_counts_match_rate_households_days():
    model, cases = simulate({})
    cases = resident(cases)
    days = 20
    households = np.array([g.households for g in model.world.grids])
    assert households.tolist() == [50, 50, 150, 150]
    expected = RATE * households * 24 * days
    counts = cases["grid"].cat.codes.value_counts().reindex(range(4), fill_value=0).to_numpy()
    for grid, (count, mean) in enumerate(zip(counts, expected, strict=True)):
        assert within(count, mean), (grid, count, mean)
    assert within(counts.sum(), expected.sum())
    # the household of a request lives in the request's grid
    household_grid = model.world.households["grid"][cases["household"].to_numpy()]
    np.testing.assert_array_equal(household_grid, cases["grid"].cat.codes.to_numpy())
    assert (cases["created_h"] < 24 * days).all()


def test_hourly_profile_shape():
    profile = [0.0] * 6 + [0.5, 1, 2, 3, 3, 2, 1, 1, 2, 2, 3, 3, 2, 1, 0.5] + [0.0] * 3
    model, cases = simulate({"sources": {"resident": {"hourly_profile": profile}}}, seed=2)
    hours = (resident(cases)["created_h"] % 24).astype(int)
    counts = np.bincount(hours, minlength=24)
    weights = np.array(profile) / np.mean(profile)  # normalised to mean 1: daily total kept
    expected = RATE * model.world.n_households * 20 * weights
    zero = weights == 0
    assert (counts[zero] == 0).all()
    assert within(counts.sum(), expected.sum())
    _, p_value = stats.chisquare(counts[~zero], expected[~zero] * counts.sum() / expected.sum())
    assert p_value > 1e-3
    for hour in np.flatnonzero(~zero):
        assert within(counts[hour], expected[hour]), hour


def test_weekend_factor():
    factor = 0.25
    days = 21
    model, cases = simulate(
        {
            "run": {"days": days, "start_weekday": "fri"},
            "sources": {"resident": {"weekend_factor": factor}},
        },
        seed=3,
    )
    day = (resident(cases)["created_h"] // 24).astype(int)
    weekend_days = np.array([model.calendar.weekday(d) in ("sat", "sun") for d in range(days)])
    assert weekend_days.sum() == 6
    per_day = np.bincount(day, minlength=days)
    daily = RATE * model.world.n_households * 24
    assert within(per_day[~weekend_days].sum(), daily * (~weekend_days).sum())
    assert within(per_day[weekend_days].sum(), daily * factor * weekend_days.sum())
    assert per_day[weekend_days].max() < per_day[~weekend_days].min()


def test_attribute_multipliers():
    """Group rentals request at 2×, shops at 1.5×, both at 3×; other attributes at 1×."""
    mix = dict.fromkeys(ATTRIBUTES, 0.0) | {"rental": 0.6, "group_rental": 0.3, "shop": 0.3}
    multipliers = {"group_rental": 2.0, "shop": 1.5}
    model, cases = simulate(
        {
            "world": {"households": mix},
            "sources": {"resident": {"multipliers": multipliers}},
        },
        seed=4,
    )
    table = model.world.households
    requests = np.bincount(resident(cases)["household"], minlength=model.world.n_households)
    per_household = RATE * 24 * 20
    group, shop = table["group_rental"], table["shop"]
    for g in (False, True):
        for s in (False, True):
            members = (group == g) & (shop == s)
            assert members.sum() > 30
            factor = (2.0 if g else 1.0) * (1.5 if s else 1.0)
            expected = per_household * factor * members.sum()
            assert within(requests[members].sum(), expected), (g, s)
    # group rentals at about twice the rate of other households (log ratio within 4 SE)
    plain = ~group & ~shop
    rental_only = table["rental"] & ~group & ~shop  # rental itself carries no multiplier
    in_group = group & ~shop
    count_g, count_p = requests[in_group].sum(), requests[plain].sum()
    ratio = (count_g / in_group.sum()) / (count_p / plain.sum())
    se = math.sqrt(1 / count_g + 1 / count_p)
    assert abs(math.log(ratio) - math.log(2.0)) < 4 * se, ratio
    expected = per_household * rental_only.sum()
    assert within(requests[rental_only].sum(), expected)


@pytest.mark.parametrize("seed", [5, 6])
def test_mix_shares(seed):
    mix = {"service": 3, "other": 1}
    _, cases = simulate(
        {
            "categories": {"other": {"work": "1min"}},
            "sources": {"resident": {"mix": mix}},
        },
        seed=seed,
    )
    cases = resident(cases)
    n = len(cases)
    share = (cases["category"] == "other").mean()
    assert abs(share - 0.25) < 4 * math.sqrt(0.25 * 0.75 / n)


# --- revisits ---------------------------------------------------------------------------------


#: The phone and home revisit categories (their work content does not matter here).
REVISIT_CATEGORIES = {
    "revisit_phone": {"kind": "revisit", "work": "3min", "loop": False},
    "revisit_home": {"kind": "revisit", "work": "8min", "loop": False},
}


@pytest.fixture(scope="module")
def revisits() -> tuple[GridModel, pd.DataFrame]:
    return simulate(
        {
            "run": {"days": 60},
            "world": {
                "streets": [
                    {"id": "s", "communities": [{"id": "c", "grids": 2, "households_per_grid": 60}]}
                ]
            },
            "categories": REVISIT_CATEGORIES,
            "sources": {
                "resident": {"enabled": False},
                "revisits": {"phone_every": "15d", "home_every": "30d"},
            },
        },
        seed=7,
    )


@pytest.mark.parametrize(("category", "every_days"), [("revisit_phone", 15), ("revisit_home", 30)])
def test_revisit_cadence_one_task_per_household_per_window(revisits, category, every_days):
    model, cases = revisits
    every = 24.0 * every_days
    tasks = cases[cases["category"] == category]
    assert (tasks["source"] == "revisit").all()
    n_windows = round(60 / every_days)
    window = np.floor(tasks["created_h"].to_numpy() / every + 1e-12).astype(int)
    assert window.min() == 0
    assert window.max() == n_windows - 1
    per = pd.crosstab(tasks["household"].to_numpy(), window)
    assert len(per) == model.world.n_households  # every household is due
    assert per.shape[1] == n_windows
    assert (per.to_numpy() == 1).all()  # exactly once per window
    # the same phase every window: release times step by exactly one window per household
    offsets = tasks.assign(w=window).pivot(index="household", columns="w", values="created_h")
    np.testing.assert_allclose(np.diff(offsets.to_numpy(), axis=1), every, atol=1e-6)
    # phases spread over the window
    phase = offsets[0].to_numpy() / every
    assert phase.min() < 0.1
    assert phase.max() > 0.9
    np.testing.assert_allclose(tasks["deadline_h"] - tasks["created_h"], every, atol=1e-9)
    # the revisit's household is in the revisit's grid
    household_grid = model.world.households["grid"][tasks["household"].to_numpy()]
    np.testing.assert_array_equal(household_grid, tasks["grid"].cat.codes.to_numpy())


def test_revisit_run_holds_only_revisits(revisits):
    _, cases = revisits
    assert set(cases["source"]) == {"revisit"}
    assert set(cases["kind"]) == {"revisit"}


def test_revisits_go_to_the_targeted_households_only():
    """Urban presets revisit vulnerable households only: each of those once per window, and
    no other household ever."""
    model, cases = simulate(
        {
            "run": {"days": 30},
            "world": {"households": {"vulnerable": 0.2}},
            "categories": REVISIT_CATEGORIES,
            "sources": {
                "resident": {"enabled": False},
                "revisits": {"households": "vulnerable", "phone_every": "15d"},
            },
        },
        seed=3,
    )
    vulnerable = np.flatnonzero(model.world.households["vulnerable"])
    assert 0 < len(vulnerable) < model.world.n_households
    phone = cases[cases["category"] == "revisit_phone"]
    home = cases[cases["category"] == "revisit_home"]
    assert set(phone["household"]) == set(home["household"]) == set(vulnerable.tolist())
    assert len(phone) == 2 * len(vulnerable) and len(home) == len(vulnerable)


def test_every_source_is_registered_once_with_its_settings_and_kind():
    """The registry is the one place a source is named: its settings block under `sources:`,
    the kind of category it brings, and the labels of the case table's `source` column."""
    from sim.vocabulary import CATEGORY_KINDS
    from sim.work.sources import REQUIRED, SOURCE_NAMES, SOURCES, Sources

    assert len(set(SOURCE_NAMES)) == len(SOURCES)
    keyed = {source.key: source for source in SOURCES if source.key is not None}
    assert set(Sources.model_fields) == set(keyed)
    for key, source in keyed.items():
        field = Sources.model_fields[key]
        assert field.is_required() == (key in REQUIRED)
        assert source.Spec.__doc__ and field.description == source.Spec.__doc__
    assert all(source.kind is None or source.kind in CATEGORY_KINDS for source in SOURCES)
    _, cases = simulate({"run": {"days": 2}})
    assert list(cases["source"].cat.categories) == list(SOURCE_NAMES)
    assert list(cases["found_by"].cat.categories) == list(SOURCE_NAMES)


def test_a_category_of_the_wrong_kind_is_refused_where_the_source_names_it():
    patch = {
        "categories": {"forms": {"kind": "admin", "work": "5min", "loop": False}},
        "sources": {"resident": {"mix": {"service": 1, "forms": 1}}},
    }
    with pytest.raises(sim.ScenarioError) as info:
        sim.scenario_from_dict(merge_mappings(BASE, patch))
    assert [(p.path, p.message) for p in info.value.problems] == [
        (
            "sources.resident.mix.forms",
            "category 'forms' has kind 'admin'; this source needs 'request'",
        )
    ]


@pytest.mark.parametrize("field", ["phone_every", "home_every"])
def test_a_revisit_window_of_no_time_is_refused(field):
    # a window of 0 h would make every household due without end (found by mutating baseline.yaml)
    patch = {"sources": {"revisits": {field: "0h"}}}
    with pytest.raises(sim.ScenarioError) as info:
        sim.scenario_from_dict(merge_mappings(BASE, patch))
    assert [(p.path, p.message) for p in info.value.problems] == [
        (f"sources.revisits.{field}", "Input should be greater than 0 (got 0.0)")
    ]
