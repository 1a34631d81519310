//! The benchmark's report: `results.json` (everything measured) and
//! `results.md` (the tables and the targets, met or not).

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context as _;
use serde::Serialize;

use crate::agree::{Agreement, TOLERANCE};
use crate::machine::Machine;
use crate::run::StageResult;

/// One tool's time on one core aggregation.
#[derive(Clone, Debug, Serialize)]
pub struct ToolTime {
    pub tool: String,
    pub version: String,
    pub seconds: Vec<f64>,
    pub median_seconds: f64,
    /// Peak RSS of the tool's whole process (all three aggregations).
    pub process_peak_rss_bytes: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct CoreResult {
    pub id: String,
    pub what: String,
    pub times: Vec<ToolTime>,
    pub agreements: Vec<Agreement>,
}

impl CoreResult {
    fn median(&self, tool: &str) -> Option<f64> {
        self.times
            .iter()
            .find(|t| t.tool == tool)
            .map(|t| t.median_seconds)
    }

    /// How many times longer `tool` takes than hubecon.
    pub fn ratio(&self, tool: &str) -> Option<f64> {
        Some(self.median(tool)? / self.median("hubecon")?)
    }
}

/// A target of issue 9 (or 3, for synth) and whether it was met.
#[derive(Clone, Debug, Serialize)]
pub struct Target {
    pub target: String,
    pub measured: String,
    pub met: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub machine: Machine,
    pub profile: String,
    pub stages: Vec<StageResult>,
    pub core: Vec<CoreResult>,
    /// Size of the dashboard the full-scale reproduce wrote (issue 10).
    pub dashboard_bytes: Option<u64>,
}

const GIB: f64 = (1u64 << 30) as f64;

impl Report {
    fn find(&self, models: usize, stage: &str) -> Option<&StageResult> {
        self.stages
            .iter()
            .find(|s| s.models == models && s.stage.starts_with(stage))
    }

    fn main_models(&self) -> usize {
        self.stages.first().map_or(0, |s| s.models)
    }

    /// Every target, with what was measured.
    pub fn targets(&self) -> Vec<Target> {
        let n = self.main_models();
        let mut out = Vec::new();
        let mut seconds = |stage: &str, limit: f64, label: &str| {
            if let Some(s) = self.find(n, stage) {
                out.push(Target {
                    target: format!("{label} <= {limit} s"),
                    measured: format!("{:.1} s{}", s.cost.wall_seconds, cached_note(s)),
                    met: s.cost.wall_seconds <= limit,
                });
            }
        };
        seconds("synth", 120.0, &format!("synth of {n} models"));
        seconds("prepare", 60.0, &format!("prepare of {n} models"));
        seconds("analyses", 30.0, "all analyses");
        let peak = self
            .stages
            .iter()
            .filter(|s| s.models == n)
            .max_by_key(|s| s.cost.peak_rss_bytes);
        if let Some(p) = peak {
            out.push(Target {
                target: format!("peak RSS of every stage at {n} models <= 6 GiB"),
                measured: format!(
                    "{:.2} GiB ({})",
                    p.cost.peak_rss_bytes as f64 / GIB,
                    p.stage
                ),
                met: p.cost.peak_rss_bytes as f64 <= 6.0 * GIB,
            });
        }
        if let Some(bytes) = self.dashboard_bytes {
            out.push(Target {
                target: format!("dashboard of {n} models < 15 MB"),
                measured: format!("{:.2} MB", bytes as f64 / 1e6),
                met: bytes < 15_000_000,
            });
        }
        for c in &self.core {
            if let Some(r) = c.ratio("duckdb") {
                out.push(Target {
                    target: format!("{}: at least as fast as DuckDB", c.what),
                    measured: format!("DuckDB takes {r:.2}x hubecon's time"),
                    met: r >= 1.0,
                });
            }
            if let Some(r) = c.ratio("pandas") {
                out.push(Target {
                    target: format!("{}: >= 10x faster than pandas", c.what),
                    measured: format!("pandas takes {r:.1}x hubecon's time"),
                    met: r >= 10.0,
                });
            }
            for a in &c.agreements {
                out.push(Target {
                    target: format!("{}: hubecon and {} agree to {TOLERANCE:e}", c.what, a.tool),
                    measured: match &a.first_problem {
                        None => format!(
                            "{} rows, max difference {:.1e}",
                            a.rows, a.max_scaled_difference
                        ),
                        Some(p) => p.clone(),
                    },
                    met: a.agree,
                });
            }
        }
        out
    }

    /// Seconds per million models of each stage run at two scales.
    fn growth_rows(&self) -> Vec<(String, Vec<(usize, f64)>)> {
        let mut stages: Vec<&str> = Vec::new();
        for s in &self.stages {
            if !stages.contains(&s.stage.as_str()) {
                stages.push(&s.stage);
            }
        }
        stages
            .into_iter()
            .map(|name| {
                let points = self
                    .stages
                    .iter()
                    .filter(|s| s.stage == name)
                    .map(|s| (s.models, s.cost.wall_seconds))
                    .collect::<Vec<_>>();
                (name.to_string(), points)
            })
            .filter(|(_, p)| p.len() >= 2)
            .collect()
    }

    pub fn markdown(&self) -> String {
        let m = &self.machine;
        let mut s = String::new();
        let _ = writeln!(s, "# hubecon benchmark\n");
        let _ = writeln!(
            s,
            "Written by `cargo make bench` (`hubecon-bench run`); every number below was measured in that run.\n\n\
             Machine: {} ({} cores, {:.1} GiB), {}, {}. Build profile `{}`, commit {}, {}.\n",
            m.cpu,
            m.cores,
            m.memory_bytes as f64 / GIB,
            m.os,
            m.rustc,
            self.profile,
            m.git_commit,
            m.date
        );
        let _ = writeln!(
            s,
            "## Targets\n\n| target | measured | met |\n|---|---|---|"
        );
        for t in self.targets() {
            let _ = writeln!(
                s,
                "| {} | {} | {} |",
                t.target,
                t.measured,
                if t.met { "yes" } else { "**no**" }
            );
        }
        let _ = writeln!(
            s,
            "\n## Stages (each a whole process)\n\n| models | stage | wall s | user s | sys s | peak RSS GiB | input MB | output MB |\n|---:|---|---:|---:|---:|---:|---:|---:|"
        );
        for st in &self.stages {
            let c = &st.cost;
            let _ = writeln!(
                s,
                "| {} | {}{} | {:.1} | {:.1} | {:.1} | {:.2} | {:.1} | {:.1} |",
                st.models,
                st.stage,
                cached_note(st),
                c.wall_seconds,
                c.user_seconds,
                c.system_seconds,
                c.peak_rss_bytes as f64 / GIB,
                st.input_bytes as f64 / 1e6,
                st.output_bytes as f64 / 1e6
            );
        }
        self.core_markdown(&mut s);
        let growth = self.growth_rows();
        if !growth.is_empty() {
            let _ = writeln!(
                s,
                "\n## Growth with size\n\nSeconds per million models at each scale, and the marginal cost of the extra models.\n\n| stage | per million models | marginal per million |\n|---|---|---:|"
            );
            for (name, points) in growth {
                let per: Vec<String> = points
                    .iter()
                    .map(|(n, t)| {
                        format!("{:.1} s at {:.2}M", t / (*n as f64 / 1e6), *n as f64 / 1e6)
                    })
                    .collect();
                let (n0, t0) = points[0];
                let (n1, t1) = points[points.len() - 1];
                let marginal = (t1 - t0) / ((n1 as f64 - n0 as f64) / 1e6);
                let _ = writeln!(s, "| {name} | {} | {marginal:.1} s |", per.join(", "));
            }
        }
        s
    }

    fn core_markdown(&self, s: &mut String) {
        let _ = writeln!(
            s,
            "\n## Core aggregations, same prepared files ({} models)\n\n\
             Median of the timed repeats, each from reading the parquet files to the result in memory. \
             Ratio = the peer's time over hubecon's (above 1: hubecon is faster).\n\n\
             | aggregation | hubecon s | DuckDB s | pandas s | DuckDB / hubecon | pandas / hubecon | agree |\n|---|---:|---:|---:|---:|---:|---|",
            self.main_models()
        );
        for c in &self.core {
            let t = |tool: &str| c.median(tool).map_or("-".into(), |v| format!("{v:.3}"));
            let r = |tool: &str| c.ratio(tool).map_or("-".into(), |v| format!("{v:.2}"));
            let agree = c.agreements.iter().all(|a| a.agree);
            let worst = c
                .agreements
                .iter()
                .map(|a| a.max_scaled_difference)
                .fold(0.0, f64::max);
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {} | {} (max diff {worst:.1e}) |",
                c.what,
                t("hubecon"),
                t("duckdb"),
                t("pandas"),
                r("duckdb"),
                r("pandas"),
                if agree { "yes" } else { "**no**" }
            );
        }
        let versions: Vec<String> = self
            .core
            .first()
            .map(|c| {
                c.times
                    .iter()
                    .map(|t| format!("{} {}", t.tool, t.version))
                    .collect()
            })
            .unwrap_or_default();
        let _ = writeln!(s, "\nVersions: {}.", versions.join(", "));
    }

    /// Writes results.json and results.md into `dir`.
    pub fn write(&self, dir: &Path) -> anyhow::Result<()> {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let mut json = serde_json::to_value(self)?;
        json["targets"] = serde_json::to_value(self.targets())?;
        write_atomic(
            &dir.join("results.json"),
            serde_json::to_string_pretty(&json)? + "\n",
        )?;
        write_atomic(&dir.join("results.md"), self.markdown())?;
        eprintln!("wrote {0}/results.md and {0}/results.json", dir.display());
        Ok(())
    }
}

fn cached_note(s: &StageResult) -> &'static str {
    if s.cached { " (cached run)" } else { "" }
}

fn write_atomic(path: &Path, text: String) -> anyhow::Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("renaming to {}", path.display()))
}
