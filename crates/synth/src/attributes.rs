//! What a model is: family, size, quantization format, and what its card
//! says (training data, licence, gating, languages).

use rand::RngExt;
use rand_pcg::Pcg64;

use crate::bases::BaseModel;
use crate::calendar::{days, period_of_day};
use crate::catalog::{self, FAMILIES, SIZE_BOUNDS};
use crate::developers::{Developer, pick_key};
use crate::models::{AVAILABLE, DISCLOSED, Model, NO_CARD, Relation, UNDISCLOSED};
use crate::scenario::Scenario;
use crate::validate::date;

fn pick_family(moe: bool, multimodal: bool, period: usize, rng: &mut Pcg64) -> usize {
    let candidates: Vec<(usize, f64)> = FAMILIES
        .iter()
        .enumerate()
        .filter(|(i, f)| {
            f.moe == moe
                && (moe || crate::modality::is_multimodal_generation(*i) == multimodal)
                && f.weight[period] > 0.0
        })
        .map(|(i, f)| (i, f.weight[period]))
        .collect();
    if candidates.is_empty() {
        return if moe || multimodal {
            pick_family(false, false, period, rng)
        } else {
            0
        };
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

/// Family and size of an original that is not a head lab's base model.
pub fn original(s: &Scenario, m: &mut Model, period: usize, rng: &mut Pcg64) {
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

/// A head lab's base model: its family, size, licence and data as its card states.
pub fn base(m: &mut Model, b: &BaseModel, family: usize) {
    m.family = family;
    m.params = b.params;
    m.safetensors_known = true;
    m.license = Some(b.license);
    m.gated = b.gated;
    m.datasets = b.datasets.to_vec();
    m.transparency = if b.datasets.iter().any(|d| d.contains('/')) {
        AVAILABLE
    } else if b.datasets.is_empty() {
        UNDISCLOSED
    } else {
        DISCLOSED
    };
}

/// A derivative shares its first parent's family and size.
pub fn derived(s: &Scenario, m: &mut Model, models: &[Model], dev: &Developer, rng: &mut Pcg64) {
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
pub fn card(s: &Scenario, m: &mut Model, dev: &Developer, period: usize, rng: &mut Pcg64) {
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

pub fn languages(dev: &Developer, rng: &mut Pcg64) -> Vec<&'static str> {
    let mut out = vec!["en"];
    if dev.country_group == "China" {
        out.push("zh");
    } else if rng.random_bool(0.2) {
        out.push(catalog::LANGUAGES[rng.random_range(1..catalog::LANGUAGES.len())]);
    }
    out
}
