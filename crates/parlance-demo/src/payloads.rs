//! Record payloads shaped like each tool's real API responses, so the same
//! normalisers serve real and demo sources.

use parlance_warehouse::Timestamp;
use serde_json::{Value, json};

pub fn ts(secs: i64) -> String {
    Timestamp::from_unix_clamped(secs).to_string()
}

/// Shopify Admin GraphQL `Customer` node.
#[allow(clippy::too_many_arguments)]
pub fn shop_customer(
    id: u64,
    first: &str,
    last: &str,
    email: &str,
    phone: Option<&str>,
    city: &str,
    created: i64,
    updated: i64,
    orders: u32,
    subscribed: bool,
) -> Value {
    json!({
        "id": format!("gid://shopify/Customer/{id}"),
        "firstName": first,
        "lastName": last,
        "email": email,
        "phone": phone,
        "createdAt": ts(created),
        "updatedAt": ts(updated),
        "numberOfOrders": orders.to_string(),
        "defaultAddress": { "city": city, "countryCodeV2": "GB" },
        "emailMarketingConsent": {
            "marketingState": if subscribed { "SUBSCRIBED" } else { "NOT_SUBSCRIBED" }
        },
        "tags": [],
    })
}

pub struct LineItem {
    pub title: &'static str,
    pub category: &'static str,
    pub quantity: u32,
    pub unit_price: f64,
}

pub struct Refund {
    pub at: i64,
    pub amount: f64,
}

/// Shopify Admin GraphQL `Order` node with line items and refunds.
#[allow(clippy::too_many_arguments)]
pub fn shop_order(
    id: u64,
    number: u64,
    customer_id: u64,
    email: &str,
    created: i64,
    total: f64,
    items: &[LineItem],
    refund: Option<&Refund>,
) -> Value {
    let money =
        |amount: f64| json!({ "shopMoney": { "amount": format!("{amount:.2}"), "currencyCode": "GBP" } });
    let financial = match refund {
        None => "PAID",
        Some(r) if r.amount + 0.005 >= total => "REFUNDED",
        Some(_) => "PARTIALLY_REFUNDED",
    };
    let updated = refund.map_or(created + 2 * 86_400, |r| r.at);
    json!({
        "id": format!("gid://shopify/Order/{id}"),
        "name": format!("#{number}"),
        "email": email,
        "createdAt": ts(created),
        "processedAt": ts(created),
        "updatedAt": ts(updated),
        "customer": { "id": format!("gid://shopify/Customer/{customer_id}") },
        "currencyCode": "GBP",
        "totalPriceSet": money(total),
        "displayFinancialStatus": financial,
        "displayFulfillmentStatus": "FULFILLED",
        "lineItems": { "nodes": items.iter().map(|i| json!({
            "title": i.title,
            "quantity": i.quantity,
            "productType": i.category,
            "originalUnitPriceSet": money(i.unit_price),
        })).collect::<Vec<_>>() },
        "refunds": refund.map(|r| vec![json!({
            "createdAt": ts(r.at),
            "totalRefundedSet": money(r.amount),
        })]).unwrap_or_default(),
    })
}

/// Mailchimp list member.
pub fn email_member(
    hash: &str,
    email: &str,
    first: &str,
    last: &str,
    status: &str,
    opted_in: i64,
    changed: i64,
) -> Value {
    json!({
        "id": hash,
        "email_address": email,
        "unique_email_id": &hash[..10.min(hash.len())],
        "status": status,
        "list_id": "demo-list",
        "timestamp_opt": ts(opted_in),
        "last_changed": ts(changed),
        "merge_fields": { "FNAME": first, "LNAME": last },
    })
}

/// Mailchimp report email activity for one recipient of one campaign.
pub fn email_activity(campaign: &str, hash: &str, email: &str, actions: &[(&str, i64)]) -> Value {
    json!({
        "campaign_id": campaign,
        "list_id": "demo-list",
        "email_id": hash,
        "email_address": email,
        "activity": actions.iter().map(|(action, at)| json!({
            "action": action,
            "timestamp": ts(*at),
        })).collect::<Vec<_>>(),
    })
}

/// Zendesk end user.
pub fn support_user(
    id: u64,
    name: &str,
    email: Option<&str>,
    phone: Option<&str>,
    created: i64,
    updated: i64,
) -> Value {
    json!({
        "id": id,
        "name": name,
        "email": email,
        "phone": phone,
        "role": "end-user",
        "created_at": ts(created),
        "updated_at": ts(updated),
    })
}

/// Zendesk ticket.
pub fn support_ticket(
    id: u64,
    requester: u64,
    channel: &str,
    reason: &str,
    created: i64,
    solved: i64,
) -> Value {
    json!({
        "id": id,
        "requester_id": requester,
        "subject": format!("Question about {}", reason.replace('_', " ")),
        "via": { "channel": channel },
        "status": "solved",
        "tags": [reason],
        "created_at": ts(created),
        "updated_at": ts(solved),
    })
}

/// A survey response (NPS plus stated preferences).
pub fn survey_response(
    id: &str,
    email: &str,
    at: i64,
    nps: Option<u8>,
    channel: &str,
    interest: &str,
) -> Value {
    json!({
        "response_id": id,
        "submitted_at": ts(at),
        "respondent": { "email": email },
        "answers": { "nps": nps, "preferred_channel": channel, "interest": interest },
    })
}

/// A Segment-spec message (`page`, `track` or `identify`).
pub struct SegmentMessage<'a> {
    pub kind: &'a str,
    pub message_id: String,
    pub anonymous_id: &'a str,
    pub user_id: Option<&'a str>,
    pub at: i64,
    pub name: &'a str,
    pub properties: Value,
    pub campaign: Option<(&'a str, &'a str)>,
}

pub fn segment(m: &SegmentMessage<'_>) -> Value {
    let mut v = json!({
        "type": m.kind,
        "messageId": m.message_id,
        "anonymousId": m.anonymous_id,
        "userId": m.user_id,
        "timestamp": ts(m.at),
        "context": { "library": { "name": "analytics.js" } },
    });
    match m.kind {
        "page" => {
            v["name"] = json!(m.name);
            v["properties"] = m.properties.clone();
        }
        "track" => {
            v["event"] = json!(m.name);
            v["properties"] = m.properties.clone();
        }
        _ => v["traits"] = m.properties.clone(),
    }
    if let Some((source, medium)) = m.campaign {
        v["context"]["campaign"] = json!({ "source": source, "medium": medium });
    }
    v
}
