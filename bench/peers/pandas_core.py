"""The bench's core aggregations in pandas, as a researcher would write them.

Run by `hubecon-bench run`; see common.py for the outputs.
"""

import os

import numpy as np
import pandas as pd

import common


def read(data, table, columns):
    return pd.read_parquet(os.path.join(data, table + ".parquet"), columns=columns)


def country_share(data):
    downloads = read(data, "downloads", ["model_id", "week", "downloads"])
    models = read(data, "models", ["model_id", "author"])
    developers = read(data, "developers", ["author", "country_group"])
    credited = downloads.merge(models, on="model_id", how="left").merge(developers, on="author", how="left")
    credited["country_group"] = credited["country_group"].fillna("Unknown")
    credited["downloads"] = credited["downloads"].astype("float64")
    per_group = credited.groupby(["week", "country_group"], dropna=False)["downloads"].sum()
    share = per_group / per_group.groupby(level="week").transform("sum")
    out = share.rename("download_share").reset_index().sort_values(["week", "country_group"])
    out["week"] = common.iso_dates(out["week"])
    return out


def gini_and_hhi(x):
    x = np.sort(x.to_numpy())
    n, total = len(x), x.sum()
    if total <= 0:
        return pd.Series({"hhi": np.nan, "gini": 0.0})
    i = np.arange(1, n + 1)
    return pd.Series({"hhi": (x * x).sum() / total**2, "gini": ((2 * i - n - 1) * x).sum() / (n * total)})


def developer_concentration(data):
    downloads = read(data, "downloads", ["model_id", "week", "downloads"])
    models = read(data, "models", ["model_id", "author"])
    credited = downloads.merge(models, on="model_id", how="inner")
    credited["downloads"] = credited["downloads"].astype("float64")
    per_developer = credited.groupby(["week", "author"], dropna=False)["downloads"].sum()
    out = per_developer.groupby(level="week").apply(gini_and_hhi).unstack().reset_index()
    out = out[["week", "hhi", "gini"]].sort_values("week")
    out["week"] = common.iso_dates(out["week"])
    return out


def weighted_params(data):
    downloads = read(data, "downloads", ["model_id", "week", "downloads"])
    models = read(data, "models", ["model_id", "params"]).dropna(subset=["params"])
    sized = downloads.merge(models, on="model_id", how="inner")
    year = pd.to_datetime(sized["week"]).dt.year
    sized["period"] = np.where(year <= 2022, "<=2022", year.astype(str))
    sized["weighted"] = sized["downloads"].astype("float64") * sized["params"].astype("float64")
    sums = sized.groupby("period")[["weighted", "downloads"]].sum()
    out = (sums["weighted"] / sums["downloads"].astype("float64")).rename("weighted_mean_params")
    return out.reset_index().sort_values("period")


if __name__ == "__main__":
    common.run(
        "pandas",
        pd.__version__,
        {
            "a_country_share": country_share,
            "b_concentration": developer_concentration,
            "c_weighted_params": weighted_params,
        },
        common.parse_args("pandas"),
    )
