//! How a week is bounded, in one place.
//!
//! A week runs Monday to Sunday (ISO 8601) and is named by its Monday. An
//! observation taken on date `t` (hub-stats snapshots are taken on Sundays)
//! reports the downloads of the week that contains `t`, so its increment is
//! credited to `week_start(t)`. [`week_start_days`] is the same bound on days
//! since 1970 (tested on every day of four years), for code that walks
//! polars' `Date` values directly.

use chrono::{Datelike, Duration, NaiveDate};

/// The Monday that starts the ISO week containing `date`.
pub fn week_start(date: NaiveDate) -> NaiveDate {
    date - Duration::days(i64::from(date.weekday().num_days_from_monday()))
}

/// [`week_start`] on days since 1970-01-01 (a Thursday), as polars stores a
/// `Date`.
pub fn week_start_days(days: i32) -> i32 {
    days - (days + 3).rem_euclid(7)
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

/// Inverse of [`to_epoch_days`], or `None` beyond chrono's calendar
/// (about +-262,000 years).
pub fn checked_from_epoch_days(days: i32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(1970, 1, 1)?.checked_add_signed(Duration::days(days.into()))
}

/// Inverse of [`to_epoch_days`]. Never panics: a day beyond chrono's
/// calendar is clamped to its ends. The readers refuse such dates
/// ([`plausible_days`]), so a prepared dataset never holds one.
pub fn from_epoch_days(days: i32) -> NaiveDate {
    checked_from_epoch_days(days).unwrap_or(if days < 0 {
        NaiveDate::MIN
    } else {
        NaiveDate::MAX
    })
}

/// The earliest date an input may hold: the Hub started in 2016, and a
/// date before 1970 is a sign or unit error, never a Hub timestamp.
pub fn earliest_plausible() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid constant date")
}

/// The dates an input may hold, as days since 1970: from
/// [`earliest_plausible`] to today (UTC). A later date is a clock or
/// unit error that would credit downloads to weeks not yet lived.
pub fn plausible_days() -> std::ops::RangeInclusive<i32> {
    to_epoch_days(earliest_plausible())..=to_epoch_days(chrono::Utc::now().date_naive())
}

/// The range of [`plausible_days`] in words, for error messages.
pub fn plausible_range_text() -> String {
    let r = plausible_days();
    format!(
        "a date from {} to today ({})",
        from_epoch_days(*r.start()),
        from_epoch_days(*r.end())
    )
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
    fn week_start_on_days_agrees_with_the_calendar_function() {
        for days in -800..800 {
            let date = from_epoch_days(days);
            assert_eq!(week_start_days(days), to_epoch_days(week_start(date)));
        }
    }

    #[test]
    fn days_beyond_the_calendar_clamp_instead_of_panicking() {
        assert_eq!(checked_from_epoch_days(i32::MAX), None);
        assert_eq!(from_epoch_days(i32::MAX), NaiveDate::MAX);
        assert_eq!(from_epoch_days(i32::MIN), NaiveDate::MIN);
        assert_eq!(checked_from_epoch_days(0), Some(d("1970-01-01")));
    }
}
