//! Host modules exposed to recipes, one per domain. Each is a Rhai plugin module whose doc
//! comments become `docs/reference.md` (`cfsign doc`).

pub mod keys;
pub mod sign;

use rhai::Engine;

/// Registers every host module and type.
pub(super) fn register(engine: &mut Engine) {
    keys::register(engine);
    sign::register(engine);
}
