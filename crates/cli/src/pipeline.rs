//! The stages as functions, so the binary, `reproduce` and the tests run the
//! same code.

use std::path::Path;

use hubecon_ingest::{PrepareOptions, Prepared, Progress, finish, read_inputs, write_dataset};

/// Reads the inputs, derives lineage and attributes, annotates developers
/// and writes the prepared dataset to `out` atomically.
pub fn prepare_dataset(
    opts: &PrepareOptions,
    out: &Path,
    progress: &dyn Progress,
) -> anyhow::Result<Prepared> {
    let combined = read_inputs(opts, progress)?;
    let models = combined.models.clone();
    let prepared = finish(combined, models, opts)?;
    write_dataset(&prepared, out)?;
    Ok(prepared)
}
