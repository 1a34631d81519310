//! The dashboard on a small synthetic study (synth -> prepare -> every
//! analysis -> dashboard, once per test run): the numbers it embeds and
//! shows are the analysis files', its page works in headless Chromium
//! (every view, every control, hover, search, CSV; no console error;
//! a screenshot of each view), bad input is named, and the page stays
//! small whatever the number of models.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use hubecon_analyses::{Context, registry};
use hubecon_dashboard::table::Table;
use hubecon_ingest::{FormatChoice, PrepareOptions, Silent, finish, read_inputs, write_dataset};
use serde_json::Value;

/// Models of the small study: enough for every view to have data.
const MODELS: usize = 3000;

struct Study {
    figures: PathBuf,
    page: PathBuf,
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn study() -> &'static Study {
    static STUDY: OnceLock<Study> = OnceLock::new();
    STUDY.get_or_init(|| {
        // A static is never dropped: the directory is removed at exit.
        let tmp = hubecon_testkit::fixture_dir().unwrap();
        let (sample, prepared) = (tmp.join("sample"), tmp.join("prepared"));
        let figures = tmp.join("figures");
        let scenario = hubecon_synth::Scenario::default();
        hubecon_synth::generate(&scenario, MODELS, 7, &sample, &|_, _, _| {}).unwrap();
        let opts = PrepareOptions {
            inputs: vec![sample],
            format: FormatChoice::Auto,
            annotations: workspace().join("data/annotations/developers.csv"),
            snapshot_date: None,
        };
        let combined = read_inputs(&opts, &Silent).unwrap();
        let (models, _) =
            hubecon_lineage::enrich(combined.models.clone(), &Default::default()).unwrap();
        write_dataset(&finish(combined, models, &opts).unwrap(), &prepared).unwrap();
        registry::run_all(&Context::load(&prepared, &figures).unwrap(), |_| {}).unwrap();
        let page = tmp.join("dashboard.html");
        hubecon_dashboard::build(&figures, &page).unwrap();
        Study { figures, page }
    })
}

/// The data embedded in a page.
fn embedded(page: &Path) -> Value {
    let html = std::fs::read_to_string(page).unwrap();
    let start = html.find("id=\"hubecon-data\">").unwrap() + "id=\"hubecon-data\">".len();
    let end = start + html[start..].find("</script>").unwrap();
    serde_json::from_str(&html[start..end]).unwrap()
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap_or(f64::NAN))
        .collect()
}

fn close(what: &str, got: f64, want: f64) {
    assert!(
        (got - want).abs() <= 1e-12 * want.abs().max(1.0),
        "{what}: the dashboard has {got}, the analysis file {want}"
    );
}

/// `(bucket, category) -> download_share` of the rows of a share CSV in one lens and window.
fn file_shares(file: &str, lens: &str, window: &str) -> BTreeMap<(String, String), f64> {
    let t = Table::read(&study().figures, file, &[]).unwrap();
    (0..t.len())
        .filter(|&r| {
            t.text(r, "attribution").unwrap() == lens && t.text(r, "window").unwrap() == window
        })
        .map(|r| {
            let key = (
                t.text(r, "bucket").unwrap().to_string(),
                t.text(r, "category").unwrap().to_string(),
            );
            (key, t.number(r, "download_share").unwrap())
        })
        .collect()
}

/// The first day of the quarter of an ISO date.
fn quarter_of(day: &str) -> String {
    let m: u32 = day[5..7].parse().unwrap();
    format!("{}-{:02}-01", &day[..4], (m - 1) / 3 * 3 + 1)
}

#[test]
fn monthly_downloads_summed_by_quarter_give_the_figures_shares() {
    let data = embedded(&study().page);
    let months: Vec<String> = data["months"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap().to_string())
        .collect();
    for (view, file) in [
        ("org_type", "03_org_type_shares.csv"),
        ("top_developers", "04_top_developers.csv"),
    ] {
        for lens in ["direct", "derived"] {
            let v = &data["shares"][view];
            let mut sums: BTreeMap<(String, String), f64> = BTreeMap::new();
            let mut totals: BTreeMap<String, f64> = BTreeMap::new();
            for (c, row) in v["categories"].as_array().unwrap().iter().zip(
                v["downloads"][format!("{lens}/all_downloads")]
                    .as_array()
                    .unwrap(),
            ) {
                for (m, d) in months.iter().zip(floats(row)) {
                    *sums
                        .entry((quarter_of(m), c.as_str().unwrap().into()))
                        .or_default() += d;
                    *totals.entry(quarter_of(m)).or_default() += d;
                }
            }
            let want = file_shares(file, lens, "all_downloads");
            assert!(!want.is_empty());
            for ((q, c), share) in &want {
                close(
                    &format!("{view} {lens} {q} {c}"),
                    sums[&(q.clone(), c.clone())] / totals[q],
                    *share,
                );
            }
        }
    }
}

#[test]
fn concentration_and_properties_are_the_analysis_files() {
    let data = embedded(&study().page);
    let c = &data["concentration"];
    let t = Table::read(&study().figures, "05_concentration.csv", &[]).unwrap();
    let quarters: Vec<&str> = c["buckets"]["quarter"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q.as_str().unwrap())
        .collect();
    let mut checked = 0;
    for r in 0..t.len() {
        let (q, across, index) = (
            t.text(r, "quarter").unwrap(),
            t.text(r, "across").unwrap(),
            t.text(r, "index").unwrap(),
        );
        let i = quarters.iter().position(|x| *x == q).unwrap();
        let by_bucket = floats(&c["values"][format!("quarter/{across}/all_downloads")][index]);
        close(
            &format!("{index} across {across} in {q}"),
            by_bucket[i],
            t.number(r, "value").unwrap(),
        );
        let band = floats(&c["bands"][across][index]["high"]);
        close(
            &format!("{index} band in {q}"),
            band[i],
            t.number(r, "ci_high").unwrap(),
        );
        checked += 1;
    }
    assert!(checked > 40);
    let f = &data["properties"]["flags"];
    let t = Table::read(&study().figures, "08_model_properties.csv", &[]).unwrap();
    let props: Vec<&str> = f["properties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    let periods: Vec<&str> = f["periods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert_eq!(periods, ["<=2022", "2023", "2024", "2025"]);
    for r in 0..t.len() {
        let p = props
            .iter()
            .position(|x| *x == t.text(r, "property").unwrap())
            .unwrap();
        let q = periods
            .iter()
            .position(|x| *x == t.text(r, "period").unwrap())
            .unwrap();
        close(
            "property share",
            floats(&f["share"][p])[q],
            t.number(r, "download_share").unwrap(),
        );
    }
}

/// Chromium, or `None` (with a message) when it is not installed and CI
/// does not require it (HUBECON_REQUIRE_BROWSER=1).
fn chromium() -> Option<&'static str> {
    let found = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|p| Path::new(p).exists());
    if found.is_none() {
        assert!(
            std::env::var("HUBECON_REQUIRE_BROWSER").is_err(),
            "HUBECON_REQUIRE_BROWSER is set but no Chromium is installed"
        );
        eprintln!("skipping the dashboard's browser test: no Chromium (install Debian's chromium)");
    }
    found
}

/// Runs headless Chromium on `url` with `extra` arguments; returns stdout.
fn headless(chromium: &str, extra: &[String], url: &str) -> String {
    let profile = tempfile::tempdir().unwrap();
    let mut args: Vec<String> = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--hide-scrollbars",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--virtual-time-budget=5000",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.push(format!("--user-data-dir={}", profile.path().display()));
    args.extend(extra.iter().cloned());
    args.push(url.into());
    let out = Command::new(chromium).args(&args).output().unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The value of `data-<name>` on the dumped `<body>`, unescaped.
fn body_data(dom: &str, name: &str) -> Option<String> {
    let body = &dom[dom.find("<body")?..];
    let body = &body[..body.find('>')?];
    let start = body.find(&format!("data-{name}=\""))? + name.len() + 7;
    let value = &body[start..start + body[start..].find('"')?];
    Some(
        value
            .replace("&quot;", "\"")
            .replace("&amp;", "&")
            .replace("&lt;", "<")
            .replace("&gt;", ">"),
    )
}

#[test]
fn every_view_and_control_works_in_chromium() {
    let Some(chromium) = chromium() else { return };
    let url = format!("file://{}", study().page.display());
    let dom = headless(chromium, &["--dump-dom".into()], &format!("{url}#selftest"));
    let data =
        |name: &str| body_data(&dom, name).unwrap_or_else(|| panic!("the page set no data-{name}"));
    assert_eq!(data("console-errors"), "[]", "console errors in Chromium");
    assert_eq!(
        data("selftest-failures"),
        "[]",
        "the page's self-test failed"
    );
    assert_eq!(data("selftest"), "pass");
    let checks: usize = data("selftest-checks").parse().unwrap();
    assert!(checks > 40, "only {checks} checks ran");
    println!(
        "dashboard: {checks} checks passed in Chromium; first render at {} ms after navigation start",
        data("render-ms")
    );

    // What the page showed for org types (direct, all downloads, last quarter) is the figure's CSV.
    let shown: Value = serde_json::from_str(&data("shown-org-type")).unwrap();
    let want = file_shares("03_org_type_shares.csv", "direct", "all_downloads");
    let last = want.keys().map(|(q, _)| q.clone()).max().unwrap();
    for ((q, c), share) in want.iter().filter(|((q, _), _)| *q == last) {
        close(
            &format!("shown {c} in {q}"),
            shown[c].as_f64().unwrap_or(0.0),
            *share,
        );
    }
    let shown: Value = serde_json::from_str(&data("shown-concentration")).unwrap();
    let t = Table::read(&study().figures, "05_concentration.csv", &[]).unwrap();
    let r = (0..t.len())
        .rev()
        .find(|&r| {
            t.text(r, "across").unwrap() == "developers" && t.text(r, "index").unwrap() == "gini"
        })
        .unwrap();
    close(
        "shown Gini",
        shown["Developers (uploader)"].as_f64().unwrap(),
        t.number(r, "value").unwrap(),
    );

    let dir = workspace().join("paper/build/dashboard-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let data = embedded(&study().page);
    let developers = data["search"]["developers"]["downloads"]["derived/all_downloads"]
        .as_object()
        .unwrap();
    let total = |name: &String| floats(&developers[name]).iter().sum::<f64>();
    let first_developer = developers
        .keys()
        .max_by(|a, b| total(a).total_cmp(&total(b)))
        .unwrap()
        .clone();
    let mut shots: Vec<(String, String)> = hubecon_dashboard::VIEWS
        .iter()
        .map(|v| (v.to_string(), format!("view={v}")))
        .collect();
    shots.push((
        "search".into(),
        format!("view=top_developers&lens=derived&search={first_developer}"),
    ));
    for (name, hash) in shots {
        let png = dir.join(format!("{name}.png"));
        let _ = std::fs::remove_file(&png);
        let args = [
            format!("--screenshot={}", png.display()),
            format!(
                "--window-size=1280,{}",
                if name == "search" || name == "properties" {
                    1500
                } else {
                    1100
                }
            ),
        ];
        headless(chromium, &args, &format!("{url}#{hash}"));
        let len = std::fs::metadata(&png).map(|m| m.len()).unwrap_or(0);
        assert!(len > 20_000, "no screenshot of {name} ({len} bytes)");
    }
    println!("dashboard: screenshots in {}", dir.display());
}

/// A copy of the study's figures to break.
fn figures_copy() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(&study().figures).unwrap().flatten() {
        std::fs::copy(e.path(), tmp.path().join(e.file_name())).unwrap();
    }
    tmp
}

#[test]
fn bad_input_is_named_and_leaves_the_previous_page() {
    let figures = figures_copy();
    let out = figures.path().join("dashboard.html");
    hubecon_dashboard::build(figures.path(), &out).unwrap();
    let before = std::fs::read(&out).unwrap();

    let file = figures.path().join("03_org_type_shares_monthly.csv");
    let text = std::fs::read_to_string(&file).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    lines[3] = lines[3].replacen(",direct,", ",sideways,", 1);
    std::fs::write(&file, lines.join("\n")).unwrap();
    let m = hubecon_dashboard::build(figures.path(), &out)
        .err()
        .unwrap()
        .to_string();
    assert!(
        m.contains("03_org_type_shares_monthly.csv")
            && m.contains("row 4")
            && m.contains("`attribution`")
            && m.contains("`sideways`"),
        "{m}"
    );
    assert_eq!(
        std::fs::read(&out).unwrap(),
        before,
        "a failed build changed the page"
    );

    std::fs::write(&file, text.replace("downloads", "dl")).unwrap();
    let m = hubecon_dashboard::build(figures.path(), &out)
        .err()
        .unwrap()
        .to_string();
    assert!(m.contains("no column `downloads`"), "{m}");

    std::fs::remove_file(figures.path().join("05_concentration_by_bucket.csv")).unwrap();
    std::fs::write(&file, text).unwrap();
    let m = hubecon_dashboard::build(figures.path(), &out)
        .err()
        .unwrap()
        .to_string();
    assert!(
        m.contains("05_concentration_by_bucket.csv") && m.contains("hubecon figures"),
        "{m}"
    );
}

/// The page's size does not grow with the number of models: at the caps of
/// the analyses (200 developers per lens and window, 200 family roots per
/// window, every month of the study with downloads, long names, large
/// counts), it stays far under 15 MB.
#[test]
fn the_page_stays_under_15_mb_at_the_caps() {
    let figures = figures_copy();
    let months: Vec<String> = (2020..=2025)
        .flat_map(|y| (1..=12).map(move |m| format!("{y}-{m:02}-01")))
        .filter(|d| d.as_str() >= "2020-06-01" && d.as_str() <= "2025-08-01")
        .collect();
    let name = |i: usize| {
        format!("a-developer-with-a-rather-long-hub-namespace-{i:04}/and-a-long-model-name-{i:04}")
    };
    let mut dev = String::from("bucket,developer,downloads,attribution,window\n");
    let mut fam = String::from("bucket,family_root,downloads,window\n");
    for lens in ["direct", "derived"] {
        for window in ["all_downloads", "first_year"] {
            for i in 0..hubecon_analyses::explore::TOP_SERIES {
                for m in &months {
                    dev.push_str(&format!(
                        "{m},{},{}.0,{lens},{window}\n",
                        name(i),
                        123_456_789_012u64 + i as u64
                    ));
                    if lens == "direct" {
                        fam.push_str(&format!(
                            "{m},{},{}.0,{window}\n",
                            name(i),
                            98_765_432_101u64 + i as u64
                        ));
                    }
                }
            }
        }
    }
    std::fs::write(figures.path().join("04_top_developers_developers.csv"), dev).unwrap();
    std::fs::write(figures.path().join("05_concentration_families.csv"), fam).unwrap();
    let out = figures.path().join("dashboard.html");
    let built = hubecon_dashboard::build(figures.path(), &out).unwrap();
    println!("dashboard at the caps: {:.2} MB", built.bytes as f64 / 1e6);
    assert!(built.bytes < 15_000_000, "{} bytes", built.bytes);
}
