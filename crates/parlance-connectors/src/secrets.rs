//! API tokens: kept in the OS keychain, never in SQLite, logs or errors.
//!
//! [`SecretStore`] is the seam: [`KeychainStore`] is the real one (macOS
//! Keychain Services, Windows Credential Manager, the Secret Service on
//! Linux), [`MemoryStore`] serves tests. When the keychain is unavailable (a
//! headless Linux box without a Secret Service, a locked keychain) the
//! documented fallback is an environment variable,
//! `PARLANCE_TOKEN_<SOURCE_NAME_UPPER_SNAKE>`, read at sync time and never
//! written anywhere. [`resolve_token`] applies that rule and, when neither
//! works, says so naming both the problem and the variable.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

/// A secret token. Its `Debug` is redacted and it has no `Display`, so it
/// cannot slip into a log line or an error message by formatting.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into())
    }

    /// The secret itself, for the one place that needs it: a request header.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// `text` with every occurrence of the token replaced by `[redacted]`:
    /// a last line of defence for messages echoed by an API.
    pub fn scrub(&self, text: &str) -> String {
        if self.0.is_empty() { text.to_owned() } else { text.replace(&self.0, "[redacted]") }
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token([redacted])")
    }
}

/// Why a token could not be had. Messages never contain a token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    #[error(
        "source {source_name}: the OS keychain is unavailable ({detail}); set the environment variable {env_var} to give the token for this run (it is read at sync time and never stored)"
    )]
    KeychainUnavailable { source_name: String, detail: String, env_var: String },

    #[error(
        "source {source_name}: no token is stored — connect the source again (or set {env_var} for this run)"
    )]
    Missing { source_name: String, env_var: String },

    #[error("source {source_name}: the stored token is unreadable ({detail}) — connect the source again")]
    Unreadable { source_name: String, detail: String },

    #[error("source {source_name}: the token is empty")]
    Empty { source_name: String },
}

/// Where tokens live, keyed by source name.
pub trait SecretStore: Send + Sync + std::fmt::Debug {
    /// The token of `source_name`, `Ok(None)` when none is stored.
    fn get(&self, source_name: &str) -> Result<Option<Token>, SecretError>;
    fn set(&self, source_name: &str, token: &Token) -> Result<(), SecretError>;
    /// Forgets the token; forgetting a missing token is not an error.
    fn delete(&self, source_name: &str) -> Result<(), SecretError>;
}

/// The environment variable that supplies `source_name`'s token when the
/// keychain cannot: `shopify-main` → `PARLANCE_TOKEN_SHOPIFY_MAIN`.
pub fn env_var_name(source_name: &str) -> String {
    let snake: String = source_name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' })
        .collect();
    format!("PARLANCE_TOKEN_{snake}")
}

/// The token for `source_name`: from `store`, or — when the store has none or
/// is unavailable — from the environment variable named by [`env_var_name`],
/// looked up through `env` (pass `|name| std::env::var(name).ok()`).
pub fn resolve_token(
    store: &dyn SecretStore,
    source_name: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Token, SecretError> {
    let env_var = env_var_name(source_name);
    let from_env = || env(&env_var).filter(|t| !t.trim().is_empty()).map(Token::new);
    let token = match store.get(source_name) {
        Ok(Some(token)) => token,
        Ok(None) => from_env().ok_or_else(|| SecretError::Missing {
            source_name: source_name.to_owned(),
            env_var: env_var.clone(),
        })?,
        Err(unavailable @ SecretError::KeychainUnavailable { .. }) => from_env().ok_or(unavailable)?,
        Err(other) => return Err(other),
    };
    if token.expose().trim().is_empty() {
        return Err(SecretError::Empty { source_name: source_name.to_owned() });
    }
    Ok(token)
}

/// The OS keychain, one entry per source under the service `parlance`.
#[derive(Debug, Clone)]
pub struct KeychainStore {
    service: String,
}

impl KeychainStore {
    pub const SERVICE: &'static str = "parlance";

    pub fn new() -> Self {
        Self { service: Self::SERVICE.to_owned() }
    }

    /// A store under another service name (to keep test entries apart).
    pub fn with_service(service: &str) -> Self {
        Self { service: service.to_owned() }
    }

    fn entry(&self, source_name: &str) -> Result<keyring::Entry, SecretError> {
        keyring::Entry::new(&self.service, source_name).map_err(|e| keychain_error(source_name, &e))
    }
}

impl Default for KeychainStore {
    fn default() -> Self {
        Self::new()
    }
}

impl SecretStore for KeychainStore {
    fn get(&self, source_name: &str) -> Result<Option<Token>, SecretError> {
        match self.entry(source_name)?.get_password() {
            Ok(secret) => Ok(Some(Token::new(secret))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(keychain_error(source_name, &e)),
        }
    }

    fn set(&self, source_name: &str, token: &Token) -> Result<(), SecretError> {
        self.entry(source_name)?.set_password(token.expose()).map_err(|e| keychain_error(source_name, &e))
    }

    fn delete(&self, source_name: &str) -> Result<(), SecretError> {
        match self.entry(source_name)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(keychain_error(source_name, &e)),
        }
    }
}

/// Maps a keychain error to ours without ever formatting a secret (a
/// `BadEncoding` error carries the stored bytes).
fn keychain_error(source_name: &str, error: &keyring::Error) -> SecretError {
    let unavailable = |detail: String| SecretError::KeychainUnavailable {
        source_name: source_name.to_owned(),
        detail,
        env_var: env_var_name(source_name),
    };
    match error {
        keyring::Error::PlatformFailure(e) => unavailable(format!("platform failure: {e}")),
        keyring::Error::NoStorageAccess(e) => unavailable(format!("no access: {e}")),
        keyring::Error::BadEncoding(_) => {
            SecretError::Unreadable { source_name: source_name.to_owned(), detail: "not UTF-8 text".into() }
        }
        keyring::Error::Ambiguous(_) => SecretError::Unreadable {
            source_name: source_name.to_owned(),
            detail: "several keychain entries match".into(),
        },
        keyring::Error::TooLong(attribute, limit) => {
            unavailable(format!("the {attribute} is longer than the keychain's limit of {limit}"))
        }
        keyring::Error::Invalid(attribute, reason) => unavailable(format!("invalid {attribute}: {reason}")),
        keyring::Error::NoEntry => {
            SecretError::Missing { source_name: source_name.to_owned(), env_var: env_var_name(source_name) }
        }
        _ => unavailable("an unknown keychain error".into()),
    }
}

/// Tokens in memory: for tests and for a session that must not touch the
/// keychain.
#[derive(Debug, Default)]
pub struct MemoryStore {
    tokens: Mutex<HashMap<String, Token>>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }
}

impl SecretStore for MemoryStore {
    fn get(&self, source_name: &str) -> Result<Option<Token>, SecretError> {
        Ok(self.tokens.lock().unwrap_or_else(PoisonError::into_inner).get(source_name).cloned())
    }

    fn set(&self, source_name: &str, token: &Token) -> Result<(), SecretError> {
        self.tokens
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(source_name.to_owned(), token.clone());
        Ok(())
    }

    fn delete(&self, source_name: &str) -> Result<(), SecretError> {
        self.tokens.lock().unwrap_or_else(PoisonError::into_inner).remove(source_name);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_var_names_are_upper_snake() {
        assert_eq!(env_var_name("shopify-main"), "PARLANCE_TOKEN_SHOPIFY_MAIN");
        assert_eq!(env_var_name("Stripe EU.2"), "PARLANCE_TOKEN_STRIPE_EU_2");
    }

    #[test]
    fn a_token_never_formats_its_secret() {
        let token = Token::new("shpat_abc123");
        assert_eq!(format!("{token:?}"), "Token([redacted])");
        assert_eq!(token.scrub("key shpat_abc123 rejected"), "key [redacted] rejected");
    }
}
