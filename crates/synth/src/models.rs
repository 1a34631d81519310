//! The model population: creation dates, uploaders, lineage, attributes, names.
//!
//! Models are generated in order of true creation date, so a parent always
//! precedes its children and every snapshot holds a prefix of the list.

use std::collections::HashSet;

use rand::RngExt;
use rand_distr::{Distribution, LogNormal};
use rand_pcg::Pcg64;

use crate::attach::{Attachment, Joining};
use crate::attributes;
use crate::bases::{BASE_MODELS, bases_for};
use crate::calendar::{Calendar, days, period_of_day};
use crate::catalog::{FAMILIES, Family};
use crate::developers::{DevKind, Developer, pick_key};
use crate::error::SynthError;
use crate::scenario::Scenario;
use crate::validate::date;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Relation {
    Original,
    Finetune,
    Adapter,
    Quantized,
    Merge,
}

impl Relation {
    pub fn key(self) -> &'static str {
        match self {
            Relation::Original => "original",
            Relation::Finetune => "finetune",
            Relation::Adapter => "adapter",
            Relation::Quantized => "quantized",
            Relation::Merge => "merge",
        }
    }
    fn from_key(k: &str) -> Relation {
        match k {
            "adapter" => Relation::Adapter,
            "quantized" => Relation::Quantized,
            "merge" => Relation::Merge,
            _ => Relation::Finetune,
        }
    }
}

/// Training-data transparency of a card (index into `scenario::TRANSPARENCY`).
pub const AVAILABLE: u8 = 0;
pub const DISCLOSED: u8 = 1;
pub const UNDISCLOSED: u8 = 2;
pub const NO_CARD: u8 = 3;

#[derive(Debug, Clone)]
pub struct Model {
    pub id: String,
    /// The Hub's 24-hex object id (`_id`).
    pub oid: String,
    pub author: u32,
    /// True creation date (days since epoch); the snapshots may show the clamp.
    pub created: i32,
    /// First snapshot that lists it.
    pub first_week: usize,
    pub relation: Relation,
    pub declared: bool,
    /// The card writes `base_model_relation`.
    pub relation_field: bool,
    pub parents: Vec<u32>,
    /// Quantization format (quantized models only).
    pub quant: Option<&'static str>,
    pub family: usize,
    pub params: u64,
    pub safetensors_known: bool,
    pub gguf: bool,
    pub license: Option<&'static str>,
    pub gated: bool,
    pub transparency: u8,
    pub datasets: Vec<&'static str>,
    pub languages: Vec<&'static str>,
    /// Latent interest before the never-downloaded draw.
    pub latent: f64,
    /// Popularity (0: never downloaded).
    pub popularity: f64,
    /// Weeks of exponential decay of interest.
    pub decay_weeks: f64,
    /// The short name its derivatives are named after (see `names`).
    pub core: String,
    /// Root of its first-parent chain (itself for an original).
    pub root: u32,
    /// One of the head labs' base models (`bases`).
    pub base: bool,
}

impl Model {
    pub fn family(&self) -> &'static Family {
        &FAMILIES[self.family]
    }
    /// Parameter count as the Hub reports it (safetensors total, else GGUF total).
    pub fn reported_params(&self) -> Option<u64> {
        (self.safetensors_known || self.gguf).then_some(self.params)
    }
    /// The short name after `author/`.
    pub fn name(&self) -> &str {
        self.id.split_once('/').map(|(_, n)| n).unwrap_or(&self.id)
    }
}

/// Creation dates, sorted: exponential growth of the creation rate.
fn creation_days(scenario: &Scenario, n: usize, rng: &mut Pcg64) -> Result<Vec<i32>, SynthError> {
    let first = days(date(
        "population.first_created",
        &scenario.population.first_created,
    )?);
    let last = days(crate::calendar::last_snapshot());
    let span = (last - first) as f64;
    let g = scenario.population.creation_growth_per_year.ln() / 365.25;
    let mut out: Vec<i32> = (0..n)
        .map(|_| {
            let u: f64 = rng.random();
            let t = if g.abs() < 1e-12 {
                u * span
            } else {
                (1.0 + u * ((g * span).exp() - 1.0)).ln() / g
            };
            first + (t.floor() as i32).clamp(0, last - first)
        })
        .collect();
    out.sort_unstable();
    Ok(out)
}

/// Cumulative weights for drawing developers of one kind.
struct DevPicker {
    index: Vec<u32>,
    cumulative: Vec<f64>,
}

impl DevPicker {
    fn new(devs: &[Developer], kind: DevKind) -> Self {
        let mut index = Vec::new();
        let mut cumulative = Vec::new();
        let mut acc = 0.0;
        for (i, d) in devs
            .iter()
            .enumerate()
            .filter(|(_, d)| d.kind == kind && d.activity > 0.0)
        {
            acc += d.activity;
            index.push(i as u32);
            cumulative.push(acc);
        }
        DevPicker { index, cumulative }
    }
    /// A developer active on `day`, by activity (up to 20 tries).
    fn draw(&self, devs: &[Developer], day: i32, rng: &mut Pcg64) -> Option<u32> {
        let total = *self.cumulative.last()?;
        (0..20).find_map(|_| {
            let u = rng.random::<f64>() * total;
            let k = self
                .cumulative
                .partition_point(|c| *c <= u)
                .min(self.index.len() - 1);
            let d = self.index[k];
            (devs[d as usize].active_from <= day).then_some(d)
        })
    }
}

struct Ctx<'a> {
    scenario: &'a Scenario,
    devs: &'a [Developer],
    head: DevPicker,
    intermediaries: DevPicker,
    tail: DevPicker,
    model_sigma: LogNormal<f64>,
    decay: LogNormal<f64>,
    /// Spread of the base models' interest around their (high) level.
    base_noise: LogNormal<f64>,
    attach: Attachment,
    ids: HashSet<String>,
}

/// Generate the whole population, in creation order.
pub fn generate(
    scenario: &Scenario,
    devs: &[Developer],
    n: usize,
    seed: u64,
    rng: &mut Pcg64,
) -> Result<Vec<Model>, SynthError> {
    let cal = Calendar::new();
    let created = creation_days(scenario, n, rng)?;
    let slots = base_slots(&created, devs, n)?;
    let l = &scenario.lineage;
    let mut ctx = Ctx {
        scenario,
        devs,
        head: DevPicker::new(devs, DevKind::Head),
        intermediaries: DevPicker::new(devs, DevKind::Intermediary),
        tail: DevPicker::new(devs, DevKind::Tail),
        model_sigma: LogNormal::new(0.0, scenario.popularity.model_sigma)
            .map_err(|e| SynthError::invalid("popularity.model_sigma", e.to_string()))?,
        decay: LogNormal::new(
            scenario.popularity.decay_weeks_median.ln(),
            scenario.popularity.decay_sigma,
        )
        .map_err(|e| SynthError::invalid("popularity.decay_sigma", e.to_string()))?,
        base_noise: LogNormal::new(0.0, 0.5)
            .map_err(|e| SynthError::invalid("popularity", e.to_string()))?,
        attach: Attachment::new(
            n,
            l.max_family_share,
            l.base_model_share,
            l.attachment_decay_days,
            created.first().copied().unwrap_or(0),
        ),
        ids: HashSet::with_capacity(n),
    };
    let mut models: Vec<Model> = Vec::with_capacity(n);
    for (i, day) in created.into_iter().enumerate() {
        let mut m = match slots[i] {
            Some((b, dev)) => base_model(&mut ctx, b, dev, day, i, rng),
            None => draw_model(&mut ctx, &models, day, i, rng),
        };
        m.first_week = cal.first_week_on_or_after(day);
        m.oid = object_id(day, i as u64, seed);
        let appeal = (m.latent + 1e-3).powf(0.25);
        ctx.attach.join(&Joining {
            index: i,
            day,
            parent: m.parents.first().map(|p| *p as usize),
            pool_appeal: match m.relation {
                _ if m.base => None,
                Relation::Original => Some(appeal),
                Relation::Finetune | Relation::Merge => Some(0.5 * appeal),
                _ => None,
            },
            base_appeal: slots[i].map(|(b, _)| BASE_MODELS[b].appeal),
            llm: m.family().llm,
        });
        models.push(m);
    }
    Ok(models)
}

/// The models that are the head labs' base models: for each (in priority
/// order), the first model created on or after its date, by its lab.
fn base_slots(
    created: &[i32],
    devs: &[Developer],
    n: usize,
) -> Result<Vec<Option<(usize, u32)>>, SynthError> {
    let mut slots: Vec<Option<(usize, u32)>> = vec![None; created.len()];
    for (k, b) in bases_for(n).iter().enumerate() {
        let Some(dev) = devs.iter().position(|d| d.name == b.author()) else {
            continue;
        };
        let day = days(date("base model date", b.created)?);
        let start = created.partition_point(|d| *d < day);
        if let Some(i) = (start..created.len()).find(|&i| slots[i].is_none()) {
            slots[i] = Some((k, dev as u32));
        }
    }
    Ok(slots)
}

/// A model with nothing drawn yet.
fn blank(author: u32, day: i32, index: usize, decay_weeks: f64) -> Model {
    Model {
        id: String::new(),
        oid: String::new(),
        author,
        created: day,
        first_week: 0,
        relation: Relation::Original,
        declared: false,
        relation_field: false,
        parents: Vec::new(),
        quant: None,
        family: 0,
        params: 0,
        safetensors_known: false,
        gguf: false,
        license: None,
        gated: false,
        transparency: NO_CARD,
        datasets: Vec::new(),
        languages: Vec::new(),
        latent: 0.0,
        popularity: 0.0,
        decay_weeks,
        core: String::new(),
        root: index as u32,
        base: false,
    }
}

/// A head lab's base model: real id, size, licence and data; high interest
/// that fades slowly; always downloaded.
fn base_model(ctx: &mut Ctx, b: usize, dev: u32, day: i32, index: usize, rng: &mut Pcg64) -> Model {
    let spec = &BASE_MODELS[b];
    let devs = ctx.devs;
    let mut m = blank(dev, day, index, 3.0 * ctx.decay.sample(rng));
    attributes::base(&mut m, spec, spec.family_index().unwrap_or(0));
    m.languages = attributes::languages(&devs[dev as usize], rng);
    let level = (2.0 * ctx.scenario.popularity.model_sigma).exp();
    m.latent = devs[dev as usize].popularity * level * ctx.base_noise.sample(rng);
    m.popularity = m.latent;
    m.base = true;
    m.id = unique_id(&mut ctx.ids, &devs[dev as usize].name, spec.name());
    m.core = m.name().to_string();
    m
}

/// A Hub-style ObjectId: 4 bytes of creation time, then 8 bytes of a hash.
fn object_id(day: i32, i: u64, seed: u64) -> String {
    let secs = (day.max(0) as u64) * 86_400;
    let mut x = i ^ seed.rotate_left(17) ^ 0x9E37_79B9_7F4A_7C15;
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^= x >> 31;
    format!("{:08x}{:016x}", secs as u32, x)
}

fn draw_relation(scenario: &Scenario, rng: &mut Pcg64) -> (Relation, bool) {
    let l = &scenario.lineage;
    let u: f64 = rng.random();
    if u < l.declared_fraction {
        (Relation::from_key(&pick_key(&l.declared_mix, rng)), true)
    } else if u < l.declared_fraction + l.undocumented_fraction {
        (
            Relation::from_key(&pick_key(&l.undocumented_mix, rng)),
            false,
        )
    } else {
        (Relation::Original, false)
    }
}

/// The parents of a new derivative, and its relation once they are known
/// (a quantization of a model that cannot be quantized becomes a fine-tune,
/// a merge without a second parent of its family too, and a derivative
/// without any parent an original).
fn draw_parents(
    ctx: &Ctx,
    models: &[Model],
    mut relation: Relation,
    day: i32,
    rng: &mut Pcg64,
) -> (Relation, Vec<u32>) {
    let limit = models.len();
    let any = |_: usize| true;
    let first = if relation == Relation::Quantized {
        ctx.attach
            .draw(limit, day, true, &any, rng)
            .or_else(|| ctx.attach.draw(limit, day, false, &any, rng))
    } else {
        ctx.attach.draw(limit, day, false, &any, rng)
    };
    let Some(p) = first else {
        return (Relation::Original, Vec::new());
    };
    if relation == Relation::Quantized && !models[p].family().llm {
        relation = Relation::Finetune;
    }
    let mut parents = vec![p as u32];
    if relation == Relation::Merge {
        let family = models[p].family;
        let extra = rng.random_range(1..ctx.scenario.lineage.merge_max_parents);
        for _ in 0..extra {
            let taken = parents.clone();
            let partner = |q: usize| models[q].family == family && !taken.contains(&(q as u32));
            if let Some(q) = ctx.attach.draw(limit, day, false, &partner, rng) {
                parents.push(q as u32);
            }
        }
        if parents.len() < 2 {
            relation = Relation::Finetune;
        }
    }
    (relation, parents)
}

fn draw_model(ctx: &mut Ctx, models: &[Model], day: i32, index: usize, rng: &mut Pcg64) -> Model {
    let (drawn, declared) = draw_relation(ctx.scenario, rng);
    let (relation, parents) = if drawn == Relation::Original {
        (drawn, Vec::new())
    } else {
        draw_parents(ctx, models, drawn, day, rng)
    };
    let period = period_of_day(day);
    let author = draw_author(ctx, models, relation, &parents, day, rng);
    let devs = ctx.devs;
    let dev = &devs[author as usize];
    let mut m = blank(author, day, index, ctx.decay.sample(rng));
    m.relation = relation;
    m.declared = declared && relation != Relation::Original;
    m.relation_field = rng.random_bool(ctx.scenario.lineage.relation_field_probability);
    if let Some(p) = parents.first() {
        m.root = ctx.attach.root(*p as usize) as u32;
    }
    m.parents = parents;
    if relation == Relation::Original {
        attributes::original(ctx.scenario, &mut m, period, rng);
    } else {
        attributes::derived(ctx.scenario, &mut m, models, dev, rng);
    }
    attributes::card(ctx.scenario, &mut m, dev, period, rng);
    popularity(ctx, &mut m, models, dev.kind, rng);
    if relation == Relation::Quantized {
        m.core = models[m.parents[0] as usize].core.clone();
    }
    let stem = crate::names::stem(&m, models, rng);
    m.id = unique_id(&mut ctx.ids, &dev.name, &stem);
    m.core = match relation {
        Relation::Original => m.name().to_string(),
        Relation::Quantized => std::mem::take(&mut m.core),
        _ => stem,
    };
    m
}

fn draw_author(
    ctx: &Ctx,
    models: &[Model],
    relation: Relation,
    parents: &[u32],
    day: i32,
    rng: &mut Pcg64,
) -> u32 {
    let l = &ctx.scenario.lineage;
    let tail = |rng: &mut Pcg64| {
        ctx.tail
            .draw(ctx.devs, day, rng)
            .unwrap_or(ctx.tail.index[0])
    };
    if relation == Relation::Original {
        if rng.random_bool(ctx.scenario.developers.head_original_share) {
            return ctx
                .head
                .draw(ctx.devs, day, rng)
                .unwrap_or_else(|| tail(rng));
        }
        return tail(rng);
    }
    let p_int = l
        .intermediary_probability
        .get(relation.key())
        .copied()
        .unwrap_or(0.0);
    if rng.random_bool(p_int)
        && let Some(d) = ctx.intermediaries.draw(ctx.devs, day, rng)
    {
        return d;
    }
    // A head developer often publishes its own fine-tunes and quantizations;
    // of its flagship base models, the community publishes nearly all.
    let parent = &models[parents[0] as usize];
    let own = if parent.base { 0.02 } else { 0.3 };
    if ctx.devs[parent.author as usize].kind == DevKind::Head && rng.random_bool(own) {
        return parent.author;
    }
    tail(rng)
}

fn popularity(ctx: &Ctx, m: &mut Model, models: &[Model], kind: DevKind, rng: &mut Pcg64) {
    let dev_pop = ctx.devs[m.author as usize].popularity;
    let noise = ctx.model_sigma.sample(rng);
    m.latent = if m.relation == Relation::Original {
        dev_pop * noise
    } else {
        let ratio = if kind == DevKind::Intermediary {
            ctx.scenario.lineage.intermediary_popularity_ratio
        } else {
            ctx.scenario.lineage.derivative_popularity_ratio
        };
        let parent = models[m.parents[0] as usize].latent;
        (ratio * parent + 0.01 * dev_pop) * noise.powf(0.6)
    };
    let p_zero = ctx
        .scenario
        .popularity
        .zero_probability
        .get(kind.key())
        .copied()
        .unwrap_or(0.0);
    m.popularity = if rng.random_bool(p_zero) {
        0.0
    } else {
        m.latent
    };
}

fn unique_id(ids: &mut HashSet<String>, author: &str, stem: &str) -> String {
    let base = format!("{author}/{stem}");
    let mut id = base.clone();
    let mut k = 2;
    while ids.contains(&id) {
        id = format!("{base}-v{k}");
        k += 1;
    }
    ids.insert(id.clone());
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_ids_are_24_hex_digits() {
        let id = object_id(19_000, 5, 42);
        assert_eq!(id.len(), 24);
        assert!(id.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(id, object_id(19_000, 6, 42));
    }
}
