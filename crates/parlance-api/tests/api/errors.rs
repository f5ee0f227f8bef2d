use parlance_api::{ErrorCode, Parlance};

#[test]
fn a_text_file_gets_not_a_warehouse() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("customers.csv");
    std::fs::write(&path, "id,email\n1,a@b.c\n".repeat(100)).unwrap();
    let err = Parlance::open(&path).unwrap_err();
    assert_eq!(err.code, ErrorCode::NotAWarehouse);
    assert!(err.message.contains("customers.csv"), "{}", err.message);
}

#[test]
fn a_newer_schema_gets_schema_too_new() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.parlance");
    drop(Parlance::open(&path).unwrap());
    rusqlite_set_user_version(&path, 999);
    let err = Parlance::open(&path).unwrap_err();
    assert_eq!(err.code, ErrorCode::SchemaTooNew);
    assert!(err.message.contains("999"), "{}", err.message);
}

#[test]
fn status_of_a_missing_file_is_not_found_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("absent.parlance");
    let err = Parlance::open_existing(&path).unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound);
    assert!(!path.exists());
}

#[test]
fn open_creates_missing_folders() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a/b/w.parlance");
    Parlance::open(&path).unwrap();
    assert!(path.exists());
}

fn rusqlite_set_user_version(path: &std::path::Path, version: i64) {
    // Through the sqlite3 C library the warehouse crate links, via its re-export.
    let conn = parlance_warehouse::Connection::open(path).unwrap();
    conn.pragma_update(None, "user_version", version).unwrap();
}
