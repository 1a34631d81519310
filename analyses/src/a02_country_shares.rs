//! 02 Download share by developer country group over time (C2, C5), in the
//! direct lens (credited to the uploader) and the derived lens (credited to
//! the developer of the model's family root), by month. For the dashboard,
//! also the monthly downloads by group in both lenses and both windows.

use std::path::PathBuf;

use hubecon_ingest::schema::{country_group as g, developers};
use hubecon_plot::Chart;
use hubecon_stats::{Category, TimeBucket, Window};

use crate::common::{LENSES, lens, period_key, share_of, shares, shares_both_lenses, stacked};
use crate::context::Context;
use crate::emit::emit;
use crate::explore;
use crate::output::Number;

pub const STEM: &str = "02_country_shares";
/// The monthly downloads by country group in both lenses and windows
/// (`02_country_shares_monthly.csv`, for the dashboard).
pub const MONTHLY: &str = "monthly";

pub fn run(ctx: &Context) -> anyhow::Result<Vec<PathBuf>> {
    let category = Category::Developer(developers::COUNTRY_GROUP.into());
    let table = shares_both_lenses(
        ctx,
        category.clone(),
        TimeBucket::Month,
        Window::AllDownloads,
    )?;

    let mut h = ctx.headline(STEM, "Download share by developer country group");
    for (lens_name, lens_value) in LENSES {
        let by_period = shares(
            ctx,
            category.clone(),
            TimeBucket::StudyPeriod,
            lens_value,
            Window::AllDownloads,
        )?;
        for (group, key, claim) in [(g::USA, "usa", "C2"), (g::CHINA, "china", "C5")] {
            let s = share_of(&by_period, group)?;
            for p in ctx.coverage.headline_periods() {
                let p = p.as_str();
                let label = period_key(p);
                h.insert_in(
                    p,
                    &format!("{key}_share_{label}_{lens_name}"),
                    Number::new(
                        s.get(p).copied().unwrap_or(0.0),
                        "share",
                        &format!("{group} share of downloads in {p}, {lens_name} lens"),
                    )
                    .claim(claim),
                );
            }
        }
    }

    let chart = stacked(&lens(&table, "direct")?, &g::ALL)?;
    let fig = ctx.figure(
        "Download share by developer country group (direct lens)",
        "Month",
        "Share of downloads",
    );
    let mut files = emit(ctx, STEM, &table, &h, &fig, &Chart::StackedShares(chart))?;
    let monthly = explore::monthly_category_downloads(ctx, &category)?;
    files.push(explore::write(ctx, STEM, MONTHLY, &monthly)?);
    Ok(files)
}
