//! `hubecon collect`.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use hubecon_ingest::hub::collect::MAX_PAGE_SIZE;
use hubecon_ingest::hub::{CollectOptions, HubConfig, collect};

use crate::progress::Bars;

/// Collect the HF API model listing (GET /api/models with the expand[]
/// fields prepare reads), one page-NNNNNN.json per page.
///
/// Each page is written as it arrives and collect-state.json records where
/// to go on, so an interrupted run loses at most one page: run the same
/// command again to resume. Then: hubecon prepare --input DIR.
/// Honours HF_ENDPOINT and HF_TOKEN.
#[derive(Args)]
pub struct CollectArgs {
    /// The folder of pages (created; resumed if it holds a collection).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Stop after this many models.
    #[arg(long, value_name = "N")]
    pub limit: Option<u64>,
    /// Only this user's or organization's models.
    #[arg(long, value_name = "A")]
    pub author: Option<String>,
    /// The Hub to ask (default: HF_ENDPOINT, else https://huggingface.co).
    #[arg(long, value_name = "URL")]
    pub endpoint: Option<String>,
    /// Models per page (the API serves at most 1000).
    #[arg(long, default_value_t = MAX_PAGE_SIZE)]
    pub page_size: u32,
    /// Requests per second, at most.
    #[arg(long, default_value_t = 2.0)]
    pub rate: f64,
}

pub fn run(args: CollectArgs) -> anyhow::Result<()> {
    run_with(args, HubConfig::from_env()?)
}

/// [`run`] with an explicit Hub configuration (tests).
pub fn run_with(args: CollectArgs, mut cfg: HubConfig) -> anyhow::Result<()> {
    if let Some(e) = &args.endpoint {
        cfg.endpoint = e.trim_end_matches('/').to_string();
    }
    anyhow::ensure!(
        args.rate > 0.0 && args.rate.is_finite(),
        "--rate must be a positive number of requests per second, got {}",
        args.rate
    );
    cfg.policy.requests_per_second = args.rate;
    let opts = CollectOptions {
        out: args.out.clone(),
        limit: args.limit,
        author: args.author,
        page_size: args.page_size,
    };
    let r = collect(&cfg, &opts, &Bars::new()).with_context(|| {
        format!(
            "collecting {}/api/models into {}",
            cfg.endpoint,
            args.out.display()
        )
    })?;
    if r.started_at_page > 1 {
        println!("collect: resumed at page {}", r.started_at_page);
    }
    println!(
        "collect: {} page(s) this run; {} page(s), {} models in {}{}",
        r.pages_this_run,
        r.pages_written,
        r.models_written,
        r.dir.display(),
        if r.complete { " (complete)" } else { "" }
    );
    println!(
        "collect: next: hubecon prepare --input {} --out DIR",
        r.dir.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: CollectArgs,
    }

    #[test]
    fn defaults_are_full_pages_at_two_requests_a_second() {
        let cli = Cli::try_parse_from(["x", "--out", "pages", "--author", "Qwen"]).unwrap();
        assert_eq!(cli.args.page_size, 1000);
        assert_eq!(cli.args.rate, 2.0);
        assert_eq!(cli.args.author.as_deref(), Some("Qwen"));
        assert!(cli.args.limit.is_none());
    }

    #[test]
    fn offline_collect_is_refused_before_any_request() {
        let out = tempfile::tempdir().unwrap();
        let cli = Cli::try_parse_from(["x", "--out", out.path().to_str().unwrap()]).unwrap();
        let mut cfg = HubConfig::new("http://127.0.0.1:9", out.path());
        cfg.offline = true;
        let msg = format!("{:#}", run_with(cli.args, cfg).unwrap_err());
        assert!(msg.contains("HF_HUB_OFFLINE"), "{msg}");
    }
}
