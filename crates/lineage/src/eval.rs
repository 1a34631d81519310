//! Measured accuracy of relation inference: hide the declared relation of
//! every model that declares one, infer from the model's own files, tags,
//! library, config and name, and compare.
//!
//! Only models with an explicit relation (`declared_relation`) are scored:
//! a card `base_model` without a relation gets the Hub's rule, which reads
//! the same evidence inference reads. While inferring a model, its own
//! declared parents do not count towards the "known bases" found in names
//! (leave-one-out), so a declaration never answers for itself.

use std::fmt;

use polars::prelude::DataFrame;
use serde::Serialize;

use crate::context::Context;
use crate::matching::LowerIds;
use crate::relation::{self, normalize_relation};
use crate::schema::relation as rel;
use crate::table::Table;
use crate::{LineageError, LineageOptions};

/// Precision, recall and F1 of one relation class.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassMetrics {
    pub class: String,
    /// Models declared with this relation.
    pub support: u64,
    /// Models inferred with this relation.
    pub predicted: u64,
    pub true_positives: u64,
    /// `None` when nothing was inferred as this class.
    pub precision: Option<f64>,
    /// `None` when nothing is declared as this class.
    pub recall: Option<f64>,
    pub f1: Option<f64>,
}

/// How often the inferred first parent is the declared one, among models
/// whose declared first parent is in the data.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParentMetrics {
    pub evaluated: u64,
    pub correct: u64,
    pub share: Option<f64>,
}

/// The result of `lineage-eval`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvalReport {
    /// Models in the table.
    pub models: usize,
    /// Models with a declared relation (the ones scored).
    pub evaluated: u64,
    pub accuracy: Option<f64>,
    /// One entry per relation, in `schema::relation::ALL` order.
    pub classes: Vec<ClassMetrics>,
    /// Row and column labels of `confusion`.
    pub labels: Vec<String>,
    /// `confusion[declared][inferred]` counts.
    pub confusion: Vec<Vec<u64>>,
    pub parent: ParentMetrics,
}

fn ratio(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

fn class_metrics(confusion: &[Vec<u64>], k: usize) -> ClassMetrics {
    let support: u64 = confusion[k].iter().sum();
    let predicted: u64 = confusion.iter().map(|row| row[k]).sum();
    let tp = confusion[k][k];
    let precision = ratio(tp, predicted);
    let recall = ratio(tp, support);
    let f1 = match (precision, recall) {
        (Some(p), Some(r)) if p + r > 0.0 => Some(2.0 * p * r / (p + r)),
        (Some(_), Some(_)) => Some(0.0),
        _ => None,
    };
    ClassMetrics {
        class: rel::ALL[k].to_string(),
        support,
        predicted,
        true_positives: tp,
        precision,
        recall,
        f1,
    }
}

/// Hides declared relations, infers them, and scores the inference.
/// Inference runs whatever `opts.infer_undeclared` says; the other options apply.
pub fn lineage_eval(models: &DataFrame, opts: &LineageOptions) -> Result<EvalReport, LineageError> {
    let opts = LineageOptions {
        infer_undeclared: true,
        ..opts.clone()
    };
    let table = Table::read(models)?;
    let lower = LowerIds::new(&table.ids);
    let ctx = Context::new(&table, &lower, &opts)?;
    let k = rel::ALL.len();
    let mut confusion = vec![vec![0u64; k]; k];
    let mut parent = ParentMetrics {
        evaluated: 0,
        correct: 0,
        share: None,
    };
    for i in 0..table.len() {
        let Some(truth) = table.declared_relation[i].and_then(normalize_relation) else {
            continue;
        };
        let inferred = relation::decide(&ctx, i, &opts, true);
        let row = rel::ALL.iter().position(|r| *r == truth).unwrap_or(0);
        let colm = rel::ALL
            .iter()
            .position(|r| *r == inferred.relation)
            .unwrap_or(0);
        confusion[row][colm] += 1;
        let declared_parent = table.declared_parents[i]
            .first()
            .and_then(|p| ctx.resolve(p, i));
        if let Some(expected) = declared_parent {
            parent.evaluated += 1;
            let got = inferred.parents.first().and_then(|p| ctx.resolve(p, i));
            parent.correct += u64::from(got == Some(expected));
        }
    }
    parent.share = ratio(parent.correct, parent.evaluated);
    let evaluated: u64 = confusion.iter().flatten().sum();
    let correct: u64 = (0..k).map(|c| confusion[c][c]).sum();
    Ok(EvalReport {
        models: table.len(),
        evaluated,
        accuracy: ratio(correct, evaluated),
        classes: (0..k).map(|c| class_metrics(&confusion, c)).collect(),
        labels: rel::ALL.iter().map(|s| s.to_string()).collect(),
        confusion,
        parent,
    })
}

fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_string(), |v| format!("{:.1}%", 100.0 * v))
}

impl fmt::Display for EvalReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "relation inference vs declarations: {} of {} models evaluated, accuracy {}",
            self.evaluated,
            self.models,
            pct(self.accuracy)
        )?;
        writeln!(
            f,
            "{:<10} {:>8} {:>9} {:>10} {:>8} {:>8}",
            "class", "support", "predicted", "precision", "recall", "F1"
        )?;
        for c in &self.classes {
            writeln!(
                f,
                "{:<10} {:>8} {:>9} {:>10} {:>8} {:>8}",
                c.class,
                c.support,
                c.predicted,
                pct(c.precision),
                pct(c.recall),
                pct(c.f1)
            )?;
        }
        writeln!(f, "confusion (rows declared, columns inferred):")?;
        write!(f, "{:<10}", "")?;
        for l in &self.labels {
            write!(f, " {l:>9}")?;
        }
        writeln!(f)?;
        for (l, row) in self.labels.iter().zip(&self.confusion) {
            write!(f, "{l:<10}")?;
            for v in row {
                write!(f, " {v:>9}")?;
            }
            writeln!(f)?;
        }
        write!(
            f,
            "first parent found: {} of {} ({})",
            self.parent.correct,
            self.parent.evaluated,
            pct(self.parent.share)
        )
    }
}
