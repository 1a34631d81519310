//! Getting real data from the Hugging Face Hub.
//!
//! - [`fetch`]: the paper's annotated release and the weekly hub-stats
//!   snapshots, downloaded ([`cache`]) into the standard Hugging Face cache
//!   (`HF_HOME`), checked (size, sha256), placed under `data/raw/<name>/`
//!   with a `fetch-manifest.json`; offline (`HF_HUB_OFFLINE=1`) from the
//!   cache alone.
//! - [`collect`]: the HF API listing (`GET /api/models` with `expand[]`),
//!   written page by page so that `hubecon prepare --input DIR` reads it,
//!   resumable after a crash.
//!
//! [`env::HubConfig`] holds the endpoint, cache, token, offline flag and the
//! retry and rate policy; [`env::HubConfig::from_env`] reads them from the
//! usual `HF_*` variables.

pub mod cache;
pub mod collect;
pub mod download;
pub mod env;
pub mod error;
pub mod fetch;
pub mod files;
pub mod http;
pub mod manifest;
pub mod safe;
pub mod tree;

pub use collect::{CollectOptions, CollectReport, collect};
pub use env::{HubConfig, RequestPolicy};
pub use error::{HubError, HubResult};
pub use fetch::{FetchOptions, FetchReport, fetch_release, fetch_snapshots};
pub use manifest::{FetchManifest, FetchedFile};
