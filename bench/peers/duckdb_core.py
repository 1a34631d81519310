"""The bench's core aggregations in DuckDB SQL, straight on the parquet files.

Run by `hubecon-bench run`; see common.py for the outputs.
"""

import os

import duckdb

import common


def paths(data):
    return {t: os.path.join(data, t + ".parquet").replace("'", "''") for t in ("downloads", "models", "developers")}


def query(sql):
    con = duckdb.connect()
    try:
        return con.execute(sql).df()
    finally:
        con.close()


def country_share(data):
    p = paths(data)
    df = query(f"""
        WITH credited AS (
            SELECT d.week, coalesce(v.country_group, 'Unknown') AS country_group,
                   d.downloads::DOUBLE AS downloads
            FROM read_parquet('{p["downloads"]}') d
            LEFT JOIN (SELECT model_id, author FROM read_parquet('{p["models"]}')) m USING (model_id)
            LEFT JOIN (SELECT author, country_group FROM read_parquet('{p["developers"]}')) v
                   ON v.author = m.author)
        SELECT week, country_group,
               sum(downloads) / sum(sum(downloads)) OVER (PARTITION BY week) AS download_share
        FROM credited GROUP BY week, country_group ORDER BY week, country_group""")
    df["week"] = common.iso_dates(df["week"])
    return df


def developer_concentration(data):
    p = paths(data)
    df = query(f"""
        WITH per_developer AS (
            SELECT d.week, m.author, sum(d.downloads::DOUBLE) AS x
            FROM read_parquet('{p["downloads"]}') d
            JOIN (SELECT model_id, author FROM read_parquet('{p["models"]}')) m USING (model_id)
            GROUP BY d.week, m.author),
        ranked AS (
            SELECT week, x,
                   (2 * row_number() OVER (PARTITION BY week ORDER BY x)
                      - count(*) OVER (PARTITION BY week) - 1) * x AS gini_term
            FROM per_developer)
        SELECT week,
               CASE WHEN sum(x) > 0 THEN sum(x * x) / (sum(x) * sum(x)) END AS hhi,
               CASE WHEN sum(x) > 0 THEN sum(gini_term) / (count(*) * sum(x)) ELSE 0 END AS gini
        FROM ranked GROUP BY week ORDER BY week""")
    df["week"] = common.iso_dates(df["week"])
    return df


def weighted_params(data):
    p = paths(data)
    return query(f"""
        SELECT CASE WHEN year(d.week) <= 2022 THEN '<=2022' ELSE CAST(year(d.week) AS VARCHAR) END AS period,
               sum(d.downloads::DOUBLE * m.params::DOUBLE) / sum(d.downloads::DOUBLE) AS weighted_mean_params
        FROM read_parquet('{p["downloads"]}') d
        JOIN (SELECT model_id, params FROM read_parquet('{p["models"]}') WHERE params IS NOT NULL) m
             USING (model_id)
        GROUP BY 1 ORDER BY 1""")


if __name__ == "__main__":
    common.run(
        "duckdb",
        duckdb.__version__,
        {
            "a_country_share": country_share,
            "b_concentration": developer_concentration,
            "c_weighted_params": weighted_params,
        },
        common.parse_args("DuckDB"),
    )
