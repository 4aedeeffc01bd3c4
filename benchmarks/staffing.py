"""Benchmark: Erlang C staffing for 50 queues × a year of half-hours (876,000 intervals), cxcert's vectorised
solver against pyworkforce's ErlangC.required_positions on the same inputs, in the same run.

pyworkforce solves one interval at a time in pure Python; running it on all 876,000 intervals takes minutes,
so it runs on a random sample (default 2,000) and its time per interval is extrapolated to the whole year.
Both the measured sample time and the extrapolation are printed. Answers are compared on the sample: agents on
the phone (pyworkforce "raw_positions") and scheduled positions after shrinkage (pyworkforce rounds up per
interval; we round our unrounded figure up the same way for the comparison only).

Usage: .venv/bin/python benchmarks/staffing.py [--queues 50] [--days 365] [--sample 2000] [--seed 1]
Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import math
import time

import numpy as np

from cxcert.workforce.staffing import StaffingTarget, solve_staffing
from cxcert.workforce.staffing_defaults import staffing_defaults


def generate(queues: int, days: int, seed: int) -> tuple[np.ndarray, np.ndarray, float]:
    """Realistic varying loads: per-queue size and AHT, an intraday curve, a weekly cycle, noise; seeded."""
    rng = np.random.default_rng(seed)
    interval_s = 1800.0
    slots = days * 48
    t = np.arange(slots)
    hour = (t % 48) / 2.0
    weekday = (t // 48) % 7
    intraday = 0.04 + np.exp(-(((hour - 11.0) / 3.0) ** 2)) + 0.8 * np.exp(-(((hour - 15.5) / 2.5) ** 2))
    weekly = np.where(weekday == 6, 0.35, np.where(weekday == 5, 0.6, 1.0))
    seasonal = 1.0 + 0.15 * np.sin(2 * np.pi * t / (48 * 365.0))
    shape = intraday * weekly * seasonal
    peak = rng.lognormal(mean=np.log(80.0), sigma=0.9, size=(queues, 1))  # peak calls per half-hour
    calls = peak * shape[None, :] * rng.gamma(shape=50.0, scale=1 / 50.0, size=(queues, slots))
    aht = rng.uniform(180.0, 600.0, size=(queues, 1)) * rng.gamma(shape=100.0, scale=1 / 100.0, size=(queues, slots))
    return calls, aht, interval_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--queues", type=int, default=50)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--sample", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-occupancy", type=float, default=0.85)
    parser.add_argument("--shrinkage", type=float, default=0.30)
    parser.add_argument("--repeat", type=int, default=3, help="Time each side this many times; keep the best.")
    args = parser.parse_args()
    d = staffing_defaults()
    calls, aht, interval_s = generate(args.queues, args.days, args.seed)
    target = StaffingTarget(
        d.target_service_level, d.target_answer_s, max_occupancy=args.max_occupancy, shrinkage=args.shrinkage
    )

    # Wall-clock and CPU time both: on a shared machine the CPU time is the steadier figure.
    # The machine may be shared: each side is timed --repeat times and the best run kept (the same rule for both).
    ours_s = ours_cpu = math.inf
    for _ in range(args.repeat):
        start, cpu = time.perf_counter(), time.process_time()
        plan = solve_staffing(calls, aht, interval_s, target)
        ours_s = min(ours_s, time.perf_counter() - start)
        ours_cpu = min(ours_cpu, time.process_time() - cpu)

    from pyworkforce.queuing import ErlangC

    rng = np.random.default_rng(args.seed + 1)
    flat = rng.choice(calls.size, size=min(args.sample, calls.size), replace=False)
    c_flat, a_flat = calls.ravel()[flat], aht.ravel()[flat]
    theirs_sample_s = theirs_cpu = math.inf
    for _ in range(args.repeat):
        start, cpu = time.perf_counter(), time.process_time()
        ref = [
            ErlangC(
                transactions=float(c),
                aht=float(a) / 60,
                asa=d.target_answer_s / 60,
                interval=interval_s / 60,
                shrinkage=args.shrinkage,
            ).required_positions(d.target_service_level, args.max_occupancy)
            for c, a in zip(c_flat, a_flat, strict=True)
        ]
        theirs_sample_s = min(theirs_sample_s, time.perf_counter() - start)
        theirs_cpu = min(theirs_cpu, time.process_time() - cpu)
    theirs_full_s = theirs_sample_s / len(flat) * calls.size
    theirs_full_cpu = theirs_cpu / len(flat) * calls.size

    raw = np.array([r["raw_positions"] for r in ref])
    positions = np.array([r["positions"] for r in ref])
    ours_raw = plan.agents_on_phone.ravel()[flat]
    ours_positions = np.ceil(plan.scheduled_with_shrinkage.ravel()[flat] - 1e-9).astype(int)
    print(
        json.dumps(
            {
                "benchmark": "staffing",
                "queues": args.queues,
                "intervals": int(calls.size),
                "target": f"{d.target_service_level:.0%} in {d.target_answer_s:g} s",
                "max_occupancy": args.max_occupancy,
                "shrinkage": args.shrinkage,
                "cxcert_s": round(ours_s, 3),
                "repeat_best_of": args.repeat,
                "pyworkforce_sample_intervals": len(flat),
                "pyworkforce_sample_s": round(theirs_sample_s, 3),
                "pyworkforce_extrapolated_s": round(theirs_full_s, 1),
                "speedup_extrapolated": round(theirs_full_s / ours_s, 1),
                "cxcert_cpu_s": round(ours_cpu, 3),
                "pyworkforce_extrapolated_cpu_s": round(theirs_full_cpu, 1),
                "speedup_extrapolated_cpu": round(theirs_full_cpu / ours_cpu, 1),
                "max_abs_diff_agents_on_phone": int(np.max(np.abs(raw - ours_raw))),
                "intervals_differing_agents_on_phone": int(np.sum(raw != ours_raw)),
                "max_abs_diff_scheduled_positions": int(np.max(np.abs(positions - ours_positions))),
                # pyworkforce takes ceil(n / (1 − s)) in floating point: 21 / (1 − 0.3) = 30.000000000000004 becomes 31
                "intervals_differing_scheduled_positions": int(np.sum(positions != ours_positions)),
                "agent_intervals_year_on_phone": int(plan.agents_on_phone.sum()),
                "scheduled_agent_intervals_rounded_once": math.ceil(float(plan.scheduled_with_shrinkage.sum()) - 1e-9),
                "scheduled_agent_intervals_rounded_each": int(np.ceil(plan.scheduled_with_shrinkage - 1e-9).sum()),
            }
        )
    )


if __name__ == "__main__":
    main()
