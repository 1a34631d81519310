//! Checks every source's output against the bounds of the readers
//! ([`crate::parquet_io::MAX_COUNT`], [`crate::week::plausible_days`]),
//! whichever path read it (the release's typed fast path casts whole
//! columns), and counts the metadata values that could not be used.

use std::collections::BTreeMap;

use polars::prelude::*;

use crate::error::{IngestError, Location, PolarsContext, Result};
use crate::observations::cols;
use crate::parquet_io::MAX_COUNT;
use crate::source::{ModelRecord, SourceData};

/// Refuses an observation dated outside the plausible range or with a
/// counter above [`MAX_COUNT`]. The error names the file, and the row when
/// the source is one file (its observations are then in file order).
pub fn check_observations(source: &SourceData) -> Result<()> {
    let obs = &source.observations;
    if obs.height() == 0 {
        return Ok(());
    }
    let during = || "checking the observations' bounds".to_string();
    let ids = obs
        .column(cols::MODEL_ID)
        .and_then(|c| c.str().cloned())
        .during(during)?;
    let days = obs
        .column(cols::TIME)
        .and_then(|c| c.cast(&DataType::Int32))
        .during(during)?;
    let counts = obs.column(cols::DOWNLOADS_ALL_TIME).during(during)?;
    let counts = counts.u64().during(during)?;
    let plausible = crate::week::plausible_days();
    let one_file = match source.files.as_slice() {
        [f] => Some(f.path.clone()),
        _ => None,
    };
    let at = |row: usize, column: &str| {
        let file = one_file.clone().unwrap_or_else(|| {
            source
                .files
                .first()
                .map(|f| f.path.clone())
                .unwrap_or_default()
        });
        let loc = Location::file(file).column(column).model(ids.get(row));
        if one_file.is_some() {
            loc.row(row)
        } else {
            loc
        }
    };
    let days = days.i32().during(during)?;
    for (row, (d, c)) in days.iter().zip(counts.iter()).enumerate() {
        // The readers refuse null times and counters, so a null here is a
        // value a whole-column cast could not convert (beyond the calendar).
        match d {
            Some(d) if plausible.contains(&d) => {}
            d => {
                return Err(IngestError::BadValue {
                    at: at(row, "time"),
                    value: d.map_or_else(
                        || "a timestamp beyond the calendar".into(),
                        |d| format!("{d} days since 1970-01-01"),
                    ),
                    expected: crate::week::plausible_range_text(),
                });
            }
        }
        match c {
            Some(c) if c <= MAX_COUNT => {}
            c => {
                return Err(IngestError::BadValue {
                    at: at(row, "downloadsAllTime"),
                    value: c.map_or_else(|| "null".into(), |c| c.to_string()),
                    expected: format!("a non-negative integer count of at most {MAX_COUNT} (2^53)"),
                });
            }
        }
    }
    Ok(())
}

/// One note per metadata column with unusable values: how many models,
/// and the first of them, so the reader can look.
pub fn unparsed_notes(records: &[ModelRecord]) -> Vec<String> {
    let mut by_column: BTreeMap<&str, (usize, &str)> = BTreeMap::new();
    for r in records {
        for c in &r.meta.unparsed {
            by_column.entry(c).or_insert((0, &r.meta.model_id)).0 += 1;
        }
    }
    by_column
        .into_iter()
        .map(|(column, (n, first))| {
            format!(
                "warning: column `{column}`: {n} models have a value that is not valid JSON \
                 or does not fit (first: model `{first}`); their {column} fields are null"
            )
        })
        .collect()
}
