"""The performance score (星级评定, 百分制; docs/sources.md A47) of each member of grid-side staff
holding a post at the end of the run, from their record since they took it: a 100-point score
weighed from its parts (sim.config.performance), 1 to 5 stars by its bands, and the star bonus
their pay gives (`pay.star_bonus_yuan`, added to the cost); and the summary block, by team."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.config.performance import Performance
from sim.config.teams import HOURS_PER_YEAR
from sim.vocabulary import ACTIVITIES, CLOSED_LOOP_KINDS

if TYPE_CHECKING:
    from sim.model import GridModel

PARTS = ("on_time", "productivity", "revisits", "field")


def score_workers(model: GridModel, cases: pd.DataFrame, workers: pd.DataFrame) -> pd.DataFrame:
    """The workers table with each grid-side post's `score_<part>` (0-1, NaN where the part
    does not apply), `score` (0-100), `stars` (1-5) and `star_bonus_yuan` (included in
    `cost_yuan`) for the member holding it at the end; NaN for departments and posts vacant at
    the end."""
    settings: Performance = model.scenario.performance
    teams = model.scenario.all_teams()
    rows = []
    for staff, _ in model.staff_records():
        if staff.kind == "department" or staff.vacant:
            rows.append({"staff_id": staff.name})
            continue
        hours, work = staff.record_since_hire()
        on_duty = sum(hours[a] for a in ACTIVITIES if a != "off")
        target = teams[staff.role].min_field_share
        field = (hours["visits"] + hours["patrol"]) / on_duty if on_duty else np.nan
        rows.append(
            {
                "staff_id": staff.name,
                "since": max(staff.hired_at, 0.0),
                "work_rate": work / on_duty if on_duty else np.nan,
                "score_field": np.minimum(1.0, field / target) if target else np.nan,
            }
        )
    record = pd.DataFrame(rows).set_index("staff_id").reindex(workers["staff_id"])
    record = record.join(_case_parts(cases, record["since"], model.horizon))
    median = record.groupby(workers["role"].to_numpy())["work_rate"].transform("median")
    record["score_productivity"] = np.minimum(1.0, record["work_rate"] / median.replace(0, np.nan))
    parts = record[[f"score_{part}" for part in PARTS]]
    weights = np.array([settings.weights.get(part, 0.0) for part in PARTS])
    present = parts.notna().to_numpy() & (weights > 0)
    total = (present * weights).sum(axis=1)
    with np.errstate(invalid="ignore"):
        score = 100.0 * (parts.fillna(0.0).to_numpy() * weights).sum(axis=1) / total
    stars = np.where(np.isnan(score), np.nan, 1 + (score[:, None] >= settings.stars).sum(axis=1))
    out = workers.copy()
    for column in parts:
        out[column] = parts[column].to_numpy()
    out["score"] = score
    out["stars"] = pd.array(stars, dtype="Int8")
    bonus = [
        pay.star_bonus_yuan[int(s) - 1] if pay.star_bonus_yuan and not np.isnan(s) else 0.0
        for (_, pay), s in zip(model.staff_records(), stars, strict=True)
    ]
    years = (model.horizon - record["since"].to_numpy()) / HOURS_PER_YEAR
    out["star_bonus_yuan"] = np.nan_to_num(np.array(bonus) * years)
    out["cost_yuan"] += out["star_bonus_yuan"]
    return out


def _case_parts(cases: pd.DataFrame, since: pd.Series, horizon: float) -> pd.DataFrame:
    """Per member (by staff id), from what they handled since they took their post: the share
    of their closed-loop cases reported back by the deadline (of those due or reported), and
    the share of the revisits they made last that reached the household."""
    handler = cases["handler_id"].astype(object)
    mine = cases[cases["implemented_h"] >= handler.map(since)]
    loop = mine[mine["kind"].isin(CLOSED_LOOP_KINDS)]
    reported = loop["feedback_h"].fillna(loop["closed_h"])
    due = (loop["deadline_h"] <= horizon) | reported.notna()
    on_time = (reported <= loop["deadline_h"])[due]
    revisits = mine[(mine["kind"] == "revisit") & mine["status"].isin(["closed", "unreached"])]
    reached = revisits["status"] == "closed"
    return pd.DataFrame(
        {
            "score_on_time": on_time.groupby(handler[on_time.index]).mean(),
            "score_revisits": reached.groupby(handler[reached.index]).mean(),
        }
    )


def performance_kpis(workers: pd.DataFrame) -> dict:
    """Per team: members scored, their scores (mean, quantiles, least, most), how many got each
    number of stars, the mean of each part, and the star bonus paid."""
    scored = workers[workers["score"].notna()]
    out = {}
    for role, team in scored.groupby("role", sort=True):
        score = team["score"]
        out[str(role)] = {
            "scored": len(team),
            "score": {
                "mean": float(score.mean()),
                "p10": float(score.quantile(0.1)),
                "p50": float(score.median()),
                "min": float(score.min()),
                "max": float(score.max()),
            },
            "stars": {str(k): int((team["stars"] == k).sum()) for k in range(1, 6)},
            "parts": {part: _mean(team[f"score_{part}"]) for part in PARTS},
            "star_bonus_yuan": float(team["star_bonus_yuan"].sum()),
        }
    return out


def _mean(values: pd.Series) -> float | None:
    return None if values.isna().all() else float(values.mean())
