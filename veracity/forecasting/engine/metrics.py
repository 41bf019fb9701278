"""Forecast error measures."""

import numpy as np


def mase_scale(insample: np.ndarray, season: int) -> float:
    """The in-sample mean absolute error of the seasonal-naive forecast (naive when the history is
    shorter than two seasons). Zero for a constant history: callers treat MASE as undefined then."""
    y = np.asarray(insample, dtype=float)
    lag = season if season > 1 and y.size > season else 1
    if y.size <= lag:
        return 0.0
    return float(np.mean(np.abs(y[lag:] - y[:-lag])))


def mase(actual, forecast, insample, season: int) -> float | None:
    """Mean absolute scaled error (Hyndman & Koehler 2006): the forecast's mean absolute error over
    the in-sample seasonal-naive error. Below 1 beats the seasonal-naive method in-sample.
    None when the scale is zero (a flat history) so nobody trusts an infinite or 0/0 number."""
    scale = mase_scale(insample, season)
    actual = np.asarray(actual, dtype=float)
    forecast = np.asarray(forecast, dtype=float)
    if scale <= 0 or actual.size == 0:
        return None
    return float(np.mean(np.abs(actual - forecast)) / scale)
