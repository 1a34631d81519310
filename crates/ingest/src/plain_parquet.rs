//! Parquet that every common reader opens: the arrow schema in the footer
//! names plain types (`large_string`, `large_list<large_string>`).
//!
//! polars' eager writer records its in-memory types, `string_view` and
//! lists of it, and pandas 3.1 with pyarrow 26 refuses a list of
//! `string_view` ("Not implemented type for Arrow list to pandas"). The
//! data pages are the same for both (parquet BYTE_ARRAY strings), so only
//! the footer's schema changes: polars keeps a schema it is given.

use polars::prelude::*;
use polars_parquet::write::schema_to_metadata_key;

/// The footer metadata for a frame of `schema`: its arrow schema at the
/// oldest compatibility level, which uses no view types.
pub fn plain_types(schema: &Schema) -> KeyValueMetadata {
    let arrow = schema.to_arrow(CompatLevel::oldest());
    KeyValueMetadata::Static(vec![schema_to_metadata_key(&arrow)])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Written with the plain schema, a frame of text and lists of text
    /// reads back the same, with the footer naming no view type.
    #[test]
    fn text_and_lists_round_trip_under_plain_types() {
        let tags = Series::new(
            "tags".into(),
            [
                Series::new("".into(), ["a", "b"]),
                Series::new("".into(), Vec::<&str>::new()),
            ],
        );
        let mut df = df!("id" => ["x/a", "x/b"], "n" => [1u64, 2]).unwrap();
        df.with_column(tags.into_column()).unwrap();
        let mut bytes = Vec::new();
        ParquetWriter::new(&mut bytes)
            .with_key_value_metadata(Some(plain_types(df.schema())))
            .finish(&mut df.clone())
            .unwrap();
        let back = ParquetReader::new(std::io::Cursor::new(bytes.clone()))
            .finish()
            .unwrap();
        assert!(back.equals(&df));
        // The footer holds the plain schema, not the view types polars
        // would record.
        let meta = polars_parquet::read::read_metadata(&mut std::io::Cursor::new(bytes)).unwrap();
        let stored: Vec<_> = meta
            .key_value_metadata()
            .iter()
            .flatten()
            .filter(|kv| kv.key == "ARROW:schema")
            .collect();
        assert_eq!(stored.len(), 1);
        let plain = schema_to_metadata_key(&df.schema().to_arrow(CompatLevel::oldest()));
        let views = schema_to_metadata_key(&df.schema().to_arrow(CompatLevel::newest()));
        assert_eq!(stored[0].value, plain.value);
        assert_ne!(stored[0].value, views.value);
    }
}
