//! Small warehouses made by hand: an in-memory description of the unified
//! layer that tests write into a real warehouse file and that the reference
//! evaluator reads directly.

use parlance_warehouse::{Timestamp, Warehouse, params};
use serde_json::{Map, Value as Json};
use tempfile::TempDir;

#[derive(Clone, Debug)]
pub struct Profile {
    pub id: i64,
    pub known: bool,
    pub merged_into: Option<i64>,
}

#[derive(Clone, Debug)]
pub struct Trait {
    pub profile: i64,
    pub key: String,
    pub value: Json,
    pub source: String,
    pub observed_at: String,
}

#[derive(Clone, Debug)]
pub struct Event {
    pub id: i64,
    pub profile: i64,
    /// RFC 3339, UTC, whole seconds.
    pub at: String,
    pub channel: String,
    pub name: String,
    pub properties: Map<String, Json>,
    pub revenue: Option<f64>,
}

#[derive(Clone, Debug)]
pub struct Order {
    pub profile: i64,
    pub at: String,
    pub amount: f64,
    pub refunded: f64,
    pub status: String,
}

#[derive(Clone, Debug)]
pub struct Contact {
    pub profile: i64,
    pub at: String,
}

#[derive(Clone, Debug)]
pub struct Value {
    pub profile: i64,
    pub value: f64,
    pub tier: Option<String>,
    pub decile: Option<i64>,
    pub components: Json,
}

#[derive(Clone, Debug, Default)]
pub struct World {
    pub profiles: Vec<Profile>,
    pub traits: Vec<Trait>,
    pub events: Vec<Event>,
    pub orders: Vec<Order>,
    pub contacts: Vec<Contact>,
    pub values: Vec<Value>,
}

pub fn temp_warehouse() -> (TempDir, Warehouse) {
    let dir = tempfile::tempdir().unwrap();
    let warehouse = Warehouse::open(&dir.path().join("w.parlance")).unwrap();
    (dir, warehouse)
}

#[allow(dead_code)]
pub fn now() -> Timestamp {
    Timestamp::parse("2025-06-30T12:00:00Z").unwrap()
}

impl World {
    /// Writes every row (with one landing record for the foreign keys).
    pub fn write(&self, warehouse: &Warehouse) {
        warehouse
            .write(|tx| {
                let w = |e| parlance_warehouse::WarehouseError::Sqlite { context: "test".into(), source: e };
                tx.execute(
                    "INSERT OR IGNORE INTO sources(name, kind, created_at) VALUES ('test', 'test', '2025-01-01T00:00:00Z')",
                    [],
                )
                .map_err(w)?;
                tx.execute(
                    "INSERT OR IGNORE INTO landing_records(id, source, stream, source_id, payload_json, content_hash, fetched_at)
                     VALUES (1, 'test', 'rows', '1', '{}', x'00', '2025-01-01T00:00:00Z')",
                    [],
                )
                .map_err(w)?;
                for p in &self.profiles {
                    tx.execute(
                        "INSERT INTO profiles(id, kind, merged_into, created_at, updated_at) VALUES (?1, ?2, NULL, '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z')",
                        params![p.id, if p.known { "person" } else { "anonymous" }],
                    )
                    .map_err(w)?;
                }
                for p in &self.profiles {
                    if let Some(m) = p.merged_into {
                        tx.execute("UPDATE profiles SET merged_into = ?2 WHERE id = ?1", params![p.id, m]).map_err(w)?;
                    }
                }
                for t in &self.traits {
                    tx.execute(
                        "INSERT INTO traits(profile_id, key, value_json, source, observed_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                        params![t.profile, t.key, t.value.to_string(), t.source, t.observed_at],
                    )
                    .map_err(w)?;
                }
                for (seq, e) in self.events.iter().enumerate() {
                    tx.execute(
                        "INSERT INTO events(id, profile_id, occurred_at, channel, name, properties_json, revenue, landing_id, seq)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1, ?8)",
                        params![
                            e.id,
                            e.profile,
                            e.at,
                            e.channel,
                            e.name,
                            Json::Object(e.properties.clone()).to_string(),
                            e.revenue,
                            seq as i64
                        ],
                    )
                    .map_err(w)?;
                }
                for (i, o) in self.orders.iter().enumerate() {
                    tx.execute(
                        "INSERT INTO orders(profile_id, source, source_order_id, ordered_at, amount, currency, status, refunded_amount, landing_id)
                         VALUES (?1, 'test', ?2, ?3, ?4, 'GBP', ?5, ?6, 1)",
                        params![o.profile, i.to_string(), o.at, o.amount, o.status, o.refunded],
                    )
                    .map_err(w)?;
                }
                for (i, c) in self.contacts.iter().enumerate() {
                    tx.execute(
                        "INSERT INTO support_contacts(profile_id, source, source_contact_id, contacted_at, channel, landing_id)
                         VALUES (?1, 'test', ?2, ?3, 'phone', 1)",
                        params![c.profile, i.to_string(), c.at],
                    )
                    .map_err(w)?;
                }
                for v in &self.values {
                    tx.execute(
                        "INSERT INTO profile_value(profile_id, value, components_json, tier, decile, model_version, computed_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, 'test', '2025-01-01T00:00:00Z')",
                        params![v.profile, v.value, v.components.to_string(), v.tier, v.decile],
                    )
                    .map_err(w)?;
                }
                Ok(())
            })
            .unwrap();
    }
}
