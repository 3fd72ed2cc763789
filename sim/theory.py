"""Closed-form queueing results (docs/sources.md Q1-Q8) used by the validation tests and by reports.

Rates are per unit of time and times come back in the same unit (hours in gridsim).
Notation: arrival rate ``lam``, service rate per server ``mu``, ``c`` servers, offered load
``a = lam / mu`` (Erlangs), utilisation ``rho = a / c``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
from scipy.optimize import brentq
from scipy.special import gammaincc

_STANDARD_NORMAL = NormalDist()


def erlang_b(c: int, a: float) -> float:
    """Blocking probability of M/M/c/c with offered load ``a`` Erlangs (stable recursion)."""
    if c < 0 or a < 0:
        raise ValueError(f"need c >= 0 and a >= 0, got c={c}, a={a}")
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    return b


def erlang_c(c: int, a: float) -> float:
    """Probability that an arrival waits in M/M/c with offered load ``a`` < ``c`` Erlangs."""
    if not 0 <= a < c:
        raise ValueError(f"Erlang C needs 0 <= a < c, got a={a}, c={c}")
    b = erlang_b(c, a)
    rho = a / c
    return b / (1.0 - rho * (1.0 - b))


@dataclass(frozen=True)
class MMcResult:
    """Steady state of M/M/c FCFS. Counts in customers, times in the rate's time unit."""

    lam: float
    mu: float
    c: int
    a: float
    rho: float
    p0: float
    p_wait: float
    lq: float
    wq: float
    l: float  # noqa: E741 - standard queueing notation
    w: float

    def p_wait_longer(self, t: float) -> float:
        """P(Wq > t) for a waiting time threshold ``t`` >= 0."""
        return self.p_wait * math.exp(-(self.c * self.mu - self.lam) * t)


def mmc(lam: float, mu: float, c: int) -> MMcResult:
    """M/M/c steady state; raises ValueError unless ``rho = lam / (c mu) < 1``."""
    if lam < 0 or mu <= 0 or c < 1:
        raise ValueError(f"need lam >= 0, mu > 0, c >= 1, got lam={lam}, mu={mu}, c={c}")
    a = lam / mu
    rho = a / c
    if rho >= 1:
        raise ValueError(f"M/M/c is unstable: rho = {rho:.6g} >= 1 (lam={lam}, mu={mu}, c={c})")
    b = erlang_b(c, a)
    p_wait = b / (1.0 - rho * (1.0 - b))
    # P0 = 1 / (S (1 - B + B/(1-rho))) with S = sum_{k<=c} a^k/k! = e^a P(Poisson(a) <= c).
    p0 = math.exp(-a) / float(gammaincc(c + 1, a)) / (1.0 - b + b / (1.0 - rho))
    lq = p_wait * rho / (1.0 - rho)
    wq = p_wait / (c * mu - lam)
    w = wq + 1.0 / mu
    return MMcResult(lam, mu, c, a, rho, p0, p_wait, lq, wq, lq + a, w)


@dataclass(frozen=True)
class MMcKResult:
    """Steady state of M/M/c/K (room for K customers in total, blocked arrivals are lost)."""

    p0: float
    p_block: float
    lam_eff: float
    l: float  # noqa: E741 - standard queueing notation
    lq: float
    w: float
    wq: float
    p_wait_admitted: float
    utilisation: float


def mmck(lam: float, mu: float, c: int, K: int) -> MMcKResult:
    """M/M/c/K steady state (any load); times are for admitted customers."""
    if lam <= 0 or mu <= 0 or c < 1 or c > K:
        raise ValueError(f"need lam > 0, mu > 0, 1 <= c <= K, got lam={lam}, mu={mu}, c={c}, K={K}")
    a = lam / mu
    n = np.arange(K + 1)
    # log p_n up to a constant: p_n / p_{n-1} = a / min(n, c).
    log_terms = np.concatenate(([0.0], np.cumsum(np.log(a / np.minimum(n[1:], c)))))
    p = np.exp(log_terms - log_terms.max())
    p /= p.sum()
    p_block = float(p[K])
    lam_eff = lam * (1.0 - p_block)
    l = float(n @ p)  # noqa: E741
    lq = float(np.maximum(n - c, 0) @ p)
    return MMcKResult(
        p0=float(p[0]),
        p_block=p_block,
        lam_eff=lam_eff,
        l=l,
        lq=lq,
        w=l / lam_eff,
        wq=lq / lam_eff,
        p_wait_admitted=float(p[c:K].sum()) / (1.0 - p_block),
        utilisation=lam_eff / (c * mu),
    )


def mg1_wq(lam: float, mean_s: float, scv_s: float) -> float:
    """M/G/1 mean wait (Pollaczek–Khinchine, exact); ``scv_s`` is Var[S]/E[S]^2."""
    rho = lam * mean_s
    if rho >= 1:
        raise ValueError(f"M/G/1 is unstable: rho = {rho:.6g} >= 1")
    return rho * (1.0 + scv_s) / (2.0 * (1.0 - rho)) * mean_s


def allen_cunneen_wq(lam: float, mu: float, c: int, scv_a: float, scv_s: float) -> float:
    """G/G/c mean wait, Allen–Cunneen approximation: Wq(M/M/c) · (c_a² + c_s²) / 2."""
    return mmc(lam, mu, c).wq * (scv_a + scv_s) / 2.0


@dataclass(frozen=True)
class JacksonResult:
    """Open Jackson network: per-node arrival rates and M/M/c results, network totals."""

    gamma: tuple[float, ...]
    lam: tuple[float, ...]
    nodes: tuple[MMcResult, ...]
    l_total: float
    mean_sojourn: float


#: docs/sources.md Q4 J2, the grid escalation chain with a separate verification node (per hour):
#: nodes community grid workers, street office, district, city, feedback/verification.
#: Use as `jackson(**J2)`.
J2: dict[str, list] = {
    "gamma": [20.0, 0.0, 0.0, 0.0, 0.0],
    "mu": [2.0, 1.0, 0.75, 0.5, 4.0],
    "c": [15, 5, 2, 1, 6],
    "routing": [
        [0.0, 0.20, 0.0, 0.0, 0.80],
        [0.0, 0.0, 0.30, 0.0, 0.70],
        [0.0, 0.0, 0.0, 0.25, 0.75],
        [0.0, 0.0, 0.0, 0.0, 1.00],
        [0.0, 0.0, 0.0, 0.0, 0.0],
    ],
}


def jackson(
    gamma: Sequence[float],
    mu: Sequence[float],
    c: Sequence[int],
    routing: Sequence[Sequence[float]],
) -> JacksonResult:
    """Solve the traffic equations λ = γ + λP and analyse each node as M/M/c_j.

    ``routing[i][j]`` is the probability that a customer leaving node i goes to node j;
    the rest of row i leaves the network. Mean sojourn is ΣL_j / Σγ_j (Little).
    """
    g = np.asarray(gamma, dtype=float)
    p = np.asarray(routing, dtype=float)
    size = len(g)
    if p.shape != (size, size) or len(mu) != size or len(c) != size:
        raise ValueError(f"gamma, mu, c need length {size} and routing shape ({size}, {size})")
    if (p < 0).any() or (p.sum(axis=1) > 1 + 1e-12).any():
        raise ValueError("routing probabilities must be >= 0 with row sums <= 1")
    if g.sum() <= 0:
        raise ValueError("total external arrival rate must be positive")
    lam = np.linalg.solve(np.eye(size) - p.T, g)
    for j in range(size):
        if lam[j] >= c[j] * mu[j]:
            raise ValueError(f"node {j} is unstable: lam={lam[j]:.6g} >= c*mu={c[j] * mu[j]:.6g}")
    nodes = tuple(mmc(float(lam[j]), mu[j], c[j]) for j in range(size))
    l_total = sum(node.l for node in nodes)
    return JacksonResult(
        gamma=tuple(g.tolist()),
        lam=tuple(lam.tolist()),
        nodes=nodes,
        l_total=l_total,
        mean_sojourn=l_total / float(g.sum()),
    )


def path_time_to_close(
    result: JacksonResult, paths: Mapping[str, Sequence[int]]
) -> dict[str, float]:
    """Mean time along each named fixed path of node indices: the sum of the nodes' W."""
    return {name: sum(result.nodes[j].w for j in path) for name, path in paths.items()}


def halfin_whitt_alpha(beta: float) -> float:
    """Limiting P(wait) in the QED regime, α(β) = [1 + β Φ(β)/φ(β)]^(-1), for β >= 0."""
    pdf = _STANDARD_NORMAL.pdf(beta)
    return pdf / (pdf + beta * _STANDARD_NORMAL.cdf(beta))


def square_root_staffing(a: float, target_p_wait: float) -> tuple[float, int]:
    """Halfin–Whitt staffing: β with α(β) = target, and servers c = ⌈a + β√a⌉.

    Returns ``(beta, c)``. An approximation; see :func:`min_servers_for_p_wait` for the exact c.
    """
    if not 0 < target_p_wait < 1 or a <= 0:
        raise ValueError(f"need a > 0 and 0 < target < 1, got a={a}, target={target_p_wait}")
    upper = 1.0
    while halfin_whitt_alpha(upper) > target_p_wait:
        upper *= 2.0
    beta = brentq(lambda b: halfin_whitt_alpha(b) - target_p_wait, 0.0, upper, xtol=1e-12)
    return beta, math.ceil(a + beta * math.sqrt(a))


def min_servers_for_p_wait(lam: float, mu: float, target: float) -> int:
    """Smallest c with Erlang C P(wait) <= ``target`` (exact, one pass of the B recursion)."""
    if lam <= 0 or mu <= 0 or not 0 < target < 1:
        raise ValueError(f"need lam > 0, mu > 0, 0 < target < 1, got {lam}, {mu}, {target}")
    a = lam / mu
    b = 1.0
    c = 0
    while True:
        c += 1
        b = a * b / (c + a * b)
        if c > a and b / (1.0 - a / c * (1.0 - b)) <= target:
            return c


def fluid_surge(
    c: int, mu: float, lam_base: float, lam_surge: float, surge_hours: float
) -> tuple[float, float]:
    """Deterministic fluid model of a surge starting from an empty queue.

    Returns ``(backlog at end of surge, hours to drain it at the base rate)``:
    backlog = max(0, (λ_surge − cμ)·T), drain = backlog / (cμ − λ_base).
    """
    capacity = c * mu
    if lam_base >= capacity:
        raise ValueError(f"base load lam={lam_base} >= c*mu={capacity}: backlog never drains")
    backlog = max(0.0, float(lam_surge - capacity) * surge_hours)
    return backlog, backlog / (capacity - lam_base)


def mt_minf_step_mean(t: float, lam0: float, lam1: float, mu: float) -> float:
    """Mean number in M_t/M/∞ at time ``t`` >= 0 after a step λ0 → λ1 at t = 0.

    The system is in steady state for λ0 before the step; durations are exponential(μ).
    """
    return lam1 / mu + (lam0 - lam1) / mu * math.exp(-mu * t)
