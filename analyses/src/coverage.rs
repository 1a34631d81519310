//! The span the data covers, the study periods inside it, and the two a
//! contrast compares (METHODS.md, "Span and periods").

use chrono::{Datelike, NaiveDate};
use hubecon_ingest::week::from_epoch_days;
use polars::prelude::*;
use serde::Serialize;

use hubecon_stats::{STUDY_PERIODS, study_period_label};

use crate::output::Number;

/// What the weekly downloads cover.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coverage {
    /// First and last week with downloads (Mondays); none without weekly
    /// downloads (a single-date listing).
    pub first_week: Option<NaiveDate>,
    pub last_week: Option<NaiveDate>,
    /// The study periods the span reaches, in time order.
    pub periods: Vec<String>,
    /// The two periods every first-vs-last contrast compares: the paper's
    /// (`<=2022` and `2025`) when both are covered, else the first and the
    /// last covered period; none with fewer than two.
    pub earlier: Option<String>,
    pub later: Option<String>,
}

impl Coverage {
    /// The coverage of `weeks` (a Date column of week starts).
    pub fn of_weeks(weeks: &Column) -> anyhow::Result<Self> {
        let days = weeks.cast(&DataType::Int32)?;
        let days = days.i32()?;
        Ok(Self::between(
            days.min().map(from_epoch_days),
            days.max().map(from_epoch_days),
        ))
    }

    /// The coverage of the weeks from `first` to `last`.
    pub fn between(first: Option<NaiveDate>, last: Option<NaiveDate>) -> Self {
        let periods: Vec<String> = match (first, last) {
            (Some(f), Some(l)) => {
                let mut p: Vec<String> = (f.year()..=l.year()).map(study_period_label).collect();
                p.dedup();
                p
            }
            _ => Vec::new(),
        };
        let (paper_first, paper_last) = (STUDY_PERIODS[0], STUDY_PERIODS[STUDY_PERIODS.len() - 1]);
        let has = |p: &str| periods.iter().any(|x| x == p);
        let (earlier, later) = if has(paper_first) && has(paper_last) {
            (Some(paper_first.to_string()), Some(paper_last.to_string()))
        } else if periods.len() >= 2 {
            (periods.first().cloned(), periods.last().cloned())
        } else {
            (None, None)
        };
        Self {
            first_week: first,
            last_week: last,
            periods,
            earlier,
            later,
        }
    }

    /// True when the span reaches `period`.
    pub fn covers(&self, period: &str) -> bool {
        self.periods.iter().any(|p| p == period)
    }

    /// The periods headline numbers are written for: the paper's four
    /// (null with a reason where uncovered, so every key the paper quotes
    /// exists), then any later covered ones.
    pub fn headline_periods(&self) -> Vec<String> {
        let mut out: Vec<String> = STUDY_PERIODS.iter().map(|p| p.to_string()).collect();
        out.extend(
            self.periods
                .iter()
                .filter(|p| !out.contains(p))
                .cloned()
                .collect::<Vec<_>>(),
        );
        out
    }

    /// `number` for a covered period; for a period outside the span, the
    /// same number null with the reason.
    pub fn in_period(&self, period: &str, number: Number) -> Number {
        if self.covers(period) {
            return number;
        }
        Number {
            value: None,
            ci_low: None,
            ci_high: None,
            note: Some(self.not_measurable(&format!("{period} is outside it"))),
            ..number
        }
    }

    /// The contrast's periods, `(earlier, later)`.
    pub fn contrast(&self) -> Option<(&str, &str)> {
        Some((self.earlier.as_deref()?, self.later.as_deref()?))
    }

    /// The span in words, for subtitles and the paper.
    pub fn span(&self) -> String {
        match (self.first_week, self.last_week) {
            (Some(f), Some(l)) => format!("weeks {f} to {l}"),
            _ => "no weekly downloads".to_string(),
        }
    }

    /// Why a number that needs periods `needs` (in words) cannot be
    /// measured on this span.
    pub fn not_measurable(&self, needs: &str) -> String {
        match (self.first_week, self.last_week) {
            (Some(f), Some(l)) => format!(
                "not measurable: the data covers {f} to {l} (periods {}); {needs}",
                self.periods.join(", ")
            ),
            _ => format!("not measurable: the data has no weekly downloads; {needs}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Option<NaiveDate> {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
    }

    #[test]
    fn the_papers_periods_are_compared_when_both_are_covered() {
        let c = Coverage::between(d("2020-06-01"), d("2026-03-02"));
        assert_eq!(c.periods, ["<=2022", "2023", "2024", "2025", "2026"]);
        assert_eq!(c.contrast(), Some(("<=2022", "2025")));
    }

    #[test]
    fn a_partial_span_compares_its_first_and_last_period() {
        let c = Coverage::between(d("2024-07-29"), d("2025-08-25"));
        assert_eq!(c.periods, ["2024", "2025"]);
        assert_eq!(c.contrast(), Some(("2024", "2025")));
        let c = Coverage::between(d("2023-01-02"), d("2024-12-30"));
        assert_eq!(c.contrast(), Some(("2023", "2024")));
    }

    #[test]
    fn one_period_or_none_has_no_contrast() {
        let c = Coverage::between(d("2025-01-06"), d("2025-03-31"));
        assert_eq!(c.periods, ["2025"]);
        assert_eq!(c.contrast(), None);
        let why = c.not_measurable("C6 compares two periods");
        assert!(why.contains("2025-01-06 to 2025-03-31"), "{why}");
        let none = Coverage::between(None, None);
        assert!(none.periods.is_empty());
        assert!(none.not_measurable("x").contains("no weekly downloads"));
    }
}
