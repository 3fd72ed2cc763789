"""The recurrence block of summary.json: closed-loop cases closed after the warm-up whose need
came back (reopened: a new case opened from them by the horizon), overall and by recurring
category, and the cases the recurrences brought."""

from __future__ import annotations

import pandas as pd

from sim.vocabulary import CLOSED_LOOP_KINDS


def recurrence_kpis(cases: pd.DataFrame, warmup: float, categories: list[str]) -> dict:
    """Reopened cases among the closed-loop cases created after the warm-up and closed: count and
    share of those closed, overall and for each category in `categories` (those that may
    recur). A case closed shortly before the horizon may still reopen after it: the share is
    low by about the share of closures within one recurrence delay of the horizon."""
    loop = cases[cases["kind"].isin(CLOSED_LOOP_KINDS) & (cases["created_h"] >= warmup)]
    closed = loop[loop["status"] == "closed"]
    reopened = closed["case_id"].isin(cases["reopens"].dropna().astype("int64"))
    recurring = cases[(cases["source"] == "recurrence") & (cases["created_h"] >= warmup)]

    def block(rows: pd.Series) -> dict:
        n, k = int(rows.size), int(rows.sum())
        return {"closed": n, "reopened": k, "reopened_share": k / n if n else None}

    return {
        **block(reopened),
        "recurring_cases": len(recurring),
        "by_category": {name: block(reopened[closed["category"] == name]) for name in categories},
    }
