use crate::{parlance, stderr};

#[test]
fn status_on_a_text_file_says_it_is_not_a_warehouse() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("notes.txt");
    std::fs::write(&file, "just some notes\n".repeat(300)).unwrap();
    let out = parlance(&file, &["status"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("notes.txt is not a Parlance warehouse"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn status_on_a_newer_warehouse_says_to_upgrade() {
    let dir = tempfile::tempdir().unwrap();
    let wh = dir.path().join("w.parlance");
    assert!(parlance(&wh, &["demo", "--people", "10", "--as-of", "2026-10-31"]).status.success());
    let conn = parlance_warehouse::Connection::open(&wh).unwrap();
    conn.pragma_update(None, "user_version", 42).unwrap();
    drop(conn);
    let out = parlance(&wh, &["status"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("newer Parlance (schema version 42"), "{err}");
    assert!(err.contains("upgrade Parlance"), "{err}");
}

#[test]
fn status_without_a_warehouse_says_how_to_make_one() {
    let dir = tempfile::tempdir().unwrap();
    let out = parlance(&dir.path().join("none.parlance"), &["status"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("run `parlance demo`"), "{}", stderr(&out));
    assert!(!dir.path().join("none.parlance").exists());
}

#[test]
fn a_bad_demo_argument_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let wh = dir.path().join("w.parlance");
    let out = parlance(&wh, &["demo", "--people", "10", "--as-of", "next tuesday"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("\"next tuesday\" is not YYYY-MM-DD"), "{}", stderr(&out));
    let out = parlance(&wh, &["demo", "--people", "0"]);
    assert!(stderr(&out).contains("between 1 and"), "{}", stderr(&out));
}
