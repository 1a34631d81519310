//! 13 Significance: every test of analyses 03-12 in one table, read from
//! their `NN_slug.json` in the output directory (they run before 13), with
//! Benjamini-Hochberg adjusted p-values over all tests together (false
//! discovery rate 0.05). The figure: -log10 of the adjusted p-value of each
//! test, grouped by analysis, with a line at q = 0.05 (q below 1e-16 drawn
//! at 16). Tests whose p-value could not be computed (null) stay in the
//! table without an adjusted value and are left out of the adjustment.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use hubecon_plot::{Chart, DotPlot, DotRow, ValueAxis};
use hubecon_stats::benjamini_hochberg;
use polars::prelude::*;
use serde::Deserialize;

use crate::context::Context;
use crate::emit::emit;
use crate::output::Number;
use crate::registry::{ANALYSES, Analysis};

pub const STEM: &str = "13_significance";
/// The false discovery rate at which a test counts as significant.
pub const FDR: f64 = 0.05;
/// Adjusted p-values below this are drawn at `-log10(P_FLOOR)`.
pub const P_FLOOR: f64 = 1e-16;

/// One test as an analysis wrote it (numbers that were not finite are null).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Record {
    pub key: String,
    #[serde(default)]
    pub claim: Option<String>,
    pub comparison: String,
    pub test: String,
    pub statistic_name: String,
    pub statistic: Option<f64>,
    pub df: Option<f64>,
    pub p_value: Option<f64>,
    pub effect_size_name: String,
    pub effect_size: Option<f64>,
    pub n: Option<f64>,
}

#[derive(Deserialize)]
struct TestsFile {
    tests: Vec<Record>,
}

pub fn run(ctx: &Context) -> anyhow::Result<Vec<PathBuf>> {
    // No test at all (a single-date listing) is a result: an empty table
    // and a figure that says so.
    let records = gather(&ctx.out)?;
    let table = test_table(&records)?;
    let significant = table
        .column("significant_bh_0_05")?
        .bool()?
        .sum()
        .unwrap_or(0);

    let mut h = ctx.headline(STEM, "Every significance test of analyses 03-12");
    h.insert(
        "n_tests",
        Number::new(
            records.len() as f64,
            "count",
            "significance tests reported by analyses 03-12",
        ),
    );
    h.insert(
        "n_significant_bh",
        Number::new(
            f64::from(significant),
            "count",
            "tests significant at a Benjamini-Hochberg false discovery rate of 0.05",
        ),
    );
    let untestable = records
        .iter()
        .filter(|(_, r)| valid_p(r.p_value).is_none())
        .count();
    h.insert(
        "n_tests_without_p",
        Number::new(
            untestable as f64,
            "count",
            "tests whose p-value could not be computed (left out of the adjustment)",
        ),
    );

    let plot = dot_plot(&table)?;
    let height = (180 + 34 * plot.rows.len() as u32).max(hubecon_plot::DEFAULT_HEIGHT);
    let fig = ctx
        .figure(
            "Significance of every test, analyses 03-12",
            "-log10 of the Benjamini-Hochberg adjusted p-value (line: q = 0.05)",
            "Test",
        )
        .with_size(hubecon_plot::DEFAULT_WIDTH, height);
    emit(ctx, STEM, &table, &h, &fig, &Chart::DotPlot(plot))
}

/// The analyses whose tests 13 gathers (03 to 12, in registry order).
pub fn sources() -> impl Iterator<Item = &'static Analysis> {
    ANALYSES.iter().filter(|a| ("03"..="12").contains(&a.id))
}

/// Every test in `dir/NN_slug.json` of analyses 03-12, as (analysis stem,
/// test), sorted by analysis then key. A missing file is an error that
/// names it and the analysis to run first.
pub fn gather(dir: &Path) -> anyhow::Result<Vec<(String, Record)>> {
    let mut out = Vec::new();
    for a in sources() {
        let path = dir.join(format!("{}.json", a.stem));
        if !path.exists() {
            anyhow::bail!(
                "{} is missing: run analysis {} ({}) first, with the same --out",
                path.display(),
                a.id,
                a.stem
            );
        }
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        let file: TestsFile = serde_json::from_str(&text)
            .with_context(|| format!("reading the tests of {}", path.display()))?;
        out.extend(file.tests.into_iter().map(|r| (a.stem.to_string(), r)));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.key.cmp(&b.1.key)));
    Ok(out)
}

/// A p-value that can enter the adjustment.
fn valid_p(p: Option<f64>) -> Option<f64> {
    p.filter(|p| (0.0..=1.0).contains(p))
}

/// Benjamini-Hochberg adjusted p-values over the tests with a valid p-value
/// (null for the others), in the order of `records`.
pub fn adjusted(records: &[(String, Record)]) -> anyhow::Result<Vec<Option<f64>>> {
    let valid: Vec<f64> = records
        .iter()
        .filter_map(|(_, r)| valid_p(r.p_value))
        .collect();
    let mut q = if valid.is_empty() {
        Vec::new()
    } else {
        benjamini_hochberg(&valid)?
    }
    .into_iter();
    Ok(records
        .iter()
        .map(|(_, r)| valid_p(r.p_value).and_then(|_| q.next()))
        .collect())
}

/// The table of all tests (one row per test, in the order of `records`).
pub fn test_table(records: &[(String, Record)]) -> anyhow::Result<DataFrame> {
    let q = adjusted(records)?;
    let text = |f: fn(&Record) -> &str| {
        records
            .iter()
            .map(|(_, r)| f(r).to_string())
            .collect::<Vec<_>>()
    };
    let num = |f: fn(&Record) -> Option<f64>| records.iter().map(|(_, r)| f(r)).collect::<Vec<_>>();
    Ok(df!(
        "analysis" => records.iter().map(|(a, _)| a.clone()).collect::<Vec<_>>(),
        "key" => text(|r| &r.key),
        "claim" => records.iter().map(|(_, r)| r.claim.clone()).collect::<Vec<_>>(),
        "comparison" => text(|r| &r.comparison),
        "test" => text(|r| &r.test),
        "statistic_name" => text(|r| &r.statistic_name),
        "statistic" => num(|r| r.statistic),
        "df" => num(|r| r.df),
        "p_value" => num(|r| r.p_value),
        "p_adjusted_bh" => q.clone(),
        "effect_size_name" => text(|r| &r.effect_size_name),
        "effect_size" => num(|r| r.effect_size),
        "n" => num(|r| r.n),
        "significant_bh_0_05" => q.iter().map(|q| q.map(|q| q <= FDR)).collect::<Vec<_>>(),
    )?)
}

/// One row per test with an adjusted p-value: `-log10 q`, grouped by
/// analysis, noted with q and the effect size.
pub fn dot_plot(table: &DataFrame) -> anyhow::Result<DotPlot> {
    let analysis = table.column("analysis")?.str()?;
    let key = table.column("key")?.str()?;
    let q = table.column("p_adjusted_bh")?.f64()?;
    let effect = table.column("effect_size")?.f64()?;
    let mut plot =
        DotPlot::new(ValueAxis::linear().including(0.0, 0.0)).with_reference(-FDR.log10());
    for i in 0..table.height() {
        let (Some(a), Some(k), Some(q)) = (analysis.get(i), key.get(i), q.get(i)) else {
            continue;
        };
        let value = -q.max(P_FLOOR).log10();
        let note = match effect.get(i) {
            Some(e) => format!("q {}, effect {}", short(q), short(e)),
            None => format!("q {}", short(q)),
        };
        plot = plot.with_row(DotRow::new(k, value).in_group(a).with_note(note));
    }
    Ok(plot)
}

/// A number in three significant digits, scientific when small or large.
fn short(x: f64) -> String {
    if x == 0.0 {
        "0".into()
    } else if x < P_FLOOR && x > 0.0 {
        format!("< {P_FLOOR:.0e}")
    } else if x.abs() < 1e-3 || x.abs() >= 1e4 {
        format!("{x:.2e}")
    } else {
        format!("{x:.3}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(key: &str, p: Option<f64>, effect: f64) -> serde_json::Value {
        serde_json::json!({
            "key": key, "claim": "C8", "comparison": "a vs b", "test": "two-proportion z test",
            "statistic_name": "z", "statistic": 2.0, "df": null, "p_value": p,
            "effect_size_name": "Cohen's h", "effect_size": effect, "n": 100.0
        })
    }

    /// Writes the JSON of every source analysis to `dir`, with the tests given for some.
    fn fixture(dir: &Path, tests: &[(&str, Vec<serde_json::Value>)], skip: Option<&str>) {
        for a in sources() {
            if Some(a.stem) == skip {
                continue;
            }
            let mine = tests
                .iter()
                .find(|(s, _)| *s == a.stem)
                .map(|(_, t)| t.clone())
                .unwrap_or_default();
            let json = serde_json::json!({"analysis": a.stem, "title": "t", "claims": [], "synthetic": true, "numbers": {}, "tests": mine});
            std::fs::write(dir.join(format!("{}.json", a.stem)), json.to_string()).unwrap();
        }
    }

    #[test]
    fn gathers_sorted_tests_and_adjusts_over_all_of_them() {
        let dir = tempfile::tempdir().unwrap();
        let tests = [
            (
                "08_model_properties",
                vec![
                    record("z_last", Some(0.04), 0.2),
                    record("a_first", Some(0.01), 0.5),
                ],
            ),
            ("07_model_size", vec![record("size", Some(0.03), 0.1)]),
            (
                "12_intermediaries",
                vec![record("trend", None, 0.0), record("other", Some(0.5), 0.0)],
            ),
        ];
        fixture(dir.path(), &tests, None);
        let records = gather(dir.path()).unwrap();
        let order: Vec<_> = records
            .iter()
            .map(|(a, r)| format!("{a}/{}", r.key))
            .collect();
        assert_eq!(
            order,
            [
                "07_model_size/size",
                "08_model_properties/a_first",
                "08_model_properties/z_last",
                "12_intermediaries/other",
                "12_intermediaries/trend"
            ]
        );
        // Four valid p-values 0.03, 0.01, 0.04, 0.5 (m = 4): sorted 0.01, 0.03, 0.04, 0.5
        // give 4p/rank = 0.04, 0.06, 0.0533.., 0.5, and the running minimum from the top
        // makes q = 0.0533.. (0.03), 0.04 (0.01), 0.0533.. (0.04), 0.5.
        let table = test_table(&records).unwrap();
        let q: Vec<Option<f64>> = table
            .column("p_adjusted_bh")
            .unwrap()
            .f64()
            .unwrap()
            .iter()
            .collect();
        let close = |a: Option<f64>, b: f64| (a.unwrap() - b).abs() < 1e-12;
        assert!(
            close(q[0], 0.16 / 3.0)
                && close(q[1], 0.04)
                && close(q[2], 0.16 / 3.0)
                && close(q[3], 0.5)
        );
        assert_eq!(q[4], None);
        let sig: Vec<Option<bool>> = table
            .column("significant_bh_0_05")
            .unwrap()
            .bool()
            .unwrap()
            .iter()
            .collect();
        assert_eq!(
            sig,
            [Some(false), Some(true), Some(false), Some(false), None]
        );
        assert_eq!(
            table.column("claim").unwrap().str().unwrap().get(0),
            Some("C8")
        );
        let plot = dot_plot(&table).unwrap();
        assert_eq!(plot.rows.len(), 4);
        assert!((plot.rows[1].value - (-(0.04f64).log10())).abs() < 1e-12);
        assert_eq!(plot.rows[0].group.as_deref(), Some("07_model_size"));
    }

    #[test]
    fn a_missing_output_names_the_analysis_to_run_first() {
        let dir = tempfile::tempdir().unwrap();
        fixture(dir.path(), &[], Some("09_openness"));
        let err = gather(dir.path()).unwrap_err().to_string();
        assert!(err.contains("09_openness.json is missing"), "{err}");
        assert!(err.contains("run analysis 09"), "{err}");
    }

    #[test]
    fn a_p_value_of_zero_is_drawn_at_the_floor() {
        let dir = tempfile::tempdir().unwrap();
        fixture(
            dir.path(),
            &[("05_concentration", vec![record("hhi", Some(0.0), 1.0)])],
            None,
        );
        let table = test_table(&gather(dir.path()).unwrap()).unwrap();
        let plot = dot_plot(&table).unwrap();
        assert!((plot.rows[0].value - 16.0).abs() < 1e-12);
        assert_eq!(plot.rows[0].note.as_deref(), Some("q 0, effect 1.000"));
    }
}
