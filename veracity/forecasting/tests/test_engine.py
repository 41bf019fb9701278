"""The numerical core on hand examples and simulated data with known answers."""

import numpy as np
import pytest

from veracity.forecasting.engine.anomaly import rhythm_break, robust_z
from veracity.forecasting.engine.clv import (
    BgNbdParams,
    bgnbd_expected_purchases,
    bgnbd_fit,
    bgnbd_p_alive,
    gamma_gamma_expected_spend,
    gamma_gamma_fit,
    simulate_bgnbd,
)
from veracity.forecasting.engine.metrics import mase
from veracity.forecasting.engine.selection import (
    AUTO_ETS,
    DYNAMIC_THETA,
    SEASONAL_NAIVE,
    backtest_plan,
    select_and_forecast,
)


def test_mase_matches_a_hand_computed_example():
    # In-sample seasonal (m=2) naive errors: |3-1|, |4-2|, |5-3| -> mean 2. Forecast errors 1 and 3 -> mean 2.
    assert mase([10, 12], [11, 9], [1, 2, 3, 4, 5], season=2) == pytest.approx(1.0)
    # Lag-1 scale when the history is not longer than a season: |2-1|, |4-2| -> 1.5; error 3 -> 2.
    assert mase([7], [4], [1, 2, 4], season=12) == pytest.approx(2.0)


def test_mase_is_undefined_for_a_flat_history():
    assert mase([5, 5], [4, 4], [3, 3, 3, 3], season=1) is None


def _seasonal_series(periods=72, seed=3):
    rng = np.random.default_rng(seed)
    t = np.arange(periods)
    return 1000 + 8 * t + 300 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 20, periods)


def test_backtest_picks_a_model_that_beats_the_seasonal_naive_on_a_trending_seasonal_series():
    # Seasonal naive repeats last year and misses the trend; ETS and Theta follow it.
    result = select_and_forecast(_seasonal_series(), season=12, horizon=12)
    assert result.model in (AUTO_ETS, DYNAMIC_THETA)
    assert result.backtest_mase < result.baseline_mase
    assert result.windows == 3


def test_backtest_keeps_the_seasonal_naive_when_it_is_best():
    # A seasonal random walk (each month = the same month last year + noise): last season is the best
    # forecast there is, and the backtest must see that.
    rng = np.random.default_rng(2)
    values = list(rng.uniform(50, 300, 12))
    for t in range(12, 84):
        values.append(values[t - 12] + rng.normal(0, 3))
    result = select_and_forecast(values, season=12, horizon=12)
    assert result.model == SEASONAL_NAIVE
    assert result.backtest_mase == result.baseline_mase
    assert all(score > result.backtest_mase for name, score in result.scores.items() if name != SEASONAL_NAIVE)


def test_intervals_nest_and_are_not_negative():
    result = select_and_forecast(_seasonal_series(seed=5), season=12, horizon=12)
    assert np.all(result.lo95 <= result.lo80)
    assert np.all(result.lo80 <= result.mean)
    assert np.all(result.mean <= result.hi80)
    assert np.all(result.hi80 <= result.hi95)
    assert np.all(result.lo95 >= 0)
    assert np.any(result.hi95 > result.hi80)  # real intervals, not collapsed onto the forecast


def test_short_history_falls_back_to_a_naive_forecast_without_mase():
    result = select_and_forecast([100.0, 120.0, 90.0], season=12, horizon=4)
    assert result.model == "Naive"
    assert result.backtest_mase is None
    assert len(result.mean) == 4


def test_backtest_plan_leaves_enough_history_to_learn_from():
    assert backtest_plan(24, season=12, horizon=12) == (1, 12)
    assert backtest_plan(120, season=12, horizon=12) == (3, 12)
    assert backtest_plan(10, season=12, horizon=12) == (0, 12)


def test_bgnbd_recovers_the_parameters_it_was_simulated_with():
    true = BgNbdParams(r=0.24, alpha=4.41, a=0.79, b=2.43)  # the CDNOW estimates of Fader et al. (2005)
    x, t_x, T = simulate_bgnbd(true, 6000, 39.0, seed=7)
    fitted = bgnbd_fit(x, t_x, T)
    assert fitted.r == pytest.approx(true.r, rel=0.15)
    assert fitted.alpha == pytest.approx(true.alpha, rel=0.2)
    # a and b are less well identified; their ratio (the mean drop-out probability) is.
    assert fitted.a / (fitted.a + fitted.b) == pytest.approx(true.a / (true.a + true.b), rel=0.2)


def test_mbgnbd_recovers_its_parameters_and_lets_one_time_buyers_churn():
    true = BgNbdParams(r=0.24, alpha=4.41, a=0.79, b=2.43, modified=True)
    x, t_x, T = simulate_bgnbd(true, 6000, 39.0, seed=11)
    fitted = bgnbd_fit(x, t_x, T, modified=True)
    assert fitted.r == pytest.approx(true.r, rel=0.15)
    assert fitted.alpha == pytest.approx(true.alpha, rel=0.2)
    one_time = bgnbd_p_alive(fitted, [0], [0.0], [39.0])[0]
    assert one_time < 0.9


def test_expected_purchases_rise_with_frequency_and_fall_with_silence():
    params = BgNbdParams(r=0.24, alpha=4.41, a=0.79, b=2.43)
    frequent, rare = bgnbd_expected_purchases(params, 10, [10, 1], [38.0, 38.0], [39.0, 39.0])
    recent, silent = bgnbd_expected_purchases(params, 10, [5, 5], [38.0, 5.0], [39.0, 39.0])
    assert frequent > rare
    assert recent > silent


def test_gamma_gamma_shrinks_customer_means_towards_the_population():
    rng = np.random.default_rng(1)
    frequency = rng.integers(1, 8, 800)
    monetary = rng.gamma(4, 25, 800)
    params = gamma_gamma_fit(frequency, monetary)
    one_purchase, many = gamma_gamma_expected_spend(params, [1, 50], [500.0, 500.0])
    population = params.p * params.v / (params.q - 1)
    assert population < one_purchase < many < 500.0 + 1e-6


def test_robust_z_flags_a_value_far_outside_its_history():
    history = [100, 104, 98, 101, 97, 103, 99, 102]
    assert robust_z(400, history).is_anomaly
    assert not robust_z(105, history).is_anomaly
    assert robust_z(105, history[:3]) is None


def test_rhythm_break_needs_a_long_silence_for_a_regular_buyer():
    days = [0, 10, 20, 30, 40]
    assert rhythm_break(days, 60) is None           # 20 days: within the rhythm
    found = rhythm_break(days, 100)                  # 60 days: six gaps
    assert found.typical_gap_days == 10 and found.days_since_last == 60
