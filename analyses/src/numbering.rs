//! Every model gets a number, so the analyses join and group on an integer
//! instead of the text id: its position in id order among the models
//! table's rows, or, for a downloaded model absent from that table, a
//! number after them (absent ids again in id order). Numbers therefore sort
//! like the ids, and two rows share a number exactly when they share an id.
//!
//! Why: every analysis joins the weekly downloads with the models table.
//! On text ids at full scale (3.86M weekly rows, 851k models) each such join
//! and each group-by on the id hashed and compared millions of strings
//! (perf of `hubecon figures`, issue 9); the numbers are made once per
//! process.

use std::collections::BTreeMap;

use anyhow::Context as _;
use hubecon_ingest::Dataset;
use polars::prelude::*;

/// polars' hash map (foldhash): several times faster than std's SipHash on
/// millions of short ids.
type HashMap<K, V> = PlHashMap<K, V>;

/// The column holding a model's number (UInt32).
pub const MODEL_NUMBER: &str = "__model_number";

/// The numbers of a dataset's models and of its download rows.
pub struct Numbering {
    /// One per row of the models table.
    pub models: Column,
    /// One per row of the downloads table (null where the id is null).
    pub downloads: Column,
}

impl Numbering {
    /// Numbers the models of `data`. A model id that is null or appears
    /// twice in the models table is an error naming it.
    pub fn of(data: &Dataset) -> anyhow::Result<Self> {
        let ids = data.models.column("model_id")?.str()?;
        let ids: Vec<&str> = ids
            .iter()
            .enumerate()
            .map(|(row, id)| id.with_context(|| format!("models row {row} has no model_id")))
            .collect::<anyhow::Result<_>>()?;
        let mut order: Vec<usize> = (0..ids.len()).collect();
        if !ids.is_sorted() {
            order.sort_by_key(|&row| ids[row]);
        }
        let mut number = vec![0u32; ids.len()];
        let mut by_id: HashMap<&str, u32> =
            HashMap::with_capacity_and_hasher(ids.len(), Default::default());
        for (n, &row) in order.iter().enumerate() {
            let n = u32::try_from(n).context("more than 4 billion models")?;
            number[row] = n;
            anyhow::ensure!(
                by_id.insert(ids[row], n).is_none(),
                "model_id {} appears more than once in the models table",
                ids[row]
            );
        }
        let downloaded = data.downloads.column("model_id")?.str()?;
        let absent = absent_numbers(downloaded, &by_id, ids.len())?;
        let downloads: UInt32Chunked = downloaded
            .iter()
            .map(|id| id.map(|id| by_id.get(id).or_else(|| absent.get(id)).copied()))
            .map(Option::flatten)
            .collect();
        Ok(Self {
            models: UInt32Chunked::from_vec(MODEL_NUMBER.into(), number).into_column(),
            downloads: downloads.with_name(MODEL_NUMBER.into()).into_column(),
        })
    }
}

/// `frame` with each text column of `columns` replaced by a UInt32 code
/// (first-seen order; null stays null): for grouping by a key whose text
/// is not needed afterwards, like the keys concentration is measured across.
pub fn with_text_codes(mut frame: DataFrame, columns: &[&str]) -> anyhow::Result<DataFrame> {
    for name in columns {
        let coded = text_codes(frame.column(name)?.str()?);
        frame.with_column(coded.with_name((*name).into()).into_column())?;
    }
    Ok(frame)
}

fn text_codes(texts: &StringChunked) -> UInt32Chunked {
    let mut codes: HashMap<&str, u32> = HashMap::default();
    texts
        .iter()
        .map(|t| {
            t.map(|t| {
                let next = codes.len() as u32;
                *codes.entry(t).or_insert(next)
            })
        })
        .collect()
}

/// Numbers after `first` for the downloaded ids absent from the models
/// table, in id order.
fn absent_numbers<'a>(
    downloaded: &'a StringChunked,
    known: &HashMap<&str, u32>,
    first: usize,
) -> anyhow::Result<BTreeMap<&'a str, u32>> {
    let mut absent: BTreeMap<&str, u32> = downloaded
        .iter()
        .flatten()
        .filter(|id| !known.contains_key(id))
        .map(|id| (id, 0))
        .collect();
    for (k, n) in absent.values_mut().enumerate() {
        *n = u32::try_from(first + k).context("more than 4 billion models")?;
    }
    Ok(absent)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dataset(models: &[&str], downloaded: &[&str]) -> Dataset {
        Dataset {
            dir: Default::default(),
            models: df!("model_id" => models).unwrap(),
            downloads: df!("model_id" => downloaded).unwrap(),
            developers: DataFrame::empty(),
            manifest: serde_json::json!({}),
        }
    }

    fn numbers(c: &Column) -> Vec<Option<u32>> {
        c.u32().unwrap().iter().collect()
    }

    #[test]
    fn numbers_follow_id_order_and_absent_models_come_after() {
        let data = dataset(&["b/m", "a/m", "c/m"], &["c/m", "z/x", "a/m", "y/x", "z/x"]);
        let n = Numbering::of(&data).unwrap();
        assert_eq!(numbers(&n.models), [Some(1), Some(0), Some(2)]);
        // y/x and z/x are not models: 3 and 4, in id order, z/x twice the same.
        assert_eq!(
            numbers(&n.downloads),
            [Some(2), Some(4), Some(0), Some(3), Some(4)]
        );
    }

    #[test]
    fn text_codes_keep_equal_texts_equal_and_nulls_null() {
        let frame =
            df!("k" => [Some("x"), None, Some("y"), Some("x")], "v" => [1, 2, 3, 4]).unwrap();
        let coded = with_text_codes(frame, &["k"]).unwrap();
        assert_eq!(
            numbers(coded.column("k").unwrap()),
            [Some(0), None, Some(1), Some(0)]
        );
        assert_eq!(coded.column("v").unwrap().i32().unwrap().get(3), Some(4));
    }

    #[test]
    fn a_duplicate_model_id_is_named() {
        let err = Numbering::of(&dataset(&["a/m", "b/m", "a/m"], &[]))
            .err()
            .unwrap();
        assert!(err.to_string().contains("a/m"), "{err}");
    }
}
