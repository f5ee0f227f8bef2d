//! Where each catalog name lives in the warehouse.
//!
//! The catalog says what a vocabulary may name; this module says where each
//! name is stored, by a fixed naming convention that the warehouse catalog
//! builder (`parlance-segments`) follows too:
//!
//! | name | stored in |
//! |---|---|
//! | `is_known` | `profiles.kind = 'person'` |
//! | `profile.id` | `profiles.id` |
//! | `trait.KEY` | the `traits` row with key `KEY` (the most recently observed one) |
//! | `survey.KEY` | the `traits` row with key `survey.KEY` (attitudinal answers) |
//! | `orders.*`, `returns.count`, `support.*`, `profile.*` | features computed from `orders`, `support_contacts`, `events` ([`FEATURES`]) |
//! | `value.total`, `value.tier`, `value.decile` | `profile_value` columns |
//! | `value.KEY` (any other) | the number `KEY` in `profile_value.components_json` |
//! | `stage` | the stages block's rules, evaluated inline |
//! | event `CHANNEL.NAME` | `events` rows with that `channel` and `name` |
//! | event property `at` | the date of `events.occurred_at` |
//! | event property `revenue` | `events.revenue` |
//! | event property `KEY` | `KEY` in `events.properties_json` |
//!
//! Keys and names reach SQL only as bound parameters (JSON paths included);
//! the only identifiers in generated SQL are the fixed table and column names
//! written in this crate.

use crate::catalog::FieldType;

/// A profile field's storage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldSource {
    /// `is_known`: a person rather than an anonymous visitor.
    IsKnown,
    /// `profile.id`: the profile's id, so a hand-picked set of profiles
    /// (a drill-down saved as a segment) can be written as a condition.
    ProfileId,
    /// A trait by its key in the `traits` table.
    Trait {
        /// The key, e.g. `city` or `survey.nps`.
        key: String,
    },
    /// A feature computed from the unified tables.
    Feature(Feature),
    /// A column of `profile_value`.
    Value(ValueColumn),
    /// A number in `profile_value.components_json`.
    ValueComponent {
        /// The component's key.
        key: String,
    },
    /// The lifecycle stage, from the stages block.
    Stage,
}

/// The columns of `profile_value` the vocabulary names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueColumn {
    /// `value.total`: the universal customer value.
    Total,
    /// `value.tier`.
    Tier,
    /// `value.decile`.
    Decile,
}

/// Features: per-profile facts computed from the unified tables when a
/// definition is evaluated, so they are always as of the evaluation date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Feature {
    /// Orders placed (cancelled ones excluded).
    OrderCount,
    /// Order amounts net of refunds.
    OrderTotal,
    /// The average order amount.
    OrderAverage,
    /// The date of the first order.
    FirstOrderAt,
    /// The date of the last order.
    LastOrderAt,
    /// Orders returned or (partly) refunded.
    ReturnCount,
    /// Support contacts.
    SupportContacts,
    /// The date of the last support contact.
    LastSupportAt,
    /// The date of the first event.
    FirstSeen,
    /// The date of the last event.
    LastSeen,
}

/// Every feature: its field path, type and what it is.
pub const FEATURES: &[(&str, Feature, &str)] = &[
    ("orders.count", Feature::OrderCount, "orders placed (cancelled ones excluded)"),
    ("orders.total", Feature::OrderTotal, "order amounts net of refunds"),
    ("orders.average", Feature::OrderAverage, "the average order amount"),
    ("orders.first_at", Feature::FirstOrderAt, "the date of the first order"),
    ("orders.last_at", Feature::LastOrderAt, "the date of the last order"),
    ("returns.count", Feature::ReturnCount, "orders returned or refunded, fully or partly"),
    ("support.contacts", Feature::SupportContacts, "support contacts, every channel"),
    ("support.last_at", Feature::LastSupportAt, "the date of the last support contact"),
    ("profile.first_seen", Feature::FirstSeen, "the date of the profile's first event"),
    ("profile.last_seen", Feature::LastSeen, "the date of the profile's last event"),
];

impl Feature {
    /// The feature's type.
    #[must_use]
    pub fn ty(self) -> FieldType {
        match self {
            Feature::OrderCount | Feature::ReturnCount | Feature::SupportContacts => FieldType::Number,
            Feature::OrderTotal | Feature::OrderAverage => FieldType::Money,
            Feature::FirstOrderAt
            | Feature::LastOrderAt
            | Feature::LastSupportAt
            | Feature::FirstSeen
            | Feature::LastSeen => FieldType::Date,
        }
    }
}

/// The fields every warehouse has, whatever its data: `is_known`,
/// `profile.id`, the features, and `value.total`, `value.tier`, `value.decile`.
#[must_use]
pub fn fixed_catalog() -> crate::catalog::Catalog {
    let mut catalog = crate::catalog::Catalog::new()
        .field("is_known", FieldType::Bool)
        .field("profile.id", FieldType::Number);
    for (path, feature, _) in FEATURES {
        catalog = catalog.field(*path, feature.ty());
    }
    catalog
        .field("value.total", FieldType::Money)
        .field("value.tier", FieldType::String)
        .field("value.decile", FieldType::Number)
}

/// Where the field `path` is stored, if it follows the naming convention.
#[must_use]
pub fn field_source(path: &str) -> Option<FieldSource> {
    if path == "is_known" {
        return Some(FieldSource::IsKnown);
    }
    if path == "stage" {
        return Some(FieldSource::Stage);
    }
    if path == "profile.id" {
        return Some(FieldSource::ProfileId);
    }
    if let Some((_, feature, _)) = FEATURES.iter().find(|(p, _, _)| *p == path) {
        return Some(FieldSource::Feature(*feature));
    }
    if let Some(key) = path.strip_prefix("trait.") {
        return (!key.is_empty()).then(|| FieldSource::Trait { key: key.to_owned() });
    }
    if path.starts_with("survey.") {
        return Some(FieldSource::Trait { key: path.to_owned() });
    }
    if let Some(key) = path.strip_prefix("value.") {
        return Some(match key {
            "total" => FieldSource::Value(ValueColumn::Total),
            "tier" => FieldSource::Value(ValueColumn::Tier),
            "decile" => FieldSource::Value(ValueColumn::Decile),
            "" => return None,
            other => FieldSource::ValueComponent { key: other.to_owned() },
        });
    }
    None
}

/// The field path under which a trait key is named: `survey.*` keys as they
/// are, every other key as `trait.KEY`.
#[must_use]
pub fn trait_field(key: &str) -> String {
    if key.starts_with("survey.") { key.to_owned() } else { format!("trait.{key}") }
}

/// `(channel, name)` of an event type `CHANNEL.NAME`.
#[must_use]
pub fn event_source(event: &str) -> Option<(&str, &str)> {
    let (channel, name) = event.split_once('.')?;
    (!channel.is_empty() && !name.is_empty()).then_some((channel, name))
}

/// Whether `name` can be written in the language: identifiers joined by dots.
#[must_use]
pub fn is_nameable(name: &str) -> bool {
    !name.is_empty()
        && name.split('.').all(|part| {
            let mut chars = part.chars();
            chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
}

/// The JSON path of a top-level key, as bound to `json_extract`.
#[must_use]
pub fn json_path(key: &str) -> String {
    let mut out = String::from("$.\"");
    for c in key.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn naming_convention() {
        assert_eq!(field_source("trait.city"), Some(FieldSource::Trait { key: "city".into() }));
        assert_eq!(field_source("survey.nps"), Some(FieldSource::Trait { key: "survey.nps".into() }));
        assert_eq!(field_source("value.tier"), Some(FieldSource::Value(ValueColumn::Tier)));
        assert_eq!(
            field_source("value.cost_to_serve"),
            Some(FieldSource::ValueComponent { key: "cost_to_serve".into() })
        );
        assert_eq!(field_source("orders.count"), Some(FieldSource::Feature(Feature::OrderCount)));
        assert_eq!(field_source("profile.id"), Some(FieldSource::ProfileId));
        assert_eq!(field_source("rfm.recency"), None);
        assert_eq!(event_source("email.opened"), Some(("email", "opened")));
        assert_eq!(event_source("order"), None);
        assert_eq!(trait_field("email.status"), "trait.email.status");
        assert!(is_nameable("email.status") && !is_nameable("a-b") && !is_nameable("1a") && !is_nameable(""));
        assert_eq!(json_path("a\"b"), "$.\"a\\\"b\"");
    }
}
