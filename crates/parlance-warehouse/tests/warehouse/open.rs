use parlance_warehouse::{APPLICATION_ID, SCHEMA_VERSION, Warehouse, WarehouseError};

#[test]
fn a_new_file_becomes_a_warehouse_and_reopens() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.parlance");
    let wh = Warehouse::open(&path).unwrap();
    assert_eq!(wh.schema_version().unwrap(), SCHEMA_VERSION);
    let app_id: i32 = wh.reader().unwrap().query_row("PRAGMA application_id", [], |r| r.get(0)).unwrap();
    assert_eq!(app_id, APPLICATION_ID);
    let mode: String = wh.reader().unwrap().query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
    drop(wh);
    assert!(Warehouse::open(&path).is_ok());
}

#[test]
fn open_existing_refuses_a_missing_file() {
    let dir = tempfile::tempdir().unwrap();
    let err = Warehouse::open_existing(&dir.path().join("nope.parlance")).unwrap_err();
    assert!(err.to_string().contains("no such file"), "{err}");
    assert!(!dir.path().join("nope.parlance").exists(), "must not create the file");
}

#[test]
fn a_text_file_is_not_a_warehouse() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    std::fs::write(&path, "these are my notes, not a database\n".repeat(200)).unwrap();
    let err = Warehouse::open(&path).unwrap_err();
    assert!(matches!(err, WarehouseError::NotAWarehouse { .. }), "{err:?}");
    assert!(err.to_string().contains("not an SQLite database"), "{err}");
    let after = std::fs::read_to_string(&path).unwrap();
    assert!(after.starts_with("these are my notes"), "the file must be left untouched");
}

#[test]
fn another_applications_database_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE recipes(name TEXT); INSERT INTO recipes VALUES ('soup');").unwrap();
    }
    let err = Warehouse::open(&path).unwrap_err();
    assert!(matches!(err, WarehouseError::NotAWarehouse { .. }), "{err:?}");
    assert!(err.to_string().contains("another application"), "{err}");
    let conn = rusqlite::Connection::open(&path).unwrap();
    let tables: i64 = conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0)).unwrap();
    assert_eq!(tables, 1, "no Parlance tables were added");
}

#[test]
fn a_newer_schema_is_refused_with_versions_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("future.parlance");
    drop(Warehouse::open(&path).unwrap());
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 7).unwrap();
    }
    let err = Warehouse::open(&path).unwrap_err();
    match &err {
        WarehouseError::SchemaTooNew { found, supported, .. } => {
            assert_eq!(*found, SCHEMA_VERSION + 7);
            assert_eq!(*supported, SCHEMA_VERSION);
        }
        other => panic!("expected SchemaTooNew, got {other:?}"),
    }
    assert!(err.to_string().contains("newer Parlance"), "{err}");
}

#[test]
fn a_truncated_warehouse_is_a_clear_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.parlance");
    {
        let wh = Warehouse::open(&path).unwrap();
        wh.write(|tx| {
            tx.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
                .map_err(|e| parlance_warehouse::WarehouseError::Migration(e.to_string()))
        })
        .ok();
    }
    let bytes = std::fs::read(&path).unwrap();
    // Keep the header, scramble the pages behind it.
    let mut damaged = bytes[..100].to_vec();
    damaged.extend(std::iter::repeat_n(0xA5u8, bytes.len().saturating_sub(100).max(4096)));
    std::fs::write(&path, damaged).unwrap();
    let _ = std::fs::remove_file(path.with_extension("parlance-wal"));
    let err = Warehouse::open(&path).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("broken.parlance"), "error names the file: {text}");
    assert!(matches!(err, WarehouseError::Corrupt { .. } | WarehouseError::NotAWarehouse { .. }), "{err:?}");
}

#[test]
fn integrity_check_is_clean_on_a_fresh_warehouse() {
    let (_dir, wh) = crate::fresh();
    assert_eq!(wh.integrity_check().unwrap(), Vec::<String>::new());
}
