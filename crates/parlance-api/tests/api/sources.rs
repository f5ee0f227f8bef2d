//! Sources through the API: adding (token to the secret store, settings to
//! the warehouse), listing, removing, and the keychain fallback.

use parlance_api::{
    ErrorCode, MemoryStore, NewSourceDto, NoKeychain, Parlance, SecretStore, Secrets, Timestamp, Token,
};

fn now() -> Timestamp {
    Timestamp::from_unix(1_795_341_600).unwrap()
}

fn no_env(_: &str) -> Option<String> {
    None
}

fn hubspot(name: &str) -> NewSourceDto {
    NewSourceDto {
        name: name.into(),
        kind: "hubspot".into(),
        base_url: Some("http://127.0.0.1:9".into()),
        page_size: Some(50),
        ..NewSourceDto::default()
    }
}

fn open() -> (tempfile::TempDir, Parlance) {
    let dir = tempfile::tempdir().unwrap();
    let parlance = Parlance::open(&dir.path().join("w.parlance")).unwrap();
    (dir, parlance)
}

#[test]
fn adding_keeps_the_token_in_the_store_and_only_settings_in_the_warehouse() {
    let (dir, parlance) = open();
    let store = MemoryStore::new();
    let secrets = Secrets { store: &store, env: &no_env };
    let info =
        parlance.add_source(&hubspot("crm"), Some(Token::new("pat-na1-SECRET-42")), secrets, now()).unwrap();
    assert_eq!(info.kind, "hubspot");
    assert_eq!(info.base_url, "http://127.0.0.1:9");
    assert_eq!(info.config_json, r#"{"base_url":"http://127.0.0.1:9","page_size":50}"#);
    assert_eq!(info.token_env_var, "PARLANCE_TOKEN_CRM");
    assert_eq!(store.get("crm").unwrap().unwrap().expose(), "pat-na1-SECRET-42");
    drop(parlance);
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        assert!(!bytes.windows(17).any(|w| w == b"pat-na1-SECRET-42"), "the token reached the warehouse");
    }
}

#[test]
fn names_kinds_settings_and_duplicates_are_checked() {
    let (_dir, parlance) = open();
    let store = MemoryStore::new();
    let secrets = Secrets { store: &store, env: &no_env };
    let token = || Some(Token::new("t"));
    let error = |new: NewSourceDto| parlance.add_source(&new, token(), secrets, now()).unwrap_err();
    assert_eq!(error(hubspot("CRM main")).code, ErrorCode::InvalidInput);
    let unknown = error(NewSourceDto { kind: "salesforce".into(), ..hubspot("crm") });
    assert!(unknown.message.starts_with("unknown source kind \"salesforce\""), "{}", unknown.message);
    let wrong = error(NewSourceDto { shop: Some("acme".into()), ..hubspot("crm") });
    assert!(
        wrong.message.starts_with(
            "source crm: invalid configuration: unknown field `shop`, expected `base_url` or `page_size`"
        ),
        "{}",
        wrong.message
    );
    let missing = error(NewSourceDto { kind: "mailchimp".into(), base_url: None, ..hubspot("news") });
    assert!(missing.message.contains("missing field `list_id`"), "{}", missing.message);
    parlance.add_source(&hubspot("crm"), token(), secrets, now()).unwrap();
    let twice = error(hubspot("crm"));
    assert_eq!(twice.message, "source crm already exists — remove it first or choose another name");
}

#[test]
fn without_a_keychain_the_variable_is_the_documented_fallback() {
    let (_dir, parlance) = open();
    let secrets = Secrets { store: &NoKeychain, env: &no_env };
    let error = parlance.add_source(&hubspot("crm"), Some(Token::new("t")), secrets, now()).unwrap_err();
    assert_eq!(error.code, ErrorCode::Keychain);
    assert_eq!(
        error.message,
        "source crm: the OS keychain is unavailable (switched off by PARLANCE_KEYCHAIN=off); set the environment variable PARLANCE_TOKEN_CRM to give the token for this run (it is read at sync time and never stored)"
    );
    assert!(parlance.list_sources().unwrap().is_empty(), "nothing registered");

    let env = |name: &str| (name == "PARLANCE_TOKEN_CRM").then(|| "pat-from-env".to_owned());
    let secrets = Secrets { store: &NoKeychain, env: &env };
    parlance.add_source(&hubspot("crm"), None, secrets, now()).unwrap();
    assert_eq!(parlance.list_sources().unwrap().len(), 1);
}

#[test]
fn removing_forgets_the_source_and_its_token() {
    let (_dir, parlance) = open();
    let store = MemoryStore::new();
    let secrets = Secrets { store: &store, env: &no_env };
    parlance.add_source(&hubspot("crm"), Some(Token::new("t")), secrets, now()).unwrap();
    let removed = parlance.remove_source("crm", secrets).unwrap();
    assert_eq!((removed.landed_records, removed.keychain.as_str()), (0, "deleted"));
    assert_eq!(store.get("crm").unwrap(), None);
    assert!(parlance.list_sources().unwrap().is_empty());
    assert_eq!(parlance.remove_source("crm", secrets).unwrap_err().code, ErrorCode::NotFound);
    let sync = parlance.test_source("crm", secrets, parlance_api::TimeSources::system(), &Default::default());
    assert_eq!(sync.unwrap_err().code, ErrorCode::NotFound);
}
