//! The study's measurements: concentration, shares, growth and significance.
//!
//! `hubecon-stats` owns every statistic the analyses report about the Hub:
//!
//! - [`concentration`]: HHI (0-1 and 0-10,000), normalized HHI, Gini, top-k
//!   share (CR1, CR4, CR10, any k), Lorenz curve, effective number of
//!   developers and Shannon entropy, on plain slices and per time bucket on a
//!   polars frame ([`concentration_by`], [`lorenz_by`]; large inputs with
//!   integer-coded keys are summed in plain code, same numbers).
//! - [`buckets`]: the time buckets (week, month, quarter, year, the study
//!   periods `<=2022`, `2023`, `2024`, `2025`, and named periods from a config).
//! - [`shares`]: download share and model-count share of any category over
//!   time, in the direct or derived attribution lens and the all-downloads or
//!   first-year window ([`download_share`]).
//! - [`growth`]: growth ratios of download-weighted means and shares between
//!   two periods with seeded bootstrap confidence intervals ([`growth_ratio`]).
//! - [`cluster_bootstrap`]: the one inference of every contrast the claims
//!   decide on: a developer-cluster bootstrap of download-weighted means in
//!   periods or groups ([`ClusterCells`]), giving an estimate, a percentile
//!   interval and a p-value.
//! - [`hypothesis`]: two-proportion z, chi-square independence,
//!   Cochran-Armitage trend, Mann-Whitney U, a permutation test and the
//!   Benjamini-Hochberg adjustment, each returning a named [`TestResult`].
//! - [`weights`]: how download weights enter a test without inflating its
//!   sample size (Kish effective sample size).
//!
//! The crate does no I/O: every function takes slices, series or polars
//! frames and returns values or frames. Column names are passed in by the
//! caller (the data contract lives in `hubecon-ingest`), and every definition
//! and convention is written out in `notes/METHODS-stats.md`.

mod bucket_key_sums;
pub mod buckets;
mod calendar;
mod category_totals;
pub mod cluster_bootstrap;
pub mod concentration;
mod concentration_frame;
mod day_index;
mod error;
mod frames;
pub mod growth;
pub mod hypothesis;
mod number_join;
pub mod shares;
mod text_codes;
pub mod weights;

pub use buckets::{
    NamedPeriod, STUDY_PERIODS, TimeBucket, add_bucket, bucket_expr, bucket_order_expr,
    study_period_label, validate_periods,
};
pub use cluster_bootstrap::{BootstrapOptions, ClusterCells, Contrast, Support};
pub use concentration::{
    Concentration, ConcentrationOptions, GiniConvention, LorenzPoint, concentration,
    effective_number, gini, hhi, hhi_points, lorenz_curve, normalized_hhi, shannon_entropy,
    top_k_share,
};
pub use concentration_frame::{columns as concentration_columns, concentration_by, lorenz_by};
pub use error::{Result, StatsError};
pub use growth::{GrowthEstimate, GrowthSpec, Resample, growth_ratio};
pub use hypothesis::{
    ContingencyTable, TestResult, benjamini_hochberg, chi_square_independence,
    cochran_armitage_trend, mann_whitney_u, permutation_test_mean_difference, two_proportion_z,
    weighted_mann_whitney_u,
};
pub use number_join::{NumberJoin, join_on_number};
pub use shares::{
    Attribution, Category, ShareColumns, ShareSpec, Window, columns as share_columns,
    download_share,
};
pub use text_codes::{OrderedCodes, first_seen_codes, ordered_codes};
pub use weights::{Proportion, kish_effective_n, proportions_by, weighted_mean};
