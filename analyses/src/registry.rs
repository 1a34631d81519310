//! The list of analyses, in order, and the runner the thin binaries share.

use std::path::PathBuf;
use std::process::ExitCode;

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
}

/// Every analysis, in the order they run (13 reads the tests of 05-12).
pub const ANALYSES: [Analysis; 13] = [
    Analysis {
        id: "01",
        stem: "01_dataset_overview",
        title: "Dataset overview",
        run: crate::a01_overview::run,
    },
    Analysis {
        id: "02",
        stem: "02_country_shares",
        title: "Download share by developer country group",
        run: crate::a02_country_shares::run,
    },
    Analysis {
        id: "03",
        stem: "03_org_type_shares",
        title: "Download share by organization type",
        run: crate::a03_org_type_shares::run,
    },
    Analysis {
        id: "04",
        stem: "04_top_developers",
        title: "The top developers over time",
        run: crate::a04_top_developers::run,
    },
    Analysis {
        id: "05",
        stem: "05_concentration",
        title: "Concentration over time",
        run: crate::a05_concentration::run,
    },
    Analysis {
        id: "06",
        stem: "06_recent_country_shares",
        title: "Recent-year country shares of new models",
        run: crate::a06_recent_country_shares::run,
    },
    Analysis {
        id: "07",
        stem: "07_model_size",
        title: "Model size",
        run: crate::a07_model_size::run,
    },
    Analysis {
        id: "08",
        stem: "08_model_properties",
        title: "Multimodal, quantized and MoE shares",
        run: crate::a08_model_properties::run,
    },
    Analysis {
        id: "09",
        stem: "09_openness",
        title: "Open source and open weights",
        run: crate::a09_openness::run,
    },
    Analysis {
        id: "10",
        stem: "10_data_transparency",
        title: "Training-data transparency",
        run: crate::a10_data_transparency::run,
    },
    Analysis {
        id: "11",
        stem: "11_lineage_mix",
        title: "Lineage mix and derivative trees",
        run: crate::a11_lineage_mix::run,
    },
    Analysis {
        id: "12",
        stem: "12_intermediaries",
        title: "Intermediaries",
        run: crate::a12_intermediaries::run,
    },
    Analysis {
        id: "13",
        stem: "13_significance",
        title: "Every significance test",
        run: crate::a13_significance::run,
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
    data: PathBuf,
    /// Where to write the figure, its CSV and its JSON.
    #[arg(long, value_name = "DIR", default_value = "figures")]
    out: PathBuf,
}

/// `main` of the binary of analysis `id`: parses `--data` and `--out`, runs
/// it, prints the files it wrote.
pub fn main_for(id: &str) -> ExitCode {
    let Some(analysis) = find(id) else {
        eprintln!("error: no analysis {id}");
        return ExitCode::FAILURE;
    };
    let args = Args::parse();
    let result = Context::load(&args.data, &args.out).and_then(|ctx| (analysis.run)(&ctx));
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

/// Runs every analysis in order on one loaded dataset; stops at the first
/// failure, naming the analysis.
pub fn run_all(ctx: &Context, mut on_done: impl FnMut(&Ran)) -> anyhow::Result<Vec<Ran>> {
    let mut out = Vec::new();
    for a in &ANALYSES {
        let started = std::time::Instant::now();
        let files = (a.run)(ctx).map_err(|e| e.context(format!("analysis {}", a.stem)))?;
        let ran = Ran {
            stem: a.stem,
            files,
            seconds: started.elapsed().as_secs_f64(),
        };
        on_done(&ran);
        out.push(ran);
    }
    Ok(out)
}
