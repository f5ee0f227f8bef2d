//! The catalog: what a vocabulary may name.
//!
//! The checker knows nothing of the warehouse; the caller describes it with a
//! [`Catalog`]: typed profile fields (traits, survey answers, features, value
//! and its components, `stage`, `is_known`), events and their properties, and
//! the segments and scores defined elsewhere in the vocabulary. Definitions in
//! the file being checked shadow catalog entries of the same name, since the
//! file is the newer text.

use std::collections::BTreeMap;
use std::fmt;

use crate::ast::DefinitionKind;
use crate::graph::DefRef;

/// The type of a field or event property.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum FieldType {
    /// A plain number (counts, scores, NPS).
    Number,
    /// An amount of money in the warehouse currency.
    Money,
    /// Text.
    String,
    /// A calendar date (timestamps compare by their date).
    Date,
    /// True or false.
    Bool,
    /// Text restricted to the listed values.
    Enum(Vec<String>),
    /// A list of values (e.g. interests).
    List(Box<FieldType>),
}

impl FieldType {
    /// An enum of the given values.
    #[must_use]
    pub fn enumeration<I, S>(values: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        FieldType::Enum(values.into_iter().map(Into::into).collect())
    }

    /// A list of `element`.
    #[must_use]
    pub fn list(element: FieldType) -> Self {
        FieldType::List(Box::new(element))
    }
}

impl fmt::Display for FieldType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldType::Number => f.write_str("number"),
            FieldType::Money => f.write_str("money"),
            FieldType::String => f.write_str("string"),
            FieldType::Date => f.write_str("date"),
            FieldType::Bool => f.write_str("bool"),
            FieldType::Enum(values) => write!(f, "enum({})", values.join(", ")),
            FieldType::List(e) => write!(f, "list({e})"),
        }
    }
}

/// A profile field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    /// Its dotted path, e.g. `trait.city`.
    pub path: String,
    /// Its type.
    pub ty: FieldType,
}

/// An event type and its properties. Every event also has `at`, its date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventType {
    /// Its dotted name, e.g. `email.opened`.
    pub name: String,
    /// Property name to type.
    pub properties: BTreeMap<String, FieldType>,
}

impl EventType {
    /// The type of a property; `at` is every event's date.
    #[must_use]
    pub fn property(&self, name: &str) -> Option<FieldType> {
        if name == "at" {
            return Some(FieldType::Date);
        }
        self.properties.get(name).cloned()
    }

    /// Property names, `at` included.
    pub fn property_names(&self) -> impl Iterator<Item = &str> {
        std::iter::once("at").chain(self.properties.keys().map(String::as_str))
    }
}

/// Everything a vocabulary file may refer to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Catalog {
    fields: BTreeMap<String, Field>,
    events: BTreeMap<String, EventType>,
    /// Segments and scores defined elsewhere, with what they depend on.
    definitions: BTreeMap<DefRef, Vec<DefRef>>,
    /// Definitions from elsewhere marked `deprecated`, with the note.
    deprecated: BTreeMap<DefRef, String>,
}

impl Catalog {
    /// An empty catalog.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) a profile field.
    #[must_use]
    pub fn field(mut self, path: impl Into<String>, ty: FieldType) -> Self {
        let path = path.into();
        self.fields.insert(path.clone(), Field { path, ty });
        self
    }

    /// Adds (or replaces) an event type with its properties.
    #[must_use]
    pub fn event<'a>(
        mut self,
        name: impl Into<String>,
        properties: impl IntoIterator<Item = (&'a str, FieldType)>,
    ) -> Self {
        let name = name.into();
        let properties = properties.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        self.events.insert(name.clone(), EventType { name, properties });
        self
    }

    /// Adds a segment defined elsewhere in the vocabulary.
    #[must_use]
    pub fn segment(self, name: impl Into<String>) -> Self {
        self.definition(DefRef::new(DefinitionKind::Segment, name), [])
    }

    /// Adds a score defined elsewhere in the vocabulary.
    #[must_use]
    pub fn score(self, name: impl Into<String>) -> Self {
        self.definition(DefRef::new(DefinitionKind::Score, name), [])
    }

    /// Adds a definition from elsewhere with the definitions it references, so
    /// that cycles through other files are found too.
    #[must_use]
    pub fn definition(mut self, def: DefRef, depends_on: impl IntoIterator<Item = DefRef>) -> Self {
        self.definitions.insert(def, depends_on.into_iter().collect());
        self
    }

    /// Marks a definition from elsewhere as deprecated, with its note; the
    /// checker warns where it is referenced.
    #[must_use]
    pub fn deprecated(mut self, def: DefRef, note: impl Into<String>) -> Self {
        self.deprecated.insert(def, note.into());
        self
    }

    /// The deprecation note of a definition from elsewhere, if it is deprecated.
    #[must_use]
    pub fn deprecation(&self, def: &DefRef) -> Option<&str> {
        self.deprecated.get(def).map(String::as_str)
    }

    /// A field by path.
    #[must_use]
    pub fn get_field(&self, path: &str) -> Option<&Field> {
        self.fields.get(path)
    }

    /// Every field, by path.
    pub fn fields(&self) -> impl Iterator<Item = &Field> {
        self.fields.values()
    }

    /// An event type by name.
    #[must_use]
    pub fn get_event(&self, name: &str) -> Option<&EventType> {
        self.events.get(name)
    }

    /// Every event type, by name.
    pub fn events(&self) -> impl Iterator<Item = &EventType> {
        self.events.values()
    }

    /// Whether a definition from elsewhere exists.
    #[must_use]
    pub fn has_definition(&self, def: &DefRef) -> bool {
        self.definitions.contains_key(def)
    }

    /// What a definition from elsewhere references.
    #[must_use]
    pub fn dependencies(&self, def: &DefRef) -> &[DefRef] {
        self.definitions.get(def).map_or(&[], Vec::as_slice)
    }

    /// Names of the definitions of `kind` from elsewhere.
    pub fn names(&self, kind: DefinitionKind) -> impl Iterator<Item = &str> {
        self.definitions.keys().filter(move |d| d.kind == kind).map(|d| d.name.as_str())
    }

    /// The catalog of the demo company: the fields and events the synthetic
    /// omnichannel data set has. Used by tests, examples and the app's
    /// first-run experience.
    #[must_use]
    pub fn demo() -> Self {
        use FieldType::{Bool, Date, Money, Number, String as Text};
        let channel = || FieldType::enumeration(["web", "store", "app"]);
        Catalog::new()
            // Identity.
            .field("is_known", Bool)
            .field("profile.first_seen", Date)
            .field("profile.last_seen", Date)
            // Traits.
            .field("trait.city", Text)
            .field("trait.country", Text)
            .field("trait.email", Text)
            .field("trait.birthday", Date)
            .field("trait.email_opt_in", Bool)
            .field("trait.language", FieldType::enumeration(["en", "fr", "de", "es", "nl"]))
            .field("trait.interests", FieldType::list(Text))
            // Attitudinal answers.
            .field("survey.nps", Number)
            .field(
                "survey.satisfaction",
                FieldType::enumeration(["very_unhappy", "unhappy", "neutral", "happy", "very_happy"]),
            )
            .field("survey.answered_at", Date)
            // Features.
            .field("orders.count", Number)
            .field("orders.total", Money)
            .field("orders.average", Money)
            .field("orders.first_at", Date)
            .field("orders.last_at", Date)
            .field("returns.count", Number)
            .field("support.contacts", Number)
            .field("email.opens_30d", Number)
            .field("web.sessions_30d", Number)
            .field("rfm.recency", Number)
            .field("rfm.frequency", Number)
            .field("rfm.monetary", Number)
            // The universal value and its components.
            .field("value.total", Money)
            .field("value.purchases", Number)
            .field("value.margin", Money)
            .field("value.cost_to_serve", Money)
            .field("value.probability_alive", Number)
            .field("value.tier", FieldType::enumeration(["top", "high", "medium", "low"]))
            .field("value.decile", Number)
            // Lifecycle stage (overridden by a stages block in the file).
            .field(
                "stage",
                FieldType::enumeration(["acquisition", "conversion", "retention", "win_back", "lapsed"]),
            )
            // Events.
            .event(
                "order",
                [
                    ("amount", Money),
                    ("margin", Money),
                    ("currency", Text),
                    ("channel", channel()),
                    ("category", Text),
                    ("items", Number),
                ],
            )
            .event("order.returned", [("amount", Money), ("reason", Text)])
            .event("cart.added", [("product", Text), ("category", Text), ("amount", Money)])
            .event("email.sent", [("campaign", Text), ("subject", Text)])
            .event("email.opened", [("campaign", Text), ("subject", Text)])
            .event("email.click", [("campaign", Text), ("url", Text)])
            .event(
                "web.session",
                [("source", Text), ("medium", Text), ("pages", Number), ("seconds", Number)],
            )
            .event(
                "web.page_view",
                [
                    ("url", Text),
                    ("page_type", Text),
                    ("category", Text),
                    ("depth", Number),
                    ("seconds", Number),
                ],
            )
            .event("web.product_view", [("product", Text), ("category", Text), ("price", Money)])
            .event("web.video_play", [("video", Text), ("seconds", Number)])
            .event("web.search", [("query", Text)])
            .event("store.visit", [("store", Text)])
            .event("app.open", [("platform", FieldType::enumeration(["ios", "android"]))])
            .event(
                "support.contact",
                [
                    ("channel", FieldType::enumeration(["phone", "email", "chat"])),
                    ("reason", Text),
                    ("minutes", Number),
                ],
            )
            .event("survey.answered", [("survey", Text), ("score", Number)])
            // Segments kept in other files of the demo vocabulary.
            .segment("newsletter_subscribers")
            .segment("store_regulars")
    }
}
