"""The closed forms themselves, against the module's figures and known identities."""

import math

import pytest

from simulator import (
    chain_reliability,
    correlated_chain,
    k_of_n,
    mmc_mean_sojourn,
    pass_hat_k_estimate,
    required_reliability,
    runs_needed,
    runs_to_claim,
    wilson_interval,
)
from simulator.params import ParameterError

MODULE_TABLE = {  # per-agent reliability -> chain of 3, 5, 8, in percent, as the course module prints it
    0.85: (61, 44, 27),
    0.90: (73, 59, 43),
    0.95: (86, 77, 66),
    0.97: (91, 86, 78),
    0.99: (97, 95, 92),
}


@pytest.mark.parametrize("p", MODULE_TABLE)
def test_chain_formula_reproduces_the_module_table(p):
    assert [round(100 * chain_reliability(p, n)) for n in (3, 5, 8)] == list(MODULE_TABLE[p])


def test_five_agents_at_85_percent_is_44_percent_and_97_percent_gives_86():
    assert round(chain_reliability(0.85, 5), 2) == 0.44
    assert round(chain_reliability(0.97, 5), 2) == 0.86


def test_required_reliability_inverts_the_chain():
    for n in (2, 5, 8):
        assert chain_reliability(required_reliability(0.9, n), n) == pytest.approx(0.9)
    assert required_reliability(0.86, 5) == pytest.approx(0.9703, abs=1e-4)


def test_k_of_n_limits():
    assert k_of_n(0.9, 3, 3) == pytest.approx(0.9**3)
    assert k_of_n(0.9, 1, 3) == pytest.approx(1 - 0.1**3)


def test_correlation_limits():
    assert correlated_chain(0.9, 5, 0.0) == pytest.approx(0.9**5)
    assert correlated_chain(0.9, 5, 1.0) == pytest.approx(0.9)
    assert correlated_chain(0.9, 5, 0.5) > 0.9**5


def test_wilson_interval_is_sane_at_the_edges():
    low, high = wilson_interval(10, 10)
    assert high == 1.0 and 0.65 < low < 0.75  # ten flawless spot checks only show about 72 %
    low, high = wilson_interval(0, 10)
    assert low == 0.0 and high < 0.35


def test_runs_needed_and_runs_to_claim():
    assert runs_needed(0.9, 0.01) == math.ceil(1.959963984540054**2 * 0.09 / 0.0001)
    n = runs_to_claim(0.97)
    assert wilson_interval(n, n)[0] >= 0.97 > wilson_interval(n - 1, n - 1)[0]


def test_pass_hat_k_estimator_is_exact_on_small_cases():
    assert pass_hat_k_estimate(8, 10, 1) == pytest.approx(0.8)
    assert pass_hat_k_estimate(8, 10, 2) == pytest.approx(28 / 45)
    with pytest.raises(ParameterError):
        pass_hat_k_estimate(3, 3, 4)


def test_mmc_matches_mm1_closed_form():
    lam, mu = 0.6, 1.0
    assert mmc_mean_sojourn(1, lam, mu) == pytest.approx(1 / (mu - lam))
    assert math.isinf(mmc_mean_sojourn(2, 3.0, 1.0))
