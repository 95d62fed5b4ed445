#!/usr/bin/python3
"""statsmodels reference for AutoGradRnn's forecasting protocol (src/AutoGradRnn/Applications/Forecasting.cs).

The test protocol is the C# one, reproduced exactly:
  n           rows of the series; periods = the seasonal periods the C# infers from the timestamps
              (half-hourly -> 48, 336; daily -> 7, 365); horizon = the shortest period
  test        testLength = 2 * longest period, rounded DOWN to whole horizons (Math.Max(horizon, testLength / horizon *
              horizon)); testStart = n - testLength, so the forecasts end at the last row
  origins     testStart + k * horizon for k = 0 .. testLength / horizon - 1; from each origin t the next `horizon` values
              y[t .. t + horizon) are forecast using only y[.. t)
  scores      over all origins' forecasts concatenated: MAPE % = 100/n sum |f - y| / |y|, RMSE, MAE (Metrics.cs)
  (The C# also carves a validation part [trainEnd, testStart) with trainEnd = testStart - max(horizon,
   testLength / 2 / horizon * horizon) to train its network and pick its baseline; the statistical models here fit
   on everything before testStart, which is the fair equivalent: no test value is ever seen.)

Data sets:
  taylor  data/taylor_electricity_demand_halfhourly.csv, demand_mw: n = 4032, periods 48/336, horizon 48,
          test = last 672 rows (14 day-ahead forecasts from midnight), testStart = 3360.
  births  data/us_births_daily_1969_1988.csv, births: n = 7305, periods 7/365, horizon 7,
          test = 2*365 // 7 * 7 = 728 rows (104 week-ahead forecasts), testStart = 6577.

Methods:
  naive-P       seasonal naive, Forecasting.SeasonalNaive: f(t + h) = y[t + h % P - P] (P = each period).
  hw            statsmodels ExponentialSmoothing, additive seasonality with the weekly period (taylor: 336) or 7
                (births), no trend; "damped": with an additive damped trend. The smoothing weights and the initial
                level/trend/seasonal states (initialization_method="estimated", i.e. all 336 initial seasonal values
                are estimated too) are fitted ONCE on y[:testStart]; for each origin the model is re-FILTERED with
                those fixed parameters and initial states over y[:origin] (initialization_method="known",
                optimized=False; checked to reproduce the fitted model's own forecast exactly) and forecasts
                `horizon` steps. --hw-refit also refits everything at every origin.
                Optimizer (--hw-methods): statsmodels 0.13's default fit (SLSQP from a brute-force start) stops with
                a ConvergenceWarning on taylor (SSE 1.26e8, damped 1.45e8); L-BFGS-B converges to SSE 1.25e8;
                method="least_squares" converges to the lowest SSE (1.085e8, alpha=1, gamma=0: the last level plus a
                fixed weekly profile). Both least_squares (the reference) and the default are reported.
  sarima        statsmodels SARIMAX, order (1,0,1), seasonal (1,1,1,s) with the daily season s = 48 (taylor) or the
                weekly one s = 7 (births), no constant. Fitted ONCE by maximum likelihood (statsmodels'
                default lbfgs, maxiter 200) on the last W rows before testStart, W from --sarima-windows (taylor: both
                W = 672, two weeks, ~1 min, and all 3360 rows, ~3 min; births: all 6577 rows); for each
                origin the fitted parameters are kept (no refit) and the Kalman filter is continued over
                y[testStart:origin] (results.extend; the same forecasts as results.apply(y[fit_start:origin])), and
                `horizon` steps are forecast.

Usage (from the repository root; see README.md):
  /usr/bin/python3 bench/reference/forecast_statsmodels.py --dataset taylor --hw-refit \
      --out bench/reference/results/forecast_taylor.json        # ~7 min on the 2-core machine
  /usr/bin/python3 bench/reference/forecast_statsmodels.py --dataset births --hw-refit \
      --out bench/reference/results/forecast_births.json        # ~7 min
"""
import argparse
import csv
import json
import os
import platform
import sys
import time
import warnings

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))

# One thread for BLAS (the C# runs single-threaded by default) and OpenBLAS' own CPU detection: set before numpy loads.
ENV_FOUND = {k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")}
os.environ.pop("OPENBLAS_CORETYPE", None)
os.environ["OPENBLAS_NUM_THREADS"] = "1"
os.environ["OMP_NUM_THREADS"] = "1"

import numpy as np  # noqa: E402
import scipy  # noqa: E402
import statsmodels  # noqa: E402
from statsmodels.tsa.holtwinters import ExponentialSmoothing  # noqa: E402
from statsmodels.tsa.statespace.sarimax import SARIMAX  # noqa: E402

DATASETS = {
    # name: (file, column, periods, weekly-ish period for Holt-Winters, SARIMA season, default SARIMA fit windows)
    "taylor": ("taylor_electricity_demand_halfhourly.csv", "demand_mw", [48, 336], 336, 48, "672,0"),
    "births": ("us_births_daily_1969_1988.csv", "births", [7, 365], 7, 7, "0"),
}


def load_column(path, column):
    with open(path, newline="", encoding="utf-8-sig") as f:
        return np.array([float(row[column]) for row in csv.DictReader(f)], dtype=np.float64)


def protocol(n, periods):
    """Forecasting.Run's split: horizon, testStart, origins (and trainEnd, for the record)."""
    longest, horizon = max(periods), min(periods)
    test_length = 2 * longest
    test_length = max(horizon, test_length // horizon * horizon)
    test_start = n - test_length
    train_end = test_start - max(horizon, test_length // 2 // horizon * horizon)
    origins = [test_start + k * horizon for k in range(test_length // horizon)]
    return horizon, test_start, train_end, origins


def scores(forecast, actual):
    err = forecast - actual
    return {"mape": float(100 * np.mean(np.abs(err) / np.abs(actual))),
            "rmse": float(np.sqrt(np.mean(err ** 2))), "mae": float(np.mean(np.abs(err)))}


def seasonal_naive(y, origins, horizon, period):
    return np.concatenate([[y[t + h % period - period] for h in range(horizon)] for t in origins])


# --- Holt-Winters -----------------------------------------------------------------------------------------------
def hw_model(endog, damped, period, known=None):
    """ExponentialSmoothing with additive seasonality (and an additive damped trend if `damped`); `known`: a fitted
    result whose initial level/trend/seasonal states are fixed (initialization_method="known")."""
    kw = dict(trend="add" if damped else None, damped_trend=damped, seasonal="add", seasonal_periods=period)
    if known is None:
        return ExponentialSmoothing(endog, initialization_method="estimated", **kw)
    p = known.params
    return ExponentialSmoothing(endog, initialization_method="known", initial_level=p["initial_level"],
                                initial_trend=p["initial_trend"] if damped else None,
                                initial_seasonal=p["initial_seasons"], **kw)


def hw_fixed_fit(endog, damped, period, fitted):
    """Re-filter `endog` with the parameters and initial states of `fitted` (nothing estimated)."""
    p = fitted.params
    extra = dict(smoothing_trend=p["smoothing_trend"], damping_trend=p["damping_trend"]) if damped else {}
    return hw_model(endog, damped, period, known=fitted).fit(
        smoothing_level=p["smoothing_level"], smoothing_seasonal=p["smoothing_seasonal"], optimized=False, **extra)


def hw_fit(endog, damped, period, method):
    # method None = statsmodels' default (SLSQP in 0.13, with its brute-force start); see the module docstring.
    return hw_model(endog, damped, period).fit(method=None if method == "default" else method)


def holt_winters(y, test_start, origins, horizon, period, damped, refit, method):
    t0 = time.perf_counter()
    fitted = hw_fit(y[:test_start], damped, period, method)
    fit_seconds = time.perf_counter() - t0
    forecasts = []
    for t in origins:
        if refit:
            res = hw_fit(y[:t], damped, period, method)
        else:
            res = hw_fixed_fit(y[:t], damped, period, fitted)
        forecasts.append(np.asarray(res.forecast(horizon)))
    # Self-check: re-filtering the fitting data reproduces the fitted model's own forecast.
    check = float(np.max(np.abs(np.asarray(hw_fixed_fit(y[:test_start], damped, period, fitted).forecast(horizon))
                                - np.asarray(fitted.forecast(horizon)))))
    p = fitted.params
    rv = fitted.mle_retvals
    info = {"optimizer": method, "converged": bool(getattr(rv, "success", False)),
            "fit_on_rows": [0, test_start], "fit_seconds": fit_seconds,
            "per_origin": "refit" if refit else "re-filtered with the fitted parameters and initial states",
            "smoothing_level": float(p["smoothing_level"]), "smoothing_seasonal": float(p["smoothing_seasonal"]),
            "sse": float(fitted.sse), "refilter_check_max_abs_diff": check}
    if damped:
        info.update(smoothing_trend=float(p["smoothing_trend"]), damping_trend=float(p["damping_trend"]))
    return np.concatenate(forecasts), info


# --- SARIMA -----------------------------------------------------------------------------------------------------
def sarima(y, test_start, origins, horizon, season, window):
    start = 0 if window <= 0 else max(0, test_start - window)
    model = SARIMAX(y[start:test_start], order=(1, 0, 1), seasonal_order=(1, 1, 1, season), trend="n")
    t0 = time.perf_counter()
    fitted = model.fit(disp=False, maxiter=200)
    fit_seconds = time.perf_counter() - t0
    forecasts = []
    for t in origins:
        # Same parameters; the Kalman filter continued over y[test_start:t] (identical forecasts to
        # fitted.apply(y[start:t]), i.e. re-filtering from `start`, checked to 0.0 difference; just faster).
        res = fitted if t == test_start else fitted.extend(y[test_start:t])
        forecasts.append(np.asarray(res.forecast(horizon)))
    info = {"order": [1, 0, 1], "seasonal_order": [1, 1, 1, season], "fit_on_rows": [start, test_start],
            "fit_seconds": fit_seconds, "per_origin": "fixed fitted parameters, Kalman filter continued to the origin (results.extend)",
            "params": {k: float(v) for k, v in zip(fitted.model.param_names, fitted.params)},
            "converged": bool(fitted.mle_retvals.get("converged", False)), "aic": float(fitted.aic)}
    return np.concatenate(forecasts), info


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dataset", default="taylor", choices=sorted(DATASETS))
    ap.add_argument("--sarima-windows", default="",
                    help="comma list of how many rows before the test start SARIMA is fitted on, one fit each "
                         "(0 = all; default: taylor 672,0 births 0)")
    ap.add_argument("--hw-methods", default="least_squares,default",
                    help="Holt-Winters optimizers, comma list: least_squares (default, lowest SSE), default "
                         "(statsmodels' own choice, SLSQP), L-BFGS-B, ...")
    ap.add_argument("--hw-refit", action="store_true", help="also refit Holt-Winters at every origin (slower)")
    ap.add_argument("--skip", default="", help="comma list of methods to skip: hw, hw-damped, sarima")
    ap.add_argument("--out", default="")
    a = ap.parse_args()
    np.random.seed(0)   # nothing here is random; fixed anyway
    skip = {s for s in a.skip.split(",") if s}

    file, column, periods, hw_period, season, window = DATASETS[a.dataset]
    windows = [int(w) for w in (a.sarima_windows or window).split(",") if w]
    y = load_column(os.path.join(REPO, "data", file), column)
    n = len(y)
    horizon, test_start, train_end, origins = protocol(n, periods)
    actual = np.concatenate([y[t:t + horizon] for t in origins])
    print(f"{a.dataset}: n={n}, periods {periods}, horizon {horizon}, testStart {test_start} ({n - test_start} rows, "
          f"{len(origins)} origins), C# trainEnd {train_end}", flush=True)

    results, details, seconds, forecasts = {}, {}, {}, {}

    def record(name, forecast, info=None, t0=None):
        results[name] = scores(forecast, actual)
        forecasts[name] = [round(float(v), 2) for v in forecast]
        if info is not None:
            details[name] = info
        if t0 is not None:
            seconds[name] = time.perf_counter() - t0
        s = results[name]
        print(f"  {name:<58} MAPE {s['mape']:6.2f} %  RMSE {s['rmse']:9.1f}  MAE {s['mae']:9.1f}"
              + (f"  ({seconds[name]:.1f} s)" if name in seconds else ""), flush=True)

    for p in periods:
        record(f"seasonal naive ({p})", seasonal_naive(y, origins, horizon, p))

    def run(name, fn, *fn_args):
        """Run one statistical method, keeping the warnings it raised (e.g. ConvergenceWarning) with its details."""
        t0 = time.perf_counter()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            f, info = fn(*fn_args)
        info["warnings"] = sorted({f"{x.category.__name__}: {x.message}" for x in caught})
        record(name, f, info, t0)
        for w in info["warnings"]:
            print("      warning:", w)

    for method in [m for m in a.hw_methods.split(",") if m]:
        for damped in (False, True):
            if ("hw-damped" if damped else "hw") in skip:
                continue
            for refit in ([False, True] if a.hw_refit else [False]):
                name = (f"holt-winters{' damped' if damped else ''} (add seasonal {hw_period}; {method}"
                        f"{'; refit each origin' if refit else ''})")
                run(name, holt_winters, y, test_start, origins, horizon, hw_period, damped, refit, method)
    for window in windows if "sarima" not in skip else []:
        fit_rows = "all rows before the test" if window <= 0 else f"the last {window} rows before the test"
        run(f"sarima (1,0,1)(1,1,1,{season}) fit on {fit_rows}", sarima, y, test_start, origins, horizon, season, window)

    out = {
        "script": "bench/reference/forecast_statsmodels.py", "dataset": a.dataset, "file": f"data/{file}", "column": column,
        "n": n, "periods": periods, "horizon": horizon, "test_start": test_start, "test_rows": n - test_start,
        "origins": origins, "csharp_train_end": train_end,
        "scores": results, "details": details, "seconds": seconds,
        "actual": [float(v) for v in actual], "forecasts": forecasts,   # concatenated over the origins, in order
        "statsmodels": statsmodels.__version__, "numpy": np.__version__, "scipy": scipy.__version__,
        "python": platform.python_version(), "environment_found": ENV_FOUND, "date": time.strftime("%Y-%m-%d"),
    }
    if a.out:
        os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
        with open(a.out, "w") as f:
            json.dump(out, f, indent=1)
            f.write("\n")
        print("wrote", a.out)


if __name__ == "__main__":
    sys.exit(main())
