//! Lineage tables that analyses 11 and 12 read: the big model families and
//! the derivatives in their trees (by relation and lineage depth), each
//! model's downloads over the whole data, the models of a set of developers
//! marked as one layer, and the Wilson interval of a share.
//!
//! A model belongs to a big family through its `family_root` (the end of its
//! first-parent chain, see `hubecon-lineage`): the root's namespace is the
//! family's lab (`meta-llama`, `Qwen`, `mistralai`, `deepseek-ai`), or else
//! the root id contains the family's word (`llama`, `qwen`, `mistral` or
//! `mixtral`, `gemma`, `deepseek`), case-insensitive. Gemma has no namespace
//! rule because `google` also hosts T5, BERT, ViT and other families. A
//! namespace match wins over a word match; among word matches the first
//! family in [`BIG_FAMILIES`] order wins, so every model is in at most one
//! family.

use std::collections::{BTreeMap, BTreeSet};

use hubecon_ingest::columns::texts;
use hubecon_ingest::schema::{downloads as dl, models as m, relation as rel};
use polars::prelude::*;

/// A big model family and how its roots are recognised.
#[derive(Debug, Clone, Copy)]
pub struct BigFamily {
    /// Display name (`Llama`).
    pub name: &'static str,
    /// Lower snake case, for headline keys (`llama`).
    pub key: &'static str,
    /// Namespaces of the family's lab (matched ignoring case).
    pub namespaces: &'static [&'static str],
    /// Words a root id contains (lower case).
    pub words: &'static [&'static str],
}

/// The families whose derivative trees analysis 11 reports, in report order.
pub const BIG_FAMILIES: [BigFamily; 5] = [
    BigFamily {
        name: "Llama",
        key: "llama",
        namespaces: &["meta-llama"],
        words: &["llama"],
    },
    BigFamily {
        name: "Qwen",
        key: "qwen",
        namespaces: &["Qwen"],
        words: &["qwen"],
    },
    BigFamily {
        name: "Mistral",
        key: "mistral",
        namespaces: &["mistralai"],
        words: &["mistral", "mixtral"],
    },
    BigFamily {
        name: "Gemma",
        key: "gemma",
        namespaces: &[],
        words: &["gemma"],
    },
    BigFamily {
        name: "DeepSeek",
        key: "deepseek",
        namespaces: &["deepseek-ai"],
        words: &["deepseek"],
    },
];

/// The big family (index into [`BIG_FAMILIES`]) a family root belongs to.
pub fn family_of(root: &str) -> Option<usize> {
    if let Some(ns) = hubecon_lineage::namespace(root) {
        let by_lab = BIG_FAMILIES
            .iter()
            .position(|f| f.namespaces.iter().any(|n| n.eq_ignore_ascii_case(ns)));
        if by_lab.is_some() {
            return by_lab;
        }
    }
    let lower = root.to_lowercase();
    BIG_FAMILIES
        .iter()
        .position(|f| f.words.iter().any(|w| lower.contains(w)))
}

/// Each model's downloads summed over every week of the data (`model_id`, `downloads` as f64).
pub fn model_downloads(downloads: LazyFrame) -> LazyFrame {
    downloads
        .group_by([col(dl::MODEL_ID)])
        .agg([col(dl::DOWNLOADS)
            .sum()
            .cast(DataType::Float64)
            .alias(dl::DOWNLOADS)])
}

/// Models, downloaded models and downloads of one cell of a family tree.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Tally {
    pub models: u64,
    pub downloaded_models: u64,
    pub downloads: f64,
}

impl Tally {
    fn add(&mut self, other: &Tally) {
        self.models += other.models;
        self.downloaded_models += other.downloaded_models;
        self.downloads += other.downloads;
    }
}

/// Columns of [`FamilyTrees::table`].
pub mod family_columns {
    pub const FAMILY: &str = "family";
    pub const RELATION: &str = "relation";
    pub const DEPTH: &str = "lineage_depth";
    pub const MODELS: &str = "models";
    pub const DOWNLOADED_MODELS: &str = "downloaded_models";
    pub const DOWNLOADS: &str = "downloads";
    /// Downloads of the cell over all downloads of the family.
    pub const FAMILY_DOWNLOAD_SHARE: &str = "family_download_share";
}

/// The big families' trees: a tally per (family, relation, depth) and the
/// distinct roots of each family.
#[derive(Debug, Clone, Default)]
pub struct FamilyTrees {
    /// Keyed by (index into [`BIG_FAMILIES`], index into `relation::ALL`, lineage depth).
    pub cells: BTreeMap<(usize, usize, u32), Tally>,
    pub roots: Vec<BTreeSet<String>>,
}

/// Tallies every model of `models` (enriched: `model_id`, `relation`,
/// `family_root`, `lineage_depth`) whose root is in a big family, with its
/// downloads from `per_model` ([`model_downloads`]; absent means 0).
pub fn family_trees(models: &DataFrame, per_model: LazyFrame) -> anyhow::Result<FamilyTrees> {
    let joined = models
        .clone()
        .lazy()
        .select([
            col(m::MODEL_ID),
            col(m::RELATION),
            col(m::FAMILY_ROOT),
            col(m::LINEAGE_DEPTH).cast(DataType::UInt32),
        ])
        .left_join(per_model, col(m::MODEL_ID), col(dl::MODEL_ID))
        .with_column(col(dl::DOWNLOADS).fill_null(lit(0.0)))
        .collect()?;
    let roots = texts(&joined, m::FAMILY_ROOT)?;
    let relations = texts(&joined, m::RELATION)?;
    let depths = joined.column(m::LINEAGE_DEPTH)?.u32()?.clone();
    let downloads = joined.column(dl::DOWNLOADS)?.f64()?.clone();
    let mut trees = FamilyTrees {
        cells: BTreeMap::new(),
        roots: vec![BTreeSet::new(); BIG_FAMILIES.len()],
    };
    for (((root, relation), depth), d) in roots
        .iter()
        .zip(&relations)
        .zip(depths.iter())
        .zip(downloads.iter())
    {
        let (Some(root), Some(relation)) = (root, relation) else {
            continue;
        };
        let Some(family) = family_of(root) else {
            continue;
        };
        let r = rel::ALL
            .iter()
            .position(|x| x == relation)
            .ok_or_else(|| anyhow::anyhow!("unknown relation {relation:?} in the models table"))?;
        let d = d.unwrap_or(0.0);
        let cell = trees
            .cells
            .entry((family, r, depth.unwrap_or(0)))
            .or_default();
        cell.add(&Tally {
            models: 1,
            downloaded_models: u64::from(d > 0.0),
            downloads: d,
        });
        trees.roots[family].insert(root.clone());
    }
    Ok(trees)
}

impl FamilyTrees {
    /// Sum over the cells of `family` whose relation passes `keep`.
    pub fn total(&self, family: usize, keep: impl Fn(&str) -> bool) -> Tally {
        let mut t = Tally::default();
        for ((_, r, _), cell) in self
            .cells
            .range((family, 0, 0)..=(family, usize::MAX, u32::MAX))
        {
            if keep(rel::ALL[*r]) {
                t.add(cell);
            }
        }
        t
    }

    /// All derivatives (every relation but `original`) of `family`.
    pub fn derivatives(&self, family: usize) -> Tally {
        self.total(family, |r| r != rel::ORIGINAL)
    }

    /// The deepest lineage depth in `family`, if it has models.
    pub fn max_depth(&self, family: usize) -> Option<u32> {
        self.cells
            .range((family, 0, 0)..=(family, usize::MAX, u32::MAX))
            .map(|((_, _, d), _)| *d)
            .max()
    }

    /// One row per (family, relation, depth) with models, in family order,
    /// relation order (`relation::ALL`) and depth.
    pub fn table(&self) -> anyhow::Result<DataFrame> {
        use family_columns as c;
        let family_downloads: Vec<f64> = (0..BIG_FAMILIES.len())
            .map(|f| self.total(f, |_| true).downloads)
            .collect();
        let cells: Vec<_> = self.cells.iter().collect();
        let share = |f: usize, d: f64| {
            if family_downloads[f] > 0.0 {
                d / family_downloads[f]
            } else {
                f64::NAN
            }
        };
        Ok(df!(
            c::FAMILY => cells.iter().map(|((f, _, _), _)| BIG_FAMILIES[*f].name).collect::<Vec<_>>(),
            c::RELATION => cells.iter().map(|((_, r, _), _)| rel::ALL[*r]).collect::<Vec<_>>(),
            c::DEPTH => cells.iter().map(|((_, _, d), _)| *d).collect::<Vec<_>>(),
            c::MODELS => cells.iter().map(|(_, t)| t.models).collect::<Vec<_>>(),
            c::DOWNLOADED_MODELS => cells.iter().map(|(_, t)| t.downloaded_models).collect::<Vec<_>>(),
            c::DOWNLOADS => cells.iter().map(|(_, t)| t.downloads).collect::<Vec<_>>(),
            c::FAMILY_DOWNLOAD_SHARE => cells.iter().map(|((f, _, _), t)| share(*f, t.downloads)).collect::<Vec<_>>(),
        )?)
    }
}

/// Name of the column [`mark_layer`] adds.
pub const LAYER: &str = "developer_layer";
/// Value of [`LAYER`] for the models of the marked developers, and for the others.
pub const IN_LAYER: &str = "intermediary";
pub const OUT_OF_LAYER: &str = "other";

/// `models` with [`LAYER`]: [`IN_LAYER`] when the model's author is one of
/// `authors` (exact match), else [`OUT_OF_LAYER`].
pub fn mark_layer(models: LazyFrame, authors: &[String]) -> anyhow::Result<LazyFrame> {
    let unique: BTreeSet<&str> = authors.iter().map(String::as_str).collect();
    let n = unique.len();
    let layer = df!(
        "__layer_author" => unique.into_iter().collect::<Vec<_>>(),
        LAYER => vec![IN_LAYER; n],
    )?;
    let keep_order = JoinArgs {
        maintain_order: MaintainOrderJoin::Left,
        ..JoinArgs::new(JoinType::Left)
    };
    Ok(models
        .join(
            layer.lazy(),
            [col(m::AUTHOR)],
            [col("__layer_author")],
            keep_order,
        )
        .with_column(col(LAYER).fill_null(lit(OUT_OF_LAYER))))
}

/// `models` with every derived relation outside `keep` relabelled
/// `original`, so that [`hubecon_lineage::intermediaries`] counts only
/// derivatives of the kinds in `keep` as "from others' models" (the
/// relation mix it reports is then of the relabelled table: use the set of
/// developers only).
pub fn only_derivatives_of_kind(models: &DataFrame, keep: &[&str]) -> anyhow::Result<DataFrame> {
    let mut kept = lit(false);
    for k in keep {
        kept = kept.or(col(m::RELATION).eq(lit(*k)));
    }
    let relation = when(kept.or(col(m::RELATION).eq(lit(rel::ORIGINAL))))
        .then(col(m::RELATION))
        .otherwise(lit(rel::ORIGINAL));
    Ok(models
        .clone()
        .lazy()
        .with_column(relation.alias(m::RELATION))
        .collect()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::wilson;

    #[test]
    fn roots_go_to_one_family_by_lab_first_then_by_word() {
        assert_eq!(family_of("meta-llama/Llama-3.1-8B"), Some(0));
        assert_eq!(family_of("Qwen/Qwen2.5-7B"), Some(1));
        assert_eq!(family_of("mistralai/Mixtral-8x7B-v0.1"), Some(2));
        assert_eq!(family_of("someone/mixtral-merge"), Some(2));
        assert_eq!(family_of("google/gemma-2-9b"), Some(3));
        assert_eq!(family_of("google/flan-t5-base"), None);
        // The lab's namespace wins over a word of another family in the name.
        assert_eq!(
            family_of("deepseek-ai/DeepSeek-R1-Distill-Qwen-7B"),
            Some(4)
        );
        assert_eq!(family_of("DEEPSEEK-AI/x"), Some(4));
        assert_eq!(family_of("TinyLlama/TinyLlama-1.1B"), Some(0));
        assert_eq!(family_of("gpt2"), None);
    }

    fn models() -> DataFrame {
        df!(
            m::MODEL_ID => ["meta-llama/L", "a/L-ft", "b/L-ft-GGUF", "c/L-lora", "Qwen/Q", "d/Q-GGUF", "google/t5"],
            m::RELATION => ["original", "finetune", "quantized", "adapter", "original", "quantized", "original"],
            m::FAMILY_ROOT => ["meta-llama/L", "meta-llama/L", "meta-llama/L", "meta-llama/L", "Qwen/Q", "Qwen/Q", "google/t5"],
            m::LINEAGE_DEPTH => [0u32, 1, 2, 1, 0, 1, 0],
        )
        .unwrap()
    }

    #[test]
    fn family_trees_tally_relations_depths_and_downloads() {
        let downloads = df!(
            dl::MODEL_ID => ["meta-llama/L", "meta-llama/L", "b/L-ft-GGUF", "d/Q-GGUF", "google/t5"],
            dl::DOWNLOADS => [60u64, 20, 20, 5, 1000],
        )
        .unwrap();
        let trees = family_trees(&models(), model_downloads(downloads.lazy())).unwrap();
        let llama = trees.derivatives(0);
        assert_eq!(
            llama,
            Tally {
                models: 3,
                downloaded_models: 1,
                downloads: 20.0
            }
        );
        assert_eq!(trees.total(0, |_| true).downloads, 100.0);
        assert_eq!(trees.max_depth(0), Some(2));
        assert_eq!(trees.derivatives(1).models, 1);
        assert_eq!(trees.max_depth(3), None);
        assert_eq!(trees.roots[0].len(), 1);
        let table = trees.table().unwrap();
        // Llama: original d0, finetune d1, adapter d1, quantized d2; Qwen: original d0, quantized d1.
        assert_eq!(table.height(), 6);
        let rels = texts(&table, family_columns::RELATION).unwrap();
        assert_eq!(rels[1].as_deref(), Some("finetune"));
        assert_eq!(rels[2].as_deref(), Some("adapter"));
        let share = table
            .column(family_columns::FAMILY_DOWNLOAD_SHARE)
            .unwrap()
            .f64()
            .unwrap()
            .get(3)
            .unwrap();
        assert!((share - 0.2).abs() < 1e-12);
    }

    #[test]
    fn mark_layer_flags_exactly_the_listed_authors() {
        let models =
            df!(m::MODEL_ID => ["x/1", "y/2", "X/3"], m::AUTHOR => ["x", "y", "X"]).unwrap();
        let out = mark_layer(models.lazy(), &["x".to_string(), "x".to_string()])
            .unwrap()
            .collect()
            .unwrap();
        let layer = texts(&out, LAYER).unwrap();
        assert_eq!(
            layer,
            [
                Some(IN_LAYER.into()),
                Some(OUT_OF_LAYER.into()),
                Some(OUT_OF_LAYER.into())
            ]
        );
    }

    #[test]
    fn relabelling_keeps_only_the_chosen_derivative_kinds() {
        let out = only_derivatives_of_kind(&models(), &[rel::QUANTIZED]).unwrap();
        let rels: Vec<_> = texts(&out, m::RELATION)
            .unwrap()
            .into_iter()
            .flatten()
            .collect();
        assert_eq!(
            rels,
            [
                "original",
                "original",
                "quantized",
                "original",
                "original",
                "quantized",
                "original"
            ]
        );
    }

    #[test]
    fn wilson_interval_is_inside_the_unit_interval_and_shrinks_with_n() {
        let (lo, hi) = wilson(0.0, 10.0);
        assert_eq!(lo, 0.0);
        assert!(hi > 0.2 && hi < 0.35);
        let (a, b) = wilson(0.3, 100.0);
        let (c, d) = wilson(0.3, 10_000.0);
        assert!(a < c && d < b && a < 0.3 && b > 0.3);
        assert!(wilson(0.5, 0.0).0.is_nan());
    }
}
