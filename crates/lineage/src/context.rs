//! Everything the relation rules consult, built once per table: the id
//! index, each model's evidence, the ranking of parent candidates, the name
//! index and the known bases.

use rayon::prelude::*;

use crate::evidence::{Evidence, MetaFields};
use crate::matching::{FastMap, KnownBases, LowerIds, NameIndex};
use crate::names::strip_format_suffix;
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
    known: KnownBases<'a>,
    /// Each model's declared (and release) parents that are in the data.
    declared_idx: Vec<Vec<u32>>,
    /// How many models declare each model as a parent.
    declarers: Vec<u32>,
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
        })
    }

    /// The model a parent id refers to (see [`resolve_with`]); never the model `of` itself.
    pub fn resolve(&self, parent: &str, of: usize) -> Option<u32> {
        resolve_with(&self.ids, &self.names, self.lower, parent, of)
    }

    /// A parent read from the name: strip the format suffix and find the
    /// exact name, else a name that extends it by whole tokens (never a
    /// model that is itself quantized); else a known base inside the name.
    pub fn parent_by_name(&self, i: usize) -> Option<u32> {
        let me = Some(i as u32);
        let stripped = strip_format_suffix(self.lower.name(i)).and_then(|base| {
            self.names
                .exact(self.lower, base, me)
                .or_else(|| self.names.token_prefix(self.lower, base, me))
                .filter(|&c| !self.evidence[c as usize].quantized())
        });
        stripped.or_else(|| self.known_base_in_name(i))
    }

    /// The longest known base (a model other models declare as their base)
    /// whose name is a token span of this model's name, created no later
    /// than this model and declared as a base by some model other than this
    /// one.
    pub fn known_base_in_name(&self, i: usize) -> Option<u32> {
        let created = self.table.created[i];
        self.known.find(self.lower.name(i), |c| {
            let c_us = c as usize;
            let own = u32::from(self.declared_idx[i].contains(&c));
            let older = match (self.table.created[c_us], created) {
                (Some(pc), Some(mc)) => pc <= mc,
                _ => true,
            };
            c_us != i && older && self.declarers[c_us] > own
        })
    }
}
