//! Time buckets: which period a date belongs to.
//!
//! A bucket is computed from a `Date` column (a `Datetime` is first cast to
//! its date). Calendar buckets are the bucket's first day, as a `Date`:
//! the Monday that starts the ISO week, the first of the month, of the
//! quarter (Jan, Apr, Jul, Oct) or of the year. The study periods and named
//! periods are `String` labels.

use chrono::NaiveDate;
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::calendar::{Calendar, year_of};
use crate::error::{Result, invalid};
use crate::frames::require_columns;

/// The study periods of the paper, in order: everything up to 2022, then one
/// per calendar year. A date after 2025 gets its own year as label ("2026").
pub const STUDY_PERIODS: [&str; 4] = ["<=2022", "2023", "2024", "2025"];

/// The last year folded into the first study period, `<=2022`.
const FIRST_PERIOD_LAST_YEAR: i32 = 2022;

/// A period with a label, `start` inclusive and `end` exclusive.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamedPeriod {
    pub label: String,
    /// First day in the period.
    pub start: NaiveDate,
    /// First day after the period.
    pub end: NaiveDate,
}

impl NamedPeriod {
    /// A period `[start, end)`.
    pub fn new(label: impl Into<String>, start: NaiveDate, end: NaiveDate) -> Self {
        NamedPeriod {
            label: label.into(),
            start,
            end,
        }
    }
}

/// How dates are grouped into buckets.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum TimeBucket {
    /// The Monday that starts the ISO week (`Date`).
    Week,
    /// The first day of the month (`Date`).
    Month,
    /// The first day of the quarter (`Date`).
    Quarter,
    /// The first day of the year (`Date`).
    Year,
    /// `<=2022`, `2023`, `2024`, `2025` (and later years by their number).
    StudyPeriod,
    /// The label of the named period the date falls in, null if none.
    /// Periods must have distinct non-empty labels, `start < end`, and must
    /// not overlap.
    Named { periods: Vec<NamedPeriod> },
}

/// An expression giving the bucket of the date in `date_col`.
pub fn bucket_expr(date_col: &str, bucket: &TimeBucket) -> Result<Expr> {
    let date = col(date_col).cast(DataType::Date);
    Ok(match bucket {
        TimeBucket::Week => calendar_expr(date, Calendar::Week),
        TimeBucket::Month => calendar_expr(date, Calendar::Month),
        TimeBucket::Quarter => calendar_expr(date, Calendar::Quarter),
        TimeBucket::Year => calendar_expr(date, Calendar::Year),
        TimeBucket::StudyPeriod => study_period_expr(date),
        TimeBucket::Named { periods } => named_period_expr(date, periods)?,
    })
}

/// The first day of the calendar bucket of each date, as a `Date`.
fn calendar_expr(date: Expr, calendar: Calendar) -> Expr {
    date.cast(DataType::Int32).map(
        move |c| {
            let days = c.i32()?;
            let start: Int32Chunked = match DayTable::of(days, |day| calendar.start(day)) {
                Some(table) => days.apply_values(|day| table.get(day)),
                None => days.apply_values(|day| calendar.start(day)),
            };
            Ok(start.into_date().into_column())
        },
        |_, field| Ok(Field::new(field.name().clone(), DataType::Date)),
    )
}

/// The study period label of each date (`<=2022`, `2023`, ...), as text.
fn study_period_expr(date: Expr) -> Expr {
    date.cast(DataType::Int32).map(
        |c| {
            let days = c.i32()?;
            let (Some(first), Some(last)) = (days.min(), days.max()) else {
                return Ok(StringChunked::full_null(c.name().clone(), c.len()).into_column());
            };
            let (first, last) = (year_of(first), year_of(last));
            let labels: Vec<String> = (first..=last).map(study_period_label).collect();
            let labels = StringChunked::from_iter_values(c.name().clone(), labels.iter());
            let years = DayTable::of(days, year_of);
            let year = |day: i32| years.as_ref().map_or_else(|| year_of(day), |t| t.get(day));
            // Each row gathers its year's label: no text is built per row.
            let label_row = |day: i32| (year(day) - first) as IdxSize;
            let rows: IdxCa = days.iter().map(|d| d.map(label_row)).collect();
            let out = labels.take(&rows)?;
            Ok(out.into_column())
        },
        |_, field| Ok(Field::new(field.name().clone(), DataType::String)),
    )
}

/// A function of the day, computed once for every day between the first
/// and the last of a column: the weekly rows of the Hub repeat a few
/// hundred days millions of times, and a calendar computation per row was
/// 5% of analysis 05 at full scale (perf).
struct DayTable {
    first: i32,
    values: Vec<i32>,
}

impl DayTable {
    /// Days further apart than this are computed row by row.
    const MAX_DAYS: i64 = 1 << 20;

    /// `None` for a column with no day, or one spanning more than
    /// [`Self::MAX_DAYS`].
    fn of(days: &Int32Chunked, f: impl Fn(i32) -> i32) -> Option<Self> {
        let (first, last) = (days.min()?, days.max()?);
        if i64::from(last) - i64::from(first) >= Self::MAX_DAYS {
            return None;
        }
        Some(Self {
            first,
            values: (first..=last).map(f).collect(),
        })
    }

    /// The value of `day`, a day between the column's first and last. Any
    /// other day is the physical value under a null (`apply_values` visits
    /// those too, and the validity masks the result): 0, not a panic.
    fn get(&self, day: i32) -> i32 {
        usize::try_from(i64::from(day) - i64::from(self.first))
            .ok()
            .and_then(|i| self.values.get(i))
            .copied()
            .unwrap_or(0)
    }
}

/// The study period of a calendar year (`<=2022`, `2023`, ..., later years
/// by their number).
pub fn study_period_label(year: i32) -> String {
    if year <= FIRST_PERIOD_LAST_YEAR {
        STUDY_PERIODS[0].to_string()
    } else {
        year.to_string()
    }
}

/// Adds the bucket of `date_col` as column `out_col`.
pub fn add_bucket(
    mut lf: LazyFrame,
    date_col: &str,
    bucket: &TimeBucket,
    out_col: &str,
) -> Result<LazyFrame> {
    require_columns("add_bucket", &mut lf, &[date_col])?;
    Ok(lf.with_column(bucket_expr(date_col, bucket)?.alias(out_col)))
}

/// An expression that sorts the bucket labels in `bucket_col` in time order:
/// the date itself for calendar buckets, the first year of the period for
/// study periods (`<=2022` sorts as 2022, before "2023"), and the position
/// in the configuration for named periods (null for dates in no period).
/// String labels like `<=2022` do not sort correctly on their own. A label
/// that is not a period of `bucket` orders as null.
pub fn bucket_order_expr(bucket_col: &str, bucket: &TimeBucket) -> Expr {
    let label = col(bucket_col);
    match bucket {
        TimeBucket::Week | TimeBucket::Month | TimeBucket::Quarter | TimeBucket::Year => label,
        TimeBucket::StudyPeriod => when(label.clone().eq(lit(STUDY_PERIODS[0])))
            .then(lit(FIRST_PERIOD_LAST_YEAR))
            .otherwise(label.cast(DataType::Int32)),
        TimeBucket::Named { periods } => {
            let none = lit(NULL).cast(DataType::Int32);
            periods
                .iter()
                .enumerate()
                .rev()
                .fold(none, |rest, (i, period)| {
                    when(label.clone().eq(lit(period.label.as_str())))
                        .then(lit(i as i32))
                        .otherwise(rest)
                })
        }
    }
}

/// Checks the named periods (labels distinct and non-empty, `start < end`,
/// no overlap).
pub fn validate_periods(periods: &[NamedPeriod]) -> Result<()> {
    const WHAT: &str = "named periods";
    if periods.is_empty() {
        return Err(invalid(WHAT, "at least one period is needed"));
    }
    for (i, p) in periods.iter().enumerate() {
        if p.label.is_empty() {
            return Err(invalid(WHAT, format!("period {i} has an empty label")));
        }
        if p.start >= p.end {
            return Err(invalid(
                WHAT,
                format!(
                    "period `{}` starts {} on or after its end {}",
                    p.label, p.start, p.end
                ),
            ));
        }
        for q in &periods[..i] {
            if q.label == p.label {
                return Err(invalid(WHAT, format!("label `{}` is used twice", p.label)));
            }
            if p.start < q.end && q.start < p.end {
                return Err(invalid(
                    WHAT,
                    format!("periods `{}` and `{}` overlap", q.label, p.label),
                ));
            }
        }
    }
    Ok(())
}

fn named_period_expr(date: Expr, periods: &[NamedPeriod]) -> Result<Expr> {
    validate_periods(periods)?;
    let days = date.cast(DataType::Int32);
    let inside = |p: &NamedPeriod| {
        days.clone()
            .gt_eq(lit(p.start.to_epoch_days()))
            .and(days.clone().lt(lit(p.end.to_epoch_days())))
    };
    let none = lit(NULL).cast(DataType::String);
    Ok(periods.iter().rev().fold(none, |rest, period| {
        when(inside(period))
            .then(lit(period.label.as_str()))
            .otherwise(rest)
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// Dates as a `Date` column named `day`.
    fn dates(days: &[NaiveDate]) -> LazyFrame {
        let epoch: Vec<i32> = days.iter().map(|d| d.to_epoch_days()).collect();
        DataFrame::new_infer_height(vec![
            Column::new("day".into(), epoch)
                .cast(&DataType::Date)
                .unwrap(),
        ])
        .unwrap()
        .lazy()
    }

    fn bucket_dates(days: &[NaiveDate], bucket: &TimeBucket) -> Vec<NaiveDate> {
        let out = add_bucket(dates(days), "day", bucket, "bucket")
            .unwrap()
            .collect()
            .unwrap();
        let bucket = out.column("bucket").unwrap();
        assert_eq!(bucket.dtype(), &DataType::Date);
        bucket
            .cast(&DataType::Int32)
            .unwrap()
            .i32()
            .unwrap()
            .iter()
            .map(|d| NaiveDate::from_epoch_days(d.unwrap()).unwrap())
            .collect()
    }

    fn bucket_labels(days: &[NaiveDate], bucket: &TimeBucket) -> Vec<Option<String>> {
        let out = add_bucket(dates(days), "day", bucket, "bucket")
            .unwrap()
            .collect()
            .unwrap();
        crate::frames::texts(&out, "bucket")
    }

    #[test]
    fn calendar_buckets_start_on_the_right_day() {
        // 2024-01-03 is a Wednesday; 2023-12-31 a Sunday; 2024-01-01 a Monday.
        let days = [
            ymd(2024, 1, 3),
            ymd(2023, 12, 31),
            ymd(2024, 1, 1),
            ymd(2025, 8, 31),
        ];
        assert_eq!(
            bucket_dates(&days, &TimeBucket::Week),
            vec![
                ymd(2024, 1, 1),
                ymd(2023, 12, 25),
                ymd(2024, 1, 1),
                ymd(2025, 8, 25)
            ]
        );
        assert_eq!(
            bucket_dates(&days, &TimeBucket::Month),
            vec![
                ymd(2024, 1, 1),
                ymd(2023, 12, 1),
                ymd(2024, 1, 1),
                ymd(2025, 8, 1)
            ]
        );
        assert_eq!(
            bucket_dates(&days, &TimeBucket::Quarter),
            vec![
                ymd(2024, 1, 1),
                ymd(2023, 10, 1),
                ymd(2024, 1, 1),
                ymd(2025, 7, 1)
            ]
        );
        assert_eq!(
            bucket_dates(&days, &TimeBucket::Year),
            vec![
                ymd(2024, 1, 1),
                ymd(2023, 1, 1),
                ymd(2024, 1, 1),
                ymd(2025, 1, 1)
            ]
        );
    }

    /// The table of days and the row-by-row computation agree: the same
    /// days bucketed alone, and with a far day (year 4900) that makes the
    /// column span too many days for a table.
    #[test]
    fn buckets_from_the_day_table_equal_the_day_by_day_ones() {
        let days: Vec<NaiveDate> = (0..800)
            .map(|i| ymd(2022, 12, 1) + chrono::Days::new(i * 7 % 797))
            .collect();
        let mut with_far_day = days.clone();
        with_far_day.push(ymd(4900, 3, 9));
        for bucket in [
            TimeBucket::Week,
            TimeBucket::Month,
            TimeBucket::Quarter,
            TimeBucket::Year,
        ] {
            let table = bucket_dates(&days, &bucket);
            let by_day = bucket_dates(&with_far_day, &bucket);
            assert_eq!(table[..], by_day[..days.len()], "{bucket:?}");
        }
        let table = bucket_labels(&days, &TimeBucket::StudyPeriod);
        let by_day = bucket_labels(&with_far_day, &TimeBucket::StudyPeriod);
        assert_eq!(table[..], by_day[..days.len()]);
        assert_eq!(by_day.last().unwrap().as_deref(), Some("4900"));
    }

    #[test]
    fn study_periods_fold_everything_up_to_2022() {
        let days = [
            ymd(2020, 6, 1),
            ymd(2022, 12, 31),
            ymd(2023, 1, 1),
            ymd(2025, 8, 25),
            ymd(2026, 1, 5),
        ];
        let labels = bucket_labels(&days, &TimeBucket::StudyPeriod);
        let expected = ["<=2022", "<=2022", "2023", "2025", "2026"];
        assert_eq!(
            labels,
            expected
                .iter()
                .map(|s| Some(s.to_string()))
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn named_periods_are_half_open_and_null_outside() {
        let periods = vec![
            NamedPeriod::new("early", ymd(2023, 1, 1), ymd(2024, 1, 1)),
            NamedPeriod::new("late", ymd(2024, 9, 1), ymd(2025, 9, 1)),
        ];
        let bucket = TimeBucket::Named { periods };
        let days = [
            ymd(2023, 1, 1),
            ymd(2023, 12, 31),
            ymd(2024, 1, 1),
            ymd(2025, 8, 31),
            ymd(2025, 9, 1),
        ];
        let labels = bucket_labels(&days, &bucket);
        assert_eq!(
            labels,
            vec![
                Some("early".into()),
                Some("early".into()),
                None,
                Some("late".into()),
                None
            ]
        );
    }

    #[test]
    fn a_null_date_has_a_null_bucket() {
        // 2024-05-06, null, 2024-07-01. The physical value under the null
        // (0, 1970-01-01) is far before the first day: it must not be looked
        // up in the day table.
        let days = Int32Chunked::from_iter_options(
            "day".into(),
            [Some(19_849), None, Some(19_905)].into_iter(),
        )
        .into_series()
        .cast(&DataType::Date)
        .unwrap();
        let df = DataFrame::new(3, vec![days.into_column()]).unwrap();
        for bucket in [TimeBucket::Week, TimeBucket::Month, TimeBucket::StudyPeriod] {
            let out = df
                .clone()
                .lazy()
                .select([bucket_expr("day", &bucket).unwrap().alias("b")])
                .collect()
                .unwrap();
            let b = out.column("b").unwrap();
            assert_eq!(b.null_count(), 1, "{bucket:?}");
            assert!(b.get(1).unwrap().is_null(), "{bucket:?}");
        }
    }

    #[test]
    fn named_periods_are_validated() {
        let overlapping = vec![
            NamedPeriod::new("a", ymd(2023, 1, 1), ymd(2024, 1, 2)),
            NamedPeriod::new("b", ymd(2024, 1, 1), ymd(2025, 1, 1)),
        ];
        assert!(
            bucket_expr(
                "day",
                &TimeBucket::Named {
                    periods: overlapping
                }
            )
            .is_err()
        );
        let backwards = vec![NamedPeriod::new("a", ymd(2024, 1, 1), ymd(2024, 1, 1))];
        assert!(validate_periods(&backwards).is_err());
        let twice = vec![
            NamedPeriod::new("a", ymd(2023, 1, 1), ymd(2024, 1, 1)),
            NamedPeriod::new("a", ymd(2024, 1, 1), ymd(2025, 1, 1)),
        ];
        assert!(validate_periods(&twice).is_err());
        assert!(validate_periods(&[]).is_err());
    }

    #[test]
    fn order_expression_puts_the_first_study_period_first() {
        let labels = df!["period" => ["2025", "<=2022", "2024", "2023"]].unwrap();
        let sorted = labels
            .lazy()
            .sort_by_exprs(
                [bucket_order_expr("period", &TimeBucket::StudyPeriod)],
                SortMultipleOptions::default(),
            )
            .collect()
            .unwrap();
        let got: Vec<&str> = sorted
            .column("period")
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .map(|s| s.unwrap())
            .collect();
        assert_eq!(got, STUDY_PERIODS.to_vec());
    }

    #[test]
    fn buckets_round_trip_through_json() {
        let bucket = TimeBucket::Named {
            periods: vec![NamedPeriod::new("x", ymd(2023, 1, 1), ymd(2024, 1, 1))],
        };
        let json = serde_json::to_string(&bucket).unwrap();
        assert_eq!(
            json,
            r#"{"kind":"named","periods":[{"label":"x","start":"2023-01-01","end":"2024-01-01"}]}"#
        );
        assert_eq!(serde_json::from_str::<TimeBucket>(&json).unwrap(), bucket);
        assert_eq!(
            serde_json::to_string(&TimeBucket::StudyPeriod).unwrap(),
            r#"{"kind":"study_period"}"#
        );
    }
}
