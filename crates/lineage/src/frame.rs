//! Column access: reading the models table into plain vectors (one pass per
//! column, no per-row `AnyValue`), and building the output columns.

use polars::prelude::*;
use rayon::prelude::*;

use crate::LineageError;

/// Table names used in error messages.
pub(crate) const MODELS: &str = "models";
pub(crate) const DOWNLOADS: &str = "downloads";

fn missing(table: &'static str, column: &str, expected: &'static str) -> LineageError {
    LineageError::MissingColumn {
        table,
        column: column.to_string(),
        expected,
    }
}

fn wrong(
    table: &'static str,
    column: &str,
    dtype: &DataType,
    expected: &'static str,
) -> LineageError {
    LineageError::WrongType {
        table,
        column: column.to_string(),
        found: dtype.to_string(),
        expected,
    }
}

/// A non-null String column; absent or null values are errors.
pub(crate) fn required_str<'a>(
    df: &'a DataFrame,
    table: &'static str,
    name: &str,
) -> Result<Vec<&'a str>, LineageError> {
    let col = df
        .column(name)
        .map_err(|_| missing(table, name, "String"))?;
    let ca = col
        .str()
        .map_err(|_| wrong(table, name, col.dtype(), "String"))?;
    ca.iter()
        .enumerate()
        .map(|(row, v)| {
            v.ok_or_else(|| LineageError::NullValue {
                table,
                column: name.to_string(),
                row,
            })
        })
        .collect()
}

/// A nullable String column; an absent column reads as all null.
pub(crate) fn optional_str<'a>(
    df: &'a DataFrame,
    table: &'static str,
    name: &str,
) -> Result<Vec<Option<&'a str>>, LineageError> {
    let Ok(col) = df.column(name) else {
        return Ok(vec![None; df.height()]);
    };
    match col.dtype() {
        DataType::String => Ok(col.str()?.iter().collect()),
        DataType::Null => Ok(vec![None; df.height()]),
        other => Err(wrong(table, name, other, "String")),
    }
}

/// A nullable unsigned count; any integer dtype is accepted, an absent column reads as null.
pub(crate) fn optional_u64(
    df: &DataFrame,
    table: &'static str,
    name: &str,
) -> Result<Vec<Option<u64>>, LineageError> {
    let Ok(col) = df.column(name) else {
        return Ok(vec![None; df.height()]);
    };
    match col.dtype() {
        DataType::UInt64 => Ok(col.u64()?.iter().collect()),
        DataType::Null => Ok(vec![None; df.height()]),
        dt if dt.is_integer() => {
            let cast = col.strict_cast(&DataType::UInt64)?;
            Ok(cast.u64()?.iter().collect())
        }
        other => Err(wrong(table, name, other, "an unsigned integer")),
    }
}

/// A Boolean flag; null and an absent column read as false.
pub(crate) fn optional_bool(
    df: &DataFrame,
    table: &'static str,
    name: &str,
) -> Result<Vec<bool>, LineageError> {
    let Ok(col) = df.column(name) else {
        return Ok(vec![false; df.height()]);
    };
    match col.dtype() {
        DataType::Boolean => Ok(col.bool()?.iter().map(|v| v.unwrap_or(false)).collect()),
        DataType::Null => Ok(vec![false; df.height()]),
        other => Err(wrong(table, name, other, "Boolean")),
    }
}

/// A Date column as days since 1970-01-01; an absent column reads as null.
pub(crate) fn optional_date(
    df: &DataFrame,
    table: &'static str,
    name: &str,
) -> Result<Vec<Option<i32>>, LineageError> {
    let Ok(col) = df.column(name) else {
        return Ok(vec![None; df.height()]);
    };
    match col.dtype() {
        DataType::Date => Ok(col.date()?.physical().iter().collect()),
        DataType::Null => Ok(vec![None; df.height()]),
        other => Err(wrong(table, name, other, "Date")),
    }
}

/// `f(values)` of every row of a List(String) column, computed in parallel
/// over slices of rows. A row with a null list, and every row of an absent
/// or all-null column, gets `T::default()` (callers start from "empty").
pub(crate) fn map_lists<T, F>(
    df: &DataFrame,
    table: &'static str,
    name: &str,
    f: F,
) -> Result<Vec<T>, LineageError>
where
    T: Default + Send,
    F: Fn(&StringChunked) -> T + Sync,
{
    let n = df.height();
    let Some(list) = string_lists(df, table, name)? else {
        return Ok(std::iter::repeat_with(T::default).take(n).collect());
    };
    let part = n.div_ceil(4 * rayon::current_num_threads()).max(1024);
    let starts: Vec<usize> = (0..list.len()).step_by(part).collect();
    let parts = starts
        .into_par_iter()
        .map(|start| {
            let rows = list.slice(start as i64, part);
            let mut out = Vec::with_capacity(rows.len());
            for values in rows.amortized_iter() {
                out.push(match values {
                    Some(values) => f(values.as_ref().str()?),
                    None => T::default(),
                });
            }
            Ok(out)
        })
        .collect::<Result<Vec<Vec<T>>, LineageError>>()?;
    let mut rows = Vec::with_capacity(n);
    parts.into_iter().for_each(|p| rows.extend(p));
    Ok(rows)
}

/// The List(String) column `name`; `None` when it is absent, all null or empty.
fn string_lists<'a>(
    df: &'a DataFrame,
    table: &'static str,
    name: &str,
) -> Result<Option<&'a ListChunked>, LineageError> {
    let Ok(col) = df.column(name) else {
        return Ok(None);
    };
    let expected = "List(String)";
    let list = match col.dtype() {
        DataType::Null => return Ok(None),
        DataType::List(inner) => match inner.as_ref() {
            DataType::Null => return Ok(None),
            DataType::String => col.list()?,
            _ => return Err(wrong(table, name, col.dtype(), expected)),
        },
        other => return Err(wrong(table, name, other, expected)),
    };
    Ok((!list.is_empty()).then_some(list))
}

/// A List(String) column as owned rows (use for sparse columns such as parents).
pub(crate) fn list_strings(
    df: &DataFrame,
    table: &'static str,
    name: &str,
) -> Result<Vec<Vec<String>>, LineageError> {
    map_lists(df, table, name, |values| {
        values
            .iter()
            .flatten()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
            .collect()
    })
}

/// A non-null String output column.
pub(crate) fn str_column<'a>(name: &str, values: impl IntoIterator<Item = &'a str>) -> Column {
    StringChunked::from_iter_values(name.into(), values.into_iter())
        .into_series()
        .into_column()
}

/// A nullable String output column.
pub(crate) fn opt_str_column<'a>(
    name: &str,
    values: impl IntoIterator<Item = Option<&'a str>>,
) -> Column {
    StringChunked::from_iter_options(name.into(), values.into_iter())
        .into_series()
        .into_column()
}

/// A List(String) output column (an empty list, never null, when there is nothing).
pub(crate) fn list_column(name: &str, rows: &[Vec<String>]) -> Column {
    let total = rows.iter().map(Vec::len).sum();
    let mut builder = ListStringChunkedBuilder::new(name.into(), rows.len(), total);
    for row in rows {
        builder.append_values_iter(row.iter().map(String::as_str));
    }
    builder.finish().into_series().into_column()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_mapped_in_row_order_with_null_rows_at_the_default() {
        // Several parallel parts (at least 1024 rows each), null rows among them.
        let n = 5000;
        let rows: Vec<Option<Series>> = (0..n)
            .map(|i| {
                (i % 7 != 0).then(|| Series::new("".into(), [format!("{i}"), "x".to_string()]))
            })
            .collect();
        let list: ListChunked = rows.into_iter().collect();
        let df = DataFrame::new(n, vec![list.with_name("tags".into()).into_column()]).unwrap();
        let mapped = map_lists(&df, MODELS, "tags", |values| {
            values.get(0).map(str::to_string)
        })
        .unwrap();
        assert_eq!(mapped.len(), n);
        for (i, m) in mapped.iter().enumerate() {
            let expected = (i % 7 != 0).then(|| i.to_string());
            assert_eq!(m, &expected, "row {i}");
        }
        let absent = map_lists(&df, MODELS, "files", |_| 1u8).unwrap();
        assert_eq!(absent, vec![0u8; n]);
    }
}
