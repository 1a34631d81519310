//! Joins on a model number: a UInt32 key that numbers the rows of a table
//! from 0 (the analyses number every model once, in id order).
//!
//! polars' join hashes the key of every row on both sides. A number is its
//! own index: [`join_on_number`] lays the right table's rows out by number
//! once, then finds each left row's match by reading one slot. At full scale
//! (3.86M weekly rows against 851k models, release build, 2 cores) polars'
//! inner join took 0.09-0.20 s; this takes a few hundredths.

use polars::prelude::*;

use crate::error::{Result, StatsError, invalid};
use crate::frames::u32_column;

/// How rows without a match are kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NumberJoin {
    /// Only left rows whose number is in the right table.
    Inner,
    /// Every left row; the right table's columns are null where it has no match.
    Left,
}

/// No right row has this number.
const NO_ROW: IdxSize = IdxSize::MAX;

/// `left` with the other columns of `right` whose `key` equals the row's
/// `key`, like polars' inner or left join on `key`, keeping the left rows'
/// order. `key` is UInt32 in both frames and unique in `right` (a repeat is
/// an error naming it); a null key matches nothing.
pub fn join_on_number(
    left: &DataFrame,
    right: &DataFrame,
    key: &str,
    how: NumberJoin,
) -> Result<DataFrame> {
    const WHAT: &str = "join_on_number";
    let slots = rows_by_number(WHAT, u32_column(WHAT, right, key)?, key)?;
    let matches = matched_rows(u32_column(WHAT, left, key)?, &slots);
    let (left, right_rows) = match how {
        // Every row matches (the usual case): inner and left are the same.
        _ if matches.all_matched() => (left.clone(), IdxCa::from_vec("".into(), matches.rows)),
        NumberJoin::Left => {
            let unmatched = BooleanChunked::from_iter_values(
                "".into(),
                matches.rows.iter().map(|&r| r == NO_ROW),
            );
            let rows = matches
                .rows
                .into_iter()
                .map(|r| if r == NO_ROW { 0 } else { r })
                .collect();
            let rows = IdxCa::from_vec("".into(), rows).set(&unmatched, None)?;
            (left.clone(), rows)
        }
        NumberJoin::Inner => {
            let mut kept = Vec::with_capacity(matches.rows.len() - matches.unmatched);
            let mut rows = Vec::with_capacity(kept.capacity());
            for (i, &r) in matches.rows.iter().enumerate() {
                if r != NO_ROW {
                    kept.push(i as IdxSize);
                    rows.push(r);
                }
            }
            let kept = IdxCa::from_vec("".into(), kept);
            (left.take(&kept)?, IdxCa::from_vec("".into(), rows))
        }
    };
    let others = right.drop(key)?.take(&right_rows)?;
    let mut joined = left;
    joined.hstack_mut(others.columns())?;
    Ok(joined)
}

/// Each left row's right row ([`NO_ROW`] where none), and how many have none.
struct Matches {
    rows: Vec<IdxSize>,
    unmatched: usize,
}

impl Matches {
    fn all_matched(&self) -> bool {
        self.unmatched == 0
    }
}

/// The right row of each left number, read from `slots`; a null number or
/// one past the slots matches nothing. Numbers without nulls in one chunk
/// (the usual case) are read as a slice, without a per-row option.
fn matched_rows(numbers: &UInt32Chunked, slots: &[IdxSize]) -> Matches {
    let slot = |n: u32| slots.get(n as usize).copied().unwrap_or(NO_ROW);
    let rows: Vec<IdxSize> = match numbers.cont_slice() {
        Ok(values) => values.iter().map(|&n| slot(n)).collect(),
        Err(_) => numbers.iter().map(|n| n.map_or(NO_ROW, slot)).collect(),
    };
    let unmatched = rows.iter().filter(|&&r| r == NO_ROW).count();
    Matches { rows, unmatched }
}

/// The right table's row of each number, [`NO_ROW`] where none has it.
fn rows_by_number(what: &'static str, numbers: &UInt32Chunked, key: &str) -> Result<Vec<IdxSize>> {
    let Some(max) = numbers.max() else {
        return Ok(Vec::new());
    };
    let mut slots = vec![NO_ROW; max as usize + 1];
    for (row, n) in numbers.iter().enumerate() {
        let Some(n) = n else { continue };
        let slot = &mut slots[n as usize];
        if *slot != NO_ROW {
            return Err(StatsError::DuplicateKey {
                what,
                column: key.to_string(),
                key: n.to_string(),
            });
        }
        *slot = IdxSize::try_from(row).map_err(|_| invalid(what, "too many rows"))?;
    }
    Ok(slots)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frames::texts;

    fn left() -> DataFrame {
        df!(
            "n" => [Some(2u32), Some(0), None, Some(7), Some(2)],
            "w" => [10i32, 11, 12, 13, 14],
        )
        .unwrap()
    }

    fn right() -> DataFrame {
        df!("n" => [0u32, 2, 5], "a" => ["zero", "two", "five"]).unwrap()
    }

    #[test]
    fn a_left_join_keeps_every_row_in_order_with_nulls_where_no_number_matches() {
        let j = join_on_number(&left(), &right(), "n", NumberJoin::Left).unwrap();
        assert_eq!(
            j.get_column_names(),
            ["n", "w", "a"],
            "the key once, left columns first"
        );
        let two = Some("two".to_string());
        assert_eq!(
            texts(&j, "a"),
            [two.clone(), Some("zero".into()), None, None, two]
        );
        assert_eq!(
            j.column("w").unwrap().i32().unwrap().to_vec(),
            [Some(10), Some(11), Some(12), Some(13), Some(14)]
        );
    }

    #[test]
    fn an_inner_join_drops_unmatched_and_null_numbers_and_keeps_order() {
        let j = join_on_number(&left(), &right(), "n", NumberJoin::Inner).unwrap();
        assert_eq!(
            j.column("w").unwrap().i32().unwrap().to_vec(),
            [Some(10), Some(11), Some(14)]
        );
        assert_eq!(
            texts(&j, "a"),
            [Some("two".into()), Some("zero".into()), Some("two".into())]
        );
    }

    /// Left frames for each way a number can be read: with nulls and
    /// misses; every number matched (one chunk, the slice path); every
    /// number matched in two chunks.
    fn lefts() -> Vec<DataFrame> {
        let matched = df!("n" => [2u32, 0, 5, 0], "w" => [1i32, 2, 3, 4]).unwrap();
        let mut chunked = matched.clone();
        chunked.vstack_mut(&matched).unwrap();
        vec![left(), matched, chunked]
    }

    #[test]
    fn it_matches_polars_join_on_the_same_frames() {
        for left in lefts() {
            for (how, polars_how) in [
                (NumberJoin::Inner, JoinType::Inner),
                (NumberJoin::Left, JoinType::Left),
            ] {
                let ours = join_on_number(&left, &right(), "n", how).unwrap();
                let mut args = JoinArgs::new(polars_how);
                args.maintain_order = MaintainOrderJoin::Left;
                let theirs = left
                    .clone()
                    .lazy()
                    .join(right().lazy(), [col("n")], [col("n")], args)
                    .collect()
                    .unwrap();
                assert!(ours.equals_missing(&theirs), "{how:?}: {ours} vs {theirs}");
            }
        }
    }

    #[test]
    fn a_number_twice_on_the_right_is_named() {
        let right = df!("n" => [3u32, 3], "a" => ["x", "y"]).unwrap();
        let err = join_on_number(&left(), &right, "n", NumberJoin::Left).unwrap_err();
        assert!(err.to_string().contains('3'), "{err}");
    }

    #[test]
    fn a_key_that_is_not_a_number_is_an_error_naming_it() {
        let right = df!("n" => ["a"], "a" => ["x"]).unwrap();
        let err = join_on_number(&left(), &right, "n", NumberJoin::Left).unwrap_err();
        assert!(err.to_string().contains("UInt32"), "{err}");
    }
}
