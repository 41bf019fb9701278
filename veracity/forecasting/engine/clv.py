"""Customer lifetime value: the BG/NBD purchase model (Fader, Hardie & Lee 2005, "Counting your
customers the easy way") and the Gamma–Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV"),
fitted by maximum likelihood with scipy.

Inputs per customer, in weeks: `frequency` x (repeat purchases: purchase days after the first),
`recency` t_x (first to last purchase), `T` (first purchase to the end of the observation), and the
mean value of the repeat purchases.

`modified=True` switches to MBG/NBD (Batislam, Denizel & Filiztekin 2007): a customer may also leave
right after the first purchase. Plain BG/NBD gives every one-time buyer P(alive) = 1 however long ago
they bought, which reads as "no churn risk" on a CRM page; MBG/NBD does not, so the service uses it."""

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from scipy.special import betaln, gammaln, hyp2f1


@dataclass(frozen=True)
class BgNbdParams:
    r: float
    alpha: float
    a: float
    b: float
    modified: bool = False


@dataclass(frozen=True)
class GammaGammaParams:
    p: float
    q: float
    v: float


def bgnbd_log_likelihood(params, x, t_x, T, *, modified: bool = False) -> np.ndarray:
    """Each customer's log-likelihood under BG/NBD (equation 6 of the paper, in log form), or MBG/NBD."""
    r, alpha, a, b = params
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    head = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    if modified:
        beta_part = betaln(a, b + x + 1) - betaln(a, b)
        stays = -(r + x) * np.log(alpha + T)
        drops = np.log(a) - np.log(b + x) - (r + x) * np.log(alpha + t_x)
        return head + beta_part + np.logaddexp(stays, drops)
    beta_part = betaln(a, b + x) - betaln(a, b)
    stays = -(r + x) * np.log(alpha + T)
    has_repeat = x > 0
    # Only a customer with repeat purchases can have dropped out right after the last one.
    drops = np.where(
        has_repeat,
        np.log(a) - np.log(np.maximum(b + x - 1, 1e-12)) - (r + x) * np.log(alpha + t_x),
        -np.inf,
    )
    return head + beta_part + np.logaddexp(stays, drops)


def bgnbd_fit(x, t_x, T, *, modified: bool = False, initial=(1.0, 1.0, 1.0, 1.0)) -> BgNbdParams:
    """Maximum-likelihood r, alpha, a, b (optimised on the log scale so they stay positive)."""
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    if x.size == 0:
        raise ValueError("No customers to fit.")
    scale = max(float(np.max(T)), 1e-9) / 10  # alpha is in time units: start it near the data's scale

    # Bounds keep degenerate data (e.g. perfectly regular buyers) from driving the parameters to
    # infinity, where the expectations overflow: e^±9 around 1 (alpha: around the data's time scale).
    bounds = [(-9, 9), (np.log(scale) - 9, np.log(scale) + 9), (-9, 9), (-9, 9)]

    def negative(log_params):
        if any(not low <= value <= high for value, (low, high) in zip(log_params, bounds, strict=True)):
            return 1e12
        params = np.exp(log_params)
        value = -np.sum(bgnbd_log_likelihood(params, x, t_x, T, modified=modified))
        return value if np.isfinite(value) else 1e12

    start = np.log([initial[0], initial[1] * scale, initial[2], initial[3]])
    result = minimize(negative, start, method="Nelder-Mead", options={"maxiter": 4000, "xatol": 1e-6, "fatol": 1e-8})
    result = minimize(negative, np.clip(result.x, [b[0] for b in bounds], [b[1] for b in bounds]),
                      method="L-BFGS-B", bounds=bounds)
    r, alpha, a, b = np.exp(result.x)
    return BgNbdParams(float(r), float(alpha), float(a), float(b), modified)


def bgnbd_p_alive(params: BgNbdParams, x, t_x, T) -> np.ndarray:
    """P(still a customer | history): 1 for one-off buyers, whom the model cannot have seen leave."""
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    if params.modified:
        return 1.0 / (1.0 + params.a / (params.b + x) * ((params.alpha + T) / (params.alpha + t_x)) ** (params.r + x))
    ratio = np.where(
        x > 0,
        params.a / np.maximum(params.b + x - 1, 1e-12)
        * ((params.alpha + T) / (params.alpha + t_x)) ** (params.r + x),
        0.0,
    )
    return 1.0 / (1.0 + ratio)


def bgnbd_expected_purchases(params: BgNbdParams, t: float, x, t_x, T) -> np.ndarray:
    """Expected purchases in the next `t` time units given each customer's history (equation 10)."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    z = t / (alpha + T + t)
    if params.modified:
        hyper = hyp2f1(r + x, b + x + 1, a + b + x, z)
        numerator = (a + b + x) / (a - 1) * (1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyper)
        denominator = 1 + a / (b + x) * ((alpha + T) / (alpha + t_x)) ** (r + x)
        return np.maximum(numerator / denominator, 0.0)
    hyper = hyp2f1(r + x, b + x, a + b + x - 1, z)
    numerator = (a + b + x - 1) / (a - 1) * (1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyper)
    denominator = 1 + np.where(
        x > 0, a / np.maximum(b + x - 1, 1e-12) * ((alpha + T) / (alpha + t_x)) ** (r + x), 0.0
    )
    return np.maximum(numerator / denominator, 0.0)


def gamma_gamma_fit(frequency, monetary) -> GammaGammaParams:
    """Maximum-likelihood p, q, v from customers with at least one repeat purchase."""
    x = np.asarray(frequency, dtype=float)
    m = np.asarray(monetary, dtype=float)
    keep = (x > 0) & (m > 0)
    x, m = x[keep], m[keep]
    if x.size < 3:
        raise ValueError("Gamma–Gamma needs at least three customers with repeat purchases.")
    scale = float(np.mean(m))
    m = m / scale  # fit in units of the mean spend for a well-conditioned optimisation

    def negative(log_params):
        p, q, v = np.exp(log_params)
        value = -np.sum(
            gammaln(p * x + q) - gammaln(p * x) - gammaln(q) + q * np.log(v)
            + (p * x - 1) * np.log(m) + p * x * np.log(x) - (p * x + q) * np.log(x * m + v)
        )
        return value if np.isfinite(value) else 1e12

    result = minimize(negative, np.log([1.0, 2.0, 1.0]), method="Nelder-Mead", options={"maxiter": 4000})
    p, q, v = np.exp(result.x)
    return GammaGammaParams(float(p), float(q), float(v) * scale)


def gamma_gamma_expected_spend(params: GammaGammaParams, frequency, monetary) -> np.ndarray:
    """E[mean spend | x purchases averaging m]: a weighted mix of the population mean and the customer's
    own mean; customers without repeat purchases get the population mean p·v/(q−1)."""
    x = np.asarray(frequency, dtype=float)
    m = np.asarray(monetary, dtype=float)
    p, q, v = params.p, params.q, params.v
    population = p * v / (q - 1) if q > 1 else float(np.nan)
    own = (p * (v + x * m)) / np.maximum(p * x + q - 1, 1e-12)
    return np.where(x > 0, own, population)


def simulate_bgnbd(params: BgNbdParams, customers: int, T: float, *, seed: int = 0):
    """Histories drawn from the BG/NBD story (for tests): λ ~ Gamma(r, 1/α), p ~ Beta(a, b); purchases
    arrive as a Poisson(λ) process and after each one the customer leaves with probability p."""
    rng = np.random.default_rng(seed)
    lam = rng.gamma(params.r, 1 / params.alpha, customers)
    drop = rng.beta(params.a, params.b, customers)
    x = np.zeros(customers)
    t_x = np.zeros(customers)
    for i in range(customers):
        now = 0.0
        if params.modified and rng.random() < drop[i]:
            continue  # MBG/NBD: gone right after the first purchase
        while True:
            now += rng.exponential(1 / lam[i]) if lam[i] > 0 else np.inf
            if now > T:
                break
            x[i] += 1
            t_x[i] = now
            if rng.random() < drop[i]:
                break
    return x, t_x, np.full(customers, float(T))
