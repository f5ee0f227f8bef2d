//! The evaluation connection's guards: read-only, authorised, time-limited.

use std::time::{Duration, Instant};

use parlance_segments::{Sandbox, SegmentsError};

use crate::world::temp_warehouse;

#[test]
fn writes_attach_pragmas_and_schema_changes_are_refused() {
    let (dir, warehouse) = temp_warehouse();
    let sandbox = Sandbox::open(&warehouse, Duration::from_secs(5)).unwrap();
    let attach = format!("ATTACH DATABASE '{}' AS other", dir.path().join("x.db").display());
    for sql in [
        "DELETE FROM profiles",
        "INSERT INTO settings(key, value_json) VALUES ('a', '1')",
        "UPDATE traits SET key = 'x'",
        "DROP TABLE events",
        "CREATE TABLE evil(x)",
        "CREATE TEMP TABLE evil(x)",
        attach.as_str(),
        "PRAGMA writable_schema = ON",
        "PRAGMA query_only = OFF",
        "SELECT * FROM settings",
        "SELECT * FROM sqlite_master",
        "SELECT load_extension('x')",
        "SELECT randomblob(10)",
        "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c) SELECT count(*) FROM c",
    ] {
        let result = sandbox.run_sql(sql);
        assert!(result.is_err(), "{sql} was allowed");
    }
    assert!(sandbox.run_sql("SELECT count(*) FROM profiles").is_ok());
}

#[test]
fn a_long_query_is_stopped_at_the_time_limit() {
    let (_dir, warehouse) = temp_warehouse();
    let sandbox = Sandbox::open(&warehouse, Duration::from_millis(200)).unwrap();
    // A cross join of json_each rows: billions of rows, no recursion needed.
    let sql = "SELECT count(*) FROM json_each('[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20]') a, \
               json_each('[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20]') b, \
               json_each('[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20]') c, \
               json_each('[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20]') d, \
               json_each('[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20]') e, \
               json_each('[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20]') f";
    let started = Instant::now();
    let err = sandbox.run_sql(sql).unwrap_err();
    assert!(matches!(err, SegmentsError::TimedOut { .. }), "{err}");
    assert!(started.elapsed() < Duration::from_secs(5));
    // The connection is usable again afterwards.
    assert!(sandbox.run_sql("SELECT 1").is_ok());
}
