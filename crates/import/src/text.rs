//! A small tree of the blocks an import writes, printed as keyplan text (kp-fmt then lays
//! it out), and the lexical helpers: identifiers, quoted strings, labels.

/// One block: `HEAD { entries }`, or `HEAD` alone for `extern policy NAME`.
#[derive(Debug, Clone, Default)]
pub struct Block {
    /// Comment lines printed above the block (without `# `).
    pub comments: Vec<String>,
    pub head: String,
    pub entries: Vec<Entry>,
    /// `false` for a block without a body (`extern policy NAME`).
    pub body: bool,
}

#[derive(Debug, Clone)]
pub enum Entry {
    Attr(String, String),
    Block(Block),
    /// A workload statement, e.g. `read "secret/data/x"`.
    Stmt(String),
    /// Comment lines (without `# `), standing apart as a block does.
    Comment(Vec<String>),
}

impl Block {
    pub fn new(head: impl Into<String>) -> Block {
        Block {
            comments: Vec::new(),
            head: head.into(),
            entries: Vec::new(),
            body: true,
        }
    }

    pub fn attr(&mut self, name: &str, value: String) {
        self.entries.push(Entry::Attr(name.to_string(), value));
    }

    pub fn print(&self, out: &mut String, depth: usize) {
        let pad = "  ".repeat(depth);
        for c in &self.comments {
            if c.is_empty() {
                out.push_str(&format!("{pad}#\n"));
            } else {
                out.push_str(&format!("{pad}# {c}\n"));
            }
        }
        if !self.body {
            out.push_str(&format!("{pad}{}\n", self.head));
            return;
        }
        if self.entries.is_empty() {
            out.push_str(&format!("{pad}{} {{}}\n", self.head));
            return;
        }
        out.push_str(&format!("{pad}{} {{\n", self.head));
        let mut last: Option<u8> = None;
        for e in &self.entries {
            let kind = match e {
                Entry::Attr(..) => 0,
                Entry::Stmt(_) => 1,
                Entry::Block(_) | Entry::Comment(_) => 2,
            };
            // Attributes, nested blocks and statements stand apart, as people write them.
            if last.is_some_and(|l| l != kind || kind == 2) {
                out.push('\n');
            }
            match e {
                Entry::Attr(n, v) => out.push_str(&format!("{pad}  {n} = {v}\n")),
                Entry::Stmt(s) => out.push_str(&format!("{pad}  {s}\n")),
                Entry::Block(b) => b.print(out, depth + 1),
                Entry::Comment(lines) => {
                    for l in lines {
                        match l.is_empty() {
                            true => out.push_str(&format!("{pad}  #\n")),
                            false => out.push_str(&format!("{pad}  # {l}\n")),
                        }
                    }
                }
            }
            last = Some(kind);
        }
        out.push_str(&format!("{pad}}}\n"));
    }
}

/// Prints top-level blocks, one blank line apart.
pub fn print(blocks: &[Block]) -> String {
    let mut out = String::new();
    for (i, b) in blocks.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        b.print(&mut out, 0);
    }
    out
}

/// A name the parser reads back as that name ([`kp_syntax::is_name`]), and not `env`,
/// which a reader would take for the start of a secret.
pub fn is_ident(s: &str) -> bool {
    kp_syntax::is_name(s) && s != "env"
}

/// A string literal: `"..."` with the language's escapes.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A block label or map key: bare when it is an identifier, else quoted.
pub fn label(s: &str) -> String {
    if is_ident(s) {
        s.to_string()
    } else {
        quote(s)
    }
}

/// An environment variable name for a secret: `USERPASS_CI_PASSWORD`.
pub fn env_name(parts: &[&str]) -> String {
    let mut out = String::new();
    for p in parts.iter().filter(|p| !p.is_empty()) {
        if !out.is_empty() {
            out.push('_');
        }
        for c in p.chars() {
            out.push(if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            });
        }
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
}

/// `text` in lines of at most `width` characters, broken between words (a longer word
/// stands alone on its line).
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_between_words() {
        assert_eq!(wrap("a bb ccc dddd", 6), ["a bb", "ccc", "dddd"]);
        assert_eq!(wrap("a-very-long-word b", 4), ["a-very-long-word", "b"]);
        assert!(wrap("  ", 10).is_empty());
    }
}
