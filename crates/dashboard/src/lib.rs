//! The interactive dashboard: one self-contained HTML file (data, styles
//! and scripts inlined; no network at view time) built only from what the
//! analyses wrote to `figures/`, so the page and the figures can never
//! disagree.
//!
//! [`bundle`] reads the figures' CSVs (checking every cell it uses, with
//! errors that name file, row and column) into the small JSON the page
//! embeds; [`page`] inlines it with `assets/`; [`build`] writes the page
//! atomically. The charts are SVG drawn by `assets/charts.js` (our own
//! code, no charting library).

pub mod error;
pub mod grid;
pub mod shares;
pub mod table;
pub mod views;

use std::path::Path;

use serde_json::{Value, json};

pub use error::{Error, Result};

/// The page's default place, next to the paper.
pub const DEFAULT_OUT: &str = "paper/build/dashboard.html";

/// The views of the page, in tab order (`#view=<key>`).
pub const VIEWS: [&str; 6] = [
    "country",
    "org_type",
    "top_developers",
    "concentration",
    "properties",
    "lineage",
];

/// Everything the page draws, read from the analyses' outputs in `figures`.
pub fn bundle(figures: &Path) -> Result<Value> {
    let share_tables = shares::ShareTables::read(figures)?;
    let months = share_tables.months()?;
    if months.is_empty() {
        return Err(Error::Content {
            file: figures.to_path_buf(),
            message: "no weekly downloads to explore (a single-date listing has none; \
                      the figures and claims say what is not measurable)"
                .into(),
        });
    }
    Ok(json!({
        "overview": overview(figures)?,
        "months": months,
        "shares": share_tables.views(&months)?,
        "search": share_tables.search(&months)?,
        "concentration": views::concentration(figures)?,
        "properties": views::properties(figures)?,
        "lineage": views::lineage(figures)?,
    }))
}

/// Whether the data are synthetic, and the dataset's size (analysis 01).
fn overview(figures: &Path) -> Result<Value> {
    let numbers = hubecon_analyses::claims::Numbers::load(figures).map_err(|e| Error::Content {
        file: figures.to_path_buf(),
        message: format!("{e:#}"),
    })?;
    let get = |key: &str| -> Result<Value> {
        numbers
            .get(key)
            .map(|v| grid::num(Some(v)))
            .ok_or_else(|| Error::Missing {
                file: figures.join(format!("{}.json (number `{key}`)", &key[..2])),
            })
    };
    Ok(json!({
        "synthetic": numbers.synthetic,
        "span": numbers.coverage_text(),
        "models": get("01.models")?,
        "downloads": get("01.downloads_total")?,
        "developers": get("01.developers")?,
    }))
}

const TEMPLATE: &str = include_str!("../assets/dashboard.html");
const STYLE: &str = include_str!("../assets/dashboard.css");
const CHARTS: &str = include_str!("../assets/charts.js");
const SCRIPT: &str = include_str!("../assets/dashboard.js");
const SELFTEST: &str = include_str!("../assets/selftest.js");

/// The page: the template with the styles, the scripts and the data
/// inlined. Every `<` of the data is escaped, so no value can end the
/// script element that holds it.
pub fn page(bundle: &Value) -> String {
    let data = bundle.to_string().replace('<', "\\u003c");
    TEMPLATE
        .replace("/*STYLE*/", STYLE)
        .replace("/*CHARTS*/", CHARTS)
        .replace("/*DASHBOARD*/", SCRIPT)
        .replace("/*SELFTEST*/", SELFTEST)
        .replace("\"__DATA__\"", &data)
}

/// What [`build`] wrote.
pub struct Built {
    pub bytes: usize,
}

/// Reads `figures`, writes the page to `out` (atomically: a failed build
/// leaves the previous page as it was).
pub fn build(figures: &Path, out: &Path) -> Result<Built> {
    let html = page(&bundle(figures)?);
    hubecon_analyses::output::write_atomic(out, html.as_bytes()).map_err(|e| Error::Write {
        file: out.to_path_buf(),
        message: format!("{e:#}"),
    })?;
    Ok(Built { bytes: html.len() })
}
