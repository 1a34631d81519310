"""What both peers share: arguments, repeats, timings and the CSV format.

Each peer computes the three core aggregations of bench/src/core.rs on a
prepared dataset and writes, into --out:
  a_country_share.csv    week, country_group, download_share
  b_concentration.csv    week, hhi, gini
  c_weighted_params.csv  period, weighted_mean_params
  timings.json           {"tool", "version", "seconds": {id: [per repeat]}}
Each aggregation is timed from reading the parquet files to the result in
memory; writing the CSV is not timed (as on hubecon's side).
"""

import argparse
import json
import os
import sys
import time

AGGREGATIONS = ["a_country_share", "b_concentration", "c_weighted_params"]


def parse_args(tool):
    p = argparse.ArgumentParser(
        description=f"The bench's core aggregations written in {tool}, as a researcher would."
    )
    p.add_argument("--data", required=True, help="a prepared dataset (hubecon prepare --out)")
    p.add_argument("--out", required=True, help="directory for the CSVs and timings.json")
    p.add_argument("--repeats", type=int, default=3, help="timed runs of each aggregation")
    args = p.parse_args()
    for name in ("models.parquet", "downloads.parquet", "developers.parquet"):
        if not os.path.isfile(os.path.join(args.data, name)):
            sys.exit(f"error: {os.path.join(args.data, name)} is missing: --data must be a prepared dataset")
    os.makedirs(args.out, exist_ok=True)
    return args


def iso_dates(series):
    """A date or datetime column as YYYY-MM-DD strings (the key every tool writes)."""
    import pandas as pd

    return pd.to_datetime(series).dt.strftime("%Y-%m-%d")


def run(tool, version, functions, args):
    """Times each aggregation `args.repeats` times, writes its last result."""
    seconds = {}
    for name in AGGREGATIONS:
        fn = functions[name]
        times = []
        result = None
        for _ in range(max(1, args.repeats)):
            started = time.perf_counter()
            result = fn(args.data)
            times.append(time.perf_counter() - started)
        seconds[name] = times
        path = os.path.join(args.out, name + ".csv")
        result.to_csv(path + ".tmp", index=False, float_format=None)
        os.replace(path + ".tmp", path)
        print(f"{tool}: {name}: {min(times):.3f} s (best of {len(times)})", file=sys.stderr)
    with open(os.path.join(args.out, "timings.json"), "w") as f:
        json.dump({"tool": tool, "version": version, "seconds": seconds}, f, indent=2)
