//! `hubecon fetch`.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand};
use hubecon_ingest::hub::{FetchOptions, FetchReport, HubConfig, fetch_release, fetch_snapshots};

use crate::progress::Bars;

/// Download real Hub data into the Hugging Face cache and data/raw/.
///
/// Files go to the standard cache (HF_HOME, default ~/.cache/huggingface),
/// are checked (size, sha256), then linked (or copied) under --out with a
/// fetch-manifest.json recording each file's repo, path, commit, size and
/// sha256. Honours HF_ENDPOINT, HF_HOME, HF_TOKEN and HF_HUB_OFFLINE=1
/// (offline: the cache only).
#[derive(Args)]
pub struct FetchArgs {
    #[command(subcommand)]
    pub what: FetchWhat,
}

#[derive(Subcommand)]
pub enum FetchWhat {
    /// The paper's annotated release (dataset mmpr/open_model_evolution_data):
    /// all_downloads_with_annotations.parquet and one_year_rolling.parquet,
    /// into <out>/release/.
    Release(CommonArgs),
    /// Weekly hub-stats snapshots (dataset hfmlsoc/hub_weekly_snapshots):
    /// models/<YYYY-MM-DD>/models.parquet for every snapshot dated in the
    /// range, into <out>/hub_weekly_snapshots/. Missing weeks are skipped
    /// with a note.
    Snapshots(SnapshotArgs),
}

#[derive(Args)]
pub struct CommonArgs {
    /// Branch, tag or commit of the dataset repo.
    #[arg(long, default_value = "main")]
    pub revision: String,
    /// The raw-data folder that receives release/ or hub_weekly_snapshots/.
    #[arg(long, default_value = "data/raw", value_name = "DIR")]
    pub out: PathBuf,
    /// Use only the cache, as HF_HUB_OFFLINE=1 does.
    #[arg(long)]
    pub offline: bool,
}

#[derive(Args)]
pub struct SnapshotArgs {
    /// First snapshot date to fetch (inclusive).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub from: chrono::NaiveDate,
    /// Last snapshot date to fetch (inclusive).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub to: chrono::NaiveDate,
    #[command(flatten)]
    pub common: CommonArgs,
}

pub fn run(args: FetchArgs) -> anyhow::Result<()> {
    run_with(args, HubConfig::from_env()?)
}

/// [`run`] with an explicit Hub configuration (tests).
pub fn run_with(args: FetchArgs, mut cfg: HubConfig) -> anyhow::Result<()> {
    let bars = Bars::new();
    let report = match args.what {
        FetchWhat::Release(c) => {
            cfg.offline |= c.offline;
            fetch_release(&cfg, &options(&c), &bars).context("fetching the annotated release")?
        }
        FetchWhat::Snapshots(s) => {
            cfg.offline |= s.common.offline;
            fetch_snapshots(&cfg, &options(&s.common), s.from, s.to, &bars)
                .with_context(|| format!("fetching weekly snapshots {} to {}", s.from, s.to))?
        }
    };
    print_report(&report, cfg.offline);
    Ok(())
}

fn options(c: &CommonArgs) -> FetchOptions {
    FetchOptions {
        revision: c.revision.clone(),
        out_root: c.out.clone(),
    }
}

fn print_report(r: &FetchReport, offline: bool) {
    for f in &r.fetched {
        println!(
            "fetch: {} ({} bytes, sha256 {}, commit {})",
            r.dir.join(&f.local).display(),
            f.size,
            &f.sha256[..12.min(f.sha256.len())],
            &f.revision[..12.min(f.revision.len())],
        );
    }
    for n in &r.notes {
        println!("fetch: note: {n}");
    }
    println!(
        "fetch: {} file(s){} into {} ({} hard-linked from the cache, {} copied); manifest {}",
        r.fetched.len(),
        if offline {
            " from the cache (offline)"
        } else {
            ""
        },
        r.dir.display(),
        r.linked,
        r.fetched.len() - r.linked,
        r.dir.join("fetch-manifest.json").display()
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: FetchArgs,
    }

    #[test]
    fn snapshot_arguments_parse_with_their_defaults() {
        let cli = Cli::try_parse_from([
            "x",
            "snapshots",
            "--from",
            "2024-06-01",
            "--to",
            "2024-06-30",
        ])
        .unwrap();
        let FetchWhat::Snapshots(s) = cli.args.what else {
            panic!("not snapshots");
        };
        assert_eq!(s.from.to_string(), "2024-06-01");
        assert_eq!(s.common.revision, "main");
        assert_eq!(s.common.out, PathBuf::from("data/raw"));
        assert!(!s.common.offline);
        assert!(Cli::try_parse_from(["x", "snapshots", "--from", "June"]).is_err());
    }

    #[test]
    fn offline_flag_with_an_empty_cache_names_the_missing_file() {
        let cache = tempfile::tempdir().unwrap();
        let out = tempfile::tempdir().unwrap();
        let cli = Cli::try_parse_from([
            "x",
            "release",
            "--offline",
            "--out",
            out.path().to_str().unwrap(),
        ])
        .unwrap();
        let cfg = HubConfig::new("http://127.0.0.1:9", cache.path());
        let e = run_with(cli.args, cfg).unwrap_err();
        let msg = format!("{e:#}");
        assert!(
            msg.contains("all_downloads_with_annotations.parquet"),
            "{msg}"
        );
        assert!(msg.contains("mmpr/open_model_evolution_data"), "{msg}");
        assert_eq!(crate::exit_code(&e), 1);
    }
}
