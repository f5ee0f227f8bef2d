//! Klaviyo JSON:API resources: `profiles` (`GET /api/profiles`) and
//! `events` (`GET /api/events?include=metric`, each event landed with its
//! metric resource under `metric`).
//!
//! A profile's Klaviyo id is its `customer_id:<source>` identifier, which is
//! how an event (`relationships.profile.data.id`) names its person. An
//! event means what its metric is called: Klaviyo's email metrics become
//! the `email.*` events Mailchimp activity also produces (so "opened an
//! email" means one thing whichever tool sent it), SMS metrics become
//! `sms.<metric>`, and every other metric `klaviyo.<metric>` in snake_case,
//! with `event_properties.$value` as revenue when present.

use parlance_identity::IdKind;
use serde_json::Value;

use crate::fields::Fields;
use crate::naming::snake_case;
use crate::rows::{EventRow, Normalized};
use crate::{Normalizer, Problem};

pub(crate) const STREAMS: &str = "profiles, events";

pub(crate) fn normalizer(stream: &str) -> Option<Normalizer> {
    match stream {
        "profiles" => Some(profile),
        "events" => Some(event),
        _ => None,
    }
}

/// A profile: its id, email and phone; names and city as traits.
fn profile(source: &str, profile: &Fields<'_>) -> Result<Normalized, Problem> {
    let mut out = Normalized::default();
    out.identify(IdKind::CustomerId(source.to_owned()), Some(profile.str("id")?));
    out.identify(IdKind::Email, profile.opt_str("attributes.email")?);
    out.identify(IdKind::Phone, profile.opt_str("attributes.phone_number")?);
    let observed = match profile.opt_timestamp("attributes.updated")? {
        Some(at) => at,
        None => profile.timestamp("attributes.created")?,
    };
    out.observe("first_name", profile.opt_str("attributes.first_name")?, observed);
    out.observe("last_name", profile.opt_str("attributes.last_name")?, observed);
    out.observe("city", profile.opt_str("attributes.location.city")?, observed);
    out.named("id is empty")
}

/// Klaviyo's email metrics and the `email.*` events they are.
const EMAIL_METRICS: &[(&str, &str)] = &[
    ("Received Email", "received"),
    ("Opened Email", "opened"),
    ("Clicked Email", "clicked"),
    ("Bounced Email", "bounced"),
    ("Marked Email as Spam", "marked_as_spam"),
    ("Unsubscribed", "unsubscribed"),
    ("Unsubscribed from Email Marketing", "unsubscribed"),
    ("Subscribed to List", "subscribed"),
    ("Subscribed to Email Marketing", "subscribed"),
];

/// An event: the person by their Klaviyo profile id, the event named by its
/// metric, the metric's properties kept.
fn event(source: &str, event: &Fields<'_>) -> Result<Normalized, Problem> {
    let mut out = Normalized::default();
    out.identify(IdKind::CustomerId(source.to_owned()), event.opt_str("relationships.profile.data.id")?);
    let at = event.timestamp("attributes.datetime")?;
    let metric = event.str("metric.attributes.name")?;
    let (channel, name) = match EMAIL_METRICS.iter().find(|(known, _)| *known == metric) {
        Some((_, name)) => ("email", (*name).to_owned()),
        None if metric.contains("SMS") => ("sms", snake_case(&metric.replace("SMS", " "))),
        None => ("klaviyo", snake_case(metric)),
    };
    if name.is_empty() {
        return Err(Problem::UnnamedEvent {
            field: event.path("metric.attributes.name"),
            value: metric.to_owned(),
        });
    }
    let properties = event.opt_object("attributes.event_properties")?;
    let mut row = EventRow::new(at, channel, name)
        .with("event_id", event.str("id")?)
        .with("metric", metric)
        .with("metric_id", event.opt_str("metric.id")?);
    if let Some(properties) = &properties {
        for key in ["Campaign Name", "Subject", "URL", "OrderId"] {
            if let Some(value) = properties.map().get(key).filter(|v| !matches!(v, Value::Null)) {
                row = row.with(&snake_case(key), value.clone());
            }
        }
        if channel == "klaviyo" && properties.value("$value")?.is_some() {
            row = row.with_revenue(properties.decimal_amount("$value", "")?.major_units());
        }
    }
    out.events.push(row);
    out.named("relationships.profile.data.id is missing")
}
