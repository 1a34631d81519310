//! `hubecon`: the command-line front of the workspace.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use hubecon_cli::cmd;

/// Measure the open model economy: reproduce "Economies of Open
/// Intelligence" (arXiv:2512.03073) on Hugging Face Hub data.
#[derive(Parser)]
#[command(name = "hubecon", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Reproduce(cmd::reproduce::ReproduceArgs),
    Synth(cmd::synth::SynthArgs),
    Prepare(cmd::prepare::PrepareArgs),
    Fetch(cmd::fetch::FetchArgs),
    Collect(cmd::collect::CollectArgs),
    Figures(cmd::study::FiguresArgs),
    Claims(cmd::study::ClaimsArgs),
    Paper(cmd::study::PaperArgs),
    Compare(cmd::study::CompareArgs),
    Dashboard(cmd::dashboard::DashboardArgs),
    Serve(cmd::serve::ServeArgs),
    LineageEval(cmd::lineage::EvalArgs),
    Intermediaries(cmd::lineage::IntermediariesArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Reproduce(a) => cmd::reproduce::run(a),
        Command::Synth(a) => cmd::synth::run(a),
        Command::Prepare(a) => cmd::prepare::run(a),
        Command::Fetch(a) => cmd::fetch::run(a),
        Command::Collect(a) => cmd::collect::run(a),
        Command::Figures(a) => cmd::study::run_figures(a),
        Command::Claims(a) => cmd::study::run_claims(a),
        Command::Paper(a) => cmd::study::run_paper(a),
        Command::Compare(a) => cmd::study::run_compare(a),
        Command::Dashboard(a) => cmd::dashboard::run(a),
        Command::Serve(a) => cmd::serve::run(a),
        Command::LineageEval(a) => cmd::lineage::run_eval(a),
        Command::Intermediaries(a) => cmd::lineage::run_intermediaries(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", hubecon_cli::message(&e));
            ExitCode::from(hubecon_cli::exit_code(&e))
        }
    }
}
