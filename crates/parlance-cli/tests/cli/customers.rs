//! `parlance customer` and `parlance identity` run as a user runs them.

use std::path::Path;

use crate::{parlance, stderr, stdout};

fn demo(wh: &Path, people: &str) {
    let out = parlance(wh, &["demo", "--people", people, "--as-of", "2026-10-31"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

fn json(wh: &Path, args: &[&str]) -> serde_json::Value {
    let out = parlance(wh, args);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    serde_json::from_str(&stdout(&out)).unwrap()
}

#[test]
fn identity_score_is_above_the_stated_thresholds_on_the_demo() {
    let dir = tempfile::tempdir().unwrap();
    let wh = dir.path().join("w.parlance");
    demo(&wh, "2000");
    let score = json(&wh, &["identity", "score", "--json"]);
    let (precision, recall) = (score["precision"].as_f64().unwrap(), score["recall"].as_f64().unwrap());
    // Stated in parlance-identity's docs: precision ≥ 0.99, recall ≥ 0.95 on the demo company.
    assert!(precision >= 0.99, "precision {precision}");
    assert!(recall >= 0.95, "recall {recall}");
    assert!(score["records"].as_u64().unwrap() > 10_000);
    let text = stdout(&parlance(&wh, &["identity", "score"]));
    assert!(text.contains("precision 0.9") && text.contains("recall    0.9"), "{text}");

    // A rebuild gives the same score (same clusters).
    let rebuilt = json(&wh, &["identity", "rebuild", "--json"]);
    assert_eq!(rebuilt["profilesKeptId"], rebuilt["profiles"], "{rebuilt}");
    assert_eq!(json(&wh, &["identity", "score", "--json"]), score);
}

#[test]
fn customer_show_finds_one_profile_by_id_email_and_phone() {
    let dir = tempfile::tempdir().unwrap();
    let wh = dir.path().join("w.parlance");
    demo(&wh, "300");
    let hits = json(&wh, &["customer", "search", "+447", "--limit", "50", "--json"]);
    let person = hits
        .as_array()
        .unwrap()
        .iter()
        .map(|h| &h["profile"])
        .find(|p| !p["emails"].as_array().unwrap().is_empty())
        .expect("someone with a phone and an email")
        .clone();
    let id = person["id"].as_i64().unwrap().to_string();
    let email = person["emails"][0].as_str().unwrap().to_uppercase();
    let phone = person["phones"][0].as_str().unwrap();
    let national = format!("0{} {}", &phone[3..7], &phone[7..]);
    for query in [id.as_str(), email.as_str(), national.as_str()] {
        let c = json(&wh, &["customer", "show", query, "--json", "--limit", "3"]);
        assert_eq!(c["summary"]["id"].as_i64().unwrap().to_string(), id, "{query}");
        assert!(c["timeline"].as_array().unwrap().len() <= 3);
    }
    let text = stdout(&parlance(&wh, &["customer", "show", &email]));
    for expected in
        ["Identifiers", "Traits", "Timeline", "newest first", "customer_id:demo-shop", "Segments", "Value"]
    {
        assert!(text.contains(expected), "missing {expected:?}:\n{text}");
    }
}

#[test]
fn unknown_customers_fail_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let wh = dir.path().join("w.parlance");
    demo(&wh, "300");
    let out = parlance(&wh, &["customer", "show", "ghost@nowhere.demo"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("no profile matches \"ghost@nowhere.demo\"") && err.contains("email ghost@nowhere.demo"),
        "{err}"
    );
    let out = parlance(&wh, &["identity", "unmerge", "999999"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("no profile 999999"), "{}", stderr(&out));
    let out = parlance(&wh, &["identity", "unmerge", "1", "--identifier", "nonsense"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("not KIND:VALUE"), "{}", stderr(&out));
}

#[test]
fn explain_unmerge_and_suspicious_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let wh = dir.path().join("w.parlance");
    demo(&wh, "1500");
    let report = json(&wh, &["identity", "suspicious", "--json"]);
    assert!(report["sharedTotal"].as_u64().unwrap() > 0, "households");
    assert!(report["blockedTotal"].as_u64().unwrap() > 0, "test accounts");
    let text = stdout(&parlance(&wh, &["identity", "suspicious"]));
    assert!(
        text.contains("households") && text.contains("test accounts") && text.contains("thresholds"),
        "{text}"
    );

    // Someone who identified after browsing anonymously.
    let hits = json(&wh, &["customer", "search", "anon-", "--limit", "200", "--json"]);
    let person = hits
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["profile"]["id"].as_i64().unwrap())
        .find(|id| {
            let e = json(&wh, &["identity", "explain", &id.to_string(), "--json"]);
            e["summary"]["kind"] == "person" && !e["merges"].as_array().unwrap().is_empty()
        })
        .expect("an identified visitor");
    let id = person.to_string();
    let explained = stdout(&parlance(&wh, &["identity", "explain", &id]));
    assert!(
        explained.contains("Merges") && explained.contains("via ") && explained.contains("carried by"),
        "{explained}"
    );

    let out = parlance(&wh, &["identity", "unmerge", &id, "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let u: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let moved = &u["moved"][0];
    let moved_id = format!("{}:{}", moved["kind"].as_str().unwrap(), moved["value"].as_str().unwrap());
    let split_off = u["splitOff"][0].as_i64().unwrap();
    assert!(u["rulesAdded"].as_u64().unwrap() > 0);

    // Rebuilt from scratch, the split stays split.
    assert!(parlance(&wh, &["identity", "rebuild"]).status.success());
    let kept = json(&wh, &["customer", "show", &id, "--json"]);
    let left = json(&wh, &["customer", "show", &moved_id, "--json"]);
    assert_ne!(kept["summary"]["id"], left["summary"]["id"]);
    assert_eq!(left["summary"]["id"].as_i64(), Some(split_off), "the split-off profile keeps its id too");
    let explained = stdout(&parlance(&wh, &["identity", "explain", &id]));
    assert!(explained.contains("Kept apart"), "{explained}");
}
