//! The customer 360, customer search and the identity actions, through the API.

use std::sync::atomic::AtomicBool;

use parlance_api::{DemoOptionsDto, ErrorCode, Parlance};
use parlance_warehouse::Timestamp;
use time::macros::date;

fn now() -> Timestamp {
    Timestamp::from_unix(1_790_000_000).unwrap()
}

fn demo(people: u32) -> (tempfile::TempDir, Parlance) {
    let dir = tempfile::tempdir().unwrap();
    let parlance = Parlance::open(&dir.path().join("w.parlance")).unwrap();
    let options =
        DemoOptionsDto { people: Some(people), as_of: Some("2026-10-31".into()), ..Default::default() };
    parlance
        .generate_demo(&options, date!(2026 - 11 - 22), now(), &mut |_| {}, &AtomicBool::new(false))
        .unwrap();
    (dir, parlance)
}

/// A profile holding an email and a phone, with both.
fn person_with_email_and_phone(parlance: &Parlance) -> (i64, String, String) {
    let reader = rusqlite_reader(parlance);
    reader
        .query_row(
            "SELECT e.profile_id, e.value, p.value FROM identifiers e JOIN identifiers p
               ON p.profile_id = e.profile_id AND p.kind = 'phone'
              WHERE e.kind = 'email' ORDER BY e.profile_id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap()
}

fn rusqlite_reader(parlance: &Parlance) -> parlance_warehouse::Reader {
    parlance_warehouse::Warehouse::open(parlance.warehouse_path()).unwrap().reader().unwrap()
}

#[test]
fn a_customer_is_found_by_id_by_email_in_any_case_and_by_phone_in_any_format() {
    let (_dir, parlance) = demo(300);
    let (id, email, phone) = person_with_email_and_phone(&parlance);
    assert!(phone.starts_with("+44"), "{phone}");
    let national = format!("0{} {}", &phone[3..7], &phone[7..]);
    let shouted = email.to_uppercase();
    let by_id = parlance.customer(&id.to_string(), 5).unwrap();
    let by_email = parlance.customer(&format!("  {shouted} "), 5).unwrap();
    let by_phone = parlance.customer(&national, 5).unwrap();
    let by_kind = parlance.customer(&format!("phone:{national}"), 5).unwrap();
    for c in [&by_email, &by_phone, &by_kind] {
        assert_eq!(c.summary.id, id, "{}", c.matched);
    }
    assert_eq!(by_id.matched, format!("profile {id}"));
    assert_eq!(by_email.matched, format!("email {email}"));
    assert_eq!(by_phone.matched, format!("phone {phone}"));

    let c = by_id;
    assert_eq!(c.summary.kind, "person");
    assert!(c.summary.emails.contains(&email) && c.summary.phones.contains(&phone));
    assert!(c.identifiers.iter().all(|i| !i.source.is_empty() && !i.first_seen.is_empty()));
    assert!(c.identifiers.iter().any(|i| i.family == "customer_id" && i.record.is_some()));
    assert!(c.timeline.len() <= 5 && c.timeline_total >= c.timeline.len() as u64);
    assert!(c.timeline.windows(2).all(|w| w[0].at >= w[1].at), "newest first");
    if let Some(v) = &c.value {
        assert!(!v.model_version.is_empty() && !v.components_json.is_empty());
    }
    let page = parlance.customer_timeline(id, 1_000, 0).unwrap();
    assert_eq!(page.entries.len() as u64, page.total);
    assert_eq!(page.total, c.timeline_total);
}

#[test]
fn the_360_shows_attitudinal_answers_orders_and_support_contacts() {
    let (_dir, parlance) = demo(600);
    let reader = rusqlite_reader(&parlance);
    let id: i64 = reader
        .query_row(
            "SELECT t.profile_id FROM traits t WHERE t.key = 'survey.nps'
               AND EXISTS (SELECT 1 FROM orders o WHERE o.profile_id = t.profile_id)
             ORDER BY t.profile_id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let c = parlance.customer(&id.to_string(), 10_000).unwrap();
    let nps = c.traits.iter().find(|t| t.key == "survey.nps").unwrap();
    assert!(nps.attitudinal && nps.text.parse::<u8>().is_ok(), "{nps:?}");
    assert!(c.timeline.iter().any(|e| e.order.is_some() && e.channel == "shop"));
    assert!(c.timeline.iter().any(|e| e.name == "survey.response"));
    let channels: std::collections::BTreeSet<&str> = c.timeline.iter().map(|e| e.channel.as_str()).collect();
    assert!(channels.len() >= 2, "cross-channel: {channels:?}");
}

#[test]
fn unknown_customers_are_not_found_with_what_was_searched() {
    let (_dir, parlance) = demo(300);
    let err = parlance.customer("Nobody@Nowhere.demo", 5).unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound);
    assert!(
        err.message.contains("Nobody@Nowhere.demo") && err.message.contains("email nobody@nowhere.demo"),
        "{}",
        err.message
    );
    let err = parlance.customer("987654321", 5).unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound);
    assert!(err.message.contains("profile id 987654321"), "{}", err.message);
    let err = parlance.customer("   ", 5).unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput);
    let err = parlance.customer("email:null", 5).unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound);
    assert!(err.message.contains("blocked"), "{}", err.message);
    let err = parlance.explain_profile("nobody@nowhere.demo").unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound);
    let err = parlance.customer_timeline(987_654_321, 5, 0).unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound);
}

#[test]
fn search_finds_profiles_by_identifier_prefix() {
    let (_dir, parlance) = demo(300);
    let (id, email, phone) = person_with_email_and_phone(&parlance);
    let prefix: String = email.chars().take(email.find('@').unwrap()).collect();
    let hits = parlance.search_customers(&prefix.to_uppercase(), 50).unwrap();
    assert!(
        hits.iter().any(|h| h.profile.id == id && h.matched.iter().any(|m| m.value == email)),
        "{hits:?}"
    );
    let national_start = format!("0{}", &phone[3..8]);
    let hits = parlance.search_customers(&national_start, 500).unwrap();
    assert!(hits.iter().any(|h| h.profile.id == id), "{national_start}: {hits:?}");
    assert!(parlance.search_customers("zzz-no-such-prefix", 10).unwrap().is_empty());
}

#[test]
fn explain_unmerge_rebuild_and_suspicious_through_the_api() {
    let (_dir, parlance) = demo(400);
    // Rebuilt first: a rebuild re-derives the merge history (merged-away profiles get new ids).
    let before = parlance.rebuild_identity(now(), &AtomicBool::new(false), &mut |_| {}).unwrap();
    let reader = rusqlite_reader(&parlance);
    let (id, merged): (i64, i64) = reader
        .query_row(
            "SELECT m.kept_profile, m.merged_profile FROM merges m JOIN profiles p ON p.id = m.kept_profile
              WHERE p.merged_into IS NULL ORDER BY m.id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let e = parlance.explain_profile(&id.to_string()).unwrap();
    assert!(!e.merges.is_empty());
    let m = &e.merges[0];
    assert!(
        m.identifier.is_some() && m.linking_record.is_some() && !m.rule.is_empty() && !m.merged_at.is_empty()
    );

    // Unmerging the merged-away id undoes the merge that absorbed it.
    let u = parlance.unmerge_profile(merged, &[], None, now()).unwrap();
    assert_eq!(u.profile, id);
    assert!(!u.moved.is_empty() && !u.split_off.is_empty() && u.rules_added > 0, "{u:?}");
    let after = parlance.rebuild_identity(now(), &AtomicBool::new(false), &mut |_| {}).unwrap();
    assert_eq!(after.profiles, before.profiles + 1, "the split stays split through a rebuild");
    assert!(after.keep_apart_rules >= u.rules_added);
    let e = parlance.explain_profile(&id.to_string()).unwrap();
    assert!(!e.keep_apart.is_empty());

    let err = parlance.unmerge_profile(id, &["shoe:42".into()], None, now()).unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput);
    assert!(err.message.contains("shoe:42"), "{}", err.message);
    let err = parlance.unmerge_profile(987_654_321, &[], None, now()).unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound);

    let report = parlance.suspicious_clusters().unwrap();
    assert!(report.profiles > 0 && report.shared_total > 0, "{report:?}");
    assert_eq!(report.thresholds.per_family[0].family, "email");
}
