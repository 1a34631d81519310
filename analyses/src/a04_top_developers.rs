//! 04 The top developers over time (C2, C5): the download share, by quarter,
//! of Google, Meta and OpenAI, of the other US industry labs, of DeepSeek,
//! Qwen and the other Chinese industry labs, of unaffiliated users and of
//! everyone else, in the direct lens (credited to the uploader) and the
//! derived lens (credited to the developer of the model's family root); the
//! figure stacks the direct lens. A named lab is its Hub namespaces, legacy
//! namespaces included ([`LABS`]); the other groups come from the developer
//! annotations (org type, country group) of the credited developer. For the
//! dashboard, also the groups by month in both lenses and both windows, and
//! the monthly downloads of the top credited developers.

use std::path::PathBuf;

use hubecon_ingest::schema::{country_group as g, developers as d, org_type as o};
use hubecon_plot::{Chart, Rgb, palette};
use hubecon_stats::{Attribution, Category, ShareSpec, TimeBucket, Window};
use polars::prelude::*;

use crate::common::{LENSES, developer_periods, lens, period_key, share_of, shares, stacked};
use crate::context::Context;
use crate::contrast::{add_difference, period_cells};
use crate::emit::emit;
use crate::explore;
use crate::output::Number;

pub const STEM: &str = "04_top_developers";
/// The monthly downloads by developer group in both lenses and windows
/// (`04_top_developers_monthly.csv`, for the dashboard).
pub const MONTHLY: &str = "monthly";
/// The monthly downloads of the top credited developers
/// (`04_top_developers_developers.csv`, the dashboard's search).
pub const DEVELOPERS: &str = "developers";

/// The column of the developer group (added to the developers table).
const GROUP: &str = "developer_group";

pub const GOOGLE: &str = "Google";
pub const META: &str = "Meta";
pub const OPENAI: &str = "OpenAI";
pub const OTHER_US: &str = "Other US industry";
pub const DEEPSEEK: &str = "DeepSeek";
pub const QWEN: &str = "Qwen";
pub const OTHER_CHINA: &str = "Other Chinese industry";
pub const USERS: &str = "Unaffiliated users";
pub const EVERYONE_ELSE: &str = "Everyone else";

/// The named labs and their Hub namespaces (see the notes of
/// `data/annotations/developers.csv`): legacy namespaces that hold a lab's
/// checkpoints formerly at canonical ids count for the lab. "Qwen" is the
/// Qwen namespace only; Alibaba's other namespaces (GTE embeddings, Wan,
/// ...) are in "Other Chinese industry".
pub const LABS: [(&str, &[&str]); 5] = [
    (GOOGLE, &["google", "google-bert", "google-t5", "albert"]),
    (META, &["meta-llama", "facebook", "FacebookAI", "codellama"]),
    (OPENAI, &["openai", "openai-community"]),
    (DEEPSEEK, &["deepseek-ai"]),
    (QWEN, &["Qwen"]),
];

/// Every group, bottom layer of the figure first.
pub const GROUPS: [&str; 9] = [
    GOOGLE,
    META,
    OPENAI,
    OTHER_US,
    DEEPSEEK,
    QWEN,
    OTHER_CHINA,
    USERS,
    EVERYONE_ELSE,
];

/// The groups of the headline sums, with their key stem and claim.
const SUMS: [(&str, &[&str], &str, &str); 4] = [
    (
        "us_big3",
        &[GOOGLE, META, OPENAI],
        "Google, Meta and OpenAI",
        "C2",
    ),
    (
        "us_industry",
        &[GOOGLE, META, OPENAI, OTHER_US],
        "US industry",
        "C2",
    ),
    (
        "deepseek_qwen",
        &[DEEPSEEK, QWEN],
        "DeepSeek and Qwen",
        "C5",
    ),
    (
        "chinese_industry",
        &[DEEPSEEK, QWEN, OTHER_CHINA],
        "Chinese industry",
        "C5",
    ),
];

pub fn run(ctx: &Context) -> anyhow::Result<Vec<PathBuf>> {
    let all = Window::AllDownloads;
    let direct = group_shares(ctx, TimeBucket::Quarter, Attribution::Direct, all)?;
    let table = direct.vstack(&group_shares(
        ctx,
        TimeBucket::Quarter,
        Attribution::Derived,
        all,
    )?)?;

    let mut h = ctx.headline(STEM, "The top developers over time");
    for (lens_name, lens_value) in LENSES {
        let by_period = group_shares(ctx, TimeBucket::StudyPeriod, lens_value, all)?;
        // The direct lens carries the required keys without a suffix.
        let suffix = if lens_value == Attribution::Direct {
            String::new()
        } else {
            format!("_{lens_name}")
        };
        for (stem, members, who, claim) in SUMS {
            let shares = members
                .iter()
                .map(|m| share_of(&by_period, m))
                .collect::<anyhow::Result<Vec<_>>>()?;
            for p in ctx.coverage.headline_periods() {
                let p = p.as_str();
                let label = period_key(p);
                let sum: f64 = shares
                    .iter()
                    .map(|s| s.get(p).copied().unwrap_or(0.0))
                    .sum();
                let what = format!("share of downloads credited to {who} in {p}, {lens_name} lens");
                h.insert_in(
                    p,
                    &format!("{stem}_share_{label}{suffix}"),
                    Number::new(sum, "share", &what).claim(claim),
                );
            }
        }
    }

    // C2 and C5 are decided on the direct lens's changes, developers resampled.
    for (stem, members, who, claim) in SUMS {
        let member = crate::contrast::any_of(group_expr(), members);
        let mp = developer_periods(ctx, member, false, Window::AllDownloads)?;
        add_difference(
            ctx,
            &mut h,
            &period_cells(ctx, &mp)?,
            (&format!("{stem}_share"), claim, "share"),
            &format!("share of downloads credited to {who}, direct lens"),
        );
    }

    let mut chart = stacked(&lens(&table, "direct")?, &GROUPS)?;
    for layer in &mut chart.layers {
        layer.colour = Some(colour(&layer.name));
    }
    let fig = ctx.figure(
        "Download share of the top developers (direct lens)",
        "Quarter",
        "Share of downloads",
    );
    let mut files = emit(ctx, STEM, &table, &h, &fig, &Chart::StackedShares(chart))?;
    let monthly = explore::monthly_downloads(|lens, window| {
        group_shares(ctx, TimeBucket::Month, lens, window)
    })?;
    files.push(explore::write(ctx, STEM, MONTHLY, &monthly)?);
    files.push(explore::write(
        ctx,
        STEM,
        DEVELOPERS,
        &developer_series(ctx)?,
    )?);
    Ok(files)
}

/// Monthly downloads of the [`explore::TOP_SERIES`] credited developers with
/// the most downloads in each lens and window: `bucket`, `developer`,
/// `downloads`, `attribution`, `window`.
pub fn developer_series(ctx: &Context) -> anyhow::Result<DataFrame> {
    let monthly = explore::monthly_downloads(|lens, window| {
        shares(
            ctx,
            Category::CreditedDeveloper,
            TimeBucket::Month,
            lens,
            window,
        )
    })?;
    explore::top_categories(&monthly, explore::TOP_SERIES, "developer")
}

/// Download shares of the developer groups per `bucket` in one lens and
/// window; a credited developer missing from the developers table is
/// "Everyone else".
pub fn group_shares(
    ctx: &Context,
    bucket: TimeBucket,
    lens: Attribution,
    window: Window,
) -> anyhow::Result<DataFrame> {
    let mut spec = ShareSpec::new(Category::Developer(GROUP.into()), bucket);
    spec.attribution = lens;
    spec.window = window;
    spec.unknown_label = EVERYONE_ELSE.into();
    let developers = ctx.developers().with_column(group_expr().alias(GROUP));
    crate::common::numbered_share(ctx, ctx.numbered_models()?, Some(developers), spec)
}

/// The developer group of a row of the developers table: a named lab by
/// namespace, else by org type and country group.
pub fn group_expr() -> Expr {
    let industry = col(d::ORG_TYPE).eq(lit(o::INDUSTRY));
    let in_country = |c: &str| industry.clone().and(col(d::COUNTRY_GROUP).eq(lit(c)));
    let by_annotation = when(in_country(g::USA))
        .then(lit(OTHER_US))
        .when(in_country(g::CHINA))
        .then(lit(OTHER_CHINA))
        .when(col(d::ORG_TYPE).eq(lit(o::USER)))
        .then(lit(USERS))
        .otherwise(lit(EVERYONE_ELSE));
    LABS.iter()
        .rev()
        .fold(by_annotation, |rest, (lab, namespaces)| {
            let named = namespaces
                .iter()
                .fold(lit(false), |any, ns| any.or(col(d::AUTHOR).eq(lit(*ns))));
            when(named).then(lit(*lab)).otherwise(rest)
        })
}

/// The fixed colour of a group: US labs in blues and green, Chinese labs in
/// reds and yellow, users in the "user" purple, everyone else grey.
pub fn colour(group: &str) -> Rgb {
    match group {
        GOOGLE => palette::BLUE,
        META => palette::SKY_BLUE,
        OPENAI => palette::GREEN,
        OTHER_US => palette::BLACK,
        DEEPSEEK => palette::VERMILLION,
        QWEN => palette::ORANGE,
        OTHER_CHINA => palette::YELLOW,
        USERS => palette::PURPLE,
        _ => palette::GREY,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_frames::date_column;

    fn groups_of(rows: &[(&str, &str, &str)]) -> Vec<String> {
        let df = df!(
            d::AUTHOR => rows.iter().map(|r| r.0).collect::<Vec<_>>(),
            d::ORG_TYPE => rows.iter().map(|r| r.1).collect::<Vec<_>>(),
            d::COUNTRY_GROUP => rows.iter().map(|r| r.2).collect::<Vec<_>>(),
        )
        .unwrap();
        let out = df
            .lazy()
            .select([group_expr().alias(GROUP)])
            .collect()
            .unwrap();
        out.column(GROUP)
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .map(|s| s.unwrap().to_string())
            .collect()
    }

    #[test]
    fn named_labs_win_over_annotations_and_legacy_namespaces_count() {
        let got = groups_of(&[
            ("google-bert", "industry", "USA"),
            ("FacebookAI", "industry", "USA"),
            ("openai-community", "industry", "USA"),
            ("Qwen", "industry", "China"),
            ("Alibaba-NLP", "industry", "China"),
            ("nvidia", "industry", "USA"),
            ("some-user", "user", "User"),
            ("EleutherAI", "nonprofit", "USA"),
            ("mistralai", "industry", "Europe"),
            ("qwen", "industry", "China"),
        ]);
        let want = [
            GOOGLE,
            META,
            OPENAI,
            QWEN,
            OTHER_CHINA,
            OTHER_US,
            USERS,
            EVERYONE_ELSE,
            EVERYONE_ELSE,
            OTHER_CHINA,
        ];
        assert_eq!(got, want);
    }

    /// A dataset of four models downloaded in one week of 2025: Google's,
    /// Qwen's, a user's finetune of Qwen's and a US startup's.
    fn tiny() -> Context {
        let models = DataFrame::new_infer_height(vec![
            Column::new("model_id".into(), ["google/g", "Qwen/q", "u1/f", "acme/a"]),
            Column::new("author".into(), ["google", "Qwen", "u1", "acme"]),
            Column::new("derived_author".into(), ["google", "Qwen", "Qwen", "acme"]),
            date_column("created_at", &["2025-01-06"; 4]),
        ])
        .unwrap();
        let downloads = DataFrame::new_infer_height(vec![
            Column::new("model_id".into(), ["google/g", "Qwen/q", "u1/f", "acme/a"]),
            date_column("week", &["2025-03-03"; 4]),
            Column::new("downloads".into(), [10u64, 20, 30, 40]),
        ])
        .unwrap();
        let developers = df!(
            d::AUTHOR => ["google", "Qwen", "u1", "acme"],
            d::ORG_TYPE => ["industry", "industry", "user", "industry"],
            d::COUNTRY_GROUP => ["USA", "China", "User", "USA"],
        )
        .unwrap();
        Context::from_frames(models, downloads, developers, &PathBuf::new())
    }

    #[test]
    fn the_derived_lens_credits_a_finetune_to_its_root_lab() {
        let ctx = tiny();
        let share = |lens, group| {
            let df =
                group_shares(&ctx, TimeBucket::StudyPeriod, lens, Window::AllDownloads).unwrap();
            share_of(&df, group)
                .unwrap()
                .get("2025")
                .copied()
                .unwrap_or(0.0)
        };
        assert!((share(Attribution::Direct, QWEN) - 0.2).abs() < 1e-12);
        assert!((share(Attribution::Direct, USERS) - 0.3).abs() < 1e-12);
        assert!((share(Attribution::Derived, QWEN) - 0.5).abs() < 1e-12);
        assert_eq!(share(Attribution::Derived, USERS), 0.0);
        assert!((share(Attribution::Derived, GOOGLE) - 0.1).abs() < 1e-12);
        assert!((share(Attribution::Derived, OTHER_US) - 0.4).abs() < 1e-12);
    }

    #[test]
    fn every_group_has_its_own_colour() {
        let mut colours: Vec<_> = GROUPS.iter().map(|g| colour(g).hex()).collect();
        colours.sort();
        colours.dedup();
        assert_eq!(colours.len(), GROUPS.len());
    }
}
