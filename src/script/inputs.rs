//! The inputs a recipe declares, in its own comments, one line each:
//!
//! ```text
//! // @input team (required): the team to provision
//! // @input concurrency (default 4): how many teams run at once
//! // @input kms_key_arn: a customer KMS key for the secret; a longer meaning goes on
//! //        in indented comment lines below
//! ```
//!
//! `cfsign run RECIPE --help` lists them, and a run refuses a `--var` the recipe does not
//! declare, naming the closest declared one: a misspelt input would otherwise be ignored and
//! its default used. (A `--vars-file` may hold inputs of several recipes, as the recipes of a
//! team's life share one.) A recipe that declares nothing takes any input.

use std::fmt;

use thiserror::Error;

/// The marker that starts a declaration: `// @input NAME (QUALIFIER): MEANING`.
const MARKER: &str = "@input";

/// One declared input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputDeclaration {
    /// The name given with `--var NAME=...`.
    pub name: String,
    /// What the parentheses say, e.g. `required` or `default 4`; `None` when there are none.
    pub qualifier: Option<String>,
    /// What the input means, its continuation lines joined with spaces.
    pub meaning: String,
}

/// The inputs a recipe declares, in the order it declares them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeclaredInputs(Vec<InputDeclaration>);

/// A declaration line the parser cannot read.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum DeclarationError {
    /// The line does not have the `NAME (QUALIFIER): MEANING` shape.
    #[error("line {line}: `{text}` is not `// @input NAME: MEANING` (or `// @input NAME (required): MEANING`, `(default VALUE)`); NAME is lower-case letters, digits and underscores")]
    Malformed {
        /// The 1-based line number.
        line: usize,
        /// The line as written.
        text: String,
    },
    /// Two declarations of one name.
    #[error("line {line}: input `{name}` is declared twice")]
    Duplicate {
        /// The 1-based line number of the second declaration.
        line: usize,
        /// The name.
        name: String,
    },
}

/// A name given to a recipe that does not declare it.
#[derive(Debug, Error, PartialEq, Eq)]
#[error("{}", self.describe())]
pub struct UnknownInput {
    /// The name as given.
    pub name: String,
    /// The declared name it most resembles, if any is close.
    pub suggestion: Option<String>,
    /// Every declared name.
    pub declared: Vec<String>,
}

impl UnknownInput {
    fn describe(&self) -> String {
        let hint = match &self.suggestion {
            Some(close) => format!("did you mean `{close}`? "),
            None => String::new(),
        };
        format!(
            "the recipe declares no input `{}`: {hint}it takes {}",
            self.name,
            self.declared
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

impl DeclaredInputs {
    /// The declarations in a recipe's source; empty when it declares none.
    pub fn parse(source: &str) -> Result<Self, DeclarationError> {
        let mut inputs: Vec<InputDeclaration> = Vec::new();
        let mut continuing = false;
        for (index, raw) in source.lines().enumerate() {
            let line = index + 1;
            let Some(comment) = raw.trim_start().strip_prefix("//") else {
                continuing = false;
                continue;
            };
            if let Some(rest) = comment.trim_start().strip_prefix(MARKER) {
                let declaration = declaration(rest).ok_or_else(|| DeclarationError::Malformed {
                    line,
                    text: raw.trim().to_owned(),
                })?;
                if inputs.iter().any(|i| i.name == declaration.name) {
                    return Err(DeclarationError::Duplicate {
                        line,
                        name: declaration.name,
                    });
                }
                inputs.push(declaration);
                continuing = true;
            } else if continuing && comment.starts_with("   ") && !comment.trim().is_empty() {
                let last = inputs.last_mut().expect("continuing follows a declaration");
                last.meaning.push(' ');
                last.meaning.push_str(comment.trim());
            } else {
                continuing = false;
            }
        }
        Ok(DeclaredInputs(inputs))
    }

    /// Whether the recipe declares no input (and so takes any).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The declarations, in order.
    pub fn iter(&self) -> impl Iterator<Item = &InputDeclaration> {
        self.0.iter()
    }

    /// Refuses the first of `given` the recipe does not declare (a recipe that declares none
    /// takes anything).
    pub fn check<'a>(&self, given: impl IntoIterator<Item = &'a str>) -> Result<(), UnknownInput> {
        if self.is_empty() {
            return Ok(());
        }
        for name in given {
            if self.0.iter().any(|i| i.name == name) {
                continue;
            }
            return Err(UnknownInput {
                name: name.to_owned(),
                suggestion: self.closest(name),
                declared: self.0.iter().map(|i| i.name.clone()).collect(),
            });
        }
        Ok(())
    }

    /// The declared name closest to `name`, compared without case, `_` and `-` (so
    /// `launchRoleArn` finds `launch_role_arn`), when it is close enough to be a slip.
    fn closest(&self, name: &str) -> Option<String> {
        let wanted = folded(name);
        self.0
            .iter()
            .map(|i| (strsim::jaro_winkler(&wanted, &folded(&i.name)), &i.name))
            .filter(|(score, _)| *score >= 0.85)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, name)| name.clone())
    }
}

impl fmt::Display for DeclaredInputs {
    /// The inputs as `--help` lists them: one per line, name, qualifier and meaning.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let width = self.0.iter().map(|i| i.name.len()).max().unwrap_or(0);
        for input in &self.0 {
            let qualifier = input
                .qualifier
                .as_deref()
                .map(|q| format!(" ({q})"))
                .unwrap_or_default();
            writeln!(f, "  {:width$}  {}{qualifier}", input.name, input.meaning)?;
        }
        Ok(())
    }
}

/// `NAME (QUALIFIER): MEANING`, after the marker; the qualifier may hold `:` and `,`.
fn declaration(rest: &str) -> Option<InputDeclaration> {
    let rest = rest.trim_start();
    let name_end = rest
        .find(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'))
        .unwrap_or(rest.len());
    let (name, after) = rest.split_at(name_end);
    let after = after.trim_start();
    let (qualifier, after) = match after.strip_prefix('(') {
        Some(inner) => {
            let (qualifier, after) = inner.split_once(')')?;
            (Some(qualifier.trim()), after.trim_start())
        }
        None => (None, after),
    };
    let meaning = after.strip_prefix(':')?.trim();
    let valid = name.starts_with(|c: char| c.is_ascii_lowercase())
        && !meaning.is_empty()
        && qualifier != Some("");
    valid.then(|| InputDeclaration {
        name: name.to_owned(),
        qualifier: qualifier.map(str::to_owned),
        meaning: meaning.to_owned(),
    })
}

fn folded(name: &str) -> String {
    name.chars()
        .filter(|c| *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const RECIPE: &str = "\
// Publishes things.
//
// @input teams (required): the teams, as names or maps
// @input launch_role_arn: an existing launch role; without it the recipe
//        deploys products/launch-role
// @input keep_active (default: 2, or 3 in production): versions kept current
let x = vars.get(\"keep_active\", 2);
// an ordinary comment
";

    #[test]
    fn declarations_are_read_with_their_qualifiers_and_continued_meanings() {
        let inputs = DeclaredInputs::parse(RECIPE).unwrap();
        let all: Vec<_> = inputs.iter().collect();
        assert_eq!(all.len(), 3);
        assert_eq!(all[0].qualifier.as_deref(), Some("required"));
        assert_eq!(
            all[1].meaning,
            "an existing launch role; without it the recipe deploys products/launch-role"
        );
        assert_eq!(
            all[2].qualifier.as_deref(),
            Some("default: 2, or 3 in production")
        );
        assert!(inputs
            .to_string()
            .contains("  keep_active      versions kept current (default: 2, or 3 in production)"));
    }

    #[test]
    fn an_undeclared_name_is_refused_with_the_close_match() {
        let inputs = DeclaredInputs::parse(RECIPE).unwrap();
        assert_eq!(inputs.check(["teams", "keep_active"]), Ok(()));
        let err = inputs.check(["teams", "launchRoleArn"]).unwrap_err();
        assert_eq!(err.suggestion.as_deref(), Some("launch_role_arn"));
        assert_eq!(
            err.to_string(),
            "the recipe declares no input `launchRoleArn`: did you mean `launch_role_arn`? it \
             takes `teams`, `launch_role_arn`, `keep_active`"
        );
        let far = inputs.check(["region"]).unwrap_err();
        assert_eq!(far.suggestion, None);
    }

    #[test]
    fn a_recipe_without_declarations_takes_any_input() {
        let inputs = DeclaredInputs::parse("let a = vars.anything;").unwrap();
        assert!(inputs.is_empty());
        assert_eq!(inputs.check(["anything"]), Ok(()));
    }

    #[test]
    fn malformed_and_duplicate_declarations_name_their_line() {
        for bad in [
            "// @input Team: x",
            "// @input team",
            "// @input team (): x",
            "// @input team:",
        ] {
            assert!(
                matches!(
                    DeclaredInputs::parse(bad),
                    Err(DeclarationError::Malformed { line: 1, .. })
                ),
                "{bad}"
            );
        }
        let twice = "// @input team: a\n// @input team: b";
        assert_eq!(
            DeclaredInputs::parse(twice),
            Err(DeclarationError::Duplicate {
                line: 2,
                name: "team".into()
            })
        );
    }
}
