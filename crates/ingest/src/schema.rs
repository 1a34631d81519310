//! The data contract: names of the canonical tables and their columns.
//!
//! Every stage refers to columns through these constants, so a rename is one
//! edit and a typo is a compile error. The meaning of each column is in
//! `data/README.md`; the definitions behind the derived ones in
//! `paper/METHODS.md`.

/// File names inside a prepared dataset directory.
pub mod files {
    pub const MODELS: &str = "models.parquet";
    pub const DOWNLOADS: &str = "downloads.parquet";
    pub const DEVELOPERS: &str = "developers.parquet";
    pub const MANIFEST: &str = "manifest.json";
}

/// Columns of `models.parquet`, one row per model.
pub mod models {
    // Identity and time (ingest).
    pub const MODEL_ID: &str = "model_id";
    pub const AUTHOR: &str = "author";
    pub const CREATED_AT: &str = "created_at";
    /// The Hub reports 2022-03-02 for every model older than March 2022.
    pub const CREATED_AT_CLAMPED: &str = "created_at_clamped";
    /// First and last observation of the model's download counter (or the
    /// listing's date when it has no counter).
    pub const FIRST_OBSERVED: &str = "first_observed";
    pub const LAST_OBSERVED: &str = "last_observed";

    // Metadata carried from the source, parsed and typed (ingest).
    pub const PIPELINE_TAG: &str = "pipeline_tag";
    pub const LIBRARY_NAME: &str = "library_name";
    pub const TAGS: &str = "tags";
    pub const LICENSE: &str = "license";
    /// The card's custom licence under `license: other`: its name and link.
    pub const LICENSE_NAME: &str = "license_name";
    pub const LICENSE_LINK: &str = "license_link";
    pub const DATASETS: &str = "datasets";
    pub const LANGUAGES: &str = "languages";
    pub const DECLARED_PARENTS: &str = "declared_parents";
    pub const DECLARED_RELATION: &str = "declared_relation";
    pub const DECLARED_EVIDENCE: &str = "declared_evidence";
    pub const SAFETENSORS_PARAMS: &str = "safetensors_params";
    pub const GGUF_PARAMS: &str = "gguf_params";
    pub const GGUF_ARCHITECTURE: &str = "gguf_architecture";
    pub const ARCHITECTURES: &str = "architectures";
    pub const MODEL_TYPE: &str = "model_type";
    pub const HAS_QUANTIZATION_CONFIG: &str = "has_quantization_config";
    pub const QUANTIZATION_METHOD: &str = "quantization_method";
    pub const FILES: &str = "files";
    pub const GATED: &str = "gated";
    pub const LIKES: &str = "likes";
    pub const DOWNLOADS_30D: &str = "downloads_30d";
    pub const DOWNLOADS_ALL_TIME: &str = "downloads_all_time";
    /// The model's first counter when it existed at the series' first
    /// snapshot (METHODS.md W3): downloads before the observed span, kept
    /// out of `downloads.parquet`. 0 for a model created inside the span.
    pub const PRE_SERIES_DOWNLOADS: &str = "pre_series_downloads";
    /// The release's downloads in the model's first year, from its
    /// `one_year_rolling.parquet` when that was an input (else null).
    pub const RELEASE_FIRST_YEAR_DOWNLOADS: &str = "release_first_year_downloads";
    /// The annotated release's own lineage and attribution, when it was an input.
    pub const RELEASE_PARENTS: &str = "release_parents";
    pub const RELEASE_DERIVED_AUTHOR: &str = "release_derived_author";
    pub const RELEASE_MODALITY: &str = "release_modality";

    // Lineage: ingest fills the declared values, the lineage crate refines.
    pub const RELATION: &str = "relation";
    pub const RELATION_SOURCE: &str = "relation_source";
    pub const RELATION_EVIDENCE: &str = "relation_evidence";
    pub const PARENTS: &str = "parents";
    pub const FAMILY_ROOT: &str = "family_root";
    pub const LINEAGE_DEPTH: &str = "lineage_depth";
    pub const DERIVED_AUTHOR: &str = "derived_author";

    // Attributes (lineage crate).
    pub const PARAMS: &str = "params";
    pub const PARAMS_SOURCE: &str = "params_source";
    pub const IS_MOE: &str = "is_moe";
    pub const IS_QUANTIZED: &str = "is_quantized";
    pub const MODALITY: &str = "modality";
    pub const IS_MULTIMODAL_GENERATION: &str = "is_multimodal_generation";
    pub const OPENNESS: &str = "openness";
    pub const DATA_TRANSPARENCY: &str = "data_transparency";
}

/// Columns of `downloads.parquet`, one row per model and week with downloads.
pub mod downloads {
    pub const MODEL_ID: &str = "model_id";
    /// Monday that starts the ISO week (see [`crate::week::week_start`]).
    pub const WEEK: &str = "week";
    pub const DOWNLOADS: &str = "downloads";
}

/// Columns of `developers.parquet`, one row per author.
pub mod developers {
    pub const AUTHOR: &str = "author";
    pub const ORG_TYPE: &str = "org_type";
    pub const COUNTRY: &str = "country";
    pub const COUNTRY_GROUP: &str = "country_group";
    pub const ANNOTATION_SOURCE: &str = "annotation_source";
    /// The release's own org type and country group, kept as written.
    pub const REPORTED_ORG_TYPE: &str = "reported_org_type";
    pub const REPORTED_COUNTRY_GROUP: &str = "reported_country_group";
}

/// Values of `models.relation`.
pub mod relation {
    pub const ORIGINAL: &str = "original";
    pub const FINETUNE: &str = "finetune";
    pub const ADAPTER: &str = "adapter";
    pub const QUANTIZED: &str = "quantized";
    pub const MERGE: &str = "merge";
    pub const ALL: [&str; 5] = [ORIGINAL, FINETUNE, ADAPTER, QUANTIZED, MERGE];
    /// The relations a parent can be declared with.
    pub const DERIVED: [&str; 4] = [FINETUNE, ADAPTER, QUANTIZED, MERGE];
}

/// Values of `models.relation_source`.
pub mod relation_source {
    pub const DECLARED: &str = "declared";
    pub const INFERRED: &str = "inferred";
    pub const NONE: &str = "none";
}

/// Values of `developers.org_type`.
pub mod org_type {
    pub const INDUSTRY: &str = "industry";
    pub const ACADEMIA: &str = "academia";
    pub const NONPROFIT: &str = "nonprofit";
    pub const GOVERNMENT: &str = "government";
    pub const COMMUNITY: &str = "community";
    pub const USER: &str = "user";
    pub const UNKNOWN: &str = "unknown";
    pub const ALL: [&str; 7] = [
        INDUSTRY, ACADEMIA, NONPROFIT, GOVERNMENT, COMMUNITY, USER, UNKNOWN,
    ];
}

/// Values of `developers.country_group`.
pub mod country_group {
    pub const USA: &str = "USA";
    pub const CHINA: &str = "China";
    pub const EUROPE: &str = "Europe";
    pub const OTHER: &str = "Other";
    pub const INTERNATIONAL_ONLINE: &str = "International/Online";
    pub const USER: &str = "User";
    pub const UNKNOWN: &str = "Unknown";
    pub const ALL: [&str; 7] = [
        USA,
        CHINA,
        EUROPE,
        OTHER,
        INTERNATIONAL_ONLINE,
        USER,
        UNKNOWN,
    ];
}

/// Values of `developers.annotation_source`.
pub mod annotation_source {
    /// From the paper's annotated release (wins over the curated table).
    pub const RELEASE: &str = "release";
    /// From `data/annotations/developers.csv`.
    pub const CURATED: &str = "curated";
    /// Not annotated: org type and country group are `unknown`.
    pub const NONE: &str = "none";
}
