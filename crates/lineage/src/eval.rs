//! Measured accuracy of relation inference, by K-fold hiding: the models
//! that declare lineage are split into K folds; each fold in turn has its
//! declarations hidden (declared parents, relation, release parents and
//! the `base_model:` tags), inference runs on the whole table, and the
//! fold's models are scored against what they declared. The other folds'
//! declarations stay visible, as on the Hub where most derivatives'
//! parents declare nothing but many siblings do. `folds = 1` hides every
//! declaration at once.
//!
//! Only models with an explicit declared relation are scored: a card
//! `base_model` without a relation gets the Hub's rule, which reads the
//! same evidence inference reads.

use std::collections::BTreeMap;

use polars::prelude::DataFrame;
use rayon::prelude::*;

use crate::context::Context;
use crate::matching::{Fnv, LowerIds};
use crate::relation::{self, Decision, normalize_relation};
use crate::schema::relation as rel;
use crate::table::Table;
use crate::{LineageError, LineageOptions};

use crate::eval_report::class_metrics;
pub use crate::eval_report::{
    ClassMetrics, Correction, EvalMiss, EvalReport, ParentMetrics, RelationCount, Share,
};

/// The models whose lineage a fold hides: anything declared or listed.
fn declares_something(t: &Table<'_>, i: usize) -> bool {
    !t.declared_parents[i].is_empty()
        || t.declared_relation[i].is_some()
        || !t.release_parents[i].is_empty()
        || !t.tags[i].listed_bases.is_empty()
}

/// Fold of each declaring model: rank by a hash of the lowercase id, then
/// deal round-robin, so folds are balanced and independent of row order.
fn assign_folds(t: &Table<'_>, lower: &LowerIds, folds: usize) -> Vec<Option<usize>> {
    use std::hash::Hasher;
    let mut members: Vec<(u64, usize)> = (0..t.len())
        .filter(|&i| declares_something(t, i))
        .map(|i| {
            let mut h = Fnv::default();
            h.write(lower.id(i).as_bytes());
            (h.finish(), i)
        })
        .collect();
    members.sort_unstable();
    let mut fold = vec![None; t.len()];
    for (rank, &(_, i)) in members.iter().enumerate() {
        fold[i] = Some(rank % folds);
    }
    fold
}

/// What hiding removes from one model, to put back afterwards.
struct Hidden<'a> {
    parents: Vec<String>,
    relation: Option<&'a str>,
    evidence: Option<&'a str>,
    release: Vec<String>,
    listed: Vec<String>,
}

fn hide<'a>(t: &mut Table<'a>, i: usize) -> Hidden<'a> {
    Hidden {
        parents: std::mem::take(&mut t.declared_parents[i]),
        relation: t.declared_relation[i].take(),
        evidence: t.declared_evidence[i].take(),
        release: std::mem::take(&mut t.release_parents[i]),
        listed: std::mem::take(&mut t.tags[i].listed_bases),
    }
}

fn restore<'a>(t: &mut Table<'a>, i: usize, h: Hidden<'a>) {
    t.declared_parents[i] = h.parents;
    t.declared_relation[i] = h.relation;
    t.declared_evidence[i] = h.evidence;
    t.release_parents[i] = h.release;
    t.tags[i].listed_bases = h.listed;
}

fn class_index(relation: &str) -> usize {
    rel::ALL.iter().position(|r| *r == relation).unwrap_or(0)
}

/// The scored facts of one hidden model.
struct Scored {
    truth: usize,
    corrected: usize,
    inferred: usize,
    /// The first inferred parent is one of the declared parents (None: no inferred parent).
    parent_true: Option<bool>,
    /// A declared parent is in the data.
    declared_in_data: bool,
    miss: Option<EvalMiss>,
}

/// Hides each fold's declarations in turn, infers, and scores the hidden
/// models. Inference runs whatever `opts.infer_undeclared` says; the other
/// options apply. `folds` must be at least 1.
pub fn lineage_eval(
    models: &DataFrame,
    opts: &LineageOptions,
    folds: usize,
) -> Result<EvalReport, LineageError> {
    if folds == 0 {
        return Err(LineageError::InvalidOption {
            name: "folds",
            value: folds.to_string(),
            expected: "at least 1",
        });
    }
    let opts = LineageOptions {
        infer_undeclared: true,
        ..opts.clone()
    };
    let mut table = Table::read(models)?;
    let lower = LowerIds::new(&table.ids);
    // Nothing hidden: the corrected relation of every declared model, and
    // what inference says of the models that declare nothing.
    let visible: Vec<Decision> = {
        let ctx = Context::new(&table, &lower, &opts)?;
        (0..table.len())
            .into_par_iter()
            .map(|i| relation::decide(&ctx, i, &opts, false))
            .collect()
    };
    let fold_of = assign_folds(&table, &lower, folds);
    let mut scored: Vec<Scored> = Vec::new();
    for f in 0..folds {
        let members: Vec<usize> = (0..table.len())
            .filter(|&i| fold_of[i] == Some(f))
            .collect();
        let saved: Vec<(usize, Hidden<'_>)> =
            members.iter().map(|&i| (i, hide(&mut table, i))).collect();
        let inferred: Vec<Decision> = {
            let ctx = Context::new(&table, &lower, &opts)?;
            members
                .par_iter()
                .map(|&i| relation::decide(&ctx, i, &opts, true))
                .collect()
        };
        for (i, h) in saved {
            restore(&mut table, i, h);
        }
        let ctx = Context::new(&table, &lower, &opts)?;
        for (&i, d) in members.iter().zip(&inferred) {
            let Some(truth) = table.declared_relation[i].and_then(normalize_relation) else {
                continue;
            };
            let declared: Vec<Option<u32>> = table.declared_parents[i]
                .iter()
                .map(|p| ctx.resolve(p, i))
                .collect();
            let parent_true = d.parents.first().map(|p| {
                let got = ctx.resolve(p, i);
                got.is_some() && declared.contains(&got)
                    || table.declared_parents[i]
                        .iter()
                        .any(|q| q.eq_ignore_ascii_case(p))
            });
            let in_data = declared.iter().any(Option::is_some);
            let parent_missed = parent_true == Some(false) || (parent_true.is_none() && in_data);
            let miss = (truth != d.relation || parent_missed).then(|| EvalMiss {
                model_id: table.ids[i].to_string(),
                declared: truth.to_string(),
                inferred: d.relation.to_string(),
                evidence: d.evidence.clone(),
                declared_parents: table.declared_parents[i].clone(),
                inferred_parent: d.parents.first().cloned(),
            });
            scored.push(Scored {
                miss,
                truth: class_index(truth),
                corrected: class_index(visible[i].relation),
                inferred: class_index(d.relation),
                parent_true,
                declared_in_data: in_data,
            });
        }
    }
    Ok(report(&table, &visible, folds, &scored))
}

fn report(table: &Table<'_>, visible: &[Decision], folds: usize, scored: &[Scored]) -> EvalReport {
    let k = rel::ALL.len();
    let mut confusion = vec![vec![0u64; k]; k];
    let mut corrected = vec![vec![0u64; k]; k];
    let mut parents: Vec<ParentMetrics> = rel::ALL.iter().map(|c| ParentMetrics::new(c)).collect();
    let mut all_parents = ParentMetrics::new("all");
    let mut class_right = Share::default();
    let mut class_right_corrected = Share::default();
    for s in scored {
        confusion[s.truth][s.inferred] += 1;
        corrected[s.corrected][s.inferred] += 1;
        if s.truth != 0 && s.inferred != 0 {
            class_right.add(s.truth == s.inferred);
        }
        if s.corrected != 0 && s.inferred != 0 {
            class_right_corrected.add(s.corrected == s.inferred);
        }
        for p in [&mut parents[s.truth], &mut all_parents] {
            p.add(s.parent_true, s.declared_in_data);
        }
    }
    let mut undeclared = Share::default();
    let mut corrections: BTreeMap<(&str, &str), u64> = BTreeMap::new();
    let mut relations: BTreeMap<String, [u64; 2]> = BTreeMap::new();
    for (i, d) in visible.iter().enumerate() {
        match table.declared_relation[i].and_then(normalize_relation) {
            Some(declared) => {
                relations.entry(declared.to_string()).or_default()[0] += 1;
                relations.entry(d.relation.to_string()).or_default()[1] += 1;
                if declared != d.relation {
                    *corrections.entry((declared, d.relation)).or_default() += 1;
                }
            }
            None if d.source == crate::schema::relation_source::DECLARED => {}
            None => undeclared.add(d.relation != rel::ORIGINAL),
        }
    }
    let mut misses: Vec<EvalMiss> = scored.iter().filter_map(|s| s.miss.clone()).collect();
    misses.sort_by(|a, b| a.model_id.cmp(&b.model_id));
    let evaluated = scored.len() as u64;
    let correct: u64 = (0..k).map(|c| confusion[c][c]).sum();
    for p in parents.iter_mut().chain([&mut all_parents]) {
        p.finish();
    }
    EvalReport {
        models: table.len(),
        folds,
        evaluated,
        accuracy: (evaluated > 0).then(|| correct as f64 / evaluated as f64),
        classes: (0..k).map(|c| class_metrics(&confusion, c)).collect(),
        classes_vs_corrected: (0..k).map(|c| class_metrics(&corrected, c)).collect(),
        class_right_among_derivatives: class_right.finish(),
        class_right_vs_corrected: class_right_corrected.finish(),
        parent: all_parents,
        parents_by_class: parents,
        undeclared_inferred_derived: undeclared.finish(),
        relations: relations
            .into_iter()
            .map(|(class, [declared, corrected])| RelationCount {
                class,
                declared,
                corrected,
            })
            .collect(),
        corrections: corrections
            .into_iter()
            .map(|((declared, corrected), models)| Correction {
                declared: declared.to_string(),
                corrected: corrected.to_string(),
                models,
            })
            .collect(),
        labels: rel::ALL.iter().map(|s| s.to_string()).collect(),
        confusion,
        misses,
    }
}
