//! The numbered analyses of the study: one module per figure or table, each
//! a library function so that the thin binaries in `src/bin/`, `hubecon
//! reproduce` and the snapshot tests run the same code on data loaded once.
//!
//! An analysis reads like its caption: load ([`Context`]), compute with
//! `hubecon-stats`, draw with `hubecon-plot`, write ([`emit::emit`]):
//! `figures/NN_slug.{svg,png,csv,json}`. Helpers two analyses share live in
//! [`common`]. The list and order is [`registry::ANALYSES`].
/// The allocator of every hubecon binary: each one links this crate (the
/// thirteen analyses, `hubecon`, the dashboard and the bench). glibc's
/// malloc hands large frees back to the kernel and gets fresh zeroed pages
/// for the next frame; at full scale that zeroing alone was 18% of
/// prepare's time (perf). See [`allocator`] for the analyses' one setting.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

// The study test (tests/study.rs) runs inside this crate's unit-test binary,
// not as an integration test: an integration test makes `cargo test` link
// all thirteen analysis binaries (about 300 MB each in the dev profile), and
// that disk is what CI ran out of. `extern crate self` keeps its
// `hubecon_analyses::` paths valid.
extern crate self as hubecon_analyses;
#[cfg(test)]
#[path = "../tests/study.rs"]
mod study;

pub mod a01_overview;
pub mod a02_country_shares;
pub mod a03_org_type_shares;
pub mod a04_top_developers;
pub mod a05_concentration;
pub mod a06_recent_country_shares;
pub mod a07_model_size;
pub mod a08_model_properties;
pub mod a09_openness;
pub mod a10_data_transparency;
pub mod a11_lineage_mix;
pub mod a12_intermediaries;
pub mod a13_significance;
pub mod allocator;
pub mod claim_evidence;
pub mod claim_rules;
pub mod claims;
pub mod common;
pub mod compare;
pub mod context;
pub mod contrast;
pub mod coverage;
pub mod emit;
pub mod explore;
pub mod lineage_tables;
pub mod numbering;
pub mod output;
pub mod output_set;
pub mod paper;
pub mod recent_cohort;
pub mod registry;
pub mod resample;
pub mod template;
#[cfg(test)]
mod test_frames;

pub use context::Context;
pub use registry::{ANALYSES, Analysis, main_for};
