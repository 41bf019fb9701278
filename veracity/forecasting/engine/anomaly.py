"""Anomaly scores: how far a recent value sits from what its own history leads one to expect."""

from dataclasses import dataclass

import numpy as np

# 1.4826 · MAD estimates the standard deviation of normal data; 3.5 is Iglewicz & Hoaglin's cut-off.
MAD_TO_SD = 1.4826
Z_ALERT = 3.5
Z_CRITICAL = 6.0


@dataclass(frozen=True)
class RobustScore:
    expected: float   # the median of the history
    low: float        # expected ± Z_ALERT robust standard deviations
    high: float
    z: float          # robust z-score of the value

    @property
    def is_anomaly(self) -> bool:
        return abs(self.z) >= Z_ALERT

    @property
    def severity(self) -> str:
        return "critical" if abs(self.z) >= Z_CRITICAL else "warning"


def robust_z(value: float, history) -> RobustScore | None:
    """The robust z-score (value − median) / (1.4826 · MAD) of `value` against `history`. None when
    the history is too short (< 6 points) to say what is normal. A history with no spread (MAD 0) uses
    the mean absolute deviation instead, and a flat history of zeros only flags a nonzero value."""
    h = np.asarray(history, dtype=float)
    if h.size < 6:
        return None
    median = float(np.median(h))
    spread = MAD_TO_SD * float(np.median(np.abs(h - median)))
    if spread == 0:
        spread = 1.2533 * float(np.mean(np.abs(h - median)))  # mean absolute deviation → sd (normal)
    if spread == 0:
        spread = max(abs(median) * 0.1, 1.0)
    z = (value - median) / spread
    return RobustScore(expected=median, low=median - Z_ALERT * spread, high=median + Z_ALERT * spread, z=z)


@dataclass(frozen=True)
class RhythmBreak:
    typical_gap_days: float
    days_since_last: int
    overdue_factor: float


def rhythm_break(order_days, today_ordinal: int, *, min_orders: int = 4, factor: float = 3.0,
                 min_days: int = 30) -> RhythmBreak | None:
    """A regular buyer gone quiet: the days since the last order exceed `factor` times the median gap
    between their orders (and at least `min_days`). `order_days` are date ordinals, any order."""
    days = np.unique(np.asarray(order_days, dtype=int))
    if days.size < min_orders:
        return None
    gaps = np.diff(days)
    typical = float(np.median(gaps))
    silent = int(today_ordinal - days[-1])
    if typical <= 0 or silent < max(min_days, factor * typical):
        return None
    return RhythmBreak(typical_gap_days=typical, days_since_last=silent, overdue_factor=silent / typical)
