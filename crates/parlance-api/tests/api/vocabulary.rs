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
