//! How a week is bounded, in one place.
//!
//! A week runs Monday to Sunday (ISO 8601) and is named by its Monday. An
//! observation taken on date `t` (hub-stats snapshots are taken on Sundays)
//! reports the downloads of the week that contains `t`, so its increment is
//! credited to `week_start(t)`. The polars expression [`week_start_expr`] and
//! the scalar [`week_start`] agree (tested), so frames and plain code bound
//! weeks the same way everywhere.

use chrono::{Datelike, Duration, NaiveDate};
use polars::prelude::*;

/// The Monday that starts the ISO week containing `date`.
pub fn week_start(date: NaiveDate) -> NaiveDate {
    date - Duration::days(i64::from(date.weekday().num_days_from_monday()))
}

/// [`week_start`] as a polars expression over a `Date` column.
pub fn week_start_expr(date: Expr) -> Expr {
    date.dt().truncate(lit("1w"))
}

/// The date the Hub reports as `createdAt` for every model created before
/// March 2022.
pub fn created_at_clamp() -> NaiveDate {
    NaiveDate::from_ymd_opt(2022, 3, 2).expect("valid constant date")
}

/// Days since 1970-01-01, as polars stores a `Date`.
pub fn to_epoch_days(date: NaiveDate) -> i32 {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid constant date");
    i32::try_from((date - epoch).num_days()).expect("date within i32 days of 1970")
}

/// Inverse of [`to_epoch_days`].
pub fn from_epoch_days(days: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid constant date") + Duration::days(days.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn sunday_snapshot_belongs_to_the_week_that_started_six_days_before() {
        assert_eq!(week_start(d("2024-01-14")), d("2024-01-08"));
        assert_eq!(week_start(d("2024-01-08")), d("2024-01-08"));
        assert_eq!(week_start(d("2024-01-07")), d("2024-01-01"));
    }

    #[test]
    fn polars_expression_bounds_weeks_like_the_scalar_function() {
        let dates: Vec<NaiveDate> = (0..40)
            .map(|i| d("2021-12-20") + Duration::days(i * 3))
            .collect();
        let days: Vec<i32> = dates.iter().map(|x| to_epoch_days(*x)).collect();
        let df = df!("t" => days).unwrap();
        let out = df
            .lazy()
            .select([week_start_expr(col("t").cast(DataType::Date)).alias("w")])
            .collect()
            .unwrap();
        let got: Vec<NaiveDate> = out
            .column("w")
            .unwrap()
            .cast(&DataType::Int32)
            .unwrap()
            .i32()
            .unwrap()
            .into_no_null_iter()
            .map(from_epoch_days)
            .collect();
        let want: Vec<NaiveDate> = dates.iter().map(|x| week_start(*x)).collect();
        assert_eq!(got, want);
    }
}
