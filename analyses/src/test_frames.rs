//! Builders shared by the analyses' unit tests.

use chrono::NaiveDate;
use polars::prelude::*;

/// An ISO date.
pub fn date(s: &str) -> NaiveDate {
    s.parse().expect("an ISO date")
}

/// A `Date` column from ISO dates, as the ingest layer types `created_at`
/// and `week`.
pub fn date_column(name: &str, dates: &[&str]) -> Column {
    let days: Vec<i32> = dates
        .iter()
        .map(|s| hubecon_ingest::week::to_epoch_days(date(s)))
        .collect();
    Column::new(name.into(), days)
        .cast(&DataType::Date)
        .expect("days cast to dates")
}

/// The developers table of two industry labs: `us` in the USA, `cn` in
/// China.
pub fn us_and_china_labs() -> DataFrame {
    use hubecon_ingest::schema::developers;
    df!(
        developers::AUTHOR => ["us", "cn"],
        developers::ORG_TYPE => ["industry", "industry"],
        developers::COUNTRY_GROUP => ["USA", "China"],
    )
    .expect("three columns of two rows")
}
