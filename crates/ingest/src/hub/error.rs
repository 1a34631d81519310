//! Typed errors of the Hub downloads and the API collection. Each names the
//! repo, file or URL involved and says what to do about it.

use std::path::PathBuf;

/// Where the token advice comes from, so the message fits the situation.
fn token_advice(token_set: bool) -> &'static str {
    if token_set {
        "HF_TOKEN (or the token file under HF_HOME) is set but was refused: check that it is \
         valid and has read access, and that you accepted the repo's terms on the Hub"
    } else {
        "no token is set: create a read token at https://huggingface.co/settings/tokens and \
         export HF_TOKEN=hf_..., or accept the repo's terms on the Hub first"
    }
}

#[derive(Debug, thiserror::Error)]
pub enum HubError {
    #[error(
        "offline (HF_HUB_OFFLINE=1): {file} of dataset {repo} at revision {revision} is not in \
         the Hugging Face cache {cache}. Fetch it once online (unset HF_HUB_OFFLINE), or point \
         HF_HOME at a cache that has it"
    )]
    NotCached {
        repo: String,
        file: String,
        revision: String,
        cache: PathBuf,
    },
    #[error(
        "dataset {repo} at revision {revision} has no file {file} ({url}); check \
         --revision, or whether the repo moved"
    )]
    FileNotInRepo {
        repo: String,
        file: String,
        revision: String,
        url: String,
    },
    #[error(
        "{what} of dataset {repo} between {from} and {to} (revision {revision}): none found{where_}; \
         {advice}"
    )]
    NothingInRange {
        repo: String,
        what: String,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
        revision: String,
        where_: String,
        advice: String,
    },
    #[error("--from {from} is after --to {to}")]
    BadRange {
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
    },
    #[error("{url} answered {status} (not found): {hint}")]
    NotFound {
        url: String,
        status: u16,
        hint: String,
    },
    #[error("{url} answered {status}: access denied. {}", token_advice(*token_set))]
    Auth {
        url: String,
        status: u16,
        token_set: bool,
    },
    #[error(
        "{url} kept answering 429 (rate limited) after {tries} tries; wait a while and run the \
         same command again (it resumes), or lower --rate"
    )]
    RateLimited { url: String, tries: u32 },
    #[error(
        "{url} answered {status} after {tries} tries with backoff; the Hub may be down, run the \
         same command again later (it resumes)"
    )]
    Server {
        url: String,
        status: u16,
        tries: u32,
    },
    #[error(
        "cannot reach {url} after {tries} tries ({detail}); check the network, a proxy, or \
         HF_ENDPOINT (`hubecon fetch` reads what is already cached with HF_HUB_OFFLINE=1)"
    )]
    Unreachable {
        url: String,
        tries: u32,
        detail: String,
    },
    #[error("{url} answered {status}: {detail}")]
    Http {
        url: String,
        status: u16,
        detail: String,
    },
    #[error(
        "downloading {file} of dataset {repo} (revision {revision}) failed: {detail}. Nothing \
         partial was kept: run the same command again to restart it"
    )]
    Download {
        repo: String,
        file: String,
        revision: String,
        detail: String,
    },
    #[error(
        "{url} answered a {header} header {value:?}, which is not {expected}; no cache path \
         was built from it. Is HF_ENDPOINT a Hub you trust?"
    )]
    UnsafeHeader {
        url: String,
        header: &'static str,
        value: String,
        expected: &'static str,
    },
    #[error("{what} {value:?} cannot name a file in the cache: {detail}")]
    UnsafePath {
        what: &'static str,
        value: String,
        detail: &'static str,
    },
    #[error(
        "{path} resolves to {target}, outside the Hugging Face cache {cache}; it was left \
         alone. Delete the cache entry {path} (or the whole cache) and fetch again"
    )]
    OutsideCache {
        path: PathBuf,
        target: PathBuf,
        cache: PathBuf,
    },
    #[error(
        "{url} links its next page to {next}, which is not on the endpoint {endpoint}; \
         refusing to follow it (the token is only ever sent to the endpoint)"
    )]
    ForeignLink {
        url: String,
        next: String,
        endpoint: String,
    },
    #[error("{url} sent more than {limit} bytes for one page; refusing to read on")]
    PageTooLarge { url: String, limit: u64 },
    #[error(
        "{url} did not finish within {secs} s ({what}); the server is too slow or stalled. \
         Raise HUBECON_MAX_DURATION, or run the same command again later"
    )]
    TooSlow {
        url: String,
        what: &'static str,
        secs: u64,
    },
    #[error(
        "{file} of dataset {repo}: the downloaded copy is corrupt ({what}: expected {expected}, \
         found {found}); it was removed from the cache, run the same command again"
    )]
    Corrupt {
        repo: String,
        file: String,
        what: &'static str,
        expected: String,
        found: String,
    },
    #[error(
        "page {page} of the API listing ({url}) is not a JSON array of models: {detail}. The \
         pages before it are kept; run the same command again to retry from page {page}"
    )]
    MalformedPage {
        page: u32,
        url: String,
        detail: String,
    },
    #[error("the file listing {url} is not what the Hub API returns: {detail}")]
    MalformedListing { url: String, detail: String },
    #[error(
        "{dir} holds a collection made with other options ({detail}); use another --out, or \
         delete the folder to start over"
    )]
    StateMismatch { dir: PathBuf, detail: String },
    #[error(
        "{dir} already holds API pages but no collect-state.json, so the collection cannot be \
         resumed safely; use an empty --out folder"
    )]
    Unresumable { dir: PathBuf },
    #[error("{path} is unreadable: {detail}")]
    BadState { path: PathBuf, detail: String },
    #[error("offline (HF_HUB_OFFLINE=1): {what} needs the network; unset HF_HUB_OFFLINE")]
    Offline { what: String },
    #[error("bad Hub setting: {detail}")]
    Config { detail: String },
    #[error("cannot write or read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl HubError {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }
}

pub type HubResult<T> = std::result::Result<T, HubError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_message_depends_on_whether_a_token_was_sent() {
        let without = HubError::Auth {
            url: "u".into(),
            status: 401,
            token_set: false,
        };
        let with = HubError::Auth {
            url: "u".into(),
            status: 403,
            token_set: true,
        };
        assert!(without.to_string().contains("export HF_TOKEN"));
        assert!(with.to_string().contains("was refused"));
    }
}
