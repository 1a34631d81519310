//! The stages as functions, so the binary, `reproduce` and the tests run the
//! same code.

use std::path::Path;

use anyhow::Context;
use hubecon_ingest::{
    PrepareOptions, Prepared, Progress, finish, lock_output, read_inputs, write_dataset,
};
use hubecon_lineage::{LineageOptions, enrich};

/// Reads the inputs, derives lineage and attributes, annotates developers
/// and writes the prepared dataset to `out` atomically, holding `out`'s
/// lock from the start so a second run into it is refused at once.
pub fn prepare_dataset(
    opts: &PrepareOptions,
    out: &Path,
    progress: &dyn Progress,
) -> anyhow::Result<Prepared> {
    let _lock = lock_output(out)?;
    let combined = read_inputs(opts, progress)?;
    progress.start("lineage and attributes", 1);
    let lineage_opts = LineageOptions::default();
    let (models, report) = enrich(combined.models.clone(), &lineage_opts)
        .context("deriving lineage and attributes")?;
    progress.finish();
    let mut prepared = finish(combined, models, opts)?;
    prepared.manifest.lineage = Some(serde_json::json!({
        "options": lineage_opts,
        "report": report,
    }));
    write_dataset(&prepared, out)?;
    Ok(prepared)
}
