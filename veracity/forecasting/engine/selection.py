"""Choosing a forecasting model per series by rolling-origin backtest, then forecasting with it.

For each series every candidate is scored by its mean MASE over up to three rolling origins (each
forecasting `h` steps ahead from a shorter history); the lowest wins, and the seasonal-naive baseline
is always a candidate, so a model is only used where it beat the baseline on that series' own past.

Speed: a candidate's parameters are estimated once, at the first origin, and carried to the later
origins with statsforecast's `forward` (what `cross_validation(refit=False)` does); only the winner is
re-estimated on the full history. That keeps 1,000 monthly series well inside a minute
(bench/forecast_accuracy.py)."""

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from veracity.forecasting.engine.metrics import mase

LEVELS = (80, 95)
# statsforecast's ETS handles seasons up to 24; longer ones (52 weeks) are left to Theta and the baseline.
ETS_MAX_SEASON = 24
ETS_SEARCH = "AZZ"
MAX_WINDOWS = 3

SEASONAL_NAIVE = "SeasonalNaive"
NAIVE = "Naive"
AUTO_ETS = "AutoETS"
AUTO_ARIMA = "AutoARIMA"
DYNAMIC_THETA = "DynamicOptimizedTheta"
DEFAULT_CANDIDATES = (AUTO_ETS, DYNAMIC_THETA)
ALL_CANDIDATES = (AUTO_ETS, AUTO_ARIMA, DYNAMIC_THETA)
# What a model fit can raise on degenerate data (flat, tiny, all zeros): that candidate is skipped.
FIT_ERRORS = (ValueError, ArithmeticError, np.linalg.LinAlgError, IndexError, NotImplementedError)


@dataclass(frozen=True)
class SeriesForecast:
    model: str
    backtest_mase: float | None
    baseline_mase: float | None
    mean: np.ndarray
    lo80: np.ndarray
    hi80: np.ndarray
    lo95: np.ndarray
    hi95: np.ndarray
    windows: int = 0
    scores: dict[str, float | None] = field(default_factory=dict)

    def rows(self) -> list[tuple[float, float, float, float, float]]:
        """(forecast, lo80, hi80, lo95, hi95) per step ahead."""
        return list(zip(self.mean.tolist(), self.lo80.tolist(), self.hi80.tolist(),
                        self.lo95.tolist(), self.hi95.tolist(), strict=True))


def _factory(name: str, season: int) -> Callable:
    from statsforecast.models import AutoARIMA, AutoETS, DynamicOptimizedTheta, Naive, SeasonalNaive

    if name == AUTO_ETS:
        # Additive errors only: trend and season forms are still chosen by AICc. Halves the search
        # (and the run time) for the same accuracy on M3 (bench/forecast_accuracy.py, docs/benchmarks.md).
        return lambda: AutoETS(season_length=season if season <= ETS_MAX_SEASON else 1, model=ETS_SEARCH)
    if name == AUTO_ARIMA:
        return lambda: AutoARIMA(season_length=season if season <= ETS_MAX_SEASON else 1)
    if name == DYNAMIC_THETA:
        return lambda: DynamicOptimizedTheta(season_length=season)
    if name == SEASONAL_NAIVE:
        return lambda: SeasonalNaive(season_length=season)
    if name == NAIVE:
        return lambda: Naive()
    raise ValueError(f"Unknown model {name!r}.")


def _bands(output: dict, h: int, nonnegative: bool) -> tuple[np.ndarray, ...]:
    """mean, lo80, hi80, lo95, hi95, made to nest (lo95 <= lo80 <= mean <= hi80 <= hi95) whatever
    the model returned, and clipped at zero for quantities that cannot be negative."""
    mean = np.asarray(output["mean"], dtype=float)[:h]
    lo80 = np.minimum(np.asarray(output.get("lo-80", mean), dtype=float)[:h], mean)
    hi80 = np.maximum(np.asarray(output.get("hi-80", mean), dtype=float)[:h], mean)
    lo95 = np.minimum(np.asarray(output.get("lo-95", lo80), dtype=float)[:h], lo80)
    hi95 = np.maximum(np.asarray(output.get("hi-95", hi80), dtype=float)[:h], hi80)
    arrays = [mean, lo80, hi80, lo95, hi95]
    arrays = [np.nan_to_num(array, nan=0.0, posinf=0.0, neginf=0.0) for array in arrays]
    if nonnegative:
        arrays = [np.maximum(array, 0.0) for array in arrays]
    return tuple(arrays)


def backtest_plan(n: int, *, season: int, horizon: int) -> tuple[int, int]:
    """(windows, step) for a history of `n` points: each window forecasts `step` points ahead; the
    first origin leaves at least `min(2 seasons, max(6, n/2))` points to learn from."""
    step = max(1, min(horizon, season))
    min_train = min(2 * season, max(6, n // 2))
    windows = max(0, min(MAX_WINDOWS, (n - min_train) // step))
    return windows, step


def _score(name: str, y: np.ndarray, *, season: int, windows: int, step: int) -> tuple[float | None, object]:
    """(mean MASE of `name` over the rolling origins, or None if it cannot be fitted here; the model
    as fitted at the first origin)."""
    n = y.size
    first_origin = n - windows * step
    model = _factory(name, season)()
    errors = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            model.fit(y[:first_origin])
            for k in range(windows):
                origin = first_origin + k * step
                train = y[:origin]
                if k == 0:
                    output = model.predict(h=step)
                else:
                    output = model.forward(y=train, h=step)
                forecast = np.asarray(output["mean"], dtype=float)
                if not np.all(np.isfinite(forecast)):
                    return None, None
                error = mase(y[origin:origin + step], forecast, train, season)
                if error is None:
                    continue
                errors.append(error)
        except FIT_ERRORS:
            return None, None
    return (float(np.mean(errors)) if errors else None), model


def _final_factory(name: str, season: int, fitted) -> Callable:
    """The winner, re-estimated on the full history. ETS keeps the form (error, trend, season,
    damping) its backtest chose and re-estimates only the parameters: the form search is what costs."""
    if name == AUTO_ETS and fitted is not None and getattr(fitted, "model_", None):
        from statsforecast.models import AutoETS

        components = fitted.model_["components"]
        return lambda: AutoETS(season_length=season if season <= ETS_MAX_SEASON else 1,
                               model="".join(components[:3]), damped=components[3] == "D")
    return _factory(name, season)


def _forecast_with(make: Callable, y: np.ndarray, *, horizon: int, nonnegative: bool) -> tuple:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        output = make().forecast(y=y, h=horizon, level=list(LEVELS))
    return _bands(output, horizon, nonnegative)


def select_and_forecast(
    values: Sequence[float] | np.ndarray, *, season: int, horizon: int,
    candidates: Sequence[str] = DEFAULT_CANDIDATES, nonnegative: bool = True,
) -> SeriesForecast:
    """Backtest the candidates and the seasonal-naive baseline on `values` (oldest first, one value
    per period, gaps already filled with zeros), pick the lowest mean MASE and forecast `horizon`
    periods with 80 % and 95 % intervals. A history too short to backtest gets the seasonal-naive
    forecast (naive below one season) with no MASE."""
    if horizon < 1:
        raise ValueError("horizon must be at least 1.")
    y = np.asarray(values, dtype=float)
    baseline = SEASONAL_NAIVE if y.size >= season > 1 else NAIVE
    if y.size == 0:
        zeros = np.zeros(horizon)
        return SeriesForecast(NAIVE, None, None, zeros, zeros, zeros, zeros, zeros)
    windows, step = backtest_plan(y.size, season=season, horizon=horizon)
    scores: dict[str, float | None] = {}
    fitted: dict[str, object] = {}
    if windows:
        for name in (baseline, *candidates):
            scores[name], fitted[name] = _score(name, y, season=season, windows=windows, step=step)
    usable = {name: score for name, score in scores.items() if score is not None and math.isfinite(score)}
    # The baseline wins ties: a model must earn its complexity.
    chosen = min(usable, key=lambda name: (usable[name], name != baseline)) if usable else baseline
    try:
        bands = _forecast_with(_final_factory(chosen, season, fitted.get(chosen)), y, horizon=horizon,
                               nonnegative=nonnegative)
    except FIT_ERRORS:
        chosen = baseline
        bands = _forecast_with(_factory(chosen, season), y, horizon=horizon, nonnegative=nonnegative)
    return SeriesForecast(
        model=chosen, backtest_mase=usable.get(chosen), baseline_mase=usable.get(baseline),
        mean=bands[0], lo80=bands[1], hi80=bands[2], lo95=bands[3], hi95=bands[4],
        windows=windows, scores=scores,
    )
