//! Opening parquet inputs and reading their columns with errors that name the
//! file, the column, the row and the model.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use chrono::NaiveDate;
use polars::prelude::*;
use rayon::prelude::*;
use serde_json::{Map, Value};

use crate::error::{IngestError, Location, PolarsContext, Result};
use crate::week::to_epoch_days;

const MAGIC: &[u8; 4] = b"PAR1";

/// Checks that `path` is a complete parquet file: not empty, the magic bytes
/// at both ends (a truncated download loses the footer).
pub fn check_parquet(path: &Path) -> Result<()> {
    let mut f = File::open(path).map_err(|e| IngestError::io(path, e))?;
    let len = f.metadata().map_err(|e| IngestError::io(path, e))?.len();
    if len == 0 {
        return Err(IngestError::EmptyFile {
            path: path.into(),
            expected: "a parquet file".into(),
        });
    }
    let unreadable = |detail: &str| IngestError::Unreadable {
        path: path.into(),
        expected: "parquet".into(),
        detail: detail.into(),
    };
    let mut head = [0u8; 4];
    if len < 12 || f.read_exact(&mut head).is_err() || &head != MAGIC {
        return Err(unreadable(
            "it does not start with the parquet magic bytes PAR1",
        ));
    }
    let mut tail = [0u8; 4];
    f.seek(SeekFrom::End(-4))
        .map_err(|e| IngestError::io(path, e))?;
    f.read_exact(&mut tail)
        .map_err(|e| IngestError::io(path, e))?;
    if &tail != MAGIC {
        return Err(unreadable("its footer is missing: the file is truncated"));
    }
    Ok(())
}

fn reader(path: &Path) -> Result<ParquetReader<File>> {
    check_parquet(path)?;
    let f = File::open(path).map_err(|e| IngestError::io(path, e))?;
    Ok(ParquetReader::new(f))
}

fn unreadable(path: &Path, e: PolarsError) -> IngestError {
    IngestError::Unreadable {
        path: path.into(),
        expected: "parquet".into(),
        detail: e.to_string(),
    }
}

/// The column names of a parquet file, in file order.
pub fn column_names(path: &Path) -> Result<Vec<String>> {
    let schema = reader(path)?.schema().map_err(|e| unreadable(path, e))?;
    Ok(schema.iter_names().map(|n| n.to_string()).collect())
}

/// Reads the given columns (all of which must exist).
pub fn read_columns(path: &Path, columns: &[String]) -> Result<DataFrame> {
    reader(path)?
        .with_columns(Some(columns.to_vec()))
        .finish()
        .map_err(|e| unreadable(path, e))
}

/// The first of `candidates` that the file has, or a missing-column error.
pub fn require_column(path: &Path, names: &[String], candidates: &[&str]) -> Result<String> {
    candidates
        .iter()
        .find(|c| names.iter().any(|n| n == *c))
        .map(|c| c.to_string())
        .ok_or_else(|| IngestError::MissingColumn {
            at: Location::file(path),
            expected: candidates
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(" or "),
        })
}

/// A text column. Binary data that is not UTF-8 is reported at its row.
pub fn text_column(df: &DataFrame, name: &str, path: &Path) -> Result<StringChunked> {
    let c = df
        .column(name)
        .during(|| format!("reading column {name}"))?;
    match c.dtype() {
        DataType::String => Ok(c.str().during(|| format!("reading column {name}"))?.clone()),
        DataType::Binary => binary_as_text(c, name, path),
        other => Err(IngestError::WrongType {
            at: Location::file(path).column(name),
            found: other.to_string(),
            expected: "text (string)".into(),
        }),
    }
}

fn binary_as_text(c: &Column, name: &str, path: &Path) -> Result<StringChunked> {
    let bin = c.binary().during(|| format!("reading column {name}"))?;
    let mut out = Vec::with_capacity(bin.len());
    for (row, v) in bin.iter().enumerate() {
        match v.map(std::str::from_utf8).transpose() {
            Ok(s) => out.push(s.map(str::to_string)),
            Err(e) => {
                return Err(IngestError::BadValue {
                    at: Location::file(path).column(name).row(row),
                    value: format!("{:?}", String::from_utf8_lossy(v.unwrap_or_default())),
                    expected: format!("UTF-8 text (invalid byte at offset {})", e.valid_up_to()),
                });
            }
        }
    }
    Ok(StringChunked::from_iter_options(
        name.into(),
        out.into_iter(),
    ))
}

/// A non-negative integer count column as `UInt64` (integers, or floats with
/// integral values as pandas writes when a column has gaps). A null, a
/// negative or a fractional value is an error naming the row and model.
pub fn count_column(
    df: &DataFrame,
    name: &str,
    path: &Path,
    ids: &StringChunked,
) -> Result<UInt64Chunked> {
    let c = df
        .column(name)
        .during(|| format!("reading column {name}"))?;
    let as_f64 = match c.dtype() {
        dt if dt.is_integer() || dt.is_float() => c
            .cast(&DataType::Float64)
            .during(|| format!("reading {name}"))?,
        other => {
            return Err(IngestError::WrongType {
                at: Location::file(path).column(name),
                found: other.to_string(),
                expected: "a non-negative integer count".into(),
            });
        }
    };
    let vals = as_f64.f64().during(|| format!("reading {name}"))?;
    let mut out = Vec::with_capacity(vals.len());
    for (row, v) in vals.iter().enumerate() {
        match v {
            Some(x) if x >= 0.0 && x.fract() == 0.0 && x < 1.8e19 => out.push(x as u64),
            other => {
                return Err(IngestError::BadValue {
                    at: Location::file(path)
                        .column(name)
                        .row(row)
                        .model(ids.get(row)),
                    value: other.map_or("null".into(), |x| x.to_string()),
                    expected: "a non-negative integer count".into(),
                });
            }
        }
    }
    Ok(UInt64Chunked::from_vec(name.into(), out))
}

/// Parses a date written as `YYYY-MM-DD`, optionally followed by a time
/// (`2023-05-01T12:00:00.000Z`, `2023-05-01 12:00:00+00:00`).
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let t = s.trim();
    let date = t.get(..10)?;
    let rest = &t[10..];
    if !(rest.is_empty() || rest.starts_with('T') || rest.starts_with(' ')) {
        return None;
    }
    NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()
}

/// A date column as days since 1970 (`Date`, `Datetime` of any unit or time
/// zone, or ISO text). A value that does not parse is an error naming the row
/// and model; nulls are allowed only when `allow_null`.
pub fn date_column(
    df: &DataFrame,
    name: &str,
    path: &Path,
    ids: &StringChunked,
    allow_null: bool,
) -> Result<Vec<Option<i32>>> {
    let c = df
        .column(name)
        .during(|| format!("reading column {name}"))?;
    let at = |row: usize| {
        Location::file(path)
            .column(name)
            .row(row)
            .model(ids.get(row))
    };
    let values: Vec<Option<i32>> = match c.dtype() {
        DataType::Date | DataType::Datetime(_, _) => {
            let days = c
                .cast(&DataType::Date)
                .and_then(|d| d.cast(&DataType::Int32))
                .during(|| format!("converting {name} to dates"))?;
            days.i32()
                .during(|| format!("reading {name}"))?
                .iter()
                .collect()
        }
        DataType::String | DataType::Binary => {
            let text = text_column(df, name, path)?;
            let mut out = Vec::with_capacity(text.len());
            for (row, v) in text.iter().enumerate() {
                match v {
                    None => out.push(None),
                    Some(s) => match parse_date(s) {
                        Some(d) => out.push(Some(to_epoch_days(d))),
                        None => {
                            return Err(IngestError::BadValue {
                                at: at(row),
                                value: s.to_string(),
                                expected: "a date such as 2023-05-01 or 2023-05-01T12:00:00Z"
                                    .into(),
                            });
                        }
                    },
                }
            }
            out
        }
        other => {
            return Err(IngestError::WrongType {
                at: Location::file(path).column(name),
                found: other.to_string(),
                expected: "a date, a timestamp or ISO date text".into(),
            });
        }
    };
    if !allow_null && let Some(row) = values.iter().position(Option::is_none) {
        return Err(IngestError::BadValue {
            at: at(row),
            value: "null".into(),
            expected: "a date".into(),
        });
    }
    Ok(values)
}

/// `row(i, object)` of every row `i` of `columns` as a JSON object (nested
/// structs and lists as JSON), in row order. Rows are converted in chunks
/// of at most 20,000, in parallel: memory holds the JSON of a chunk per
/// thread, whatever the frame's height. A smaller frame is cut into about
/// four chunks per thread (not under 1,000 rows), so that it is converted on
/// every core too (the default sample's 20,000 models were one chunk).
pub fn json_rows<T: Send>(
    df: &DataFrame,
    columns: &[String],
    path: &Path,
    row: impl Fn(usize, Map<String, Value>) -> T + Sync,
) -> Result<Vec<T>> {
    let chunk_rows = df
        .height()
        .div_ceil(4 * rayon::current_num_threads())
        .clamp(1_000, 20_000);
    if columns.is_empty() {
        return Ok((0..df.height()).map(|i| row(i, Map::new())).collect());
    }
    let selected = df
        .select(columns.iter().cloned())
        .during(|| "selecting metadata columns".into())?;
    let chunk = |offset: usize| -> Result<Vec<T>> {
        let mut part = selected.slice(offset as i64, chunk_rows);
        let mut buf = Vec::new();
        JsonWriter::new(&mut buf)
            .with_json_format(JsonFormat::JsonLines)
            .finish(&mut part)
            .during(|| format!("converting metadata of {} to JSON", path.display()))?;
        buf.split(|b| *b == b'\n')
            .filter(|l| !l.is_empty())
            .enumerate()
            .map(|(k, line)| {
                let object = serde_json::from_slice(line).map_err(|e| IngestError::Unreadable {
                    path: path.into(),
                    expected: "parquet with JSON-convertible metadata".into(),
                    detail: e.to_string(),
                })?;
                Ok(row(offset + k, object))
            })
            .collect()
    };
    let chunks = (0..selected.height())
        .step_by(chunk_rows)
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(chunk)
        .collect::<Result<Vec<_>>>()?;
    // One allocation of the final size, each chunk freed once moved: a
    // growing vector would hold up to twice the rows while it reallocates.
    let mut rows = Vec::with_capacity(selected.height());
    for c in chunks {
        rows.extend(c);
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows come back in order with their own index, across chunks
    /// converted on different threads.
    #[test]
    fn json_rows_keep_row_order_and_index_across_chunks() {
        let n = 45_123i64;
        let df = df!("x" => (0..n).collect::<Vec<_>>(), "y" => (0..n).map(|v| v * 2).collect::<Vec<_>>())
            .unwrap();
        let rows = json_rows(&df, &["x".to_string()], Path::new("t.parquet"), |i, row| {
            (i as i64, row["x"].as_i64().unwrap(), row.contains_key("y"))
        })
        .unwrap();
        assert_eq!(rows.len(), n as usize);
        assert!(
            rows.iter()
                .enumerate()
                .all(|(k, (i, x, y))| *i == k as i64 && *x == k as i64 && !y)
        );
    }

    #[test]
    fn dates_parse_with_or_without_time() {
        let d = NaiveDate::from_ymd_opt(2023, 5, 1);
        assert_eq!(parse_date("2023-05-01"), d);
        assert_eq!(parse_date("2023-05-01T12:00:00.000Z"), d);
        assert_eq!(parse_date("2023-05-01 12:00:00+00:00"), d);
        assert_eq!(parse_date("2023-13-01"), None);
        assert_eq!(parse_date("yesterday"), None);
        assert_eq!(parse_date("2023-05-01x"), None);
    }
}
