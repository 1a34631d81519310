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

/// The number of rows, from the file's footer.
pub fn row_count(path: &Path) -> Result<usize> {
    reader(path)?.num_rows().map_err(|e| unreadable(path, e))
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

/// The largest counter an input may hold: 2^53, the last integer a float
/// column (as pandas writes a counter with gaps) holds exactly. The Hub's
/// largest all-time counter is about 10^10, so a larger value is corrupt
/// data; refusing it keeps every sum of counters exact and far from u64's end.
pub const MAX_COUNT: u64 = 1 << 53;

/// A non-negative integer count column as `UInt64`: integers read as
/// integers, floats only when they hold an exact integer (as pandas writes
/// a column with gaps). A null, a negative, a fractional value or one above
/// [`MAX_COUNT`] is an error naming the row and model.
pub fn count_column(
    df: &DataFrame,
    name: &str,
    path: &Path,
    ids: &StringChunked,
) -> Result<UInt64Chunked> {
    let c = df
        .column(name)
        .during(|| format!("reading column {name}"))?;
    let bad = |row: usize, value: String| IngestError::BadValue {
        at: Location::file(path)
            .column(name)
            .row(row)
            .model(ids.get(row)),
        value,
        expected: format!("a non-negative integer count of at most {MAX_COUNT} (2^53)"),
    };
    let null = || "null".to_string();
    let mut out = Vec::with_capacity(c.len());
    let dtype = c.dtype();
    if dtype.is_unsigned_integer() {
        let vals = c
            .cast(&DataType::UInt64)
            .during(|| format!("reading {name}"))?;
        for (row, v) in vals
            .u64()
            .during(|| format!("reading {name}"))?
            .iter()
            .enumerate()
        {
            match v {
                Some(x) if x <= MAX_COUNT => out.push(x),
                other => return Err(bad(row, other.map_or_else(null, |x| x.to_string()))),
            }
        }
    } else if dtype.is_signed_integer() {
        let vals = c
            .cast(&DataType::Int64)
            .during(|| format!("reading {name}"))?;
        for (row, v) in vals
            .i64()
            .during(|| format!("reading {name}"))?
            .iter()
            .enumerate()
        {
            match v.map(u64::try_from) {
                Some(Ok(x)) if x <= MAX_COUNT => out.push(x),
                _ => return Err(bad(row, v.map_or_else(null, |x| x.to_string()))),
            }
        }
    } else if dtype.is_float() {
        let vals = c
            .cast(&DataType::Float64)
            .during(|| format!("reading {name}"))?;
        for (row, v) in vals
            .f64()
            .during(|| format!("reading {name}"))?
            .iter()
            .enumerate()
        {
            match v {
                // Every integral f64 in 0..=2^53 is exact, so the cast is too.
                Some(x) if (0.0..=MAX_COUNT as f64).contains(&x) && x.fract() == 0.0 => {
                    out.push(x as u64)
                }
                other => return Err(bad(row, other.map_or_else(null, |x| x.to_string()))),
            }
        }
    } else {
        return Err(IngestError::WrongType {
            at: Location::file(path).column(name),
            found: dtype.to_string(),
            expected: "a non-negative integer count".into(),
        });
    }
    Ok(UInt64Chunked::from_vec(name.into(), out))
}

/// Parses a snapshot folder's name: exactly `YYYY-MM-DD`, nothing before
/// or after (`2024-6-9` and `2024-06-09 (copy)` are not snapshot dates).
pub fn parse_folder_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    let shaped = b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        });
    if !shaped {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
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
    let plausible = crate::week::plausible_days();
    let implausible = |row: usize, value: String| IngestError::BadValue {
        at: at(row),
        value,
        expected: crate::week::plausible_range_text(),
    };
    let values: Vec<Option<i32>> = match c.dtype() {
        DataType::Date => {
            let days = c
                .cast(&DataType::Int32)
                .during(|| format!("converting {name} to dates"))?;
            let days = days.i32().during(|| format!("reading {name}"))?;
            let mut out = Vec::with_capacity(days.len());
            for (row, d) in days.iter().enumerate() {
                match d {
                    Some(d) if !plausible.contains(&d) => {
                        return Err(implausible(row, format!("{d} days since 1970-01-01")));
                    }
                    d => out.push(d),
                }
            }
            out
        }
        // Days from the raw count of units, in i64: polars' own cast to a
        // date would wrap a timestamp beyond i32 days.
        DataType::Datetime(unit, _) => {
            let per_day: i64 = match unit {
                TimeUnit::Nanoseconds => 86_400_000_000_000,
                TimeUnit::Microseconds => 86_400_000_000,
                TimeUnit::Milliseconds => 86_400_000,
            };
            let raw = c
                .to_physical_repr()
                .cast(&DataType::Int64)
                .during(|| format!("converting {name} to dates"))?;
            let raw = raw.i64().during(|| format!("reading {name}"))?;
            let mut out = Vec::with_capacity(raw.len());
            for (row, t) in raw.iter().enumerate() {
                let Some(t) = t else {
                    out.push(None);
                    continue;
                };
                match i32::try_from(t.div_euclid(per_day)) {
                    Ok(d) if plausible.contains(&d) => out.push(Some(d)),
                    _ => return Err(implausible(row, format!("{t} {unit} since 1970-01-01"))),
                }
            }
            out
        }
        DataType::String | DataType::Binary => {
            let text = text_column(df, name, path)?;
            let mut out = Vec::with_capacity(text.len());
            for (row, v) in text.iter().enumerate() {
                match v {
                    None => out.push(None),
                    Some(s) => match parse_date(s) {
                        Some(d) if plausible.contains(&to_epoch_days(d)) => {
                            out.push(Some(to_epoch_days(d)))
                        }
                        Some(_) => return Err(implausible(row, s.to_string())),
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

/// polars' JSON writer cannot write binary data (it panicked on a binary
/// `tags` or `author`): a binary column becomes text, an error at its first
/// row that is not UTF-8; binary nested in a list or struct is an error
/// naming the column.
fn text_for_binary(df: &mut DataFrame, path: &Path) -> Result<()> {
    fn has_binary(dt: &DataType) -> bool {
        match dt {
            DataType::Binary | DataType::BinaryOffset => true,
            DataType::List(inner) => has_binary(inner),
            DataType::Struct(fields) => fields.iter().any(|f| has_binary(f.dtype())),
            _ => false,
        }
    }
    let names: Vec<String> = df
        .columns()
        .iter()
        .filter(|c| has_binary(c.dtype()))
        .map(|c| c.name().to_string())
        .collect();
    for name in names {
        let dtype = df
            .column(&name)
            .during(|| format!("reading {name}"))?
            .dtype()
            .clone();
        if dtype != DataType::Binary {
            return Err(IngestError::WrongType {
                at: Location::file(path).column(&name),
                found: dtype.to_string(),
                expected: "text, numbers, lists or structs of them (no binary data)".into(),
            });
        }
        let text = text_column(df, &name, path)?;
        df.with_column(text.into_column())
            .during(|| format!("reading {name} as text"))?;
    }
    Ok(())
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
    let mut selected = df
        .select(columns.iter().cloned())
        .during(|| "selecting metadata columns".into())?;
    text_for_binary(&mut selected, path)?;
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
    fn binary_metadata_is_text_or_an_error_naming_its_row() {
        let path = Path::new("s.parquet");
        let ok = df!("tags" => [b"gguf".as_slice(), b"x".as_slice()]).unwrap();
        let rows = json_rows(&ok, &["tags".to_string()], path, |_, r| r["tags"].clone()).unwrap();
        assert_eq!(rows, [Value::from("gguf"), Value::from("x")]);
        let bad = df!("author" => [b"ok".as_slice(), b"\xff\xfe".as_slice()]).unwrap();
        let err = json_rows(&bad, &["author".to_string()], path, |_, _| ())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("column `author`, row 1") && err.contains("UTF-8"),
            "{err}"
        );
        let nested = Series::new("tags".into(), [Series::new("".into(), [b"a".as_slice()])]);
        let df = DataFrame::new(1, vec![nested.into_column()]).unwrap();
        let err = json_rows(&df, &["tags".to_string()], path, |_, _| ())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("column `tags`") && err.contains("binary"),
            "{err}"
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

    #[test]
    fn folder_dates_are_exactly_yyyy_mm_dd() {
        assert_eq!(
            parse_folder_date("2024-06-09"),
            NaiveDate::from_ymd_opt(2024, 6, 9)
        );
        for bad in [
            "2024-6-9",
            "2024-06-09 (copy)",
            " 2024-06-09",
            "2024-06-31",
            "2024_06_09",
        ] {
            assert_eq!(parse_folder_date(bad), None, "{bad}");
        }
    }

    fn ids(n: usize) -> StringChunked {
        StringChunked::from_iter_values("id".into(), (0..n).map(|i| format!("a/m{i}")))
    }

    #[test]
    fn counters_are_exact_integers_up_to_2_pow_53() {
        let path = Path::new("s.parquet");
        let ok = df!("c" => [0u64, MAX_COUNT]).unwrap();
        let got = count_column(&ok, "c", path, &ids(2)).unwrap();
        assert_eq!(got.into_no_null_iter().collect::<Vec<_>>(), [0, MAX_COUNT]);
        // Integers above 2^53 are read as integers (not through f64) and refused.
        let cases = [
            df!("c" => [5u64, MAX_COUNT + 1]).unwrap(),
            df!("c" => [5i64, i64::MAX]).unwrap(),
            df!("c" => [5i64, -1]).unwrap(),
            df!("c" => [5.0f64, 1e26]).unwrap(),
            df!("c" => [5.0f64, 2.5]).unwrap(),
            df!("c" => [5.0f64, f64::NAN]).unwrap(),
        ];
        for df in cases {
            let err = count_column(&df, "c", path, &ids(2))
                .unwrap_err()
                .to_string();
            assert!(
                err.contains("column `c`, row 1, model `a/m1`") && err.contains("2^53"),
                "{df:?}: {err}"
            );
        }
    }

    #[test]
    fn dates_beyond_today_or_the_calendar_are_refused_at_their_row() {
        let path = Path::new("s.parquet");
        let far = Series::new("t".into(), [0i64, i64::MAX])
            .cast(&DataType::Datetime(TimeUnit::Milliseconds, None))
            .unwrap();
        let date = Series::new("t".into(), [0i32, i32::MAX])
            .cast(&DataType::Date)
            .unwrap();
        let text = Series::new("t".into(), ["2024-01-01", "2099-01-01"]);
        for s in [far, date, text] {
            let df = DataFrame::new(2, vec![s.into_column()]).unwrap();
            let err = date_column(&df, "t", path, &ids(2), true)
                .unwrap_err()
                .to_string();
            assert!(
                err.contains("column `t`, row 1, model `a/m1`") && err.contains("to today"),
                "{err}"
            );
        }
    }
}
