//! GET with bounded retries and a bounded request rate: the one HTTP path
//! of the API listing (`collect`) and of the repo file listings (`fetch`).
//!
//! 429: wait `Retry-After` seconds (capped), else the backoff. 5xx and
//! dropped connections: exponential backoff. 401/403: an error about
//! HF_TOKEN. Every request waits for the rate limit first.

use std::io::Read;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use reqwest::Url;
use reqwest::blocking::{Client, RequestBuilder, Response};
use reqwest::header::{
    AUTHORIZATION, CONTENT_LENGTH, HeaderMap, LINK, LOCATION, RANGE, RETRY_AFTER,
};
use reqwest::redirect::Policy;

use super::env::{HubConfig, RequestPolicy};
use super::error::{HubError, HubResult};

/// A successful response: its body and the `rel="next"` page, if any.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub url: String,
    pub body: Vec<u8>,
    pub next: Option<String>,
}

/// A blocking client bound to one endpoint and one policy.
pub struct Http {
    client: Client,
    /// For HEADs of resolve URLs, whose own headers (not the CDN's) name
    /// the blob and the commit.
    no_redirect: Client,
    token: Option<String>,
    endpoint: Url,
    policy: RequestPolicy,
    last_request: Mutex<Option<Instant>>,
}

/// Why one attempt failed in a way worth retrying.
pub(crate) enum Transient {
    RateLimited,
    Server(u16),
    Transport(String),
}

enum Attempt<T> {
    Done(T),
    Retry(Transient, Duration),
    Fail(HubError),
}

/// Same-origin redirects a HEAD follows (a renamed repo), at most.
const MAX_HEAD_HOPS: usize = 5;

impl Http {
    pub fn new(cfg: &HubConfig) -> HubResult<Self> {
        let endpoint = Url::parse(&cfg.endpoint).map_err(|e| HubError::Config {
            detail: format!("HF_ENDPOINT {:?} is not a URL: {e}", cfg.endpoint),
        })?;
        // The blocking client's `timeout` bounds each wait (the head, then
        // every read of the body), not the whole transfer: `max_duration`
        // does that.
        let build = |redirects: Policy| {
            Client::builder()
                .user_agent(concat!("hubecon/", env!("CARGO_PKG_VERSION")))
                .timeout(cfg.policy.read_timeout)
                .connect_timeout(cfg.policy.connect_timeout)
                .redirect(redirects)
                .build()
                .map_err(|e| HubError::Config {
                    detail: format!("cannot build the HTTP client: {e}"),
                })
        };
        Ok(Self {
            client: build(Policy::limited(10))?,
            no_redirect: build(Policy::none())?,
            token: cfg.token.clone(),
            endpoint,
            policy: cfg.policy,
            last_request: Mutex::new(None),
        })
    }

    pub fn policy(&self) -> &RequestPolicy {
        &self.policy
    }

    /// The endpoint joined with `path_and_query` (which starts with `/`).
    pub fn url(&self, path: &str) -> HubResult<Url> {
        let base = self.endpoint.as_str().trim_end_matches('/');
        Url::parse(&format!("{base}{path}")).map_err(|e| HubError::Config {
            detail: format!("bad URL {base}{path}: {e}"),
        })
    }

    /// GETs `url` whole (at most `max_page_bytes`), retrying transient
    /// failures within the policy. `not_found_hint` completes a 404.
    pub fn get(&self, url: &str, not_found_hint: &str) -> HubResult<Fetched> {
        self.retrying(url, |tries| {
            match self.send(self.client.get(url), url, tries, not_found_hint, false) {
                Attempt::Done(resp) => self.read_body(url, resp, tries),
                Attempt::Retry(w, d) => Attempt::Retry(w, d),
                Attempt::Fail(e) => Attempt::Fail(e),
            }
        })
    }

    /// The headers of a HEAD of `url`, redirects not followed except
    /// relative ones, with the URL that answered.
    pub fn head(&self, url: &str, not_found_hint: &str) -> HubResult<(String, HeaderMap)> {
        let mut at = url.to_string();
        let mut last = 0;
        for _ in 0..MAX_HEAD_HOPS {
            let resp = self.retrying(&at, |tries| {
                self.send(self.no_redirect.head(&at), &at, tries, not_found_hint, true)
            })?;
            // Only a relative redirect (a renamed repo) is followed, as
            // hf-hub does: an absolute one is the CDN, whose headers are not
            // the Hub's.
            let hop = resp
                .status()
                .is_redirection()
                .then(|| resp.headers().get(LOCATION)?.to_str().ok())
                .flatten()
                .filter(|l| l.starts_with('/') && !l.starts_with("//"))
                .and_then(|l| resolve(&at, l))
                .filter(|l| self.same_origin(l));
            last = resp.status().as_u16();
            match hop {
                Some(next) => at = next,
                None => return Ok((at, resp.headers().clone())),
            }
        }
        Err(HubError::Http {
            url: url.to_string(),
            status: last,
            detail: format!("more than {MAX_HEAD_HOPS} redirects in a row, the last to {at}"),
        })
    }

    /// Opens a GET of `url` from byte `from` (a `Range` request when
    /// non-zero), redirects followed. The caller reads the body; a 416 is
    /// returned too, so that it can restart from byte 0.
    pub fn open(&self, url: &str, from: u64, not_found_hint: &str) -> HubResult<Response> {
        self.retrying(url, |tries| {
            let mut req = self.client.get(url);
            if from > 0 {
                req = req.header(RANGE, format!("bytes={from}-"));
            }
            self.send(req, url, tries, not_found_hint, false)
        })
    }

    fn retrying<T>(&self, url: &str, attempt: impl Fn(u32) -> Attempt<T>) -> HubResult<T> {
        let mut tries = 0;
        loop {
            tries += 1;
            self.pace();
            match attempt(tries) {
                Attempt::Done(f) => return Ok(f),
                Attempt::Fail(e) => return Err(e),
                Attempt::Retry(_, wait) if tries < self.policy.max_tries.max(1) => {
                    std::thread::sleep(wait);
                }
                Attempt::Retry(why, _) => return Err(give_up(why, url, tries)),
            }
        }
    }

    /// Sends `req` and sorts the answer: 2xx (and 3xx when `redirect_ok`,
    /// and 416) is done, 429/5xx/transport are retried, the rest fail.
    fn send(
        &self,
        mut req: RequestBuilder,
        url: &str,
        tries: u32,
        not_found_hint: &str,
        redirect_ok: bool,
    ) -> Attempt<Response> {
        if let Some(t) = self.token.as_deref().filter(|_| self.same_origin(url)) {
            req = req.header(AUTHORIZATION, format!("Bearer {t}"));
        }
        let resp = match req.send() {
            Ok(r) => r,
            Err(e) => {
                return Attempt::Retry(
                    Transient::Transport(error_chain(&e)),
                    self.policy.backoff(tries),
                );
            }
        };
        let status = resp.status().as_u16();
        match status {
            200..=299 | 416 => Attempt::Done(resp),
            300..=399 if redirect_ok => Attempt::Done(resp),
            429 => {
                let wait = retry_after(resp.headers())
                    .map(|w| w.min(self.policy.max_retry_after))
                    .unwrap_or_else(|| self.policy.backoff(tries));
                Attempt::Retry(Transient::RateLimited, wait)
            }
            500..=599 => Attempt::Retry(Transient::Server(status), self.policy.backoff(tries)),
            401 | 403 => Attempt::Fail(HubError::Auth {
                url: url.to_string(),
                status,
                token_set: self.token.is_some(),
            }),
            404 => Attempt::Fail(HubError::NotFound {
                url: url.to_string(),
                status,
                hint: not_found_hint.to_string(),
            }),
            _ => Attempt::Fail(HubError::Http {
                url: url.to_string(),
                status,
                detail: snippet(&String::from_utf8_lossy(
                    &read_capped(resp, 4096, Instant::now() + self.policy.read_timeout)
                        .unwrap_or_default(),
                )),
            }),
        }
    }

    fn read_body(&self, url: &str, resp: Response, tries: u32) -> Attempt<Fetched> {
        let next = resp
            .headers()
            .get_all(LINK)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(next_link)
            .and_then(|n| resolve(url, &n));
        // Never follow a next link off the endpoint: it could be anyone's.
        if let Some(n) = next.as_ref().filter(|n| !self.same_origin(n)) {
            return Attempt::Fail(HubError::ForeignLink {
                url: url.to_string(),
                next: n.clone(),
                endpoint: self.endpoint.origin().ascii_serialization(),
            });
        }
        let limit = self.policy.max_page_bytes;
        let too_large = || {
            Attempt::Fail(HubError::PageTooLarge {
                url: url.to_string(),
                limit,
            })
        };
        if content_length(resp.headers()).is_some_and(|n| n > limit) {
            return too_large();
        }
        let deadline = Instant::now() + self.policy.max_duration;
        match read_capped(resp, limit, deadline) {
            Ok(body) => Attempt::Done(Fetched {
                url: url.to_string(),
                body,
                next,
            }),
            Err(BodyError::TooLarge) => too_large(),
            Err(BodyError::TooSlow) => Attempt::Fail(HubError::TooSlow {
                url: url.to_string(),
                what: "one page",
                secs: self.policy.max_duration.as_secs(),
            }),
            Err(BodyError::Io(e)) => Attempt::Retry(
                Transient::Transport(format!("the body ended early: {e}")),
                self.policy.backoff(tries),
            ),
        }
    }

    /// Waits until the rate limit allows the next request.
    fn pace(&self) {
        let gap = self.policy.min_interval();
        let Ok(mut last) = self.last_request.lock() else {
            return;
        };
        if let Some(t) = *last {
            let due = t + gap;
            let now = Instant::now();
            if due > now {
                std::thread::sleep(due - now);
            }
        }
        *last = Some(Instant::now());
    }

    /// Whether `url` is on the endpoint's scheme, host and port: the token
    /// goes only there, and only such next links are followed.
    pub fn same_origin(&self, url: &str) -> bool {
        Url::parse(url).is_ok_and(|u| u.origin() == self.endpoint.origin())
    }
}

/// Why a body could not be read whole.
#[derive(Debug)]
pub(crate) enum BodyError {
    TooLarge,
    TooSlow,
    Io(String),
}

/// The body of `resp`, at most `limit` bytes, before `deadline`.
fn read_capped(mut resp: Response, limit: u64, deadline: Instant) -> Result<Vec<u8>, BodyError> {
    let mut body = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        let n = resp
            .read(&mut chunk)
            .map_err(|e| BodyError::Io(error_chain(&e)))?;
        if n == 0 {
            return Ok(body);
        }
        body.extend_from_slice(&chunk[..n]);
        if body.len() as u64 > limit {
            return Err(BodyError::TooLarge);
        }
        if Instant::now() > deadline {
            return Err(BodyError::TooSlow);
        }
    }
}

/// `Content-Length`, when present and a number.
pub fn content_length(h: &HeaderMap) -> Option<u64> {
    h.get(CONTENT_LENGTH)?.to_str().ok()?.trim().parse().ok()
}

pub(crate) fn give_up(why: Transient, url: &str, tries: u32) -> HubError {
    let url = url.to_string();
    match why {
        Transient::RateLimited => HubError::RateLimited { url, tries },
        Transient::Server(status) => HubError::Server { url, status, tries },
        Transient::Transport(detail) => HubError::Unreachable { url, tries, detail },
    }
}

/// `Retry-After` in seconds (the Hub's form); an HTTP date is not used.
fn retry_after(h: &reqwest::header::HeaderMap) -> Option<Duration> {
    let s = h.get(RETRY_AFTER)?.to_str().ok()?;
    s.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// The `rel="next"` target of one `Link` header value.
pub fn next_link(header: &str) -> Option<String> {
    header.split('<').skip(1).find_map(|part| {
        let (target, params) = part.split_once('>')?;
        let params = params.split_once(",").map_or(params, |(p, _)| p);
        let is_next = params.split(';').any(|p| {
            let p = p.trim().to_ascii_lowercase();
            p.strip_prefix("rel=")
                .is_some_and(|v| v.trim_matches('"').split_whitespace().any(|r| r == "next"))
        });
        is_next.then(|| target.trim().to_string())
    })
}

pub fn resolve(base: &str, target: &str) -> Option<String> {
    let base = Url::parse(base).ok()?;
    base.join(target).ok().map(String::from)
}

pub(crate) fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(c) = src {
        s.push_str(": ");
        s.push_str(&c.to_string());
        src = c.source();
    }
    s
}

fn snippet(body: &str) -> String {
    let s: String = body.chars().take(200).collect();
    if s.is_empty() {
        "(empty body)".into()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_link_is_found_among_several_relations() {
        let h = r#"<https://h/api/models?cursor=a>; rel="prev", <https://h/api/models?cursor=b>; rel="next""#;
        assert_eq!(
            next_link(h).as_deref(),
            Some("https://h/api/models?cursor=b")
        );
        assert_eq!(next_link(r#"<https://h/x>; rel="prev""#), None);
        assert_eq!(
            next_link("<https://h/y>; rel=next").as_deref(),
            Some("https://h/y")
        );
    }

    #[test]
    fn relative_next_links_resolve_against_the_request() {
        assert_eq!(
            resolve(
                "http://127.0.0.1:8/api/models?limit=2",
                "/api/models?cursor=x"
            )
            .as_deref(),
            Some("http://127.0.0.1:8/api/models?cursor=x")
        );
    }

    #[test]
    fn token_is_only_sent_to_the_endpoint() {
        let mut cfg = HubConfig::new("https://huggingface.co", "/c");
        cfg.token = Some("hf_x".into());
        let http = Http::new(&cfg).unwrap();
        assert!(http.same_origin("https://huggingface.co/api/models?cursor=1"));
        assert!(!http.same_origin("https://elsewhere.example/api/models"));
        assert!(!http.same_origin("http://huggingface.co/api/models"));
    }
}
