//! Calendar buckets of dates held as days since 1970-01-01, in integer
//! arithmetic: the first day of the week (Monday), month, quarter or year,
//! and the year.
//!
//! Why not polars' `dt().truncate()`: it goes through chrono for every row
//! (adding days, building timestamps), which was about a tenth of all the
//! analyses' time at 851k models (perf, issue 9). These are the proleptic
//! Gregorian conversions of Howard Hinnant's `days_from_civil` /
//! `civil_from_days`, a few integer operations per date; the tests check
//! them against chrono on every day from 1600 to 2400.

/// A calendar bucket computed from a day number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Calendar {
    Week,
    Month,
    Quarter,
    Year,
}

impl Calendar {
    /// The first day (days since 1970-01-01) of the bucket holding `day`.
    pub(crate) fn start(self, day: i32) -> i32 {
        match self {
            // 1970-01-01 was a Thursday: Monday is 3 days before.
            Calendar::Week => day - (day + 3).rem_euclid(7),
            Calendar::Month => {
                let (y, m, _) = civil_from_days(day);
                days_from_civil(y, m, 1)
            }
            Calendar::Quarter => {
                let (y, m, _) = civil_from_days(day);
                days_from_civil(y, (m - 1) / 3 * 3 + 1, 1)
            }
            Calendar::Year => days_from_civil(year_of(day), 1, 1),
        }
    }
}

/// The calendar year of `day`.
pub(crate) fn year_of(day: i32) -> i32 {
    civil_from_days(day).0
}

/// `(year, month 1-12, day 1-31)` of a day number.
fn civil_from_days(day: i32) -> (i32, u32, u32) {
    let z = i64::from(day) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11], March first
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y as i32, m as u32, d as u32)
}

/// The day number of `year-month-day`.
fn days_from_civil(year: i32, month: u32, day: u32) -> i32 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400); // [0, 399]
    let m = i64::from(month);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1; // [0, 365]
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // [0, 146096]
    (era * 146_097 + doe - 719_468) as i32
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Datelike, NaiveDate};

    fn date(day: i32) -> NaiveDate {
        NaiveDate::from_epoch_days(day).unwrap()
    }

    #[test]
    fn every_day_from_1600_to_2400_matches_chrono() {
        let first = NaiveDate::from_ymd_opt(1600, 1, 1).unwrap().to_epoch_days();
        let last = NaiveDate::from_ymd_opt(2400, 12, 31)
            .unwrap()
            .to_epoch_days();
        for day in first..=last {
            let d = date(day);
            assert_eq!(civil_from_days(day), (d.year(), d.month(), d.day()), "{d}");
            assert_eq!(days_from_civil(d.year(), d.month(), d.day()), day, "{d}");
            let monday = d - chrono::Days::new(u64::from(d.weekday().num_days_from_monday()));
            assert_eq!(date(Calendar::Week.start(day)), monday, "{d}");
            let month = d.with_day(1).unwrap();
            assert_eq!(date(Calendar::Month.start(day)), month, "{d}");
            let quarter = month.with_month((d.month() - 1) / 3 * 3 + 1).unwrap();
            assert_eq!(date(Calendar::Quarter.start(day)), quarter, "{d}");
            let year = NaiveDate::from_ymd_opt(d.year(), 1, 1).unwrap();
            assert_eq!(date(Calendar::Year.start(day)), year, "{d}");
            assert_eq!(year_of(day), d.year());
        }
    }

    #[test]
    fn a_wrong_leap_rule_would_be_caught() {
        // 1900 is not a leap year, 2000 is: the day after Feb 28.
        let after = |y| days_from_civil(y, 2, 28) + 1;
        assert_eq!(civil_from_days(after(1900)), (1900, 3, 1));
        assert_eq!(civil_from_days(after(2000)), (2000, 2, 29));
    }
}
