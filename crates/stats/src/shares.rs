//! Who captures downloads: the share of any category over time.
//!
//! [`download_share`] joins weekly downloads to models (and, for a developer
//! attribute, to developers), credits each download to a developer under an
//! attribution lens, keeps the downloads inside a window, buckets the weeks,
//! and reports per (bucket, category) both the download-weighted share and
//! the model-count share. A missing category (a null attribute, a developer
//! absent from the developers table, a model absent from the models table)
//! is reported as its own category, `Unknown` by default, never dropped.

use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::buckets::TimeBucket;
use crate::category_totals::{TotalsColumns, category_totals};
use crate::error::{Result, invalid};
use crate::frames::{check_unique_key, require_columns};
use crate::number_join::{NumberJoin, join_on_number};
use crate::text_codes::OrderedCodes;

/// Length of the paper's "new models" window, in days.
pub const FIRST_YEAR_DAYS: i32 = 365;

/// The label of a missing category, unless [`ShareSpec::unknown_label`] says otherwise.
pub const UNKNOWN: &str = "Unknown";

/// Whom a model's downloads are credited to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Attribution {
    /// The uploader: the model's `author`.
    #[default]
    Direct,
    /// The developer of the model's family root: `derived_author`, or the
    /// model's own `author` where `derived_author` is null (a model with no
    /// known root is its own root).
    Derived,
}

/// Which downloads count.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Window {
    /// Every week of downloads.
    #[default]
    AllDownloads,
    /// Only weeks whose start is before `created_at + 365 days` (the
    /// paper's "new models" one-year window). Downloads of a model whose
    /// `created_at` is unknown (or that is absent from the models table) are
    /// outside the window.
    FirstYear,
}

impl Window {
    fn name(self) -> &'static str {
        match self {
            Window::AllDownloads => "all_downloads",
            Window::FirstYear => "first_year",
        }
    }
}

impl Attribution {
    fn name(self) -> &'static str {
        match self {
            Attribution::Direct => "direct",
            Attribution::Derived => "derived",
        }
    }
}

/// What the shares are shares of.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "column")]
pub enum Category {
    /// A column of the models frame (modality, `is_moe`, openness, ...);
    /// the attribution lens does not change it.
    Model(String),
    /// A column of the developers frame (org type, country group, ...),
    /// looked up for the credited developer.
    Developer(String),
    /// The credited developer itself.
    CreditedDeveloper,
}

/// The column names of the three input frames.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareColumns {
    /// Downloads frame: model id, week start (Date) and downloads.
    pub model_id: String,
    pub week: String,
    pub downloads: String,
    /// Models frame: model id (same name as above), uploader, root developer, creation date.
    pub author: String,
    pub derived_author: String,
    pub created_at: String,
    /// Developers frame: the developer's name.
    pub developer: String,
}

impl Default for ShareColumns {
    /// The canonical tables' names (`hubecon-ingest`'s schema).
    fn default() -> Self {
        ShareColumns {
            model_id: "model_id".into(),
            week: "week".into(),
            downloads: "downloads".into(),
            author: "author".into(),
            derived_author: "derived_author".into(),
            created_at: "created_at".into(),
            developer: "author".into(),
        }
    }
}

/// Everything [`download_share`] needs besides the frames.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareSpec {
    pub category: Category,
    pub attribution: Attribution,
    pub window: Window,
    /// The time bucket of the download week.
    pub bucket: TimeBucket,
    /// The label of a missing category.
    pub unknown_label: String,
    pub columns: ShareColumns,
}

impl ShareSpec {
    /// Shares of `category` per `bucket`, direct lens, all downloads,
    /// missing categories labelled `Unknown`, canonical column names.
    pub fn new(category: Category, bucket: TimeBucket) -> Self {
        ShareSpec {
            category,
            attribution: Attribution::Direct,
            window: Window::AllDownloads,
            bucket,
            unknown_label: UNKNOWN.into(),
            columns: ShareColumns::default(),
        }
    }
}

/// Names of the columns [`download_share`] writes.
pub mod columns {
    /// The time bucket of the download week (Date or label).
    pub const BUCKET: &str = "bucket";
    /// The category (String; missing ones as the unknown label).
    pub const CATEGORY: &str = "category";
    /// Downloads credited to the category in the bucket (inside the window).
    pub const DOWNLOADS: &str = "downloads";
    /// `downloads / sum of downloads in the bucket`: the download-weighted share.
    pub const DOWNLOAD_SHARE: &str = "download_share";
    /// Distinct models of the category with downloads in the bucket (inside the window).
    pub const DOWNLOADED_MODELS: &str = "downloaded_models";
    /// `downloaded_models / all downloaded models in the bucket`: the
    /// model-count share (each downloaded model counts once, whatever its downloads).
    pub const MODEL_COUNT_SHARE: &str = "model_count_share";
    /// The attribution lens (`direct` or `derived`), same on every row.
    pub const ATTRIBUTION: &str = "attribution";
    /// The window (`all_downloads` or `first_year`), same on every row.
    pub const WINDOW: &str = "window";
}

/// Intermediate columns.
const CREDITED: &str = "__credited_developer";
/// The model's row in the models frame: an integer stand-in for its id.
const MODEL_ROW: &str = "__model_row";
const RAW_CATEGORY: &str = "__category";
const CREATED: &str = "__created_at";
/// The category's code: sorts like its label.
const CATEGORY_CODE: &str = "__category_code";

/// Download share and model-count share of a category per time bucket.
///
/// Inputs: `downloads` (model id, week start, downloads), `models` (model id,
/// author, derived author when the lens is derived, created date when the
/// window is the first year, and the category column when it is a model
/// attribute), and `developers` (developer, category column) when the
/// category is a developer attribute. Model ids must be unique in `models`
/// and developers unique in `developers`.
///
/// Output, one row per (bucket, category), sorted by bucket then category:
/// [`columns::BUCKET`], [`columns::CATEGORY`], [`columns::DOWNLOADS`],
/// [`columns::DOWNLOAD_SHARE`], [`columns::DOWNLOADED_MODELS`],
/// [`columns::MODEL_COUNT_SHARE`], [`columns::ATTRIBUTION`], [`columns::WINDOW`].
/// Both shares sum to 1 within each bucket. Weeks outside every named
/// period form a bucket whose label is null.
pub fn download_share(
    downloads: LazyFrame,
    models: LazyFrame,
    developers: Option<LazyFrame>,
    spec: &ShareSpec,
) -> Result<DataFrame> {
    const WHAT: &str = "download_share";
    let c = &spec.columns;
    let mut credited = credited_models(models, spec)?;
    if let Category::Developer(name) = &spec.category {
        // Looked up once per model, not once per downloaded week.
        let developers = developers
            .ok_or_else(|| invalid(WHAT, "a developer category needs the developers frame"))?;
        credited = credited.left_join(
            developer_categories(developers, &c.developer, name)?,
            col(CREDITED),
            col(CREDITED),
        );
    }
    let mut downloads = downloads;
    require_columns(WHAT, &mut downloads, &[&c.model_id, &c.week, &c.downloads])?;
    let downloads = downloads.select([
        col(&c.model_id),
        col(&c.week),
        col(&c.downloads).cast(DataType::Float64),
    ]);
    let (credited, labels) = with_category_codes(credited, spec)?;
    let unknown_code = labels.unknown_code;
    let mut rows = with_models(downloads, credited.lazy(), &c.model_id)?;
    if spec.window == Window::FirstYear {
        let week = col(&c.week).cast(DataType::Date).cast(DataType::Int32);
        let created = col(CREATED).cast(DataType::Date).cast(DataType::Int32);
        rows = rows.filter(week.lt(created + lit(FIRST_YEAR_DAYS)));
    }
    let bucket = [col(columns::BUCKET)];
    let within_bucket = |e: Expr| e.over(bucket.clone());
    let rows = rows
        .select([
            col(&c.week),
            col(CATEGORY_CODE),
            col(&c.model_id),
            col(MODEL_ROW),
            col(&c.downloads),
        ])
        .collect()?;
    let totals = TotalsColumns {
        week: &c.week,
        code: CATEGORY_CODE,
        model_row: MODEL_ROW,
        model_id: &c.model_id,
        downloads: &c.downloads,
    };
    let grouped = category_totals(&rows, &totals, &spec.bucket, unknown_code)?;
    drop(rows);
    let out = labels
        .attach(grouped)?
        .lazy()
        .with_columns([
            (col(columns::DOWNLOADS) / within_bucket(col(columns::DOWNLOADS).sum())?)
                .alias(columns::DOWNLOAD_SHARE),
            (col(columns::DOWNLOADED_MODELS).cast(DataType::Float64)
                / within_bucket(
                    col(columns::DOWNLOADED_MODELS)
                        .sum()
                        .cast(DataType::Float64),
                )?)
            .alias(columns::MODEL_COUNT_SHARE),
            lit(spec.attribution.name()).alias(columns::ATTRIBUTION),
            lit(spec.window.name()).alias(columns::WINDOW),
        ])
        .sort(
            [columns::BUCKET, CATEGORY_CODE],
            SortMultipleOptions::default().with_nulls_last(true),
        )
        .select([
            col(columns::BUCKET),
            col(columns::CATEGORY),
            col(columns::DOWNLOADS),
            col(columns::DOWNLOAD_SHARE),
            col(columns::DOWNLOADED_MODELS),
            col(columns::MODEL_COUNT_SHARE),
            col(columns::ATTRIBUTION),
            col(columns::WINDOW),
        ])
        .collect()?;
    Ok(out)
}

/// The credited models reduced to what the weekly rows need (model id,
/// row, creation date for the first-year window) and their category's code
/// ([`CATEGORY_CODE`]): its label (text, missing as the unknown label)
/// coded by rank among the labels, the unknown label included. The rows
/// are grouped and sorted on the code, so no string is hashed, compared or
/// copied per downloaded week; the labels are attached to the groups.
fn with_category_codes(
    credited: LazyFrame,
    spec: &ShareSpec,
) -> Result<(DataFrame, CategoryLabels)> {
    let category = match &spec.category {
        Category::CreditedDeveloper => col(CREDITED),
        Category::Model(_) | Category::Developer(_) => col(RAW_CATEGORY),
    };
    let c = &spec.columns;
    let unknown = spec.unknown_label.as_str();
    let mut kept = vec![col(&c.model_id), col(MODEL_ROW)];
    if spec.window == Window::FirstYear {
        kept.push(col(CREATED));
    }
    let mut credited = credited
        .with_column(
            category
                .cast(DataType::String)
                .fill_null(lit(unknown))
                .alias(columns::CATEGORY),
        )
        .collect()?;
    let mut with_unknown = credited.column(columns::CATEGORY)?.str()?.clone();
    with_unknown.append(&StringChunked::from_slice("".into(), &[unknown]))?;
    let ordered = OrderedCodes::of(&with_unknown);
    let models = credited.height();
    let labels = CategoryLabels {
        unknown_code: ordered.codes.get(models).unwrap_or(0),
        labels: StringChunked::from_slice(columns::CATEGORY.into(), &ordered.labels),
    };
    let codes = ordered
        .codes
        .slice(0, models)
        .with_name(CATEGORY_CODE.into());
    credited.with_column(codes.into_column())?;
    kept.push(col(CATEGORY_CODE));
    Ok((credited.lazy().select(kept).collect()?, labels))
}

/// The category labels in code order, and the unknown label's code.
struct CategoryLabels {
    labels: StringChunked,
    unknown_code: u32,
}

impl CategoryLabels {
    /// `grouped` with the label of its [`CATEGORY_CODE`] as [`columns::CATEGORY`].
    fn attach(&self, mut grouped: DataFrame) -> Result<DataFrame> {
        let codes = grouped.column(CATEGORY_CODE)?.u32()?.clone();
        let labels = self.labels.take(&codes.cast(&IDX_DTYPE)?.idx()?.clone())?;
        grouped.with_column(labels.into_column())?;
        Ok(grouped)
    }
}

/// The models frame reduced to: model id, credited developer, creation date
/// (first-year window) and model category (model attribute).
fn credited_models(mut models: LazyFrame, spec: &ShareSpec) -> Result<LazyFrame> {
    const WHAT: &str = "download_share (models)";
    let c = &spec.columns;
    let mut needed = vec![c.model_id.as_str(), c.author.as_str()];
    if spec.attribution == Attribution::Derived {
        needed.push(&c.derived_author);
    }
    if spec.window == Window::FirstYear {
        needed.push(&c.created_at);
    }
    if let Category::Model(name) = &spec.category {
        needed.push(name);
    }
    require_columns(WHAT, &mut models, &needed)?;
    check_unique_key(WHAT, &models, &c.model_id)?;
    let credited = match spec.attribution {
        Attribution::Direct => col(&c.author),
        Attribution::Derived => coalesce(&[col(&c.derived_author), col(&c.author)]),
    };
    let mut select = vec![
        col(&c.model_id),
        col(MODEL_ROW),
        credited.cast(DataType::String).alias(CREDITED),
    ];
    if spec.window == Window::FirstYear {
        select.push(col(&c.created_at).alias(CREATED));
    }
    if let Category::Model(name) = &spec.category {
        select.push(col(name).alias(RAW_CATEGORY));
    }
    Ok(models.with_row_index(MODEL_ROW, None).select(select))
}

/// The download rows with their model's columns (a left join on the model
/// id). On model numbers (UInt32 ids on both sides, as the analyses pass
/// them) the match is found by index ([`join_on_number`]), not by hashing.
fn with_models(
    mut downloads: LazyFrame,
    mut credited: LazyFrame,
    model_id: &str,
) -> Result<LazyFrame> {
    let numbered = |lf: &mut LazyFrame| -> Result<bool> {
        Ok(lf.collect_schema()?.get(model_id) == Some(&DataType::UInt32))
    };
    if numbered(&mut downloads)? && numbered(&mut credited)? {
        let joined = join_on_number(
            &downloads.collect()?,
            &credited.collect()?,
            model_id,
            NumberJoin::Left,
        )?;
        return Ok(joined.lazy());
    }
    Ok(downloads.left_join(credited, col(model_id), col(model_id)))
}

/// The developers frame reduced to: developer (as the credited developer) and category.
fn developer_categories(
    mut developers: LazyFrame,
    developer_col: &str,
    category_col: &str,
) -> Result<LazyFrame> {
    const WHAT: &str = "download_share (developers)";
    require_columns(WHAT, &mut developers, &[developer_col, category_col])?;
    check_unique_key(WHAT, &developers, developer_col)?;
    Ok(developers.select([
        col(developer_col).cast(DataType::String).alias(CREDITED),
        col(category_col).alias(RAW_CATEGORY),
    ]))
}

#[cfg(test)]
#[path = "shares_tests.rs"]
mod tests;
