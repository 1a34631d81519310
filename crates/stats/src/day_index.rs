//! A dense index of the distinct values of an integer day column: each
//! distinct day gets its rank among the distinct days (a null day after
//! them), looked up in a table over the days' range instead of hashed.
//! Shared by the plain-code aggregations (`category_totals`,
//! `bucket_key_sums`): the weekly rows repeat a few hundred days millions
//! of times.

/// Widest range of days indexed (a table of this many entries is built).
pub(crate) const MAX_DAY_RANGE: i64 = 1 << 22;

/// The distinct days of a column, indexed in ascending order, a null day last.
pub(crate) struct DayIndex {
    first: i64,
    /// The index of each day from `first` (`u32::MAX`: absent).
    index_of_day: Vec<u32>,
    null_index: Option<u32>,
    /// The distinct days in index order.
    days: Vec<Option<i64>>,
}

impl DayIndex {
    /// The index of the days `present()` yields (every non-null day,
    /// repeats allowed; called twice), and of a null day when `has_null`;
    /// `None` when the days span [`MAX_DAY_RANGE`] or more.
    pub fn of<I: Iterator<Item = i64>>(present: impl Fn() -> I, has_null: bool) -> Option<Self> {
        let (first, last) = present()
            .fold(None, |range: Option<(i64, i64)>, d| {
                Some(range.map_or((d, d), |(lo, hi)| (lo.min(d), hi.max(d))))
            })
            .unwrap_or((0, -1));
        if last - first >= MAX_DAY_RANGE {
            return None;
        }
        let mut seen = vec![false; (last - first + 1).max(0) as usize];
        for day in present() {
            seen[(day - first) as usize] = true;
        }
        let mut index_of_day = vec![u32::MAX; seen.len()];
        let mut days = Vec::new();
        for (offset, _) in seen.iter().enumerate().filter(|(_, s)| **s) {
            index_of_day[offset] = days.len() as u32;
            days.push(Some(first + offset as i64));
        }
        let null_index = has_null.then(|| {
            days.push(None);
            (days.len() - 1) as u32
        });
        Some(DayIndex {
            first,
            index_of_day,
            null_index,
            days,
        })
    }

    /// How many distinct days (a null day included).
    pub fn len(&self) -> usize {
        self.days.len()
    }

    /// The distinct days in index order.
    pub fn days(&self) -> &[Option<i64>] {
        &self.days
    }

    /// The index of a day of the column.
    pub fn index(&self, day: Option<i64>) -> u32 {
        match day {
            Some(day) => self.index_of_day[(day - self.first) as usize],
            None => self.null_index.expect("an index for the null day"),
        }
    }

    /// The same lookup with index `i` renamed `new[i]` (days merged into
    /// buckets, for instance).
    pub fn renamed(mut self, new: &[u32]) -> Self {
        for slot in self.index_of_day.iter_mut().filter(|s| **s != u32::MAX) {
            *slot = new[*slot as usize];
        }
        self.null_index = self.null_index.map(|i| new[i as usize]);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_indexed_in_ascending_order_with_the_null_day_last() {
        let days = [19_007i64, 19_000, 19_007, 19_014];
        let index = DayIndex::of(|| days.iter().copied(), true).unwrap();
        assert_eq!(
            index.days(),
            &[Some(19_000), Some(19_007), Some(19_014), None]
        );
        assert_eq!(index.index(Some(19_007)), 1);
        assert_eq!(index.index(None), 3);
        let merged = index.renamed(&[0, 0, 1, 2]);
        assert_eq!(merged.index(Some(19_007)), 0);
        assert_eq!(merged.index(Some(19_014)), 1);
        assert_eq!(merged.index(None), 2);
    }

    #[test]
    fn too_wide_a_range_is_refused() {
        assert!(DayIndex::of(|| [0i64, MAX_DAY_RANGE].into_iter(), false).is_none());
        assert!(DayIndex::of(std::iter::empty, false).unwrap().len() == 0);
    }
}
