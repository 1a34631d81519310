//! Every parquet file hubecon writes opens whole in pandas, pyarrow and
//! DuckDB (the pinned versions of bench/peers/requirements.txt). Runs with
//! the Python of `HUBECON_PYTHON` (CI installs one); skipped when none has
//! those packages, unless `HUBECON_REQUIRE_PYTHON_READERS=1` (set by CI).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{hubecon, ok, prepare};

/// A Python with pandas, pyarrow and DuckDB, or `None`.
fn python() -> Option<PathBuf> {
    let candidate = std::env::var_os("HUBECON_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("python3"));
    let has = Command::new(&candidate)
        .args(["-c", "import pandas, pyarrow, duckdb"])
        .output()
        .is_ok_and(|o| o.status.success());
    if has {
        return Some(candidate);
    }
    assert!(
        std::env::var("HUBECON_REQUIRE_PYTHON_READERS").as_deref() != Ok("1"),
        "HUBECON_REQUIRE_PYTHON_READERS=1 but {} has no pandas, pyarrow or duckdb",
        candidate.display()
    );
    eprintln!("skipped: no Python with pandas, pyarrow and duckdb (set HUBECON_PYTHON)");
    None
}

fn parquet_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            parquet_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "parquet") {
            out.push(p);
        }
    }
}

#[test]
fn every_parquet_we_write_opens_in_pandas_pyarrow_and_duckdb() {
    let Some(python) = python() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let sample = tmp.path().join("sample");
    let s = sample.display().to_string();
    ok(&hubecon(&["synth", "--models", "400", "--out", &s]));
    let prepared = tmp.path().join("prepared");
    ok(&prepare(&[&sample], &prepared, &[]));
    let mut files = Vec::new();
    parquet_files(&prepared, &mut files);
    let written = files.len();
    // The generator's files too, but not its hundreds of weekly snapshots.
    files.extend(
        [
            "release/all_downloads_with_annotations.parquet",
            "truth_models.parquet",
        ]
        .iter()
        .map(|f| sample.join(f)),
    );
    let mut snapshots = Vec::new();
    parquet_files(&sample.join("models"), &mut snapshots);
    snapshots.sort();
    files.extend(snapshots.first().cloned());
    files.extend(snapshots.last().cloned());
    assert_eq!(written, 3, "models, downloads and developers");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/open_parquet.py");
    let o = Command::new(&python)
        .arg(&script)
        .args(&files)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(stdout.matches("ok ").count(), files.len(), "{stdout}");
}
