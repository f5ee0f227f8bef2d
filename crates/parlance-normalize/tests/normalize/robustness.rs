//! Nothing a payload contains makes a normaliser panic: arbitrary text,
//! arbitrary JSON, and the realistic fixtures with any one value replaced.

use parlance_normalize::normalize;
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{Map, Value};

/// Every (shape, stream) the crate knows, plus one it does not.
const STREAMS: &[(&str, &str)] = &[
    ("shopify", "customers"),
    ("shopify", "orders"),
    ("mailchimp", "members"),
    ("mailchimp", "email_activity"),
    ("zendesk", "users"),
    ("zendesk", "tickets"),
    ("segment", "pages"),
    ("survey", "responses"),
    ("stripe", "customers"),
    ("stripe", "charges"),
    ("stripe", "refunds"),
    ("shopify", "products"),
];

/// Field names the normalisers read, so generated objects reach deep code.
const KEYS: &[&str] = &[
    "type",
    "event",
    "anonymousId",
    "userId",
    "previousId",
    "groupId",
    "timestamp",
    "originalTimestamp",
    "properties",
    "traits",
    "context",
    "campaign",
    "page",
    "id",
    "email",
    "phone",
    "name",
    "createdAt",
    "updatedAt",
    "processedAt",
    "cancelledAt",
    "totalPriceSet",
    "shopMoney",
    "amount",
    "currencyCode",
    "refunds",
    "totalRefundedSet",
    "lineItems",
    "nodes",
    "edges",
    "node",
    "productType",
    "quantity",
    "customer",
    "displayFinancialStatus",
    "email_address",
    "status",
    "last_changed",
    "timestamp_opt",
    "merge_fields",
    "FNAME",
    "activity",
    "action",
    "campaign_id",
    "requester_id",
    "via",
    "channel",
    "tags",
    "created_at",
    "updated_at",
    "respondent",
    "answers",
    "nps",
    "submitted_at",
    "charge",
    "currency",
    "created",
    "billing_details",
    "receipt_email",
    "deleted",
    "address",
    "city",
    "revenue",
    "total",
];

/// Values the normalisers look for, among arbitrary ones.
const TEXTS: &[&str] = &[
    "2026-03-01T10:00:00Z",
    "2026-03-01T10:00:00.5+02:00",
    "yesterday",
    "",
    "track",
    "page",
    "screen",
    "identify",
    "alias",
    "group",
    "open",
    "click",
    "bounce",
    "voice",
    "unsubscribed",
    "succeeded",
    "REFUNDED",
    "RETURNED",
    "gid://shopify/Customer/1",
    "gid://shopify/",
    "12.34",
    "-1",
    "1e5",
    "JPY",
    "kwd",
    "Ad Clicked",
    "Order Completed",
];

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |f| serde_json::Number::from_f64(f).map(Value::Number)),
        "\\PC{0,12}".prop_map(Value::from),
        select(TEXTS).prop_map(Value::from),
    ];
    leaf.prop_recursive(5, 64, 6, |inner| {
        let key = prop_oneof![select(KEYS).prop_map(str::to_owned), "[a-z_]{1,6}"];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((key, inner), 0..8)
                .prop_map(|fields| Value::Object(fields.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// The JSON pointers of every value inside `value`.
fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                pointers(inner, format!("{at}/{key}"), out);
            }
        }
        Value::Array(items) => {
            for (index, inner) in items.iter().enumerate() {
                pointers(inner, format!("{at}/{index}"), out);
            }
        }
        _ => {}
    }
    out.push(at);
}

fn fixtures() -> Vec<(&'static str, &'static str, Value)> {
    [
        ("shopify", "customers", crate::shopify::CUSTOMER),
        ("shopify", "orders", crate::shopify::ORDER),
        ("mailchimp", "members", crate::mailchimp::MEMBER),
        ("mailchimp", "email_activity", crate::mailchimp::ACTIVITY),
        ("zendesk", "users", crate::zendesk::USER),
        ("zendesk", "tickets", crate::zendesk::TICKET),
        ("segment", "pages", crate::segment::PAGE),
        ("segment", "tracks", crate::segment::ORDER_COMPLETED),
        ("segment", "identifies", crate::segment::IDENTIFY),
        ("survey", "responses", crate::survey::RESPONSE),
        ("stripe", "customers", crate::stripe::CUSTOMER),
        ("stripe", "charges", crate::stripe::CHARGE),
        ("stripe", "refunds", crate::stripe::REFUND),
    ]
    .into_iter()
    .map(|(shape, stream, text)| (shape, stream, serde_json::from_str(text).unwrap()))
    .collect()
}

/// Normalises under every stream; an error must say something.
fn normalize_everywhere(payload: &str) {
    for (shape, stream) in STREAMS {
        if let Err(error) = normalize("fuzz", shape, stream, payload) {
            assert!(error.to_string().len() > "fuzz/x: ".len());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,64}") {
        normalize_everywhere(&text);
    }

    #[test]
    fn arbitrary_json_never_panics(value in json_value()) {
        normalize_everywhere(&value.to_string());
    }

    #[test]
    fn a_fixture_with_any_value_replaced_never_panics(
        fixture in select(fixtures()),
        choice in any::<prop::sample::Index>(),
        replacement in json_value(),
    ) {
        let (shape, stream, mut payload) = fixture;
        let mut all = Vec::new();
        pointers(&payload, String::new(), &mut all);
        let pointer = choice.get(&all).clone();
        if let Some(target) = payload.pointer_mut(&pointer) {
            *target = replacement;
        }
        let result = normalize("fuzz", shape, stream, &payload.to_string());
        if let Ok(rows) = result {
            prop_assert!(!rows.identifiers.is_empty());
            for event in &rows.events {
                prop_assert!(event.revenue.is_none_or(f64::is_finite));
            }
        }
    }
}
