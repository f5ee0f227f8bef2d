//! Finding a profile from what a person types: a profile id, an email in
//! any case, a phone in any format, a cookie or customer id, or an explicit
//! `KIND:VALUE`. Values are normalised exactly as resolution normalises
//! them, so whatever linked the records finds the profile.

use std::collections::BTreeMap;

use parlance_warehouse::{Connection, OptionalExtension, SqliteError, params};

use crate::explain::live_profile;
use crate::{IdKind, Identifier, ProfileId, RawIdentifier, Rules, normalise};

/// How a query found its profile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    /// The live profile.
    pub profile: ProfileId,
    /// What matched, for people: `profile 12`, `profile 12 (merged into 7)`,
    /// `email anna@mail.demo`.
    pub matched: String,
}

#[derive(Debug, thiserror::Error)]
pub enum LookupError {
    #[error("nothing to look up: give a profile id, an email, a phone number or another identifier")]
    Empty,
    #[error("no profile matches {query:?} (searched {})", .searched.join("; "))]
    NotFound { query: String, searched: Vec<String> },
    #[error("{query:?} matches several profiles: {}; name one with KIND:VALUE or a profile id", list(.matches))]
    Ambiguous { query: String, matches: Vec<(Identifier, ProfileId)> },
    #[error("looking up {query:?}: {source}")]
    Sqlite { query: String, source: SqliteError },
}

fn list(matches: &[(Identifier, ProfileId)]) -> String {
    matches
        .iter()
        .map(|(id, p)| format!("{} {} → profile {p}", id.kind, id.value))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Finds the live profile `query` names.
///
/// In order: `KIND:VALUE` (`email:Anna@Mail.demo`, `customer_id:demo-shop:42`)
/// looks up that identifier only; a whole number that is a profile id is
/// that profile (a merged-away id leads to the profile it was merged into);
/// otherwise the text is tried as an email and as a phone number
/// (normalised), and as the exact value of any other identifier.
pub fn find_profile(conn: &Connection, rules: &Rules, query: &str) -> Result<Found, LookupError> {
    let text = query.trim();
    if text.is_empty() {
        return Err(LookupError::Empty);
    }
    let sql = |source| LookupError::Sqlite { query: text.to_owned(), source };
    let mut searched = Vec::new();
    let mut candidates: Vec<Identifier> = Vec::new();
    if let Some(raw) = explicit(text) {
        match normalise(&raw, rules) {
            Ok(id) => candidates.push(id),
            Err(why) => searched.push(format!("{} (not usable: {why})", raw.kind)),
        }
    } else {
        if let Ok(id) = text.trim_start_matches('#').parse::<ProfileId>() {
            match live_profile(conn, id).map_err(sql)? {
                Some(live) if live == id => {
                    return Ok(Found { profile: id, matched: format!("profile {id}") });
                }
                Some(live) => {
                    return Ok(Found {
                        profile: live,
                        matched: format!("profile {id} (merged into {live})"),
                    });
                }
                None => searched.push(format!("profile id {id}")),
            }
        }
        for kind in [IdKind::Email, IdKind::Phone] {
            if kind == IdKind::Email && !text.contains('@') {
                continue;
            }
            if let Ok(id) = normalise(&RawIdentifier::new(kind.clone(), text), rules) {
                candidates.push(id);
            }
        }
    }
    let mut found: BTreeMap<ProfileId, Vec<Identifier>> = BTreeMap::new();
    for id in &candidates {
        searched.push(format!("{} {}", id.kind, id.value));
        if let Some(p) = owner(conn, id).map_err(sql)? {
            found.entry(p).or_default().push(id.clone());
        }
    }
    if explicit(text).is_none() {
        // The exact value under any other kind (cookie ids, customer ids).
        searched.push(format!("any identifier equal to {text:?}"));
        let mut stmt = conn
            .prepare_cached("SELECT kind, value, profile_id FROM identifiers WHERE value = ?1")
            .map_err(sql)?;
        let rows = stmt
            .query_map([text], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?)))
            .map_err(sql)?;
        for row in rows {
            let (kind, value, p) = row.map_err(sql)?;
            if let Some(kind) = IdKind::parse(&kind) {
                let id = Identifier { kind, value };
                let ids = found.entry(p).or_default();
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
        }
    }
    let mut matches = found.into_iter();
    match (matches.next(), matches.next()) {
        (None, _) => Err(LookupError::NotFound { query: text.to_owned(), searched }),
        (Some((profile, ids)), None) => {
            let matched =
                ids.iter().map(|id| format!("{} {}", id.kind, id.value)).collect::<Vec<_>>().join(", ");
            Ok(Found { profile, matched })
        }
        (Some(first), Some(second)) => {
            let all = [first, second]
                .into_iter()
                .chain(matches)
                .flat_map(|(p, ids)| ids.into_iter().map(move |id| (id, p)))
                .collect();
            Err(LookupError::Ambiguous { query: text.to_owned(), matches: all })
        }
    }
}

/// `KIND:VALUE` with a known kind (`email:Anna@Mail.demo`, `phone:07700 900123`,
/// `anonymous_id:abc`, `device_id:abc`, `customer_id:SOURCE:VALUE`), as a raw identifier.
pub fn parse_identifier(text: &str) -> Option<RawIdentifier> {
    explicit(text.trim())
}

fn explicit(text: &str) -> Option<RawIdentifier> {
    let (kind, value) = if let Some(rest) = text.strip_prefix("customer_id:") {
        let (source, value) = rest.split_once(':')?;
        (IdKind::CustomerId(source.to_owned()), value)
    } else {
        let (kind, value) = text.split_once(':')?;
        (IdKind::parse(kind).filter(|k| !matches!(k, IdKind::CustomerId(_)))?, value)
    };
    Some(RawIdentifier::new(kind, value))
}

fn owner(conn: &Connection, id: &Identifier) -> Result<Option<ProfileId>, SqliteError> {
    conn.prepare_cached("SELECT profile_id FROM identifiers WHERE kind = ?1 AND value = ?2")?
        .query_row(params![id.kind.to_string(), id.value], |r| r.get(0))
        .optional()
}

/// One profile found by [`search_profiles`], with the identifiers that matched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchHit {
    pub profile: ProfileId,
    pub matched: Vec<Identifier>,
}

/// Profiles holding an identifier whose value starts with `text` (emails
/// compared in lower case; a phone typed nationally, `07700 9…`, is also
/// tried in E.164 form). At most `limit` profiles, lowest id first.
pub fn search_profiles(
    conn: &Connection,
    rules: &Rules,
    text: &str,
    limit: usize,
) -> Result<Vec<SearchHit>, LookupError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(LookupError::Empty);
    }
    let sql = |source| LookupError::Sqlite { query: text.to_owned(), source };
    let mut prefixes = vec![text.to_owned()];
    let lower = text.to_lowercase();
    if lower != text {
        prefixes.push(lower);
    }
    if let Some(phone) = phone_prefix(text, rules) {
        prefixes.push(phone);
    }
    let mut found: BTreeMap<ProfileId, Vec<Identifier>> = BTreeMap::new();
    // A prefix range on the value index: [prefix, prefix + U+10FFFF).
    let mut stmt = conn
        .prepare_cached(
            "SELECT kind, value, profile_id FROM identifiers
              WHERE value >= ?1 AND value < ?1 || char(1114111) ORDER BY value LIMIT ?2",
        )
        .map_err(sql)?;
    for prefix in &prefixes {
        let rows = stmt
            .query_map(params![prefix, (limit * 8 + 8) as i64], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?))
            })
            .map_err(sql)?;
        for row in rows {
            let (kind, value, p) = row.map_err(sql)?;
            if let Some(kind) = IdKind::parse(&kind) {
                let id = Identifier { kind, value };
                let ids = found.entry(p).or_default();
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
        }
    }
    Ok(found.into_iter().take(limit).map(|(profile, matched)| SearchHit { profile, matched }).collect())
}

/// A national phone prefix in E.164 form: "07700 9" → "+4477009" (default
/// region GB). `None` unless the text looks like the start of a phone number.
fn phone_prefix(text: &str, rules: &Rules) -> Option<String> {
    if !text.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c)) {
        return None;
    }
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    if digits.len() < 3 {
        return None;
    }
    if text.trim_start().starts_with('+') {
        return Some(format!("+{digits}"));
    }
    if let Some(national) = digits.strip_prefix("00") {
        return Some(format!("+{national}"));
    }
    let code = phonenumber::metadata::DATABASE.by_id(rules.default_region.as_ref())?.country_code();
    Some(match digits.strip_prefix('0') {
        Some(national) => format!("+{code}{national}"),
        None => format!("+{digits}"),
    })
}
