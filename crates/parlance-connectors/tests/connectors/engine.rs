//! The engine with a scripted in-memory connector: page+cursor atomicity
//! under injected write failures, resumption, idempotency, cursors with
//! look-back, cancellation, the loop guards, run bookkeeping.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use parlance_connectors::cursor::StreamCursor;
use parlance_connectors::{
    ConnectionInfo, Connector, FetchError, FetchProblem, FetchedRecord, Page, PageRequest, SyncError,
    SyncOptions, stored_cursor,
};
use parlance_warehouse::{RunStatus, Timestamp};
use serde_json::{Value, json};

use crate::support::{Fixture, NOW, at};

const SOURCE: &str = "scripted";
const ITEMS_PER_PAGE: usize = 3;

/// What the scripted connector saw on each call.
#[derive(Clone, Debug, PartialEq)]
struct Call {
    stream: String,
    cursor: Option<Value>,
    updated_since: Option<Timestamp>,
}

/// A source with two streams: `items` in pages of three (`item-0`…), each
/// updated a minute after the previous, and `extras` in one page. A pass
/// with `updated_since` returns the items changed since then in one page.
#[derive(Debug)]
struct Scripted {
    items: Vec<(String, i64, u32)>,
    calls: Arc<Mutex<Vec<Call>>>,
    /// Answer every `items` page with this next cursor (a looping API).
    stuck_cursor: Option<Value>,
    /// Never say the stream is exhausted.
    endless: bool,
    fail_fetch_at_page: Option<usize>,
}

impl Scripted {
    fn new(items: usize) -> Self {
        let items = (0..items).map(|i| (format!("item-{i}"), NOW - 86_400 + 60 * i as i64, 1)).collect();
        Self { items, calls: Arc::default(), stuck_cursor: None, endless: false, fail_fetch_at_page: None }
    }

    fn touch(&mut self, index: usize, updated: i64) {
        self.items[index].1 = updated;
        self.items[index].2 += 1;
    }

    fn record(&self, index: usize) -> FetchedRecord {
        let (id, updated, version) = &self.items[index];
        FetchedRecord::new(
            id,
            Some(at(*updated)),
            &json!({ "id": id, "version": version, "updated": updated }),
        )
    }

    fn calls(&self) -> Vec<Call> {
        self.calls.lock().unwrap().clone()
    }

    fn items_page(&self, request: &PageRequest<'_>) -> Result<Page, FetchError> {
        if let Some(since) = request.updated_since {
            let changed =
                (0..self.items.len()).filter(|&i| at(self.items[i].1) >= since).map(|i| self.record(i));
            return Ok(Page::last(changed.collect()));
        }
        let page = request.cursor.map_or(0, |c| c["page"].as_u64().unwrap() as usize);
        if self.fail_fetch_at_page == Some(page) {
            return Err(FetchError::new(
                SOURCE,
                FetchProblem::Unreachable { endpoint: "/items".into(), detail: "down".into() },
            ));
        }
        let start = page * ITEMS_PER_PAGE;
        let end = (start + ITEMS_PER_PAGE).min(self.items.len());
        let records = (start..end).map(|i| self.record(i)).collect();
        if let Some(stuck) = &self.stuck_cursor {
            return Ok(Page::more(records, stuck.clone()));
        }
        if end >= self.items.len() && !self.endless {
            return Ok(Page::last(records));
        }
        Ok(Page::more(records, json!({ "page": page + 1 })))
    }
}

impl Connector for Scripted {
    fn kind(&self) -> &'static str {
        "scripted"
    }

    fn config_json(&self) -> String {
        "{}".into()
    }

    fn streams(&self) -> &'static [&'static str] {
        &["items", "extras"]
    }

    fn fetch_page(&mut self, stream: &str, request: &PageRequest<'_>) -> Result<Page, FetchError> {
        self.calls.lock().unwrap().push(Call {
            stream: stream.into(),
            cursor: request.cursor.cloned(),
            updated_since: request.updated_since,
        });
        match stream {
            "items" => self.items_page(request),
            _ => Ok(Page::last(vec![FetchedRecord::new("extra-1", None, &json!({"id": "extra-1"}))])),
        }
    }

    fn test_connection(&mut self, _: &AtomicBool) -> Result<ConnectionInfo, FetchError> {
        Ok(ConnectionInfo { account: "scripted".into() })
    }
}

fn items_cursor(fixture: &Fixture) -> Option<StreamCursor> {
    stored_cursor(&fixture.warehouse, SOURCE, "items").unwrap().map(|v| serde_json::from_value(v).unwrap())
}

fn item_ids(range: std::ops::Range<usize>) -> Vec<String> {
    let mut ids: Vec<String> = range.map(|i| format!("item-{i}")).collect();
    ids.sort();
    ids
}

/// A warehouse after one uninterrupted sync of `items` items.
fn reference(items: usize) -> Fixture {
    let fixture = Fixture::new();
    fixture.sync(SOURCE, &mut Scripted::new(items), &SyncOptions::default()).unwrap();
    fixture
}

#[test]
fn a_full_sync_lands_every_page_records_the_run_and_sets_the_watermark() {
    let fixture = Fixture::new();
    let mut connector = Scripted::new(10);
    let report = fixture.sync(SOURCE, &mut connector, &SyncOptions::default()).unwrap();

    assert_eq!(report.status, RunStatus::Succeeded);
    assert_eq!(report.totals().inserted, 11);
    assert_eq!(report.totals().pages, 5, "four pages of items and one of extras");
    assert!(report.streams.iter().all(|s| s.completed));
    assert_eq!(fixture.ids("items"), item_ids(0..10));
    let run = fixture.last_run();
    assert_eq!((run.status.as_str(), run.pages, run.inserted, run.error), ("succeeded", 5, 11, None));
    assert!(run.finished);

    let cursor = items_cursor(&fixture).unwrap();
    assert_eq!(cursor, StreamCursor { watermark: Some(at(NOW - 86_400 + 60 * 9)), pass: None });
    let pages: Vec<_> =
        connector.calls().into_iter().filter(|c| c.stream == "items").map(|c| c.cursor).collect();
    assert_eq!(
        pages,
        vec![None, Some(json!({"page": 1})), Some(json!({"page": 2})), Some(json!({"page": 3}))]
    );
    fixture.assert_healthy();
}

#[test]
fn progress_is_reported_after_every_committed_page() {
    let fixture = Fixture::new();
    let mut events = Vec::new();
    let cancel = AtomicBool::new(false);
    fixture
        .sync_with_progress(
            SOURCE,
            &mut Scripted::new(7),
            &SyncOptions::default(),
            &mut |p| events.push(p.clone()),
            &cancel,
        )
        .unwrap();
    let seen: Vec<(String, u64, u64)> = events.into_iter().map(|p| (p.stream, p.pages, p.records)).collect();
    let expected = [("items", 1, 3), ("items", 2, 6), ("items", 3, 7), ("extras", 1, 1)];
    assert_eq!(seen, expected.map(|(s, p, r)| (s.to_owned(), p, r)));
}

#[test]
fn a_write_failure_on_page_k_keeps_exactly_the_pages_before_it_and_a_resumed_sync_matches_an_uninterrupted_one()
 {
    let expected = reference(12);
    for k in 0..4_usize {
        let fixture = Fixture::new();
        let first_of_page_k = format!("item-{}", k * ITEMS_PER_PAGE);
        fixture
            .warehouse
            .write(|tx| {
                tx.execute_batch(&format!(
                    "CREATE TRIGGER inject_failure BEFORE INSERT ON landing_records
                     WHEN NEW.source_id = '{first_of_page_k}'
                     BEGIN SELECT RAISE(ABORT, 'injected write failure'); END;"
                ))
                .map_err(|e| parlance_warehouse::WarehouseError::Invalid {
                    what: "trigger".into(),
                    detail: e.to_string(),
                })
            })
            .unwrap();

        let error = fixture.sync(SOURCE, &mut Scripted::new(12), &SyncOptions::default()).unwrap_err();
        assert!(error.to_string().contains("injected write failure"), "{error}");
        assert!(error.to_string().starts_with("source scripted:"), "{error}");
        assert_eq!(fixture.ids("items"), item_ids(0..k * ITEMS_PER_PAGE), "k = {k}");
        let cursor = items_cursor(&fixture);
        match k {
            0 => assert_eq!(cursor, None),
            _ => assert_eq!(cursor.unwrap().pass.unwrap().cursor, Some(json!({ "page": k }))),
        }
        let run = fixture.last_run();
        assert_eq!(run.status, "failed");
        assert!(run.error.unwrap().contains("injected write failure"));
        fixture.assert_healthy();

        fixture
            .warehouse
            .write(|tx| {
                tx.execute_batch("DROP TRIGGER inject_failure").unwrap();
                Ok(())
            })
            .unwrap();
        let mut resumed = Scripted::new(12);
        fixture.sync(SOURCE, &mut resumed, &SyncOptions::default()).unwrap();
        let first_call = resumed.calls().into_iter().next().unwrap();
        assert_eq!(
            first_call.cursor,
            (k > 0).then(|| json!({ "page": k })),
            "resumes after the last committed page"
        );
        assert_eq!(fixture.landing(), expected.landing(), "k = {k}");
        assert_eq!(fixture.stream_states(), expected.stream_states(), "k = {k}");
        fixture.assert_healthy();
    }
}

#[test]
fn a_failure_saving_the_cursor_rolls_back_the_page_it_came_with() {
    let fixture = Fixture::new();
    fixture
        .warehouse
        .write(|tx| {
            tx.execute_batch(
                "CREATE TRIGGER inject_cursor_failure BEFORE UPDATE ON stream_state
                 WHEN json_extract(NEW.cursor_json, '$.pass.cursor.page') = 3
                 BEGIN SELECT RAISE(ABORT, 'injected cursor failure'); END;",
            )
            .unwrap();
            Ok(())
        })
        .unwrap();
    let error = fixture.sync(SOURCE, &mut Scripted::new(12), &SyncOptions::default()).unwrap_err();
    assert!(error.to_string().contains("injected cursor failure"), "{error}");
    // Page 2 (items 6–8) was landed in the same transaction as the failing
    // cursor, so it is gone too.
    assert_eq!(fixture.ids("items"), item_ids(0..6));
    assert_eq!(items_cursor(&fixture).unwrap().pass.unwrap().cursor, Some(json!({"page": 2})));
    fixture.assert_healthy();
}

#[test]
fn a_failed_fetch_marks_the_run_failed_and_keeps_the_cursor_of_the_last_committed_page() {
    let fixture = Fixture::new();
    let mut connector = Scripted::new(12);
    connector.fail_fetch_at_page = Some(2);
    let error = fixture.sync(SOURCE, &mut connector, &SyncOptions::default()).unwrap_err();
    assert_eq!(error.to_string(), "source scripted: could not reach /items: down");
    assert_eq!(fixture.ids("items"), item_ids(0..6));
    assert_eq!(items_cursor(&fixture).unwrap().pass.unwrap().cursor, Some(json!({"page": 2})));
    let run = fixture.last_run();
    assert_eq!((run.status.as_str(), run.pages, run.inserted), ("failed", 2, 6));
    assert_eq!(run.error.as_deref(), Some("source scripted: could not reach /items: down"));
}

#[test]
fn syncing_again_changes_nothing() {
    let fixture = reference(9);
    let before = fixture.landing();
    let report = fixture.sync(SOURCE, &mut Scripted::new(9), &SyncOptions::default()).unwrap();
    assert_eq!(report.totals().inserted + report.totals().updated, 0);
    assert_eq!(fixture.landing(), before);
    let full = fixture
        .sync(SOURCE, &mut Scripted::new(9), &SyncOptions { full: true, ..SyncOptions::default() })
        .unwrap();
    assert_eq!((full.totals().inserted, full.totals().updated, full.totals().unchanged), (0, 0, 10));
    assert_eq!(fixture.landing(), before);
    assert!(fixture.last_run().full_refresh);
}

#[test]
fn an_incremental_pass_asks_from_the_watermark_minus_the_look_back_and_lands_only_changes() {
    let fixture = reference(9);
    let watermark = NOW - 86_400 + 60 * 8;
    let mut connector = Scripted::new(9);
    connector.touch(4, watermark + 3_600);
    let report = fixture.sync(SOURCE, &mut connector, &SyncOptions::default()).unwrap();

    let items_call = connector.calls().into_iter().find(|c| c.stream == "items").unwrap();
    assert_eq!(items_call.updated_since, Some(at(watermark - 120)), "two minutes of look-back");
    let items = &report.streams[0];
    // item-4 changed; items 6–8 fall inside the look-back window and are re-fetched unchanged.
    assert_eq!((items.landed.inserted, items.landed.updated, items.landed.unchanged), (0, 1, 3));
    assert_eq!(fixture.payload("items", "item-4")["version"], 2);
    assert_eq!(items_cursor(&fixture).unwrap().watermark, Some(at(watermark + 3_600)));
}

#[test]
fn a_full_sync_forgets_the_cursors() {
    let fixture = reference(6);
    let mut connector = Scripted::new(6);
    fixture.sync(SOURCE, &mut connector, &SyncOptions { full: true, ..SyncOptions::default() }).unwrap();
    let first = connector.calls().into_iter().next().unwrap();
    assert_eq!((first.cursor, first.updated_since), (None, None));
}

#[test]
fn an_older_version_never_replaces_a_newer_one() {
    let fixture = reference(3);
    let mut newer = Scripted::new(3);
    newer.touch(1, NOW);
    fixture.sync(SOURCE, &mut newer, &SyncOptions::default()).unwrap();
    // A full re-listing from a lagging replica still has the old version.
    let mut stale = Scripted::new(3);
    let report =
        fixture.sync(SOURCE, &mut stale, &SyncOptions { full: true, ..SyncOptions::default() }).unwrap();
    assert_eq!(report.streams[0].older_than_landed, 1);
    assert_eq!(fixture.payload("items", "item-1")["version"], 2);
}

#[test]
fn cancelling_between_pages_keeps_what_was_committed_and_a_resumed_sync_completes() {
    let expected = reference(12);
    let fixture = Fixture::new();
    let cancel = AtomicBool::new(false);
    let mut on_progress = |p: &parlance_connectors::SyncProgress| {
        if p.pages == 2 {
            cancel.store(true, Ordering::Relaxed);
        }
    };
    let report = fixture
        .sync_with_progress(
            SOURCE,
            &mut Scripted::new(12),
            &SyncOptions::default(),
            &mut on_progress,
            &cancel,
        )
        .unwrap();
    assert_eq!(report.status, RunStatus::Cancelled);
    assert_eq!(fixture.ids("items"), item_ids(0..6));
    let run = fixture.last_run();
    assert_eq!((run.status.as_str(), run.pages, run.error), ("cancelled", 2, None));

    fixture.sync(SOURCE, &mut Scripted::new(12), &SyncOptions::default()).unwrap();
    assert_eq!(fixture.landing(), expected.landing());
    assert_eq!(fixture.stream_states(), expected.stream_states());
}

#[test]
fn a_fetch_cancelled_mid_wait_ends_the_run_as_cancelled_not_failed() {
    #[derive(Debug)]
    struct CancelledWhileWaiting;
    impl Connector for CancelledWhileWaiting {
        fn kind(&self) -> &'static str {
            "scripted"
        }
        fn config_json(&self) -> String {
            "{}".into()
        }
        fn streams(&self) -> &'static [&'static str] {
            &["items"]
        }
        fn fetch_page(&mut self, _: &str, _: &PageRequest<'_>) -> Result<Page, FetchError> {
            Err(FetchError::new(SOURCE, FetchProblem::Cancelled))
        }
        fn test_connection(&mut self, _: &AtomicBool) -> Result<ConnectionInfo, FetchError> {
            Err(FetchError::new(SOURCE, FetchProblem::Cancelled))
        }
    }
    let fixture = Fixture::new();
    let report = fixture.sync(SOURCE, &mut CancelledWhileWaiting, &SyncOptions::default()).unwrap();
    assert_eq!(report.status, RunStatus::Cancelled);
    assert_eq!(fixture.last_run().status, "cancelled");
}

#[test]
fn the_same_next_cursor_twice_is_a_pagination_loop() {
    let fixture = Fixture::new();
    let mut connector = Scripted::new(12);
    connector.stuck_cursor = Some(json!({"page": 1}));
    let error = fixture.sync(SOURCE, &mut connector, &SyncOptions::default()).unwrap_err();
    assert!(matches!(error, SyncError::PaginationLoop { .. }), "{error:?}");
    assert_eq!(
        error.to_string(),
        r#"source scripted, stream items: pagination loop — the API returned the next cursor {"page":1} a second time"#
    );
    assert_eq!(connector.calls().len(), 2, "stopped at the first repeat");
    assert_eq!(fixture.ids("items"), item_ids(0..3), "the repeated page is not committed");
    assert_eq!(fixture.last_run().status, "failed");
}

#[test]
fn the_page_cap_stops_an_endless_stream() {
    let fixture = Fixture::new();
    let mut connector = Scripted::new(600);
    connector.endless = true;
    let options = SyncOptions { max_pages_per_stream: 5, ..SyncOptions::default() };
    let error = fixture.sync(SOURCE, &mut connector, &options).unwrap_err();
    assert!(error.to_string().contains("more than 5 pages in one sync"), "{error}");
    assert_eq!(fixture.ids("items").len(), 15);
}

#[test]
fn only_the_chosen_streams_are_synced() {
    let fixture = Fixture::new();
    let options = SyncOptions { streams: vec!["extras".into()], ..SyncOptions::default() };
    let report = fixture.sync(SOURCE, &mut Scripted::new(6), &options).unwrap();
    assert_eq!(report.streams.len(), 1);
    assert_eq!(fixture.ids("items"), Vec::<String>::new());
    assert_eq!(fixture.ids("extras"), vec!["extra-1".to_owned()]);
}

#[test]
fn an_unknown_stream_is_refused_before_anything_runs() {
    let fixture = Fixture::new();
    let options = SyncOptions { streams: vec!["itemz".into()], ..SyncOptions::default() };
    let error = fixture.sync(SOURCE, &mut Scripted::new(3), &options).unwrap_err();
    assert_eq!(error.to_string(), r#"source scripted: has no stream "itemz""#);
    assert!(fixture.runs().is_empty());
}

#[test]
fn a_source_registered_with_another_kind_is_refused() {
    let fixture = Fixture::new();
    fixture
        .warehouse
        .write(|tx| {
            parlance_warehouse::ensure_source(
                tx,
                &parlance_warehouse::SourceSpec { name: SOURCE, kind: "stripe", config_json: "{}" },
                at(NOW),
            )
        })
        .unwrap();
    let error = fixture.sync(SOURCE, &mut Scripted::new(3), &SyncOptions::default()).unwrap_err();
    assert_eq!(error.to_string(), "source scripted is registered as a stripe source, not scripted");
    assert!(fixture.runs().is_empty());
}
