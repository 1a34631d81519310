//! A hostile or broken `HF_ENDPOINT`: headers that would name paths outside
//! the cache, a poisoned cache, and servers that stall or drip.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use hubecon_ingest::Silent;
use hubecon_ingest::hub::fetch::RELEASE_REPO;
use hubecon_ingest::hub::{CollectOptions, FetchOptions, HubError, collect, fetch_release};

use super::fake::{FakeHub, FakeRepo, sha256};
use super::server::{Reply, Server};
use crate::{config, files_under};

const ANNOTATED: &[u8] = b"PAR1 all downloads with annotations, not really parquet PAR1";
const ROLLING: &[u8] = b"PAR1 one year rolling PAR1";
const VICTIM: &[u8] = b"a user's file that no fetch may touch";

fn hub() -> Arc<FakeHub> {
    Arc::new(FakeHub {
        repos: vec![FakeRepo::new(
            RELEASE_REPO,
            'a',
            &[
                ("all_downloads_with_annotations.parquet", ANNOTATED),
                ("one_year_rolling.parquet", ROLLING),
            ],
        )],
        tree_page: 10,
    })
}

/// A folder holding `cache/`, `raw/` and a user's `victim.txt`.
struct Sandbox {
    root: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Self {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir(root.path().join("cache")).unwrap();
        std::fs::write(root.path().join("victim.txt"), VICTIM).unwrap();
        Self { root }
    }
    fn cache(&self) -> PathBuf {
        self.root.path().join("cache")
    }
    fn victim(&self) -> PathBuf {
        self.root.path().join("victim.txt")
    }
    fn opts(&self) -> FetchOptions {
        FetchOptions {
            revision: "main".into(),
            out_root: self.root.path().join("raw"),
        }
    }
    /// Nothing was written beside the cache and the raw folder, and the
    /// user's file is intact.
    fn assert_untouched(&self) {
        let top: Vec<String> = std::fs::read_dir(self.root.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n != "raw")
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        assert_eq!(top, ["cache", "victim.txt"], "something escaped the cache");
        assert_eq!(std::fs::read(self.victim()).unwrap(), VICTIM);
        assert!(
            !self.root.path().parent().unwrap().join("escaped").exists(),
            "nothing above the sandbox either"
        );
    }
}

/// A server whose resolve answers carry `header: value` instead of the
/// fake Hub's own.
fn resolve_with(header: &'static str, value: String) -> Server {
    let h = hub();
    Server::start(move |req, base| {
        let mut reply = h.serve(req, base);
        if req.path().starts_with("/datasets/") {
            reply
                .headers
                .retain(|(k, _)| !k.eq_ignore_ascii_case(header));
            reply = reply.header(header, value.clone());
        }
        reply
    })
}

fn assert_unsafe_header(e: &HubError, header: &str, value: &str) {
    assert!(matches!(e, HubError::UnsafeHeader { .. }), "{e}");
    let msg = e.to_string();
    for part in [header, value, "HF_ENDPOINT"] {
        assert!(msg.contains(part), "{part} missing from: {msg}");
    }
}

#[test]
fn a_relative_etag_writes_nothing_outside_the_cache() {
    let sb = Sandbox::new();
    let server = resolve_with("x-linked-etag", "\"../../../escaped\"".into());
    let e = fetch_release(&config(&server.base, &sb.cache()), &sb.opts(), &Silent).unwrap_err();
    assert_unsafe_header(&e, "X-Linked-Etag", "../../../escaped");
    assert_eq!(server.count("GET", "/cdn/"), 0, "no body was fetched");
    sb.assert_untouched();
}

#[test]
fn an_absolute_etag_naming_a_users_file_leaves_it_alone() {
    let sb = Sandbox::new();
    let victim = sb.victim().to_string_lossy().into_owned();
    let server = resolve_with("x-linked-etag", format!("\"{victim}\""));
    let e = fetch_release(&config(&server.base, &sb.cache()), &sb.opts(), &Silent).unwrap_err();
    assert_unsafe_header(&e, "X-Linked-Etag", &victim);
    sb.assert_untouched();
}

#[test]
fn a_commit_with_dot_dot_creates_no_folder_outside_the_cache() {
    let sb = Sandbox::new();
    let server = resolve_with("x-repo-commit", "../../../escaped".into());
    let e = fetch_release(&config(&server.base, &sb.cache()), &sb.opts(), &Silent).unwrap_err();
    assert_unsafe_header(&e, "X-Repo-Commit", "../../../escaped");
    sb.assert_untouched();
    assert!(
        files_under(&sb.cache())
            .iter()
            .all(|f| !f.contains("snapshots")),
        "no snapshot entry either: {:?}",
        files_under(&sb.cache())
    );
}

#[test]
fn a_listing_path_with_dot_dot_is_refused_before_any_download() {
    let sb = Sandbox::new();
    let h = Arc::new(FakeHub {
        repos: vec![FakeRepo::new(
            RELEASE_REPO,
            'a',
            &[
                ("all_downloads_with_annotations.parquet", ANNOTATED),
                ("../../../escaped/one_year_rolling.parquet", ROLLING),
            ],
        )],
        tree_page: 10,
    });
    let server = Server::start(move |req, base| h.serve(req, base));
    let e = fetch_release(&config(&server.base, &sb.cache()), &sb.opts(), &Silent).unwrap_err();
    assert!(matches!(e, HubError::UnsafePath { .. }), "{e}");
    assert!(e.to_string().contains("../../../escaped"), "{e}");
    sb.assert_untouched();
}

/// A cache whose snapshot entries point at `target`, outside it.
#[cfg(unix)]
fn poisoned_cache(cache: &Path, target: &Path) {
    let repo = cache.join("datasets--mmpr--open_model_evolution_data");
    let commit = "c".repeat(40);
    let snap = repo.join("snapshots").join(&commit);
    std::fs::create_dir_all(&snap).unwrap();
    std::fs::create_dir_all(repo.join("refs")).unwrap();
    std::fs::write(repo.join("refs/main"), &commit).unwrap();
    for name in [
        "all_downloads_with_annotations.parquet",
        "one_year_rolling.parquet",
    ] {
        std::os::unix::fs::symlink(target, snap.join(name)).unwrap();
    }
}

#[cfg(unix)]
#[test]
fn verify_never_reads_or_removes_a_blob_outside_the_cache() {
    let sb = Sandbox::new();
    poisoned_cache(&sb.cache(), &sb.victim());
    let mut cfg = config("http://127.0.0.1:9", &sb.cache());
    cfg.offline = true;
    let e = fetch_release(&cfg, &sb.opts(), &Silent).unwrap_err();
    assert!(matches!(e, HubError::OutsideCache { .. }), "{e}");
    assert!(e.to_string().contains("victim.txt"), "{e}");
    sb.assert_untouched();
    assert!(
        !sb.root
            .path()
            .join("raw/release/all_downloads_with_annotations.parquet")
            .exists(),
        "the user's file was not placed as data either"
    );
}

/// Fast timeouts: 300 ms without a byte, 3 tries.
fn quick(base: &str, cache: &Path) -> hubecon_ingest::hub::HubConfig {
    let mut cfg = config(base, cache);
    cfg.policy.read_timeout = Duration::from_millis(300);
    cfg
}

#[test]
fn a_stalled_body_times_out_and_is_resumed() {
    let sb = Sandbox::new();
    let h = hub();
    let stalls = Arc::new(AtomicUsize::new(0));
    let s = stalls.clone();
    let rolling = sha256(ROLLING);
    let half = ROLLING.len() / 2;
    let server = Server::start(move |req, base| {
        let reply = h.serve(req, base);
        if req.path().ends_with(&rolling) && s.fetch_add(1, Ordering::SeqCst) == 0 {
            return reply.stall(half, Duration::from_secs(3));
        }
        reply
    });
    let t = Instant::now();
    fetch_release(&quick(&server.base, &sb.cache()), &sb.opts(), &Silent).unwrap();
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
    let ranges: Vec<Option<String>> = server
        .requests()
        .iter()
        .filter(|r| r.path().ends_with(&sha256(ROLLING)))
        .map(|r| r.header("range").map(str::to_string))
        .collect();
    assert_eq!(ranges, [None, Some(format!("bytes={half}-"))]);
    assert_eq!(
        std::fs::read(sb.root.path().join("raw/release/one_year_rolling.parquet")).unwrap(),
        ROLLING
    );
}

#[test]
fn a_dripping_body_is_cut_off_at_the_total_limit_and_removed() {
    let sb = Sandbox::new();
    let h = hub();
    let rolling = sha256(ROLLING);
    let server = Server::start(move |req, base| {
        let reply = h.serve(req, base);
        if req.path().ends_with(&rolling) {
            // Each byte well within the read timeout, the whole far beyond
            // the total limit.
            return reply.drip(Duration::from_millis(100));
        }
        reply
    });
    let mut cfg = quick(&server.base, &sb.cache());
    cfg.policy.max_duration = Duration::from_millis(600);
    let t = Instant::now();
    let e = fetch_release(&cfg, &sb.opts(), &Silent).unwrap_err();
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
    assert!(matches!(e, HubError::TooSlow { .. }), "{e}");
    assert!(e.to_string().contains("HUBECON_MAX_DURATION"), "{e}");
    let blobs = files_under(
        &sb.cache()
            .join("datasets--mmpr--open_model_evolution_data/blobs"),
    );
    assert_eq!(
        blobs,
        [sha256(ANNOTATED)],
        "no partial blob, no .incomplete"
    );
}

#[test]
fn a_stalled_api_page_gives_up_after_the_read_timeout_per_try() {
    let server = Server::start(|_, _| {
        std::thread::sleep(Duration::from_millis(1500));
        Reply::json("[]")
    });
    let out = tempfile::tempdir().unwrap();
    let mut cfg = quick(&server.base, out.path());
    cfg.policy.max_tries = 2;
    let opts = CollectOptions {
        out: out.path().join("pages"),
        limit: None,
        author: None,
        page_size: 10,
    };
    let t = Instant::now();
    let e = collect(&cfg, &opts, &Silent).unwrap_err();
    assert!(
        t.elapsed() < Duration::from_millis(1400),
        "{:?}",
        t.elapsed()
    );
    assert!(matches!(e, HubError::Unreachable { tries: 2, .. }), "{e}");
}

fn pages_opts(out: &Path) -> CollectOptions {
    CollectOptions {
        out: out.join("pages"),
        limit: None,
        author: None,
        page_size: 10,
    }
}

#[test]
fn collect_never_follows_a_next_link_to_another_origin() {
    // Another loopback server: same host, another port, so another origin.
    let elsewhere = Server::start(|_, _| Reply::json("[]"));
    let target = format!("{}/api/models?cursor=2", elsewhere.base);
    let server = Server::start(move |_, _| {
        Reply::json(r#"[{"id":"a/b"}]"#).header("link", format!("<{target}>; rel=\"next\""))
    });
    let out = tempfile::tempdir().unwrap();
    let e = collect(
        &config(&server.base, out.path()),
        &pages_opts(out.path()),
        &Silent,
    )
    .unwrap_err();
    assert!(matches!(e, HubError::ForeignLink { .. }), "{e}");
    let msg = e.to_string();
    assert!(
        msg.contains(&elsewhere.base) && msg.contains(&server.base),
        "{msg}"
    );
    assert!(
        elsewhere.requests().is_empty(),
        "nothing, and no token, went there"
    );
    assert_eq!(server.requests().len(), 1, "refused, not retried");
}

#[test]
fn collect_refuses_a_page_over_the_size_cap() {
    let big = format!("[{}]", vec![r#"{"id":"a/b"}"#; 200].join(","));
    let server = Server::start(move |_, _| Reply::json(big.clone()));
    let out = tempfile::tempdir().unwrap();
    let cfg_for = |server: &Server, dir: &Path| {
        let mut cfg = config(&server.base, dir);
        cfg.policy.max_page_bytes = 1000;
        cfg
    };
    let e = collect(
        &cfg_for(&server, out.path()),
        &pages_opts(out.path()),
        &Silent,
    )
    .unwrap_err();
    assert!(
        matches!(e, HubError::PageTooLarge { limit: 1000, .. }),
        "{e}"
    );
    assert!(e.to_string().contains("/api/models?limit=10"), "{e}");
    assert_eq!(server.requests().len(), 1);

    // Without a Content-Length to refuse up front, the cap holds while
    // reading.
    let big = format!("[{}]", vec![r#"{"id":"a/b"}"#; 200].join(","));
    let server = Server::start(move |_, _| Reply::json(big.clone()).no_length());
    let e = collect(
        &cfg_for(&server, out.path()),
        &pages_opts(out.path()),
        &Silent,
    )
    .unwrap_err();
    assert!(
        matches!(e, HubError::PageTooLarge { limit: 1000, .. }),
        "{e}"
    );
}

#[test]
fn collect_names_a_nan_and_reads_past_a_byte_order_mark() {
    let server = Server::start(|req, _| {
        if req.query().contains("cursor=2") {
            Reply::json(r#"[{"id":"c/d","likes":NaN}]"#)
        } else {
            Reply::json("\u{FEFF}[{\"id\":\"a/b\"}]")
                .header("link", "</api/models?cursor=2>; rel=\"next\"")
        }
    });
    let out = tempfile::tempdir().unwrap();
    let e = collect(
        &config(&server.base, out.path()),
        &pages_opts(out.path()),
        &Silent,
    )
    .unwrap_err();
    let msg = e.to_string();
    assert!(
        matches!(e, HubError::MalformedPage { page: 2, .. }),
        "{msg}"
    );
    assert!(msg.contains("NaN at byte 21"), "{msg}");
    assert!(
        out.path().join("pages/page-000001.json").is_file(),
        "the page with a byte order mark was kept"
    );
}
