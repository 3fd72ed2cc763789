"""The performance score (sim/metrics/performance.py; 星级评定, 百分制): each part recomputed from
the run's tables, the score their weighted mean over the parts that apply, the stars its
bands, the star bonus in the cost, departments and vacant posts unscored, a new holder scored
on their own record only; the summary block counts what the table holds."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.vocabulary import ACTIVITIES, CLOSED_LOOP_KINDS

PARTS = ("on_time", "productivity", "revisits", "field")
WEIGHTS = {"on_time": 40.0, "productivity": 30.0, "revisits": 15.0, "field": 15.0}
BONUS = [0.0, 100.0, 200.0, 1000.0, 3000.0]
DAYS = 21.0


@pytest.fixture(scope="module")
def scored() -> sim.Result:
    scenario = sim.load_scenario(
        "scenarios/baseline.yaml",
        [
            "performance={stars: [90, 95, 97, 99]}",
            "grid_workers.min_field_share=0.2",
            f"grid_workers.pay.star_bonus_yuan={BONUS}",
        ],
    )
    return sim.run(scenario, seed=2, days=DAYS)


def test_the_score_is_the_weighted_mean_of_the_parts_that_apply(scored: sim.Result) -> None:
    workers = scored.workers
    grid = workers[workers["role"] == "grid_worker"]
    parts = grid[[f"score_{p}" for p in PARTS]].to_numpy()
    weights = np.array([WEIGHTS[p] for p in PARTS])
    present = ~np.isnan(parts)
    assert present.all()  # every part applies to every grid worker here
    expected = 100 * (np.nan_to_num(parts) * weights).sum(axis=1) / (present * weights).sum(axis=1)
    np.testing.assert_allclose(grid["score"], expected)
    stars = 1 + (grid["score"].to_numpy()[:, None] >= [90, 95, 97, 99]).sum(axis=1)
    np.testing.assert_array_equal(grid["stars"].to_numpy(dtype=int), stars)
    assert workers.loc[workers["kind"] == "department", "score"].isna().all()
    assert len(set(stars)) > 1  # the bands tell the workers apart


def test_each_part_is_what_it_says(scored: sim.Result) -> None:
    workers, cases = scored.workers, scored.cases
    grid = workers[workers["role"] == "grid_worker"].set_index("staff_id")
    horizon = scored.summary["horizon_h"]
    for staff_id, row in grid.iterrows():
        mine = cases[cases["handler_id"] == staff_id]
        loop = mine[mine["kind"].isin(CLOSED_LOOP_KINDS)]
        reported = loop["feedback_h"].fillna(loop["closed_h"])
        due = (loop["deadline_h"] <= horizon) | reported.notna()
        assert row["score_on_time"] == pytest.approx((reported <= loop["deadline_h"])[due].mean())
        revisits = mine[(mine["kind"] == "revisit") & (mine["status"] != "open")]
        assert row["score_revisits"] == pytest.approx((revisits["status"] == "closed").mean())
        on_duty = sum(row[f"{a}_h"] for a in ACTIVITIES if a != "off")
        assert row["score_field"] == pytest.approx(min(1.0, row["field_h"] / on_duty / 0.2))
    productivity = grid["score_productivity"]
    assert productivity.max() == 1.0 and (productivity == 1.0).sum() >= len(grid) / 2
    assert productivity.min() < 1.0  # those below the team's median score less


def test_stars_pay_a_bonus_counted_in_the_cost(scored: sim.Result) -> None:
    workers = scored.workers
    grid = workers[workers["role"] == "grid_worker"]
    years = DAYS / 365
    expected = [BONUS[int(s) - 1] * years for s in grid["stars"]]
    np.testing.assert_allclose(grid["star_bonus_yuan"], expected)
    block = scored.summary["performance"]["grid_worker"]
    assert block["star_bonus_yuan"] == pytest.approx(sum(expected))
    assert block["scored"] == len(grid) == sum(block["stars"].values())
    assert scored.summary["cost_yuan"] == pytest.approx(workers["cost_yuan"].sum())


def test_parts_that_do_not_apply_are_left_out() -> None:
    scenario = sim.load_scenario("scenarios/baseline.yaml", ["performance={}"])
    result = sim.run(scenario, seed=2, days=7)
    grid = result.workers[result.workers["role"] == "grid_worker"]
    assert grid["score_field"].isna().all()  # no field target
    parts = grid[["score_on_time", "score_productivity", "score_revisits"]].to_numpy()
    weights = np.array([40.0, 30.0, 15.0])
    expected = 100 * (parts * weights).sum(axis=1) / weights.sum()
    np.testing.assert_allclose(grid["score"], expected)
    assert result.summary["performance"]["grid_worker"]["parts"]["field"] is None


def test_a_new_holder_is_scored_on_their_own_record_and_a_vacant_post_not_at_all() -> None:
    scenario = sim.load_scenario(
        "scenarios/baseline.yaml",
        [
            "performance={}",
            "grid_workers.attrition={annual_rate: 8/year, recruitment_delay: 5d}",
        ],
    )
    result = sim.run(scenario, seed=1, days=60)
    grid = result.workers[result.workers["role"] == "grid_worker"]
    vacant = grid["holder_since_h"].isna()
    assert grid.loc[vacant, "score"].isna().all()
    assert grid.loc[~vacant, "score"].notna().all()
    new = grid[grid["holder_since_h"] > 0]
    assert len(new) > 0
    cases = result.cases
    for _, row in new.iterrows():
        mine = cases[
            (cases["handler_id"] == row["staff_id"])
            & (cases["implemented_h"] >= row["holder_since_h"])
            & cases["kind"].isin(CLOSED_LOOP_KINDS)
        ]
        reported = mine["feedback_h"].fillna(mine["closed_h"])
        due = (mine["deadline_h"] <= 60 * 24) | reported.notna()
        expected = (reported <= mine["deadline_h"])[due].mean() if due.any() else np.nan
        assert row["score_on_time"] == pytest.approx(expected, nan_ok=True)
