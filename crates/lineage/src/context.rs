//! Everything the relation rules consult, built once per table: the id
//! index, each model's evidence, the ranking of parent candidates, the name
//! index and the known bases.

use rayon::prelude::*;

use crate::basename;
use crate::evidence::{Evidence, MetaFields};
use crate::matching::{FastMap, KnownBases, LowerIds, MAX_NAME_TOKENS, NameIndex};
use crate::names::{namespace, strip_format_suffix, token_spans};
use crate::params::params_in_name;
use crate::schema::relation as rel;
use crate::table::Table;
use crate::{LineageError, LineageOptions};

/// Exact and case-insensitive lookup of model ids.
pub(crate) struct IdIndex<'a> {
    exact: FastMap<&'a str, u32>,
    lower: FastMap<&'a str, u32>,
}

impl<'a> IdIndex<'a> {
    fn build(ids: &[&'a str], lower: &'a LowerIds) -> Result<Self, LineageError> {
        let mut exact: FastMap<&'a str, u32> = FastMap::default();
        let mut lower_map: FastMap<&'a str, u32> = FastMap::default();
        exact.reserve(ids.len());
        lower_map.reserve(ids.len());
        for (i, id) in ids.iter().enumerate() {
            if let Some(first) = exact.insert(id, i as u32) {
                return Err(LineageError::DuplicateModel {
                    model_id: id.to_string(),
                    first: first as usize,
                    second: i,
                });
            }
            lower_map.entry(lower.id(i)).or_insert(i as u32);
        }
        Ok(IdIndex {
            exact,
            lower: lower_map,
        })
    }
}

/// The shared, read-only state of relation classification.
pub(crate) struct Context<'a> {
    pub table: &'a Table<'a>,
    pub lower: &'a LowerIds,
    pub evidence: Vec<Evidence>,
    ids: IdIndex<'a>,
    names: NameIndex,
    known: KnownBases,
    /// Each model's declared (and release) parents that are in the data.
    declared_idx: Vec<Vec<u32>>,
    /// How many models declare each model as a parent.
    declarers: Vec<u32>,
    min_base_name_len: usize,
}

/// Candidate ranking: a model that is not itself a quantization or an
/// adapter first, then more all-time downloads, then the smaller id.
fn scores(table: &Table<'_>, evidence: &[Evidence]) -> Vec<u128> {
    let n = table.len();
    let mut by_id: Vec<u32> = (0..n as u32).collect();
    by_id.sort_unstable_by_key(|&i| table.ids[i as usize]);
    let mut id_rank = vec![0u32; n];
    for (r, &i) in by_id.iter().enumerate() {
        id_rank[i as usize] = r as u32;
    }
    (0..n)
        .map(|i| {
            let e = &evidence[i];
            let declared = table.declared_relation[i].map(str::to_ascii_lowercase);
            let packaged = e.quantized()
                || e.adapter.is_some()
                || e.name_adapter.is_some()
                || matches!(declared.as_deref(), Some(rel::QUANTIZED | rel::ADAPTER));
            let tier = u128::from(!packaged);
            (tier << 96)
                | (u128::from(table.downloads_all_time[i]) << 32)
                | u128::from(u32::MAX - id_rank[i])
        })
        .collect()
}

/// The model a parent id refers to: the exact id, else the id ignoring
/// case, else (for a legacy id without namespace, `gpt2`) the best-ranked
/// model with that name. Never the model `of` itself.
fn resolve_with(
    ids: &IdIndex<'_>,
    names: &NameIndex,
    lower: &LowerIds,
    parent: &str,
    of: usize,
) -> Option<u32> {
    let me = of as u32;
    let parent = parent.trim();
    let hit = ids.exact.get(parent).copied().or_else(|| {
        let lowered = parent.to_lowercase();
        ids.lower.get(lowered.as_str()).copied().or_else(|| {
            (!lowered.contains('/'))
                .then(|| names.exact(lower, &lowered, Some(me)))
                .flatten()
        })
    });
    hit.filter(|&p| p != me)
}

impl<'a> Context<'a> {
    pub fn new(
        table: &'a Table<'a>,
        lower: &'a LowerIds,
        opts: &LineageOptions,
    ) -> Result<Self, LineageError> {
        let n = table.len();
        let ids = IdIndex::build(&table.ids, lower)?;
        let evidence: Vec<Evidence> = (0..n)
            .into_par_iter()
            .map(|i| {
                let meta = MetaFields {
                    library: table.library[i],
                    has_quantization_config: table.has_quantization_config[i],
                    gguf_params: table.gguf_params[i],
                    safetensors_params: table.safetensors_params[i],
                    name: crate::names::model_name(table.ids[i]),
                    model_type: table.model_type[i],
                };
                Evidence::combine(&table.tags[i], &table.files[i], meta, lower.name(i))
            })
            .collect();
        let names = NameIndex::build(lower, scores(table, &evidence));
        let declared_idx: Vec<Vec<u32>> = (0..n)
            .into_par_iter()
            .map(|i| {
                let mut found: Vec<u32> = table.declared_parents[i]
                    .iter()
                    .chain(&table.release_parents[i])
                    .filter_map(|p| resolve_with(&ids, &names, lower, p, i))
                    .collect();
                found.sort_unstable();
                found.dedup();
                found
            })
            .collect();
        let mut declarers = vec![0u32; n];
        for &p in declared_idx.iter().flatten() {
            declarers[p as usize] += 1;
        }
        let known = KnownBases::build(lower, &declarers, &names, opts.min_base_name_len);
        Ok(Context {
            table,
            lower,
            evidence,
            ids,
            names,
            known,
            declared_idx,
            declarers,
            min_base_name_len: opts.min_base_name_len,
        })
    }

    /// The model a parent id refers to (see [`resolve_with`]); never the model `of` itself.
    pub fn resolve(&self, parent: &str, of: usize) -> Option<u32> {
        resolve_with(&self.ids, &self.names, self.lower, parent, of)
    }

    /// A parent read from the name: strip the format suffix and find the
    /// exact name, else that name plus `-hf`, else a name that extends it
    /// by neutral tokens only (versions, packaging: never a sibling
    /// finetune such as `-chat-hf` for `llama-2-13b`), never a model that
    /// is itself quantized; else a known base inside the name.
    pub fn parent_by_name(&self, i: usize) -> Option<u32> {
        let me = Some(i as u32);
        let stripped = strip_format_suffix(self.lower.name(i)).and_then(|base| {
            let neutral_extension = |c: &u32| {
                let name = self.lower.name(*c as usize);
                name.get(base.len()..)
                    .is_some_and(|rest| basename::tokens(rest).all(basename::is_neutral))
            };
            self.names
                .exact(self.lower, base, me)
                .or_else(|| self.names.exact(self.lower, &format!("{base}-hf"), me))
                .or_else(|| {
                    self.names
                        .token_prefix(self.lower, base, me)
                        .filter(neutral_extension)
                })
                .filter(|&c| !self.evidence[c as usize].quantized())
                .filter(|&c| self.same_architecture(i, c as usize))
        });
        stripped.or_else(|| self.base_in_name(i, false))
    }

    /// The parent of a finetune read from its name, and the evidence code:
    /// a model of the same namespace cited in the name (`name:own_base`:
    /// google/gemma-2b for google/gemma-2b-it), else a known base
    /// (`name:known_base`). A model whose name is the own name of a known
    /// base that declares no parent and cites none is a copy of that
    /// original, not its finetune; a namesake of a known *derivative* (the
    /// many `distilbert-base-uncased-finetuned-emotion`) is matched as usual.
    pub fn known_base_in_name(&self, i: usize) -> Option<(u32, &'static str)> {
        let name = self.lower.name(i).replace('_', "-");
        if let Some(c) = self.own_base(i, &name) {
            return Some((c, "name:own_base"));
        }
        let copy_of_an_original = self.known.named(&name).is_some_and(|c| {
            let c = c as usize;
            c != i && self.declared_idx[c].is_empty() && self.base_in_name(c, true).is_none()
        });
        if copy_of_an_original {
            return None;
        }
        self.base_in_name(i, true).map(|c| (c, "name:known_base"))
    }

    /// Vets a parent `c` cited at `[start, end)` of the model's normalized
    /// name: not the model, not its child, same model type, no version the
    /// model contradicts, not a sibling cited by size; for a finetune a
    /// similar size and a remainder that says how it was made.
    fn plausible(
        &self,
        i: usize,
        c: usize,
        name: &str,
        span: (usize, usize),
        finetune: bool,
    ) -> bool {
        c != i
            && !self.declared_idx[c].contains(&(i as u32))
            && self.same_architecture(i, c)
            && self.versions_agree(name, c)
            && !basename::cites_a_sibling(name, span.1)
            && (!finetune
                || (self.similar_size(i, c) && self.says_how_it_was_made(i, c, name, span)))
    }

    /// The rest of the name names a derivation; a version alone does only
    /// when the base is strictly older (`Qwen2.5-7B-Instruct-v2` of a user),
    /// not with equal or filled-in dates, where the shorter name is as
    /// likely the copy (krevas/SOLAR-10.7B vs upstage/SOLAR-10.7B-v1.0).
    fn says_how_it_was_made(&self, i: usize, c: usize, name: &str, span: (usize, usize)) -> bool {
        basename::derivation_words(name, span.0, span.1)
            || (basename::adds_a_version(name, span.0, span.1)
                && matches!(
                    (self.table.created[c], self.table.created[i]),
                    (Some(pc), Some(mc)) if pc < mc
                ))
    }

    /// A model of this model's namespace whose name is a whole-token span
    /// of this one (longest first, with the trailing version moved after
    /// it as for known bases), when [`Self::plausible`] as a finetune's
    /// parent. Dates are not compared: one developer's base and variant are
    /// often uploaded together, and missing dates are filled with the
    /// snapshot's.
    fn own_base(&self, i: usize, name: &str) -> Option<u32> {
        let ns = namespace(self.lower.id(i))?;
        let version = basename::trailing_version(name);
        let mut key = String::with_capacity(self.lower.id(i).len() + 8);
        for (s, e) in token_spans(name, MAX_NAME_TOKENS) {
            if e - s < self.min_base_name_len || (s, e) == (0, name.len()) {
                continue;
            }
            let moved = version.filter(|&(cut, _)| e <= cut).map(|(_, v)| v);
            for v in moved.into_iter().map(Some).chain([None]) {
                key.clear();
                key.push_str(ns);
                key.push('/');
                key.push_str(&name[s..e]);
                if let Some(v) = v {
                    key.push('-');
                    key.push_str(v);
                }
                if let Some(&c) = self.ids.lower.get(key.as_str())
                    && self.plausible(i, c as usize, name, (s, e), true)
                {
                    return Some(c);
                }
            }
        }
        None
    }

    /// The longest known base (a model other models declare as their base)
    /// cited in this model's name ([`KnownBases::find`]) that
    /// - was created no later than the model and is declared as a base by
    ///   some model other than this one;
    /// - is [`Self::plausible`] (a model is never the child of its own
    ///   child; gpt2-large is not a finetune of gpt2, xlm-roberta-base not
    ///   of roberta-base; `-v0.2` is not made from `-v0.1`;
    ///   `solar-10.7b-v1.0` and `pythia-1b-deduped` are siblings or copies);
    /// - is no namesake: when the model's own namespace holds the cited
    ///   name plus a size or pretraining word, a base of that name in
    ///   another namespace is a different model (yiyanghkust/finbert-tone
    ///   vs ProsusAI/finbert).
    fn base_in_name(&self, i: usize, finetune: bool) -> Option<u32> {
        let name = self.lower.name(i).replace('_', "-");
        let found = self.known.find(self.lower.name(i), |m| {
            let c = m.base as usize;
            self.older_and_declared_by_others(i, c)
                && self.plausible(i, c, &name, (m.start, m.end), finetune)
                && (m.by_alias || !self.namesake(i, c, &name[m.start..m.end]))
        })?;
        Some(found.base)
    }

    fn older_and_declared_by_others(&self, i: usize, c: usize) -> bool {
        let own = u32::from(self.declared_idx[i].contains(&(c as u32)));
        let older = match (self.table.created[c], self.table.created[i]) {
            (Some(pc), Some(mc)) => pc <= mc,
            _ => true,
        };
        older && self.declarers[c] > own
    }

    fn same_architecture(&self, i: usize, c: usize) -> bool {
        match (self.table.model_type[i], self.table.model_type[c]) {
            (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
            _ => true,
        }
    }

    /// Parameters from safetensors, else the name's count.
    fn params(&self, i: usize) -> Option<u64> {
        self.table.safetensors_params[i].or_else(|| params_in_name(self.lower.name(i)))
    }

    fn similar_size(&self, i: usize, c: usize) -> bool {
        match (self.params(i), self.params(c)) {
            (Some(a), Some(b)) if a > 0 && b > 0 => {
                let (lo, hi) = (a.min(b) as f64, a.max(b) as f64);
                hi <= 1.25 * lo
            }
            _ => true,
        }
    }

    /// The base's versions, if any, all appear in the model's name, or the model states none.
    fn versions_agree(&self, name: &str, c: usize) -> bool {
        let mine: Vec<&str> = basename::versions(name).collect();
        mine.is_empty() || basename::versions(self.lower.name(c)).all(|v| mine.contains(&v))
    }

    fn namesake(&self, i: usize, c: usize, cited: &str) -> bool {
        let (Some(mine), Some(theirs)) = (namespace(self.lower.id(i)), namespace(self.lower.id(c)))
        else {
            return false;
        };
        mine != theirs
            && basename::SIBLING_WORDS
                .iter()
                .filter(|w| **w != "hf")
                .any(|w| {
                    self.ids
                        .lower
                        .get(format!("{mine}/{cited}-{w}").as_str())
                        .is_some_and(|&k| k as usize != i)
                })
    }
}
