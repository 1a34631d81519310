//! `hubecon fetch`: the downloads into the cache, offline mode, and
//! what a failed or corrupt download leaves behind.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::NaiveDate;
use hubecon_ingest::Silent;
use hubecon_ingest::hub::fetch::{RELEASE_REPO, SNAPSHOTS_REPO};
use hubecon_ingest::hub::{FetchManifest, FetchOptions, HubError, fetch_release, fetch_snapshots};

use super::fake::{FakeHub, FakeRepo, sha256};
use super::server::{Reply, Server};
use crate::{config, files_under};

const ANNOTATED: &[u8] = b"PAR1 all downloads with annotations, not really parquet PAR1";
const ROLLING: &[u8] = b"PAR1 one year rolling PAR1";

fn release_repo() -> FakeRepo {
    FakeRepo::new(
        RELEASE_REPO,
        'a',
        &[
            ("all_downloads_with_annotations.parquet", ANNOTATED),
            ("one_year_rolling.parquet", ROLLING),
            ("README.md", b"# release"),
        ],
    )
}

fn hub_with(repos: Vec<FakeRepo>) -> Arc<FakeHub> {
    Arc::new(FakeHub {
        repos,
        tree_page: 2,
    })
}

fn opts(raw: &Path) -> FetchOptions {
    FetchOptions {
        revision: "main".into(),
        out_root: raw.to_path_buf(),
    }
}

#[test]
fn release_lands_in_the_hf_cache_layout_and_in_raw_with_a_manifest() {
    let hub = hub_with(vec![release_repo()]);
    let h = hub.clone();
    let server = Server::start(move |req, base| h.serve(req, base));
    let (cache, raw) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let cfg = config(&server.base, cache.path());

    let report = fetch_release(&cfg, &opts(raw.path()), &Silent).unwrap();

    let commit = "a".repeat(40);
    let repo_dir = cache
        .path()
        .join("datasets--mmpr--open_model_evolution_data");
    assert_eq!(
        std::fs::read_to_string(repo_dir.join("refs/main"))
            .unwrap()
            .trim(),
        commit
    );
    let snap = repo_dir
        .join("snapshots")
        .join(&commit)
        .join("one_year_rolling.parquet");
    assert!(snap.is_symlink(), "the snapshot entry points at a blob");
    assert!(repo_dir.join("blobs").join(sha256(ROLLING)).is_file());
    assert_eq!(
        std::fs::read(raw.path().join("release/one_year_rolling.parquet")).unwrap(),
        ROLLING
    );
    assert_eq!(report.linked, 2, "same file system: hard links, not copies");
    assert_eq!(
        files_under(&raw.path().join("release")),
        [
            "all_downloads_with_annotations.parquet",
            "fetch-manifest.json",
            "one_year_rolling.parquet"
        ]
    );

    let m = FetchManifest::read(&raw.path().join("release"))
        .unwrap()
        .unwrap();
    assert_eq!(m.repo, RELEASE_REPO);
    assert_eq!(m.endpoint, server.base);
    let rows: Vec<(&str, &str, u64, &str)> = m
        .files
        .iter()
        .map(|f| {
            (
                f.path.as_str(),
                f.revision.as_str(),
                f.size,
                f.sha256.as_str(),
            )
        })
        .collect();
    let (sa, sr) = (sha256(ANNOTATED), sha256(ROLLING));
    assert_eq!(
        rows,
        [
            (
                "all_downloads_with_annotations.parquet",
                commit.as_str(),
                ANNOTATED.len() as u64,
                sa.as_str()
            ),
            (
                "one_year_rolling.parquet",
                commit.as_str(),
                ROLLING.len() as u64,
                sr.as_str()
            ),
        ]
    );
    let auth = server
        .requests()
        .iter()
        .filter(|r| r.header("authorization") == Some("Bearer hf_test"))
        .count();
    assert!(auth > 0, "the token is sent to the endpoint");

    // A second run finds the blobs in the cache: no body is downloaded again.
    server.clear_log();
    fetch_release(&cfg, &opts(raw.path()), &Silent).unwrap();
    assert_eq!(server.count("GET", "/cdn/"), 0);
}

fn snapshot_repo() -> FakeRepo {
    let files: Vec<(String, Vec<u8>)> = ["2024-06-02", "2024-06-16", "2024-06-23", "2024-07-07"]
        .iter()
        .map(|d| {
            (
                format!("models/{d}/models.parquet"),
                format!("snapshot {d}").into_bytes(),
            )
        })
        .collect();
    let refs: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(p, c)| (p.as_str(), c.as_slice()))
        .collect();
    FakeRepo::new(SNAPSHOTS_REPO, 'b', &refs)
}

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

#[test]
fn snapshots_in_range_are_fetched_and_missing_sundays_are_noted() {
    let hub = hub_with(vec![snapshot_repo()]);
    let h = hub.clone();
    let server = Server::start(move |req, base| h.serve(req, base));
    let (cache, raw) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let cfg = config(&server.base, cache.path());

    let report = fetch_snapshots(
        &cfg,
        &opts(raw.path()),
        d("2024-06-01"),
        d("2024-06-30"),
        &Silent,
    )
    .unwrap();

    let dir = raw.path().join("hub_weekly_snapshots");
    assert_eq!(
        files_under(&dir),
        [
            "fetch-manifest.json",
            "models/2024-06-02/models.parquet",
            "models/2024-06-16/models.parquet",
            "models/2024-06-23/models.parquet",
        ]
    );
    assert_eq!(
        std::fs::read(dir.join("models/2024-06-16/models.parquet")).unwrap(),
        b"snapshot 2024-06-16"
    );
    let missing: Vec<&String> = report
        .notes
        .iter()
        .filter(|n| n.contains("week skipped"))
        .collect();
    assert_eq!(missing.len(), 2, "{:?}", report.notes);
    assert!(missing[0].contains("2024-06-09") && missing[1].contains("2024-06-30"));
    assert!(
        server.count(
            "GET",
            "/api/datasets/hfmlsoc/hub_weekly_snapshots/tree/main/models"
        ) >= 3,
        "the tree listing is followed across its Link-paged pages"
    );

    // A later range adds to the same folder; the manifest keeps both.
    fetch_snapshots(
        &cfg,
        &opts(raw.path()),
        d("2024-07-01"),
        d("2024-07-07"),
        &Silent,
    )
    .unwrap();
    let m = FetchManifest::read(&dir).unwrap().unwrap();
    let paths: Vec<&str> = m.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths.len(), 4);
    assert_eq!(paths[3], "models/2024-07-07/models.parquet");
}

#[test]
fn a_range_without_snapshots_is_an_error_naming_the_repo() {
    let hub = hub_with(vec![snapshot_repo()]);
    let server = Server::start(move |req, base| hub.serve(req, base));
    let (cache, raw) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let e = fetch_snapshots(
        &config(&server.base, cache.path()),
        &opts(raw.path()),
        d("2023-01-01"),
        d("2023-02-01"),
        &Silent,
    )
    .unwrap_err();
    assert!(matches!(e, HubError::NothingInRange { .. }), "{e}");
    assert!(e.to_string().contains(SNAPSHOTS_REPO), "{e}");
}

#[test]
fn a_truncated_body_is_resumed_from_where_it_stopped() {
    let hub = hub_with(vec![release_repo()]);
    let cuts = Arc::new(AtomicUsize::new(0));
    let (h, c) = (hub.clone(), cuts.clone());
    let rolling_sha = sha256(ROLLING);
    let half = ROLLING.len() / 2;
    let server = Server::start(move |req, base| {
        let reply = h.serve(req, base);
        if req.method == "GET"
            && req.path().ends_with(&rolling_sha)
            && c.fetch_add(1, Ordering::SeqCst) == 0
        {
            return reply.cut(half);
        }
        reply
    });
    let (cache, raw) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    fetch_release(
        &config(&server.base, cache.path()),
        &opts(raw.path()),
        &Silent,
    )
    .unwrap();
    assert_eq!(
        std::fs::read(raw.path().join("release/one_year_rolling.parquet")).unwrap(),
        ROLLING
    );
    let gets: Vec<Option<String>> = server
        .requests()
        .iter()
        .filter(|r| r.method == "GET" && r.path().ends_with(&sha256(ROLLING)))
        .map(|r| r.header("range").map(str::to_string))
        .collect();
    assert_eq!(
        gets,
        [None, Some(format!("bytes={half}-"))],
        "resumed, not restarted"
    );
    let blobs = cache
        .path()
        .join("datasets--mmpr--open_model_evolution_data/blobs");
    assert!(
        files_under(&blobs)
            .iter()
            .all(|f| !f.ends_with(".incomplete")),
        "{:?}",
        files_under(&blobs)
    );
}

#[test]
fn a_body_cut_on_every_try_fails_and_keeps_nothing_partial() {
    let hub = hub_with(vec![release_repo()]);
    let cutting = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let (h, c) = (hub.clone(), cutting.clone());
    let rolling_sha = sha256(ROLLING);
    let server = Server::start(move |req, base| {
        let reply = h.serve(req, base);
        if c.load(Ordering::SeqCst) && req.method == "GET" && req.path().ends_with(&rolling_sha) {
            // Whatever range is asked, the body stops 3 bytes short.
            let len = reply.body.len();
            return reply.cut(len.saturating_sub(3));
        }
        reply
    });
    let (cache, raw) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let cfg = config(&server.base, cache.path());

    let e = fetch_release(&cfg, &opts(raw.path()), &Silent).unwrap_err();
    assert!(matches!(e, HubError::Download { .. }), "{e}");
    let msg = e.to_string();
    assert!(msg.contains("one_year_rolling.parquet"), "{msg}");
    assert!(
        msg.contains("3 tries") && msg.contains("Nothing partial was kept"),
        "{msg}"
    );
    assert_eq!(server.count("GET", &format!("/cdn/{}", sha256(ROLLING))), 3);
    let repo_dir = cache
        .path()
        .join("datasets--mmpr--open_model_evolution_data");
    let blobs = files_under(&repo_dir.join("blobs"));
    assert_eq!(
        blobs,
        [sha256(ANNOTATED)],
        "no partial blob, no .incomplete"
    );
    let snap = repo_dir
        .join("snapshots")
        .join("a".repeat(40))
        .join("one_year_rolling.parquet");
    assert!(!snap.exists(), "no snapshot entry for a partial file");
    assert!(!raw.path().join("release/one_year_rolling.parquet").exists());
    // The file fetched before the failure is recorded.
    let m = FetchManifest::read(&raw.path().join("release"))
        .unwrap()
        .unwrap();
    assert_eq!(m.files.len(), 1);

    cutting.store(false, Ordering::SeqCst);
    fetch_release(&cfg, &opts(raw.path()), &Silent).unwrap();
    assert_eq!(
        std::fs::read(raw.path().join("release/one_year_rolling.parquet")).unwrap(),
        ROLLING
    );
}

#[test]
fn a_download_whose_content_does_not_match_the_listing_is_removed() {
    let hub = hub_with(vec![release_repo()]);
    let h = hub.clone();
    let rolling_sha = sha256(ROLLING);
    let server = Server::start(move |req, base| {
        if req.method == "GET" && req.path().ends_with(&rolling_sha) {
            let mut bad = ROLLING.to_vec();
            bad[0] ^= 0xff;
            return Reply::new(200, bad);
        }
        h.serve(req, base)
    });
    let (cache, raw) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let e = fetch_release(
        &config(&server.base, cache.path()),
        &opts(raw.path()),
        &Silent,
    )
    .unwrap_err();
    assert!(matches!(e, HubError::Corrupt { what: "sha256", .. }), "{e}");
    assert!(e.to_string().contains("run the same command again"), "{e}");
    let blobs = cache
        .path()
        .join("datasets--mmpr--open_model_evolution_data/blobs");
    assert!(
        !blobs.join(sha256(ROLLING)).exists(),
        "the corrupt blob is gone"
    );
}

#[test]
fn a_500_on_the_download_is_retried() {
    let hub = hub_with(vec![release_repo()]);
    let fails = Arc::new(AtomicUsize::new(0));
    let (h, f) = (hub.clone(), fails.clone());
    let server = Server::start(move |req, base| {
        if req.method == "GET"
            && req.path().starts_with("/cdn/")
            && f.fetch_add(1, Ordering::SeqCst) == 0
        {
            return Reply::new(500, "oops");
        }
        h.serve(req, base)
    });
    let (cache, raw) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    fetch_release(
        &config(&server.base, cache.path()),
        &opts(raw.path()),
        &Silent,
    )
    .unwrap();
    assert_eq!(
        server.count("GET", "/cdn/"),
        3,
        "one failed and two good body downloads"
    );
    assert_eq!(
        std::fs::read(
            raw.path()
                .join("release/all_downloads_with_annotations.parquet")
        )
        .unwrap(),
        ANNOTATED
    );
}

#[test]
fn offline_fetch_reads_a_prefilled_cache_without_any_request() {
    let hub = hub_with(vec![release_repo(), snapshot_repo()]);
    let server = Server::start(move |req, base| hub.serve(req, base));
    let cache = tempfile::tempdir().unwrap();
    let online = tempfile::tempdir().unwrap();
    let cfg = config(&server.base, cache.path());
    fetch_release(&cfg, &opts(online.path()), &Silent).unwrap();
    fetch_snapshots(
        &cfg,
        &opts(online.path()),
        d("2024-06-01"),
        d("2024-06-30"),
        &Silent,
    )
    .unwrap();

    server.clear_log();
    let mut offline = cfg.clone();
    offline.offline = true;
    let raw = tempfile::tempdir().unwrap();
    fetch_release(&offline, &opts(raw.path()), &Silent).unwrap();
    let r = fetch_snapshots(
        &offline,
        &opts(raw.path()),
        d("2024-06-10"),
        d("2024-06-30"),
        &Silent,
    )
    .unwrap();
    assert!(
        server.requests().is_empty(),
        "offline makes no request: {:?}",
        server.requests()
    );
    assert_eq!(r.fetched.len(), 2, "06-16 and 06-23 are cached");
    let m = FetchManifest::read(&raw.path().join("release"))
        .unwrap()
        .unwrap();
    let online_m = FetchManifest::read(&online.path().join("release"))
        .unwrap()
        .unwrap();
    assert_eq!(
        m.files, online_m.files,
        "the same commit, size and sha256 as online"
    );
}

#[test]
fn offline_with_a_file_missing_from_the_cache_names_the_file_and_repo() {
    let cache = tempfile::tempdir().unwrap();
    let raw = tempfile::tempdir().unwrap();
    let mut cfg = config("http://127.0.0.1:9", cache.path());
    cfg.offline = true;
    let e = fetch_release(&cfg, &opts(raw.path()), &Silent).unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, HubError::NotCached { .. }), "{msg}");
    for part in [
        "HF_HUB_OFFLINE=1",
        RELEASE_REPO,
        "all_downloads_with_annotations.parquet",
    ] {
        assert!(msg.contains(part), "{part} missing from: {msg}");
    }

    // A cache holding only one of the two files: the other is named.
    let hub = hub_with(vec![release_repo()]);
    let server = Server::start(move |req, base| hub.serve(req, base));
    let online = config(&server.base, cache.path());
    let cached = fetch_release(&online, &opts(raw.path()), &Silent).unwrap();
    assert_eq!(cached.fetched.len(), 2);
    let snap = cache
        .path()
        .join("datasets--mmpr--open_model_evolution_data/snapshots")
        .join("a".repeat(40))
        .join("one_year_rolling.parquet");
    std::fs::remove_file(snap).unwrap();
    let e = fetch_release(&cfg, &opts(raw.path()), &Silent).unwrap_err();
    assert!(e.to_string().contains("one_year_rolling.parquet"), "{e}");
}

#[test]
fn a_401_on_the_listing_says_how_to_set_hf_token() {
    let server = Server::start(|_, _| Reply::new(401, r#"{"error":"Invalid credentials"}"#));
    let (cache, raw) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut cfg = config(&server.base, cache.path());
    cfg.token = None;
    let e = fetch_release(&cfg, &opts(raw.path()), &Silent).unwrap_err();
    assert!(
        matches!(
            e,
            HubError::Auth {
                status: 401,
                token_set: false,
                ..
            }
        ),
        "{e}"
    );
    assert!(e.to_string().contains("export HF_TOKEN"), "{e}");
    assert_eq!(server.requests().len(), 1, "a 401 is not retried");
}
