//! Lineage on Hub rows in the API's own layout (`tests/fixtures/hub-2024-09`,
//! see data/README.md): read by ingest exactly as `hubecon prepare` reads an
//! API listing, then measured with the K-fold protocol of `lineage_eval`.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use hubecon_ingest::{FormatChoice, PrepareOptions, Silent, read_inputs};
use hubecon_lineage::{EvalReport, LineageOptions, lineage_eval};
use polars::prelude::DataFrame;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hub-2024-09")
}

fn models() -> DataFrame {
    let opts = PrepareOptions {
        inputs: vec![fixture()],
        format: FormatChoice::Auto,
        annotations: PathBuf::new(),
        snapshot_date: NaiveDate::from_ymd_opt(2024, 9, 1),
    };
    read_inputs(&opts, &Silent).expect("fixture reads").models
}

fn eval(folds: usize) -> EvalReport {
    lineage_eval(&models(), &LineageOptions::default(), folds).unwrap()
}

#[test]
fn five_fold_protocol_on_the_fixture() {
    let r = eval(5);
    println!("{r}");
    assert_eq!(r.folds, 5);
    assert!(r.evaluated >= 90, "{}", r.evaluated);
}
