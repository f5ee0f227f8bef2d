//! The demo company: every record of a small company normalises, and the
//! totals agree across rows.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use parlance_demo::{DEMO_SOURCES, DemoConfig, person_records};
use parlance_normalize::{IdKind, Normalized, normalize};
use serde_json::Value;
use time::macros::date;

use crate::docs::{documented_events, documented_traits, trait_is_documented};

struct Landed {
    source: &'static str,
    stream: &'static str,
    payload: Value,
    rows: Normalized,
}

fn small_company() -> Vec<Landed> {
    let config = DemoConfig { people: 300, seed: 7, as_of: date!(2026 - 10 - 31) };
    let shapes: HashMap<&str, &str> = DEMO_SOURCES.iter().copied().collect();
    let mut landed = Vec::new();
    let mut errors = Vec::new();
    for person in 0..config.people {
        for record in person_records(&config, person) {
            let shape = shapes[record.source];
            match normalize(record.source, shape, record.stream, &record.payload_json) {
                Ok(rows) => landed.push(Landed {
                    source: record.source,
                    stream: record.stream,
                    payload: serde_json::from_str(&record.payload_json).unwrap(),
                    rows,
                }),
                Err(error) => errors.push(format!("{error}\n  {}", record.payload_json)),
            }
        }
    }
    assert!(errors.is_empty(), "{} records failed:\n{}", errors.len(), errors.join("\n"));
    landed
}

#[test]
fn every_record_of_the_demo_company_normalises_and_totals_agree() {
    let landed = small_company();
    assert!(landed.len() > 3_000, "only {} records", landed.len());

    let events = || landed.iter().flat_map(|l| &l.rows.events);
    let revenue_of = |full_name: &str| -> f64 {
        events().filter(|e| e.full_name() == full_name).filter_map(|e| e.revenue).sum()
    };
    let orders: Vec<_> = landed.iter().filter_map(|l| l.rows.order.as_ref()).collect();

    // Every order record is an order, and its revenue is the order amount.
    let order_records = landed.iter().filter(|l| l.stream == "orders").count();
    assert_eq!(orders.len(), order_records);
    assert_eq!(revenue_of("shop.order_placed"), orders.iter().map(|o| o.amount).sum::<f64>());
    let refunded: f64 = orders.iter().map(|o| o.refunded_amount).sum();
    assert!(refunded > 0.0);
    assert!((revenue_of("shop.order_refunded") + refunded).abs() < 1e-6);
    assert!(orders.iter().all(|o| o.currency == "GBP" && o.amount > 0.0 && o.refunded_amount <= o.amount));

    // Every Segment message names its visitor by an anonymous id.
    for l in landed.iter().filter(|l| l.source == "demo-web") {
        assert!(l.rows.identifiers.iter().any(|id| id.kind == IdKind::AnonymousId), "{}", l.payload);
    }
    // One event per page, track, ticket and survey response; one per email action.
    for l in &landed {
        let expected_events = match (l.source, l.stream) {
            ("demo-web", "identifies") | ("demo-support", "users") => 0,
            ("demo-web", _)
            | ("demo-support", "tickets")
            | ("demo-survey", _)
            | ("demo-shop", "customers") => 1,
            ("demo-email", "email_activity") => l.payload["activity"].as_array().unwrap().len(),
            ("demo-email", "members") => 1 + usize::from(l.payload["status"] == "unsubscribed"),
            ("demo-shop", "orders") => 1 + l.payload["refunds"].as_array().unwrap().len(),
            other => panic!("unexpected stream {other:?}"),
        };
        assert_eq!(l.rows.events.len(), expected_events, "{}/{}: {}", l.source, l.stream, l.payload);
    }
    let tickets = landed.iter().filter(|l| l.stream == "tickets").count();
    assert_eq!(landed.iter().filter(|l| l.rows.support_contact.is_some()).count(), tickets);

    // Every name is documented, and the demo exercises the whole vocabulary
    // but payments (it has no payment provider), GA4 refunds (its web
    // analytics is Segment), and the CRM and Klaviyo-only events (it has
    // neither).
    let counts: BTreeMap<String, usize> = events().fold(BTreeMap::new(), |mut counts, e| {
        *counts.entry(e.full_name()).or_default() += 1;
        counts
    });
    let documented: BTreeSet<String> = documented_events().into_iter().collect();
    let produced: BTreeSet<String> = counts.keys().cloned().collect();
    let expected: BTreeSet<String> = documented
        .iter()
        .filter(|name| !name.starts_with("payments.") && *name != "web.order_refunded" && !name.contains('<'))
        .filter(|name| {
            !name.starts_with("crm.") && !["email.received", "email.marked_as_spam"].contains(&name.as_str())
        })
        .cloned()
        .collect();
    assert_eq!(produced, expected, "event counts: {counts:?}");

    let documented_traits = documented_traits();
    for row in landed.iter().flat_map(|l| &l.rows.traits) {
        assert!(trait_is_documented(&row.key, &documented_traits), "trait {} is not documented", row.key);
        if row.key == "survey.nps" {
            assert!(row.value.as_u64().is_some_and(|nps| nps <= 10));
        }
    }
}
