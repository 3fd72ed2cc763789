"""Paired comparison of arms run with common random numbers (the same seeds): per KPI, the
mean difference over replications with its confidence interval, test and share of pairs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy import stats


@dataclass(frozen=True)
class PairedDifference:
    """Mean of b − a over paired replications, its confidence interval and test."""

    n: int
    mean_a: float
    mean_b: float
    diff: float
    ci_low: float
    ci_high: float
    p_value: float  # two-sided paired t-test
    share_b_higher: float  # share of pairs in which b > a

    def __str__(self) -> str:
        return (
            f"{self.mean_a:.4g} → {self.mean_b:.4g}: {self.diff:+.4g} "
            f"[{self.ci_low:+.4g}, {self.ci_high:+.4g}], p = {self.p_value:.2g}, "
            f"b higher in {self.share_b_higher:.0%} of {self.n} pairs"
        )


def paired_difference(
    a: Sequence[float], b: Sequence[float], confidence: float = 0.95
) -> PairedDifference:
    """Compare arm b with arm a, replication by replication (pair i = same seed)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape or len(a) < 2:
        raise ValueError("need two arms of equal length, at least 2 pairs")
    d = np.where(np.isclose(a, b, rtol=1e-12, atol=0), 0.0, b - a)  # sums in another order
    se = d.std(ddof=1) / np.sqrt(len(d))
    half = stats.t.ppf(0.5 + confidence / 2, len(d) - 1) * se
    # the paired t-test on the differences themselves (scipy's ttest_rel recomputes them and
    # warns of precision loss when the arms are nearly identical)
    t = d.mean() / se if se > 0 else 0.0
    p = float(2 * stats.t.sf(abs(t), len(d) - 1)) if se > 0 else (0.0 if d.mean() else 1.0)
    return PairedDifference(
        len(d),
        float(a.mean()),
        float(b.mean()),
        float(d.mean()),
        float(d.mean() - half),
        float(d.mean() + half),
        p,
        float((d > 0).mean()),
    )


def paired_comparisons(
    table: pd.DataFrame,
    along: str,
    levels: Sequence,
    kpis: Sequence[str],
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Every level of column `along` ("arm", or a factor column such as
    "factor.world.streets.0.communities.0.grids") against `levels[0]`, within each combination
    of the other arms and factors, per KPI column, pairing runs of the same replication (same
    seeds). One row per comparison; pairs where either value is missing (a Kaplan–Meier
    quantile never reached) are left out, and comparisons with fewer than 2 pairs."""
    table = table[table["status"] == "ok"]
    others = [c for c in table.columns if c == "arm" or c.startswith("factor.")]
    others.remove(along)
    cells = table.groupby(others, dropna=False, sort=False) if others else [((), table)]
    rows = []
    for keys, group in cells:
        keys = keys if isinstance(keys, tuple) else (keys,)
        reference = group[group[along] == levels[0]].set_index("replication")
        for level in levels[1:]:
            other = group[group[along] == level].set_index("replication")
            common = reference.index.intersection(other.index)
            if len(common) < 2:
                continue
            labels = {along: level, "reference": levels[0], **dict(zip(others, keys, strict=True))}
            for kpi in kpis:
                a, b = reference.loc[common, kpi], other.loc[common, kpi]
                both = a.notna() & b.notna()  # a KM quantile the estimate never reached: n/a
                if both.sum() < 2:
                    continue
                d = paired_difference(a[both], b[both], confidence)
                rows.append({**labels, "kpi": kpi, **asdict(d)})
    return pd.DataFrame(rows)


def transient_runs(table: pd.DataFrame, along: str) -> dict[object, tuple[int, int, int]]:
    """Per level of column `along`: (runs, runs offered more work than their staff's hours,
    runs whose open work was found growing). Such runs measure a transient that depends on the
    horizon, and comparisons involving them say so."""
    table = table[table["status"] == "ok"]
    load = table.get("kpi.offered_load.utilisation", pd.Series(np.nan, index=table.index))
    stationary = table.get("kpi.steady_state.stationary", pd.Series(None, index=table.index))
    out = {}
    for level, rows in table.groupby(along, sort=False):
        overloaded = int((load[rows.index].astype(float) >= 1.0).sum())
        growing = int((stationary[rows.index] == False).sum())  # noqa: E712 (None: not judged)
        out[level] = (len(rows), overloaded, growing)
    return out
