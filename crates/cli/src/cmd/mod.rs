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

use std::path::PathBuf;

/// Refuses an option's old spelling, naming the new one: each word means
/// one thing on every command (`--input` raw data, `--dataset` a prepared
/// dataset, `--figures` a figures folder).
pub fn renamed(
    old: &Option<PathBuf>,
    old_name: &str,
    new_name: &str,
    what: &str,
) -> anyhow::Result<()> {
    match old {
        Some(_) => Err(crate::UsageError(format!(
            "{old_name} is now {new_name} ({what}); {old_name} meant different things on different commands"
        ))
        .into()),
        None => Ok(()),
    }
}
