//! Where the Hub is and how to talk to it: the endpoint, the Hugging Face
//! cache, the token, offline mode, and the retry and rate policy.
//!
//! [`HubConfig::from_env`] reads the same variables as the Python
//! `huggingface_hub` client; tests build a [`HubConfig`] explicitly so that
//! they never touch the process environment and can run in parallel.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::error::{HubError, HubResult};

/// The public Hub.
pub const DEFAULT_ENDPOINT: &str = "https://huggingface.co";

/// How the Hub is reached.
#[derive(Debug, Clone, PartialEq)]
pub struct HubConfig {
    /// Base URL of the Hub, without a trailing slash (`HF_ENDPOINT`).
    pub endpoint: String,
    /// The Hugging Face hub cache: `HF_HUB_CACHE`, else `$HF_HOME/hub`,
    /// holding `datasets--owner--name/{blobs,refs,snapshots}`.
    pub cache_dir: PathBuf,
    /// A read token (`HF_TOKEN`, else the file `$HF_HOME/token`).
    pub token: Option<String>,
    /// `HF_HUB_OFFLINE=1`: read only the cache, never the network.
    pub offline: bool,
    /// Retries of failed requests and the request rate.
    pub policy: RequestPolicy,
}

/// Bounded retries and a bounded request rate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RequestPolicy {
    /// Attempts per request before giving up (the first one included).
    pub max_tries: u32,
    /// Delay before the first retry of a 5xx or a dropped connection; it
    /// doubles on each further retry, up to `max_delay`.
    pub base_delay: Duration,
    /// The longest backoff delay.
    pub max_delay: Duration,
    /// The longest wait a 429's `Retry-After` may impose.
    pub max_retry_after: Duration,
    /// Requests per second, at most (0 = unbounded).
    pub requests_per_second: f64,
    /// The longest wait for a TCP (and TLS) connection.
    pub connect_timeout: Duration,
    /// The longest wait for the response head or for the next bytes of a
    /// body: a stalled server fails after this.
    pub read_timeout: Duration,
    /// The longest a whole API page, or a whole file download with its
    /// resumed retries, may take: a dripping server fails after this.
    pub max_duration: Duration,
    /// The largest API or listing page accepted, in bytes.
    pub max_page_bytes: u64,
}

impl Default for RequestPolicy {
    /// 5 tries with backoff 1 s, 2 s, 4 s, 8 s (16 s cap), `Retry-After`
    /// honoured up to 120 s, 2 requests per second, 10 s to connect, 30 s
    /// without a byte, 1 h for one page or file, pages up to 64 MiB.
    fn default() -> Self {
        Self {
            max_tries: 5,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(16),
            max_retry_after: Duration::from_secs(120),
            requests_per_second: 2.0,
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(30),
            max_duration: Duration::from_secs(3600),
            max_page_bytes: 64 << 20,
        }
    }
}

impl RequestPolicy {
    /// The backoff before retry number `retry` (1-based): base * 2^(retry-1),
    /// capped at `max_delay`.
    pub fn backoff(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.saturating_sub(1));
        self.base_delay.saturating_mul(factor).min(self.max_delay)
    }

    /// The shortest gap between two requests.
    pub fn min_interval(&self) -> Duration {
        if self.requests_per_second > 0.0 && self.requests_per_second.is_finite() {
            Duration::from_secs_f64(1.0 / self.requests_per_second)
        } else {
            Duration::ZERO
        }
    }
}

impl HubConfig {
    /// A config for `endpoint` with the cache at `cache_dir`, no token,
    /// online, default policy.
    pub fn new(endpoint: &str, cache_dir: impl Into<PathBuf>) -> Self {
        Self {
            endpoint: endpoint.trim_end_matches('/').to_string(),
            cache_dir: cache_dir.into(),
            token: None,
            offline: false,
            policy: RequestPolicy::default(),
        }
    }

    /// Reads `HF_ENDPOINT`, `HF_HUB_CACHE`, `HF_HOME`, `HF_TOKEN` (or
    /// `HF_TOKEN_PATH`, or `$HF_HOME/token`) and `HF_HUB_OFFLINE` from the
    /// process environment, and the timeouts `HUBECON_CONNECT_TIMEOUT`,
    /// `HUBECON_READ_TIMEOUT` and `HUBECON_MAX_DURATION` (seconds).
    pub fn from_env() -> HubResult<Self> {
        Self::from_vars(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
    }

    /// [`HubConfig::from_env`] over any variable lookup (for tests).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> HubResult<Self> {
        let hf_home = hf_home(&var);
        let cache_dir = var("HF_HUB_CACHE")
            .map(PathBuf::from)
            .unwrap_or_else(|| hf_home.join("hub"));
        let endpoint = var("HF_ENDPOINT").unwrap_or_else(|| DEFAULT_ENDPOINT.to_string());
        let mut cfg = Self::new(&endpoint, cache_dir);
        cfg.token = var("HF_TOKEN").or_else(|| {
            let path = var("HF_TOKEN_PATH")
                .map(PathBuf::from)
                .unwrap_or_else(|| hf_home.join("token"));
            read_token_file(&path)
        });
        cfg.offline = var("HF_HUB_OFFLINE").is_some_and(|v| is_true(&v));
        let p = &mut cfg.policy;
        for (name, field) in [
            ("HUBECON_CONNECT_TIMEOUT", &mut p.connect_timeout),
            ("HUBECON_READ_TIMEOUT", &mut p.read_timeout),
            ("HUBECON_MAX_DURATION", &mut p.max_duration),
        ] {
            if let Some(v) = var(name) {
                *field = seconds(name, &v)?;
            }
        }
        Ok(cfg)
    }

    /// The folder of a dataset repo in the cache:
    /// `<cache>/datasets--owner--name`.
    pub fn dataset_folder(&self, repo: &str) -> PathBuf {
        self.cache_dir
            .join(format!("datasets--{}", repo.replace('/', "--")))
    }
}

/// `HF_HOME`, else `$XDG_CACHE_HOME/huggingface`, else
/// `~/.cache/huggingface` (the Python client's rule).
fn hf_home(var: &impl Fn(&str) -> Option<String>) -> PathBuf {
    if let Some(h) = var("HF_HOME") {
        return PathBuf::from(h);
    }
    let cache = var("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| var("HOME").map(|h| Path::new(&h).join(".cache")))
        .unwrap_or_else(|| PathBuf::from(".cache"));
    cache.join("huggingface")
}

fn read_token_file(path: &Path) -> Option<String> {
    let s = std::fs::read_to_string(path).ok()?;
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// A positive number of seconds (fractions allowed), else a config error
/// naming the variable.
fn seconds(name: &str, v: &str) -> HubResult<Duration> {
    v.trim()
        .parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s > 0.0 && *s < 1e9)
        .map(Duration::from_secs_f64)
        .ok_or_else(|| HubError::Config {
            detail: format!("{name}={v:?}: expected a positive number of seconds"),
        })
}

/// The Python client's truth values: 1, true, yes, on (any case).
fn is_true(v: &str) -> bool {
    matches!(
        v.trim().to_ascii_lowercase().as_str(),
        "1" | "true" | "yes" | "on"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let m: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| m.get(k).cloned()
    }

    #[test]
    fn hf_home_sets_the_cache_and_the_token_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("token"), "hf_abc\n").unwrap();
        let home = dir.path().to_str().unwrap();
        let cfg = HubConfig::from_vars(vars(&[("HF_HOME", home)])).unwrap();
        assert_eq!(cfg.cache_dir, dir.path().join("hub"));
        assert_eq!(cfg.token.as_deref(), Some("hf_abc"));
        assert_eq!(cfg.endpoint, DEFAULT_ENDPOINT);
        assert!(!cfg.offline);
    }

    #[test]
    fn explicit_variables_win() {
        let cfg = HubConfig::from_vars(vars(&[
            ("HF_HOME", "/h"),
            ("HF_HUB_CACHE", "/c"),
            ("HF_TOKEN", "hf_env"),
            ("HF_ENDPOINT", "http://127.0.0.1:9/"),
            ("HF_HUB_OFFLINE", "1"),
        ]))
        .unwrap();
        assert_eq!(cfg.cache_dir, PathBuf::from("/c"));
        assert_eq!(cfg.token.as_deref(), Some("hf_env"));
        assert_eq!(cfg.endpoint, "http://127.0.0.1:9");
        assert!(cfg.offline);
    }

    #[test]
    fn default_home_is_under_the_user_cache() {
        let cfg = HubConfig::from_vars(vars(&[("HOME", "/home/u")])).unwrap();
        assert_eq!(
            cfg.cache_dir,
            PathBuf::from("/home/u/.cache/huggingface/hub")
        );
        assert!(cfg.token.is_none());
    }

    #[test]
    fn offline_accepts_the_python_truth_values_only() {
        for (v, want) in [
            ("1", true),
            ("ON", true),
            ("yes", true),
            ("0", false),
            ("no", false),
        ] {
            let cfg = HubConfig::from_vars(vars(&[("HF_HUB_OFFLINE", v), ("HOME", "/x")])).unwrap();
            assert_eq!(cfg.offline, want, "HF_HUB_OFFLINE={v}");
        }
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        let p = RequestPolicy::default();
        let secs: Vec<u64> = (1..=6).map(|r| p.backoff(r).as_secs()).collect();
        assert_eq!(secs, [1, 2, 4, 8, 16, 16]);
        assert_eq!(p.min_interval(), Duration::from_millis(500));
    }

    #[test]
    fn timeouts_come_from_the_environment_and_bad_values_are_named() {
        let cfg = HubConfig::from_vars(vars(&[
            ("HOME", "/x"),
            ("HUBECON_READ_TIMEOUT", "0.5"),
            ("HUBECON_MAX_DURATION", "90"),
        ]))
        .unwrap();
        assert_eq!(cfg.policy.read_timeout, Duration::from_millis(500));
        assert_eq!(cfg.policy.max_duration, Duration::from_secs(90));
        assert_eq!(cfg.policy.connect_timeout, Duration::from_secs(10));
        for bad in ["0", "-1", "soon", "inf"] {
            let e = HubConfig::from_vars(vars(&[("HOME", "/x"), ("HUBECON_CONNECT_TIMEOUT", bad)]))
                .unwrap_err()
                .to_string();
            assert!(
                e.contains("HUBECON_CONNECT_TIMEOUT") && e.contains("seconds"),
                "{e}"
            );
        }
    }

    #[test]
    fn dataset_folder_uses_the_cache_layout() {
        let cfg = HubConfig::new("http://x", "/c");
        assert_eq!(
            cfg.dataset_folder("mmpr/open_model_evolution_data"),
            PathBuf::from("/c/datasets--mmpr--open_model_evolution_data")
        );
    }
}
