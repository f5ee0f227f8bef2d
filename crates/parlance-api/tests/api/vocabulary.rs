//! The vocabulary and segments through the API, on the demo company: the
//! starter vocabulary checks cleanly and every segment has sensible members;
//! explain agrees with evaluation; publishing from a folder; CSV export.

use std::sync::atomic::AtomicBool;

use parlance_api::{DemoOptionsDto, Parlance};
use parlance_warehouse::Timestamp;
use time::macros::date;

fn now() -> Timestamp {
    Timestamp::parse("2025-07-01T08:00:00Z").unwrap()
}

fn demo(people: u32) -> (tempfile::TempDir, Parlance) {
    let dir = tempfile::tempdir().unwrap();
    let parlance = Parlance::open(&dir.path().join("w.parlance")).unwrap();
    let options =
        DemoOptionsDto { people: Some(people), as_of: Some("2025-06-30".into()), ..Default::default() };
    parlance
        .generate_demo(&options, date!(2025 - 07 - 01), now(), &mut |_| {}, &AtomicBool::new(false))
        .unwrap();
    (dir, parlance)
}

#[test]
fn the_starter_vocabulary_on_the_demo_company() {
    let (dir, parlance) = demo(3_000);
    // The demo published the starter vocabulary and refreshed memberships.
    let list = parlance.vocabulary_list().unwrap();
    let segments: Vec<_> = list.iter().filter(|d| d.kind == "segment").collect();
    assert!(segments.len() >= 8, "{list:?}");
    for s in &segments {
        let members = s.members.unwrap();
        assert!(members > 0, "segment {} has no members on the demo", s.name);
        assert!(members < 3_000, "segment {} has everyone", s.name);
    }
    for kind in ["score", "stages", "value", "touchpoints"] {
        assert!(list.iter().any(|d| d.kind == kind), "no {kind}");
    }
    // The files check cleanly against the demo's catalog.
    let folder = dir.path().join("vocabulary");
    let sync =
        parlance.vocabulary_sync(&folder, "test", "from the folder", date!(2025 - 06 - 30), now()).unwrap();
    assert!(sync.diagnostics.is_empty(), "{:?}", sync.diagnostics);
    assert!(sync.created.is_empty() && sync.updated.is_empty(), "{sync:?}");
    let check = parlance.vocabulary_check(&folder).unwrap();
    assert_eq!((check.errors, check.warnings), (0, 0), "{:?}", check.diagnostics);
    // Sensible: promoters answered 9 or 10, detractors 6 or less; no one is both.
    let promoters = parlance.segment_evaluate("promoters", date!(2025 - 06 - 30)).unwrap();
    let detractors = parlance.segment_evaluate("detractors", date!(2025 - 06 - 30)).unwrap();
    assert!(promoters.profiles.iter().all(|p| !detractors.profiles.contains(p)));
    let overlap = parlance.segment_overlap().unwrap();
    let pd = overlap
        .iter()
        .find(|o| (o.a == "detractors" && o.b == "promoters") || (o.a == "promoters" && o.b == "detractors"));
    assert_eq!(pd.map(|o| o.both), Some(0));
    let unhappy = parlance.segment_evaluate("unhappy_regulars", date!(2025 - 06 - 30)).unwrap();
    assert!(unhappy.profiles.iter().all(|p| detractors.profiles.contains(p)), "a reference narrows");
    // Every live profile is in exactly one stage; the engagement score covers everyone.
    let refresh = parlance.refresh_vocabulary(date!(2025 - 06 - 30), now()).unwrap();
    assert!(refresh.failures.is_empty(), "{:?}", refresh.failures);
    let staged: u64 = refresh.stages.iter().map(|s| s.count).sum();
    let scored = refresh.scores.iter().find(|s| s.name == "engagement").unwrap().count;
    assert_eq!(staged, scored);
    assert_eq!(refresh.stages.len(), 5, "{:?}", refresh.stages);
}

#[test]
fn explain_agrees_with_evaluation_and_export_writes_members() {
    let (dir, parlance) = demo(1_500);
    let day = date!(2025 - 06 - 30);
    let lapsed = parlance.segment_evaluate("lapsed_vips", day).unwrap();
    let engaged = parlance.segment_evaluate("engaged_non_buyers", day).unwrap();
    for p in lapsed.profiles.iter().chain(engaged.profiles.iter().take(5)).take(8) {
        for name in ["lapsed_vips", "engaged_non_buyers", "cart_abandoners", "promoters_at_risk"] {
            let members = parlance.segment_evaluate(name, day).unwrap();
            let e = parlance.segment_explain(name, *p, day).unwrap();
            assert_eq!(e.member, members.profiles.contains(p), "{name} for {p}: {e:?}");
            assert_eq!(e.clauses.iter().all(|c| c.holds), e.member || e.connective != "all");
        }
    }
    let e = parlance.segment_explain("lapsed_vips", *lapsed.profiles.first().unwrap(), day).unwrap();
    assert_eq!(e.clauses.len(), 3);
    assert_eq!(e.clauses[0].values[0].expr, "value.tier");
    assert!(parlance.segment_explain("lapsed_vips", 99_999_999, day).is_err());
    let csv = dir.path().join("promoters.csv");
    let export = parlance.segment_export_csv("promoters", &csv, day).unwrap();
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("profile_id,primary_email,value,tier,entered_at"));
    assert_eq!(lines.count() as u64, export.rows);
    assert!(text.contains("@"), "primary emails are exported");
    let sizes = parlance.segment_sizes("promoters").unwrap();
    assert_eq!(sizes.last().map(|s| s.members), Some(export.rows));
}

#[test]
fn editing_the_folder_publishes_versions_with_history_and_diff() {
    let (dir, parlance) = demo(300);
    let folder = dir.path().join("vocabulary");
    let day = date!(2025 - 06 - 30);
    parlance.vocabulary_sync(&folder, "ana", "init", day, now()).unwrap();
    let path = folder.join("segments.parlance");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("where survey.nps >= 9", "where survey.nps >= 10")).unwrap();
    let later = Timestamp::parse("2025-07-01T09:00:00Z").unwrap();
    let sync = parlance.vocabulary_sync(&folder, "ana", "only tens", day, later).unwrap();
    assert_eq!(sync.updated, vec!["segment promoters"]);
    let history = parlance.vocabulary_history(None, "promoters").unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!((history[1].author.as_str(), history[1].message.as_str()), ("ana", "only tens"));
    let diff = parlance.vocabulary_diff(None, "promoters", None, None).unwrap();
    assert!(diff.diff.contains("+  where survey.nps >= 10"), "{}", diff.diff);
    let show = parlance.vocabulary_show(None, "promoters").unwrap();
    assert!(
        show.used_by.contains(&"segment unhappy_regulars".to_owned())
            || show.used_by.contains(&"segment promoters_at_risk".to_owned())
    );
    // A broken edit keeps the last good version.
    std::fs::write(&path, "segment promoters where survey.nps >=\n").unwrap();
    let sync = parlance.vocabulary_sync(&folder, "ana", "broken", day, later).unwrap();
    assert!(sync.kept.contains(&"segment promoters".to_owned()), "{sync:?}");
    assert!(!sync.diagnostics.is_empty());
    assert_eq!(parlance.vocabulary_history(None, "promoters").unwrap().len(), 2);
}

// The Vocabulary view: completion, the live count of a draft, save.

#[test]
fn completion_lists_the_catalog_fields_events_and_definitions() {
    let (_dir, parlance) = demo(300);
    let c = parlance.vocabulary_completions().unwrap();
    let field = |p: &str| c.fields.iter().find(|f| f.path == p).map(|f| f.ty.clone());
    assert_eq!(field("survey.nps").as_deref(), Some("number"));
    assert!(field("value.tier").is_some(), "{:?}", c.fields);
    assert_eq!(field("value.total").as_deref(), Some("money"));
    assert!(c.fields.iter().any(|f| f.path.starts_with("trait.")));
    assert!(c.fields.iter().any(|f| f.path.starts_with("orders.")));
    let opened = c.events.iter().find(|e| e.name == "email.opened").expect("email.opened is an event");
    assert!(opened.properties.iter().any(|p| p.path == "at" && p.ty == "date"));
    assert!(c.segments.contains(&"promoters".to_owned()), "{:?}", c.segments);
    assert!(c.scores.contains(&"engagement".to_owned()), "{:?}", c.scores);
    assert_eq!(c.stages, ["acquisition", "conversion", "retention", "win_back", "lapsed"]);
}

#[test]
fn the_draft_count_equals_the_evaluation_once_published() {
    let (dir, parlance) = demo(600);
    let folder = dir.path().join("vocabulary");
    let day = date!(2025 - 06 - 30);
    let entries = parlance.vocabulary_entries(&folder).unwrap();
    let promoters = entries.entries.iter().find(|e| e.summary.name == "promoters").unwrap();
    assert_eq!((promoters.errors, promoters.warnings), (0, 0));
    assert_eq!(promoters.summary.version, Some(1));
    let file = promoters.summary.file.clone().unwrap();
    let text = parlance.vocabulary_file(&folder, &file).unwrap().text;
    // Unchanged, the draft counts what the published segment evaluates to.
    let draft = parlance.vocabulary_draft_count(&file, &text, Some("promoters"), day).unwrap();
    assert!(draft.diagnostics.is_empty(), "{:?}", draft.diagnostics);
    let published = parlance.segment_evaluate("promoters", day).unwrap();
    assert_eq!(draft.members, Some(published.members));
    // An edited draft counts differently, and its count is what it evaluates
    // to once saved and published.
    let edited = text.replace("where survey.nps >= 9", "where survey.nps >= 10");
    let draft = parlance.vocabulary_draft_count(&file, &edited, Some("promoters"), day).unwrap();
    let saved = parlance.vocabulary_save(&folder, &file, &edited, "ana", "only tens", day, now()).unwrap();
    assert!(saved.saved, "{:?}", saved.diagnostics);
    assert_eq!(saved.sync.unwrap().updated, vec!["segment promoters"]);
    let after = parlance.segment_evaluate("promoters", day).unwrap();
    assert_eq!(draft.members, Some(after.members));
    assert!(after.members < published.members, "nps 10 is a subset of 9 and 10");
    let history = parlance.vocabulary_history(Some("segment"), "promoters").unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!((history[1].author.as_str(), history[1].message.as_str()), ("ana", "only tens"));
    // With no segment named, the draft's first segment is counted.
    let first = parlance.vocabulary_draft_count(&file, &edited, None, day).unwrap();
    assert_eq!(first.segment.as_deref(), Some("promoters"));
}

#[test]
fn a_broken_draft_gives_diagnostics_with_spans_not_an_error() {
    let (_dir, parlance) = demo(300);
    let day = date!(2025 - 06 - 30);
    let text = "segment promoters \"Promoters\"\n  where survey.npz >= 9\n";
    let draft = parlance.vocabulary_draft_count("segments.parlance", text, None, day).unwrap();
    assert_eq!(draft.members, None);
    let d = draft.diagnostics.iter().find(|d| d.code == "unknown-field").expect("an unknown field");
    assert_eq!((d.line, d.column, d.end_line, d.end_column), (2, 9, 2, 19), "{d:?}");
    assert_eq!(d.file, "segments.parlance");
    assert!(d.suggestion.as_deref().is_some_and(|s| s.contains("survey.nps")), "{d:?}");
    // Half-typed text is a diagnostic too.
    let half = parlance.vocabulary_draft_count("x.parlance", "segment x where count(", None, day).unwrap();
    assert!(half.diagnostics.iter().any(|d| d.severity == "error"));
    assert_eq!(half.members, None);
}

#[test]
fn a_bad_save_keeps_the_file_and_the_last_good_version() {
    let (dir, parlance) = demo(300);
    let folder = dir.path().join("vocabulary");
    let day = date!(2025 - 06 - 30);
    parlance.vocabulary_entries(&folder).unwrap();
    let path = folder.join("segments.parlance");
    let before = std::fs::read_to_string(&path).unwrap();
    let broken = before.replace("where survey.nps >= 9", "where survey.npz >= 9");
    let save =
        parlance.vocabulary_save(&folder, "segments.parlance", &broken, "ana", "oops", day, now()).unwrap();
    assert!(!save.saved);
    assert!(save.sync.is_none());
    assert!(save.diagnostics.iter().any(|d| d.code == "unknown-field"), "{:?}", save.diagnostics);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), before, "nothing was written");
    assert_eq!(parlance.vocabulary_history(None, "promoters").unwrap().len(), 1);
    let show = parlance.vocabulary_show(None, "promoters").unwrap();
    assert!(show.text.contains("survey.nps >= 9"), "{}", show.text);
    // A path outside the folder is refused before anything is read or written.
    for bad in ["../x.parlance", "/tmp/x.parlance", "a/../../x.parlance", "x.txt", ""] {
        let e = parlance.vocabulary_save(&folder, bad, "segment x where is_known", "ana", "m", day, now());
        assert!(e.is_err(), "{bad:?} was accepted");
    }
}
