//! The fenced code blocks of a Markdown file, and the shell commands in its ```sh blocks.

/// A fenced code block.
#[derive(Debug, Clone)]
pub struct Block {
    /// The info string after the fence (`sh`, `js`, `rhai`, `json`, or empty).
    pub lang: String,
    /// The line of the first line inside the fence (1-based).
    pub line: usize,
    /// The block's text, one `\n` after each line.
    pub text: String,
}

/// One shell command of a ```sh block: continuation lines kept as written.
#[derive(Debug, Clone)]
pub struct Command {
    /// The line it starts on (1-based).
    pub line: usize,
    /// The command as written (with its `\` line continuations and comments).
    pub text: String,
}

impl Command {
    /// The command on one line, without its trailing `# comment`.
    pub fn joined(&self) -> String {
        self.text
            .lines()
            .map(|line| code_of(line).trim())
            .map(|line| line.strip_suffix('\\').unwrap_or(line).trim())
            .collect::<Vec<_>>()
            .join(" ")
            .trim()
            .to_owned()
    }
}

/// A shell line without its comment: a line that starts with `#` is all comment.
fn code_of(line: &str) -> &str {
    if line.trim_start().starts_with('#') {
        ""
    } else {
        line.split(" # ").next().unwrap_or(line)
    }
}

/// Every fenced block of `markdown`, in order.
pub fn blocks(markdown: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut open: Option<Block> = None;
    for (index, line) in markdown.lines().enumerate() {
        let fence = line.trim_start().starts_with("```");
        match (&mut open, fence) {
            (None, true) => {
                open = Some(Block {
                    lang: line.trim().trim_start_matches('`').trim().to_owned(),
                    line: index + 2,
                    text: String::new(),
                })
            }
            (Some(_), true) => blocks.extend(open.take()),
            (Some(block), false) => {
                block.text.push_str(line);
                block.text.push('\n');
            }
            (None, false) => {}
        }
    }
    blocks
}

/// The commands of a ```sh block: one per line, a line ending in `\` continuing on the next.
pub fn commands(block: &Block) -> Vec<Command> {
    let mut commands = Vec::new();
    let mut pending: Option<Command> = None;
    for (offset, line) in block.text.lines().enumerate() {
        let command = pending.get_or_insert_with(|| Command {
            line: block.line + offset,
            text: String::new(),
        });
        command.text.push_str(line);
        command.text.push('\n');
        let code = code_of(line).trim_end();
        if !code.ends_with('\\') {
            commands.extend(pending.take().filter(|c| !c.joined().is_empty()));
        }
    }
    commands.extend(pending);
    commands
}

/// Shell words, with '...' and "..." quoting.
pub fn words(command: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote = None;
    for c in command.chars() {
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), _) if c == q => quote = None,
            (None, ' ') => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            _ => word.push(c),
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

#[test]
fn blocks_and_commands_keep_their_lines() {
    let markdown =
        "# T\n\n```sh\na --x \\\n    --y   # why\n# a comment line\nb\n```\n\n```js\nf();\n```\n";
    let blocks = blocks(markdown);
    assert_eq!(blocks.len(), 2);
    assert_eq!((blocks[0].lang.as_str(), blocks[0].line), ("sh", 4));
    assert_eq!(
        (blocks[1].lang.as_str(), blocks[1].text.as_str()),
        ("js", "f();\n")
    );
    let commands = commands(&blocks[0]);
    assert_eq!(commands.len(), 2);
    assert_eq!(
        (commands[0].line, commands[0].joined()),
        (4, "a --x --y".to_owned())
    );
    assert_eq!(
        (commands[1].line, commands[1].joined()),
        (7, "b".to_owned())
    );
    assert_eq!(words("x 'a b' \"c\""), ["x", "a b", "c"]);
}
