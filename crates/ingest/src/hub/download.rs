//! One file's body into `blobs/<etag>`: streamed to `<etag>.incomplete`,
//! resumed with `Range` after a body that ends early or stalls (a bounded
//! number of tries), bounded in total time, renamed only once whole. A
//! download that fails removes its `.incomplete`: nothing partial is kept.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use reqwest::blocking::Response;

use super::error::{HubError, HubResult};
use super::http::{Http, content_length, error_chain};
use crate::source::Progress;

/// What a failed download says, beyond the URL: turned into a
/// `HubError::Download` naming the repo and file by the caller.
pub type Fail<'a> = &'a dyn Fn(String) -> HubError;

/// Downloads `url` into `blob` (whose folder exists). `size` is the length
/// the Hub announced, if any: a body shorter is resumed, a longer one is
/// refused.
pub fn to_blob(
    http: &Http,
    url: &str,
    blob: &Path,
    size: Option<u64>,
    hint: &str,
    progress: &dyn Progress,
    fail: Fail,
) -> HubResult<()> {
    let incomplete = PathBuf::from(format!("{}.incomplete", blob.display()));
    let result = fill(http, url, &incomplete, size, hint, progress, fail)
        .and_then(|()| std::fs::rename(&incomplete, blob).map_err(|e| HubError::io(blob, e)));
    if result.is_err() {
        let _ = std::fs::remove_file(&incomplete);
    }
    result
}

/// How one try of the body ended, short of the whole file.
enum Short {
    /// Retry from where it stopped: it ended early, stalled, or was cut.
    Resume(String),
    Fatal(HubError),
}

fn fill(
    http: &Http,
    url: &str,
    incomplete: &Path,
    size: Option<u64>,
    hint: &str,
    progress: &dyn Progress,
    fail: Fail,
) -> HubResult<()> {
    let policy = *http.policy();
    let deadline = Instant::now() + policy.max_duration;
    let too_slow = || HubError::TooSlow {
        url: url.to_string(),
        what: "one file download, its retries included",
        secs: policy.max_duration.as_secs(),
    };
    // A leftover from a crashed run is of unknown origin: start afresh.
    let mut sink = Sink {
        file: File::create(incomplete).map_err(|e| HubError::io(incomplete, e))?,
        path: incomplete,
        have: 0,
    };
    let tries = policy.max_tries.max(1);
    let mut why = String::new();
    for attempt in 1..=tries {
        if attempt > 1 {
            let wait = policy.backoff(attempt - 1);
            if Instant::now() + wait > deadline {
                return Err(too_slow());
            }
            std::thread::sleep(wait);
        }
        let resp = http.open(url, sink.have, hint)?;
        match body_try(resp, &mut sink, size, deadline, progress, fail) {
            Ok(()) => {
                return sink
                    .file
                    .sync_all()
                    .map_err(|e| HubError::io(incomplete, e));
            }
            Err(Short::Fatal(e)) => return Err(e),
            Err(Short::Resume(_)) if Instant::now() > deadline => return Err(too_slow()),
            Err(Short::Resume(w)) => why = w,
        }
    }
    Err(fail(format!(
        "the body ended early on each of {tries} tries (last: {why})"
    )))
}

/// The `.incomplete` file and how many bytes it holds.
struct Sink<'a> {
    file: File,
    path: &'a Path,
    have: u64,
}

/// One response's body appended at `sink.have` (or from 0 when the server
/// ignored the range).
fn body_try(
    mut resp: Response,
    sink: &mut Sink,
    size: Option<u64>,
    deadline: Instant,
    progress: &dyn Progress,
    fail: Fail,
) -> Result<(), Short> {
    let status = resp.status().as_u16();
    let path = sink.path.to_path_buf();
    let write_err = |e: std::io::Error| Short::Fatal(HubError::io(&path, e));
    let (file, have) = (&mut sink.file, &mut sink.have);
    let from = *have;
    let resumed = status == 206 && range_start(&resp) == Some(from);
    if !resumed {
        // 200, a 416 or a range that does not start where we are: restart.
        *have = 0;
        file.set_len(0).map_err(write_err)?;
        file.seek(SeekFrom::Start(0)).map_err(write_err)?;
        if status != 200 {
            return Err(Short::Resume(format!(
                "answered {status} to a request from byte {from}"
            )));
        }
    }
    let want = size.or_else(|| content_length(resp.headers()).map(|n| n + *have));
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        let n = match resp.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) => return Err(Short::Resume(error_chain(&e))),
        };
        file.write_all(&chunk[..n]).map_err(write_err)?;
        *have += n as u64;
        progress.advance(n as u64);
        if let Some(w) = want.filter(|w| *have > *w) {
            return Err(Short::Fatal(fail(format!(
                "the server sent more than the {w} bytes it announced"
            ))));
        }
        if Instant::now() > deadline {
            return Err(Short::Resume("too slow".into()));
        }
    }
    match want {
        Some(w) if *have < w => Err(Short::Resume(format!(
            "the body ended after {have} of {w} bytes"
        ))),
        _ => Ok(()),
    }
}

/// The first byte of a 206's `Content-Range: bytes S-E/T`.
fn range_start(resp: &Response) -> Option<u64> {
    let v = resp.headers().get("content-range")?.to_str().ok()?;
    let spec = v.trim().strip_prefix("bytes ")?;
    spec.split('-').next()?.trim().parse().ok()
}
