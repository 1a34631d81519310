//! Hostile inputs and faults (issue 22), table-driven: each case builds its
//! input, runs one command, and checks the exit code, that the message names
//! the file, column and row, and that the previous output is intact.

use std::path::{Path, PathBuf};

use polars::prelude::*;

use super::{existing_dataset, fixtures, hubecon, ok, prepare};

/// Writes `df` as `path` (parent folders made).
fn write_df(path: &Path, mut df: DataFrame) -> PathBuf {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    ParquetWriter::new(std::fs::File::create(path).unwrap())
        .finish(&mut df)
        .unwrap();
    path.to_path_buf()
}

fn ids() -> Column {
    Column::new("id".into(), ["a/ok", "a/bad"])
}

fn counters() -> Column {
    Column::new("downloadsAllTime".into(), [1u64, 2])
}

/// A dated snapshot `dir/models/2024-01-07/models.parquet` of `columns`.
fn snapshot(dir: &Path, columns: Vec<Column>) -> PathBuf {
    let df = DataFrame::new(2, columns).unwrap();
    write_df(&dir.join("models/2024-01-07/models.parquet"), df);
    dir.to_path_buf()
}

fn with(columns: Vec<Column>) -> Vec<Column> {
    let mut all = vec![ids(), counters()];
    all.extend(columns);
    all
}

fn series(name: &str, s: Series, dtype: DataType) -> Column {
    s.with_name(name.into()).cast(&dtype).unwrap().into_column()
}

/// The weekly fixture with one more snapshot folder, copied from a good one.
fn with_folder(dir: &Path, folder: &str) -> PathBuf {
    let root = fixtures::weekly_snapshots(dir);
    let to = root.join("models").join(folder);
    std::fs::create_dir_all(&to).unwrap();
    std::fs::copy(
        root.join("models/2022-03-13/models.parquet"),
        to.join("models.parquet"),
    )
    .unwrap();
    root
}

/// The release fixture with `time` and `downloadsAllTime` replaced.
fn release_with(dir: &Path, time: Column, count: Column) -> PathBuf {
    let df = DataFrame::new(
        2,
        vec![
            Column::new("model".into(), ["q/ok", "q/bad"]),
            time.with_name("time".into()),
            count.with_name("downloadsAllTime".into()),
        ],
    )
    .unwrap();
    write_df(&dir.join("all_downloads_with_annotations.parquet"), df)
}

fn api_page(dir: &Path, second: serde_json::Value) -> PathBuf {
    let page = serde_json::json!([
        {"id": "a/ok", "downloadsAllTime": 1, "createdAt": "2024-01-01T00:00:00Z"},
        second,
    ]);
    let p = dir.join("page-0000.json");
    std::fs::write(&p, page.to_string()).unwrap();
    p
}

type Build = fn(&Path) -> (PathBuf, Vec<&'static str>);

/// A prepare run that must fail with exit 2 and name its place.
struct Case {
    name: &'static str,
    build: Build,
    needles: &'static [&'static str],
}

const FAR: i64 = i64::MAX;

const PREPARE_CASES: &[Case] = &[
    Case {
        name: "truncated release beside the snapshots",
        build: |d| {
            let root = fixtures::weekly_snapshots(d);
            let rel = fixtures::release_file(&root);
            let bytes = std::fs::read(&rel).unwrap();
            std::fs::write(&rel, &bytes[..bytes.len() / 2]).unwrap();
            (root, vec![])
        },
        needles: &["all_downloads_with_annotations.parquet", "truncated"],
    },
    Case {
        name: "corrupt parquet (good magic, bad footer) beside the snapshots",
        build: |d| {
            let root = fixtures::weekly_snapshots(d);
            std::fs::write(root.join("extra.parquet"), b"PAR1 not a footer PAR1").unwrap();
            (root, vec![])
        },
        needles: &["extra.parquet", "not a readable parquet"],
    },
    Case {
        name: "text file named .parquet beside the snapshots",
        build: |d| {
            let root = fixtures::weekly_snapshots(d);
            std::fs::write(root.join("notes.parquet"), "id,downloads\n").unwrap();
            (root, vec![])
        },
        needles: &["notes.parquet", "PAR1"],
    },
    Case {
        name: "snapshot folder not zero-padded",
        build: |d| (with_folder(d, "2024-6-9"), vec![]),
        needles: &["2024-6-9", "exactly YYYY-MM-DD"],
    },
    Case {
        name: "snapshot folder with trailing text",
        build: |d| (with_folder(d, "2022-03-13 (copy)"), vec![]),
        needles: &["2022-03-13 (copy)", "exactly YYYY-MM-DD"],
    },
    Case {
        name: "snapshot folder dated in the future",
        build: |d| (with_folder(d, "2099-01-04"), vec![]),
        needles: &["2099-01-04", "models.parquet", "to today"],
    },
    Case {
        name: "--snapshot-date in the future",
        build: |d| {
            let f = write_df(
                &d.join("models.parquet"),
                DataFrame::new(2, vec![ids(), counters()]).unwrap(),
            );
            (f, vec!["--snapshot-date", "2099-01-01"])
        },
        needles: &["--snapshot-date", "2099-01-01", "to today"],
    },
    Case {
        name: "createdAt text in the future",
        build: |d| {
            let c = Column::new("createdAt".into(), ["2024-01-01", "2099-01-01"]);
            (snapshot(d, with(vec![c])), vec![])
        },
        needles: &["column `createdAt`", "row 1", "model `a/bad`", "2099-01-01"],
    },
    Case {
        name: "createdAt timestamp beyond chrono's calendar",
        build: |d| {
            let s = Series::new("".into(), [0i64, FAR]);
            let dt = DataType::Datetime(TimeUnit::Milliseconds, Some(TimeZone::UTC));
            (snapshot(d, with(vec![series("createdAt", s, dt)])), vec![])
        },
        needles: &["column `createdAt`", "row 1", "model `a/bad`", "to today"],
    },
    Case {
        name: "createdAt Date32 beyond chrono's calendar",
        build: |d| {
            let s = Series::new("".into(), [0i32, i32::MAX]);
            (
                snapshot(d, with(vec![series("createdAt", s, DataType::Date)])),
                vec![],
            )
        },
        needles: &["column `createdAt`", "row 1", "model `a/bad`"],
    },
    Case {
        name: "createdAt before 1970",
        build: |d| {
            let s = Series::new("".into(), [0i64, -86_400_000 * 365]);
            let dt = DataType::Datetime(TimeUnit::Milliseconds, None);
            (snapshot(d, with(vec![series("createdAt", s, dt)])), vec![])
        },
        needles: &["column `createdAt`", "row 1", "from 1970-01-01"],
    },
    Case {
        name: "lastModified dating an undated file beyond the calendar",
        build: |d| {
            let s = Series::new("".into(), [0i64, FAR]);
            let dt = DataType::Datetime(TimeUnit::Nanoseconds, None);
            let df = DataFrame::new(2, with(vec![series("lastModified", s, dt)])).unwrap();
            (write_df(&d.join("models.parquet"), df), vec![])
        },
        needles: &["column `lastModified`", "row 1", "model `a/bad`"],
    },
    Case {
        name: "release time beyond the calendar",
        build: |d| {
            let s = Series::new("".into(), [1_704_585_600_000i64, FAR]);
            let dt = DataType::Datetime(TimeUnit::Milliseconds, None);
            let time = series("time", s, dt);
            let count = Column::new("c".into(), [1i64, 2]);
            (release_with(d, time, count), vec![])
        },
        needles: &[
            "all_downloads_with_annotations.parquet",
            "`time`",
            "row 1",
            "q/bad",
        ],
    },
    Case {
        name: "release time text in the future",
        build: |d| {
            let time = Column::new("t".into(), ["2024-01-07", "2099-01-07"]);
            let count = Column::new("c".into(), [1i64, 2]);
            (release_with(d, time, count), vec![])
        },
        needles: &["`time`", "row 1", "model `q/bad`", "2099-01-07"],
    },
    Case {
        name: "release integer counter above 2^53",
        build: |d| {
            let time = series(
                "t",
                Series::new("".into(), [19_729i32, 19_736]),
                DataType::Date,
            );
            let count = Column::new("c".into(), [1i64, i64::MAX]);
            (release_with(d, time, count), vec![])
        },
        needles: &["`downloadsAllTime`", "row 1", "q/bad", "2^53"],
    },
    Case {
        name: "float counter 1e26",
        build: |d| {
            let c = Column::new("downloadsAllTime".into(), [1.0f64, 1e26]);
            (snapshot(d, vec![ids(), c]), vec![])
        },
        needles: &[
            "column `downloadsAllTime`",
            "row 1",
            "model `a/bad`",
            "2^53",
        ],
    },
    Case {
        name: "float counter 2^53 + 2 (not exact in the Hub's floats)",
        build: |d| {
            let c = Column::new("downloadsAllTime".into(), [1.0f64, 9_007_199_254_740_994.0]);
            (snapshot(d, vec![ids(), c]), vec![])
        },
        needles: &["column `downloadsAllTime`", "row 1", "2^53"],
    },
    Case {
        name: "unsigned counter above 2^53",
        build: |d| {
            let c = Column::new("downloadsAllTime".into(), [1u64, u64::MAX]);
            (snapshot(d, vec![ids(), c]), vec![])
        },
        needles: &["column `downloadsAllTime`", "row 1", "18446744073709551615"],
    },
    Case {
        name: "negative integer counter",
        build: |d| {
            let c = Column::new("downloadsAllTime".into(), [1i64, -3]);
            (snapshot(d, vec![ids(), c]), vec![])
        },
        needles: &["column `downloadsAllTime`", "row 1", "-3"],
    },
    Case {
        name: "binary tags that are not UTF-8",
        build: |d| {
            let c = Column::new("tags".into(), [b"gguf".as_slice(), b"\xff\xfe"]);
            (snapshot(d, with(vec![c])), vec![])
        },
        needles: &["column `tags`", "row 1", "UTF-8"],
    },
    Case {
        name: "binary author that is not UTF-8",
        build: |d| {
            let c = Column::new("author".into(), [b"a".as_slice(), b"\xc3\x28"]);
            (snapshot(d, with(vec![c])), vec![])
        },
        needles: &["column `author`", "row 1", "UTF-8"],
    },
    Case {
        name: "a list of binary tags",
        build: |d| {
            let list = |v: &[u8]| Series::new("".into(), [v]);
            let c = Column::new("tags".into(), [list(b"x"), list(b"\xff")]);
            (snapshot(d, with(vec![c])), vec![])
        },
        needles: &["column `tags`", "binary", "models.parquet"],
    },
    Case {
        name: "API createdAt in the future",
        build: |d| {
            let m = serde_json::json!({"id": "a/bad", "downloadsAllTime": 1, "createdAt": "2099-05-01T00:00:00Z"});
            (api_page(d, m), vec![])
        },
        needles: &["page-0000.json", "createdAt", "a/bad", "to today"],
    },
    Case {
        name: "API float counter 1e26",
        build: |d| {
            let m = serde_json::json!({"id": "a/bad", "downloadsAllTime": 1e26});
            (api_page(d, m), vec![])
        },
        needles: &["page-0000.json", "downloadsAllTime", "a/bad"],
    },
    Case {
        name: "API integer counter above 2^53",
        build: |d| {
            let m = serde_json::json!({"id": "a/bad", "downloadsAllTime": 1u64 << 60});
            (api_page(d, m), vec![])
        },
        needles: &["page-0000.json", "downloadsAllTime", "a/bad", "2^53"],
    },
];

/// Every case: exit 2, each needle in stderr, no panic, the previous
/// dataset byte-identical and no staging folder left. All cases run and the
/// failures are reported together.
#[test]
fn hostile_prepare_inputs_are_refused_by_name_and_leave_the_output() {
    let mut failures = Vec::new();
    for case in PREPARE_CASES {
        let tmp = tempfile::tempdir().unwrap();
        let input_dir = tmp.path().join("in");
        std::fs::create_dir_all(&input_dir).unwrap();
        let (input, extra) = (case.build)(&input_dir);
        let out = existing_dataset(tmp.path());
        let o = prepare(&[&input], &out, &extra);
        let stderr = String::from_utf8_lossy(&o.stderr);
        let mut wrong = Vec::new();
        if o.status.code() != Some(2) {
            wrong.push(format!("exit {:?}", o.status.code()));
        }
        wrong.extend(
            case.needles
                .iter()
                .filter(|n| !stderr.contains(*n))
                .map(|n| format!("no {n:?}")),
        );
        if !intact(&out) {
            wrong.push("--out changed".into());
        }
        if leftovers(tmp.path()) {
            wrong.push("a staging folder was left".into());
        }
        if !wrong.is_empty() {
            failures.push(format!(
                "{}: {}\n  stderr: {stderr}",
                case.name,
                wrong.join(", ")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn intact(out: &Path) -> bool {
    let files: Vec<_> = std::fs::read_dir(out).unwrap().flatten().collect();
    files.len() == 1
        && std::fs::read_to_string(out.join("manifest.json")).unwrap() == "{\"sentinel\": true}\n"
}

fn leftovers(dir: &Path) -> bool {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .any(|e| e.file_name().to_string_lossy().starts_with(".hubecon"))
}

/// Values that cannot be used but need not stop the run: prepared, with a
/// note per column in the manifest and on stderr, never a silent null.
#[test]
fn unusable_metadata_is_counted_in_the_manifest_and_on_stderr() {
    let cases: [(&str, Column); 2] = [
        (
            "bad JSON",
            Column::new("safetensors".into(), ["{\"total\": 7}", "{\"total\": 7"]),
        ),
        (
            "a parameter sum beyond u64",
            Column::new(
                "safetensors".into(),
                [
                    "{\"total\": 7}",
                    "{\"parameters\": {\"F32\": 18446744073709551615, \"BF16\": 10}}",
                ],
            ),
        ),
    ];
    for (what, column) in cases {
        let tmp = tempfile::tempdir().unwrap();
        let input = snapshot(&tmp.path().join("in"), with(vec![column]));
        let out = tmp.path().join("prepared");
        let o = prepare(&[&input], &out, &[]);
        ok(&o);
        let stderr = String::from_utf8_lossy(&o.stderr);
        let note = "column `safetensors`: 1 models";
        assert!(
            stderr.contains(note) && stderr.contains("a/bad"),
            "{what}: {stderr}"
        );
        let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
        assert!(manifest.contains(note), "{what}: {manifest}");
        let ds = hubecon_ingest::load_dataset(&out).unwrap();
        let params = ds.models.column("safetensors_params").unwrap().clone();
        let params = params.cast(&DataType::UInt64).unwrap();
        let params: Vec<Option<u64>> = params.u64().unwrap().iter().collect();
        // Models are sorted by id: a/bad, then a/ok.
        assert_eq!(params, [None, Some(7)], "{what}: never a wrapped sum");
    }
}

/// A second prepare into an `--out` another run is writing is refused at
/// once (exit 2), and the output is left as it was.
#[test]
fn a_concurrent_prepare_into_the_same_out_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let page = fixtures::api_page(tmp.path());
    let out = existing_dataset(tmp.path());
    let lock = std::fs::File::create(tmp.path().join(".existing.hubecon-lock")).unwrap();
    lock.try_lock().unwrap();
    let o = prepare(&[&page], &out, &[]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("being written by another run") && stderr.contains("existing"),
        "{stderr}"
    );
    assert!(intact(&out));
    drop(lock);
    ok(&prepare(&[&page], &out, &[]));
}

/// A run killed after staging (its folder left behind) does not leave
/// litter forever: the next run into that output removes it, and only it.
#[test]
fn staging_folders_of_dead_runs_are_removed() {
    let tmp = tempfile::tempdir().unwrap();
    let page = fixtures::api_page(tmp.path());
    let out = tmp.path().join("prepared");
    let dead = tmp.path().join(".hubecon-prepare-8-prepared.dead01");
    let other = tmp.path().join(".hubecon-prepare-5-other.dead02");
    for d in [&dead, &other] {
        std::fs::create_dir_all(d).unwrap();
        std::fs::write(d.join("models.parquet"), "half").unwrap();
    }
    ok(&prepare(&[&page], &out, &[]));
    assert!(!dead.exists(), "this output's leftover is removed");
    assert!(
        other.exists(),
        "another output's is not this run's to remove"
    );
    assert!(out.join("manifest.json").is_file());
}

/// A write failure is a runtime failure: exit 1 and "cannot write", never
/// exit 2 or "cannot read".
#[test]
fn write_failures_exit_1_and_say_cannot_write() {
    let tmp = tempfile::tempdir().unwrap();
    let page = fixtures::api_page(tmp.path());
    let file = tmp.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let o = prepare(&[&page], &file.join("prepared"), &[]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("cannot write") && !stderr.contains("cannot read"),
        "{stderr}"
    );
    let data = tmp.path().join("prepared");
    ok(&prepare(&[&page], &data, &[]));
    let o = figures(&data, &file.join("figures"));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("cannot write"), "{stderr}");
}

fn figures(data: &Path, out: &Path) -> std::process::Output {
    hubecon(&[
        "figures",
        "--dataset",
        &data.display().to_string(),
        "--out",
        &out.display().to_string(),
    ])
}

/// `figures` replaces its folder as one set: a failed run leaves the old set
/// whole, a folder inside `--out` is refused before anything runs, and a
/// good run keeps foreign files, drops stale outputs and the old claims.
#[test]
fn figures_are_written_as_one_set() {
    let tmp = tempfile::tempdir().unwrap();
    let page = fixtures::api_page(tmp.path());
    let data = tmp.path().join("prepared");
    ok(&prepare(&[&page], &data, &[]));
    let out = tmp.path().join("figures");
    std::fs::create_dir_all(&out).unwrap();
    for (f, text) in [
        ("01_dataset_overview.json", "old"),
        ("99_stale.svg", "old"),
        ("claims.csv", "old"),
        ("README.md", "mine"),
    ] {
        std::fs::write(out.join(f), text).unwrap();
    }
    let listing = |dir: &Path| {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    let before = listing(&out);

    // Bad dataset: exit 2, the old set as it was.
    let bad = tmp.path().join("bad");
    std::fs::create_dir_all(&bad).unwrap();
    std::fs::write(bad.join("manifest.json"), "{").unwrap();
    let o = figures(&bad, &out);
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(listing(&out), before);
    assert_eq!(
        std::fs::read_to_string(out.join("01_dataset_overview.json")).unwrap(),
        "old"
    );

    // Another run holds the folder: refused, nothing changed.
    let lock = std::fs::File::create(tmp.path().join(".figures.hubecon-lock")).unwrap();
    lock.try_lock().unwrap();
    let o = figures(&data, &out);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("being written by another run"), "{stderr}");
    drop(lock);
    assert_eq!(listing(&out), before);

    // A folder in --out: refused before any analysis runs.
    std::fs::create_dir_all(out.join("drafts")).unwrap();
    let o = figures(&data, &out);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("drafts") && stderr.contains("no folders"),
        "{stderr}"
    );
    std::fs::remove_dir(out.join("drafts")).unwrap();

    // A good run: one new set, foreign files kept, no staging left.
    ok(&figures(&data, &out));
    let after = listing(&out);
    assert!(
        after.contains(&"13_significance.png".to_string()),
        "{after:?}"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("README.md")).unwrap(),
        "mine"
    );
    assert!(
        !out.join("99_stale.svg").exists(),
        "a stale output is dropped"
    );
    assert!(
        !out.join("claims.csv").exists(),
        "old claims judge old numbers"
    );
    assert_ne!(
        std::fs::read_to_string(out.join("01_dataset_overview.json")).unwrap(),
        "old"
    );
    assert!(!leftovers(tmp.path()), "no staging folder left");
}
