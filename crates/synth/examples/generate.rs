//! Generate a synthetic Hub and print what was written and how long it took.
//!
//! `cargo run -p hubecon-synth --example generate -- [MODELS] [SEED] [OUT] [SCENARIO.toml]`

use std::path::PathBuf;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args
        .get(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(hubecon_synth::DEFAULT_MODELS);
    let seed: u64 = args
        .get(2)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(hubecon_synth::DEFAULT_SEED);
    let out = PathBuf::from(
        args.get(3)
            .cloned()
            .unwrap_or_else(|| "target/synth-sample".into()),
    );
    let scenario = match args.get(4) {
        Some(p) => hubecon_synth::Scenario::from_path(std::path::Path::new(p))?,
        None => hubecon_synth::Scenario::default(),
    };
    let start = Instant::now();
    let report = hubecon_synth::generate(&scenario, n, seed, &out, &|stage, done, total| {
        if done == 0 || done == total {
            eprintln!(
                "{:>8.2}s {stage} {done}/{total}",
                start.elapsed().as_secs_f64()
            );
        }
    })?;
    let mut r = report.clone();
    r.files.truncate(3);
    println!("{}", serde_json::to_string_pretty(&r)?);
    println!("elapsed_seconds {:.2}", start.elapsed().as_secs_f64());
    Ok(())
}
