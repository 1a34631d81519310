//! The figures `lineage-eval` reports, and their short table.

use std::fmt;

use serde::Serialize;

use crate::schema::relation as rel;

/// Precision, recall and F1 of one relation class.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassMetrics {
    pub class: String,
    /// Hidden models declared with this relation.
    pub support: u64,
    /// Hidden models inferred with this relation.
    pub predicted: u64,
    pub true_positives: u64,
    /// `None` when nothing was inferred as this class.
    pub precision: Option<f64>,
    /// `None` when nothing is declared as this class.
    pub recall: Option<f64>,
    pub f1: Option<f64>,
}

/// A count and the part of it that satisfies a condition.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Share {
    pub evaluated: u64,
    pub hits: u64,
    pub share: Option<f64>,
}

impl Share {
    pub(crate) fn add(&mut self, hit: bool) {
        self.evaluated += 1;
        self.hits += u64::from(hit);
    }

    pub(crate) fn finish(mut self) -> Self {
        self.share = ratio(self.hits, self.evaluated);
        self
    }
}

/// Parents of the hidden models of one declared class (or `all`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParentMetrics {
    pub class: String,
    /// Inferred with a parent: is the first inferred parent a declared one?
    pub precision: Share,
    /// A declared parent is in the data: is the first inferred parent a declared one?
    pub recall: Share,
}

impl ParentMetrics {
    pub(crate) fn new(class: &str) -> Self {
        ParentMetrics {
            class: class.to_string(),
            precision: Share::default(),
            recall: Share::default(),
        }
    }

    /// `parent_true`: None when no parent was inferred.
    pub(crate) fn add(&mut self, parent_true: Option<bool>, declared_in_data: bool) {
        if let Some(hit) = parent_true {
            self.precision.add(hit);
        }
        if declared_in_data {
            self.recall.add(parent_true == Some(true));
        }
    }

    pub(crate) fn finish(&mut self) {
        self.precision = self.precision.finish();
        self.recall = self.recall.finish();
    }
}

/// Declared models of one class as declared and after correction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RelationCount {
    pub class: String,
    pub declared: u64,
    pub corrected: u64,
}

/// Declared models whose relation the evidence corrected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Correction {
    pub declared: String,
    pub corrected: String,
    pub models: u64,
}

/// A hidden model whose inferred class or first parent is not the declared one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvalMiss {
    pub model_id: String,
    pub declared: String,
    pub inferred: String,
    pub evidence: Option<String>,
    pub declared_parents: Vec<String>,
    pub inferred_parent: Option<String>,
}

/// The result of `lineage-eval`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvalReport {
    /// Models in the table.
    pub models: usize,
    pub folds: usize,
    /// Hidden models with a declared relation (the ones scored).
    pub evaluated: u64,
    pub accuracy: Option<f64>,
    /// One entry per relation, in `schema::relation::ALL` order, against the declared relation.
    pub classes: Vec<ClassMetrics>,
    /// The same against the corrected relation (what `enrich` writes).
    pub classes_vs_corrected: Vec<ClassMetrics>,
    /// Hidden derivatives inferred as derivatives: is the class the declared one?
    pub class_right_among_derivatives: Share,
    /// The same against the corrected relation.
    pub class_right_vs_corrected: Share,
    /// First inferred parent against the declared parents, all classes.
    pub parent: ParentMetrics,
    pub parents_by_class: Vec<ParentMetrics>,
    /// Models declaring nothing (nothing hidden): inferred as derivatives?
    pub undeclared_inferred_derived: Share,
    /// Declared models per class, declared and corrected.
    pub relations: Vec<RelationCount>,
    pub corrections: Vec<Correction>,
    /// Row and column labels of `confusion`.
    pub labels: Vec<String>,
    /// `confusion[declared][inferred]` counts.
    pub confusion: Vec<Vec<u64>>,
    /// The hidden models inference got wrong, by id: the class, or the
    /// first parent (wrong, or none while a declared parent is in the data).
    pub misses: Vec<EvalMiss>,
}

fn ratio(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// Precision, recall and F1 of class `k` from a confusion matrix (rows truth).
pub fn class_metrics(confusion: &[Vec<u64>], k: usize) -> ClassMetrics {
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

fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_string(), |v| format!("{:.1}%", 100.0 * v))
}

fn share(s: &Share) -> String {
    format!("{} of {} ({})", s.hits, s.evaluated, pct(s.share))
}

impl fmt::Display for EvalReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "relation inference vs declarations, {} folds: {} of {} models evaluated, accuracy {}",
            self.folds,
            self.evaluated,
            self.models,
            pct(self.accuracy)
        )?;
        writeln!(
            f,
            "{:<10} {:>8} {:>9} {:>10} {:>8} {:>8} {:>12} {:>12} {:>10} {:>10}",
            "class",
            "support",
            "predicted",
            "precision",
            "recall",
            "F1",
            "parent prec",
            "parent rec",
            "prec corr",
            "rec corr"
        )?;
        let rows = self
            .classes
            .iter()
            .zip(&self.parents_by_class)
            .zip(&self.classes_vs_corrected);
        for ((c, p), k) in rows {
            writeln!(
                f,
                "{:<10} {:>8} {:>9} {:>10} {:>8} {:>8} {:>12} {:>12} {:>10} {:>10}",
                c.class,
                c.support,
                c.predicted,
                pct(c.precision),
                pct(c.recall),
                pct(c.f1),
                pct(p.precision.share),
                pct(p.recall.share),
                pct(k.precision),
                pct(k.recall)
            )?;
        }
        writeln!(
            f,
            "(prec corr, rec corr: against the relation corrected by the repository's own evidence)"
        )?;
        writeln!(
            f,
            "class right among derivatives inferred as derivatives: {} (corrected: {})",
            share(&self.class_right_among_derivatives),
            share(&self.class_right_vs_corrected)
        )?;
        writeln!(
            f,
            "first inferred parent is a declared parent: {}",
            share(&self.parent.precision)
        )?;
        writeln!(
            f,
            "declared parent in the data found first: {}",
            share(&self.parent.recall)
        )?;
        writeln!(
            f,
            "models declaring nothing inferred as derivatives: {}",
            share(&self.undeclared_inferred_derived)
        )?;
        for c in &self.corrections {
            writeln!(
                f,
                "declared {} corrected to {}: {}",
                c.declared, c.corrected, c.models
            )?;
        }
        writeln!(f, "confusion (rows declared, columns inferred):")?;
        write!(f, "{:<10}", "")?;
        for l in &self.labels {
            write!(f, " {l:>9}")?;
        }
        for (l, row) in self.labels.iter().zip(&self.confusion) {
            writeln!(f)?;
            write!(f, "{l:<10}")?;
            for v in row {
                write!(f, " {v:>9}")?;
            }
        }
        Ok(())
    }
}
