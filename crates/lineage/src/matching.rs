//! Finding a model's parent by name among the model ids present, with
//! indices built once:
//!
//! - [`NameIndex`]: every model's lowercase name (after the namespace),
//!   sorted, with a segment tree of the best-ranked model over any range, so
//!   an exact-name or a token-prefix query costs O(log n);
//! - [`KnownBases`]: the names of models that other models declare as their
//!   base, in a hash map probed with the token spans of a name (a fixed
//!   number of probes per model).
//!
//! Building is O(n log n); no query compares a model with every other.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::basename;
use crate::names::{self, model_name};

/// FNV-1a: a fast hash for the short strings of model ids.
#[derive(Default, Clone, Copy)]
pub(crate) struct Fnv(u64);

impl Hasher for Fnv {
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A hash map keyed by short strings.
pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;

/// Lowercase model ids, and where each name starts.
pub(crate) struct LowerIds {
    ids: Vec<String>,
    name_start: Vec<u32>,
}

impl LowerIds {
    pub fn new(ids: &[&str]) -> Self {
        let ids: Vec<String> = ids.iter().map(|id| id.to_lowercase()).collect();
        let name_start = ids
            .iter()
            .map(|id| (id.len() - model_name(id).len()) as u32)
            .collect();
        LowerIds { ids, name_start }
    }

    pub fn id(&self, i: usize) -> &str {
        &self.ids[i]
    }

    /// The lowercase name after the namespace.
    pub fn name(&self, i: usize) -> &str {
        &self.ids[i][self.name_start[i] as usize..]
    }
}

/// Sorted lowercase names with a range-best segment tree. `score` ranks
/// candidates: higher is preferred.
pub(crate) struct NameIndex {
    order: Vec<u32>,
    pos: Vec<u32>,
    tree: Vec<u32>,
    score: Vec<u128>,
}

impl NameIndex {
    pub fn build(lower: &LowerIds, score: Vec<u128>) -> Self {
        let n = score.len();
        let mut order: Vec<u32> = (0..n as u32).collect();
        order.sort_unstable_by(|&a, &b| {
            lower
                .name(a as usize)
                .cmp(lower.name(b as usize))
                .then(score[b as usize].cmp(&score[a as usize]))
        });
        let mut pos = vec![0u32; n];
        for (p, &m) in order.iter().enumerate() {
            pos[m as usize] = p as u32;
        }
        let mut index = NameIndex {
            tree: vec![0; 2 * n],
            order,
            pos,
            score,
        };
        index.tree[n..].copy_from_slice(&index.order);
        for node in (1..n).rev() {
            index.tree[node] = index.better(index.tree[2 * node], index.tree[2 * node + 1]);
        }
        index
    }

    pub fn score(&self, i: usize) -> u128 {
        self.score[i]
    }

    fn better(&self, a: u32, b: u32) -> u32 {
        if self.score[b as usize] > self.score[a as usize] {
            b
        } else {
            a
        }
    }

    fn pick(&self, acc: Option<u32>, m: u32) -> Option<u32> {
        Some(acc.map_or(m, |a| self.better(a, m)))
    }

    /// The best model at sorted positions `[l, r)`.
    fn best_in(&self, l: usize, r: usize) -> Option<u32> {
        let n = self.order.len();
        let (mut l, mut r) = (l + n, r + n);
        let mut best = None;
        while l < r {
            if l & 1 == 1 {
                best = self.pick(best, self.tree[l]);
                l += 1;
            }
            if r & 1 == 1 {
                r -= 1;
                best = self.pick(best, self.tree[r]);
            }
            l /= 2;
            r /= 2;
        }
        best
    }

    /// The best model at positions `[l, r)` other than `exclude`.
    fn best_excluding(&self, l: usize, r: usize, exclude: Option<u32>) -> Option<u32> {
        let best = self.best_in(l, r)?;
        match exclude {
            Some(x) if x == best => {
                let p = self.pos[x as usize] as usize;
                let left = self.best_in(l, p);
                let right = self.best_in(p + 1, r);
                match (left, right) {
                    (Some(a), Some(b)) => Some(self.better(a, b)),
                    (a, b) => a.or(b),
                }
            }
            _ => Some(best),
        }
    }

    fn lower_bound(&self, lower: &LowerIds, key: &str) -> usize {
        self.order
            .partition_point(|&m| lower.name(m as usize) < key)
    }

    fn upper_bound(&self, lower: &LowerIds, key: &str) -> usize {
        self.order
            .partition_point(|&m| lower.name(m as usize) <= key)
    }

    /// The best model whose lowercase name equals `name`.
    pub fn exact(&self, lower: &LowerIds, name: &str, exclude: Option<u32>) -> Option<u32> {
        let l = self.lower_bound(lower, name);
        let r = self.upper_bound(lower, name);
        self.best_excluding(l, r, exclude)
    }

    /// The best model whose lowercase name starts with `prefix` followed by
    /// `-` or `_` (a token prefix: `llama-2-7b-chat` finds `llama-2-7b-chat-hf`).
    pub fn token_prefix(
        &self,
        lower: &LowerIds,
        prefix: &str,
        exclude: Option<u32>,
    ) -> Option<u32> {
        let mut best = None;
        for (sep, next) in [('-', '.'), ('_', '`')] {
            let lo = self.lower_bound(lower, &format!("{prefix}{sep}"));
            let hi = self.lower_bound(lower, &format!("{prefix}{next}"));
            if let Some(m) = self.best_excluding(lo, hi, exclude) {
                best = self.pick(best, m);
            }
        }
        best
    }
}

/// Names that other models declare as their base, and the aliases they
/// are cited by ([`basename::aliases`]); keys are lowercase with `_` read as `-`.
pub(crate) struct KnownBases {
    exact: FastMap<String, u32>,
    alias: FastMap<String, u32>,
    min_len: usize,
}

/// Tokens of a name probed for a known base.
pub(crate) const MAX_NAME_TOKENS: usize = 12;

/// A known base found in a name: which model, where, and how it was cited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BaseMatch {
    pub base: u32,
    /// Byte span of the citation in the name.
    pub start: usize,
    pub end: usize,
    /// Cited by an alias, not its own name.
    pub by_alias: bool,
    /// Cited with the name's trailing version moved after it.
    pub moved_version: bool,
}

fn keep_best(map: &mut FastMap<String, u32>, key: String, i: u32, names: &NameIndex) {
    map.entry(key)
        .and_modify(|best| {
            if names.score(i as usize) > names.score(*best as usize) {
                *best = i;
            }
        })
        .or_insert(i);
}

impl KnownBases {
    /// `declarers[i]` counts the models that declare model `i` as a parent.
    pub fn build(lower: &LowerIds, declarers: &[u32], names: &NameIndex, min_len: usize) -> Self {
        let mut known = KnownBases {
            exact: FastMap::default(),
            alias: FastMap::default(),
            min_len,
        };
        for (i, &count) in declarers.iter().enumerate() {
            let name = lower.name(i);
            if count == 0 || name.len() < min_len {
                continue;
            }
            keep_best(&mut known.exact, name.replace('_', "-"), i as u32, names);
            for a in basename::aliases(lower.id(i)) {
                if a.len() >= min_len {
                    keep_best(&mut known.alias, a, i as u32, names);
                }
            }
        }
        known
    }

    /// The known base whose own name is `name` (lowercase, `_` as `-`).
    pub fn named(&self, name: &str) -> Option<u32> {
        self.exact.get(name).copied()
    }

    fn probe(&self, key: &str) -> Option<(u32, bool)> {
        self.exact
            .get(key)
            .map(|&c| (c, false))
            .or_else(|| self.alias.get(key).map(|&c| (c, true)))
    }

    /// The longest known base cited in `name` (lowercase) as a whole-token
    /// span, its own name before an alias; a span followed later by the
    /// name's trailing version is also tried with that version
    /// (`mistral-7b-instruct-v0.1` cites `mistral-7b-v0.1`). `accept` vets
    /// each candidate.
    pub fn find(&self, name: &str, mut accept: impl FnMut(BaseMatch) -> bool) -> Option<BaseMatch> {
        let norm = name.replace('_', "-");
        let version = basename::trailing_version(&norm);
        for (s, e) in names::token_spans(&norm, MAX_NAME_TOKENS) {
            if e - s < self.min_len {
                break;
            }
            let moved = version
                .filter(|&(cut, _)| e <= cut)
                .map(|(_, v)| format!("{}-{v}", &norm[s..e]));
            let keys = moved.as_deref().map(|k| (k, true)).into_iter();
            for (key, moved_version) in keys.chain([(&norm[s..e], false)]) {
                if let Some((base, by_alias)) = self.probe(key) {
                    let m = BaseMatch {
                        base,
                        start: s,
                        end: e,
                        by_alias,
                        moved_version,
                    };
                    if accept(m) {
                        return Some(m);
                    }
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(ids: &[&str], score: &[u128]) -> (LowerIds, NameIndex) {
        let lower = LowerIds::new(ids);
        let names = NameIndex::build(&lower, score.to_vec());
        (lower, names)
    }

    #[test]
    fn exact_and_prefix_queries_prefer_the_best_ranked() {
        let ids = [
            "meta-llama/Llama-2-7b-chat-hf",
            "someone/llama-2-7b-chat-hf-sharded",
            "TheBloke/Llama-2-7B-Chat-GGUF",
            "other/Llama-2-7b-chatty",
            "copy/Llama-2-7b-chat-hf",
        ];
        let (lower, names) = index(&ids, &[100, 5, 50, 1000, 3]);
        // Prefix at a token boundary: "chatty" does not count.
        assert_eq!(
            names.token_prefix(&lower, "llama-2-7b-chat", Some(2)),
            Some(0)
        );
        assert_eq!(names.exact(&lower, "llama-2-7b-chat-hf", None), Some(0));
        assert_eq!(names.exact(&lower, "llama-2-7b-chat-hf", Some(0)), Some(4));
        assert_eq!(names.exact(&lower, "llama-2-7b", None), None);
        // The querying model itself is excluded even when it ranks best.
        let (lower, names) = index(&ids, &[1, 5, 5000, 1000, 3]);
        assert_eq!(
            names.token_prefix(&lower, "llama-2-7b-chat", Some(2)),
            Some(1)
        );
    }

    #[test]
    fn queries_on_an_empty_index_find_nothing() {
        let (lower, names) = index(&[], &[]);
        assert_eq!(names.exact(&lower, "x", None), None);
        assert_eq!(names.token_prefix(&lower, "x", None), None);
    }

    #[test]
    fn known_bases_match_the_longest_token_span() {
        let ids = [
            "meta-llama/Llama-2-7b",
            "meta-llama/Llama-2-7b-chat-hf",
            "x/llama",
            "u/llama-2-7b-chat-hf-finetuned-alpaca",
        ];
        let (lower, names) = index(&ids, &[1, 2, 3, 0]);
        let known = KnownBases::build(&lower, &[3, 5, 1, 0], &names, 4);
        let name = lower.name(3);
        let base = |m: Option<BaseMatch>| m.map(|m| m.base);
        assert_eq!(base(known.find(name, |_| true)), Some(1));
        assert_eq!(base(known.find(name, |m| m.base != 1)), Some(0));
        assert_eq!(known.find("distilgpt2-alpaca", |_| true), None);
        // Cited by an alias (`-hf` dropped), and with the version after the variant.
        let m = known.find("llama-2-7b-chat-alpaca", |_| true).unwrap();
        assert_eq!((m.base, m.start, m.end, m.by_alias), (1, 0, 15, true));
        let ids = ["mistralai/Mistral-7B-v0.1", "u/Mistral-7B-Instruct-v0.1"];
        let (lower, names) = index(&ids, &[1, 0]);
        let known = KnownBases::build(&lower, &[1, 0], &names, 4);
        let m = known.find(lower.name(1), |_| true).unwrap();
        assert_eq!((m.base, m.start, m.end, m.by_alias), (0, 0, 10, false));
    }
}
