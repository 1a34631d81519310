//! `hubecon serve`: the dashboard and the paper on loopback, rebuilt when a
//! new prepared dataset appears (the monitoring use: a cron job fetches and
//! prepares a new snapshot into `--dataset`; the page then shows it).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;
use hubecon_ingest::schema::files::MANIFEST;

use crate::cmd::httpd::{Limits, Load, serve_on};
use crate::cmd::study::{claims, figures};

/// Serve the dashboard (/) and the paper (/paper.html) on 127.0.0.1 only.
/// Every --poll seconds the prepared dataset's manifest.json is read; when
/// it changed (a new dataset was prepared into --dataset), the analyses, the
/// paper, the claims and the dashboard are rebuilt, and the new pages are
/// served (each file is replaced whole, so a reader never sees half of one).
/// A failed rebuild is reported and the previous pages stay. Each client is
/// bounded: an 8 KiB request line, 100 headers in 16 KiB, 5 s idle, and at
/// most 32 connections at once (more get a 503).
#[derive(Args)]
pub struct ServeArgs {
    /// The port on 127.0.0.1 (0: any free one).
    #[arg(long, default_value_t = 8000)]
    pub port: u16,
    /// The prepared dataset to watch.
    #[arg(long, value_name = "DIR", default_value = "data/processed/default")]
    pub dataset: PathBuf,
    /// The old spelling of --dataset, refused with its new name.
    #[arg(long = "data", value_name = "DIR", hide = true)]
    pub old_data: Option<PathBuf>,
    /// Where the analyses write when the dataset changes.
    #[arg(long, value_name = "DIR", default_value = "figures")]
    pub figures: PathBuf,
    /// The paper's source.
    #[arg(long, value_name = "FILE", default_value = "paper/paper.md")]
    pub paper: PathBuf,
    /// Where the pages are written and served from.
    #[arg(long, value_name = "DIR", default_value = "paper/build")]
    pub site: PathBuf,
    /// Seconds between two looks at the dataset's manifest.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub poll: u64,
}

/// Where a rebuild reads and writes.
#[derive(Clone)]
pub struct Site {
    pub data: PathBuf,
    pub figures: PathBuf,
    pub paper: PathBuf,
    pub dir: PathBuf,
}

pub const DASHBOARD: &str = "dashboard.html";
pub const PAPER: &str = "paper.html";
pub const METHODS: &str = "METHODS.md";

impl Site {
    /// Analyses, paper, claims and dashboard from the prepared dataset.
    pub fn rebuild(&self) -> anyhow::Result<()> {
        figures(&self.data, &self.figures)?;
        self.publish()
    }

    /// Paper, claims and dashboard from the analyses' outputs as they are.
    pub fn publish(&self) -> anyhow::Result<()> {
        hubecon_analyses::paper::build(&self.paper, &self.figures, &self.dir.join(PAPER))?;
        // The paper links ../METHODS.md; from /paper.html that is /METHODS.md.
        if let Some(methods) = self.paper.parent().map(|d| d.join(METHODS))
            && methods.is_file()
        {
            let text = std::fs::read(&methods)?;
            hubecon_analyses::output::write_atomic(&self.dir.join(METHODS), &text)?;
        }
        claims(&self.figures)?;
        crate::cmd::dashboard::dashboard(&self.figures, &self.dir.join(DASHBOARD))
    }
}

pub fn run(args: ServeArgs) -> anyhow::Result<()> {
    super::renamed(&args.old_data, "--data", "--dataset", "a prepared dataset")?;
    let site = Site {
        data: args.dataset,
        figures: args.figures,
        paper: args.paper,
        dir: args.site,
    };
    let mut watch = Watch::new(&site.data);
    if !site.dir.join(DASHBOARD).is_file() {
        let figures_there = site
            .figures
            .join("05_concentration_by_bucket.csv")
            .is_file();
        if figures_there {
            site.publish()
        } else {
            site.rebuild()
        }?;
    }
    let listener = TcpListener::bind(("127.0.0.1", args.port))?;
    let port = listener.local_addr()?.port();
    println!("serve: http://127.0.0.1:{port}/ (dashboard) and http://127.0.0.1:{port}/paper.html");
    println!(
        "serve: watching {} every {} s for a new prepared dataset",
        site.data.join(MANIFEST).display(),
        args.poll
    );
    let watched = site.clone();
    let poll = Duration::from_secs(args.poll.max(1));
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(poll);
            if watch.changed() {
                println!(
                    "serve: a new prepared dataset in {}: rebuilding",
                    watched.data.display()
                );
                match watched.rebuild() {
                    Ok(()) => println!("serve: rebuilt"),
                    Err(e) => {
                        eprintln!("serve: rebuild failed, still serving the previous pages: {e:#}")
                    }
                }
            }
        }
    });
    let load = std::sync::Arc::new(Load::default());
    serve_on(listener, site.dir.clone(), Limits::default(), load);
    Ok(())
}

/// The manifest of a prepared dataset, as last seen.
pub struct Watch {
    manifest: PathBuf,
    seen: Option<Vec<u8>>,
}

impl Watch {
    /// Starts from the manifest there is now (none counts as one state).
    pub fn new(dataset: &Path) -> Self {
        let manifest = dataset.join(MANIFEST);
        let seen = std::fs::read(&manifest).ok();
        Self { manifest, seen }
    }

    /// True once each time the manifest's content differs from the last
    /// seen (a dataset prepared anew, or one appearing). A dataset that
    /// disappears is not a change: there is nothing to rebuild from.
    pub fn changed(&mut self) -> bool {
        let Ok(now) = std::fs::read(&self.manifest) else {
            return false;
        };
        if self.seen.as_ref() == Some(&now) {
            return false;
        }
        self.seen = Some(now);
        true
    }
}

/// An HTTP answer.
pub struct Reply {
    pub status: &'static str,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    pub head_only: bool,
}

pub(crate) fn text(status: &'static str, body: &str) -> Reply {
    Reply {
        status,
        content_type: "text/plain; charset=utf-8",
        body: body.as_bytes().to_vec(),
        head_only: false,
    }
}

/// The answer to a request line (`GET /paper.html HTTP/1.1`): a file of
/// `dir` by its plain name (`/` is the dashboard), nothing outside it.
pub fn respond(request: &str, dir: &Path) -> Reply {
    let mut parts = request.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    if method != "GET" && method != "HEAD" {
        return text("405 Method Not Allowed", "only GET and HEAD\n");
    }
    let path = target.split(['?', '#']).next().unwrap_or("");
    let name = match path.trim_start_matches('/') {
        "" => DASHBOARD,
        "paper" => PAPER,
        other => other,
    };
    let plain = name
        .split('/')
        .all(|s| !s.is_empty() && s != ".." && s != "." && !s.contains(['\\', '%', ':']));
    if !plain {
        return text("404 Not Found", "not found\n");
    }
    let Ok(body) = std::fs::read(dir.join(name)) else {
        return text("404 Not Found", "not found\n");
    };
    Reply {
        status: "200 OK",
        content_type: content_type(name),
        body,
        head_only: method == "HEAD",
    }
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "png" => "image/png",
        "svg" => "image/svg+xml",
        "csv" => "text/csv; charset=utf-8",
        "json" => "application/json",
        "md" => "text/markdown; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cmd::httpd::answer;
    use std::io::{Read, Write};
    use std::net::TcpStream;

    fn site() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(DASHBOARD), "<html>dashboard</html>").unwrap();
        std::fs::write(dir.path().join(PAPER), "<html>paper</html>").unwrap();
        dir
    }

    /// The paper's link to the definitions, ../METHODS.md, resolves to
    /// /METHODS.md from /paper.html: publish copies it there.
    #[test]
    fn the_papers_methods_link_is_served() {
        let paper = include_str!("../../../../paper/paper.md");
        assert!(paper.contains("](../METHODS.md)"));
        let dir = site();
        std::fs::write(dir.path().join(METHODS), "# Methods").unwrap();
        let r = respond("GET /METHODS.md HTTP/1.1", dir.path());
        assert_eq!(
            (r.status, r.content_type),
            ("200 OK", "text/markdown; charset=utf-8")
        );
    }

    #[test]
    fn the_dashboard_is_the_root_and_nothing_outside_the_site_is_served() {
        let dir = site();
        let ok = respond("GET / HTTP/1.1", dir.path());
        assert_eq!(
            (ok.status, ok.content_type),
            ("200 OK", "text/html; charset=utf-8")
        );
        assert_eq!(ok.body, b"<html>dashboard</html>");
        assert_eq!(
            respond("GET /paper?x=1 HTTP/1.1", dir.path()).body,
            b"<html>paper</html>"
        );
        for bad in [
            "/../Cargo.toml",
            "/%2e%2e/x",
            "//etc/passwd",
            "/missing.html",
        ] {
            let r = respond(&format!("GET {bad} HTTP/1.1"), dir.path());
            assert_eq!(r.status, "404 Not Found", "{bad}");
        }
        assert_eq!(
            respond("POST / HTTP/1.1", dir.path()).status,
            "405 Method Not Allowed"
        );
    }

    #[test]
    fn a_page_is_served_over_loopback() {
        let dir = site();
        let listener = TcpListener::bind(("127.0.0.1", 0)).unwrap();
        let port = listener.local_addr().unwrap().port();
        let root = dir.path().to_path_buf();
        let server = std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            answer(stream, &root, &Limits::default()).unwrap();
        });
        let mut client = TcpStream::connect(("127.0.0.1", port)).unwrap();
        client
            .write_all(b"GET /paper.html HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
        let mut got = String::new();
        client.read_to_string(&mut got).unwrap();
        server.join().unwrap();
        assert!(got.starts_with("HTTP/1.1 200 OK\r\n"), "{got}");
        assert!(got.ends_with("<html>paper</html>"), "{got}");
    }

    #[test]
    fn a_new_manifest_is_a_change_once() {
        let dir = tempfile::tempdir().unwrap();
        let mut watch = Watch::new(dir.path());
        assert!(!watch.changed(), "no dataset is no change");
        std::fs::write(dir.path().join(MANIFEST), "{\"rows\": 1}").unwrap();
        assert!(watch.changed(), "a dataset appeared");
        assert!(!watch.changed(), "the same dataset again");
        std::fs::write(dir.path().join(MANIFEST), "{\"rows\": 2}").unwrap();
        assert!(watch.changed(), "a new dataset");
        std::fs::remove_file(dir.path().join(MANIFEST)).unwrap();
        assert!(
            !watch.changed(),
            "a dataset that went is nothing to rebuild"
        );
    }
}
