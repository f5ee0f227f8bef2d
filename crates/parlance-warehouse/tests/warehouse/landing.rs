use parlance_warehouse::{LandStats, LandingRecord, WarehouseCounts, land_records};

use crate::{at, fresh};

fn rec<'a>(id: &'a str, payload: &'a str) -> LandingRecord<'a> {
    LandingRecord { stream: "orders", source_id: id, source_updated_at: None, payload_json: payload }
}

#[test]
fn landing_inserts_then_updates_then_skips_unchanged() {
    let (_dir, wh) = fresh();
    let first = wh
        .write(|tx| land_records(tx, "shop", at(1), &[rec("1", r#"{"a":1}"#), rec("2", r#"{"a":2}"#)]))
        .unwrap();
    assert_eq!(first, LandStats { pages: 1, inserted: 2, updated: 0, unchanged: 0 });

    let second = wh
        .write(|tx| land_records(tx, "shop", at(2), &[rec("1", r#"{"a":1}"#), rec("2", r#"{"a":3}"#)]))
        .unwrap();
    assert_eq!(second, LandStats { pages: 1, inserted: 0, updated: 1, unchanged: 1 });

    let reader = wh.reader().unwrap();
    let (payload, fetched): (String, String) = reader
        .query_row("SELECT payload_json, fetched_at FROM landing_records WHERE source_id='2'", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!(payload, r#"{"a":3}"#);
    assert_eq!(fetched, at(2).to_string());
    let unchanged_fetched: String = reader
        .query_row("SELECT fetched_at FROM landing_records WHERE source_id='1'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(unchanged_fetched, at(1).to_string(), "an unchanged record is not rewritten");
}

#[test]
fn the_same_page_landed_twice_leaves_the_file_identical_in_content() {
    let (_dir, wh) = fresh();
    let page: Vec<_> = (0..50).map(|i| (i.to_string(), format!(r#"{{"n":{i}}}"#))).collect();
    let records: Vec<_> = page.iter().map(|(id, p)| rec(id, p)).collect();
    wh.write(|tx| land_records(tx, "shop", at(1), &records)).unwrap();
    let before = dump(&wh);
    let again = wh.write(|tx| land_records(tx, "shop", at(9), &records)).unwrap();
    assert_eq!(again.unchanged, 50);
    assert_eq!(dump(&wh), before);
}

#[test]
fn the_same_id_in_two_streams_is_two_records() {
    let (_dir, wh) = fresh();
    let records = [
        LandingRecord { stream: "orders", source_id: "7", source_updated_at: None, payload_json: "{}" },
        LandingRecord { stream: "customers", source_id: "7", source_updated_at: None, payload_json: "{}" },
    ];
    let stats = wh.write(|tx| land_records(tx, "shop", at(1), &records)).unwrap();
    assert_eq!(stats.inserted, 2);
}

#[test]
fn a_failed_write_rolls_back_the_whole_page() {
    let (_dir, wh) = fresh();
    let result = wh.write(|tx| {
        land_records(tx, "shop", at(1), &[rec("1", "{}")])?;
        // A record for a source that was never registered violates the foreign key.
        land_records(tx, "ghost", at(1), &[rec("2", "{}")])
    });
    assert!(result.is_err());
    let counts = WarehouseCounts::read(&wh.reader().unwrap()).unwrap();
    assert_eq!(counts.layers.landing, 0);
}

#[test]
fn counts_report_sources_streams_and_layers() {
    let (_dir, wh) = fresh();
    wh.write(|tx| land_records(tx, "shop", at(1), &[rec("1", "{}"), rec("2", "{}")])).unwrap();
    let counts = WarehouseCounts::read(&wh.reader().unwrap()).unwrap();
    assert_eq!(counts.layers.landing, 2);
    assert_eq!(counts.sources.len(), 1);
    assert_eq!(counts.sources[0].name, "shop");
    assert_eq!(counts.sources[0].records, 2);
    assert_eq!(counts.sources[0].streams[0].stream, "orders");
    assert!(counts.layers.unified.iter().any(|t| t.table == "profiles" && t.rows == 0));
}

fn dump(wh: &parlance_warehouse::Warehouse) -> Vec<(String, String, String)> {
    let reader = wh.reader().unwrap();
    let mut stmt = reader
        .prepare("SELECT source_id, payload_json, fetched_at FROM landing_records ORDER BY id")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().map(Result::unwrap).collect()
}
