//! `hubecon figures` writes its outputs as one set: every analysis writes
//! into a staging directory beside `--out`, and only when all have
//! succeeded does the staging directory become `--out`, in one step
//! (`renameat2` exchange, [`hubecon_ingest::atomic`]). An error, a full
//! disk, SIGINT or SIGKILL leaves the previous set whole, never a mix that
//! `paper` would render.
//!
//! The swap covers the whole folder. Files in `--out` that are not an
//! analysis's own (`NN_*`), such as `README.md`, are copied into the new
//! set first; `claims.csv` and `claims.json` are not: they judge the old
//! numbers, so after `figures` they are gone until `hubecon claims` runs
//! (as `reproduce` and `claims --dataset` do).

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use hubecon_ingest::atomic;

use crate::Context;
use crate::registry::{Ran, run_all};

/// The stage name in staging directories: `.hubecon-figures-...`.
const STAGE: &str = "figures";

/// Files of the previous set that are not carried into the new one.
const DERIVED: [&str; 2] = ["claims.csv", "claims.json"];

/// Loads `data` and runs every analysis into a new set that replaces `out`
/// whole (see the module). `on_done` is called as each analysis finishes.
pub fn run_all_as_one_set(
    data: &Path,
    out: &Path,
    on_done: impl FnMut(&Ran),
) -> anyhow::Result<Vec<Ran>> {
    let _lock = hubecon_ingest::lock_output(out)?;
    let out =
        &atomic::resolve_link(out).with_context(|| format!("cannot write {}", out.display()))?;
    let kept = carried_files(out)?;
    let parent = atomic::parent_of(out);
    atomic::remove_stale_staging(STAGE, out)
        .with_context(|| format!("cannot write {}", parent.display()))?;
    let staging = tempfile::Builder::new()
        .prefix(&atomic::staging_prefix(STAGE, out))
        .tempdir_in(&parent)
        .with_context(|| format!("cannot write {}", parent.display()))?;
    let ctx = Context::load(data, staging.path())?;
    let ran = run_all(&ctx, on_done)?;
    drop(ctx);
    for name in &kept {
        std::fs::copy(out.join(name), staging.path().join(name))
            .with_context(|| format!("cannot write {}", staging.path().join(name).display()))?;
    }
    // Kept past the swap: the staging path then holds the old set, which
    // replace_dir removes (or the next run, after a kill).
    let staged = staging.keep();
    atomic::replace_dir(&staged, out).with_context(|| {
        let _ = std::fs::remove_dir_all(&staged);
        format!("cannot write {}", out.display())
    })?;
    Ok(ran
        .into_iter()
        .map(|r| Ran {
            files: r.files.iter().map(|f| moved(f, &staged, out)).collect(),
            ..r
        })
        .collect())
}

/// `file` under `staged`, named under `out`.
fn moved(file: &Path, staged: &Path, out: &Path) -> PathBuf {
    file.strip_prefix(staged)
        .map_or_else(|_| file.to_path_buf(), |rel| out.join(rel))
}

/// An analysis's own file: `NN_...` (two digits and an underscore).
fn is_analysis_output(name: &str) -> bool {
    let b = name.as_bytes();
    b.len() > 3 && b[0].is_ascii_digit() && b[1].is_ascii_digit() && b[2] == b'_'
}

/// The files of `out` the new set keeps (see the module). A folder or a
/// link in `out` is refused before any analysis runs: the swap would have
/// to copy it whole, or would drop it.
fn carried_files(out: &Path) -> anyhow::Result<Vec<String>> {
    let Ok(entries) = std::fs::read_dir(out) else {
        return Ok(Vec::new());
    };
    let mut kept = Vec::new();
    for e in entries {
        let e = e.with_context(|| format!("cannot read {}", out.display()))?;
        let name = e.file_name().to_string_lossy().into_owned();
        let kind = e
            .file_type()
            .with_context(|| format!("cannot read {}", e.path().display()))?;
        if !kind.is_file() {
            anyhow::bail!(hubecon_ingest::IngestError::BadValue {
                at: hubecon_ingest::error::Location::file(e.path()),
                value: name,
                expected: "only files in the figures folder: `figures` replaces the whole \
                           folder, so choose an --out that holds no folders or links"
                    .into(),
            });
        }
        if !is_analysis_output(&name) && !DERIVED.contains(&name.as_str()) {
            kept.push(name);
        }
    }
    kept.sort();
    Ok(kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn analysis_outputs_are_the_nn_files() {
        assert!(is_analysis_output("01_overview.svg"));
        assert!(is_analysis_output("13_significance.json"));
        assert!(!is_analysis_output("README.md"));
        assert!(!is_analysis_output("claims.csv"));
        assert!(!is_analysis_output("1_x"));
    }

    #[test]
    fn own_files_are_replaced_others_kept_and_folders_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("figures");
        std::fs::create_dir_all(&out).unwrap();
        for f in ["01_old.svg", "claims.csv", "README.md"] {
            std::fs::write(out.join(f), "x").unwrap();
        }
        assert_eq!(carried_files(&out).unwrap(), ["README.md"]);
        std::fs::create_dir_all(out.join("notes")).unwrap();
        let err = carried_files(&out).unwrap_err().to_string();
        assert!(err.contains("notes") && err.contains("no folders"), "{err}");
    }
}
