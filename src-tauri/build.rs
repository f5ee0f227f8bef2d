//! Declares the app's commands in the build manifest, so Tauri's ACL covers
//! them: a window may call a command only if its capability
//! (capabilities/main.json) grants `allow-<command>`.

const COMMANDS: &[&str] = &["overview", "ensure_demo", "cancel_demo", "app_info"];

fn main() {
    let attributes =
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(error) = tauri_build::try_build(attributes) {
        // A build script reports failure by panicking; say why first.
        panic!("tauri-build failed: {error:#}");
    }
}
