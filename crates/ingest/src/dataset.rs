//! Writing and loading a prepared dataset directory.
//!
//! A write goes to a temporary directory beside the target, which then
//! replaces it with a rename, so a failed run leaves the old dataset as it
//! was and never a half-written one.

use std::fs::File;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use crate::error::{IngestError, PolarsContext, Result};
use crate::prepare::Prepared;
use crate::schema::files;

/// Writes the four files of a prepared dataset to `out`, atomically.
/// An existing `out` is replaced only if it is a prepared dataset (holds a
/// `manifest.json`) or empty.
pub fn write_dataset(prepared: &Prepared, out: &Path) -> Result<()> {
    refuse_foreign_dir(out)?;
    let parent = parent_of(out);
    std::fs::create_dir_all(&parent).map_err(|e| IngestError::io(&parent, e))?;
    let tmp = tempfile::Builder::new()
        .prefix(".hubecon-prepare-")
        .tempdir_in(&parent)
        .map_err(|e| IngestError::io(&parent, e))?;
    write_parquet(&prepared.models, &tmp.path().join(files::MODELS))?;
    write_parquet(&prepared.downloads, &tmp.path().join(files::DOWNLOADS))?;
    write_parquet(&prepared.developers, &tmp.path().join(files::DEVELOPERS))?;
    write_json(&prepared.manifest, &tmp.path().join(files::MANIFEST))?;
    replace_dir(tmp, out)
}

fn parent_of(out: &Path) -> PathBuf {
    match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn refuse_foreign_dir(out: &Path) -> Result<()> {
    if !out.exists() {
        return Ok(());
    }
    let empty = std::fs::read_dir(out)
        .map_err(|e| IngestError::io(out, e))?
        .next()
        .is_none();
    if out.is_dir() && (empty || out.join(files::MANIFEST).is_file()) {
        return Ok(());
    }
    Err(IngestError::Write {
        path: out.into(),
        detail: "it exists and is not a prepared dataset (no manifest.json); choose another --out"
            .into(),
    })
}

fn replace_dir(tmp: tempfile::TempDir, out: &Path) -> Result<()> {
    let staged = tmp.keep();
    let old = out.with_extension(format!("old-{}", std::process::id()));
    let had_old = out.exists();
    if had_old {
        std::fs::rename(out, &old).map_err(|e| IngestError::io(out, e))?;
    }
    if let Err(e) = std::fs::rename(&staged, out) {
        if had_old {
            let _ = std::fs::rename(&old, out);
        }
        let _ = std::fs::remove_dir_all(&staged);
        return Err(IngestError::io(out, e));
    }
    if had_old {
        std::fs::remove_dir_all(&old).map_err(|e| IngestError::io(&old, e))?;
    }
    Ok(())
}

/// Writes a parquet file (zstd, statistics on; deterministic for equal frames).
pub fn write_parquet(df: &DataFrame, path: &Path) -> Result<()> {
    let f = File::create(path).map_err(|e| IngestError::io(path, e))?;
    let mut df = df.clone();
    ParquetWriter::new(f)
        .with_compression(ParquetCompression::Zstd(None))
        .finish(&mut df)
        .map(|_| ())
        .map_err(|e| IngestError::Write {
            path: path.into(),
            detail: e.to_string(),
        })
}

/// Writes pretty JSON with a final newline.
pub fn write_json<T: serde::Serialize>(value: &T, path: &Path) -> Result<()> {
    let mut text = serde_json::to_string_pretty(value).map_err(|e| IngestError::Write {
        path: path.into(),
        detail: e.to_string(),
    })?;
    text.push('\n');
    std::fs::write(path, text).map_err(|e| IngestError::io(path, e))
}

/// A prepared dataset read back from disk.
pub struct Dataset {
    pub dir: PathBuf,
    pub models: DataFrame,
    pub downloads: DataFrame,
    pub developers: DataFrame,
    pub manifest: serde_json::Value,
}

impl Dataset {
    /// True when the dataset was made from the synthetic generator's output.
    pub fn is_synthetic(&self) -> bool {
        self.manifest
            .get("synthetic")
            .and_then(serde_json::Value::as_bool)
            .unwrap_or(false)
    }
}

/// Loads a prepared dataset directory.
pub fn load_dataset(dir: &Path) -> Result<Dataset> {
    let read = |name: &str| -> Result<DataFrame> {
        let path = dir.join(name);
        crate::parquet_io::check_parquet(&path)?;
        let f = File::open(&path).map_err(|e| IngestError::io(&path, e))?;
        ParquetReader::new(f)
            .finish()
            .during(|| format!("reading {}", path.display()))
    };
    let manifest_path = dir.join(files::MANIFEST);
    let text =
        std::fs::read_to_string(&manifest_path).map_err(|e| IngestError::io(&manifest_path, e))?;
    let manifest = serde_json::from_str(&text).map_err(|e| IngestError::Unreadable {
        path: manifest_path.clone(),
        expected: "JSON".into(),
        detail: e.to_string(),
    })?;
    Ok(Dataset {
        dir: dir.to_path_buf(),
        models: read(files::MODELS)?,
        downloads: read(files::DOWNLOADS)?,
        developers: read(files::DEVELOPERS)?,
        manifest,
    })
}
