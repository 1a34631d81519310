//! truth.json: the planted parameters and the exact values the analyses should
//! recover, computed from the reported counters with the study's definitions.

use serde_json::{Value, json};

use crate::calendar::{Calendar, PERIODS, days};
use crate::developers::{DevKind, Developer};
use crate::downloads::Observed;
use crate::models::{Model, NO_CARD, Relation, UNDISCLOSED};
use crate::rake::{self, DIMENSIONS};
use crate::scenario::{
    COUNTRY_GROUPS, Layout, OPENNESS, ORG_TYPES, PERIOD_KEYS, Scenario, TRANSPARENCY,
};

/// Published values the synthetic truth is shown next to.
const PUBLISHED_C4: [(&str, f64); 3] = [
    ("International/Online", 0.238),
    ("China", 0.171),
    ("USA", 0.158),
];

/// Downloads of every model by period, derived from the reported counters.
pub struct Ledger {
    /// `by_period[i][p]`.
    pub by_period: Vec<[f64; 4]>,
    /// Downloads of models created in the last year, within a year of creation.
    pub one_year: Vec<f64>,
    pub all_time: Vec<u64>,
}

pub fn ledger(models: &[Model], obs: &Observed, cal: &Calendar) -> Ledger {
    let n_weeks = cal.n_weeks();
    let window_start = days(crate::calendar::last_snapshot()) - 364;
    let mut out = Ledger {
        by_period: vec![[0.0; 4]; models.len()],
        one_year: vec![0.0; models.len()],
        all_time: vec![0; models.len()],
    };
    for (i, m) in models.iter().enumerate() {
        for (w, inc) in obs.weekly(models, i, n_weeks) {
            out.by_period[i][cal.period(w)] += inc as f64;
            out.all_time[i] += inc;
            if m.created >= window_start && cal.week_start(w) < m.created + 365 {
                out.one_year[i] += inc as f64;
            }
        }
    }
    out
}

/// A share with its model-clustered tolerance (3 standard errors).
fn share(weights: &[f64], member: impl Fn(usize) -> bool) -> (f64, f64) {
    let total: f64 = weights.iter().sum();
    if total <= 0.0 {
        return (0.0, 0.0);
    }
    let p = weights
        .iter()
        .enumerate()
        .filter(|(i, _)| member(*i))
        .map(|(_, w)| w)
        .sum::<f64>()
        / total;
    let var: f64 = weights
        .iter()
        .enumerate()
        .map(|(i, w)| (w * ((member(i) as u8 as f64) - p)).powi(2))
        .sum();
    (p, 3.0 * var.sqrt() / total)
}

fn entry(value: f64, target: Option<f64>, tolerance: f64) -> Value {
    json!({ "value": value, "target": target, "tolerance": tolerance })
}

/// Download-weighted mean of reported parameters, with its standard error.
fn mean_params(models: &[Model], weights: &[f64]) -> (f64, f64) {
    let pairs: Vec<(f64, f64)> = models
        .iter()
        .zip(weights)
        .filter_map(|(m, w)| m.reported_params().map(|p| (p as f64, *w)))
        .collect();
    let total: f64 = pairs.iter().map(|(_, w)| w).sum();
    if total <= 0.0 {
        return (0.0, 0.0);
    }
    let mean = pairs.iter().map(|(p, w)| p * w).sum::<f64>() / total;
    let var: f64 = pairs.iter().map(|(p, w)| (w * (p - mean)).powi(2)).sum();
    (mean, var.sqrt() / total)
}

/// HHI (sum of squared shares) and Gini over developers' downloads.
fn concentration(devs: &[Developer], models: &[Model], weights: &[f64]) -> (f64, f64) {
    let mut by_dev = vec![0.0; devs.len()];
    for (m, w) in models.iter().zip(weights) {
        by_dev[m.author as usize] += w;
    }
    hhi_gini(by_dev)
}

/// HHI and Gini of a vector of developer totals.
fn hhi_gini(mut by_dev: Vec<f64>) -> (f64, f64) {
    let total: f64 = by_dev.iter().sum();
    if total <= 0.0 {
        return (0.0, 0.0);
    }
    let hhi = by_dev.iter().map(|x| (x / total).powi(2)).sum();
    by_dev.sort_by(|a, b| a.total_cmp(b));
    let n = by_dev.len() as f64;
    let weighted: f64 = by_dev
        .iter()
        .enumerate()
        .map(|(i, x)| (i as f64 + 1.0) * x)
        .sum();
    let gini = 2.0 * weighted / (n * total) - (n + 1.0) / n;
    (hhi, gini)
}

fn class_shares(
    list: &[&str],
    weights: &[f64],
    class: impl Fn(usize) -> usize,
    planted: Option<&crate::scenario::Shares>,
) -> Value {
    let mut out = serde_json::Map::new();
    for (k, name) in list.iter().enumerate() {
        let (v, tol) = share(weights, |i| class(i) == k);
        let target = planted.map(|m| m.get(*name).copied().unwrap_or(0.0));
        out.insert(name.to_string(), entry(v, target, tol));
    }
    Value::Object(out)
}

fn period_block(
    s: &Scenario,
    devs: &[Developer],
    models: &[Model],
    cells: &[rake::Cell],
    weights: &[f64],
    p: usize,
) -> Value {
    let t = &s.trajectories;
    let dev = |i: usize| &devs[models[i].author as usize];
    let named = share(weights, |i| cells[i][2] == 1);
    let (mean, mean_se) = mean_params(models, weights);
    let (hhi, gini) = concentration(devs, models, weights);
    let three = |i: usize| {
        if cells[i][7] == NO_CARD {
            UNDISCLOSED as usize
        } else {
            cells[i][7] as usize
        }
    };
    let usa_industry = share(weights, |i| {
        dev(i).seen_country_group() == "USA" && dev(i).seen_org_type() == "industry"
    });
    let community_user = share(weights, |i| {
        matches!(dev(i).seen_org_type(), "community" | "user")
    });
    let intermediaries = share(weights, |i| dev(i).kind == DevKind::Intermediary);
    let binary = |d: usize, planted: f64| {
        let (v, tol) = share(weights, |i| cells[i][d] == 1);
        entry(v, Some(planted), tol)
    };
    let total: f64 = weights.iter().sum();
    let known = share(weights, |i| cells[i][8] > 0);
    let known = entry(known.0, Some(*t.params_known.get(p)), known.1);
    json!({
        "period": PERIODS[p],
        "total_downloads": total,
        "country_group": class_shares(&COUNTRY_GROUPS, weights, |i| cells[i][0] as usize, Some(t.country_group.get(p))),
        "org_type": class_shares(&ORG_TYPES, weights, |i| cells[i][1] as usize, Some(t.org_type.get(p))),
        "named_developers": entry(named.0, t.named_developers.share.get(PERIOD_KEYS[p]).copied(), named.1),
        "usa_industry": entry(usa_industry.0, None, usa_industry.1),
        "community_and_user": entry(community_user.0, None, community_user.1),
        "intermediaries": entry(intermediaries.0, None, intermediaries.1),
        "multimodal_generation": binary(3, *t.multimodal_generation.get(p)),
        "quantized": binary(4, *t.quantized.get(p)),
        "moe": binary(5, *t.moe.get(p)),
        "params_known": known,
        "mean_params": entry(mean, None, 3.0 * mean_se),
        "openness": class_shares(&OPENNESS, weights, |i| cells[i][6] as usize, Some(t.openness.get(p))),
        "transparency": class_shares(&TRANSPARENCY[..3], weights, three, None),
        "transparency_with_no_card": class_shares(&TRANSPARENCY, weights, |i| cells[i][7] as usize, Some(t.transparency.get(p))),
        "hhi_developers": hhi,
        "gini_developers": gini,
    })
}

fn ratio(blocks: &[Value], key: &str, target: f64) -> Value {
    let get = |p: usize, f: &str| blocks[p][key][f].as_f64().unwrap_or(0.0);
    let (a, b) = (get(0, "value"), get(3, "value"));
    let value = if a > 0.0 { b / a } else { f64::NAN };
    // Tolerances are 3 standard errors; combine the relative errors.
    let rel = ((get(0, "tolerance") / a.max(f64::MIN_POSITIVE)).powi(2)
        + (get(3, "tolerance") / b.max(f64::MIN_POSITIVE)).powi(2))
    .sqrt();
    let value = if value.is_finite() { Some(value) } else { None };
    json!({ "value": value, "target": target, "tolerance": value.map(|v| v * rel), "of": format!("{key}: 2025 over <=2022") })
}

fn calibration(devs: &[Developer], models: &[Model], ledger: &Ledger) -> Value {
    let n = models.len().max(1) as f64;
    let zero = ledger.all_time.iter().filter(|d| **d == 0).count() as f64 / n;
    let mut sorted: Vec<u64> = ledger.all_time.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    let total: f64 = sorted.iter().map(|d| *d as f64).sum();
    let top = ((models.len() as f64) * 0.01).ceil() as usize;
    let top_share = sorted.iter().take(top).map(|d| *d as f64).sum::<f64>() / total.max(1.0);
    let declared: Vec<&Model> = models.iter().filter(|m| m.declared).collect();
    let mix = |list: &[&Model]| {
        let mut o = serde_json::Map::new();
        for r in [
            Relation::Adapter,
            Relation::Finetune,
            Relation::Quantized,
            Relation::Merge,
        ] {
            let c = list.iter().filter(|m| m.relation == r).count() as f64;
            o.insert(r.key().into(), json!(c / (list.len().max(1) as f64)));
        }
        Value::Object(o)
    };
    let undocumented: Vec<&Model> = models
        .iter()
        .filter(|m| !m.declared && m.relation != Relation::Original)
        .collect();
    let count_kind = |k: DevKind| devs.iter().filter(|d| d.kind == k).count();
    let mut relation_counts = serde_json::Map::new();
    for r in [
        Relation::Original,
        Relation::Finetune,
        Relation::Adapter,
        Relation::Quantized,
        Relation::Merge,
    ] {
        relation_counts.insert(
            r.key().into(),
            json!(models.iter().filter(|m| m.relation == r).count()),
        );
    }
    json!({
        "models": models.len(),
        "total_downloads": total,
        "zero_download_fraction": zero,
        "top_1pct_share": top_share,
        "declared_fraction": declared.len() as f64 / n,
        "declared_mix": mix(&declared),
        "undocumented_fraction": undocumented.len() as f64 / n,
        "undocumented_mix": mix(&undocumented),
        "relations": Value::Object(relation_counts),
        "merges_with_multiple_parents": models.iter().filter(|m| m.parents.len() > 1).count(),
        "chains_derivative_of_derivative": models.iter().filter(|m| m.parents.first().is_some_and(|p| models[*p as usize].relation != Relation::Original)).count(),
        "params_reported_fraction": models.iter().filter(|m| m.reported_params().is_some()).count() as f64 / n,
        "developers": { "head": count_kind(DevKind::Head), "intermediary": count_kind(DevKind::Intermediary), "tail": count_kind(DevKind::Tail),
                        "annotated": devs.iter().filter(|d| d.annotated).count() },
    })
}

fn one_year(devs: &[Developer], models: &[Model], ledger: &Ledger) -> Value {
    let mut out = serde_json::Map::new();
    for g in COUNTRY_GROUPS {
        let (v, tol) = share(&ledger.one_year, |i| {
            devs[models[i].author as usize].seen_country_group() == g
        });
        let published = PUBLISHED_C4.iter().find(|(k, _)| *k == g).map(|(_, v)| *v);
        out.insert(
            g.into(),
            json!({ "value": v, "published": published, "tolerance": tol }),
        );
    }
    let total: f64 = ledger.one_year.iter().sum();
    json!({
        "definition": "models created 2024-09-01..2025-08-31 (true creation date); downloads in weeks whose Monday is before created + 365 days",
        "total_downloads": total,
        "country_group": Value::Object(out),
    })
}

fn anomalies(models: &[Model], obs: &Observed, cal: &Calendar) -> Value {
    let a = &obs.anomalies;
    json!({
        "missing_two_snapshots": a.missing.iter().map(|(i, w)| json!({"id": models[*i as usize].id, "snapshots": [cal.label(*w), cal.label(*w + 1)]})).collect::<Vec<_>>(),
        "counter_glitches": a.glitches.iter().map(|(i, w, v)| json!({"id": models[*i as usize].id, "snapshot": cal.label(*w), "reported": v,
            "true": obs.cumulative.at(models, *i as usize, *w)})).collect::<Vec<_>>(),
        "duplicate_rows": a.duplicates.iter().map(|(i, w)| json!({"id": models[*i as usize].id, "snapshot": cal.label(*w)})).collect::<Vec<_>>(),
    })
}

pub struct TruthInput<'a> {
    pub scenario: &'a Scenario,
    pub devs: &'a [Developer],
    pub models: &'a [Model],
    pub observed: &'a Observed,
    pub seed: u64,
    pub layout: Layout,
}

pub fn build(input: &TruthInput, cal: &Calendar) -> Value {
    let TruthInput {
        scenario,
        devs,
        models,
        observed,
        seed,
        layout,
    } = *input;
    let ledger = ledger(models, observed, cal);
    let cells: Vec<rake::Cell> = models
        .iter()
        .map(|m| rake::cell(scenario, devs, m))
        .collect();
    let blocks: Vec<Value> = (0..4)
        .map(|p| {
            let w: Vec<f64> = ledger.by_period.iter().map(|d| d[p]).collect();
            period_block(scenario, devs, models, &cells, &w, p)
        })
        .collect();
    let t = &scenario.trajectories;
    let planted_ratio = |by: &crate::scenario::ByPeriod<f64>| by.y2025 / by.le2022;
    json!({
        "generator": { "crate": "hubecon-synth", "version": env!("CARGO_PKG_VERSION"), "seed": seed, "models": models.len(),
                        "layout": match layout { Layout::Compact => "compact", _ => "weekly" },
                        "snapshots": { "first": cal.label(0), "last": cal.label(cal.n_weeks() - 1), "count": cal.n_weeks() } },
        "definitions": definitions(),
        "scenario": scenario,
        "calibration": calibration(devs, models, &ledger),
        "periods": blocks.clone(),
        "ratios": {
            "size": ratio(&blocks, "mean_params", t.size_ratio_target),
            "multimodal_generation": ratio(&blocks, "multimodal_generation", planted_ratio(&t.multimodal_generation)),
            "quantized": ratio(&blocks, "quantized", planted_ratio(&t.quantized)),
            "moe": ratio(&blocks, "moe", planted_ratio(&t.moe)),
        },
        "one_year_window": one_year(devs, models, &ledger),
        "raking": {
            "dimensions": DIMENSIONS,
            "max_gap_by_period": observed.rake.max_gap,
            "largest_weekly_gap_to_hub_curve": observed.hub_curve_gap,
            "unattainable_targets": observed.rake.unattainable.iter().map(|(p, d, k)| json!({"period": PERIODS[*p], "dimension": d, "class": k})).collect::<Vec<_>>(),
        },
        "anomalies": anomalies(models, observed, cal),
    })
}

fn definitions() -> Value {
    json!({
        "weekly_downloads": "increment of downloadsAllTime over the running maximum of earlier reports, credited to the ISO week (Monday start) that the snapshot Sunday closes; a model's first report counts in its first week",
        "period": "a week belongs to the period of the year of its Monday: <=2022, 2023, 2024, 2025",
        "share": "downloads of models in the class / all downloads in the period; developer classes are the uploader's annotation (unannotated: unknown / Unknown)",
        "tolerance": "3 model-clustered standard errors: 3 * sqrt(sum_i d_i^2 (x_i - value)^2) / sum_i d_i; ratios combine the relative errors of both periods",
        "mean_params": "download-weighted mean of safetensors total, else gguf total, over models that report one",
        "multimodal_generation": "hubecon_lineage::is_multimodal_generation of the modality hubecon-lineage derives from the model's pipeline tag and library (or the release's modality, which gives the same verdict): the task generates content and its inputs and outputs span at least two media",
        "quantized": "true relation quantized, declared or not",
        "moe": "true architecture is a mixture of experts (config architectures contain Moe, Mixtral, DeepseekV3, SwitchTransformers, GptOss; GGUF copies carry it only through lineage or gguf.architecture)",
        "openness": "restricted if gated or cc-by-nc-*; unknown if no licence; open_source if OSI licence and available data; else open_weights",
        "transparency": "available: card datasets are Hub ids owner/name; disclosed: named but not Hub ids; undisclosed: no datasets (including models without a card); transparency_with_no_card splits out models without a card",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn share_and_its_tolerance() {
        let w = [10.0, 30.0, 60.0];
        let (p, tol) = share(&w, |i| i == 1);
        assert!((p - 0.3).abs() < 1e-12);
        let se = ((10.0f64 * 0.3).powi(2) + (30.0f64 * 0.7).powi(2) + (60.0f64 * 0.3).powi(2))
            .sqrt()
            / 100.0;
        assert!((tol - 3.0 * se).abs() < 1e-12);
    }

    #[test]
    fn concentration_of_equal_and_single_developers() {
        let (hhi, gini) = concentration_of(&[1.0, 1.0, 1.0, 1.0]);
        assert!((hhi - 0.25).abs() < 1e-12 && gini.abs() < 1e-12);
        let (hhi, gini) = concentration_of(&[0.0, 0.0, 0.0, 5.0]);
        assert!((hhi - 1.0).abs() < 1e-12 && (gini - 0.75).abs() < 1e-12);
    }

    fn concentration_of(x: &[f64]) -> (f64, f64) {
        hhi_gini(x.to_vec())
    }
}
