//! GA4 BigQuery-export JSONL.

use parlance_import::Format;

use crate::{fingerprint, fixture, import, options, scalar, strings, warehouse, write};

#[test]
fn ga4_rows_land_as_events_and_unify() {
    let (_dir, wh) = warehouse();
    let report = import(&wh, &options(&fixture("ga4.jsonl"), Format::Ga4));
    assert_eq!((report.land.source.as_str(), report.land.stats.inserted), ("file-ga4", 3));
    assert_eq!((report.unify.unified, report.quarantined), (3, 0));
    assert_eq!(
        strings(
            &wh,
            "SELECT channel || '.' || name || ' ' || coalesce(revenue, '-') FROM events ORDER BY occurred_at"
        ),
        ["web.page_view -", "web.order_completed 94.5", "web.session_start -"]
    );
    // The pseudo id that viewed the page is the customer who bought: one
    // person; the other visitor stays anonymous.
    let live = "SELECT kind || ' ' || (SELECT count(*) FROM events e WHERE e.profile_id = p.id)
                FROM profiles p WHERE merged_into IS NULL ORDER BY id";
    assert_eq!(strings(&wh, live), ["person 2", "anonymous 1"]);
    let ids = strings(&wh, "SELECT source_id FROM landing_records");
    assert!(ids.iter().all(|id| id.starts_with("ga4-") && id.len() == 36), "{ids:?}");
}

#[test]
fn reimporting_ga4_changes_nothing_and_an_edited_row_updates_its_record() {
    let (dir, wh) = warehouse();
    let original = std::fs::read_to_string(fixture("ga4.jsonl")).unwrap();
    let file = write(dir.path(), "events.jsonl", &original);
    import(&wh, &options(&file, Format::Ga4));
    let before = fingerprint(&wh);
    let again = import(&wh, &options(&file, Format::Ga4));
    assert_eq!(again.land.stats.unchanged, 3);
    assert_eq!(fingerprint(&wh), before);

    // Same event (same identifying fields), another city: the same record.
    write(dir.path(), "events.jsonl", &original.replace("\"Leeds\"", "\"York\""));
    let edited = import(&wh, &options(&file, Format::Ga4));
    assert_eq!((edited.land.stats.inserted, edited.land.stats.updated), (0, 1));
    assert_eq!(scalar(&wh, "SELECT count(*) FROM landing_records"), 3);
    assert_eq!(strings(&wh, "SELECT value_json FROM traits WHERE key = 'city'"), ["\"York\""]);
}

#[test]
fn a_row_without_its_identifying_fields_is_reported_by_line() {
    let (dir, wh) = warehouse();
    let file = write(
        dir.path(),
        "events.jsonl",
        concat!(
            r#"{"event_name":"page_view","user_pseudo_id":"1.2"}"#,
            "\n",
            r#"{"event_name":"page_view","event_timestamp":"1772359200000000","user_pseudo_id":"1.2"}"#,
            "\n",
            r#"{"event_name":"purchase","event_timestamp":"1772359300000000","user_pseudo_id":"1.2","ecommerce":{"purchase_revenue":"12,50"}}"#,
            "\n",
        ),
    );
    let report = import(&wh, &options(&file, Format::Ga4));
    let problems: Vec<String> = report.land.problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        problems,
        [format!("{} line 1: event_timestamp is missing: a GA4 export row always has one", file.display())]
    );
    assert_eq!((report.land.stats.inserted, report.unify.unified, report.quarantined), (2, 1, 1));
    assert_eq!(
        strings(&wh, "SELECT reason FROM quarantine"),
        ["file-events/events: ecommerce.purchase_revenue \"12,50\" is not a decimal amount"]
    );
}
