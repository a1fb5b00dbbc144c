//! `files::`: reading the repository's own files (a product's `product.json`), relative to the
//! repository root, as templates are. Nothing outside the root can be read (see the sandbox).

use rhai::plugin::*;
use rhai::EvalAltResult;

use super::aws_context::{read_text, sandbox};
use super::convert::to_dynamic;
use crate::script::HostErrorExt as _;

/// Files.
#[export_module]
pub mod files_module {
    use super::*;

    /// The JSON file at `path` as a value (a map for an object).
    ///
    /// ```rhai
    /// let product = files::read_json("products/key-pair/product.json");
    /// print(product.name);
    /// ```
    #[rhai_fn(return_raw)]
    pub fn read_json(
        context: NativeCallContext,
        path: &str,
    ) -> Result<Dynamic, Box<EvalAltResult>> {
        let text = read_text(&context, "files", "read_json", path)?;
        let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
            crate::script::HostError::new(
                "files",
                "read_json",
                "InvalidInput",
                format!("{path} is not JSON: {e}"),
            )
            .raise(&context)
        })?;
        Ok(to_dynamic(value))
    }

    /// Whether a file exists at `path` inside the repository (a file outside it never does).
    #[rhai_fn(return_raw)]
    pub fn exists(context: NativeCallContext, path: &str) -> Result<bool, Box<EvalAltResult>> {
        Ok(sandbox(&context)?
            .file(path)
            .is_ok_and(|file| file.is_file()))
    }
}
