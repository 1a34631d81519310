//! Building polars columns: strings, lists, structs, UTC datetimes; and
//! writing a parquet file with fixed settings (temporary file, then rename).

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

use polars::polars_utils::compression::ZstdLevel;
use polars::prelude::*;

use crate::error::SynthError;

pub fn strings<S: AsRef<str>>(name: &str, values: impl Iterator<Item = Option<S>>) -> Series {
    let ca: StringChunked = values.collect();
    ca.with_name(name.into()).into_series()
}

pub fn int64(name: &str, values: impl Iterator<Item = Option<i64>>) -> Series {
    let ca: Int64Chunked = values.collect();
    ca.with_name(name.into()).into_series()
}

pub fn booleans(name: &str, values: impl Iterator<Item = bool>) -> Series {
    let ca: BooleanChunked = values.map(Some).collect();
    ca.with_name(name.into()).into_series()
}

/// Milliseconds since epoch as `Datetime(ms, UTC)`.
pub fn datetime_ms(name: &str, values: impl Iterator<Item = i64>) -> Series {
    let ca: Int64Chunked = values.map(Some).collect();
    ca.with_name(name.into())
        .into_datetime(TimeUnit::Milliseconds, Some(TimeZone::UTC))
        .into_series()
}

/// A list column from a flat inner series and per-row lengths (no null lists).
pub fn list(name: &str, inner: &Series, lengths: &[usize]) -> PolarsResult<Series> {
    let inner = inner.rechunk();
    let values = inner.to_arrow(0, CompatLevel::newest());
    let mut offsets = Vec::with_capacity(lengths.len() + 1);
    let mut acc = 0i64;
    offsets.push(0);
    for l in lengths {
        acc += *l as i64;
        offsets.push(acc);
    }
    let dtype = LargeListArray::default_datatype(values.dtype().clone());
    let arr = LargeListArray::try_new(dtype, offsets.try_into()?, values, None)?;
    Series::from_arrow(name.into(), Box::new(arr))
}

/// A list of strings from per-row vectors.
pub fn string_lists<S: AsRef<str>>(name: &str, rows: &[Vec<S>]) -> PolarsResult<Series> {
    let flat = strings("item", rows.iter().flatten().map(|s| Some(s.as_ref())));
    let lengths: Vec<usize> = rows.iter().map(|r| r.len()).collect();
    list(name, &flat, &lengths)
}

/// A struct column; rows where `valid` is false are null.
pub fn structure(name: &str, fields: &[Series], valid: Option<&[bool]>) -> PolarsResult<Series> {
    let len = fields.first().map(|f| f.len()).unwrap_or(0);
    let ca = StructChunked::from_series(name.into(), len, fields.iter())?;
    let ca = match valid {
        Some(v) if v.iter().any(|x| !x) => {
            ca.with_outer_validity(Some(v.iter().copied().collect()))
        }
        _ => ca,
    };
    Ok(ca.into_series())
}

/// Write `df` to `path` with fixed settings: zstd (level 1), statistics, one
/// row group per `row_group` rows. Written to a temporary name, then renamed.
pub fn write_parquet(path: &Path, df: &mut DataFrame) -> Result<(), SynthError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| SynthError::io(dir, e))?;
    }
    let tmp = path.with_extension("parquet.tmp");
    let file = File::create(&tmp).map_err(|e| SynthError::io(&tmp, e))?;
    writer(file, df.schema())
        .finish(df)
        .map_err(|e| SynthError::polars(path, e))?;
    std::fs::rename(&tmp, path).map_err(|e| SynthError::io(path, e))
}

/// The zstd level of the generated files: 1, not the default 3. Compression
/// was about 14% of `hubecon synth` (perf); level 1 made the default sample
/// 0.35 s faster to write (mean of 5 A/B runs, 6.71 -> 6.36 s in dev) and
/// 86 -> 89 MB, and reading it back is as fast (prepare A/B, identical
/// prepared tables).
const ZSTD_LEVEL: i32 = 1;

/// The write buffer of a generated file. polars' parquet writer writes each
/// page header, page and footer piece as it goes: unbuffered, the default
/// sample took 847,423 `write` calls (strace), about 100 bytes each.
const WRITE_BUFFER: usize = 1 << 20;

/// The writer of every generated parquet file, for frames of `schema`, with
/// plain string types in its footer so pandas opens it. The buffer is
/// flushed, and a failure reported, by the writer's own `finish` (polars'
/// end of file).
pub fn writer(file: File, schema: &Schema) -> ParquetWriter<BufWriter<File>> {
    // `try_new` accepts 1..=22; were it ever to refuse, the default level.
    let level = ZstdLevel::try_new(ZSTD_LEVEL).ok();
    ParquetWriter::new(BufWriter::with_capacity(WRITE_BUFFER, file))
        .with_compression(ParquetCompression::Zstd(level))
        .with_statistics(StatisticsOptions::default())
        .with_row_group_size(Some(512 * 1024))
        .set_parallel(false)
        .with_key_value_metadata(Some(hubecon_ingest::plain_parquet::plain_types(schema)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_and_structs_have_the_hub_types() {
        let l = string_lists("tags", &[vec!["a", "b"], vec![], vec!["c"]]).unwrap();
        assert_eq!(l.dtype(), &DataType::List(Box::new(DataType::String)));
        assert_eq!(l.len(), 3);
        let inner = structure(
            "x",
            &[strings("rfilename", ["a", "b", "c"].iter().map(Some))],
            None,
        )
        .unwrap();
        let s = list("siblings", &inner, &[1, 2]).unwrap();
        assert!(
            matches!(s.dtype(), DataType::List(inner) if matches!(**inner, DataType::Struct(_)))
        );
        let st = structure(
            "g",
            &[int64("total", [Some(1), None].into_iter())],
            Some(&[true, false]),
        )
        .unwrap();
        assert_eq!(st.null_count(), 1);
        let dt = datetime_ms("createdAt", [0i64].into_iter());
        assert_eq!(
            dt.dtype(),
            &DataType::Datetime(TimeUnit::Milliseconds, Some(TimeZone::UTC))
        );
    }
}
