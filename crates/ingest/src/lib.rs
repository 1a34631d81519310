//! Readers for the Hub's raw data formats and the canonical tables of a
//! prepared dataset.
//!
//! This crate owns: the data contract ([`schema`]), the readers of each raw
//! source ([`hubstats`], [`release`], [`apijson`]) and their detection
//! ([`detect`]), the rules that turn cumulative counters into weekly
//! downloads ([`observations`]: numbered as read in
//! [`observation_table`], walked in [`counters`], bounded by [`week`]), the parsing of the
//! Hub's metadata ([`meta`]), the developer annotations ([`developers`]),
//! writing and loading a prepared dataset ([`prepare`], [`dataset`],
//! [`manifest`]), and getting real data from the Hub ([`hub`]: checked
//! downloads into the HF cache, the HF API listing). It depends on no other hubecon crate; lineage and the CLI
//! build on it.
// Errors carry the full location of bad input (file, column, row, model);
// they are rare and returned once per run, so their size does not matter.
#![allow(clippy::result_large_err)]

pub mod apijson;
pub mod assemble;
pub mod atomic;
pub mod bounds;
pub mod columns;
pub mod counters;
pub mod dataset;
pub mod detect;
pub mod developers;
pub mod error;
pub mod hub;
pub mod hubstats;
pub mod manifest;
pub mod meta;
pub mod observation_table;
pub mod observations;
pub mod parquet_io;
pub mod plain_parquet;
pub mod prepare;
pub mod release;
pub mod schema;
pub mod source;
pub mod week;

pub use dataset::{Dataset, load_dataset, load_dataset_without, lock_output, write_dataset};
pub use detect::FormatChoice;
pub use error::{IngestError, Result};
pub use prepare::{PrepareOptions, Prepared, finish, read_inputs};
pub use source::{Progress, Silent, SourceKind};
