//! The models table as plain vectors: every input column read once, list
//! columns reduced in the same pass to the few signals the rules need.

use polars::prelude::*;

use crate::LineageError;
use crate::evidence::{FileSignals, TagSignals, is_moe_label};
use crate::frame::{self, MODELS};
use crate::openness::{self, DataTransparency};
use crate::schema::models as col;

/// Card fields read when present (cardData `license_name`, `license_link`).
pub(crate) const LICENSE_NAME: &str = hubecon_ingest::schema::models::LICENSE_NAME;
pub(crate) const LICENSE_LINK: &str = hubecon_ingest::schema::models::LICENSE_LINK;

/// One models table, column by column; strings borrow from the DataFrame.
pub(crate) struct Table<'a> {
    pub ids: Vec<&'a str>,
    pub authors: Vec<&'a str>,
    pub created: Vec<Option<i32>>,
    pub downloads_all_time: Vec<u64>,
    pub pipeline: Vec<Option<&'a str>>,
    pub library: Vec<Option<&'a str>>,
    pub license: Vec<Option<&'a str>>,
    /// The card's `license_name` and `license_link`, when the table carries them.
    pub license_name: Vec<Option<&'a str>>,
    pub license_link: Vec<Option<&'a str>>,
    pub declared_relation: Vec<Option<&'a str>>,
    pub declared_evidence: Vec<Option<&'a str>>,
    pub declared_parents: Vec<Vec<String>>,
    pub release_parents: Vec<Vec<String>>,
    pub release_derived_author: Vec<Option<&'a str>>,
    pub release_modality: Vec<Option<&'a str>>,
    pub safetensors_params: Vec<Option<u64>>,
    pub gguf_params: Vec<Option<u64>>,
    pub gguf_architecture: Vec<Option<&'a str>>,
    pub model_type: Vec<Option<&'a str>>,
    pub has_quantization_config: Vec<bool>,
    pub gated: Vec<bool>,
    pub tags: Vec<TagSignals>,
    pub files: Vec<FileSignals>,
    /// An architecture class names a mixture of experts.
    pub moe_architecture: Vec<bool>,
    /// From `datasets`, else from `dataset:<id>` tags.
    pub data: Vec<DataTransparency>,
}

impl<'a> Table<'a> {
    /// Reads the models table. `model_id` and `author` are required; every
    /// other column may be absent (read as null / empty / false).
    pub fn read(df: &'a DataFrame) -> Result<Self, LineageError> {
        let mut table = Table {
            ids: frame::required_str(df, MODELS, col::MODEL_ID)?,
            authors: frame::required_str(df, MODELS, col::AUTHOR)?,
            created: frame::optional_date(df, MODELS, col::CREATED_AT)?,
            downloads_all_time: frame::optional_u64(df, MODELS, col::DOWNLOADS_ALL_TIME)?
                .into_iter()
                .map(|d| d.unwrap_or(0))
                .collect(),
            pipeline: frame::optional_str(df, MODELS, col::PIPELINE_TAG)?,
            library: frame::optional_str(df, MODELS, col::LIBRARY_NAME)?,
            license: frame::optional_str(df, MODELS, col::LICENSE)?,
            license_name: frame::optional_str(df, MODELS, LICENSE_NAME)?,
            license_link: frame::optional_str(df, MODELS, LICENSE_LINK)?,
            declared_relation: frame::optional_str(df, MODELS, col::DECLARED_RELATION)?,
            declared_evidence: frame::optional_str(df, MODELS, col::DECLARED_EVIDENCE)?,
            declared_parents: frame::list_strings(df, MODELS, col::DECLARED_PARENTS)?,
            release_parents: frame::list_strings(df, MODELS, col::RELEASE_PARENTS)?,
            release_derived_author: frame::optional_str(df, MODELS, col::RELEASE_DERIVED_AUTHOR)?,
            release_modality: frame::optional_str(df, MODELS, col::RELEASE_MODALITY)?,
            safetensors_params: frame::optional_u64(df, MODELS, col::SAFETENSORS_PARAMS)?,
            gguf_params: frame::optional_u64(df, MODELS, col::GGUF_PARAMS)?,
            gguf_architecture: frame::optional_str(df, MODELS, col::GGUF_ARCHITECTURE)?,
            model_type: frame::optional_str(df, MODELS, col::MODEL_TYPE)?,
            has_quantization_config: frame::optional_bool(
                df,
                MODELS,
                col::HAS_QUANTIZATION_CONFIG,
            )?,
            gated: frame::optional_bool(df, MODELS, col::GATED)?,
            tags: frame::map_lists(df, MODELS, col::TAGS, |values| {
                TagSignals::read(values.iter().flatten())
            })?,
            files: frame::map_lists(df, MODELS, col::FILES, |values| {
                FileSignals::read(values.iter().flatten())
            })?,
            moe_architecture: frame::map_lists(df, MODELS, col::ARCHITECTURES, |values| {
                values
                    .iter()
                    .flatten()
                    .any(|a| is_moe_label(&a.to_ascii_lowercase()))
            })?,
            data: frame::map_lists(df, MODELS, col::DATASETS, |values| {
                openness::data_transparency(values.iter().flatten())
            })?,
        };
        for (data, tags) in table.data.iter_mut().zip(&table.tags) {
            if *data == DataTransparency::Undisclosed {
                *data = tags.data;
            }
        }
        Ok(table)
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// The licence: the `license` column, else a `license:<id>` tag;
    /// `other` defers to the card's licence name or link ([`openness::stated_licence`]).
    pub fn licence(&self, i: usize) -> Option<std::borrow::Cow<'_, str>> {
        let license = self.license[i]
            .filter(|l| !l.trim().is_empty())
            .or(self.tags[i].license.as_deref());
        openness::stated_licence(license, self.license_name[i], self.license_link[i])
    }
}
