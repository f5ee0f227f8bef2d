//! The `parlance` binary, run as a user runs it, on real warehouse files.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod crash;
mod customers;
mod demo_and_status;
mod errors;
mod import;
mod journey;
mod sources;
mod value;
mod vocab;

use std::path::Path;
use std::process::{Command, Output};

pub fn parlance(warehouse: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_parlance"))
        .arg("--warehouse")
        .arg(warehouse)
        .args(args)
        .env_remove("PARLANCE_WAREHOUSE")
        .output()
        .unwrap()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
