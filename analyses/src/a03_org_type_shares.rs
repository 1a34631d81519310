//! 03 Download share by organization type over time (C3), in the direct lens
//! (credited to the uploader) and the derived lens (credited to the
//! developer of the model's family root), by quarter; the figure stacks the
//! direct lens. The headline is the share of community organizations and
//! unaffiliated users together ("community developers") in each study period.
//! For the dashboard, also the monthly downloads by org type in both lenses
//! and both windows.

use std::path::PathBuf;

use hubecon_ingest::schema::{developers, org_type as o};
use hubecon_plot::Chart;
use hubecon_stats::{Attribution, Category, TimeBucket, Window};

use crate::common::{
    LENSES, developer_periods, lens, period_key, share_of, shares, shares_both_lenses, stacked,
};
use crate::context::Context;
use crate::contrast::{add_difference, period_cells};
use crate::emit::emit;
use crate::explore;
use crate::output::Number;

pub const STEM: &str = "03_org_type_shares";
/// The monthly downloads by org type in both lenses and windows
/// (`03_org_type_shares_monthly.csv`, for the dashboard).
pub const MONTHLY: &str = "monthly";

/// The org types that make up "community developers" (C3).
pub const COMMUNITY_DEVELOPERS: [&str; 2] = [o::COMMUNITY, o::USER];

pub fn run(ctx: &Context) -> anyhow::Result<Vec<PathBuf>> {
    let category = Category::Developer(developers::ORG_TYPE.into());
    let table = shares_both_lenses(
        ctx,
        category.clone(),
        TimeBucket::Quarter,
        Window::AllDownloads,
    )?;

    let mut h = ctx.headline(STEM, "Download share by organization type");
    for (lens_name, lens_value) in LENSES {
        let by_period = shares(
            ctx,
            category.clone(),
            TimeBucket::StudyPeriod,
            lens_value,
            Window::AllDownloads,
        )?;
        let community = share_of(&by_period, o::COMMUNITY)?;
        let user = share_of(&by_period, o::USER)?;
        let industry = share_of(&by_period, o::INDUSTRY)?;
        // The direct lens carries the required keys without a suffix.
        let suffix = if lens_value == Attribution::Direct {
            String::new()
        } else {
            format!("_{lens_name}")
        };
        for p in ctx.coverage.headline_periods() {
            let p = p.as_str();
            let label = period_key(p);
            let get =
                |s: &std::collections::BTreeMap<String, f64>| s.get(p).copied().unwrap_or(0.0);
            let what = |who: &str| {
                format!("share of downloads credited to {who} in {p}, {lens_name} lens")
            };
            h.insert_in(
                p,
                &format!("community_user_share_{label}{suffix}"),
                Number::new(
                    get(&community) + get(&user),
                    "share",
                    &what("community organizations and unaffiliated users"),
                )
                .claim("C3"),
            );
            h.insert_in(
                p,
                &format!("community_share_{label}{suffix}"),
                Number::new(get(&community), "share", &what("community organizations")),
            );
            h.insert_in(
                p,
                &format!("user_share_{label}{suffix}"),
                Number::new(get(&user), "share", &what("unaffiliated users")),
            );
            h.insert_in(
                p,
                &format!("industry_share_{label}{suffix}"),
                Number::new(get(&industry), "share", &what("industry")),
            );
        }
    }

    // C3 is decided on the direct lens's change, developers resampled.
    let community = crate::contrast::any_of(
        polars::prelude::col(developers::ORG_TYPE),
        &COMMUNITY_DEVELOPERS,
    );
    let mp = developer_periods(ctx, community, false, Window::AllDownloads)?;
    add_difference(
        ctx,
        &mut h,
        &period_cells(ctx, &mp)?,
        ("community_user_share", "C3", "share"),
        "share of downloads credited to community organizations and unaffiliated users, direct lens",
    );

    let chart = stacked(&lens(&table, "direct")?, &o::ALL)?;
    let fig = ctx.figure(
        "Download share by organization type (direct lens)",
        "Quarter",
        "Share of downloads",
    );
    let mut files = emit(ctx, STEM, &table, &h, &fig, &Chart::StackedShares(chart))?;
    let monthly = explore::monthly_category_downloads(ctx, &category)?;
    files.push(explore::write(ctx, STEM, MONTHLY, &monthly)?);
    Ok(files)
}
