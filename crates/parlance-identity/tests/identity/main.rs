//! Identity resolution, on the in-memory store and on a real warehouse file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod properties;
mod rules;

use std::collections::BTreeSet;

use parlance_identity::{
    Evidence, IdKind, Identifier, MemoryStore, RawIdentifier, Resolution, Rules, SqlStore, resolve,
};
use parlance_warehouse::{SourceSpec, Timestamp, Warehouse, ensure_source};

pub fn email(v: &str) -> RawIdentifier {
    RawIdentifier::new(IdKind::Email, v)
}
pub fn anon(v: &str) -> RawIdentifier {
    RawIdentifier::new(IdKind::AnonymousId, v)
}
pub fn customer(source: &str, v: &str) -> RawIdentifier {
    RawIdentifier::new(IdKind::CustomerId(source.into()), v)
}
pub fn phone(v: &str) -> RawIdentifier {
    RawIdentifier::new(IdKind::Phone, v)
}

pub type Clusters = BTreeSet<BTreeSet<Identifier>>;

/// Resolves `records` in order on a fresh in-memory store.
pub fn in_memory(rules: &Rules, records: &[Vec<RawIdentifier>]) -> (Clusters, Vec<Option<Resolution>>) {
    let mut store = MemoryStore::default();
    let outcomes = records
        .iter()
        .map(|ids| {
            resolve(
                &mut store,
                rules,
                ids,
                &Evidence { source: "test", landing_id: None, at: "2026-01-01T00:00:00Z" },
            )
            .ok()
        })
        .collect();
    (store.clusters(), outcomes)
}

/// Resolves `records` in order inside a real warehouse; returns its clusters.
pub fn in_warehouse(rules: &Rules, records: &[Vec<RawIdentifier>]) -> Clusters {
    let dir = tempfile::tempdir().unwrap();
    let wh = Warehouse::open(&dir.path().join("w.parlance")).unwrap();
    let now = Timestamp::from_unix(1_790_000_000).unwrap();
    wh.write(|tx| ensure_source(tx, &SourceSpec { name: "test", kind: "test", config_json: "{}" }, now))
        .unwrap();
    wh.write(|tx| {
        let mut store = SqlStore::new(tx);
        for ids in records {
            let _ = resolve(
                &mut store,
                rules,
                ids,
                &Evidence { source: "test", landing_id: None, at: "2026-01-01T00:00:00Z" },
            );
        }
        Ok(())
    })
    .unwrap();
    assert!(wh.integrity_check().unwrap().is_empty());
    let reader = wh.reader().unwrap();
    let mut stmt =
        reader.prepare("SELECT profile_id, kind, value FROM identifiers ORDER BY profile_id").unwrap();
    let rows: Vec<(i64, String, String)> =
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().map(Result::unwrap).collect();
    let mut clusters: std::collections::BTreeMap<i64, BTreeSet<Identifier>> = Default::default();
    for (p, kind, value) in rows {
        clusters.entry(p).or_default().insert(Identifier { kind: IdKind::parse(&kind).unwrap(), value });
    }
    let live: i64 = reader
        .query_row("SELECT count(*) FROM identifiers i JOIN profiles p ON p.id = i.profile_id WHERE p.merged_into IS NOT NULL", [], |r| r.get(0))
        .unwrap();
    assert_eq!(live, 0, "identifiers only point at live profiles");
    clusters.into_values().collect()
}

pub fn cluster(ids: &[(IdKind, &str)]) -> BTreeSet<Identifier> {
    ids.iter().map(|(k, v)| Identifier { kind: k.clone(), value: (*v).into() }).collect()
}
