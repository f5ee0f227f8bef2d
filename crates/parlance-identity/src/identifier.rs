use std::fmt;

use serde::{Deserialize, Serialize};

use crate::Rules;

/// The kinds of identifier a record can carry, in the warehouse's text form:
/// `email`, `phone`, `anonymous_id`, `device_id`, `customer_id:<source>`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum IdKind {
    Email,
    Phone,
    /// A web analytics cookie / anonymous id.
    AnonymousId,
    /// A mobile or hardware device id.
    DeviceId,
    /// A tool's own customer id; the string names the source (`demo-shop`).
    CustomerId(String),
}

impl IdKind {
    /// Anonymous and device ids alone make an anonymous-visitor profile.
    pub fn is_anonymous(&self) -> bool {
        matches!(self, IdKind::AnonymousId | IdKind::DeviceId)
    }

    /// The name rules use for this kind: `customer_id` for every source.
    pub fn family(&self) -> &'static str {
        match self {
            IdKind::Email => "email",
            IdKind::Phone => "phone",
            IdKind::AnonymousId => "anonymous_id",
            IdKind::DeviceId => "device_id",
            IdKind::CustomerId(_) => "customer_id",
        }
    }

    pub fn parse(text: &str) -> Option<IdKind> {
        Some(match text {
            "email" => IdKind::Email,
            "phone" => IdKind::Phone,
            "anonymous_id" => IdKind::AnonymousId,
            "device_id" => IdKind::DeviceId,
            other => {
                IdKind::CustomerId(other.strip_prefix("customer_id:").filter(|s| !s.is_empty())?.to_owned())
            }
        })
    }
}

impl fmt::Display for IdKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdKind::CustomerId(source) => write!(f, "customer_id:{source}"),
            other => f.write_str(other.family()),
        }
    }
}

impl From<IdKind> for String {
    fn from(k: IdKind) -> String {
        k.to_string()
    }
}

impl TryFrom<String> for IdKind {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        IdKind::parse(&s).ok_or_else(|| format!("unknown identifier kind {s:?}"))
    }
}

/// An identifier as a record carries it, before normalisation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawIdentifier {
    pub kind: IdKind,
    pub value: String,
}

impl RawIdentifier {
    pub fn new(kind: IdKind, value: impl Into<String>) -> Self {
        Self { kind, value: value.into() }
    }
}

/// A normalised identifier: equal values mean the same identifier.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Identifier {
    pub kind: IdKind,
    pub value: String,
}

/// Why a raw identifier was not used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    #[error("{kind} is empty")]
    Empty { kind: IdKind },
    #[error("{kind} {value:?} is blocked ({why})")]
    Blocked { kind: IdKind, value: String, why: String },
    #[error("{kind} {value:?} is malformed ({why})")]
    Malformed { kind: IdKind, value: String, why: String },
}

/// The canonical form of `raw` under `rules`, or why it cannot be used.
///
/// - email: trimmed and lower-cased; must have one `@` with text both sides;
/// - phone: E.164 (`+447700900123`), national numbers read in the rules'
///   default region;
/// - ids: trimmed, compared exactly.
///
/// Then the blocked-value rules apply to the canonical form.
pub fn normalise(raw: &RawIdentifier, rules: &Rules) -> Result<Identifier, Rejection> {
    let kind = raw.kind.clone();
    let trimmed = raw.value.trim();
    if trimmed.is_empty() {
        return Err(Rejection::Empty { kind });
    }
    let value = match &kind {
        IdKind::Email => email(trimmed).map_err(|why| Rejection::Malformed {
            kind: kind.clone(),
            value: trimmed.to_owned(),
            why: why.to_owned(),
        }),
        IdKind::Phone => phone(trimmed, rules).map_err(|why| Rejection::Malformed {
            kind: kind.clone(),
            value: trimmed.to_owned(),
            why,
        }),
        _ => Ok(trimmed.to_owned()),
    };
    // A blocked placeholder ("null", "anonymous") is reported as blocked even
    // where it is also malformed as an email: that is the useful reason.
    if let Some(why) = rules.blocked(&kind, value.as_deref().unwrap_or(trimmed)) {
        return Err(Rejection::Blocked { kind, value: trimmed.to_owned(), why });
    }
    Ok(Identifier { kind, value: value? })
}

fn email(text: &str) -> Result<String, &'static str> {
    let lower = text.to_lowercase();
    let mut parts = lower.split('@');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(local), Some(domain), None)
            if !local.is_empty() && domain.contains('.') && !domain.ends_with('.') =>
        {
            if lower.chars().any(char::is_whitespace) { Err("contains a space") } else { Ok(lower) }
        }
        _ => Err("not of the form name@domain"),
    }
}

fn phone(text: &str, rules: &Rules) -> Result<String, String> {
    let parsed = phonenumber::parse(Some(rules.default_region), text).map_err(|e| e.to_string())?;
    // Possible, not necessarily allocated: linking needs one canonical form,
    // and numbering plans change faster than users' address books.
    let e164 = parsed.format().mode(phonenumber::Mode::E164).to_string();
    let digits = e164.chars().filter(char::is_ascii_digit).count();
    if !(8..=15).contains(&digits) {
        return Err(format!("{digits} digits is not a possible phone number length"));
    }
    Ok(e164)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(kind: IdKind, value: &str) -> Result<String, String> {
        normalise(&RawIdentifier::new(kind, value), &Rules::default())
            .map(|i| i.value)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn emails_are_trimmed_and_lower_cased() {
        assert_eq!(
            norm(IdKind::Email, "  Anna.Smith12@Mailbox.Demo "),
            Ok("anna.smith12@mailbox.demo".into())
        );
        assert!(norm(IdKind::Email, "anna.smith").unwrap_err().contains("not of the form"));
    }

    #[test]
    fn phones_become_e164_in_the_default_region() {
        assert_eq!(norm(IdKind::Phone, "07700 900123"), Ok("+447700900123".into()));
        assert_eq!(norm(IdKind::Phone, "+44 7700 900123"), Ok("+447700900123".into()));
        assert_eq!(norm(IdKind::Phone, "0044 7700 900123"), Ok("+447700900123".into()));
        assert!(norm(IdKind::Phone, "12").is_err());
    }

    #[test]
    fn placeholders_and_test_domains_are_blocked() {
        assert!(norm(IdKind::Email, "null").unwrap_err().contains("blocked"));
        assert!(norm(IdKind::Email, "test@example.com").unwrap_err().contains("blocked"));
        assert!(norm(IdKind::AnonymousId, "anonymous").unwrap_err().contains("blocked"));
        assert!(norm(IdKind::Email, "   ").unwrap_err().contains("empty"));
    }

    #[test]
    fn kinds_round_trip_through_text() {
        for kind in [
            IdKind::Email,
            IdKind::Phone,
            IdKind::AnonymousId,
            IdKind::DeviceId,
            IdKind::CustomerId("demo-shop".into()),
        ] {
            assert_eq!(IdKind::parse(&kind.to_string()), Some(kind));
        }
        assert_eq!(IdKind::parse("customer_id:"), None);
        assert_eq!(IdKind::parse("shoe_size"), None);
    }
}
