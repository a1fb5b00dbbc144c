//! Shared helpers for the integration tests.
#![allow(dead_code)] // each test binary uses a different subset

pub mod emulator;
pub mod peers;
pub mod recipe;
pub mod roles;

use std::path::{Path, PathBuf};

/// The repository root.
pub fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The `target/` directory tests may keep environments in.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("target"))
}
