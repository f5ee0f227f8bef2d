//! Segment-spec JSONL.

use parlance_import::{Format, ImportError};

use crate::{fingerprint, fixture, import, options, scalar, strings, try_import, warehouse, write};

#[test]
fn a_segment_file_lands_by_message_type_and_unifies() {
    let (_dir, wh) = warehouse();
    let report = import(&wh, &options(&fixture("segment.jsonl"), Format::Segment));
    assert_eq!(report.land.source, "file-segment");
    assert_eq!((report.land.records, report.land.stats.inserted, report.land.rejected), (10, 10, 0));
    assert_eq!((report.unify.unified, report.quarantined), (10, 0));
    assert_eq!(
        strings(&wh, "SELECT stream || ' ' || count(*) FROM landing_records GROUP BY stream ORDER BY stream"),
        ["alias 1", "group 1", "identify 2", "page 3", "screen 1", "track 2"]
    );
    assert_eq!(
        strings(&wh, "SELECT kind || ' ' || config_json FROM sources"),
        [r#"file {"file":"segment.jsonl","format":"segment","shape":"segment"}"#]
    );
    assert_eq!(
        strings(&wh, "SELECT name FROM events ORDER BY occurred_at"),
        ["page_view", "product_added", "order_completed", "page_view", "page_view", "page_view"]
    );
    let run = strings(&wh, "SELECT status || ' ' || inserted || ' ' || coalesce(error, '-') FROM sync_runs");
    assert_eq!(run, ["succeeded 10 -"]);
}

#[test]
fn anonymous_browsing_joins_the_person_through_identify_and_alias() {
    let (_dir, wh) = warehouse();
    import(&wh, &options(&fixture("segment.jsonl"), Format::Segment));
    // anon-1 browsed, then identified as u-7 (with an e-mail), then ordered:
    // the visitor's profile became the person. Later u-7 browsed on a
    // tablet (anon-4) and identified there: that visitor's history merged
    // into the person. anon-2 was aliased to u-8. anon-3 stays anonymous.
    let live = "SELECT kind || ' ' || (SELECT count(*) FROM events e WHERE e.profile_id = p.id)
                FROM profiles p WHERE merged_into IS NULL ORDER BY id";
    assert_eq!(strings(&wh, live), ["person 4", "person 1", "anonymous 1"]);
    let anna = "SELECT group_concat(id, ' ') FROM (SELECT i.kind || '=' || i.value AS id FROM identifiers i
                WHERE i.profile_id = (SELECT profile_id FROM identifiers WHERE value = 'anon-1') ORDER BY 1)";
    assert_eq!(
        strings(&wh, anna),
        ["anonymous_id=anon-1 anonymous_id=anon-4 customer_id:file-segment=u-7 email=anna@mailbox.demo"]
    );
    let merges = "SELECT json_extract(evidence_json, '$.rule') FROM merges";
    assert_eq!(strings(&wh, merges), ["anonymous visitor identified"]);
    let traits = "SELECT key || '=' || value_json FROM traits ORDER BY key";
    assert_eq!(
        strings(&wh, traits),
        ["city=\"Leeds\"", "first_name=\"Anna\"", "group.id=\"g-1\"", "group.name=\"Acme\""]
    );
}

#[test]
fn importing_the_same_file_again_changes_nothing() {
    let (_dir, wh) = warehouse();
    let file = fixture("segment.jsonl");
    import(&wh, &options(&file, Format::Segment));
    let before = fingerprint(&wh);
    let again = import(&wh, &options(&file, Format::Segment));
    assert_eq!((again.land.stats.inserted, again.land.stats.updated, again.land.stats.unchanged), (0, 0, 10));
    assert_eq!(again.unify.records, 0);
    assert_eq!(fingerprint(&wh), before);
    assert_eq!(scalar(&wh, "SELECT count(*) FROM sync_runs"), 2);
}

#[test]
fn a_changed_message_updates_exactly_its_record() {
    let (dir, wh) = warehouse();
    let original = std::fs::read_to_string(fixture("segment.jsonl")).unwrap();
    let file = write(dir.path(), "events.jsonl", &original);
    import(&wh, &options(&file, Format::Segment));
    let ids = strings(&wh, "SELECT id || ' ' || source_id FROM landing_records ORDER BY id");
    write(dir.path(), "events.jsonl", &original.replace("\"revenue\":94.5", "\"revenue\":99"));
    let again = import(&wh, &options(&file, Format::Segment));
    assert_eq!((again.land.stats.inserted, again.land.stats.updated, again.land.stats.unchanged), (0, 1, 9));
    assert_eq!(again.unify.records, 1);
    assert_eq!(strings(&wh, "SELECT id || ' ' || source_id FROM landing_records ORDER BY id"), ids);
    assert_eq!(strings(&wh, "SELECT revenue || '' FROM events WHERE revenue IS NOT NULL"), ["99.0"]);
    assert_eq!(scalar(&wh, "SELECT count(*) FROM events"), 6);
}

#[test]
fn malformed_lines_are_reported_by_line_and_the_rest_imports() {
    let (dir, wh) = warehouse();
    let file = write(
        dir.path(),
        "broken.jsonl",
        concat!(
            r#"{"type":"page","messageId":"ok-1","anonymousId":"a-1","timestamp":"2026-03-01T10:00:00Z"}"#,
            "\n",
            r#"{"type":"page","messageId":"bad-json","anonymousId":"a-1","timestamp":"2026-03-01T10:00:00Z""#,
            "\n",
            r#"{"type":"track","event":"Signed Up","anonymousId":"a-1","timestamp":"2026-03-01T10:00:00Z"}"#,
            "\n",
            r#"{"type":"page","messageId":"bad-time","anonymousId":"a-1","timestamp":"yesterday"}"#,
            "\n",
            "[1, 2]\n",
            r#"{"type":"page","messageId":"nobody","timestamp":"2026-03-01T10:00:00Z"}"#,
            "\n",
            r#"{"type":"track","messageId":"ok-2","anonymousId":"a-1","event":"Signed Up","timestamp":"2026-03-01T10:05:00Z"}"#,
            "\n",
        ),
    );
    let report = import(&wh, &options(&file, Format::Segment));
    let problems: Vec<String> = report.land.problems.iter().map(ToString::to_string).collect();
    let path = file.display();
    assert_eq!(
        problems,
        [
            format!("{path} line 2: not valid JSON: EOF while parsing an object at column 92"),
            format!(
                "{path} line 3: messageId is missing: every Segment message needs one to be imported exactly once"
            ),
            format!("{path} line 5: not a JSON object"),
        ]
    );
    assert_eq!((report.land.stats.inserted, report.land.rejected), (4, 3));
    assert_eq!((report.unify.unified, report.quarantined), (2, 2));
    let held = "SELECT l.source_id || ': ' || q.reason FROM quarantine q JOIN landing_records l ON l.id = q.landing_id ORDER BY l.id";
    assert_eq!(
        strings(&wh, held),
        [
            "bad-time: file-broken/page: timestamp \"yesterday\" is not RFC 3339",
            "nobody: file-broken/page: the record names no one: userId and anonymousId are both missing",
        ]
    );
    let run = strings(&wh, "SELECT status || ' ' || quarantined || ' ' || error FROM sync_runs");
    assert_eq!(
        run,
        [format!(
            "succeeded 2 3 line(s) could not be landed; the first: {path} line 2: not valid JSON: EOF while parsing an object at column 92"
        )]
    );
}

#[test]
fn a_file_of_another_format_stops_early_with_a_clear_error() {
    let (_dir, wh) = warehouse();
    let err = try_import(&wh, &options(&fixture("orders.csv"), Format::Segment)).unwrap_err();
    assert!(matches!(err, ImportError::NotThisFormat { .. }) || err.to_string().contains("line 1"), "{err}");
    let message = err.to_string();
    assert!(message.contains("orders.csv"), "{message}");
}

#[test]
fn a_connectors_source_is_not_imported_into() {
    let (_dir, wh) = warehouse();
    wh.write(|tx| {
        parlance_warehouse::ensure_source(
            tx,
            &parlance_warehouse::SourceSpec { name: "shop", kind: "shopify", config_json: "{}" },
            crate::now(),
        )
    })
    .unwrap();
    let mut opts = options(&fixture("segment.jsonl"), Format::Segment);
    opts.source = Some("shop".into());
    let err = try_import(&wh, &opts).unwrap_err().to_string();
    assert_eq!(
        err,
        "source \"shop\" is a shopify source, not a file import; choose another name with --source"
    );
    opts.source = Some("file-orders".into());
    import(&wh, &options(&fixture("orders.csv"), Format::Csv).with_as("orders"));
    let err = try_import(&wh, &opts).unwrap_err().to_string();
    assert!(err.contains("holds csv records"), "{err}");
}
