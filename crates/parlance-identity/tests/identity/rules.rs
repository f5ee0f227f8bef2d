use parlance_identity::{IdKind, Rules};

use crate::{anon, cluster, customer, email, in_memory, in_warehouse, phone};

fn both(records: &[Vec<parlance_identity::RawIdentifier>]) -> crate::Clusters {
    let rules = Rules::default();
    let memory = in_memory(&rules, records).0;
    assert_eq!(in_warehouse(&rules, records), memory, "SQL and memory stores agree");
    memory
}

#[test]
fn records_sharing_an_email_merge_whatever_its_case() {
    let clusters = both(&[
        vec![customer("shop", "1"), email("Anna@Mail.demo")],
        vec![customer("support", "77"), email("anna@mail.demo "), phone("07700 900123")],
    ]);
    assert_eq!(clusters.len(), 1);
    let only = clusters.into_iter().next().unwrap();
    assert_eq!(only.len(), 4);
}

#[test]
fn a_second_customer_id_of_the_same_source_does_not_merge() {
    // A household: two shop accounts share one inbox.
    let clusters = both(&[
        vec![customer("shop", "1"), email("family@mail.demo")],
        vec![customer("shop", "2"), email("family@mail.demo")],
    ]);
    assert_eq!(clusters.len(), 2, "{clusters:?}");
    assert!(clusters.contains(&cluster(&[(IdKind::CustomerId("shop".into()), "2")])));
}

#[test]
fn customer_ids_of_different_sources_may_share_a_profile() {
    let clusters = both(&[
        vec![customer("shop", "1"), email("a@mail.demo")],
        vec![customer("support", "1"), email("a@mail.demo")],
    ]);
    assert_eq!(clusters.len(), 1);
}

#[test]
fn blocked_values_never_link_records() {
    let rules = Rules::default();
    let records = vec![
        vec![customer("shop", "1"), email("test@example.com")],
        vec![customer("shop", "2"), email("TEST@example.com")],
        vec![customer("shop", "3"), email("null")],
        vec![customer("shop", "4"), email("null")],
    ];
    let (clusters, outcomes) = in_memory(&rules, &records);
    assert_eq!(clusters.len(), 4);
    let rejected = &outcomes[0].as_ref().unwrap().rejected;
    assert!(rejected[0].to_string().contains("test domain example.com"), "{rejected:?}");
    assert_eq!(in_warehouse(&rules, &records), clusters);
}

#[test]
fn a_record_with_only_blocked_identifiers_is_an_error_naming_them() {
    let (_, outcomes) = in_memory(&Rules::default(), &[vec![email("null"), anon("anonymous")]]);
    assert!(outcomes[0].is_none());
    let mut store = parlance_identity::MemoryStore::default();
    let err = parlance_identity::resolve(
        &mut store,
        &Rules::default(),
        &[email("null")],
        &parlance_identity::Evidence { source: "s", landing_id: None, at: "2026-01-01T00:00:00Z" },
    )
    .unwrap_err();
    assert!(err.to_string().contains("no usable identifier: email \"null\" is blocked"), "{err}");
}

#[test]
fn an_anonymous_visitor_who_identifies_joins_the_person() {
    let rules = Rules::default();
    let records = vec![
        vec![anon("cookie-1")],
        vec![anon("cookie-1")],
        vec![customer("shop", "9"), email("b@mail.demo")],
        // The identify call: the cookie and the user id together.
        vec![anon("cookie-1"), customer("web", "9"), email("b@mail.demo")],
    ];
    let (clusters, outcomes) = in_memory(&rules, &records);
    assert_eq!(clusters.len(), 1, "{clusters:?}");
    let last = outcomes[3].as_ref().unwrap();
    assert_eq!(last.merges, 1);
    assert_eq!(last.profile, outcomes[2].as_ref().unwrap().profile, "the person profile is kept");
    assert_eq!(in_warehouse(&rules, &records), clusters);
}

#[test]
fn anonymous_history_moves_to_the_person_in_the_warehouse() {
    use parlance_identity::{Evidence, SqlStore, resolve};
    use parlance_warehouse::{LandingRecord, SourceSpec, Timestamp, Warehouse, ensure_source, land_records};
    let dir = tempfile::tempdir().unwrap();
    let wh = Warehouse::open(&dir.path().join("w.parlance")).unwrap();
    let now = Timestamp::from_unix(1_790_000_000).unwrap();
    let ev = Evidence { source: "web", landing_id: Some(1), at: "2026-01-01T00:00:00Z" };
    wh.write(|tx| {
        ensure_source(tx, &SourceSpec { name: "web", kind: "test", config_json: "{}" }, now)?;
        land_records(tx, "web", now, &[LandingRecord { stream: "pages", source_id: "1", source_updated_at: None, payload_json: "{}" }])?;
        let mut store = SqlStore::new(tx);
        let visitor = resolve(&mut store, &Rules::default(), &[anon("c1")], &ev).unwrap().profile;
        tx.execute(
            "INSERT INTO events(profile_id, occurred_at, channel, name, landing_id) VALUES (?1, '2026-01-01T00:00:00Z', 'web', 'page_view', 1)",
            [visitor],
        )
        .unwrap();
        let person = resolve(&mut store, &Rules::default(), &[email("c@mail.demo")], &ev).unwrap().profile;
        let joined = resolve(&mut store, &Rules::default(), &[anon("c1"), email("c@mail.demo")], &ev).unwrap();
        assert_eq!(joined.profile, person);
        let owner: i64 = tx.query_row("SELECT profile_id FROM events", [], |r| r.get(0)).unwrap();
        assert_eq!(owner, person, "the visitor's page view is now the person's");
        let merged_into: i64 = tx.query_row("SELECT merged_into FROM profiles WHERE id = ?1", [visitor], |r| r.get(0)).unwrap();
        assert_eq!(merged_into, person);
        let evidence: String = tx.query_row("SELECT evidence_json FROM merges", [], |r| r.get(0)).unwrap();
        assert!(evidence.contains("anonymous visitor identified") && evidence.contains("c1"), "{evidence}");
        Ok(())
    })
    .unwrap();
}

#[test]
fn resolving_the_same_records_again_changes_nothing() {
    let records = vec![
        vec![customer("shop", "1"), email("a@mail.demo"), anon("x")],
        vec![anon("y"), email("a@mail.demo")],
        vec![customer("shop", "2"), phone("+447700900001")],
    ];
    let mut twice = records.clone();
    twice.extend(records.clone());
    assert_eq!(both(&records), both(&twice));
}

#[test]
fn a_keep_apart_rule_stops_a_merge() {
    let mut store = parlance_identity::MemoryStore::default();
    store.keep_apart(
        parlance_identity::Identifier { kind: IdKind::CustomerId("shop".into()), value: "1".into() },
        parlance_identity::Identifier { kind: IdKind::Phone, value: "+447700900001".into() },
    );
    let ev = parlance_identity::Evidence { source: "s", landing_id: None, at: "2026-01-01T00:00:00Z" };
    let rules = Rules::default();
    parlance_identity::resolve(&mut store, &rules, &[customer("shop", "1"), email("p@mail.demo")], &ev)
        .unwrap();
    parlance_identity::resolve(&mut store, &rules, &[phone("07700 900001")], &ev).unwrap();
    let linking =
        parlance_identity::resolve(&mut store, &rules, &[email("p@mail.demo"), phone("07700 900001")], &ev)
            .unwrap();
    assert_eq!(linking.merges, 0);
    assert_eq!(store.clusters().len(), 2);
}
