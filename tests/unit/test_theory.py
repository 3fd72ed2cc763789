"""sim.theory against the worked reference values in docs/sources.md §4.

Table values are compared with `printed`, which allows half a unit in the last printed digit,
so the tolerance is exactly the precision the table shows. Values printed as integers are exact.
"""

from __future__ import annotations

import math
from decimal import Decimal

import pytest

from sim import theory


def printed(text: str):
    """pytest.approx for a table value, to half a unit in its last printed digit."""
    exponent = Decimal(text).as_tuple().exponent
    if exponent >= 0:
        return pytest.approx(float(text), rel=1e-9)
    return pytest.approx(float(text), rel=0, abs=0.5 * 10.0**exponent * (1 + 1e-9))


# --- §4.1 Erlang C -----------------------------------------------------------------------------

# case: (lam, mu, c), then a, rho, P0, C, Lq, Wq, L, W, P(Wq>0.25) as printed
MMC_TABLE = {
    "E1": (
        (10, 4, 3),
        ["2.5", "0.833333", "0.0449438", "0.702247", "3.51124", "0.351124", "6.01124",
         "0.601124", "0.425934"],
    ),
    "E2": (
        (4, 1.5, 3),
        ["2.666667", "0.888889", "0.0280374", "0.797508", "6.38006", "1.595016", "9.04673",
         "2.261682", "0.703798"],
    ),
    "E3": (
        (30, 12, 5),
        ["2.5", "0.5", "0.0801001", "0.130371", "0.130371", "0.00434571", "2.63037",
         "0.0876790", "7.21e-05"],
    ),
    "S1": (
        (2, 3, 1),
        ["0.6667", "0.6667", "0.333333", "0.666667", "1.33333", "0.666667", "2", "1",
         "0.519201"],
    ),
    "S2": (
        (100, 1, 110),
        ["100", "0.909091", "3.42e-44", "0.237008", "2.37008", "0.0237008", "102.370",
         "1.023701", "0.0194548"],
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", MMC_TABLE)
def test_mmc_reference_table(case):
    (lam, mu, c), expected = MMC_TABLE[case]
    r = theory.mmc(lam, mu, c)
    got = [r.a, r.rho, r.p0, r.p_wait, r.lq, r.wq, r.l, r.w, r.p_wait_longer(0.25)]
    assert got == [printed(x) for x in expected]


def test_mmc_identities():
    r = theory.mmc(10, 4, 3)
    assert r.l == pytest.approx(r.lam * r.w)
    assert r.lq == pytest.approx(r.lam * r.wq)
    assert r.p_wait == pytest.approx(theory.erlang_c(3, 2.5))
    assert r.p_wait_longer(0) == pytest.approx(r.p_wait)


def test_erlang_b_and_c_small_cases():
    assert theory.erlang_b(0, 3.0) == 1.0
    assert theory.erlang_b(1, 1.0) == pytest.approx(0.5)
    assert theory.erlang_b(2, 1.0) == pytest.approx(0.2)  # (1/2) / (1 + 1 + 1/2)
    assert theory.erlang_c(1, 0.6) == pytest.approx(0.6)  # M/M/1: P(wait) = rho


def test_mmc_is_stable_for_thousands_of_servers():
    r = theory.mmc(4900, 1, 5000)
    assert 0 < r.p_wait < 1
    assert math.isfinite(r.wq) and r.wq > 0
    assert r.l == pytest.approx(r.lam * r.w)
    assert theory.erlang_b(5000, 4900.0) > 0


@pytest.mark.parametrize("args", [(12, 4, 3), (13, 4, 3), (1, 1, 1)])
def test_mmc_rejects_unstable(args):
    with pytest.raises(ValueError, match="unstable"):
        theory.mmc(*args)


# --- §4.2 Halfin–Whitt and table S ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("beta", "alpha"), [(0.5, "0.504539"), (1.0, "0.223361"), (1.5, "0.084690"), (2.0, "0.026881")]
)
def test_halfin_whitt_alpha(beta, alpha):
    assert theory.halfin_whitt_alpha(beta) == printed(alpha)


@pytest.mark.parametrize(
    ("a", "target", "beta", "c", "p_wait"),
    [
        (10, 0.2, "1.0615", 14, "0.1741"),
        (100, 0.2, "1.0615", 111, "0.1998"),
        (400, 0.2, "1.0615", 422, "0.1932"),
        (100, 0.5, "0.5061", 106, "0.4458"),
    ],
)
def test_square_root_staffing_vs_exact(a, target, beta, c, p_wait):
    got_beta, got_c = theory.square_root_staffing(a, target)
    assert got_beta == printed(beta)
    assert got_c == c
    assert theory.min_servers_for_p_wait(a, 1.0, target) == c
    assert theory.erlang_c(c, a) == printed(p_wait)


def test_min_servers_wolfram_example():
    # E3: 30 calls/h, 5-min service; c=5 gives 0.130, so P(wait) <= 0.1 needs 6.
    assert theory.min_servers_for_p_wait(30, 12, 0.1) == 6


@pytest.mark.parametrize(
    ("per_day", "a", "c", "p_wait", "wq_min", "w_min", "util"),
    [
        (8, "0.5", 2, "0.100", "3.0", "48.0", "0.25"),
        (80, "5", 8, "0.167", "2.5", "47.5", "0.625"),
        (160, "10", 14, "0.174", "2.0", "47.0", "0.714"),
    ],
)
def test_table_s_surge_staffing(per_day, a, c, p_wait, wq_min, w_min, util):
    lam, mu = per_day / 12, 60 / 45
    assert lam / mu == printed(a)
    assert theory.square_root_staffing(lam / mu, 0.2)[1] == c
    assert theory.min_servers_for_p_wait(lam, mu, 0.2) == c
    r = theory.mmc(lam, mu, c)
    assert [r.p_wait, r.wq * 60, r.w * 60, r.rho] == [
        printed(p_wait),
        printed(wq_min),
        printed(w_min),
        printed(util),
    ]


# --- §4.3 M/M/c/K ------------------------------------------------------------------------------

# (lam, mu, c, K), then P0, P(block), lam_eff, L, Lq, W, Wq, P(wait|admitted), util as printed
MMCK_TABLE = [
    (
        (10, 4, 3, 6),
        ["0.0679588", "0.102417", "8.97583", "2.94449", "0.700530", "0.328046", "0.0780463",
         "0.498401", "0.747986"],
    ),
    (
        (4, 1.5, 3, 5),
        ["0.063738", "0.159165", "3.36334", "2.73962", "0.497392", "0.814553", "0.147886",
         "0.452532", "0.747409"],
    ),
    (
        (2, 3, 1, 3),
        ["0.415385", "0.123077", "1.75385", "1.01538", "0.430769", "0.578947", "0.245614",
         "0.526316", "0.584615"],
    ),
]  # fmt: skip


@pytest.mark.parametrize(("params", "expected"), MMCK_TABLE)
def test_mmck_reference_table(params, expected):
    r = theory.mmck(*params)
    got = [r.p0, r.p_block, r.lam_eff, r.l, r.lq, r.w, r.wq, r.p_wait_admitted, r.utilisation]
    assert got == [printed(x) for x in expected]


def test_mmck_approaches_mmc_for_large_room():
    big = theory.mmck(10, 4, 3, 400)
    assert big.p_block < 1e-12
    assert big.wq == pytest.approx(theory.mmc(10, 4, 3).wq)


def test_mmck_overloaded_is_finite():
    r = theory.mmck(50, 1, 10, 2000)  # rho = 5: almost every arrival blocked, no overflow
    assert r.lam_eff == pytest.approx(10.0)
    assert r.utilisation == pytest.approx(1.0)


# --- §4.4 Jackson networks --------------------------------------------------------------------


def test_jackson_j1_published_example():
    routing = [[0, 0.2, 0.56, 0.24], [1, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]
    r = theory.jackson([8, 0, 6, 0], [14, 9, 17, 7], [1, 1, 1, 1], routing)
    assert r.lam == pytest.approx((10, 2, 11.6, 2.4))
    assert [n.l for n in r.nodes] == [
        printed("2.5"),
        printed("0.285714"),
        printed("2.148148"),
        printed("0.521739"),
    ]
    assert r.l_total == printed("5.455602")
    assert r.mean_sojourn == printed("0.389686")


# per node: lambda, rho, P(wait), Wq, W, L as printed
J2_TABLE = [
    ["20", "0.667", "0.102042", "0.010204", "0.510204", "10.2041"],
    ["4", "0.800", "0.554113", "0.554113", "1.554113", "6.21645"],
    ["1.2", "0.800", "0.711111", "2.370370", "3.703704", "4.44444"],
    ["0.3", "0.600", "0.600000", "3.000000", "5.000000", "1.5"],
    ["20", "0.833", "0.587516", "0.146879", "0.396879", "7.93758"],
]


@pytest.fixture
def j2():
    return theory.jackson(**theory.J2)


@pytest.mark.parametrize("node", range(5))
def test_jackson_j2_nodes(j2, node):
    n = j2.nodes[node]
    assert j2.lam[node] == pytest.approx(float(J2_TABLE[node][0]))
    assert [n.rho, n.p_wait, n.wq, n.w, n.l] == [printed(x) for x in J2_TABLE[node][1:]]


def test_jackson_j2_totals_and_tiers(j2):
    assert j2.l_total == printed("30.302562")
    assert j2.mean_sojourn == printed("1.515128")
    tiers = theory.path_time_to_close(
        j2,
        {
            "community": [0, 4],
            "street": [0, 1, 4],
            "district": [0, 1, 2, 4],
            "city": [0, 1, 2, 3, 4],
        },
    )
    assert tiers == {
        "community": printed("0.907083"),
        "street": printed("2.461196"),
        "district": printed("6.164900"),
        "city": printed("11.164900"),
    }


def test_jackson_names_unstable_node():
    c = [15, 5, 1, 1, 6]  # district with one server: lam 1.2 > mu 0.75
    with pytest.raises(ValueError, match="node 2 is unstable"):
        theory.jackson(**{**theory.J2, "c": c})


def test_jackson_rejects_bad_routing():
    with pytest.raises(ValueError, match="row sums"):
        theory.jackson([1, 0], [5, 5], [1, 1], [[0, 1.2], [0, 0]])


# --- §4.5 other reference values --------------------------------------------------------------


def test_pollaczek_khinchine_md1():
    assert theory.mg1_wq(2, 1 / 3, 0.0) == printed("0.3333")
    # exponential service reduces to M/M/1 (S1)
    assert theory.mg1_wq(2, 1 / 3, 1.0) == pytest.approx(theory.mmc(2, 3, 1).wq)


def test_allen_cunneen():
    assert theory.allen_cunneen_wq(10, 4, 3, 1.0, 0.0) == printed("0.1756")  # M/D/3
    assert theory.allen_cunneen_wq(10, 4, 3, 1.0, 1.5**2) == printed("0.5706")  # M/LN/3


def test_fluid_surge():
    assert theory.fluid_surge(3, 4, 10, 20, 8) == (pytest.approx(64), pytest.approx(32))
    assert theory.fluid_surge(3, 4, 10, 11, 8) == (0.0, 0.0)  # surge within capacity
    with pytest.raises(ValueError):
        theory.fluid_surge(3, 4, 12, 20, 8)


def test_surge_staffing_switched_to_six():
    r = theory.mmc(20, 4, 6)
    assert [r.rho, r.p_wait, r.wq, r.w] == [
        printed("0.833"),
        printed("0.587516"),
        printed("0.146879"),
        printed("0.396879"),
    ]


@pytest.mark.parametrize(
    ("t", "mean"), [(0.1, "3.3242"), (0.25, "4.0803"), (0.5, "4.6617"), (1.0, "4.9542")]
)
def test_mt_minf_step(t, mean):
    assert theory.mt_minf_step_mean(t, 10, 20, 4) == printed(mean)


def test_mt_minf_step_limits():
    assert theory.mt_minf_step_mean(0.0, 10, 20, 4) == pytest.approx(2.5)
    assert theory.mt_minf_step_mean(50.0, 10, 20, 4) == pytest.approx(5.0)


def test_changzhou_12345_hotline():
    # lam is itself given as ≈109.8/h, and the table marks the waits "≈": allow 1%.
    lam, mu = 109.8, 24
    assert theory.mmc(lam, mu, 7).wq * 3600 == pytest.approx(14.4, rel=0.01)
    assert theory.mmc(lam, mu, 8).wq * 3600 == printed("4.9")
