//! API listing pages that are not quite what the API sends: each gets an
//! accurate message, or is read when it is harmless (a byte order mark).

use std::path::PathBuf;

use hubecon_ingest::IngestError;
use hubecon_ingest::apijson::parse_page;

fn page(dir: &tempfile::TempDir, body: &[u8]) -> PathBuf {
    let p = dir.path().join("page-000001.json");
    std::fs::write(&p, body).unwrap();
    p
}

#[test]
fn a_byte_order_mark_is_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let p = page(
        &dir,
        "\u{FEFF}[{\"id\":\"a/b\"},{\"id\":\"c/d\"}]".as_bytes(),
    );
    let items = parse_page(&p).unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[1]["id"], "c/d");
}

#[test]
fn nan_is_named_with_its_byte_offset_not_called_truncated() {
    let dir = tempfile::tempdir().unwrap();
    let body = r#"[{"id":"a/b","likes":1},{"id":"c/d","likes":NaN}]"#;
    let at = body.find("NaN").unwrap();
    let e = parse_page(&page(&dir, body.as_bytes())).unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, IngestError::BadValue { .. }), "{msg}");
    assert!(msg.contains(&format!("NaN at byte {at}")), "{msg}");
    assert!(msg.contains("page-000001.json"), "{msg}");
    assert!(
        !msg.contains("truncated") && !msg.contains("ends early"),
        "{msg}"
    );

    let with_bom = format!("\u{FEFF}{body}");
    let msg = parse_page(&page(&dir, with_bom.as_bytes()))
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains(&format!("NaN at byte {at}")),
        "offsets after the BOM: {msg}"
    );
    let msg = parse_page(&page(&dir, br#"[{"id":"a/b","x":-Infinity}]"#))
        .unwrap_err()
        .to_string();
    assert!(msg.contains("-Infinity at byte 17"), "{msg}");
}

#[test]
fn a_page_that_ends_early_is_called_so() {
    let dir = tempfile::tempdir().unwrap();
    let body = br#"[{"id":"a/b","likes":1},{"id":"c/"#;
    let msg = parse_page(&page(&dir, body)).unwrap_err().to_string();
    let len = format!("after {} bytes", body.len());
    assert!(msg.contains("ends early") && msg.contains(&len), "{msg}");
}

#[test]
fn a_numeric_id_is_a_wrong_type_at_its_row_not_a_missing_column() {
    let dir = tempfile::tempdir().unwrap();
    let e = parse_page(&page(&dir, br#"[{"id":"a/b"},{"id":42}]"#)).unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, IngestError::WrongType { .. }), "{msg}");
    for part in ["column `id`", "row 1", "a number 42", "expected a string"] {
        assert!(msg.contains(part), "{part} missing from: {msg}");
    }
    assert!(!msg.contains("missing"), "{msg}");
}
