//! `hubecon dashboard`: the interactive dashboard, one self-contained HTML
//! file built from the analyses' outputs.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::Args;

/// Build the interactive dashboard: one HTML file (data and scripts inlined,
/// no network at view time) with download shares by country group,
/// organization type and top developers, concentration, model properties,
/// lineage and intermediaries. It reads only the analyses' outputs
/// (figures/*.csv, *.json): run `hubecon figures` (or `reproduce`) first.
#[derive(Args)]
pub struct DashboardArgs {
    /// The analyses' outputs (a figures folder).
    #[arg(long, value_name = "DIR", default_value = "figures")]
    pub figures: PathBuf,
    /// The old spelling of --figures, refused with its new name.
    #[arg(long = "data", value_name = "DIR", hide = true)]
    pub old_data: Option<PathBuf>,
    /// Where the page goes.
    #[arg(long, value_name = "FILE", default_value = hubecon_dashboard::DEFAULT_OUT)]
    pub out: PathBuf,
}

pub fn run(args: DashboardArgs) -> anyhow::Result<()> {
    super::renamed(
        &args.old_data,
        "--data",
        "--figures",
        "the analyses' outputs",
    )?;
    dashboard(&args.figures, &args.out)
}

/// Builds the page and says where it is and how large.
pub fn dashboard(figures: &Path, out: &Path) -> anyhow::Result<()> {
    let built = hubecon_dashboard::build(figures, out)
        .with_context(|| format!("building the dashboard {}", out.display()))?;
    println!(
        "dashboard: wrote {} ({:.1} MB)",
        out.display(),
        built.bytes as f64 / 1e6
    );
    Ok(())
}
