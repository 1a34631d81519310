//! What `enrich` found: counts by relation and source, broken cycles,
//! missing parents and the deepest chain.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use crate::family::{Families, Root};
use crate::relation::Decision;

/// Summary of one `enrich` run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LineageReport {
    pub models: usize,
    /// Models per relation.
    pub by_relation: BTreeMap<String, usize>,
    /// Models per relation source.
    pub by_source: BTreeMap<String, usize>,
    /// Models per relation, then per source.
    pub by_relation_and_source: BTreeMap<String, BTreeMap<String, usize>>,
    /// Ids whose first-parent link was cut to break a cycle, sorted.
    pub cycles_broken: Vec<String>,
    /// Distinct parent ids (ignoring case) that are not in the data.
    pub missing_parents: usize,
    /// Models whose family root is a parent id absent from the data.
    pub roots_outside_data: usize,
    /// The longest chain of parent links.
    pub max_depth: u32,
    /// Declared relations the repository's own evidence corrected, as
    /// `declared->corrected` (e.g. `finetune->quantized`).
    pub corrected: BTreeMap<String, usize>,
}

impl LineageReport {
    pub(crate) fn new(decisions: &[Decision], families: &Families<'_>) -> Self {
        let mut report = LineageReport {
            models: decisions.len(),
            cycles_broken: families.cycles_broken.clone(),
            missing_parents: families.missing_parents,
            roots_outside_data: families
                .root
                .iter()
                .filter(|r| matches!(r, Root::Outside(_)))
                .count(),
            max_depth: families.depth.iter().copied().max().unwrap_or(0),
            ..LineageReport::default()
        };
        for d in decisions {
            if let Some(from) = d.corrected_from {
                *report
                    .corrected
                    .entry(format!("{from}->{}", d.relation))
                    .or_default() += 1;
            }
            *report
                .by_relation
                .entry(d.relation.to_string())
                .or_default() += 1;
            *report.by_source.entry(d.source.to_string()).or_default() += 1;
            *report
                .by_relation_and_source
                .entry(d.relation.to_string())
                .or_default()
                .entry(d.source.to_string())
                .or_default() += 1;
        }
        report
    }
}

impl fmt::Display for LineageReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "lineage of {} models", self.models)?;
        writeln!(
            f,
            "{:<10} {:>10} {:>10} {:>10} {:>10}",
            "relation", "declared", "inferred", "none", "total"
        )?;
        for (relation, sources) in &self.by_relation_and_source {
            let get = |s: &str| sources.get(s).copied().unwrap_or(0);
            writeln!(
                f,
                "{:<10} {:>10} {:>10} {:>10} {:>10}",
                relation,
                get("declared"),
                get("inferred"),
                get("none"),
                sources.values().sum::<usize>()
            )?;
        }
        writeln!(f, "missing parents: {}", self.missing_parents)?;
        writeln!(
            f,
            "family roots outside the data: {}",
            self.roots_outside_data
        )?;
        writeln!(f, "max depth: {}", self.max_depth)?;
        for (change, n) in &self.corrected {
            writeln!(f, "declared relations corrected, {change}: {n}")?;
        }
        write!(f, "cycles broken: {}", self.cycles_broken.len())?;
        if !self.cycles_broken.is_empty() {
            write!(f, " ({})", self.cycles_broken.join(", "))?;
        }
        Ok(())
    }
}
