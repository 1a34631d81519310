//! The observation table: every observation of every source, each model
//! numbered as its source is read, so no source's ids are kept as text
//! once numbered (a weekly series holds each model's id once, not once per
//! snapshot).
//!
//! A model's number is its position in first-seen order while sources are
//! added; [`ObservationTable::finish`] sorts the ids and renumbers every
//! row by its model's rank among them ([`Numbered`]).

use polars::prelude::*;
use rayon::prelude::*;

use crate::counters::Numbered;
use crate::error::{IngestError, PolarsContext, Result};
use crate::observations::cols;

/// Observations numbered by model, sources still being added.
#[derive(Default)]
pub struct ObservationTable {
    by_id: PlHashMap<String, u32>,
    /// Each number's id, in the order numbers were given.
    first_seen_order: Vec<String>,
    model: Vec<u32>,
    day: Vec<i32>,
    count: Vec<u64>,
}

/// The numbers of one source's rows.
pub struct RowNumbers {
    /// Each row's model number.
    pub rows: Vec<u32>,
    /// True for the first row of a model the table had not seen before.
    pub first_seen: Vec<bool>,
}

impl ObservationTable {
    /// Observation rows held.
    pub fn len(&self) -> usize {
        self.model.len()
    }

    pub fn is_empty(&self) -> bool {
        self.model.is_empty()
    }

    /// Room for `rows` more observations, exactly: a weekly series read
    /// snapshot by snapshot would otherwise grow by doubling and hold up to
    /// twice the table.
    pub fn reserve_exact(&mut self, rows: usize) {
        self.model.reserve_exact(rows);
        self.day.reserve_exact(rows);
        self.count.reserve_exact(rows);
    }

    /// Numbers `ids` (none null), giving new models the next numbers.
    pub fn number(&mut self, ids: &StringChunked) -> Result<RowNumbers> {
        let before = self.first_seen_order.len();
        let parts = row_spans(ids, SPAN)
            .into_par_iter()
            .map(|span| LocalNumbers::of(ids, span))
            .collect::<Result<Vec<_>>>()?;
        let mut rows = Vec::with_capacity(ids.len());
        for part in parts {
            let global: Vec<u32> = part
                .distinct
                .iter()
                .map(|id| {
                    *self.by_id.entry_ref(*id).or_insert_with(|| {
                        self.first_seen_order.push(id.to_string());
                        (self.first_seen_order.len() - 1) as u32
                    })
                })
                .collect();
            rows.extend(part.rows.iter().map(|l| global[*l as usize]));
        }
        let mut taken = vec![false; self.first_seen_order.len() - before];
        let first_seen = rows
            .iter()
            .map(|n| {
                (*n as usize)
                    .checked_sub(before)
                    .is_some_and(|k| !std::mem::replace(&mut taken[k], true))
            })
            .collect();
        Ok(RowNumbers { rows, first_seen })
    }

    /// Adds one observation per numbered row, all made on `day`.
    pub fn push_day(&mut self, rows: &[u32], day: i32, counts: &UInt64Chunked) -> Result<()> {
        if counts.len() != rows.len() || counts.has_nulls() {
            return Err(IngestError::Write {
                path: crate::schema::files::DOWNLOADS.into(),
                detail: "a snapshot's counters do not match its model ids".into(),
            });
        }
        self.model.extend_from_slice(rows);
        self.day.extend(std::iter::repeat_n(day, rows.len()));
        self.count.extend(counts.into_no_null_iter());
        Ok(())
    }

    /// Adds a frame of `model_id`, `time` (a date) and `downloads_all_time`.
    pub fn add_frame(&mut self, frame: &DataFrame) -> Result<()> {
        if frame.height() == 0 {
            return Ok(());
        }
        let (days, counts) = days_and_counts(frame)?;
        let ids = frame
            .column(cols::MODEL_ID)
            .and_then(|c| c.str().cloned())
            .during(|| "reading the observed model ids".into())?;
        let numbers = self.number(&ids)?;
        self.model.extend(numbers.rows);
        self.day.extend(days.into_no_null_iter());
        self.count.extend(counts.into_no_null_iter());
        Ok(())
    }

    /// Adds every observation of `other`, renumbered into this table.
    pub fn append(&mut self, other: ObservationTable) {
        if self.first_seen_order.is_empty() {
            *self = other;
            return;
        }
        let map: Vec<u32> = other
            .first_seen_order
            .into_iter()
            .map(|id| {
                let next = self.first_seen_order.len() as u32;
                *self.by_id.entry(id).or_insert_with_key(|id| {
                    self.first_seen_order.push(id.clone());
                    next
                })
            })
            .collect();
        self.model
            .extend(other.model.iter().map(|m| map[*m as usize]));
        self.day.extend(other.day);
        self.count.extend(other.count);
    }

    /// The table with its ids sorted and every row numbered by its model's
    /// rank; models numbered but never observed (from a listing without
    /// counters) are left out.
    pub fn finish(self) -> Numbered {
        let ObservationTable {
            by_id,
            first_seen_order,
            mut model,
            day,
            count,
        } = self;
        drop(by_id);
        let mut observed = vec![false; first_seen_order.len()];
        for m in &model {
            observed[*m as usize] = true;
        }
        let kept: Vec<(u32, String)> = first_seen_order
            .into_iter()
            .enumerate()
            .filter(|(n, _)| observed[*n])
            .map(|(n, id)| (n as u32, id))
            .collect();
        let (numbers, ids): (Vec<u32>, Vec<String>) = kept.into_iter().unzip();
        let (ids, rank) = sorted_with_ranks(ids);
        let mut renumber = vec![u32::MAX; observed.len()];
        for (n, r) in numbers.iter().zip(&rank) {
            renumber[*n as usize] = *r;
        }
        model
            .par_iter_mut()
            .for_each(|m| *m = renumber[*m as usize]);
        Numbered {
            ids,
            model,
            day,
            count,
        }
    }
}

/// The rows of one array of a source's ids, `lo..hi`.
#[derive(Clone, Copy)]
struct RowSpan {
    chunk: usize,
    lo: usize,
    hi: usize,
}

/// Rows a span of [`row_spans`] holds at most.
const SPAN: usize = 1 << 18;

/// The source's rows cut into spans of at most `span` rows (each within one
/// array), numbered in parallel.
fn row_spans(ids: &StringChunked, span: usize) -> Vec<RowSpan> {
    let mut spans = Vec::new();
    for (chunk, arr) in ids.downcast_iter().enumerate() {
        for lo in (0..arr.len()).step_by(span) {
            spans.push(RowSpan {
                chunk,
                lo,
                hi: (lo + span).min(arr.len()),
            });
        }
    }
    spans
}

/// A span's rows numbered by first appearance within the span.
struct LocalNumbers<'a> {
    /// Each row's local number.
    rows: Vec<u32>,
    /// The span's distinct ids; a local number is a position here.
    distinct: Vec<&'a str>,
}

impl<'a> LocalNumbers<'a> {
    fn of(ids: &'a StringChunked, span: RowSpan) -> Result<Self> {
        let arr = ids.downcast_iter().nth(span.chunk).expect("a span's array");
        let mut local: PlHashMap<&'a str, u32> = PlHashMap::new();
        let mut out = LocalNumbers {
            rows: Vec::with_capacity(span.hi - span.lo),
            distinct: Vec::new(),
        };
        let mut previous: Option<(&str, u32)> = None;
        for row in span.lo..span.hi {
            let id = arr.get(row).ok_or_else(|| IngestError::Write {
                path: crate::schema::files::DOWNLOADS.into(),
                detail: "an observation without a model id".into(),
            })?;
            let number = match previous {
                Some((p, n)) if p == id => n,
                _ => *local.entry(id).or_insert_with(|| {
                    out.distinct.push(id);
                    (out.distinct.len() - 1) as u32
                }),
            };
            previous = Some((id, number));
            out.rows.push(number);
        }
        Ok(out)
    }
}

/// The time and counter of `source` as days since 1970 and `u64`.
fn days_and_counts(source: &DataFrame) -> Result<(Int32Chunked, UInt64Chunked)> {
    let during = || "reading the observed times and counters".to_string();
    let days = source
        .column(cols::TIME)
        .and_then(|c| c.cast(&DataType::Date))
        .and_then(|c| c.cast(&DataType::Int32))
        .during(during)?;
    let counts = source
        .column(cols::DOWNLOADS_ALL_TIME)
        .and_then(|c| c.cast(&DataType::UInt64))
        .during(during)?;
    if days.has_nulls() || counts.has_nulls() {
        return Err(IngestError::Write {
            path: crate::schema::files::DOWNLOADS.into(),
            detail: "an observation without a time or a counter".into(),
        });
    }
    Ok((
        days.i32().during(during)?.clone(),
        counts.u64().during(during)?.clone(),
    ))
}

/// The ids in byte order, and each first-seen position's rank.
fn sorted_with_ranks(first_seen_order: Vec<String>) -> (Vec<String>, Vec<u32>) {
    let mut order: Vec<u32> = (0..first_seen_order.len() as u32).collect();
    order.par_sort_unstable_by(|a, b| {
        first_seen_order[*a as usize].cmp(&first_seen_order[*b as usize])
    });
    let mut rank = vec![0u32; order.len()];
    for (r, o) in order.iter().enumerate() {
        rank[*o as usize] = r as u32;
    }
    let mut slots: Vec<Option<String>> = first_seen_order.into_iter().map(Some).collect();
    let ids = order
        .iter()
        .map(|o| slots[*o as usize].take().expect("each id taken once"))
        .collect();
    (ids, rank)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_numbered_by_their_sorted_rank() {
        let (ids, rank) = sorted_with_ranks(vec!["c".into(), "a".into(), "b".into()]);
        assert_eq!(ids, vec!["a", "b", "c"]);
        assert_eq!(rank, vec![2, 0, 1]);
    }

    /// A source of `ids` with a constant day and counter.
    fn source(ids: &[&str]) -> DataFrame {
        let n = ids.len();
        let days = Int32Chunked::from_vec(cols::TIME.into(), vec![19000; n])
            .into_series()
            .cast(&DataType::Date)
            .unwrap();
        df!(
            cols::MODEL_ID => ids,
            cols::TIME => days,
            cols::DOWNLOADS_ALL_TIME => vec![1u64; n],
        )
        .unwrap()
    }

    #[test]
    fn spans_cover_every_row_of_every_array_once() {
        let mut ids = StringChunked::from_slice("id".into(), &["a", "b", "c", "d", "e"]);
        ids.append(&StringChunked::from_slice("id".into(), &["f", "g"]))
            .unwrap();
        let spans: Vec<(usize, usize, usize)> = row_spans(&ids, 2)
            .iter()
            .map(|s| (s.chunk, s.lo, s.hi))
            .collect();
        assert_eq!(spans, vec![(0, 0, 2), (0, 2, 4), (0, 4, 5), (1, 0, 2)]);
    }

    #[test]
    fn numbers_are_sorted_ranks_across_sources_and_spans() {
        // More rows than a span holds, so the source is numbered in parts
        // whose local numbers must map to the same global rank.
        let rows: Vec<String> = (0..SPAN + 10)
            .map(|i| format!("m{}", (i * 7) % 13))
            .collect();
        let first: Vec<&str> = rows.iter().map(String::as_str).collect();
        let numbered =
            Numbered::from_sources(vec![source(&first), source(&["zz", "m3", "a"])]).unwrap();
        let mut expected_ids: Vec<String> = (0..13).map(|k| format!("m{k}")).collect();
        expected_ids.extend(["a".to_string(), "zz".to_string()]);
        expected_ids.sort();
        assert_eq!(numbered.ids, expected_ids);
        let all: Vec<&str> = first.iter().copied().chain(["zz", "m3", "a"]).collect();
        assert_eq!(numbered.model.len(), all.len());
        for (row, id) in all.iter().enumerate() {
            assert_eq!(numbered.ids[numbered.model[row] as usize], *id, "row {row}");
        }
    }

    #[test]
    fn an_observation_without_an_id_is_an_error() {
        let mut df = source(&["a", "b"]);
        df.with_column(Column::new(cols::MODEL_ID.into(), [Some("a"), None]))
            .unwrap();
        assert!(Numbered::from_sources(vec![df]).is_err());
    }

    #[test]
    fn a_source_numbers_only_unseen_models_as_first_seen() {
        let mut table = ObservationTable::default();
        let ids = |v: &[&str]| StringChunked::from_slice("id".into(), v);
        let newest = table.number(&ids(&["b", "a", "b"])).unwrap();
        assert_eq!(newest.first_seen, vec![true, true, false]);
        let older = table.number(&ids(&["c", "a", "c", "d"])).unwrap();
        assert_eq!(older.first_seen, vec![true, false, false, true]);
        assert_eq!(older.rows[1], newest.rows[1], "a keeps its number");
    }

    #[test]
    fn appended_tables_and_unobserved_models_renumber_by_rank() {
        let counts = |n: usize| UInt64Chunked::from_vec("c".into(), vec![5; n]);
        let ids = |v: &[&str]| StringChunked::from_slice("id".into(), v);
        let mut left = ObservationTable::default();
        let rows = left.number(&ids(&["x", "b"])).unwrap().rows;
        left.push_day(&rows, 10, &counts(2)).unwrap();
        // Numbered (a listing without counters) but never observed.
        left.number(&ids(&["never"])).unwrap();
        let mut right = ObservationTable::default();
        let rows = right.number(&ids(&["b", "a"])).unwrap().rows;
        right.push_day(&rows, 17, &counts(2)).unwrap();
        left.append(right);
        let numbered = left.finish();
        assert_eq!(numbered.ids, vec!["a", "b", "x"]);
        let rows: Vec<(&str, i32)> = numbered
            .model
            .iter()
            .zip(&numbered.day)
            .map(|(m, d)| (numbered.ids[*m as usize].as_str(), *d))
            .collect();
        assert_eq!(rows, vec![("x", 10), ("b", 10), ("b", 17), ("a", 17)]);
    }
}
