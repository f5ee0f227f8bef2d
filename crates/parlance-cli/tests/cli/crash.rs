//! Crash safety: `parlance sync` killed with SIGKILL after page k, for
//! several k, then run again, ends with exactly the warehouse an
//! uninterrupted sync gives — same landed rows and payload hashes, same
//! stream cursors and watermarks, no lost or duplicated rows, a clean
//! integrity check — and the token appears in no warehouse file and no
//! output.
//!
//! The source is a fake Klaviyo on 127.0.0.1 (profiles and events in pages
//! of two, `links.next` cursors). It can hold request number k unanswered:
//! when request k arrives, pages 0..k have been fetched and — the engine
//! commits each page before asking for the next — committed, so the test
//! kills the process exactly there and checks the landed-record count.

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use parlance_warehouse::Warehouse;
use serde_json::{Value, json};

use crate::{stderr, stdout};

pub const SOURCE: &str = "klaviyo-crash";
pub const TOKEN: &str = "pk_CRASHTEST_7d1e2f3a4b5c6d7e8f9a0b1c";
pub const TOKEN_ENV: &str = "PARLANCE_TOKEN_KLAVIYO_CRASH";
const PROFILES: usize = 24;
const EVENTS: usize = 8;
const PAGE: usize = 2;

#[derive(Default)]
struct State {
    requests: usize,
    /// Leave this request (0-based, over all requests) unanswered until released.
    hold_at: Option<usize>,
    holding: bool,
}

/// A fake Klaviyo: `GET /api/profiles` and `GET /api/events?include=metric`.
pub struct FakeKlaviyo {
    pub base_url: String,
    state: Arc<Mutex<State>>,
    server: Arc<tiny_http::Server>,
    thread: Option<std::thread::JoinHandle<()>>,
}

fn profile(i: usize) -> Value {
    let updated = format!("2026-10-{:02}T{:02}:00:00+00:00", 1 + i / 24, i % 24);
    json!({ "type": "profile", "id": format!("01PROFILE{i:04}"),
            "attributes": { "email": format!("crash{i}@example.com"), "first_name": "Ada", "last_name": format!("L{i}"),
                            "created": "2026-01-01T00:00:00+00:00", "updated": updated, "location": { "city": "Leeds" } } })
}

fn event(i: usize) -> Value {
    json!({ "type": "event", "id": format!("EVT{i:04}"),
            "attributes": { "timestamp": 1_790_000_000 + i, "datetime": format!("2026-09-21T10:{:02}:00+00:00", i), "event_properties": { "Subject": "Hello" } },
            "relationships": { "profile": { "data": { "type": "profile", "id": format!("01PROFILE{:04}", i % PROFILES) } },
                               "metric": { "data": { "type": "metric", "id": "OPEN" } } } })
}

impl FakeKlaviyo {
    pub fn start() -> Self {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
        let port = server.server_addr().to_ip().unwrap().port();
        let base_url = format!("http://127.0.0.1:{port}");
        let state = Arc::new(Mutex::new(State::default()));
        let thread = {
            let (server, state, base) = (server.clone(), state.clone(), base_url.clone());
            std::thread::spawn(move || {
                while let Ok(request) = server.recv() {
                    serve(&state, &base, request);
                }
            })
        };
        Self { base_url, state, server, thread: Some(thread) }
    }

    pub fn hold_at(&self, request: usize) {
        let mut state = self.state.lock().unwrap();
        state.hold_at = Some(request);
        state.holding = false;
    }

    pub fn release(&self) {
        self.state.lock().unwrap().hold_at = None;
    }

    pub fn is_holding(&self) -> bool {
        self.state.lock().unwrap().holding
    }

    pub fn requests(&self) -> usize {
        self.state.lock().unwrap().requests
    }
}

impl Drop for FakeKlaviyo {
    fn drop(&mut self) {
        self.release();
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve(state: &Mutex<State>, base: &str, request: tiny_http::Request) {
    let number = {
        let mut s = state.lock().unwrap();
        s.requests += 1;
        s.requests - 1
    };
    // Hold the answer while asked to (the process is killed meanwhile).
    loop {
        let mut s = state.lock().unwrap();
        if s.hold_at != Some(number) {
            break;
        }
        s.holding = true;
        drop(s);
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(30));
    let authorised = request
        .headers()
        .iter()
        .any(|h| h.field.equiv("Authorization") && h.value.as_str() == format!("Klaviyo-API-Key {TOKEN}"));
    let url = request.url().to_owned();
    let (path, query) = url.split_once('?').unwrap_or((&url, ""));
    let since = query.split('&').find_map(|p| p.strip_prefix("filter=")).map(|f| {
        let f = f.replace("%28", "(").replace("%29", ")").replace("%2C", ",").replace("%3A", ":");
        let inner = f.split_once(',').unwrap().1.trim_end_matches(')').to_owned();
        inner.replace('Z', "+00:00")
    });
    let cursor = query
        .split('&')
        .find_map(|p| p.strip_prefix("page%5Bcursor%5D=").or_else(|| p.strip_prefix("page[cursor]=")))
        .map(|c| c.parse::<usize>().unwrap());
    let (status, body) = if !authorised {
        (
            401,
            json!({ "errors": [{ "status": 401, "code": "not_authenticated", "detail": "Missing or invalid private key." }] }),
        )
    } else {
        let (items, field): (Vec<Value>, &str) = match path {
            "/api/profiles" => ((0..PROFILES).map(profile).collect(), "updated"),
            "/api/events" => ((0..EVENTS).map(event).collect(), "datetime"),
            _ => (Vec::new(), ""),
        };
        // `greater-than(updated,…)`: the times share one format, so text order is time order.
        let items: Vec<Value> = items
            .into_iter()
            .filter(|i| since.as_deref().is_none_or(|s| i["attributes"][field].as_str().unwrap() > s))
            .collect();
        let total = items.len();
        let start = cursor.unwrap_or(0);
        let page: Vec<Value> = items.into_iter().skip(start).take(PAGE).collect();
        let next = if start + PAGE < total {
            json!(format!("{base}{path}/?page%5Bcursor%5D={}", start + PAGE))
        } else {
            Value::Null
        };
        let mut body = json!({ "data": page, "links": { "self": format!("{base}{path}/"), "next": next } });
        if path == "/api/events" {
            body["included"] =
                json!([{ "type": "metric", "id": "OPEN", "attributes": { "name": "Opened Email" } }]);
        }
        (200, body)
    };
    let response = tiny_http::Response::from_string(body.to_string()).with_status_code(status).with_header(
        tiny_http::Header::from_bytes(&b"Content-Type"[..], &b"application/vnd.api+json"[..]).unwrap(),
    );
    let _ = request.respond(response);
}

/// `parlance` with the keychain off and the token in the environment.
pub fn command(warehouse: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_parlance"));
    command
        .arg("--warehouse")
        .arg(warehouse)
        .args(args)
        .env_remove("PARLANCE_WAREHOUSE")
        .env("PARLANCE_KEYCHAIN", "off")
        .env(TOKEN_ENV, TOKEN);
    command
}

/// Registers the fake as a source, the token given on standard input.
pub fn add_source(warehouse: &Path, base_url: &str) -> std::process::Output {
    let mut child = command(
        warehouse,
        &[
            "sources",
            "add",
            SOURCE,
            "--kind",
            "klaviyo",
            "--base-url",
            base_url,
            "--page-size",
            "2",
            "--token-stdin",
        ],
    )
    .stdin(Stdio::piped())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        writeln!(stdin, "{TOKEN}").unwrap();
    }
    child.wait_with_output().unwrap()
}

/// What must be identical: every landed row with its hash, every stream's
/// cursor, and the unified layer's row counts.
#[derive(Debug, PartialEq, Eq)]
struct Dump {
    landing: Vec<(String, String, String, Option<String>, String, String)>,
    cursors: Vec<(String, String, String)>,
    unified: Vec<(String, i64)>,
}

fn dump(path: &Path) -> Dump {
    let warehouse = Warehouse::open_existing(path).unwrap();
    let reader = warehouse.reader().unwrap();
    let mut landing = reader
        .prepare(
            "SELECT source, stream, source_id, source_updated_at, payload_json, hex(content_hash)
             FROM landing_records ORDER BY source, stream, source_id",
        )
        .unwrap();
    let landing = landing
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut cursors = reader
        .prepare("SELECT source, stream, cursor_json FROM stream_state ORDER BY source, stream")
        .unwrap();
    let cursors = cursors
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let unified = ["profiles", "identifiers", "events", "traits", "record_profiles", "quarantine"]
        .iter()
        .map(|table| {
            let n: i64 =
                reader.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0)).unwrap();
            ((*table).to_owned(), n)
        })
        .collect();
    Dump { landing, cursors, unified }
}

fn landed(path: &Path) -> i64 {
    let warehouse = Warehouse::open_existing(path).unwrap();
    let reader = warehouse.reader().unwrap();
    reader.query_row("SELECT count(*) FROM landing_records", [], |r| r.get(0)).unwrap()
}

fn run_statuses(path: &Path) -> Vec<String> {
    let warehouse = Warehouse::open_existing(path).unwrap();
    let reader = warehouse.reader().unwrap();
    let mut statement = reader.prepare("SELECT status FROM sync_runs ORDER BY id").unwrap();
    statement.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
}

fn assert_no_token_in_files(dir: &Path) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap_or_default();
        assert!(
            !bytes.windows(TOKEN.len()).any(|w| w == TOKEN.as_bytes()),
            "the token is in {}",
            path.display()
        );
    }
}

fn assert_no_token_in(output: &std::process::Output) {
    assert!(!stdout(output).contains(TOKEN) && !stderr(output).contains(TOKEN), "the token was printed");
}

#[test]
fn a_sync_killed_after_page_k_and_restarted_ends_identical_to_an_uninterrupted_one() {
    let fake = FakeKlaviyo::start();

    // The reference: one uninterrupted sync.
    let reference_dir = tempfile::tempdir().unwrap();
    let reference = reference_dir.path().join("w.parlance");
    assert!(Warehouse::open(&reference).is_ok());
    let added = add_source(&reference, &fake.base_url);
    assert!(added.status.success(), "{}", stderr(&added));
    assert_no_token_in(&added);
    let full = command(&reference, &["sync", SOURCE, "--json"]).output().unwrap();
    assert!(full.status.success(), "{}", stderr(&full));
    assert_no_token_in(&full);
    let expected = dump(&reference);
    assert_eq!(expected.landing.len(), PROFILES + EVENTS);
    let requests_per_sync = fake.requests();
    assert_eq!(requests_per_sync, PROFILES / PAGE + EVENTS / PAGE);

    // Kill after page k: within profiles, at the stream boundary, within events.
    for k in [1, 5, PROFILES / PAGE, PROFILES / PAGE + 2] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.parlance");
        assert!(Warehouse::open(&path).is_ok());
        let added = add_source(&path, &fake.base_url);
        assert!(added.status.success(), "{}", stderr(&added));

        let first_request = fake.requests();
        fake.hold_at(first_request + k);
        let mut child =
            command(&path, &["sync", SOURCE]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        while !fake.is_holding() {
            assert!(Instant::now() < deadline, "the sync never reached page {k}");
            assert!(child.try_wait().unwrap().is_none(), "the sync ended before page {k}");
            std::thread::sleep(Duration::from_millis(10));
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        fake.release();
        assert_eq!(
            landed(&path),
            (k * PAGE) as i64,
            "exactly the k committed pages are landed after the kill at page {k}"
        );

        let resumed = command(&path, &["sync", SOURCE]).output().unwrap();
        assert!(resumed.status.success(), "k = {k}: {}", stderr(&resumed));
        assert_no_token_in(&resumed);
        // A stream whose pass was complete starts an incremental pass (the
        // last profile is inside the look-back: one page); the others
        // resume after their last committed page.
        let incremental_profiles = usize::from(k >= PROFILES / PAGE);
        assert_eq!(
            fake.requests() - first_request - k - 1,
            requests_per_sync - k + incremental_profiles,
            "k = {k}: the restarted sync resumed after the last committed page"
        );
        assert_eq!(dump(&path), expected, "k = {k}: the warehouse differs from an uninterrupted sync");
        assert_eq!(
            run_statuses(&path),
            vec!["failed", "succeeded"],
            "the killed run is recorded as interrupted"
        );
        let check = command(&path, &["check"]).output().unwrap();
        assert!(check.status.success() && stdout(&check).ends_with(": ok\n"), "{}", stderr(&check));
        assert_no_token_in_files(dir.path());
    }
    assert_no_token_in_files(reference_dir.path());
}
