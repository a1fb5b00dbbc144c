//! Finding the modules recipes `import`: by name only, in the recipe's folder and then in the
//! stdlib, never by path (see [`super::sandbox`]).

use std::path::{Path, PathBuf};

use rhai::module_resolvers::FileModuleResolver;
use rhai::{Engine, EvalAltResult, Module, ModuleResolver, Position, Shared};

use super::sandbox::Sandbox;

/// Resolves `import "name"` to `<dir>/name.rhai` in the first folder that has it.
pub struct NamedModules {
    folders: Vec<(PathBuf, FileModuleResolver)>,
}

impl NamedModules {
    /// Modules from `dirs`, searched in order (folders that do not exist are skipped).
    pub fn new(dirs: &[&Path]) -> Self {
        let folders = dirs
            .iter()
            .filter_map(|dir| dir.canonicalize().ok())
            .map(|dir| {
                let resolver = FileModuleResolver::new_with_path(&dir);
                (dir, resolver)
            })
            .collect();
        NamedModules { folders }
    }

    /// The resolver of the first folder holding `name.rhai` (a symlink leaving the folder does
    /// not count).
    fn folder_of(&self, name: &str) -> Option<&FileModuleResolver> {
        self.folders.iter().find_map(|(dir, resolver)| {
            let file = dir.join(format!("{name}.rhai")).canonicalize().ok()?;
            file.starts_with(dir).then_some(resolver)
        })
    }
}

impl ModuleResolver for NamedModules {
    fn resolve(
        &self,
        engine: &Engine,
        _source: Option<&str>,
        path: &str,
        position: Position,
    ) -> Result<Shared<Module>, Box<EvalAltResult>> {
        if let Err(refusal) = Sandbox::check_module_name(path) {
            return Err(EvalAltResult::ErrorRuntime(refusal.to_string().into(), position).into());
        }
        if let Some(resolver) = self.folder_of(path) {
            return resolver.resolve(engine, None, path, position);
        }
        Err(EvalAltResult::ErrorModuleNotFound(path.to_owned(), position).into())
    }
}
