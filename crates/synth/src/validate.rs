//! Range checks of a scenario; every error names the dotted key path.

use chrono::NaiveDate;

use crate::error::SynthError;
use crate::scenario::{
    ByPeriod, COUNTRY_GROUPS, OPENNESS, ORG_TYPES, PERIOD_KEYS, QUANT_FORMATS, RELATIONS,
    SIZE_CLASSES, Scenario, Shares, TRANSPARENCY, UPLOADER_KINDS,
};

/// Tolerance on a sum of shares.
pub const SUM_TOLERANCE: f64 = 1e-9;

pub(crate) fn scenario(s: &Scenario) -> Result<(), SynthError> {
    population(s)?;
    developers(s)?;
    lineage(s)?;
    popularity(s)?;
    attributes(s)?;
    trajectories(s)?;
    formats(s)?;
    Ok(())
}

pub(crate) fn date(key: &str, value: &str) -> Result<NaiveDate, SynthError> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .map_err(|_| SynthError::invalid(key, format!("`{value}` is not a YYYY-MM-DD date")))
}

fn probability(key: &str, v: f64) -> Result<(), SynthError> {
    if v.is_finite() && (0.0..=1.0).contains(&v) {
        Ok(())
    } else {
        Err(SynthError::invalid(
            key,
            format!("{v} is not a probability in [0, 1]"),
        ))
    }
}

fn positive(key: &str, v: f64) -> Result<(), SynthError> {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        Err(SynthError::invalid(
            key,
            format!("{v} must be positive (growth and scales cannot be zero or negative)"),
        ))
    }
}

/// Keys must come from `allowed`, each value a probability; with `complete` they sum to 1.
fn shares(key: &str, map: &Shares, allowed: &[&str], complete: bool) -> Result<(), SynthError> {
    for (k, v) in map {
        let sub = format!("{key}.{k}");
        if !allowed.contains(&k.as_str()) {
            return Err(SynthError::invalid(
                sub,
                format!("unknown key; expected one of {allowed:?}"),
            ));
        }
        probability(&sub, *v)?;
    }
    if complete {
        let sum: f64 = map.values().sum();
        if (sum - 1.0).abs() > SUM_TOLERANCE {
            return Err(SynthError::invalid(
                key,
                format!("shares sum to {sum}, not 1"),
            ));
        }
    }
    Ok(())
}

fn period_shares(key: &str, by: &ByPeriod<Shares>, allowed: &[&str]) -> Result<(), SynthError> {
    for (p, m) in by.iter() {
        shares(&format!("{key}.{p}"), m, allowed, true)?;
    }
    Ok(())
}

fn period_probabilities(key: &str, by: &ByPeriod<f64>) -> Result<(), SynthError> {
    for (p, v) in by.iter() {
        probability(&format!("{key}.{p}"), *v)?;
    }
    Ok(())
}

fn population(s: &Scenario) -> Result<(), SynthError> {
    let p = &s.population;
    let first = date("population.first_created", &p.first_created)?;
    if first > crate::calendar::first_snapshot() {
        return Err(SynthError::invalid(
            "population.first_created",
            "must be on or before the first snapshot (2020-06-07)",
        ));
    }
    positive(
        "population.creation_growth_per_year",
        p.creation_growth_per_year,
    )?;
    positive(
        "population.download_growth_per_year",
        p.download_growth_per_year,
    )?;
    positive("population.full_scale_downloads", p.full_scale_downloads)?;
    if p.full_scale_models == 0 {
        return Err(SynthError::invalid(
            "population.full_scale_models",
            "must be at least 1",
        ));
    }
    Ok(())
}

fn developers(s: &Scenario) -> Result<(), SynthError> {
    let d = &s.developers;
    positive("developers.tail_per_model", d.tail_per_model)?;
    probability("developers.tail_user_fraction", d.tail_user_fraction)?;
    shares(
        "developers.tail_org_types",
        &d.tail_org_types,
        &ORG_TYPES[..5],
        true,
    )?;
    shares(
        "developers.tail_org_country_groups",
        &d.tail_org_country_groups,
        &COUNTRY_GROUPS[..5],
        true,
    )?;
    probability("developers.head_original_share", d.head_original_share)?;
    probability(
        "developers.annotated_tail_fraction",
        d.annotated_tail_fraction,
    )?;
    positive("developers.activity_pareto_shape", d.activity_pareto_shape)?;
    positive("developers.popularity_sigma", d.popularity_sigma)?;
    for (i, m) in d.intermediaries.iter().enumerate() {
        let key = format!("developers.intermediaries[{i}]");
        date(&format!("{key}.active_from"), &m.active_from)?;
        positive(&format!("{key}.weight"), m.weight)?;
        if m.formats.is_empty() {
            return Err(SynthError::invalid(
                format!("{key}.formats"),
                "needs at least one format",
            ));
        }
        for f in &m.formats {
            if !QUANT_FORMATS.contains(&f.as_str()) {
                return Err(SynthError::invalid(
                    format!("{key}.formats"),
                    format!("unknown format `{f}`; expected one of {QUANT_FORMATS:?}"),
                ));
            }
        }
    }
    Ok(())
}

fn lineage(s: &Scenario) -> Result<(), SynthError> {
    let l = &s.lineage;
    probability("lineage.declared_fraction", l.declared_fraction)?;
    probability("lineage.undocumented_fraction", l.undocumented_fraction)?;
    if l.declared_fraction + l.undocumented_fraction > 1.0 {
        return Err(SynthError::invalid(
            "lineage.undocumented_fraction",
            "declared_fraction + undocumented_fraction exceeds 1",
        ));
    }
    shares("lineage.declared_mix", &l.declared_mix, &RELATIONS, true)?;
    shares(
        "lineage.undocumented_mix",
        &l.undocumented_mix,
        &RELATIONS,
        true,
    )?;
    probability(
        "lineage.relation_field_probability",
        l.relation_field_probability,
    )?;
    shares(
        "lineage.intermediary_probability",
        &l.intermediary_probability,
        &RELATIONS,
        false,
    )?;
    if l.merge_max_parents < 2 {
        return Err(SynthError::invalid(
            "lineage.merge_max_parents",
            "a merge has at least 2 parents",
        ));
    }
    positive(
        "lineage.derivative_popularity_ratio",
        l.derivative_popularity_ratio,
    )?;
    positive(
        "lineage.intermediary_popularity_ratio",
        l.intermediary_popularity_ratio,
    )?;
    probability("lineage.base_model_share", l.base_model_share)?;
    probability("lineage.max_family_share", l.max_family_share)?;
    if l.max_family_share <= 0.0 {
        return Err(SynthError::invalid(
            "lineage.max_family_share",
            "a family must be allowed at least its root",
        ));
    }
    if !(l.attachment_decay_days.is_finite() && l.attachment_decay_days >= 30.0) {
        return Err(SynthError::invalid(
            "lineage.attachment_decay_days",
            format!("{} must be at least 30 days", l.attachment_decay_days),
        ));
    }
    Ok(())
}

fn popularity(s: &Scenario) -> Result<(), SynthError> {
    let p = &s.popularity;
    shares(
        "popularity.zero_probability",
        &p.zero_probability,
        &UPLOADER_KINDS,
        false,
    )?;
    for k in UPLOADER_KINDS {
        if !p.zero_probability.contains_key(k) {
            return Err(SynthError::invalid(
                format!("popularity.zero_probability.{k}"),
                "missing",
            ));
        }
    }
    positive("popularity.model_sigma", p.model_sigma)?;
    positive("popularity.decay_weeks_median", p.decay_weeks_median)?;
    positive("popularity.decay_sigma", p.decay_sigma)?;
    Ok(())
}

fn attributes(s: &Scenario) -> Result<(), SynthError> {
    let a = &s.attributes;
    period_probabilities("attributes.params_known", &a.params_known)?;
    period_shares("attributes.size_classes", &a.size_classes, &SIZE_CLASSES)?;
    period_probabilities("attributes.moe_probability", &a.moe_probability)?;
    period_probabilities(
        "attributes.multimodal_generation_probability",
        &a.multimodal_generation_probability,
    )
}

fn trajectories(s: &Scenario) -> Result<(), SynthError> {
    let t = &s.trajectories;
    let totals = &t.period_totals;
    period_probabilities("trajectories.period_totals", totals)?;
    let sum: f64 = totals.iter().iter().map(|(_, v)| **v).sum();
    if (sum - 1.0).abs() > SUM_TOLERANCE {
        return Err(SynthError::invalid(
            "trajectories.period_totals",
            format!("shares sum to {sum}, not 1"),
        ));
    }
    period_shares(
        "trajectories.country_group",
        &t.country_group,
        &COUNTRY_GROUPS,
    )?;
    period_shares("trajectories.org_type", &t.org_type, &ORG_TYPES)?;
    shares(
        "trajectories.named_developers.share",
        &t.named_developers.share,
        &PERIOD_KEYS,
        false,
    )?;
    period_probabilities(
        "trajectories.multimodal_generation",
        &t.multimodal_generation,
    )?;
    period_probabilities("trajectories.quantized", &t.quantized)?;
    period_probabilities("trajectories.moe", &t.moe)?;
    period_probabilities("trajectories.params_known", &t.params_known)?;
    period_shares("trajectories.size", &t.size, &SIZE_CLASSES)?;
    positive("trajectories.size_ratio_target", t.size_ratio_target)?;
    period_shares("trajectories.openness", &t.openness, &OPENNESS)?;
    period_shares("trajectories.transparency", &t.transparency, &TRANSPARENCY)?;
    for (p, o) in t.openness.iter() {
        let unknown = o.get("unknown").copied().unwrap_or(0.0);
        let no_card = t
            .transparency
            .get(period_index(p))
            .get("no_card")
            .copied()
            .unwrap_or(0.0);
        if (unknown - no_card).abs() > SUM_TOLERANCE {
            return Err(SynthError::invalid(
                format!("trajectories.openness.{p}.unknown"),
                format!(
                    "{unknown} differs from trajectories.transparency.{p}.no_card = {no_card}: a model without a card has no licence"
                ),
            ));
        }
        let open_source = o.get("open_source").copied().unwrap_or(0.0);
        let available = t
            .transparency
            .get(period_index(p))
            .get("available")
            .copied()
            .unwrap_or(0.0);
        if open_source > available {
            return Err(SynthError::invalid(
                format!("trajectories.openness.{p}.open_source"),
                format!(
                    "{open_source} exceeds trajectories.transparency.{p}.available = {available}: open source needs available data"
                ),
            ));
        }
    }
    Ok(())
}

fn period_index(key: &str) -> usize {
    PERIOD_KEYS.iter().position(|k| *k == key).unwrap_or(3)
}

fn formats(s: &Scenario) -> Result<(), SynthError> {
    let modern = date(
        "formats.modern_columns_from",
        &s.formats.modern_columns_from,
    )?;
    let structs = date(
        "formats.struct_columns_from",
        &s.formats.struct_columns_from,
    )?;
    if structs < modern {
        return Err(SynthError::invalid(
            "formats.struct_columns_from",
            "must not be before formats.modern_columns_from",
        ));
    }
    let last = crate::calendar::last_snapshot();
    for (key, value) in [
        ("formats.snapshots_from", &s.formats.snapshots_from),
        ("formats.release_from", &s.formats.release_from),
    ] {
        if let Some(v) = value
            && date(key, v)? > last
        {
            return Err(SynthError::invalid(
                key,
                format!("must not be after the last snapshot, {last}"),
            ));
        }
    }
    Ok(())
}
