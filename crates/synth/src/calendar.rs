//! The weekly calendar: Sunday snapshots, the ISO weeks they close, the periods.
//!
//! Dates are days since 1970-01-01 (`i32`, as polars stores a Date). Week `w`
//! is closed by snapshot `w` (a Sunday) and starts on the Monday six days
//! earlier; a week belongs to the period of the year of its Monday.

use chrono::{Datelike, NaiveDate};

/// The study's periods, in order.
pub const PERIODS: [&str; 4] = ["<=2022", "2023", "2024", "2025"];

/// The Hub reports this `createdAt` for every model created before it.
pub fn clamp_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2022, 3, 2).expect("valid date")
}

pub fn first_snapshot() -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 6, 7).expect("valid date")
}

pub fn last_snapshot() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 8, 31).expect("valid date")
}

fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date")
}

/// Days since 1970-01-01.
pub fn days(d: NaiveDate) -> i32 {
    (d - epoch()).num_days() as i32
}

pub fn date(days: i32) -> NaiveDate {
    epoch() + chrono::Duration::days(days as i64)
}

/// The weekly snapshot calendar.
#[derive(Debug, Clone)]
pub struct Calendar {
    /// Snapshot dates (Sundays), days since epoch.
    pub snapshots: Vec<i32>,
}

impl Calendar {
    pub fn new() -> Self {
        let first = days(first_snapshot());
        let last = days(last_snapshot());
        Calendar {
            snapshots: (first..=last).step_by(7).collect(),
        }
    }

    pub fn n_weeks(&self) -> usize {
        self.snapshots.len()
    }

    /// Monday that starts week `w`.
    pub fn week_start(&self, w: usize) -> i32 {
        self.snapshots[w] - 6
    }

    /// Period index (0 = <=2022 .. 3 = 2025) of week `w`.
    pub fn period(&self, w: usize) -> usize {
        period_of_year(date(self.week_start(w)).year())
    }

    /// First snapshot on or after `day`: where a model created that day first appears.
    pub fn first_week_on_or_after(&self, day: i32) -> usize {
        let first = self.snapshots[0];
        if day <= first {
            0
        } else {
            (((day - first) + 6) / 7) as usize
        }
    }

    /// `YYYY-MM-DD` of snapshot `w`.
    pub fn label(&self, w: usize) -> String {
        date(self.snapshots[w]).format("%Y-%m-%d").to_string()
    }
}

impl Default for Calendar {
    fn default() -> Self {
        Self::new()
    }
}

pub fn period_of_year(year: i32) -> usize {
    match year {
        ..=2022 => 0,
        2023 => 1,
        2024 => 2,
        _ => 3,
    }
}

/// Period of a creation date.
pub fn period_of_day(day: i32) -> usize {
    period_of_year(date(day).year())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshots_are_sundays_from_june_2020_to_august_2025() {
        let c = Calendar::new();
        assert_eq!(c.label(0), "2020-06-07");
        assert_eq!(c.label(c.n_weeks() - 1), "2025-08-31");
        assert_eq!(c.n_weeks(), 274);
        assert!(
            c.snapshots
                .iter()
                .all(|d| date(*d).weekday() == chrono::Weekday::Sun)
        );
    }

    #[test]
    fn a_week_belongs_to_the_year_of_its_monday() {
        let c = Calendar::new();
        // Snapshot 2023-01-01 (a Sunday) closes the week of Monday 2022-12-26.
        let w = c
            .snapshots
            .iter()
            .position(|d| date(*d).to_string() == "2023-01-01")
            .unwrap();
        assert_eq!(c.period(w), 0);
        assert_eq!(c.period(w + 1), 1);
    }

    #[test]
    fn a_model_first_appears_in_the_snapshot_on_or_after_its_creation() {
        let c = Calendar::new();
        assert_eq!(c.first_week_on_or_after(c.snapshots[3]), 3);
        assert_eq!(c.first_week_on_or_after(c.snapshots[3] + 1), 4);
        assert_eq!(c.first_week_on_or_after(c.snapshots[0] - 400), 0);
    }
}
