//! Writing and loading a prepared dataset directory.
//!
//! A write goes to a temporary directory beside the target, which then
//! replaces it in one step ([`crate::atomic`]), so a failed or killed run
//! leaves the old dataset as it was and never a half-written or missing one.

use std::fs::File;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use crate::atomic;
use crate::error::{IngestError, PolarsContext, Result};
use crate::prepare::Prepared;
use crate::schema::files;

/// Writes the four files of a prepared dataset to `out`, atomically.
/// An existing `out` is replaced only if it is a prepared dataset (holds a
/// `manifest.json`) or empty. The caller holds `out`'s [`lock_output`]; the
/// stale staging directories of dead runs are removed first.
pub fn write_dataset(prepared: &Prepared, out: &Path) -> Result<()> {
    let cannot_write = |path: &Path, e: std::io::Error| IngestError::Write {
        path: path.into(),
        detail: e.to_string(),
    };
    let out = &atomic::resolve_link(out).map_err(|e| cannot_write(out, e))?;
    refuse_foreign_dir(out)?;
    let parent = atomic::parent_of(out);
    std::fs::create_dir_all(&parent).map_err(|e| cannot_write(&parent, e))?;
    atomic::remove_stale_staging(STAGE, out).map_err(|e| cannot_write(&parent, e))?;
    let tmp = tempfile::Builder::new()
        .prefix(&atomic::staging_prefix(STAGE, out))
        .tempdir_in(&parent)
        .map_err(|e| cannot_write(&parent, e))?;
    write_parquet(&prepared.models, &tmp.path().join(files::MODELS))?;
    write_parquet(&prepared.downloads, &tmp.path().join(files::DOWNLOADS))?;
    write_parquet(&prepared.developers, &tmp.path().join(files::DEVELOPERS))?;
    write_json(&prepared.manifest, &tmp.path().join(files::MANIFEST))?;
    // Kept past the swap: after it the staging path holds the old dataset,
    // which replace_dir removes.
    let staged = tmp.keep();
    atomic::replace_dir(&staged, out).map_err(|e| {
        let _ = std::fs::remove_dir_all(&staged);
        cannot_write(out, e)
    })
}

/// The stage name in staging directories: `.hubecon-prepare-...`.
const STAGE: &str = "prepare";

/// Takes the exclusive lock on `out` for a whole prepare run: a second run
/// into the same `--out` is refused at once, not after minutes of reading.
pub fn lock_output(out: &Path) -> Result<atomic::OutputLock> {
    let linked = atomic::resolve_link(out).map_err(|e| IngestError::Write {
        path: out.into(),
        detail: e.to_string(),
    })?;
    atomic::OutputLock::acquire(&linked).map_err(|e| match e {
        atomic::LockError::Busy(lock) => IngestError::Busy {
            path: out.into(),
            lock,
        },
        atomic::LockError::Io(path, e) => IngestError::Write {
            path,
            detail: e.to_string(),
        },
    })
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
    Err(IngestError::ForeignOutput { path: out.into() })
}

/// Writes a parquet file (zstd, statistics on, plain string types in the
/// footer so pandas opens it; deterministic for equal frames).
pub fn write_parquet(df: &DataFrame, path: &Path) -> Result<()> {
    let f = File::create(path).map_err(|e| IngestError::Write {
        path: path.into(),
        detail: e.to_string(),
    })?;
    let mut df = df.clone();
    ParquetWriter::new(f)
        .with_compression(ParquetCompression::Zstd(None))
        .with_key_value_metadata(Some(crate::plain_parquet::plain_types(df.schema())))
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
    std::fs::write(path, text).map_err(|e| IngestError::Write {
        path: path.into(),
        detail: e.to_string(),
    })
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
    load_dataset_without(dir, &[])
}

/// Loads a prepared dataset directory, leaving out the models table's
/// columns in `unread_model_columns` (names the file does not have are
/// ignored): at full scale the models' list columns are most of the table
/// in memory (tags alone 108 MB at 851k models), and reading them costs
/// time and pages a reader that never looks at them does not need.
pub fn load_dataset_without(dir: &Path, unread_model_columns: &[&str]) -> Result<Dataset> {
    let read = |name: &str, unread: &[&str]| -> Result<DataFrame> {
        let path = dir.join(name);
        crate::parquet_io::check_parquet(&path)?;
        let f = File::open(&path).map_err(|e| IngestError::io(&path, e))?;
        let mut reader = ParquetReader::new(f);
        if !unread.is_empty() {
            let schema = reader
                .schema()
                .during(|| format!("reading the schema of {}", path.display()))?;
            let kept = schema
                .iter_names()
                .filter(|n| !unread.contains(&n.as_str()))
                .map(|n| n.to_string())
                .collect();
            reader = reader.with_columns(Some(kept));
        }
        reader
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
        models: read(files::MODELS, unread_model_columns)?,
        downloads: read(files::DOWNLOADS, &[])?,
        developers: read(files::DEVELOPERS, &[])?,
        manifest,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, mut df: DataFrame) {
        let file = File::create(dir.join(name)).unwrap();
        ParquetWriter::new(file).finish(&mut df).unwrap();
    }

    #[test]
    fn unread_model_columns_are_left_out_and_unknown_names_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let tags = Series::new("tags".into(), [Series::new("".into(), ["x", "y"])]);
        write(
            dir.path(),
            files::MODELS,
            df!("model_id" => ["a/m"], "author" => ["a"])
                .unwrap()
                .hstack(&[tags.into()])
                .unwrap(),
        );
        write(
            dir.path(),
            files::DOWNLOADS,
            df!("model_id" => ["a/m"], "tags" => [1u64]).unwrap(),
        );
        write(
            dir.path(),
            files::DEVELOPERS,
            df!("author" => ["a"]).unwrap(),
        );
        std::fs::write(dir.path().join(files::MANIFEST), "{}").unwrap();
        let all = load_dataset(dir.path()).unwrap();
        assert_eq!(
            all.models.get_column_names(),
            ["model_id", "author", "tags"]
        );
        let slim = load_dataset_without(dir.path(), &["tags", "not_a_column"]).unwrap();
        assert_eq!(slim.models.get_column_names(), ["model_id", "author"]);
        assert_eq!(
            slim.downloads.get_column_names(),
            ["model_id", "tags"],
            "only the models table loses columns"
        );
    }
}
