//! `hubecon collect`: API pages along `Link`, retries, rate, resume.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use hubecon_ingest::Silent;
use hubecon_ingest::hub::{CollectOptions, HubError, collect};

use super::server::{Reply, Req, Server};
use crate::{config, files_under};

/// `n` models as the API returns them with `expand[]`.
fn models(n: usize) -> Vec<String> {
    (1..=n)
        .map(|i| {
            format!(
                r#"{{"_id":"{i:024x}","id":"org{o}/model-{i}","author":"org{o}","downloads":{dl},"downloadsAllTime":{at},"likes":{i},"tags":["transformers","text-generation"],"pipeline_tag":"text-generation","library_name":"transformers","createdAt":"2024-05-{day:02}T10:00:00.000Z","lastModified":"2024-06-{day:02}T10:00:00.000Z","gated":false}}"#,
                o = i % 2,
                dl = i * 10,
                at = i * 100,
                day = i.min(28)
            )
        })
        .collect()
}

/// `GET /api/models`: `limit` per page from the first request, then a
/// `cursor` in the `Link` URL, as the Hub does.
fn api_page(req: &Req, base: &str, all: &[String]) -> Reply {
    if req.path() != "/api/models" {
        return Reply::new(404, "no route");
    }
    let param = |k: &str| {
        req.query()
            .split('&')
            .find_map(|p| p.strip_prefix(&format!("{k}=")))
            .and_then(|v| v.parse::<usize>().ok())
    };
    let limit = param("limit").unwrap_or(1000);
    let cursor = param("cursor").unwrap_or(0);
    let page: Vec<&str> = all
        .iter()
        .skip(cursor)
        .take(limit)
        .map(String::as_str)
        .collect();
    let mut reply = Reply::json(format!("[{}]", page.join(",")));
    if cursor + limit < all.len() {
        let next = format!("{base}/api/models?limit={limit}&cursor={}", cursor + limit);
        reply = reply.header("link", format!("<{next}>; rel=\"next\""));
    }
    reply
}

fn collect_opts(out: &Path, page_size: u32) -> CollectOptions {
    CollectOptions {
        out: out.to_path_buf(),
        limit: None,
        author: None,
        page_size,
    }
}

fn page_lens(dir: &Path) -> Vec<usize> {
    files_under(dir)
        .iter()
        .filter(|f| f.starts_with("page-"))
        .map(|f| {
            let v: serde_json::Value =
                serde_json::from_slice(&std::fs::read(dir.join(f)).unwrap()).unwrap();
            v.as_array().unwrap().len()
        })
        .collect()
}

fn cursors(server: &Server) -> Vec<usize> {
    server
        .requests()
        .iter()
        .map(|r| {
            r.query()
                .split('&')
                .find_map(|p| p.strip_prefix("cursor="))
                .map_or(0, |c| c.parse().unwrap())
        })
        .collect()
}

#[test]
fn collect_writes_each_page_following_link_and_prepare_reads_them() {
    let all = models(5);
    let server = Server::start(move |req, base| api_page(req, base, &all));
    let (cache, out) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let r = collect(
        &config(&server.base, cache.path()),
        &collect_opts(out.path(), 2),
        &Silent,
    )
    .unwrap();

    assert_eq!(
        (r.pages_written, r.models_written, r.complete),
        (3, 5, true)
    );
    assert_eq!(
        files_under(out.path()),
        [
            "collect-state.json",
            "page-000001.json",
            "page-000002.json",
            "page-000003.json"
        ]
    );
    assert_eq!(page_lens(out.path()), [2, 2, 1]);
    let first = &server.requests()[0];
    let pairs: Vec<(String, String)> = reqwest::Url::parse(&format!("http://x{}", first.target))
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect();
    let expand: Vec<&str> = pairs
        .iter()
        .filter(|(k, _)| k == "expand[]")
        .map(|(_, v)| v.as_str())
        .collect();
    for field in [
        "downloadsAllTime",
        "safetensors",
        "gguf",
        "baseModels",
        "cardData",
        "config",
        "siblings",
        "gated",
    ] {
        assert!(
            expand.contains(&field),
            "expand[]={field} missing: {expand:?}"
        );
    }
    assert!(!pairs.iter().any(|(k, v)| k == "full" || v == "full"));
    assert!(pairs.contains(&("limit".into(), "2".into())));
    assert_eq!(first.header("authorization"), Some("Bearer hf_test"));

    // The pages are what `prepare --input DIR` reads (here: a copy of the
    // page files alone).
    let pages_only = tempfile::tempdir().unwrap();
    for f in files_under(out.path())
        .iter()
        .filter(|f| f.starts_with("page-"))
    {
        std::fs::copy(out.path().join(f), pages_only.path().join(f)).unwrap();
    }
    let data = hubecon_ingest::apijson::read_api_json(pages_only.path(), None, &Silent).unwrap();
    assert_eq!(data.models.len(), 5);
}

#[test]
fn collect_honours_retry_after_on_a_429() {
    let all = models(3);
    let hits = Arc::new(AtomicUsize::new(0));
    let h = hits.clone();
    let server = Server::start(move |req, base| {
        if h.fetch_add(1, Ordering::SeqCst) == 0 {
            return Reply::new(429, "slow down").header("retry-after", "1");
        }
        api_page(req, base, &all)
    });
    let (cache, out) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let t = Instant::now();
    let r = collect(
        &config(&server.base, cache.path()),
        &collect_opts(out.path(), 10),
        &Silent,
    )
    .unwrap();
    assert!(
        t.elapsed() >= Duration::from_secs(1),
        "waited {:?}",
        t.elapsed()
    );
    assert_eq!((r.models_written, server.requests().len()), (3, 2));
}

#[test]
fn collect_retries_5xx_with_backoff_then_gives_up_with_the_url() {
    let all = models(4);
    let hits = Arc::new(AtomicUsize::new(0));
    let h = hits.clone();
    let server = Server::start(move |req, base| {
        let n = h.fetch_add(1, Ordering::SeqCst);
        // Page 1: two 500s then success. Page 2: 503 for ever.
        if n < 2 || (n >= 3 && req.query().contains("cursor=2")) {
            return Reply::new(if n < 2 { 500 } else { 503 }, "down");
        }
        api_page(req, base, &all)
    });
    let (cache, out) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let e = collect(
        &config(&server.base, cache.path()),
        &collect_opts(out.path(), 2),
        &Silent,
    )
    .unwrap_err();
    assert!(
        matches!(
            e,
            HubError::Server {
                status: 503,
                tries: 3,
                ..
            }
        ),
        "{e}"
    );
    assert!(e.to_string().contains("cursor=2"), "{e}");
    assert_eq!(
        server.requests().len(),
        6,
        "3 tries for page 1, 3 for page 2"
    );
    assert_eq!(page_lens(out.path()), [2], "page 1 is kept");
}

#[test]
fn collect_reports_401_with_token_advice_and_writes_no_page() {
    let server = Server::start(|_, _| Reply::new(401, "{}"));
    let (cache, out) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut cfg = config(&server.base, cache.path());
    cfg.token = None;
    let e = collect(&cfg, &collect_opts(out.path(), 2), &Silent).unwrap_err();
    assert!(e.to_string().contains("HF_TOKEN"), "{e}");
    assert!(page_lens(out.path()).is_empty());
}

#[test]
fn a_malformed_page_names_its_number_and_a_rerun_resumes_there() {
    let all = models(5);
    let broken = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let b = broken.clone();
    let server = Server::start(move |req, base| {
        if b.load(Ordering::SeqCst) && req.query().contains("cursor=2") {
            return Reply::json(r#"{"error":"Internal error"}"#);
        }
        api_page(req, base, &all)
    });
    let (cache, out) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let cfg = config(&server.base, cache.path());
    let e = collect(&cfg, &collect_opts(out.path(), 2), &Silent).unwrap_err();
    assert!(matches!(e, HubError::MalformedPage { page: 2, .. }), "{e}");
    assert!(e.to_string().contains("page 2"), "{e}");
    assert_eq!(page_lens(out.path()), [2]);

    broken.store(false, Ordering::SeqCst);
    server.clear_log();
    let r = collect(&cfg, &collect_opts(out.path(), 2), &Silent).unwrap();
    assert_eq!(
        cursors(&server),
        [2, 4],
        "resumed at page 2, page 1 not fetched again"
    );
    assert_eq!(
        (r.started_at_page, r.pages_this_run, r.models_written),
        (2, 2, 5)
    );
    assert_eq!(page_lens(out.path()), [2, 2, 1]);
}

#[test]
fn collect_resumes_after_a_crash_between_a_page_and_its_state() {
    let all = models(6);
    let server = Server::start(move |req, base| api_page(req, base, &all));
    let (cache, out) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let cfg = config(&server.base, cache.path());
    collect(&cfg, &collect_opts(out.path(), 2), &Silent).unwrap();
    let good_page2 = std::fs::read(out.path().join("page-000002.json")).unwrap();

    // The crash: page 2 half-replaced, the state still saying "next: page 2",
    // and a stray page from before.
    let state_path = out.path().join("collect-state.json");
    let mut state: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&state_path).unwrap()).unwrap();
    state["pages_written"] = 1.into();
    state["models_written"] = 2.into();
    state["complete"] = false.into();
    state["next_url"] = format!("{}/api/models?limit=2&cursor=2", server.base).into();
    std::fs::write(&state_path, serde_json::to_vec(&state).unwrap()).unwrap();
    std::fs::write(out.path().join("page-000002.json"), b"[{\"id\":").unwrap();
    std::fs::write(out.path().join("page-000009.json"), b"[]").unwrap();

    server.clear_log();
    let r = collect(&cfg, &collect_opts(out.path(), 2), &Silent).unwrap();
    assert_eq!(cursors(&server), [2, 4]);
    assert_eq!(
        (r.pages_written, r.models_written, r.complete),
        (3, 6, true)
    );
    assert_eq!(
        std::fs::read(out.path().join("page-000002.json")).unwrap(),
        good_page2
    );
    assert!(
        !out.path().join("page-000009.json").exists(),
        "the stray page is removed"
    );

    // Complete: another run fetches nothing.
    server.clear_log();
    let again = collect(&cfg, &collect_opts(out.path(), 2), &Silent).unwrap();
    assert!(server.requests().is_empty());
    assert_eq!(again.pages_this_run, 0);
}

#[test]
fn collect_stops_at_the_limit_mid_page() {
    let all = models(7);
    let server = Server::start(move |req, base| api_page(req, base, &all));
    let (cache, out) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut o = collect_opts(out.path(), 2);
    o.limit = Some(3);
    let r = collect(&config(&server.base, cache.path()), &o, &Silent).unwrap();
    assert_eq!((r.models_written, r.complete), (3, true));
    assert_eq!(page_lens(out.path()), [2, 1]);
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn collect_keeps_to_the_request_rate() {
    let all = models(6);
    let server = Server::start(move |req, base| api_page(req, base, &all));
    let (cache, out) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut cfg = config(&server.base, cache.path());
    cfg.policy.requests_per_second = 10.0;
    let t = Instant::now();
    collect(&cfg, &collect_opts(out.path(), 2), &Silent).unwrap();
    assert!(
        t.elapsed() >= Duration::from_millis(200),
        "3 requests at 10/s: {:?}",
        t.elapsed()
    );
}

#[test]
fn collect_refuses_to_mix_collections_or_adopt_unknown_pages() {
    let all = models(2);
    let server = Server::start(move |req, base| api_page(req, base, &all));
    let (cache, out) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let cfg = config(&server.base, cache.path());
    let mut a = collect_opts(out.path(), 2);
    a.author = Some("org1".into());
    collect(&cfg, &a, &Silent).unwrap();
    a.author = Some("org0".into());
    let e = collect(&cfg, &a, &Silent).unwrap_err();
    assert!(
        matches!(e, HubError::StateMismatch { .. }) && e.to_string().contains("--author"),
        "{e}"
    );

    let stray = tempfile::tempdir().unwrap();
    std::fs::write(stray.path().join("page-000001.json"), b"[]").unwrap();
    let e = collect(&cfg, &collect_opts(stray.path(), 2), &Silent).unwrap_err();
    assert!(matches!(e, HubError::Unresumable { .. }), "{e}");

    let mut off = cfg.clone();
    off.offline = true;
    let e = collect(
        &off,
        &collect_opts(tempfile::tempdir().unwrap().path(), 2),
        &Silent,
    )
    .unwrap_err();
    assert!(matches!(e, HubError::Offline { .. }), "{e}");
}
