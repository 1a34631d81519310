//! The share views (country group, organization type, top developers) and
//! the search (developers, family roots): monthly downloads per category in
//! every lens and window, which the page sums into the chosen bucket and
//! divides by the bucket's total. Downloads are additive, so a quarter or a
//! year is exact.

use std::collections::BTreeSet;
use std::path::Path;

use hubecon_analyses::{a02_country_shares as a02, a03_org_type_shares as a03};
use hubecon_analyses::{a04_top_developers as a04, a05_concentration as a05, explore};
use hubecon_ingest::schema::{country_group, org_type};
use hubecon_plot::Rgb;
use serde_json::{Map, Value, json};

use crate::error::Result;
use crate::grid::{Cells, all_rows, colours, grid, ordered, rows_json, rows_where, zero_filled};
use crate::table::Table;

/// The lenses and windows, as the analyses name them.
pub const LENSES: [&str; 2] = ["direct", "derived"];
pub const WINDOWS: [&str; 2] = ["all_downloads", "first_year"];

/// One share view: its key in the page, the analysis file, the title, the
/// category order and the explicit colours of the figure.
struct ShareView {
    key: &'static str,
    stem: &'static str,
    what: &'static str,
    title: &'static str,
    order: &'static [&'static str],
    colour: fn(&str) -> Option<Rgb>,
}

fn no_colour(_: &str) -> Option<Rgb> {
    None
}

fn group_colour(group: &str) -> Option<Rgb> {
    Some(a04::colour(group))
}

const VIEWS: [ShareView; 3] = [
    ShareView {
        key: "country",
        stem: a02::STEM,
        what: a02::MONTHLY,
        title: "Download share by developer country group",
        order: &country_group::ALL,
        colour: no_colour,
    },
    ShareView {
        key: "org_type",
        stem: a03::STEM,
        what: a03::MONTHLY,
        title: "Download share by organization type",
        order: &org_type::ALL,
        colour: no_colour,
    },
    ShareView {
        key: "top_developers",
        stem: a04::STEM,
        what: a04::MONTHLY,
        title: "Download share of the top developers",
        order: &a04::GROUPS,
        colour: group_colour,
    },
];

const SHARE_COLUMNS: [&str; 5] = ["bucket", "category", "downloads", "attribution", "window"];

/// The monthly tables of the share views, read and checked.
pub struct ShareTables {
    tables: Vec<Table>,
    developers: Table,
    families: Table,
}

impl ShareTables {
    pub fn read(figures: &Path) -> Result<Self> {
        let tables = VIEWS
            .iter()
            .map(|v| Table::read(figures, &explore::file_name(v.stem, v.what), &SHARE_COLUMNS))
            .collect::<Result<Vec<_>>>()?;
        let developers = Table::read(
            figures,
            &explore::file_name(a04::STEM, a04::DEVELOPERS),
            &["bucket", "developer", "downloads", "attribution", "window"],
        )?;
        let families = Table::read(
            figures,
            &explore::file_name(a05::STEM, a05::FAMILIES),
            &["bucket", "family_root", "downloads", "window"],
        )?;
        Ok(Self {
            tables,
            developers,
            families,
        })
    }

    /// Every month of every table, in order: the page's time axis.
    pub fn months(&self) -> Result<Vec<String>> {
        let mut months = BTreeSet::new();
        for t in self.tables.iter().chain([&self.developers, &self.families]) {
            for r in 0..t.len() {
                months.insert(t.date(r, "bucket")?.to_string());
            }
        }
        Ok(months.into_iter().collect())
    }

    /// The three share views.
    pub fn views(&self, months: &[String]) -> Result<Value> {
        let mut out = Map::new();
        for (view, t) in VIEWS.iter().zip(&self.tables) {
            out.insert(view.key.into(), share_view(view, t, months)?);
        }
        Ok(Value::Object(out))
    }

    /// The search: the top developers (per lens and window) and family
    /// roots (per window), monthly downloads.
    pub fn search(&self, months: &[String]) -> Result<Value> {
        let developers = series(&self.developers, "developer", months, true)?;
        let families = series(&self.families, "family_root", months, false)?;
        Ok(json!({
            "developers": developers,
            "families": families,
            "files": [self.developers.file.file_name().map(|f| f.to_string_lossy()),
                      self.families.file.file_name().map(|f| f.to_string_lossy())],
        }))
    }
}

/// Checks the lens and window of every row.
fn check_lenses(t: &Table, with_lens: bool) -> Result<()> {
    for r in 0..t.len() {
        if with_lens {
            t.one_of(r, "attribution", &LENSES)?;
        }
        t.one_of(r, "window", &WINDOWS)?;
        t.number(r, "downloads")?;
    }
    Ok(())
}

fn share_view(view: &ShareView, t: &Table, months: &[String]) -> Result<Value> {
    check_lenses(t, true)?;
    if t.is_empty() {
        return Err(t.content("no rows: the analysis found no downloads"));
    }
    let categories = ordered(t, &all_rows(t), "category", view.order)?;
    let mut series = Map::new();
    for lens in LENSES {
        for window in WINDOWS {
            let rows: Vec<usize> = rows_where(t, "attribution", lens)?
                .into_iter()
                .filter(|&r| t.text(r, "window").is_ok_and(|w| w == window))
                .collect();
            let cells = Cells {
                bucket: "bucket",
                category: "category",
                value: "downloads",
            };
            let g = zero_filled(grid(t, &rows, &cells, months, &categories)?);
            series.insert(format!("{lens}/{window}"), rows_json(&g));
        }
    }
    Ok(json!({
        "title": view.title,
        "file": t.file.file_name().map(|f| f.to_string_lossy()),
        "categories": categories,
        "colours": colours(&categories, view.colour),
        "downloads": series,
    }))
}

/// `{"names": [...], "downloads": {"lens/window" or "window": {name: [monthly]}}}`.
fn series(t: &Table, key: &str, months: &[String], with_lens: bool) -> Result<Value> {
    check_lenses(t, with_lens)?;
    let mut names = BTreeSet::new();
    let mut by_slice: Map<String, Value> = Map::new();
    let lenses: &[&str] = if with_lens { &LENSES } else { &[""] };
    for lens in lenses {
        for window in WINDOWS {
            let rows: Vec<usize> = (0..t.len())
                .filter(|&r| {
                    t.text(r, "window").is_ok_and(|w| w == window)
                        && (!with_lens || t.text(r, "attribution").is_ok_and(|l| l == *lens))
                })
                .collect();
            let slice_names = crate::grid::distinct(t, &rows, key)?;
            let cells = Cells {
                bucket: "bucket",
                category: key,
                value: "downloads",
            };
            let g = zero_filled(grid(t, &rows, &cells, months, &slice_names)?);
            let mut m = Map::new();
            for (name, row) in slice_names.iter().zip(g) {
                m.insert(name.clone(), rows_json(&[row])[0].clone());
                names.insert(name.clone());
            }
            let slice = if with_lens {
                format!("{lens}/{window}")
            } else {
                window.to_string()
            };
            by_slice.insert(slice, Value::Object(m));
        }
    }
    Ok(json!({ "names": names, "downloads": by_slice }))
}
