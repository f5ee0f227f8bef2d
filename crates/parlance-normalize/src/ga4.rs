//! Google Analytics 4, BigQuery export (`events_YYYYMMDD` rows exported as
//! newline-delimited JSON): one row per event, stream `events`.
//!
//! ```json
//! { "event_date": "20260301", "event_timestamp": "1772359200123456", "event_name": "page_view",
//!   "event_params": [ { "key": "page_location", "value": { "string_value": "https://shop.demo/" } },
//!                     { "key": "ga_session_id", "value": { "int_value": "1772359100" } } ],
//!   "user_id": null, "user_pseudo_id": "1234567.7654321",
//!   "user_properties": [], "device": { "category": "mobile" }, "geo": { "city": "Leeds" },
//!   "traffic_source": { "name": "spring", "medium": "cpc", "source": "google" },
//!   "ecommerce": null, "items": [] }
//! ```
//!
//! - **Who**: `user_pseudo_id` (the GA client id) is an anonymous id;
//!   `user_id` is the site's own customer id (the source's customer id).
//! - **When**: `event_timestamp`, microseconds since the epoch (BigQuery
//!   exports INT64 as JSON strings; numbers are accepted too).
//! - **What**: `event_params` become properties, each the first non-null of
//!   `string_value`, `int_value`, `double_value`, `float_value`; the
//!   campaign params `source`, `medium`, `campaign`, `term`, `content`
//!   become `utm_*`, and a page view's `page_location`, `page_title` and
//!   `page_referrer` become `url` (with its `path`), `title` and
//!   `referrer`, as for Segment pages. Events map to the vocabulary as in the crate docs:
//!   `page_view` and `screen_view` → `web.page_view`, `purchase` →
//!   `web.order_completed` (revenue `ecommerce.purchase_revenue`, else the
//!   `value` param), `refund` → `web.order_refunded` (minus
//!   `ecommerce.refund_value`, else `value`), `add_to_cart` →
//!   `web.product_added`, anything else `web.<event_name>`.
//! - **Traits**: `user_properties` (by key, snake_case), `geo.city` → `city`,
//!   and the user's first acquisition (`traffic_source`) →
//!   `ga4.first_source`, `ga4.first_medium`, `ga4.first_campaign`.

use parlance_identity::IdKind;
use parlance_warehouse::Timestamp;
use serde_json::{Map, Value};

use crate::fields::{Fields, type_name};
use crate::money::Amount;
use crate::naming::snake_case;
use crate::rows::{EventRow, Normalized};
use crate::{Normalizer, Problem};

pub(crate) const STREAMS: &str = "events";

pub(crate) fn normalizer(stream: &str) -> Option<Normalizer> {
    match stream {
        "events" => Some(event),
        _ => None,
    }
}

fn event(source: &str, row: &Fields<'_>) -> Result<Normalized, Problem> {
    let mut out = Normalized::default();
    out.identify(IdKind::AnonymousId, row.opt_str("user_pseudo_id")?);
    out.identify(IdKind::CustomerId(source.to_owned()), row.opt_id("user_id")?.as_deref());
    let at = micros(row, "event_timestamp")?.ok_or_else(|| row.missing("event_timestamp"))?;
    let event_name = row.str("event_name")?;
    let event_params = params(row, "event_params")?;

    let mut properties = Map::new();
    for (key, value) in event_params {
        let key = match key.as_str() {
            "source" => "utm_source".to_owned(),
            "medium" => "utm_medium".to_owned(),
            "campaign" => "utm_campaign".to_owned(),
            "term" => "utm_term".to_owned(),
            "content" => "utm_content".to_owned(),
            _ => key,
        };
        properties.insert(key, value);
    }
    let (channel, name) = match snake_case(event_name).as_str() {
        "" => {
            return Err(Problem::UnnamedEvent {
                field: row.path("event_name"),
                value: event_name.to_owned(),
            });
        }
        "page_view" | "screen_view" => ("web", "page_view".to_owned()),
        "purchase" => ("web", "order_completed".to_owned()),
        "refund" => ("web", "order_refunded".to_owned()),
        "add_to_cart" => ("web", "product_added".to_owned()),
        other => ("web", other.to_owned()),
    };
    let mut event = EventRow::new(at, channel, name);
    event.properties = properties;
    match event_name {
        "page_view" => {
            for (param, key) in
                [("page_location", "url"), ("page_title", "title"), ("page_referrer", "referrer")]
            {
                if let Some(value) = event.properties.remove(param) {
                    event = event.with(key, value);
                }
            }
            let path =
                event.properties.get("url").and_then(Value::as_str).and_then(url_path).map(str::to_owned);
            event = event.with("path", path);
        }
        "screen_view" => {
            let screen = event.properties.get("firebase_screen").cloned();
            event = event.with("screen", true).with("name", screen);
        }
        _ => {}
    }
    event = event
        .with("ga4_event", event_name.to_owned())
        .with("platform", row.opt_str("platform")?)
        .with("device_category", row.opt_str("device.category")?);

    let currency = event.properties.get("currency").and_then(Value::as_str).unwrap_or("").to_uppercase();
    let revenue = match event_name {
        "purchase" => money(row, "ecommerce.purchase_revenue", &event.properties, &currency)?,
        "refund" => money(row, "ecommerce.refund_value", &event.properties, &currency)?.map(|r| -r),
        _ => None,
    };
    if let Some(revenue) = revenue {
        event = event.with_revenue(revenue);
    }
    if matches!(event_name, "purchase" | "refund") {
        event = event.with("order_id", row.opt_id("ecommerce.transaction_id")?.map(|id| id.into_owned()));
        let (categories, count) = items(row)?;
        if !categories.is_empty() {
            event = event.with("categories", categories);
        }
        if count > 0 {
            event = event.with("item_count", count);
        }
    }
    out.events.push(event);

    for (key, value) in params(row, "user_properties")? {
        let key = snake_case(&key);
        if !key.is_empty() {
            out.observe(key, value, at);
        }
    }
    out.observe("city", row.opt_str("geo.city")?.filter(|c| *c != "(not set)"), at);
    for (field, key) in [
        ("traffic_source.source", "ga4.first_source"),
        ("traffic_source.medium", "ga4.first_medium"),
        ("traffic_source.name", "ga4.first_campaign"),
    ] {
        out.observe(key, row.opt_str(field)?, at);
    }
    out.named("user_pseudo_id and user_id are both missing")
}

/// A time in microseconds since the epoch (a JSON integer or a string of
/// digits), floored to whole seconds.
fn micros(row: &Fields<'_>, path: &'static str) -> Result<Option<Timestamp>, Problem> {
    let Some(value) = row.value(path)? else {
        return Ok(None);
    };
    let bad = || Problem::BadUnixMicros { field: row.path(path), value: value.to_string() };
    let micros = match value {
        Value::Number(number) => number.as_i64().ok_or_else(bad)?,
        Value::String(text) => text.trim().parse::<i64>().map_err(|_| bad())?,
        other => return Err(row_wrong_type(row, path, "an integer of microseconds", other)),
    };
    Timestamp::from_unix(micros.div_euclid(1_000_000)).map(Some).map_err(|_| bad())
}

fn row_wrong_type(row: &Fields<'_>, path: &str, expected: &'static str, found: &Value) -> Problem {
    Problem::WrongType { field: row.path(path), expected, found: type_name(found) }
}

/// `[{key, value: {string_value, int_value, double_value, float_value}}]`
/// as (key, value) pairs; params whose values are all null are skipped.
fn params(row: &Fields<'_>, path: &'static str) -> Result<Vec<(String, Value)>, Problem> {
    let mut out = Vec::new();
    for (index, param) in row.objects(path)?.iter().enumerate() {
        let key = param.str("key")?;
        let Some(value) = param.opt_object("value")? else {
            continue;
        };
        let typed = value.map();
        let pick = if let Some(Value::String(text)) = typed.get("string_value") {
            Some(Value::String(text.clone()))
        } else if let Some(int) = typed.get("int_value").filter(|v| !v.is_null()) {
            Some(integer(int).ok_or_else(|| Problem::WrongType {
                field: format!("{path}[{index}].value.int_value"),
                expected: "an integer",
                found: type_name(int),
            })?)
        } else {
            ["double_value", "float_value"]
                .iter()
                .find_map(|k| typed.get(*k).filter(|v| v.is_number()).cloned())
        };
        if let Some(value) = pick {
            out.push((key.to_owned(), value));
        }
    }
    Ok(out)
}

/// An INT64 as BigQuery exports it: a JSON number or a string of digits.
fn integer(value: &Value) -> Option<Value> {
    match value {
        Value::Number(n) if n.is_i64() || n.is_u64() => Some(value.clone()),
        Value::String(text) => text.trim().parse::<i64>().ok().map(Value::from),
        _ => None,
    }
}

/// A money amount: the ecommerce field, else the event's `value` param.
fn money(
    row: &Fields<'_>,
    path: &'static str,
    properties: &Map<String, Value>,
    currency: &str,
) -> Result<Option<f64>, Problem> {
    let (field, value) = match row.value(path)? {
        Some(value) => (row.path(path), value),
        None => match properties.get("value") {
            Some(value) => ("event_params.value".to_owned(), value),
            None => return Ok(None),
        },
    };
    let text = match value {
        Value::Number(number) => number.to_string(),
        Value::String(text) => text.clone(),
        other => return Err(Problem::WrongType { field, expected: "a number", found: type_name(other) }),
    };
    Amount::parse_decimal(&text, currency)
        .or_else(|| {
            text.parse::<f64>().ok().and_then(|n| Amount::parse_decimal(&format!("{n:.6}"), currency))
        })
        .map(|amount| Some(amount.major_units()))
        .ok_or(Problem::BadAmount { field, value: text })
}

/// Item categories (first-seen order, no repeats) and the item count.
fn items(row: &Fields<'_>) -> Result<(Vec<String>, u64), Problem> {
    let mut categories: Vec<String> = Vec::new();
    let mut count: u64 = 0;
    for item in row.objects("items")? {
        let quantity = match item.value("quantity")? {
            Some(value) => integer(value).and_then(|v| v.as_u64()).unwrap_or(1),
            None => 1,
        };
        count = count.saturating_add(quantity);
        if let Some(category) = item.opt_str("item_category")?.map(str::trim).filter(|c| !c.is_empty())
            && !categories.iter().any(|known| known == category)
        {
            categories.push(category.to_owned());
        }
    }
    Ok((categories, count))
}

/// The path of a URL (`https://shop.demo/p/1?x=1` → `/p/1`).
fn url_path(url: &str) -> Option<&str> {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = rest.get(rest.find('/')?..)?;
    Some(path.split(['?', '#']).next().unwrap_or(path))
}

#[cfg(test)]
mod tests {
    use super::url_path;

    #[test]
    fn url_paths() {
        assert_eq!(url_path("https://shop.demo/p/1?x=1#top"), Some("/p/1"));
        assert_eq!(url_path("https://shop.demo"), None);
        assert_eq!(url_path("/cart"), Some("/cart"));
    }
}
