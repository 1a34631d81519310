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
    let matches: Vec<Option<IdxSize>> = u32_column(WHAT, left, key)?
        .iter()
        .map(|n| {
            let row = *slots.get(n? as usize)?;
            (row != NO_ROW).then_some(row)
        })
        .collect();
    let (left, right_rows) = match how {
        NumberJoin::Left => (
            left.clone(),
            IdxCa::from_iter_options("".into(), matches.into_iter()),
        ),
        NumberJoin::Inner => {
            let kept: Vec<IdxSize> = (0..matches.len() as IdxSize)
                .filter(|&i| matches[i as usize].is_some())
                .collect();
            let rows: Vec<IdxSize> = matches.into_iter().flatten().collect();
            let kept = IdxCa::from_vec("".into(), kept);
            (left.take(&kept)?, IdxCa::from_vec("".into(), rows))
        }
    };
    let others = right.drop(key)?.take(&right_rows)?;
    let mut joined = left;
    joined.hstack_mut(others.columns())?;
    Ok(joined)
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

    #[test]
    fn it_matches_polars_join_on_the_same_frames() {
        for (how, polars_how) in [
            (NumberJoin::Inner, JoinType::Inner),
            (NumberJoin::Left, JoinType::Left),
        ] {
            let ours = join_on_number(&left(), &right(), "n", how).unwrap();
            let mut args = JoinArgs::new(polars_how);
            args.maintain_order = MaintainOrderJoin::Left;
            let theirs = left()
                .lazy()
                .join(right().lazy(), [col("n")], [col("n")], args)
                .collect()
                .unwrap();
            assert!(ours.equals_missing(&theirs), "{how:?}: {ours} vs {theirs}");
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
