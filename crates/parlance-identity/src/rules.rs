use regex::Regex;

use crate::IdKind;

/// How identifiers link records into profiles. Configurable; the defaults
/// are documented on each field.
#[derive(Clone, Debug)]
pub struct Rules {
    /// Identifier families from most to least trusted. When a record's
    /// identifiers point at profiles that may not merge, the record joins
    /// the profile of its most trusted identifier.
    /// Default: customer_id, email, phone, device_id, anonymous_id.
    pub priority: Vec<&'static str>,
    /// Most identifiers of one kind a profile may hold; a record that would
    /// exceed a limit does not merge. Default: one customer id per source.
    pub limits: Vec<(&'static str, usize)>,
    /// Exact canonical values never used to link (case-insensitive).
    /// Default: "", "null", "none", "undefined", "anonymous", "unknown", "n/a", "0".
    pub blocked_values: Vec<String>,
    /// Email domains never used to link. Default: example.com/.org/.net,
    /// test.com, mailinator.com, and any domain ending in `.test` or `.invalid`.
    pub blocked_email_domains: Vec<String>,
    /// Patterns (matched against the canonical value) never used to link.
    pub blocked_patterns: Vec<Regex>,
    /// Region for national phone numbers (ISO 3166 alpha-2). Default: GB.
    pub default_region: phonenumber::country::Id,
}

impl Default for Rules {
    fn default() -> Self {
        Self {
            priority: vec!["customer_id", "email", "phone", "device_id", "anonymous_id"],
            limits: vec![("customer_id", 1)],
            blocked_values: ["", "null", "none", "undefined", "anonymous", "unknown", "n/a", "0"]
                .map(String::from)
                .to_vec(),
            blocked_email_domains: [
                "example.com",
                "example.org",
                "example.net",
                "test.com",
                "mailinator.com",
            ]
            .map(String::from)
            .to_vec(),
            blocked_patterns: Vec::new(),
            default_region: phonenumber::country::Id::GB,
        }
    }
}

impl Rules {
    /// Why `value` (canonical) of `kind` is blocked, or `None` if usable.
    pub fn blocked(&self, kind: &IdKind, value: &str) -> Option<String> {
        let lower = value.to_lowercase();
        if self.blocked_values.contains(&lower) {
            return Some("a placeholder value".into());
        }
        if *kind == IdKind::Email {
            let domain = lower.rsplit('@').next().unwrap_or("");
            if domain.ends_with(".test")
                || domain.ends_with(".invalid")
                || self.blocked_email_domains.iter().any(|d| d == domain)
            {
                return Some(format!("test domain {domain}"));
            }
        }
        self.blocked_patterns
            .iter()
            .find(|p| p.is_match(value))
            .map(|p| format!("matches blocked pattern {}", p.as_str()))
    }

    /// The limit for `kind`'s family, if any.
    pub fn limit(&self, kind: &IdKind) -> Option<usize> {
        self.limits.iter().find(|(family, _)| *family == kind.family()).map(|(_, n)| *n)
    }

    /// Lower is more trusted; unknown families come last.
    pub fn rank(&self, kind: &IdKind) -> usize {
        self.priority.iter().position(|f| *f == kind.family()).unwrap_or(self.priority.len())
    }
}
