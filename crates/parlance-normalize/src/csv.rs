//! CSV rows imported with a column mapping (`parlance import FILE --format
//! csv --as customers|orders|events`).
//!
//! The payload is the row exactly as the file has it: a JSON object from
//! each header to its cell text (`{"Order #": "1001", "Total": "12.50"}`).
//! The mapping lives in the source's configuration, not in the payload, so
//! fixing a mapping re-normalises the rows already landed:
//!
//! ```json
//! { "shape": "csv",
//!   "streams": {
//!     "orders": { "mapping": { "order_id": "Order #", "amount": "Total", "ordered_at": "Date" },
//!                 "defaults": { "currency": "EUR" } },
//!     "customers": { "mapping": { "customer_id": "id", "email": "E-mail" } } },
//!   "observed_at": "2026-11-01T09:00:00Z" }
//! ```
//!
//! One source may hold several kinds of rows (a shop's `customers.csv` and
//! `orders.csv` share its customer ids), each stream with its own mapping
//! under `streams`; a configuration without `streams` maps every stream
//! with its top-level `mapping` and `defaults`.
//!
//! - `mapping` maps each canonical field (see [`CSV_KINDS`]) to the column
//!   holding it; customers also take `trait.<key>` fields.
//! - `defaults` gives a value for a field whose cell is empty or unmapped
//!   (a file of one currency, one channel).
//! - `observed_at` is when customer traits were observed when the file has
//!   no `updated_at` column (the first import of the source).
//!
//! Cells are trimmed; an empty cell is absent. Times are RFC 3339, or
//! `YYYY-MM-DD`, or `YYYY-MM-DD HH:MM:SS` (also with a `T`), read as UTC.
//! Amounts are plain decimal text (`12.50`; no thousands separators, no
//! decimal comma). Errors name the canonical field and, when it differs,
//! the file's column: `amount (column "Total") "12,50" is not a decimal amount`.

use parlance_identity::IdKind;
use parlance_warehouse::Timestamp;
use serde_json::{Map, Value};
use time::macros::format_description;
use time::{Date, PrimitiveDateTime};

use crate::fields::type_name;
use crate::money::Amount;
use crate::naming::snake_case;
use crate::rows::{EventRow, Normalized, OrderRow, OrderStatus};
use crate::{Problem, SourceContext};

/// One kind of CSV row (`--as`): its canonical fields, its id field and the
/// fields that must be mapped.
#[derive(Debug, PartialEq, Eq)]
pub struct CsvKind {
    /// `customers`, `orders` or `events`: also the landing stream.
    pub name: &'static str,
    pub fields: &'static [&'static str],
    /// The field whose value is the row's own id (its idempotency key).
    pub id_field: &'static str,
    /// Each entry lists fields of which at least one must be mapped (or
    /// have a default) for a file to be imported.
    pub required: &'static [&'static [&'static str]],
    /// Whether `trait.<key>` fields are accepted (customers).
    pub traits: bool,
}

/// Every kind of CSV row the importer understands.
pub const CSV_KINDS: &[CsvKind] = &[
    CsvKind {
        name: "customers",
        fields: &["customer_id", "email", "phone", "first_name", "last_name", "city", "updated_at"],
        id_field: "customer_id",
        required: &[&["customer_id", "email", "phone"]],
        traits: true,
    },
    CsvKind {
        name: "orders",
        fields: &[
            "order_id",
            "customer_id",
            "email",
            "ordered_at",
            "amount",
            "currency",
            "status",
            "refunded_amount",
            "category",
        ],
        id_field: "order_id",
        required: &[&["order_id"], &["customer_id", "email"], &["ordered_at"], &["amount"], &["currency"]],
        traits: false,
    },
    CsvKind {
        name: "events",
        fields: &[
            "event_id",
            "customer_id",
            "email",
            "anonymous_id",
            "occurred_at",
            "channel",
            "name",
            "revenue",
            "currency",
        ],
        id_field: "event_id",
        required: &[&["customer_id", "email", "anonymous_id"], &["occurred_at"], &["name"]],
        traits: false,
    },
];

/// The kind of CSV row named `name`.
pub fn csv_kind(name: &str) -> Option<&'static CsvKind> {
    CSV_KINDS.iter().find(|kind| kind.name == name)
}

pub(crate) const STREAMS: &str = "customers, orders, events";

/// The channels a CSV event may name (`channel` column or default).
pub const CSV_CHANNELS: &[&str] =
    &["web", "app", "ads", "email", "sms", "push", "shop", "store", "support", "survey", "payments"];
const CHANNELS_TEXT: &str = "web, app, ads, email, sms, push, shop, store, support, survey, payments";

/// Normalises one CSV row of `stream` with the mapping in `source.config`.
/// `None` when the stream is not a CSV kind.
pub(crate) fn normalize(
    source: &SourceContext<'_>,
    stream: &str,
    payload: &Value,
) -> Option<Result<Normalized, Problem>> {
    let run = match stream {
        "customers" => customer,
        "orders" => order,
        "events" => event,
        _ => return None,
    };
    Some(Row::new(source.config, stream, payload).and_then(|row| run(source, &row)))
}

/// A customer: customer id, email and phone as identifiers; names, city and
/// every `trait.<key>` as traits, observed at `updated_at` (else the
/// source's first import).
fn customer(source: &SourceContext<'_>, row: &Row<'_>) -> Result<Normalized, Problem> {
    let mut out = Normalized::default();
    out.identify(IdKind::CustomerId(source.name.to_owned()), row.get("customer_id")?);
    out.identify(IdKind::Email, row.get("email")?);
    out.identify(IdKind::Phone, row.get("phone")?);
    let observed_at = match row.timestamp("updated_at")? {
        Some(at) => at,
        None => row.observed_at()?,
    };
    for key in ["first_name", "last_name", "city"] {
        out.observe(key, row.get(key)?, observed_at);
    }
    for (field, key) in row.trait_fields() {
        if let Some(value) = row.get(field)? {
            out.observe(key, value, observed_at);
        }
    }
    out.named("customer_id, email and phone are all empty")
}

/// An order: the order row and `shop.order_placed` with the amount as
/// revenue. Without a status the refunded amount decides between placed,
/// partially refunded and refunded.
fn order(source: &SourceContext<'_>, row: &Row<'_>) -> Result<Normalized, Problem> {
    let mut out = Normalized::default();
    out.identify(IdKind::CustomerId(source.name.to_owned()), row.get("customer_id")?);
    out.identify(IdKind::Email, row.get("email")?);
    let order_id = row.require("order_id")?.to_owned();
    let ordered_at = row.timestamp("ordered_at")?.ok_or_else(|| row.missing("ordered_at"))?;
    let currency = row.require("currency")?.to_uppercase();
    let amount = row.amount("amount", &currency)?.ok_or_else(|| row.missing("amount"))?;
    if amount.is_negative() {
        return Err(row.negative("amount"));
    }
    let refunded = row.amount("refunded_amount", &currency)?.unwrap_or(Amount::zero(&currency));
    if refunded.is_negative() {
        return Err(row.negative("refunded_amount"));
    }
    let status = match row.get("status")? {
        Some(text) => parse_status(text).ok_or_else(|| Problem::UnknownValue {
            field: row.label("status"),
            value: text.to_owned(),
            expected: "placed, fulfilled, returned, refunded, partially_refunded or cancelled",
        })?,
        None if refunded.minor_units <= 0 => OrderStatus::Placed,
        None if refunded.minor_units >= amount.minor_units => OrderStatus::Refunded,
        None => OrderStatus::PartiallyRefunded,
    };
    let mut categories: Vec<String> = Vec::new();
    for category in row.get("category")?.unwrap_or("").split([';', '|']).map(str::trim) {
        if !category.is_empty() && !categories.iter().any(|known| known == category) {
            categories.push(category.to_owned());
        }
    }
    out.events.push(
        EventRow::new(ordered_at, "shop", "order_placed")
            .with("order_id", order_id.clone())
            .with("currency", currency.clone())
            .with("categories", (!categories.is_empty()).then(|| categories.clone()))
            .with_revenue(amount.major_units()),
    );
    out.order = Some(OrderRow {
        source_order_id: order_id,
        ordered_at,
        amount: amount.major_units(),
        currency,
        margin: None,
        status,
        refunded_amount: refunded.major_units(),
        categories,
    });
    out.named("customer_id and email are both empty")
}

/// An event: `<channel>.<name>` (the name in snake_case, the channel from
/// its column or default, else `web`), `revenue` when given, and every
/// unmapped column as a property (keys in snake_case).
fn event(source: &SourceContext<'_>, row: &Row<'_>) -> Result<Normalized, Problem> {
    let mut out = Normalized::default();
    out.identify(IdKind::CustomerId(source.name.to_owned()), row.get("customer_id")?);
    out.identify(IdKind::Email, row.get("email")?);
    out.identify(IdKind::AnonymousId, row.get("anonymous_id")?);
    let occurred_at = row.timestamp("occurred_at")?.ok_or_else(|| row.missing("occurred_at"))?;
    let channel_text = row.get("channel")?.unwrap_or("web");
    let channel =
        CSV_CHANNELS.iter().find(|known| known.eq_ignore_ascii_case(channel_text)).ok_or_else(|| {
            Problem::UnknownValue {
                field: row.label("channel"),
                value: channel_text.to_owned(),
                expected: CHANNELS_TEXT,
            }
        })?;
    let name_text = row.require("name")?;
    let name = snake_case(name_text);
    if name.is_empty() {
        return Err(Problem::UnnamedEvent { field: row.label("name"), value: name_text.to_owned() });
    }
    let currency = row.get("currency")?.map(str::to_uppercase);
    let revenue = row.amount("revenue", currency.as_deref().unwrap_or(""))?;
    let mut event = EventRow::new(occurred_at, channel, name);
    for (column, value) in row.unmapped_cells() {
        let key = snake_case(column);
        if !key.is_empty() && !event.properties.contains_key(&key) {
            event = event.with(&key, value);
        }
    }
    event = event.with("event_id", row.get("event_id")?).with("currency", currency);
    if let Some(revenue) = revenue {
        event = event.with_revenue(revenue.major_units());
    }
    out.events.push(event);
    out.named("customer_id, email and anonymous_id are all empty")
}

fn parse_status(text: &str) -> Option<OrderStatus> {
    let key = snake_case(text);
    Some(match key.as_str() {
        "placed" | "open" | "pending" | "paid" | "processing" | "authorized" => OrderStatus::Placed,
        "fulfilled" | "shipped" | "delivered" | "completed" | "complete" => OrderStatus::Fulfilled,
        "returned" => OrderStatus::Returned,
        "refunded" => OrderStatus::Refunded,
        "partially_refunded" => OrderStatus::PartiallyRefunded,
        "cancelled" | "canceled" | "voided" => OrderStatus::Cancelled,
        _ => return None,
    })
}

/// Parses a CSV time: RFC 3339, `YYYY-MM-DD` (midnight) or
/// `YYYY-MM-DD HH:MM:SS` / `YYYY-MM-DDTHH:MM:SS`, the last two in UTC.
pub fn parse_csv_time(text: &str) -> Option<Timestamp> {
    if let Ok(at) = Timestamp::parse(text) {
        return Some(at);
    }
    if let Ok(date) = Date::parse(text, format_description!("[year]-[month]-[day]")) {
        return Some(Timestamp::new(date.midnight().assume_utc()));
    }
    let spaced = format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    let t = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    PrimitiveDateTime::parse(text, spaced)
        .or_else(|_| PrimitiveDateTime::parse(text, t))
        .ok()
        .map(|at| Timestamp::new(at.assume_utc()))
}

/// A row with its mapping: reads canonical fields by their mapped columns.
struct Row<'a> {
    cells: &'a Map<String, Value>,
    mapping: Option<&'a Map<String, Value>>,
    defaults: Option<&'a Map<String, Value>>,
    config: &'a Value,
}

impl<'a> Row<'a> {
    /// The row with the mapping of its stream: `config.streams.<stream>`
    /// when the source holds several kinds of rows, else `config` itself.
    fn new(config: &'a Value, stream: &str, payload: &'a Value) -> Result<Row<'a>, Problem> {
        let Value::Object(cells) = payload else {
            return Err(Problem::WrongType {
                field: "payload".to_owned(),
                expected: "an object of column → cell",
                found: type_name(payload),
            });
        };
        let section = config.get("streams").and_then(|streams| streams.get(stream)).unwrap_or(config);
        let object = |key: &str| -> Result<Option<&'a Map<String, Value>>, Problem> {
            match section.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::Object(map)) => Ok(Some(map)),
                Some(other) => Err(Problem::WrongType {
                    field: format!("source configuration {key}"),
                    expected: "an object",
                    found: type_name(other),
                }),
            }
        };
        Ok(Row { cells, mapping: object("mapping")?, defaults: object("defaults")?, config })
    }

    /// The column `field` is mapped to: the mapping's, else a column with
    /// the field's own name.
    fn column(&self, field: &str) -> Option<&'a str> {
        match self.mapping {
            Some(mapping) => mapping.get(field).and_then(Value::as_str),
            None => self.cells.get_key_value(field).map(|(key, _)| key.as_str()),
        }
    }

    /// How errors name `field`: `amount`, or `amount (column "Total")`.
    fn label(&self, field: &str) -> String {
        match self.column(field) {
            Some(column) if column != field => format!("{field} (column {column:?})"),
            _ => field.to_owned(),
        }
    }

    /// The trimmed cell of `field`, else its default; `None` when both are
    /// absent or empty.
    fn get(&self, field: &str) -> Result<Option<&'a str>, Problem> {
        if let Some(column) = self.column(field) {
            let cell = match self.cells.get(column) {
                None => {
                    return Err(Problem::MissingField {
                        field: format!("column {column:?} (mapped to {field})"),
                    });
                }
                Some(Value::Null) => None,
                Some(Value::String(text)) => Some(text.trim()),
                Some(other) => {
                    return Err(Problem::WrongType {
                        field: self.label(field),
                        expected: "text",
                        found: type_name(other),
                    });
                }
            };
            if let Some(cell) = cell.filter(|c| !c.is_empty()) {
                return Ok(Some(cell));
            }
        }
        Ok(self
            .defaults
            .and_then(|defaults| defaults.get(field))
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|d| !d.is_empty()))
    }

    fn require(&self, field: &str) -> Result<&'a str, Problem> {
        self.get(field)?.ok_or_else(|| self.missing(field))
    }

    fn missing(&self, field: &str) -> Problem {
        match self.column(field) {
            Some(column) => Problem::MissingField { field: format!("{field} (empty in column {column:?})") },
            None => Problem::MissingField { field: format!("{field} (no column is mapped to it)") },
        }
    }

    fn negative(&self, field: &str) -> Problem {
        let value = self.get(field).ok().flatten().unwrap_or_default().to_owned();
        Problem::NegativeAmount { field: self.label(field), value }
    }

    fn timestamp(&self, field: &str) -> Result<Option<Timestamp>, Problem> {
        let Some(text) = self.get(field)? else {
            return Ok(None);
        };
        parse_csv_time(text)
            .map(Some)
            .ok_or_else(|| Problem::BadDateTime { field: self.label(field), value: text.to_owned() })
    }

    fn amount(&self, field: &str, currency: &str) -> Result<Option<Amount>, Problem> {
        let Some(text) = self.get(field)? else {
            return Ok(None);
        };
        Amount::parse_decimal(text, currency)
            .map(Some)
            .ok_or_else(|| Problem::BadAmount { field: self.label(field), value: text.to_owned() })
    }

    /// When customer traits were observed without an `updated_at` column.
    fn observed_at(&self) -> Result<Timestamp, Problem> {
        match self.config.get("observed_at") {
            Some(Value::String(text)) => Timestamp::parse(text).map_err(|_| Problem::BadTimestamp {
                field: "source configuration observed_at".to_owned(),
                value: text.clone(),
            }),
            _ => Err(Problem::MissingField {
                field: "updated_at (no column is mapped to it, and the source has no observed_at)".to_owned(),
            }),
        }
    }

    /// `(field, trait key)` of every `trait.<key>` field, mapped or (without
    /// a mapping) a column named so.
    fn trait_fields(&self) -> Vec<(&'a str, String)> {
        let keys: Box<dyn Iterator<Item = &'a String>> = match self.mapping {
            Some(mapping) => Box::new(mapping.keys()),
            None => Box::new(self.cells.keys()),
        };
        keys.filter_map(|field| {
            let key = snake_case(field.strip_prefix("trait.")?);
            (!key.is_empty()).then_some((field.as_str(), key))
        })
        .collect()
    }

    /// Non-empty cells of columns no field is mapped to.
    fn unmapped_cells(&self) -> impl Iterator<Item = (&'a str, &'a str)> + '_ {
        self.cells.iter().filter_map(move |(column, cell)| {
            let mapped = match self.mapping {
                Some(mapping) => mapping.values().any(|c| c.as_str() == Some(column)),
                None => csv_kind("events").is_some_and(|kind| kind.fields.contains(&column.as_str())),
            };
            let text = cell.as_str()?.trim();
            (!mapped && !text.is_empty()).then_some((column.as_str(), text))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::parse_csv_time;

    #[test]
    fn csv_times_take_three_forms() {
        let text = |s: &str| parse_csv_time(s).map(|t| t.to_string());
        assert_eq!(text("2026-03-01T10:00:00+01:00").as_deref(), Some("2026-03-01T09:00:00Z"));
        assert_eq!(text("2026-03-01").as_deref(), Some("2026-03-01T00:00:00Z"));
        assert_eq!(text("2026-03-01 10:11:12").as_deref(), Some("2026-03-01T10:11:12Z"));
        assert_eq!(text("2026-03-01T10:11:12").as_deref(), Some("2026-03-01T10:11:12Z"));
        for bad in ["01/03/2026", "2026-13-01", "yesterday", "2026-03-01 25:00:00", ""] {
            assert_eq!(text(bad), None, "{bad}");
        }
    }
}
