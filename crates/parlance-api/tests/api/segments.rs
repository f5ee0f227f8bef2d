//! The Segments view through the API, on the demo company: the list's
//! counts and value agree with evaluation and the warehouse; sizes,
//! overlap, members pages, CSV export; a set of profiles saved as a segment.

use std::collections::BTreeSet;
use std::sync::atomic::AtomicBool;

use parlance_api::{DemoOptionsDto, ErrorCode, Parlance};
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

/// `(sum, members with a value)` of the members' values, read directly.
fn value_of(parlance: &Parlance, members: &[i64]) -> (f64, u64) {
    let conn = rusqlite_reader(parlance);
    let mut stmt = conn.prepare("SELECT value FROM profile_value WHERE profile_id = ?1").unwrap();
    let (mut sum, mut n) = (0.0, 0);
    for p in members {
        if let Ok(v) = stmt.query_row([p], |r| r.get::<_, f64>(0)) {
            sum += v;
            n += 1;
        }
    }
    (sum, n)
}

fn rusqlite_reader(parlance: &Parlance) -> parlance_warehouse::Reader {
    parlance_warehouse::Warehouse::open_existing(parlance.warehouse_path()).unwrap().reader().unwrap()
}

#[test]
fn the_list_agrees_with_evaluation_and_the_warehouse() {
    let (_dir, parlance) = demo(1_500);
    let day = date!(2025 - 06 - 30);
    let list = parlance.segments_list().unwrap();
    assert!(list.len() >= 8, "{list:?}");
    for item in &list {
        let eval = parlance.segment_evaluate(&item.name, day).unwrap();
        assert_eq!(item.members, eval.members, "{}", item.name);
        // Never -0.0, which shows as "-£0.00".
        assert!(item.total_value.is_sign_positive(), "{item:?}");
        // One refresh so far: everyone entered at it.
        assert_eq!(item.change, item.members as i64, "{}", item.name);
        let (sum, valued) = value_of(&parlance, &eval.profiles);
        assert!(
            (item.total_value - sum).abs() < 1e-6 * sum.abs().max(1.0),
            "{}: {item:?} vs {sum}",
            item.name
        );
        match item.mean_value {
            Some(mean) => assert!((mean - sum / valued as f64).abs() < 1e-6 * mean.abs().max(1.0)),
            None => assert_eq!(valued, 0),
        }
        let value = parlance.segment_value(&item.name).unwrap();
        assert_eq!(value.members, item.members);
        assert_eq!(value.tiers.iter().map(|t| t.members).sum::<u64>(), item.members);
        let tier_total: f64 = value.tiers.iter().map(|t| t.total_value).sum();
        assert!((tier_total - item.total_value).abs() < 1e-6 * tier_total.abs().max(1.0));
    }
    let titled = list.iter().filter(|s| s.title.is_some() && s.owner.is_some()).count();
    assert!(titled > 0, "the starter segments have titles and owners: {list:?}");
    // A second refresh with nothing changed records no change.
    parlance.refresh_vocabulary(day, Timestamp::parse("2025-07-02T08:00:00Z").unwrap()).unwrap();
    let again = parlance.segments_list().unwrap();
    assert_eq!(
        again.iter().map(|s| s.members).collect::<Vec<_>>(),
        list.iter().map(|s| s.members).collect::<Vec<_>>()
    );
}

#[test]
fn sizes_overlap_members_and_export() {
    let (dir, parlance) = demo(1_500);
    let day = date!(2025 - 06 - 30);
    let list = parlance.segments_list().unwrap();
    let name = &list.iter().max_by_key(|s| s.members).unwrap().name;
    let eval = parlance.segment_evaluate(name, day).unwrap();
    // Sizes: one point, at the demo's refresh, with every member.
    let sizes = parlance.segment_sizes(name).unwrap();
    assert_eq!(sizes.last().map(|p| p.members), Some(eval.members), "{sizes:?}");
    // Overlap: symmetric (one row per pair), the diagonal is the size.
    let overlap = parlance.segment_overlap().unwrap();
    for s in &list {
        let diagonal = overlap.iter().find(|o| o.a == s.name && o.b == s.name).unwrap();
        assert_eq!(diagonal.both, s.members, "{}", s.name);
        for t in &list {
            let both: Vec<_> = overlap
                .iter()
                .filter(|o| (o.a == s.name && o.b == t.name) || (o.a == t.name && o.b == s.name))
                .collect();
            assert_eq!(both.len(), 1, "{} × {}", s.name, t.name);
            assert!(both[0].both <= s.members.min(t.members));
        }
    }
    // Members: pages cover every member once, by id.
    let mut seen = Vec::new();
    let mut offset = 0;
    loop {
        let page = parlance.segment_members(name, "", offset, 100).unwrap();
        assert_eq!(page.total, eval.members);
        if page.members.is_empty() {
            break;
        }
        offset += page.members.len() as u64;
        seen.extend(page.members.iter().map(|m| m.profile_id));
    }
    assert_eq!(seen, eval.profiles);
    // Search by a whole id, and by part of an email (case-insensitive).
    let first = parlance.segment_members(name, "", 0, 5).unwrap().members.remove(0);
    let by_id = parlance.segment_members(name, &first.profile_id.to_string(), 0, 50).unwrap();
    assert!(by_id.members.iter().any(|m| m.profile_id == first.profile_id));
    let with_email =
        parlance.segment_members(name, "", 0, 500).unwrap().members.into_iter().find(|m| m.email.is_some());
    if let Some(m) = with_email {
        let email = m.email.unwrap();
        let part = email.split('@').next().unwrap().to_uppercase();
        let found = parlance.segment_members(name, &part, 0, 500).unwrap();
        assert!(found.members.iter().any(|x| x.profile_id == m.profile_id), "{part}: {found:?}");
        assert!(found.members.iter().all(|x| {
            let hay =
                format!("{} {}", x.name.clone().unwrap_or_default(), x.email.clone().unwrap_or_default());
            hay.to_lowercase().contains(&part.to_lowercase()) || x.profile_id.to_string() == part
        }));
    }
    // LIKE wildcards are literal.
    assert_eq!(parlance.segment_members(name, "%", 0, 10).unwrap().total, 0);
    // CSV export: a header and one row per member.
    let path = dir.path().join("members.csv");
    let export = parlance.segment_export_csv(name, &path, day).unwrap();
    assert_eq!(export.rows, eval.members);
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text.lines().count() as u64, eval.members + 1);
    // Into a folder: named after the segment and date, never overwriting.
    let downloads = dir.path().join("Downloads");
    let a = parlance.segment_export_csv_in(name, &downloads, day).unwrap();
    let b = parlance.segment_export_csv_in(name, &downloads, day).unwrap();
    assert_eq!(a.path, downloads.join(format!("{name}-2025-06-30.csv")).display().to_string());
    assert_eq!(b.path, downloads.join(format!("{name}-2025-06-30-2.csv")).display().to_string());
    assert_eq!(std::fs::read_to_string(&a.path).unwrap(), std::fs::read_to_string(&b.path).unwrap());
    assert_eq!(b.rows, eval.members);
    // Unknown segment: not found, named.
    let e = parlance.segment_members("no_such", "", 0, 10).unwrap_err();
    assert_eq!(e.code, ErrorCode::NotFound);
}

#[test]
fn charts_draw_sizes_and_overlap() {
    let (_dir, parlance) = demo(800);
    let list = parlance.segments_list().unwrap();
    let names: Vec<String> = list.iter().take(2).map(|s| s.name.clone()).collect();
    for theme in ["light", "dark"] {
        let sizes = parlance.segment_sizes_svg(&names, theme, 640, 320).unwrap();
        assert!(sizes.starts_with("<svg") || sizes.contains("<svg"), "{}", &sizes[..sizes.len().min(200)]);
        assert!(sizes.contains(&names[0]), "the legend names the segment");
        let overlap = parlance.segment_overlap_svg(theme, 640, 480).unwrap();
        assert!(overlap.contains("<svg"));
    }
    assert_eq!(
        parlance.segment_sizes_svg(&names, "sepia", 640, 320).unwrap_err().code,
        ErrorCode::InvalidInput
    );
    // Same warehouse, same bytes.
    assert_eq!(
        parlance.segment_overlap_svg("light", 640, 480).unwrap(),
        parlance.segment_overlap_svg("light", 640, 480).unwrap()
    );
}

#[test]
fn profiles_saved_as_a_segment() {
    let (dir, parlance) = demo(800);
    let day = date!(2025 - 06 - 30);
    let folder = dir.path().join("vocabulary");
    let some = parlance.segment_evaluate("promoters", day).unwrap().profiles;
    let mut ids: Vec<i64> = some.iter().take(7).copied().collect();
    ids.push(ids[0]); // a duplicate
    ids.push(999_999_999); // not a profile
    let saved = parlance
        .save_profiles_as_segment(
            &folder,
            "drill_1",
            "Drill \"one\"",
            "From a drill-down",
            &ids,
            "tester",
            now(),
            day,
        )
        .unwrap();
    assert_eq!(saved.missing, vec![999_999_999]);
    let expected: BTreeSet<i64> = some.iter().take(7).copied().collect();
    assert_eq!(saved.members, expected.len() as u64);
    let members = parlance.segment_evaluate("drill_1", day).unwrap();
    assert_eq!(members.profiles.iter().copied().collect::<BTreeSet<_>>(), expected);
    assert_eq!(saved.definition.summary.title.as_deref(), Some("Drill \"one\""));
    assert_eq!(saved.definition.author, "tester");
    assert!(saved.definition.text.contains("profile.id in ["), "{}", saved.definition.text);
    assert!(std::path::Path::new(&saved.file).exists());
    // The starter vocabulary is still published beside it.
    let list = parlance.segments_list().unwrap();
    assert!(list.iter().any(|s| s.name == "promoters") && list.iter().any(|s| s.name == "drill_1"));
    // An existing name is refused, the folder unchanged.
    for taken in ["drill_1", "promoters"] {
        let e = parlance.save_profiles_as_segment(&folder, taken, "", "", &ids, "t", now(), day).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidInput);
        assert!(e.message.contains("already exists"), "{}", e.message);
    }
    // A name that is not an identifier is refused with the rule.
    for bad in ["two words", "1st", "drill-2", "", "x;DROP"] {
        let e = parlance.save_profiles_as_segment(&folder, bad, "", "", &ids, "t", now(), day).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidInput, "{bad}");
        assert!(e.message.contains("letter or _"), "{}", e.message);
        assert!(!folder.join(format!("{bad}.parlance")).exists());
    }
    // No live profile: refused.
    let e = parlance.save_profiles_as_segment(&folder, "empty", "", "", &[-5], "t", now(), day).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidInput);
    assert!(!folder.join("empty.parlance").exists());
}
