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

use std::collections::{BTreeMap, BTreeSet};

use anyhow::Context as _;
use hubecon_ingest::Dataset;
use hubecon_stats::first_seen_codes;
use polars::prelude::*;
use rayon::prelude::*;

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
        Self::of_ids(
            data.models.column("model_id")?.str()?,
            data.downloads.column("model_id")?.str()?,
        )
    }

    /// Numbers the models whose ids are `model_ids` (the models table's
    /// column, in its row order) and the download rows whose model ids are
    /// `downloaded`.
    pub fn of_ids(model_ids: &StringChunked, downloaded: &StringChunked) -> anyhow::Result<Self> {
        let ids: Vec<&str> = model_ids
            .iter()
            .enumerate()
            .map(|(row, id)| id.with_context(|| format!("models row {row} has no model_id")))
            .collect::<anyhow::Result<_>>()?;
        let u32_of = |n: usize| u32::try_from(n).context("more than 4 billion models");
        // Strictly increasing (the prepared tables' order): sorted and
        // without repeats in one pass.
        if ids.windows(2).all(|w| w[0] < w[1]) {
            let number = (0..ids.len()).map(u32_of).collect::<anyhow::Result<_>>()?;
            return Self::with_model_numbers(number, &ids, downloaded);
        }
        let mut order: Vec<usize> = (0..ids.len()).collect();
        order.sort_by_key(|&row| ids[row]);
        let mut number = vec![0u32; ids.len()];
        for (n, &row) in order.iter().enumerate() {
            number[row] = u32_of(n)?;
        }
        let by_number: Vec<&str> = order.iter().map(|&row| ids[row]).collect();
        if let Some(twice) = by_number.windows(2).find(|w| w[0] == w[1]) {
            anyhow::bail!(
                "model_id {} appears more than once in the models table",
                twice[0]
            );
        }
        Self::with_model_numbers(number, &by_number, downloaded)
    }

    /// The numbering, given each model's number and the ids in number order
    /// (sorted, distinct): the download rows are numbered by search.
    fn with_model_numbers(
        number: Vec<u32>,
        by_number: &[&str],
        downloaded: &StringChunked,
    ) -> anyhow::Result<Self> {
        let models = by_number.len();
        let (mut downloads, absent_ids) = known_numbers(downloaded, by_number, PIECE_ROWS);
        if !absent_ids.is_empty() {
            let absent = absent_numbers(absent_ids, models)?;
            for (number, id) in downloads.iter_mut().zip(downloaded.iter()) {
                if let (None, Some(id)) = (*number, id) {
                    *number = absent.get(id).copied();
                }
            }
        }
        let downloads = if downloads.iter().all(Option::is_some) {
            let numbers = downloads.into_iter().flatten().collect();
            UInt32Chunked::from_vec(MODEL_NUMBER.into(), numbers)
        } else {
            UInt32Chunked::from_iter_options(MODEL_NUMBER.into(), downloads.into_iter())
        };
        Ok(Self {
            models: UInt32Chunked::from_vec(MODEL_NUMBER.into(), number).into_column(),
            downloads: downloads.into_column(),
        })
    }
}

/// A model's number by search in the ids in number order, galloping
/// forward from where the last search ended when the id sorts after it:
/// the downloads are stored in id order, so a whole pass over them moves
/// through the ids once, a few comparisons per model, with no hashing.
struct SortedLookup<'a, 'b> {
    by_number: &'b [&'a str],
    from: usize,
}

impl<'a, 'b> SortedLookup<'a, 'b> {
    fn new(by_number: &'b [&'a str]) -> Self {
        Self { by_number, from: 0 }
    }

    fn number(&mut self, id: &str) -> Option<u32> {
        let ids = self.by_number;
        let ahead = ids.get(self.from).is_some_and(|&at| at <= id);
        let (mut low, mut high) = (0, ids.len());
        if ahead {
            // ids[low] <= id; double the step until an id sorts at or after it.
            let mut step = 1;
            low = self.from;
            while low + step < ids.len() && ids[low + step] < id {
                low += step;
                step *= 2;
            }
            high = (low + step + 1).min(ids.len());
        }
        let n = low + ids[low..high].partition_point(|&other| other < id);
        self.from = n;
        (ids.get(n) == Some(&id)).then_some(n as u32)
    }
}

/// Download rows numbered per piece, on every core.
const PIECE_ROWS: usize = 1 << 18;

/// Each download row's model number among the models (`by_number`: their
/// ids in number order), and the ids found in none of them. An id is
/// looked up only where it differs from the row before: the downloads are
/// stored model by model (a model's weeks in a run of rows, 14 on average
/// at full scale), so a run costs one search. The rows are split in pieces
/// numbered on every core.
fn known_numbers(
    downloaded: &StringChunked,
    by_number: &[&str],
    piece_rows: usize,
) -> (Vec<Option<u32>>, BTreeSet<String>) {
    let rows = downloaded.len();
    let pieces: Vec<(Vec<Option<u32>>, BTreeSet<String>)> = (0..rows.div_ceil(piece_rows))
        .into_par_iter()
        .map(|piece| {
            let ids = downloaded.slice((piece * piece_rows) as i64, piece_rows);
            let mut known = SortedLookup::new(by_number);
            let mut absent = BTreeSet::new();
            let mut previous: Option<(&str, Option<u32>)> = None;
            let numbers = ids
                .iter()
                .map(|id| {
                    let id = id?;
                    match previous {
                        Some((p, n)) if p == id => n,
                        _ => {
                            let n = known.number(id);
                            if n.is_none() {
                                absent.insert(id.to_string());
                            }
                            previous = Some((id, n));
                            n
                        }
                    }
                })
                .collect();
            (numbers, absent)
        })
        .collect();
    let mut numbers = Vec::with_capacity(rows);
    let mut absent = BTreeSet::new();
    for (piece, ids) in pieces {
        numbers.extend(piece);
        absent.extend(ids);
    }
    (numbers, absent)
}

/// `frame` with each text column of `columns` replaced by a UInt32 code
/// (first-seen order; null stays null): for grouping by a key whose text
/// is not needed afterwards, like the keys concentration is measured across.
pub fn with_text_codes(mut frame: DataFrame, columns: &[&str]) -> anyhow::Result<DataFrame> {
    for name in columns {
        let coded = first_seen_codes(frame.column(name)?.str()?);
        frame.with_column(coded.with_name((*name).into()).into_column())?;
    }
    Ok(frame)
}

/// Numbers after `first` for the downloaded ids absent from the models
/// table, in id order.
fn absent_numbers(absent: BTreeSet<String>, first: usize) -> anyhow::Result<BTreeMap<String, u32>> {
    absent
        .into_iter()
        .enumerate()
        .map(|(k, id)| {
            let n = u32::try_from(first + k).context("more than 4 billion models")?;
            Ok((id, n))
        })
        .collect()
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
    fn runs_of_one_id_get_its_number_and_a_null_breaks_no_run() {
        let data = Dataset {
            downloads: df!("model_id" => [
                Some("b/m"), Some("b/m"), None, Some("b/m"), Some("q/x"), Some("q/x"), Some("a/m"),
            ])
            .unwrap(),
            ..dataset(&["a/m", "b/m"], &[])
        };
        let n = Numbering::of(&data).unwrap();
        assert_eq!(
            numbers(&n.downloads),
            [Some(1), Some(1), None, Some(1), Some(2), Some(2), Some(0)]
        );
    }

    #[test]
    fn text_codes_in_runs_stay_first_seen_codes() {
        let frame =
            df!("k" => [Some("x"), Some("x"), None, Some("y"), Some("y"), Some("x")]).unwrap();
        let coded = with_text_codes(frame, &["k"]).unwrap();
        assert_eq!(
            numbers(coded.column("k").unwrap()),
            [Some(0), Some(0), None, Some(1), Some(1), Some(0)]
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
        // Unsorted, and sorted (the repeat is then next to itself).
        for ids in [["a/m", "b/m", "a/m"], ["a/m", "a/m", "b/m"]] {
            let err = Numbering::of(&dataset(&ids, &[])).err().unwrap();
            assert!(err.to_string().contains("a/m"), "{err}");
        }
    }

    /// The numbers written plainly: the models' ids in sorted order, then
    /// the absent downloaded ids in sorted order, numbered from 0.
    fn plain_numbers(models: &[String], downloaded: &[Option<String>]) -> BTreeMap<String, u32> {
        let known: std::collections::BTreeSet<&String> = models.iter().collect();
        let absent: std::collections::BTreeSet<&String> = downloaded
            .iter()
            .flatten()
            .filter(|id| !known.contains(id))
            .collect();
        known
            .into_iter()
            .chain(absent)
            .enumerate()
            .map(|(n, id)| (id.clone(), n as u32))
            .collect()
    }

    proptest::proptest! {
        #[test]
        fn numbers_match_the_plain_definition(
            models in proptest::collection::btree_set("[a-e]{1,3}", 0..30),
            downloaded in proptest::collection::vec(proptest::option::weighted(0.9, "[a-f]{1,3}"), 0..80),
            shuffle in proptest::prelude::any::<u64>(),
            sort_downloads in proptest::prelude::any::<bool>(),
        ) {
            let mut models: Vec<String> = models.into_iter().collect();
            if shuffle % 2 == 1 {
                let by = shuffle as usize % models.len().max(1);
                models.rotate_left(by);
            }
            let mut downloaded = downloaded;
            if sort_downloads {
                downloaded.sort();
            }
            let data = Dataset {
                models: df!("model_id" => &models).unwrap(),
                downloads: df!("model_id" => &downloaded).unwrap(),
                ..dataset(&[], &[])
            };
            let n = Numbering::of(&data).unwrap();
            let plain = plain_numbers(&models, &downloaded);
            let want_models: Vec<Option<u32>> = models.iter().map(|id| Some(plain[id])).collect();
            let want_downloads: Vec<Option<u32>> = downloaded
                .iter()
                .map(|id| id.as_ref().map(|id| plain[id]))
                .collect();
            proptest::prop_assert_eq!(numbers(&n.models), want_models);
            proptest::prop_assert_eq!(numbers(&n.downloads), want_downloads);
            // Split in pieces of 3 rows, runs cut at piece edges: the same.
            let mut sorted = models.clone();
            sorted.sort();
            let by_number: Vec<&str> = sorted.iter().map(String::as_str).collect();
            let ids: StringChunked = downloaded.iter().map(|id| id.as_deref()).collect();
            proptest::prop_assert_eq!(
                known_numbers(&ids, &by_number, 3),
                known_numbers(&ids, &by_number, usize::MAX)
            );
        }
    }
}
