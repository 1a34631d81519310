//! The data an analysis reads, loaded once, and where it writes.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use anyhow::Context as _;
use hubecon_ingest::schema::models as m;
use hubecon_ingest::{Dataset, load_dataset_without};
use hubecon_stats::{NumberJoin, join_on_number};
use polars::prelude::*;

use crate::coverage::Coverage;
use crate::numbering::{MODEL_NUMBER, Numbering};

/// The caption every figure made from synthetic data carries.
pub use hubecon_plot::SYNTHETIC_SUBTITLE as SYNTHETIC_NOTE;

/// The models table's columns no analysis reads, left out when a context
/// is loaded: lists and evidence text that prepare keeps for lineage and for
/// people, most of the table in memory (at 851k models, reading the table
/// took about 1 s and 960 MB with them, 0.3 s and 450 MB without). An
/// analysis that needs one takes it off this list; reading a column left
/// out fails with its name (the study test runs every analysis on a
/// loaded context).
pub const UNREAD_MODEL_COLUMNS: &[&str] = &[
    m::TAGS,
    m::DATASETS,
    m::LANGUAGES,
    m::ARCHITECTURES,
    m::DECLARED_PARENTS,
    m::DECLARED_EVIDENCE,
    m::RELEASE_PARENTS,
    m::RELATION_EVIDENCE,
];

/// A prepared dataset and the output directory.
pub struct Context {
    pub data: Dataset,
    pub out: PathBuf,
    /// The span of the weekly downloads and the periods it covers.
    pub coverage: Coverage,
    /// The models' numbers, made on first use (see [`crate::numbering`]).
    numbering: OnceLock<Numbering>,
}

impl Context {
    /// Loads the prepared dataset in `data` (the models table without
    /// [`UNREAD_MODEL_COLUMNS`]); outputs go to `out`.
    pub fn load(data: &Path, out: &Path) -> anyhow::Result<Self> {
        crate::allocator::keep_freed_pages();
        let data = load_dataset_without(data, UNREAD_MODEL_COLUMNS)
            .with_context(|| format!("loading the prepared dataset {}", data.display()))?;
        Ok(Self {
            coverage: coverage_of(&data)?,
            data,
            out: out.to_path_buf(),
            numbering: OnceLock::new(),
        })
    }

    /// A context over frames built in memory (tests, notebooks): an empty
    /// manifest, outputs to `out`.
    pub fn from_frames(
        models: DataFrame,
        downloads: DataFrame,
        developers: DataFrame,
        out: &Path,
    ) -> Self {
        let data = Dataset {
            dir: PathBuf::new(),
            models,
            downloads,
            developers,
            manifest: serde_json::json!({}),
        };
        Self {
            coverage: coverage_of(&data).unwrap_or_else(|_| Coverage::between(None, None)),
            data,
            out: out.to_path_buf(),
            numbering: OnceLock::new(),
        }
    }

    /// True when the dataset came from `hubecon synth`.
    pub fn synthetic(&self) -> bool {
        self.data.is_synthetic()
    }

    /// The figure subtitle: the span of the data, `extra`, and "synthetic
    /// sample" when it is one.
    pub fn subtitle(&self, extra: &str) -> String {
        let span = self.coverage.span();
        let mut parts: Vec<&str> = vec![span.as_str()];
        if !extra.is_empty() {
            parts.push(extra);
        }
        if self.synthetic() {
            parts.push(SYNTHETIC_NOTE);
        }
        parts.join(" — ")
    }

    /// The study periods the data covers, in time order.
    pub fn periods(&self) -> Vec<&str> {
        self.coverage.periods.iter().map(String::as_str).collect()
    }

    pub fn downloads(&self) -> LazyFrame {
        self.data.downloads.clone().lazy()
    }
    pub fn models(&self) -> LazyFrame {
        self.data.models.clone().lazy()
    }
    pub fn developers(&self) -> LazyFrame {
        self.data.developers.clone().lazy()
    }

    /// The downloads with each row's model number
    /// ([`crate::numbering::MODEL_NUMBER`]).
    pub fn numbered_downloads(&self) -> anyhow::Result<LazyFrame> {
        with_numbers(&self.data.downloads, &self.numbering()?.downloads)
    }

    /// The models table with each model's number
    /// ([`crate::numbering::MODEL_NUMBER`]).
    pub fn numbered_models(&self) -> anyhow::Result<LazyFrame> {
        with_numbers(&self.data.models, &self.numbering()?.models)
    }

    /// The weekly rows (`week`, `downloads`) of the models in `models`,
    /// joined with its columns on the model number: `models` is the
    /// numbered models table ([`Self::numbered_models`]) or a selection of
    /// it that keeps [`MODEL_NUMBER`].
    /// The match is found by index ([`join_on_number`]), keeping the
    /// downloads' order.
    pub fn downloads_of(&self, models: LazyFrame) -> anyhow::Result<LazyFrame> {
        let downloads = self
            .numbered_downloads()?
            .select([col(MODEL_NUMBER), col("week"), col("downloads")])
            .collect()?;
        let joined = join_on_number(
            &downloads,
            &models.collect()?,
            MODEL_NUMBER,
            NumberJoin::Inner,
        )?;
        Ok(joined.lazy())
    }

    fn numbering(&self) -> anyhow::Result<&Numbering> {
        if let Some(n) = self.numbering.get() {
            return Ok(n);
        }
        let n = Numbering::of(&self.data).context("numbering the models")?;
        Ok(self.numbering.get_or_init(|| n))
    }

    /// A figure in the house style, subtitled with the span (and "synthetic
    /// sample" when the data are synthetic).
    pub fn figure(&self, title: &str, x_label: &str, y_label: &str) -> hubecon_plot::Figure {
        self.figure_with_note(title, x_label, y_label, "")
    }

    /// A figure in the house style with a note under the title; the note
    /// says "synthetic sample" too when the data are synthetic.
    pub fn figure_with_note(
        &self,
        title: &str,
        x_label: &str,
        y_label: &str,
        note: &str,
    ) -> hubecon_plot::Figure {
        hubecon_plot::Figure::new(title, x_label, y_label).with_subtitle(self.subtitle(note))
    }

    /// A headline for analysis `stem` (e.g. `07_model_size`).
    pub fn headline(&self, stem: &str, title: &str) -> crate::output::Headline {
        let mut h = crate::output::Headline::new(stem, title, self.synthetic());
        h.coverage = Some(self.coverage.clone());
        h
    }
}

fn coverage_of(data: &Dataset) -> anyhow::Result<Coverage> {
    let weeks = data
        .downloads
        .column(hubecon_ingest::schema::downloads::WEEK)
        .map_err(|e| anyhow::anyhow!("reading the weeks of the downloads: {e}"))?;
    Coverage::of_weeks(weeks)
}

/// `frame` with the numbers column appended.
fn with_numbers(frame: &DataFrame, numbers: &Column) -> anyhow::Result<LazyFrame> {
    Ok(frame.hstack(std::slice::from_ref(numbers))?.lazy())
}
