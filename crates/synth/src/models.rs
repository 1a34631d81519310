//! The model population: creation dates, uploaders, lineage, attributes, names.
//!
//! Models are generated in order of true creation date, so a parent always
//! precedes its children and every snapshot holds a prefix of the list.

use std::collections::HashSet;

use rand::RngExt;
use rand_distr::{Distribution, LogNormal};
use rand_pcg::Pcg64;

use crate::calendar::{Calendar, days, period_of_day};
use crate::catalog::{self, FAMILIES, Family, SIZE_BOUNDS};
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

/// A Fenwick tree of weights over model indices, to draw parents in O(log n).
struct Fenwick {
    tree: Vec<f64>,
    total: f64,
}

impl Fenwick {
    fn new(n: usize) -> Self {
        Fenwick {
            tree: vec![0.0; n + 1],
            total: 0.0,
        }
    }
    fn add(&mut self, i: usize, w: f64) {
        self.total += w;
        let mut k = i + 1;
        while k < self.tree.len() {
            self.tree[k] += w;
            k += k & k.wrapping_neg();
        }
    }
    /// Index whose cumulative weight interval contains `u` (0 <= u < total).
    fn find(&self, mut u: f64) -> usize {
        let mut pos = 0;
        let mut step = self.tree.len().next_power_of_two();
        while step > 0 {
            let next = pos + step;
            if next < self.tree.len() && self.tree[next] <= u {
                pos = next;
                u -= self.tree[next];
            }
            step >>= 1;
        }
        pos.min(self.tree.len() - 2)
    }
    /// A weighted draw among indices below `limit` (the models created so far).
    fn draw(&self, limit: usize, rng: &mut Pcg64) -> Option<usize> {
        if self.total <= 0.0 {
            return None;
        }
        let p = self.find(rng.random::<f64>() * self.total * (1.0 - 1e-12));
        (p < limit).then_some(p)
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
        ids: HashSet::with_capacity(n),
    };
    let mut parents_any = Fenwick::new(n);
    let mut parents_llm = Fenwick::new(n);
    let mut models: Vec<Model> = Vec::with_capacity(n);
    for (i, day) in creation_days(scenario, n, rng)?.into_iter().enumerate() {
        let mut m = draw_model(&mut ctx, &models, &parents_any, &parents_llm, day, rng);
        m.first_week = cal.first_week_on_or_after(day);
        m.oid = object_id(day, i as u64, seed);
        if matches!(
            m.relation,
            Relation::Original | Relation::Finetune | Relation::Merge
        ) {
            let w = (m.latent + 1e-3).powf(0.8);
            parents_any.add(i, w);
            if m.family().llm {
                parents_llm.add(i, w);
            }
        }
        models.push(m);
    }
    Ok(models)
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

fn draw_model(
    ctx: &mut Ctx,
    models: &[Model],
    any: &Fenwick,
    llm: &Fenwick,
    day: i32,
    rng: &mut Pcg64,
) -> Model {
    let (mut relation, declared) = draw_relation(ctx.scenario, rng);
    let mut parents = Vec::new();
    if relation != Relation::Original {
        let pool = if relation == Relation::Quantized {
            llm
        } else {
            any
        };
        match pool
            .draw(models.len(), rng)
            .or_else(|| any.draw(models.len(), rng))
        {
            Some(p) => {
                if relation == Relation::Quantized && !models[p].family().llm {
                    relation = Relation::Finetune;
                }
                parents.push(p as u32);
                if relation == Relation::Merge {
                    let extra = rng.random_range(1..ctx.scenario.lineage.merge_max_parents);
                    for _ in 0..extra {
                        if let Some(q) = any
                            .draw(models.len(), rng)
                            .filter(|q| !parents.contains(&(*q as u32)))
                        {
                            parents.push(q as u32);
                        }
                    }
                    if parents.len() < 2 {
                        relation = Relation::Finetune;
                    }
                }
            }
            None => relation = Relation::Original,
        }
    }
    let period = period_of_day(day);
    let author = draw_author(ctx, models, relation, &parents, day, rng);
    let dev = &ctx.devs[author as usize];
    let mut m = Model {
        id: String::new(),
        oid: String::new(),
        author,
        created: day,
        first_week: 0,
        relation,
        declared: declared && relation != Relation::Original,
        relation_field: rng.random_bool(ctx.scenario.lineage.relation_field_probability),
        parents,
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
        decay_weeks: ctx.decay.sample(rng),
    };
    if relation == Relation::Original {
        original_attributes(ctx.scenario, &mut m, period, rng);
    } else {
        derived_attributes(ctx.scenario, &mut m, models, dev, rng);
    }
    card(ctx.scenario, &mut m, dev, period, rng);
    popularity(ctx, &mut m, models, dev.kind, rng);
    m.id = unique_id(
        &mut ctx.ids,
        &dev.name,
        &crate::names::stem(&m, models, rng),
    );
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
    // A head developer often publishes its own fine-tunes and quantizations.
    let parent_author = models[parents[0] as usize].author;
    if ctx.devs[parent_author as usize].kind == DevKind::Head && rng.random_bool(0.3) {
        return parent_author;
    }
    tail(rng)
}

fn pick_family(moe: bool, multimodal: bool, period: usize, rng: &mut Pcg64) -> usize {
    let candidates: Vec<(usize, f64)> = FAMILIES
        .iter()
        .enumerate()
        .filter(|(_, f)| {
            f.moe == moe && (moe || f.multimodal == multimodal) && f.weight[period] > 0.0
        })
        .map(|(i, f)| (i, f.weight[period]))
        .collect();
    if candidates.is_empty() {
        return pick_family(false, false, period, rng);
    }
    let total: f64 = candidates.iter().map(|c| c.1).sum();
    let mut u = rng.random::<f64>() * total;
    for (i, w) in &candidates {
        if u < *w {
            return *i;
        }
        u -= w;
    }
    candidates[candidates.len() - 1].0
}

fn original_attributes(s: &Scenario, m: &mut Model, period: usize, rng: &mut Pcg64) {
    let a = &s.attributes;
    let moe = rng.random_bool(*a.moe_probability.get(period));
    let multimodal = rng.random_bool(*a.multimodal_generation_probability.get(period));
    m.family = pick_family(moe, multimodal, period, rng);
    let f = &FAMILIES[m.family];
    let mut class = crate::scenario::SIZE_CLASSES
        .iter()
        .position(|c| *c == pick_key(a.size_classes.get(period), rng))
        .unwrap_or(0);
    if f.small_only {
        class = class.min(1);
    }
    if f.moe {
        class = class.max(1);
    }
    let (lo, hi) = SIZE_BOUNDS[class];
    m.params = (lo * (hi / lo).powf(rng.random::<f64>())).round() as u64;
    m.safetensors_known = rng.random_bool(*a.params_known.get(period));
}

fn derived_attributes(
    s: &Scenario,
    m: &mut Model,
    models: &[Model],
    dev: &Developer,
    rng: &mut Pcg64,
) {
    let parent = &models[m.parents[0] as usize];
    m.family = parent.family;
    m.params = parent.params;
    let period = period_of_day(m.created);
    m.safetensors_known = match m.relation {
        Relation::Adapter => false,
        Relation::Quantized => false,
        _ => rng.random_bool(*s.attributes.params_known.get(period)),
    };
    if m.relation == Relation::Quantized {
        let format = quant_format(dev, m.created, rng);
        m.quant = Some(format);
        m.gguf = format == "gguf";
        m.safetensors_known = matches!(format, "gptq" | "awq" | "mlx" | "bnb-4bit" | "bnb-8bit")
            && rng.random_bool(0.9);
    }
}

/// Formats in use on `day`, with the date each appeared.
const FORMAT_SINCE: [(&str, &str); 7] = [
    ("bnb-8bit", "2019-01-01"),
    ("gptq", "2023-04-01"),
    ("bnb-4bit", "2023-06-01"),
    ("gguf", "2023-08-21"),
    ("awq", "2023-09-01"),
    ("exl2", "2023-09-15"),
    ("mlx", "2023-12-05"),
];

fn quant_format(dev: &Developer, day: i32, rng: &mut Pcg64) -> &'static str {
    let available: Vec<&'static str> = FORMAT_SINCE
        .iter()
        .filter(|(_, since)| date("formats", since).map(days).unwrap_or(0) <= day)
        .map(|(f, _)| *f)
        .collect();
    let own: Vec<&'static str> = available
        .iter()
        .copied()
        .filter(|f| dev.formats.iter().any(|g| g == f))
        .collect();
    let pool = if own.is_empty() { &available } else { &own };
    // GGUF dominates once it exists.
    if pool.contains(&"gguf") && rng.random_bool(0.6) {
        return "gguf";
    }
    pool[rng.random_range(0..pool.len())]
}

/// Transparency, datasets, licence, gating, languages: what the card says.
fn card(s: &Scenario, m: &mut Model, dev: &Developer, period: usize, rng: &mut Pcg64) {
    let t = &s.trajectories;
    let transparency = pick_key(t.transparency.get(period), rng);
    m.transparency = crate::scenario::TRANSPARENCY
        .iter()
        .position(|k| *k == transparency)
        .unwrap_or(3) as u8;
    m.languages = languages(dev, rng);
    if m.transparency == NO_CARD {
        return;
    }
    let n = rng.random_range(1..=3);
    m.datasets = match m.transparency {
        AVAILABLE => (0..n)
            .map(|_| catalog::HUB_DATASETS[rng.random_range(0..catalog::HUB_DATASETS.len())])
            .collect(),
        DISCLOSED => vec![
            catalog::DISCLOSED_DATASETS[rng.random_range(0..catalog::DISCLOSED_DATASETS.len())],
        ],
        _ => Vec::new(),
    };
    m.datasets.sort_unstable();
    m.datasets.dedup();
    let mut mix = t.openness.get(period).clone();
    mix.remove("unknown");
    let total: f64 = mix.values().sum();
    mix.values_mut().for_each(|v| *v /= total);
    let mut openness = pick_key(&mix, rng);
    if openness == "open_source" && m.transparency != AVAILABLE {
        openness = "open_weights".into();
    }
    m.license = Some(match openness.as_str() {
        "open_source" => catalog::OSI_LICENSES[rng.random_range(0..catalog::OSI_LICENSES.len())],
        "restricted" if rng.random_bool(0.5) => {
            catalog::NC_LICENSES[rng.random_range(0..catalog::NC_LICENSES.len())]
        }
        "restricted" => {
            m.gated = true;
            catalog::WEIGHTS_LICENSES[rng.random_range(0..catalog::WEIGHTS_LICENSES.len())]
        }
        _ if m.transparency != AVAILABLE && rng.random_bool(0.4) => {
            catalog::OSI_LICENSES[rng.random_range(0..catalog::OSI_LICENSES.len())]
        }
        _ => catalog::WEIGHTS_LICENSES[rng.random_range(0..catalog::WEIGHTS_LICENSES.len())],
    });
}

fn languages(dev: &Developer, rng: &mut Pcg64) -> Vec<&'static str> {
    let mut out = vec!["en"];
    if dev.country_group == "China" {
        out.push("zh");
    } else if rng.random_bool(0.2) {
        out.push(catalog::LANGUAGES[rng.random_range(1..catalog::LANGUAGES.len())]);
    }
    out
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
    fn fenwick_draws_by_weight() {
        let mut f = Fenwick::new(4);
        f.add(0, 1.0);
        f.add(2, 3.0);
        assert_eq!(f.find(0.5), 0);
        assert_eq!(f.find(1.5), 2);
        assert_eq!(f.find(3.9), 2);
        let empty = Fenwick::new(3);
        let mut rng = <Pcg64 as rand::SeedableRng>::seed_from_u64(3);
        assert_eq!(empty.draw(3, &mut rng), None);
    }

    #[test]
    fn object_ids_are_24_hex_digits() {
        let id = object_id(19_000, 5, 42);
        assert_eq!(id.len(), 24);
        assert!(id.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(id, object_id(19_000, 6, 42));
    }
}
