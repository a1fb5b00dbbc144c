//! Shared helpers for the integration tests.

pub mod emulator;
pub mod peers;
pub mod recipe;
pub mod roles;

use std::path::{Path, PathBuf};

/// The repository root.
pub fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The emulator's Python (moto and boto3), for helpers that set up what cfsign does not create;
/// the script makes its environment on first use.
pub fn emulator_python() -> PathBuf {
    repo().join("tests/emulator/python")
}

/// The `target/` directory tests may keep scratch files in.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("target"))
}
