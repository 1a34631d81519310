//! The list of analyses, in order, and the runner the thin binaries share.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;

use clap::Parser;

use crate::context::Context;

/// One numbered analysis.
pub struct Analysis {
    /// `01` .. `13`.
    pub id: &'static str,
    /// File stem of its outputs, e.g. `07_model_size`.
    pub stem: &'static str,
    pub title: &'static str,
    pub run: fn(&Context) -> anyhow::Result<Vec<PathBuf>>,
    /// Reads other analyses' outputs (13 gathers the tests of 03-12): runs
    /// once every analysis without this has finished.
    pub after_the_others: bool,
}

/// Every analysis, in registry order. [`run_all`] runs them two at a time,
/// 13 (which reads the tests of 03-12) once the others have finished.
pub const ANALYSES: &[Analysis] = &[
    Analysis {
        id: "01",
        stem: "01_dataset_overview",
        title: "Dataset overview",
        run: crate::a01_overview::run,
        after_the_others: false,
    },
    Analysis {
        id: "02",
        stem: "02_country_shares",
        title: "Download share by developer country group",
        run: crate::a02_country_shares::run,
        after_the_others: false,
    },
    Analysis {
        id: "03",
        stem: "03_org_type_shares",
        title: "Download share by organization type",
        run: crate::a03_org_type_shares::run,
        after_the_others: false,
    },
    Analysis {
        id: "04",
        stem: "04_top_developers",
        title: "The top developers over time",
        run: crate::a04_top_developers::run,
        after_the_others: false,
    },
    Analysis {
        id: "05",
        stem: "05_concentration",
        title: "Concentration over time",
        run: crate::a05_concentration::run,
        after_the_others: false,
    },
    Analysis {
        id: "06",
        stem: "06_recent_country_shares",
        title: "Recent-year country shares of new models",
        run: crate::a06_recent_country_shares::run,
        after_the_others: false,
    },
    Analysis {
        id: "07",
        stem: "07_model_size",
        title: "Model size",
        run: crate::a07_model_size::run,
        after_the_others: false,
    },
    Analysis {
        id: "08",
        stem: "08_model_properties",
        title: "Multimodal, quantized and MoE shares",
        run: crate::a08_model_properties::run,
        after_the_others: false,
    },
    Analysis {
        id: "09",
        stem: "09_openness",
        title: "Open source and open weights",
        run: crate::a09_openness::run,
        after_the_others: false,
    },
    Analysis {
        id: "10",
        stem: "10_data_transparency",
        title: "Training-data transparency",
        run: crate::a10_data_transparency::run,
        after_the_others: false,
    },
    Analysis {
        id: "11",
        stem: "11_lineage_mix",
        title: "Lineage mix and derivative trees",
        run: crate::a11_lineage_mix::run,
        after_the_others: false,
    },
    Analysis {
        id: "12",
        stem: "12_intermediaries",
        title: "Intermediaries",
        run: crate::a12_intermediaries::run,
        after_the_others: false,
    },
    Analysis {
        id: "13",
        stem: "13_significance",
        title: "Every significance test",
        run: crate::a13_significance::run,
        after_the_others: true,
    },
];

/// The analysis with this id.
pub fn find(id: &str) -> Option<&'static Analysis> {
    ANALYSES.iter().find(|a| a.id == id)
}

/// Arguments every analysis binary takes.
#[derive(Parser)]
struct Args {
    /// A prepared dataset directory (written by `hubecon prepare`).
    #[arg(long, value_name = "DIR", default_value = "data/processed/default")]
    dataset: PathBuf,
    /// The old spelling of --dataset, refused with its new name.
    #[arg(long = "data", value_name = "DIR", hide = true)]
    old_data: Option<PathBuf>,
    /// Where to write the figure, its CSV and its JSON.
    #[arg(long, value_name = "DIR", default_value = "figures")]
    out: PathBuf,
}

/// `main` of the binary of analysis `id`: parses `--dataset` and `--out`, runs
/// it, prints the files it wrote.
pub fn main_for(id: &str) -> ExitCode {
    let Some(analysis) = find(id) else {
        eprintln!("error: no analysis {id}");
        return ExitCode::FAILURE;
    };
    let args = Args::parse();
    if args.old_data.is_some() {
        eprintln!("error: --data is now --dataset (a prepared dataset)");
        return ExitCode::from(2);
    }
    let result = Context::load(&args.dataset, &args.out).and_then(|ctx| (analysis.run)(&ctx));
    match result {
        Ok(files) => {
            for f in files {
                println!("{}: wrote {}", analysis.stem, f.display());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {}: {e:#}", analysis.stem);
            ExitCode::FAILURE
        }
    }
}

/// What running one analysis took.
pub struct Ran {
    pub stem: &'static str,
    pub files: Vec<PathBuf>,
    pub seconds: f64,
}

/// Analyses run at once by [`run_all`]. Each analysis uses every core
/// through polars and rayon, but not all the time (reading, plotting and
/// writing are mostly one thread); two at once keep both cores of the
/// reference machine busy. More would add their memory for little: the
/// peak of `hubecon figures` is about that of its two largest analyses.
const AT_ONCE: usize = 2;

/// Runs every analysis on one loaded dataset, [`AT_ONCE`] at a time, those
/// that read the others' outputs last; `on_done` is called as each
/// finishes, and the result is in registry order. After a failure no
/// further analysis starts, and the first failed analysis in registry order
/// is the error, named.
pub fn run_all(ctx: &Context, mut on_done: impl FnMut(&Ran)) -> anyhow::Result<Vec<Ran>> {
    let mut results: Vec<Option<anyhow::Result<Ran>>> = ANALYSES.iter().map(|_| None).collect();
    for last in [false, true] {
        let batch: Vec<usize> = (0..ANALYSES.len())
            .filter(|&i| ANALYSES[i].after_the_others == last)
            .collect();
        run_batch(ctx, &batch, &mut results, &mut on_done);
        if results.iter().flatten().any(|r| r.is_err()) {
            break;
        }
    }
    let mut out = Vec::with_capacity(results.len());
    for ran in results.into_iter().flatten() {
        out.push(ran?);
    }
    Ok(out)
}

/// The analyses `batch` (indices into [`ANALYSES`]), taken in order by
/// [`AT_ONCE`] threads; each result lands at its index in `results`.
fn run_batch(
    ctx: &Context,
    batch: &[usize],
    results: &mut [Option<anyhow::Result<Ran>>],
    on_done: &mut impl FnMut(&Ran),
) {
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let (done, finished) = mpsc::channel::<(usize, anyhow::Result<Ran>)>();
    std::thread::scope(|scope| {
        for _ in 0..AT_ONCE {
            let done = done.clone();
            let (next, failed) = (&next, &failed);
            scope.spawn(move || {
                while !failed.load(Ordering::SeqCst) {
                    let Some(&i) = batch.get(next.fetch_add(1, Ordering::SeqCst)) else {
                        break;
                    };
                    let ran = run_one(&ANALYSES[i], ctx);
                    failed.fetch_or(ran.is_err(), Ordering::SeqCst);
                    if done.send((i, ran)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(done);
        for (i, ran) in finished {
            if let Ok(r) = &ran {
                on_done(r);
            }
            results[i] = Some(ran);
        }
    });
}

/// One analysis, timed; its error names it.
fn run_one(a: &Analysis, ctx: &Context) -> anyhow::Result<Ran> {
    let started = std::time::Instant::now();
    let files = (a.run)(ctx).map_err(|e| e.context(format!("analysis {}", a.stem)))?;
    Ok(Ran {
        stem: a.stem,
        files,
        seconds: started.elapsed().as_secs_f64(),
    })
}

#[cfg(test)]
mod tests {
    use super::ANALYSES;

    /// Every analysis has its binary, and Cargo.toml lists each binary with
    /// `test = false` (the binaries are not auto-discovered there).
    #[test]
    fn every_analysis_has_a_listed_binary() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/");
        let manifest = std::fs::read_to_string(format!("{dir}Cargo.toml")).unwrap();
        for a in ANALYSES {
            let bin = format!("src/bin/{}.rs", a.stem);
            assert!(
                std::path::Path::new(&format!("{dir}{bin}")).is_file(),
                "{bin} is missing"
            );
            let entry = format!("name = \"{}\"\npath = \"{bin}\"\ntest = false", a.stem);
            assert!(
                manifest.contains(&entry),
                "analyses/Cargo.toml lacks [[bin]] {entry}"
            );
        }
    }
}
