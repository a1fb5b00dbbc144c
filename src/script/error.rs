//! Recipe errors, rendered like a compiler's: the message, where it happened, the source line
//! with a caret, and the chain of recipe functions that led there.
//!
//! ```text
//! error: variable `team` was not given: pass --var team=VALUE ...
//!  ——▶ recipes/provision.rhai:12:15
//!    |
//! 12 |     let team = vars.team;
//!    |               ^
//!    = in `provision_team`, called at recipes/provision.rhai:30:9
//! ```

use std::fmt;
use std::path::{Path, PathBuf};

use rhai::{EvalAltResult, Position};

use super::host_error::HostError;
use crate::script::HostErrorExt as _;

/// A place in a recipe or module file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file, as given to the engine.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters (as Rhai counts them).
    pub column: usize,
    /// The text of that line, read when the error was made, so rendering it reads no file
    /// (the recipe may have changed or gone by then); `None` when the file could not be read.
    pub source_line: Option<String>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// One step of the call chain: a recipe function called from a place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// The function (or `import "module"`).
    pub function: String,
    /// Where it was called.
    pub called_at: Option<Location>,
}

/// Why a recipe failed.
#[derive(Debug, thiserror::Error)]
pub enum RecipeError {
    /// The recipe file could not be read.
    #[error("cannot read the recipe {}: {source}", path.display())]
    Read {
        /// The recipe path.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The run's sandbox could not be set up (e.g. the repository root does not exist).
    #[error(transparent)]
    Sandbox(super::SandboxError),
    /// The script failed to parse or failed while running.
    #[error("{0}")]
    Script(Box<ScriptError>),
}

/// A parse or runtime error with its position and call chain.
#[derive(Debug, Clone)]
pub struct ScriptError {
    /// What went wrong.
    pub message: String,
    /// The host error behind it, when a host function failed.
    pub host: Option<HostError>,
    /// Where the innermost error happened.
    pub location: Option<Location>,
    /// The recipe functions that led there, innermost first.
    pub frames: Vec<Frame>,
}

fn location(file: &str, position: Position) -> Option<Location> {
    let line = position.line()?;
    Some(Location {
        file: file.to_owned(),
        line,
        column: position.position().unwrap_or(1),
        source_line: source_line(file, line),
    })
}

impl ScriptError {
    /// Unwinds Rhai's nested error into message, position and frames. `file` is the recipe the
    /// error surfaced in; `module_dirs` are searched, in order, for the file of an imported
    /// module an error happened in.
    pub fn from_rhai(err: &EvalAltResult, file: &str, module_dirs: &[&Path]) -> Self {
        let mut frames = Vec::new();
        let mut current = err;
        let mut source = file.to_owned();
        loop {
            match current {
                EvalAltResult::ErrorInFunctionCall(name, fn_source, inner, position) => {
                    frames.push(Frame {
                        function: format!("`{name}`"),
                        called_at: location(&source, *position),
                    });
                    if !fn_source.is_empty() {
                        source = fn_source.clone();
                    }
                    current = inner;
                }
                EvalAltResult::ErrorInModule(module, inner, position) => {
                    frames.push(Frame {
                        function: format!("import \"{module}\""),
                        called_at: location(&source, *position),
                    });
                    if let Some(path) = module_file(module, module_dirs) {
                        source = path;
                    }
                    current = inner;
                }
                _ => break,
            }
        }
        frames.reverse();
        let host = match current {
            EvalAltResult::ErrorRuntime(value, _) => HostError::from_dynamic(value),
            _ => None,
        };
        let message = match (current, &host) {
            (_, Some(host)) => host.to_string(),
            (EvalAltResult::ErrorRuntime(value, _), None) => value.to_string(),
            // The run's shared budget stops a run with its reason as the token.
            (EvalAltResult::ErrorTerminated(token, _), _) => token.to_string(),
            (EvalAltResult::ErrorTooManyOperations(_), _) => {
                "the recipe exceeded its operation limit and was stopped (an endless loop?)".into()
            }
            (EvalAltResult::ErrorStackOverflow(_), _) => {
                "the recipe called functions too deeply and was stopped (endless recursion?)".into()
            }
            (other, _) => without_position(&other.to_string()),
        };
        ScriptError {
            message,
            host,
            location: location(&source, current.position()),
            frames,
        }
    }
}

impl fmt::Display for ScriptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)?;
        if let Some(location) = &self.location {
            write!(f, "\n ——▶ {location}")?;
            if let Some(text) = &location.source_line {
                let gutter = location.line.to_string().len();
                let caret_pad = caret_padding(text, location.column);
                write!(
                    f,
                    "\n{:gutter$} |\n{} | {text}\n{:gutter$} | {caret_pad}^",
                    "", location.line, ""
                )?;
            }
        }
        for frame in &self.frames {
            match &frame.called_at {
                Some(at) => write!(f, "\n   = in {}, called at {at}", frame.function)?,
                None => write!(f, "\n   = in {}", frame.function)?,
            }
        }
        Ok(())
    }
}

/// Rhai appends ` (line L, position P)` to messages; the location is rendered separately.
fn without_position(message: &str) -> String {
    match message.rfind(" (line ") {
        Some(at) if message.ends_with(')') => message[..at].to_owned(),
        _ => message.to_owned(),
    }
}

/// The file an `import "module"` loads, as the module resolver finds it.
fn module_file(module: &str, dirs: &[&Path]) -> Option<String> {
    dirs.iter()
        .map(|dir| dir.join(format!("{module}.rhai")))
        .find(|path| path.is_file())
        .map(|path| path.display().to_string())
}

fn source_line(file: &str, line: usize) -> Option<String> {
    let text = std::fs::read_to_string(file).ok()?;
    text.lines().nth(line.checked_sub(1)?).map(str::to_owned)
}

/// What goes before the caret under `column` of `text`: as many columns as the characters
/// before it take on a terminal (two for a wide character such as `字` or most emoji, none for
/// a combining mark), tabs kept as tabs so the caret lines up whatever the tab width.
fn caret_padding(text: &str, column: usize) -> String {
    use unicode_width::UnicodeWidthChar;
    text.chars()
        .take(column.saturating_sub(1))
        .map(|c| match c {
            '\t' => "\t".to_owned(),
            c => " ".repeat(c.width().unwrap_or(0)),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_caret_counts_display_columns() {
        // `x` is the 5th character; the two wide characters before it take two columns each.
        assert_eq!(caret_padding("字字 x", 4), "     ");
        assert_eq!(caret_padding("\ta x", 4), "\t  ");
        // A combining accent takes no column of its own.
        assert_eq!(caret_padding("e\u{301}x", 3), " ");
    }

    #[test]
    fn an_error_renders_the_line_it_was_made_with_even_if_the_file_changes() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("r.rhai");
        std::fs::write(&file, "let a = 1;\nlet b = nope;\n").unwrap();
        let path = file.to_str().unwrap();
        let err = ScriptError {
            message: "no such variable".into(),
            host: None,
            location: location(path, Position::new(2, 9)),
            frames: Vec::new(),
        };
        std::fs::write(&file, "changed\n").unwrap();
        let shown = err.to_string();
        assert!(shown.contains("2 | let b = nope;"), "{shown}");
        assert!(shown.contains("  |         ^"), "{shown}");
    }
}
