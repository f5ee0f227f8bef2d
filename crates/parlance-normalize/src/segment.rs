//! Segment spec messages: `page`, `screen`, `track`, `identify`, `alias`
//! and `group`. The message's `type` decides, whatever the stream is called,
//! so a Segment connector's `pages`/`tracks`/`identifies` streams and the
//! Segment-spec JSONL file import share this module.
//!
//! Every message names its sender by `anonymousId` (an
//! [`IdKind::AnonymousId`]) and/or `userId` (the source's customer id). Its
//! time is `timestamp`, or `originalTimestamp` when a file has no
//! `timestamp`.

use parlance_identity::IdKind;
use serde_json::{Map, Value};

use crate::fields::{Fields, type_name};
use crate::money::Amount;
use crate::naming::snake_case;
use crate::rows::{EventRow, Normalized};
use crate::{Normalizer, Problem};

/// Any stream: the message's `type` decides.
pub(crate) fn normalizer(_stream: &str) -> Option<Normalizer> {
    Some(message)
}

fn message(source: &str, message: &Fields<'_>) -> Result<Normalized, Problem> {
    let kind = message.str("type")?;
    let mut out = Normalized::default();
    out.identify(IdKind::AnonymousId, message.opt_id("anonymousId")?.as_deref());
    out.identify(IdKind::CustomerId(source.to_owned()), message.opt_id("userId")?.as_deref());
    let at = match message.opt_timestamp("timestamp")? {
        Some(at) => at,
        None => message.opt_timestamp("originalTimestamp")?.ok_or_else(|| message.missing("timestamp"))?,
    };
    match kind {
        "page" => out.events.push(view(message, at, false)?),
        "screen" => out.events.push(view(message, at, true)?),
        "track" => out.events.push(track(message, at)?),
        "identify" => identify(&mut out, message, at)?,
        // `previousId` is what the user was known by before: in practice the
        // anonymous id of the browsing that led to sign-up.
        "alias" => out.identify(IdKind::AnonymousId, Some(&message.id("previousId")?)),
        "group" => group(&mut out, message, at)?,
        other => {
            return Err(Problem::UnknownValue {
                field: message.path("type"),
                value: other.to_owned(),
                expected: "identify, track, page, screen, alias or group",
            });
        }
    }
    out.named("userId and anonymousId are both missing")
}

/// `page` and `screen` → `web.page_view`: the message's properties, its
/// `name` and `category`, the page's path, URL, title and referrer (from
/// `context.page` when the properties lack them), the campaign's `utm_*`,
/// and `screen: true` for an app screen.
fn view(message: &Fields<'_>, at: parlance_warehouse::Timestamp, screen: bool) -> Result<EventRow, Problem> {
    let mut event = EventRow::new(at, "web", "page_view");
    event.properties = properties(message)?;
    event = event.with("name", message.opt_str("name")?).with("category", message.opt_str("category")?);
    if let Some(page) = message.opt_object("context.page")? {
        for key in ["path", "url", "title", "referrer", "search"] {
            if !event.properties.contains_key(key)
                && let Some(value) = page.map().get(key)
            {
                event = event.with(key, value.clone());
            }
        }
    }
    if screen {
        event = event.with("screen", true);
    }
    campaign(message, event)
}

/// `track` → the event's own name in snake_case on the `web` channel
/// (`"Product Added"` → `web.product_added`), except `"Ad Clicked"` →
/// `ads.ad_clicked`. Properties pass through with the campaign's `utm_*`;
/// `properties.revenue` (or, for Order Completed, `properties.total`)
/// becomes the event's revenue.
fn track(message: &Fields<'_>, at: parlance_warehouse::Timestamp) -> Result<EventRow, Problem> {
    let event_name = message.str("event")?;
    let name = snake_case(event_name);
    if name.is_empty() {
        return Err(Problem::UnnamedEvent { field: message.path("event"), value: event_name.to_owned() });
    }
    let channel = if name == "ad_clicked" { "ads" } else { "web" };
    let revenue_field = if name == "order_completed" && message.value("properties.revenue")?.is_none() {
        "properties.total"
    } else {
        "properties.revenue"
    };
    let currency = message.opt_str("properties.currency")?.unwrap_or("");
    let revenue = match message.value(revenue_field)? {
        None => None,
        Some(Value::Number(number)) => {
            Some(signed_amount(message, revenue_field, &number.to_string(), currency)?)
        }
        Some(Value::String(text)) => Some(signed_amount(message, revenue_field, text, currency)?),
        Some(other) => {
            return Err(Problem::WrongType {
                field: message.path(revenue_field),
                expected: "a number",
                found: type_name(other),
            });
        }
    };
    let mut event = EventRow::new(at, channel, name);
    event.properties = properties(message)?;
    if let Some(revenue) = revenue {
        event = event.with_revenue(revenue);
    }
    campaign(message, event)
}

/// A revenue amount, which may be negative (a refund tracked as revenue).
fn signed_amount(
    message: &Fields<'_>,
    field: &'static str,
    text: &str,
    currency: &str,
) -> Result<f64, Problem> {
    Amount::parse_decimal(text, currency)
        .map(Amount::major_units)
        .ok_or_else(|| Problem::BadAmount { field: message.path(field), value: text.to_owned() })
}

/// `identify` → `traits.email` and `traits.phone` as identifiers; every
/// other trait as a trait under its snake_case name (`firstName` →
/// `first_name`), with `address` spread into `city`, `country`, … .
fn identify(
    out: &mut Normalized,
    message: &Fields<'_>,
    at: parlance_warehouse::Timestamp,
) -> Result<(), Problem> {
    out.identify(IdKind::Email, message.opt_str("traits.email")?);
    out.identify(IdKind::Phone, message.opt_str("traits.phone")?);
    let Some(traits) = message.opt_object("traits")? else {
        return Ok(());
    };
    for (name, value) in traits.map() {
        match name.as_str() {
            "email" | "phone" | "id" | "userId" | "anonymousId" => {}
            "address" if value.is_object() => {
                for (part, value) in traits.object("address")?.map() {
                    observe(out, part, value, at);
                }
            }
            _ => observe(out, name, value, at),
        }
    }
    Ok(())
}

fn observe(out: &mut Normalized, name: &str, value: &Value, at: parlance_warehouse::Timestamp) {
    let key = snake_case(name);
    if !key.is_empty() {
        out.observe(key, value.clone(), at);
    }
}

/// `group` → the group the user belongs to as traits: `group.id` and each
/// group trait as `group.<name>`.
fn group(
    out: &mut Normalized,
    message: &Fields<'_>,
    at: parlance_warehouse::Timestamp,
) -> Result<(), Problem> {
    out.observe("group.id", message.id("groupId")?.into_owned(), at);
    if let Some(traits) = message.opt_object("traits")? {
        for (name, value) in traits.map() {
            let key = snake_case(name);
            if !key.is_empty() {
                out.observe(format!("group.{key}"), value.clone(), at);
            }
        }
    }
    Ok(())
}

/// The message's `properties`, or an empty map.
fn properties(message: &Fields<'_>) -> Result<Map<String, Value>, Problem> {
    Ok(message.opt_object("properties")?.map(|properties| properties.map().clone()).unwrap_or_default())
}

/// Adds the campaign that brought the visitor (`context.campaign`) as
/// `utm_source`, `utm_medium`, `utm_campaign`, `utm_term`, `utm_content`.
fn campaign(message: &Fields<'_>, mut event: EventRow) -> Result<EventRow, Problem> {
    if let Some(campaign) = message.opt_object("context.campaign")? {
        for (part, key) in [
            ("source", "utm_source"),
            ("medium", "utm_medium"),
            ("name", "utm_campaign"),
            ("term", "utm_term"),
            ("content", "utm_content"),
        ] {
            if let Some(value) = campaign.map().get(part) {
                event = event.with(key, value.clone());
            }
        }
    }
    Ok(event)
}
