//! GET with bounded retries and a bounded request rate: the one HTTP path
//! of the API listing (`collect`) and of the repo file listings (`fetch`).
//!
//! 429: wait `Retry-After` seconds (capped), else the backoff. 5xx and
//! dropped connections: exponential backoff. 401/403: an error about
//! HF_TOKEN. Every request waits for the rate limit first.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use reqwest::Url;
use reqwest::blocking::Client;
use reqwest::header::{AUTHORIZATION, LINK, RETRY_AFTER};

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
    token: Option<String>,
    endpoint: Url,
    policy: RequestPolicy,
    last_request: Mutex<Option<Instant>>,
}

/// Why one attempt failed in a way worth retrying.
enum Transient {
    RateLimited,
    Server(u16),
    Transport(String),
}

enum Attempt {
    Done(Fetched),
    Retry(Transient, Duration),
    Fail(HubError),
}

impl Http {
    pub fn new(cfg: &HubConfig) -> HubResult<Self> {
        let endpoint = Url::parse(&cfg.endpoint).map_err(|e| HubError::Config {
            detail: format!("HF_ENDPOINT {:?} is not a URL: {e}", cfg.endpoint),
        })?;
        let client = Client::builder()
            .user_agent(concat!("hubecon/", env!("CARGO_PKG_VERSION")))
            .timeout(cfg.policy.timeout)
            .connect_timeout(cfg.policy.timeout)
            .build()
            .map_err(|e| HubError::Config {
                detail: format!("cannot build the HTTP client: {e}"),
            })?;
        Ok(Self {
            client,
            token: cfg.token.clone(),
            endpoint,
            policy: cfg.policy,
            last_request: Mutex::new(None),
        })
    }

    /// The endpoint joined with `path_and_query` (which starts with `/`).
    pub fn url(&self, path: &str) -> HubResult<Url> {
        let base = self.endpoint.as_str().trim_end_matches('/');
        Url::parse(&format!("{base}{path}")).map_err(|e| HubError::Config {
            detail: format!("bad URL {base}{path}: {e}"),
        })
    }

    /// GETs `url`, retrying transient failures within the policy.
    /// `not_found_hint` completes the message of a 404.
    pub fn get(&self, url: &str, not_found_hint: &str) -> HubResult<Fetched> {
        let mut tries = 0;
        loop {
            tries += 1;
            self.pace();
            match self.attempt(url, tries, not_found_hint) {
                Attempt::Done(f) => return Ok(f),
                Attempt::Fail(e) => return Err(e),
                Attempt::Retry(_, wait) if tries < self.policy.max_tries.max(1) => {
                    std::thread::sleep(wait);
                }
                Attempt::Retry(why, _) => return Err(give_up(why, url, tries)),
            }
        }
    }

    fn attempt(&self, url: &str, tries: u32, not_found_hint: &str) -> Attempt {
        let mut req = self.client.get(url);
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
            200..=299 => self.read_body(url, resp, tries),
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
                detail: snippet(&resp.text().unwrap_or_default()),
            }),
        }
    }

    fn read_body(&self, url: &str, resp: reqwest::blocking::Response, tries: u32) -> Attempt {
        let next = resp
            .headers()
            .get_all(LINK)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(next_link)
            .and_then(|n| resolve(url, &n));
        match resp.bytes() {
            Ok(body) => Attempt::Done(Fetched {
                url: url.to_string(),
                body: body.to_vec(),
                next,
            }),
            Err(e) => Attempt::Retry(
                Transient::Transport(format!("the body ended early: {}", error_chain(&e))),
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

    /// The token goes only to the configured endpoint, never to another host
    /// named in a `Link` header.
    fn same_origin(&self, url: &str) -> bool {
        Url::parse(url).is_ok_and(|u| u.origin() == self.endpoint.origin())
    }
}

fn give_up(why: Transient, url: &str, tries: u32) -> HubError {
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

fn resolve(base: &str, target: &str) -> Option<String> {
    let base = Url::parse(base).ok()?;
    base.join(target).ok().map(String::from)
}

fn error_chain(e: &dyn std::error::Error) -> String {
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
