//! The unified rows one landed record becomes.

use parlance_identity::{IdKind, RawIdentifier};
use parlance_warehouse::Timestamp;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::Problem;

/// Everything one landed record says, in the warehouse's unified terms.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Normalized {
    /// Who the record is about, as the payload spells it (identity
    /// normalises and blocks values later). Empty values are skipped and
    /// repeats removed; never empty on success.
    pub identifiers: Vec<RawIdentifier>,
    /// What happened, in time order of the payload.
    pub events: Vec<EventRow>,
    pub order: Option<OrderRow>,
    pub support_contact: Option<SupportContactRow>,
    /// What the record says the person is (names, consent, survey answers).
    pub traits: Vec<TraitRow>,
}

/// One thing a person did or had done to them. Its full name is
/// `channel.name` (`email.opened`); see the crate docs for every name.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EventRow {
    pub occurred_at: Timestamp,
    /// `web`, `ads`, `email`, `shop`, `support`, `survey`, `payments`,
    /// `crm`, `sms` or `klaviyo`.
    pub channel: &'static str,
    /// The event within its channel, snake_case (`page_view`, `opened`).
    pub name: String,
    pub properties: Map<String, Value>,
    /// Money in the record's currency (major units): positive for a sale,
    /// negative for a refund, `None` where no money moved.
    pub revenue: Option<f64>,
}

impl EventRow {
    pub(crate) fn new(occurred_at: Timestamp, channel: &'static str, name: impl Into<String>) -> Self {
        EventRow { occurred_at, channel, name: name.into(), properties: Map::new(), revenue: None }
    }

    pub(crate) fn with_revenue(mut self, revenue: f64) -> Self {
        // A zero refund is a refund of nothing, not of "minus zero".
        self.revenue = Some(if revenue == 0.0 { 0.0 } else { revenue });
        self
    }

    /// Sets a property unless the value is null or an empty string.
    pub(crate) fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        let value = value.into();
        if !is_blank(&value) {
            self.properties.insert(key.to_owned(), value);
        }
        self
    }

    /// The event's full name, `channel.name` (`web.page_view`).
    pub fn full_name(&self) -> String {
        format!("{}.{}", self.channel, self.name)
    }
}

/// A purchase as the shop records it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OrderRow {
    /// The shop's own order id (`5123` from `gid://shopify/Order/5123`).
    pub source_order_id: String,
    pub ordered_at: Timestamp,
    /// The order total in major units of `currency`.
    pub amount: f64,
    /// ISO 4217, upper case.
    pub currency: String,
    /// Gross margin in `currency`, where the source knows it.
    pub margin: Option<f64>,
    pub status: OrderStatus,
    /// The sum of all refunds so far, in major units of `currency`.
    pub refunded_amount: f64,
    /// Product categories of the line items, first-seen order, no repeats.
    pub categories: Vec<String>,
}

/// Where an order stands, in the warehouse's `orders.status` vocabulary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    Placed,
    Fulfilled,
    Returned,
    Refunded,
    PartiallyRefunded,
    Cancelled,
}

impl OrderStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Placed => "placed",
            OrderStatus::Fulfilled => "fulfilled",
            OrderStatus::Returned => "returned",
            OrderStatus::Refunded => "refunded",
            OrderStatus::PartiallyRefunded => "partially_refunded",
            OrderStatus::Cancelled => "cancelled",
        }
    }
}

/// A person contacting customer support (a ticket, a call, a chat).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SupportContactRow {
    pub source_contact_id: String,
    pub contacted_at: Timestamp,
    /// `email`, `phone`, `chat` or `web`.
    pub channel: &'static str,
    pub reason: Option<String>,
}

/// One thing a record says a person is, at the time it was observed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TraitRow {
    /// `first_name`, `city`, `email.status`, `survey.nps`, …
    pub key: String,
    pub value: Value,
    pub observed_at: Timestamp,
}

impl Normalized {
    /// Adds an identifier unless the value is absent or blank, or already there.
    pub(crate) fn identify(&mut self, kind: IdKind, value: Option<&str>) {
        let Some(value) = value.filter(|v| !v.trim().is_empty()) else {
            return;
        };
        if !self.identifiers.iter().any(|known| known.kind == kind && known.value == value) {
            self.identifiers.push(RawIdentifier::new(kind, value));
        }
    }

    /// Adds a trait unless the value is null or an empty string.
    pub(crate) fn observe(
        &mut self,
        key: impl Into<String>,
        value: impl Into<Value>,
        observed_at: Timestamp,
    ) {
        let value = value.into();
        if !is_blank(&value) {
            self.traits.push(TraitRow { key: key.into(), value, observed_at });
        }
    }

    /// The record itself, or why it cannot be linked to anyone: `detail`
    /// names the fields that were looked at.
    pub(crate) fn named(self, detail: &'static str) -> Result<Normalized, Problem> {
        if self.identifiers.is_empty() { Err(Problem::NoIdentifier { detail }) } else { Ok(self) }
    }
}

/// Null and empty strings carry no information; everything else does.
fn is_blank(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(text) => text.trim().is_empty(),
        _ => false,
    }
}
