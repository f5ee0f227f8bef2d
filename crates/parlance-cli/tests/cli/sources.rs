//! `parlance sources add|list|test|remove` and `parlance sync`, run as a
//! user runs them, against the fake Klaviyo of the crash test.

use std::process::Stdio;

use serde_json::Value;

use crate::crash::{FakeKlaviyo, SOURCE, TOKEN, TOKEN_ENV, add_source, command};
use crate::{stderr, stdout};

fn json_of(output: &std::process::Output) -> Value {
    assert!(output.status.success(), "{}", stderr(output));
    serde_json::from_str(&stdout(output)).unwrap_or_else(|e| panic!("{e}: {}", stdout(output)))
}

#[test]
fn add_list_test_sync_and_remove_a_source() {
    let fake = FakeKlaviyo::start();
    let dir = tempfile::tempdir().unwrap();
    let wh = dir.path().join("w.parlance");

    let added = add_source(&wh, &fake.base_url);
    assert!(added.status.success(), "{}", stderr(&added));
    assert!(stdout(&added).contains("Added klaviyo-crash (klaviyo,"), "{}", stdout(&added));

    let list = json_of(&command(&wh, &["sources", "list", "--json"]).output().unwrap());
    assert_eq!(list[0]["name"], SOURCE);
    assert_eq!(list[0]["kind"], "klaviyo");
    assert_eq!(list[0]["baseUrl"], fake.base_url.as_str());
    assert_eq!(list[0]["tokenEnvVar"], TOKEN_ENV);
    assert_eq!(list[0]["lastRun"], Value::Null);
    assert!(!list[0]["configJson"].as_str().unwrap().contains(TOKEN));

    let test = command(&wh, &["sources", "test", SOURCE]).output().unwrap();
    // The fake serves no /api/accounts: the test fails, naming the source.
    assert!(!test.status.success());
    assert!(stderr(&test).contains(&format!("source {SOURCE}")), "{}", stderr(&test));

    let sync = json_of(&command(&wh, &["sync", "--json"]).output().unwrap());
    assert_eq!(sync["sources"][0]["status"], "succeeded");
    assert_eq!(sync["sources"][0]["streams"][0]["stream"], "profiles");
    assert_eq!(sync["sources"][0]["streams"][0]["inserted"], 24);
    assert!(sync["unified"].as_u64().unwrap() >= 32, "{sync}");
    let human = command(&wh, &["sync", SOURCE]).output().unwrap();
    assert!(human.status.success(), "{}", stderr(&human));
    assert!(stdout(&human).contains("profiles"), "{}", stdout(&human));
    assert!(
        stdout(&human).contains("0 new, 0 changed, 1 unchanged"),
        "an incremental pass: {}",
        stdout(&human)
    );

    let list = json_of(&command(&wh, &["sources", "list", "--json"]).output().unwrap());
    assert_eq!(list[0]["lastRun"]["status"], "succeeded");
    assert_eq!(list[0]["records"], 32);
    let text = stdout(&command(&wh, &["sources", "list"]).output().unwrap());
    assert!(text.contains("klaviyo-crash") && text.contains("succeeded"), "{text}");

    let refused = command(&wh, &["sources", "remove", SOURCE]).stdin(Stdio::null()).output().unwrap();
    assert!(!refused.status.success());
    assert!(stderr(&refused).contains("pass --yes"), "{}", stderr(&refused));

    let removed = json_of(&command(&wh, &["sources", "remove", SOURCE, "--yes", "--json"]).output().unwrap());
    assert_eq!(removed["landedRecords"], 32);
    assert_eq!(removed["keychain"], "unavailable");
    let list = json_of(&command(&wh, &["sources", "list", "--json"]).output().unwrap());
    assert_eq!(list, serde_json::json!([]));
    let check = command(&wh, &["check"]).output().unwrap();
    assert!(check.status.success(), "{}", stderr(&check));
}

#[test]
fn without_a_keychain_or_the_variable_adding_fails_naming_the_fallback() {
    let dir = tempfile::tempdir().unwrap();
    let wh = dir.path().join("w.parlance");
    let mut child = command(&wh, &["sources", "add", "shop", "--kind", "stripe", "--token-stdin"])
        .env_remove("PARLANCE_TOKEN_SHOP")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        writeln!(child.stdin.take().unwrap(), "sk_test_secret_123").unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(!out.status.success());
    assert!(stderr(&out).contains("PARLANCE_TOKEN_SHOP"), "{}", stderr(&out));
    assert!(stderr(&out).contains("keychain is unavailable"), "{}", stderr(&out));
    assert!(!stderr(&out).contains("sk_test_secret_123"));
    let list = json_of(&command(&wh, &["sources", "list", "--json"]).output().unwrap());
    assert_eq!(list, serde_json::json!([]), "nothing was registered");
}

#[test]
fn a_token_is_never_a_command_line_argument() {
    let dir = tempfile::tempdir().unwrap();
    let wh = dir.path().join("w.parlance");
    let out =
        command(&wh, &["sources", "add", "x", "--kind", "stripe", "--token", "sk_live_x"]).output().unwrap();
    assert!(!out.status.success());
    assert!(stderr(&out).contains("unexpected argument '--token'"), "{}", stderr(&out));
}

#[test]
fn settings_the_kind_does_not_have_and_unknown_kinds_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let wh = dir.path().join("w.parlance");
    let out = command(&wh, &["sources", "add", "pay", "--kind", "stripe", "--shop", "acme"])
        .env("PARLANCE_TOKEN_PAY", "sk_test_x")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("source pay: invalid configuration: unknown field `shop`"),
        "{}",
        stderr(&out)
    );
    let out = command(&wh, &["sources", "add", "crm", "--kind", "salesforce"])
        .env("PARLANCE_TOKEN_CRM", "x")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(stderr(&out).contains("unknown source kind \"salesforce\""), "{}", stderr(&out));
}

#[test]
fn a_rejected_token_fails_the_sync_naming_the_source() {
    let fake = FakeKlaviyo::start();
    let dir = tempfile::tempdir().unwrap();
    let wh = dir.path().join("w.parlance");
    assert!(add_source(&wh, &fake.base_url).status.success());
    let out = command(&wh, &["sync", SOURCE]).env(TOKEN_ENV, "pk_wrong").output().unwrap();
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("source klaviyo-crash: the token was rejected (401) — reconnect it"),
        "{}",
        stderr(&out)
    );
}
