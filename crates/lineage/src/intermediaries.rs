//! Intermediaries: developers most of whose downloads come from derivatives
//! (quantized, adapter, merge, finetune) of other developers' models.
//!
//! A model's downloads count as "from a derivative of another developer's
//! model" when its relation is one of the derived relations and its derived
//! author (the family root's developer) differs from its own author
//! (ignoring case). A derivative whose parent could not be identified has
//! itself as family root, so it counts as the developer's own.

use std::collections::BTreeMap;

use polars::prelude::*;

use crate::LineageError;
use crate::frame::{self, DOWNLOADS, MODELS};
use crate::schema::{downloads as dl, models as m, relation as rel};

/// Default share of a developer's downloads that must come from derivatives
/// of others' models for the developer to be an intermediary.
pub const DEFAULT_INTERMEDIARY_THRESHOLD: f64 = 0.5;

/// Columns of the intermediaries table.
pub mod intermediary_columns {
    pub const AUTHOR: &str = "author";
    /// All downloads of the developer's models (sum over weeks).
    pub const DOWNLOADS: &str = "downloads";
    /// Share of those downloads from derivatives of other developers' models.
    pub const DERIVATIVE_SHARE: &str = "derivative_share";
    /// Number of the developer's models with downloads.
    pub const MODELS: &str = "models";
    /// Share of the developer's downloads by relation (`share_<relation>`), summing to 1.
    pub const SHARE_PREFIX: &str = "share_";
}

#[derive(Default)]
struct Tally {
    downloads: u64,
    from_others: u64,
    by_relation: [u64; 5],
    models: u32,
}

/// Total downloads per model id.
fn downloads_per_model(downloads: &DataFrame) -> Result<DataFrame, LineageError> {
    for (name, expected) in [
        (dl::MODEL_ID, "String"),
        (dl::DOWNLOADS, "an unsigned integer"),
    ] {
        if downloads.column(name).is_err() {
            return Err(LineageError::MissingColumn {
                table: DOWNLOADS,
                column: name.to_string(),
                expected,
            });
        }
    }
    Ok(downloads
        .clone()
        .lazy()
        .select([
            col(dl::MODEL_ID),
            col(dl::DOWNLOADS).strict_cast(DataType::UInt64),
        ])
        .group_by([col(dl::MODEL_ID)])
        .agg([col(dl::DOWNLOADS).sum()])
        .collect()?)
}

fn relation_index(value: &str, row: usize) -> Result<usize, LineageError> {
    rel::ALL
        .iter()
        .position(|r| *r == value)
        .ok_or_else(|| LineageError::InvalidValue {
            table: MODELS,
            column: m::RELATION.to_string(),
            row,
            value: value.to_string(),
            expected: rel::ALL.join(", "),
        })
}

/// Developers whose share of downloads from derivatives of other
/// developers' models exceeds `threshold` (in `[0, 1)`; default
/// [`DEFAULT_INTERMEDIARY_THRESHOLD`]). `models` must carry `model_id`,
/// `author`, `relation` and `derived_author` (an enriched table);
/// `downloads` carries `model_id` and `downloads` (weekly rows are summed).
/// Sorted by downloads, largest first, then author.
pub fn intermediaries(
    models: &DataFrame,
    downloads: &DataFrame,
    threshold: f64,
) -> Result<DataFrame, LineageError> {
    if !(0.0..1.0).contains(&threshold) {
        return Err(LineageError::InvalidOption {
            name: "threshold",
            value: threshold.to_string(),
            expected: "a share in [0, 1)",
        });
    }
    let ids = frame::required_str(models, MODELS, m::MODEL_ID)?;
    let authors = frame::required_str(models, MODELS, m::AUTHOR)?;
    let relations = frame::required_str(models, MODELS, m::RELATION)?;
    let derived = frame::required_str(models, MODELS, m::DERIVED_AUTHOR)?;
    let per_model = downloads_per_model(downloads)?;
    let totals: std::collections::HashMap<&str, u64> = per_model
        .column(dl::MODEL_ID)?
        .str()?
        .iter()
        .zip(per_model.column(dl::DOWNLOADS)?.u64()?.iter())
        .filter_map(|(id, d)| Some((id?, d?)))
        .collect();

    let mut tallies: BTreeMap<&str, Tally> = BTreeMap::new();
    for i in 0..ids.len() {
        let r = relation_index(relations[i], i)?;
        let Some(&d) = totals.get(ids[i]).filter(|d| **d > 0) else {
            continue;
        };
        let t = tallies.entry(authors[i]).or_default();
        t.downloads += d;
        t.models += 1;
        t.by_relation[r] += d;
        if rel::DERIVED.contains(&relations[i]) && !derived[i].eq_ignore_ascii_case(authors[i]) {
            t.from_others += d;
        }
    }
    let share = |part: u64, whole: u64| part as f64 / whole as f64;
    let mut rows: Vec<(&str, Tally)> = tallies
        .into_iter()
        .filter(|(_, t)| share(t.from_others, t.downloads) > threshold)
        .collect();
    rows.sort_by(|a, b| b.1.downloads.cmp(&a.1.downloads).then(a.0.cmp(b.0)));

    use intermediary_columns as c;
    let mut columns = vec![
        frame::str_column(c::AUTHOR, rows.iter().map(|(a, _)| *a)),
        Column::new(
            c::DOWNLOADS.into(),
            rows.iter().map(|(_, t)| t.downloads).collect::<Vec<_>>(),
        ),
        Column::new(
            c::DERIVATIVE_SHARE.into(),
            rows.iter()
                .map(|(_, t)| share(t.from_others, t.downloads))
                .collect::<Vec<_>>(),
        ),
        Column::new(
            c::MODELS.into(),
            rows.iter().map(|(_, t)| t.models).collect::<Vec<_>>(),
        ),
    ];
    for (k, relation) in rel::ALL.iter().enumerate() {
        let values: Vec<f64> = rows
            .iter()
            .map(|(_, t)| share(t.by_relation[k], t.downloads))
            .collect();
        columns.push(Column::new(
            format!("{}{relation}", c::SHARE_PREFIX).into(),
            values,
        ));
    }
    Ok(DataFrame::new(rows.len(), columns)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn models() -> DataFrame {
        df!(
            m::MODEL_ID => ["meta-llama/Llama-2-7b-hf", "TheBloke/Llama-2-7B-GGUF", "TheBloke/own-model", "TheBloke/unknown-GGUF", "alice/llama-lora", "alice/orig"],
            m::AUTHOR => ["meta-llama", "TheBloke", "TheBloke", "TheBloke", "alice", "alice"],
            m::RELATION => ["original", "quantized", "original", "quantized", "adapter", "original"],
            m::DERIVED_AUTHOR => ["meta-llama", "meta-llama", "TheBloke", "TheBloke", "meta-llama", "alice"],
        )
        .unwrap()
    }

    fn downloads() -> DataFrame {
        df!(
            dl::MODEL_ID => ["meta-llama/Llama-2-7b-hf", "TheBloke/Llama-2-7B-GGUF", "TheBloke/Llama-2-7B-GGUF", "TheBloke/own-model", "TheBloke/unknown-GGUF", "alice/llama-lora", "alice/orig", "not/in-models"],
            dl::DOWNLOADS => [1000u64, 300, 300, 100, 200, 40, 60, 5],
        )
        .unwrap()
    }

    #[test]
    fn lists_developers_above_the_threshold_with_their_mix() {
        let out = intermediaries(&models(), &downloads(), 0.5).unwrap();
        // TheBloke: 900 downloads, 600 from Meta's family (2/3); alice: 40/100; Meta: 0.
        assert_eq!(out.height(), 1);
        let authors: Vec<&str> = out
            .column("author")
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .flatten()
            .collect();
        assert_eq!(authors, ["TheBloke"]);
        let get = |c: &str| out.column(c).unwrap().f64().unwrap().get(0).unwrap();
        assert!((get("derivative_share") - 600.0 / 900.0).abs() < 1e-12);
        assert!((get("share_quantized") - 800.0 / 900.0).abs() < 1e-12);
        assert!((get("share_original") - 100.0 / 900.0).abs() < 1e-12);
        assert_eq!(
            out.column("downloads").unwrap().u64().unwrap().get(0),
            Some(900)
        );
        assert_eq!(out.column("models").unwrap().u32().unwrap().get(0), Some(3));
    }

    #[test]
    fn a_lower_threshold_admits_more_developers_sorted_by_downloads() {
        let out = intermediaries(&models(), &downloads(), 0.3).unwrap();
        let authors: Vec<&str> = out
            .column("author")
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .flatten()
            .collect();
        assert_eq!(authors, ["TheBloke", "alice"]);
    }

    #[test]
    fn rejects_a_threshold_outside_the_unit_interval_and_unenriched_tables() {
        assert!(matches!(
            intermediaries(&models(), &downloads(), 1.0),
            Err(LineageError::InvalidOption { .. })
        ));
        let bare = models().drop(m::DERIVED_AUTHOR).unwrap();
        assert!(matches!(
            intermediaries(&bare, &downloads(), 0.5),
            Err(LineageError::MissingColumn { .. })
        ));
    }
}
