//! One module per subcommand: its clap arguments and its `run`.
pub mod collect;
pub mod dashboard;
pub mod fetch;
pub mod httpd;
pub mod lineage;
pub mod prepare;
pub mod reproduce;
pub mod serve;
pub mod study;
pub mod synth;
