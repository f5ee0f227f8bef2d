//! Token storage and the documented fallback when the keychain is
//! unavailable.

use std::collections::HashMap;

use parlance_connectors::{
    KeychainStore, MemoryStore, SecretError, SecretStore, Token, env_var_name, resolve_token,
};

const SOURCE: &str = "shopify-main";
const SECRET: &str = "shpat_secret_in_the_keychain_42";

/// A keychain that cannot be reached, as on a headless box without a
/// Secret Service.
#[derive(Debug)]
struct UnavailableKeychain;

impl SecretStore for UnavailableKeychain {
    fn get(&self, source_name: &str) -> Result<Option<Token>, SecretError> {
        Err(SecretError::KeychainUnavailable {
            source_name: source_name.into(),
            detail: "platform failure: no D-Bus session bus".into(),
            env_var: env_var_name(source_name),
        })
    }
    fn set(&self, source_name: &str, _: &Token) -> Result<(), SecretError> {
        self.get(source_name).map(|_| ())
    }
    fn delete(&self, source_name: &str) -> Result<(), SecretError> {
        self.get(source_name).map(|_| ())
    }
}

fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let vars: HashMap<String, String> =
        vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    move |name| vars.get(name).cloned()
}

#[test]
fn the_memory_store_keeps_sets_and_forgets() {
    let store = MemoryStore::new();
    assert_eq!(store.get(SOURCE).unwrap(), None);
    store.set(SOURCE, &Token::new(SECRET)).unwrap();
    assert_eq!(store.get(SOURCE).unwrap().unwrap().expose(), SECRET);
    store.delete(SOURCE).unwrap();
    store.delete(SOURCE).unwrap();
    assert_eq!(store.get(SOURCE).unwrap(), None);
}

#[test]
fn a_stored_token_is_used() {
    let store = MemoryStore::new();
    store.set(SOURCE, &Token::new(SECRET)).unwrap();
    let token = resolve_token(&store, SOURCE, &env(&[("PARLANCE_TOKEN_SHOPIFY_MAIN", "from-env")])).unwrap();
    assert_eq!(token.expose(), SECRET, "the keychain comes first; the variable is the fallback");
}

#[test]
fn an_unavailable_keychain_falls_back_to_the_environment_variable() {
    let token =
        resolve_token(&UnavailableKeychain, SOURCE, &env(&[("PARLANCE_TOKEN_SHOPIFY_MAIN", "shpat_env")]))
            .unwrap();
    assert_eq!(token.expose(), "shpat_env");
}

#[test]
fn an_unavailable_keychain_without_the_variable_says_what_to_do() {
    let error = resolve_token(&UnavailableKeychain, SOURCE, &env(&[])).unwrap_err();
    assert_eq!(
        error.to_string(),
        "source shopify-main: the OS keychain is unavailable (platform failure: no D-Bus session bus); set the environment variable PARLANCE_TOKEN_SHOPIFY_MAIN to give the token for this run (it is read at sync time and never stored)"
    );
}

#[test]
fn no_stored_token_and_no_variable_asks_to_reconnect() {
    let error = resolve_token(&MemoryStore::new(), SOURCE, &env(&[("PARLANCE_TOKEN_SHOPIFY_MAIN", "  ")]))
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "source shopify-main: no token is stored — connect the source again (or set PARLANCE_TOKEN_SHOPIFY_MAIN for this run)"
    );
}

#[test]
fn an_empty_stored_token_is_refused() {
    let store = MemoryStore::new();
    store.set(SOURCE, &Token::new("")).unwrap();
    let error = resolve_token(&store, SOURCE, &env(&[])).unwrap_err();
    assert_eq!(error, SecretError::Empty { source_name: SOURCE.into() });
}

/// On this machine the keychain may or may not be reachable (CI has no
/// Secret Service); either way it answers clearly instead of panicking.
#[test]
fn the_os_keychain_answers_or_says_it_is_unavailable() {
    let store = KeychainStore::with_service("parlance-tests");
    match store.get("no-such-source-for-tests") {
        Ok(None) => {}
        Ok(Some(_)) => panic!("a test entry was left behind"),
        Err(error @ SecretError::KeychainUnavailable { .. }) => {
            assert!(error.to_string().contains("PARLANCE_TOKEN_NO_SUCH_SOURCE_FOR_TESTS"), "{error}");
        }
        Err(other) => panic!("unexpected: {other}"),
    }
}

/// Needs a running Secret Service, so it is not part of the default run:
/// `dbus-run-session -- sh -c 'echo pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null;
///  cargo test -p parlance-connectors --test connectors -- --ignored keychain'`
#[test]
#[ignore = "needs a Secret Service (see the doc comment)"]
fn the_os_keychain_stores_reads_and_forgets_a_token() {
    let store = KeychainStore::with_service("parlance-tests");
    let source = "keychain-round-trip";
    store.set(source, &Token::new(SECRET)).unwrap();
    assert_eq!(store.get(source).unwrap().unwrap().expose(), SECRET);
    let resolved = resolve_token(&store, source, &env(&[])).unwrap();
    assert_eq!(resolved.expose(), SECRET);
    store.delete(source).unwrap();
    assert_eq!(store.get(source).unwrap(), None);
    store.delete(source).unwrap();
}
