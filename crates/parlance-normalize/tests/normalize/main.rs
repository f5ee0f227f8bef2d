//! The normalize crate's one integration-test binary; one module per shape,
//! plus the demo company, the documentation and robustness.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod csv;
mod demo;
mod dispatch;
mod docs;
mod ga4;
mod hubspot;
mod klaviyo;
mod mailchimp;
mod robustness;
mod segment;
mod shopify;
mod stripe;
mod survey;
mod zendesk;

use std::fmt::Write as _;

use expect_test::Expect;
use parlance_normalize::{NormalizeError, Normalized, normalize};
use serde_json::Value;

/// The rows as text, one per line, for snapshots: identifiers, events
/// (time, full name, revenue, properties), order, support contact, traits.
pub fn render(result: &Result<Normalized, NormalizeError>) -> String {
    let rows = match result {
        Err(error) => return format!("error {}: {error}\n", error.code()),
        Ok(rows) => rows,
    };
    let mut out = String::new();
    for id in &rows.identifiers {
        writeln!(out, "identifier {} {}", id.kind, id.value).unwrap();
    }
    for event in &rows.events {
        let revenue = event.revenue.map(|r| format!(" revenue={r}")).unwrap_or_default();
        let properties = Value::Object(event.properties.clone());
        writeln!(out, "event {} {}{revenue} {properties}", event.occurred_at, event.full_name()).unwrap();
    }
    if let Some(order) = &rows.order {
        writeln!(
            out,
            "order {} at {} amount={} {} margin={:?} status={} refunded={} categories={:?}",
            order.source_order_id,
            order.ordered_at,
            order.amount,
            order.currency,
            order.margin,
            order.status.as_str(),
            order.refunded_amount,
            order.categories,
        )
        .unwrap();
    }
    if let Some(contact) = &rows.support_contact {
        writeln!(
            out,
            "support {} at {} via {} reason={:?}",
            contact.source_contact_id, contact.contacted_at, contact.channel, contact.reason
        )
        .unwrap();
    }
    for row in &rows.traits {
        writeln!(out, "trait {} = {} at {}", row.key, row.value, row.observed_at).unwrap();
    }
    out
}

/// Normalises one payload and snapshots the rows (or the error).
pub fn check(source: &str, shape: &str, stream: &str, payload: &str, expect: Expect) {
    expect.assert_eq(&render(&normalize(source, shape, stream, payload)));
}

/// The payload with the value at each JSON pointer replaced (`Some`) or
/// removed (`None`).
pub fn edited(payload: &str, edits: &[(&str, Option<Value>)]) -> String {
    let mut value: Value = serde_json::from_str(payload).unwrap();
    for (pointer, replacement) in edits {
        let (parent, key) = pointer.rsplit_once('/').unwrap();
        let target = value.pointer_mut(parent).unwrap_or_else(|| panic!("no {parent} in the fixture"));
        match (target, replacement) {
            (Value::Object(map), Some(new)) => {
                map.insert(key.to_owned(), new.clone());
            }
            (Value::Object(map), None) => {
                assert!(map.remove(key).is_some(), "no {pointer} in the fixture");
            }
            (Value::Array(items), Some(new)) => items[key.parse::<usize>().unwrap()] = new.clone(),
            (Value::Array(items), None) => {
                items.remove(key.parse::<usize>().unwrap());
            }
            _ => panic!("{parent} is not a container"),
        }
    }
    value.to_string()
}

/// Each edit of a valid fixture, one per line, with the error it gives:
/// `remove /a/b → missing-field: src/stream: a.b is missing`.
pub fn check_errors(
    source: &str,
    shape: &str,
    stream: &str,
    fixture: &str,
    cases: &[(&str, Option<Value>)],
    expect: Expect,
) {
    let mut out = String::new();
    for (pointer, replacement) in cases {
        let payload = edited(fixture, &[(*pointer, replacement.clone())]);
        let edit = match replacement {
            Some(value) => format!("{pointer} = {value}"),
            None => format!("remove {pointer}"),
        };
        match normalize(source, shape, stream, &payload) {
            Ok(rows) => writeln!(out, "{edit} → no error ({} events)", rows.events.len()).unwrap(),
            Err(error) => writeln!(out, "{edit} → {}: {error}", error.code()).unwrap(),
        }
    }
    expect.assert_eq(&out);
}
