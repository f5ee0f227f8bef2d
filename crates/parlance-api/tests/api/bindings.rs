//! The UI's TypeScript types are generated from the DTOs. This test fails when
//! the committed files are stale; `make bindings` (PARLANCE_UPDATE_BINDINGS=1)
//! rewrites them.

use std::path::PathBuf;

#[test]
fn typescript_bindings_are_up_to_date() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/lib/bindings");
    let update = std::env::var_os("PARLANCE_UPDATE_BINDINGS").is_some();
    let mut stale = Vec::new();
    for (name, text) in parlance_api::dto::typescript_bindings() {
        assert!(!text.contains("failed to export"), "{name}: {text}");
        let path = dir.join(format!("{name}.ts"));
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &text).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            stale.push(name);
        }
    }
    assert!(stale.is_empty(), "stale TypeScript bindings {stale:?}: run `make bindings`");
}

#[test]
fn errors_serialise_as_code_and_message() {
    let err = parlance_api::ApiError::new(parlance_api::ErrorCode::SchemaTooNew, "too new");
    assert_eq!(serde_json::to_string(&err).unwrap(), r#"{"code":"schema-too-new","message":"too new"}"#);
}
