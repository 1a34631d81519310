"""Opens every parquet file given on the command line whole in pandas (its
default reader), pyarrow and DuckDB, and fails on a view type in a schema.
Run by the readers test (crates/cli/tests/readers/mod.rs)."""
import sys

import duckdb
import pandas as pd
import pyarrow.parquet as pq

for path in sys.argv[1:]:
    schema = pq.read_schema(path)
    views = [f"{f.name}: {f.type}" for f in schema if "view" in str(f.type)]
    if views:
        sys.exit(f"{path}: view types pandas cannot convert: {views}")
    frame = pd.read_parquet(path)
    table = pq.read_table(path)
    ((rows,),) = duckdb.sql(f"select count(*) from read_parquet('{path}')").fetchall()
    if not (len(frame) == table.num_rows == rows):
        sys.exit(f"{path}: pandas {len(frame)}, pyarrow {table.num_rows}, duckdb {rows} rows")
    print(f"ok {path} {frame.shape}")
