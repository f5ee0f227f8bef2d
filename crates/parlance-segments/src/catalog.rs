//! The field catalog of a warehouse: what its data lets a vocabulary name.
//!
//! Built from what exists, following the naming convention of
//! `parlance_vocabulary::compile::storage`:
//!
//! - fixed fields: `is_known`, `profile.id`, the features (`orders.count`, …), the value
//!   (`value.total`, `value.tier`, `value.decile`) and the numeric components
//!   found in `profile_value.components_json` (`value.KEY`);
//! - every trait key seen in `traits` (`trait.KEY`; `survey.KEY` for survey
//!   answers), typed by the JSON values seen: numbers, text, dates (text
//!   that is all `YYYY-MM-DD…`), true/false, lists;
//! - every event type seen in `events` (`CHANNEL.NAME`), with the
//!   properties of its 500 most recent events, typed the same way, plus
//!   `revenue` where events carry it.
//!
//! Names that cannot be written in the language (a key with a space) are
//! left out. Segments, scores, stages and tiers come from the vocabulary, not
//! from here: the store adds them.

use std::collections::BTreeMap;

use parlance_vocabulary::compile::storage;
use parlance_vocabulary::dates::parse_date_prefix;
use parlance_vocabulary::{Catalog, FieldType};
use rusqlite::Connection;
use serde_json::Value as Json;

use crate::error::{Context, Result};

/// Events sampled per event type to find its properties.
const PROPERTY_SAMPLE: i64 = 500;

/// Property and trait keys whose numbers are amounts of money.
const MONEY_KEYS: &[&str] = &["amount", "price", "revenue", "total", "value", "margin", "refund", "cost"];

/// The catalog of the warehouse `conn` reads.
///
/// # Errors
///
/// When a query fails.
pub fn warehouse_catalog(conn: &Connection) -> Result<Catalog> {
    let mut catalog = fixed_catalog();
    // Value components.
    let mut components: BTreeMap<String, Vec<Json>> = BTreeMap::new();
    {
        let mut stmt = conn
            .prepare("SELECT components_json FROM profile_value LIMIT 200")
            .ctx("reading value components")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0)).ctx("reading value components")?;
        for text in rows {
            let text = text.ctx("reading value components")?;
            if let Ok(Json::Object(map)) = serde_json::from_str::<Json>(&text) {
                for (k, v) in map {
                    components.entry(k).or_default().push(v);
                }
            }
        }
    }
    for (key, values) in components {
        if matches!(key.as_str(), "total" | "tier" | "decile") || !storage::is_nameable(&key) {
            continue;
        }
        if values.iter().all(|v| v.is_number() || v.is_null()) && values.iter().any(Json::is_number) {
            catalog = catalog.field(format!("value.{key}"), FieldType::Number);
        }
    }
    // Traits.
    let mut keys: Vec<String> = Vec::new();
    {
        let mut stmt =
            conn.prepare("SELECT DISTINCT key FROM traits ORDER BY key").ctx("listing trait keys")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0)).ctx("listing trait keys")?;
        for k in rows {
            keys.push(k.ctx("listing trait keys")?);
        }
    }
    let mut sample = conn
        .prepare("SELECT value_json FROM traits WHERE key = ?1 ORDER BY observed_at DESC LIMIT 500")
        .ctx("sampling traits")?;
    for key in keys {
        let path = storage::trait_field(&key);
        if !storage::is_nameable(&path) {
            continue;
        }
        let values: Vec<Json> = sample
            .query_map([&key], |r| r.get::<_, String>(0))
            .ctx("sampling traits")?
            .filter_map(|t| t.ok().and_then(|t| serde_json::from_str(&t).ok()))
            .collect();
        if let Some(ty) = infer(&key, &values) {
            catalog = catalog.field(path, ty);
        }
    }
    // Events.
    let mut types: Vec<(String, String)> = Vec::new();
    {
        let mut stmt = conn
            .prepare("SELECT channel, name FROM events GROUP BY channel, name ORDER BY channel, name")
            .ctx("listing event types")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).ctx("listing event types")?;
        for t in rows {
            types.push(t.ctx("listing event types")?);
        }
    }
    let mut sample = conn
        .prepare(
            "SELECT properties_json, revenue IS NOT NULL FROM events WHERE name = ?1 AND channel = ?2
             ORDER BY occurred_at DESC LIMIT ?3",
        )
        .ctx("sampling events")?;
    for (channel, name) in types {
        let full = format!("{channel}.{name}");
        if !storage::is_nameable(&full) || name.contains('.') {
            continue;
        }
        let mut props: BTreeMap<String, Vec<Json>> = BTreeMap::new();
        let mut revenue = false;
        let rows = sample
            .query_map(rusqlite::params![name, channel, PROPERTY_SAMPLE], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, bool>(1)?))
            })
            .ctx("sampling events")?;
        for row in rows {
            let (json, has_revenue) = row.ctx("sampling events")?;
            revenue |= has_revenue;
            if let Ok(Json::Object(map)) = serde_json::from_str::<Json>(&json) {
                for (k, v) in map {
                    props.entry(k).or_default().push(v);
                }
            }
        }
        let mut properties: Vec<(String, FieldType)> = props
            .into_iter()
            .filter(|(k, _)| k != "at" && k != "revenue" && storage::is_nameable(k) && !k.contains('.'))
            .filter_map(|(k, values)| infer(&k, &values).map(|t| (k, t)))
            .collect();
        if revenue {
            properties.push(("revenue".to_owned(), FieldType::Money));
        }
        catalog = catalog.event(full, properties.iter().map(|(k, t)| (k.as_str(), t.clone())));
    }
    Ok(catalog)
}

/// The fields every warehouse has, whatever its data.
#[must_use]
pub fn fixed_catalog() -> Catalog {
    storage::fixed_catalog()
}

/// The type of a key from the JSON values seen for it; `None` when no value
/// was usable (only nulls or objects).
#[must_use]
pub fn infer(key: &str, values: &[Json]) -> Option<FieldType> {
    let seen: Vec<&Json> = values.iter().filter(|v| !v.is_null() && !v.is_object()).collect();
    if seen.is_empty() {
        return None;
    }
    if seen.iter().all(|v| v.is_number()) {
        let last = key.rsplit('.').next().unwrap_or(key);
        return Some(if MONEY_KEYS.contains(&last) { FieldType::Money } else { FieldType::Number });
    }
    if seen.iter().all(|v| v.is_boolean()) {
        return Some(FieldType::Bool);
    }
    if seen.iter().all(|v| v.as_str().is_some_and(|s| parse_date_prefix(s).is_some())) {
        return Some(FieldType::Date);
    }
    if seen.iter().all(|v| v.is_string()) {
        return Some(FieldType::String);
    }
    if seen.iter().all(|v| v.is_array()) {
        let elements: Vec<Json> = seen.iter().filter_map(|v| v.as_array()).flatten().cloned().collect();
        let element =
            infer(key, &elements).filter(|t| !matches!(t, FieldType::List(_))).unwrap_or(FieldType::String);
        return Some(FieldType::list(element));
    }
    Some(FieldType::String)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn types_from_values() {
        assert_eq!(infer("nps", &[json!(9), json!(10), Json::Null]), Some(FieldType::Number));
        assert_eq!(infer("amount", &[json!(9.5)]), Some(FieldType::Money));
        assert_eq!(infer("city", &[json!("York")]), Some(FieldType::String));
        assert_eq!(infer("birthday", &[json!("1990-01-31")]), Some(FieldType::Date));
        assert_eq!(infer("x", &[json!(true)]), Some(FieldType::Bool));
        assert_eq!(infer("categories", &[json!(["home"])]), Some(FieldType::list(FieldType::String)));
        assert_eq!(infer("mixed", &[json!(1), json!("a")]), Some(FieldType::String));
        assert_eq!(infer("none", &[Json::Null]), None);
    }
}
