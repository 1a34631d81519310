//! `fetch` and `collect` against a loopback fake of the Hub (a random port
//! on 127.0.0.1, bounded in requests and time). Each test passes its own
//! `HubConfig`, so none touches the process environment.

mod hub {
    pub mod collect;
    pub mod fake;
    pub mod fetch;
    pub mod hostile;
    pub mod server;
}

use std::path::Path;
use std::time::Duration;

use hubecon_ingest::hub::{HubConfig, RequestPolicy};

/// A config for the loopback server: a token, and fast bounded retries.
pub fn config(base: &str, cache: &Path) -> HubConfig {
    let mut c = HubConfig::new(base, cache);
    c.token = Some("hf_test".into());
    c.policy = RequestPolicy {
        max_tries: 3,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(40),
        max_retry_after: Duration::from_secs(5),
        requests_per_second: 0.0,
        connect_timeout: Duration::from_secs(2),
        read_timeout: Duration::from_secs(2),
        max_duration: Duration::from_secs(10),
        max_page_bytes: 1 << 20,
    };
    c
}

/// Every file under `dir`, relative and sorted.
pub fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    out.sort();
    out
}
