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
                Entry::Attr(n, v) => {
                    let v = indented(v, &format!("{pad}  "));
                    out.push_str(&format!("{pad}  {n} = {v}\n"));
                }
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

/// A string value: text of several lines (a PEM certificate, SQL) as a heredoc, which
/// reads as the text does, else a quoted literal ([`quote`]). A heredoc's value ends in
/// a newline: a text without one is written so only where `exact` is false (a plan
/// compares multi-line text without its final newline, which servers drop or add to a
/// PEM block); a text a heredoc cannot hold (a `\r`, a control character) is quoted.
/// The heredoc is `<<-EOT`, its lines indented with the block by [`Block::print`],
/// unless every line of the text starts with a blank (`<<-` would strip them): then
/// `<<EOT`, its lines as they are.
pub fn string(s: &str, exact: bool) -> String {
    let body = s.strip_suffix('\n');
    let heredoc = body.is_some_and(|b| b.contains('\n'))
        || (!exact && s.trim_end_matches('\n').contains('\n'));
    if !heredoc || s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return quote(s);
    }
    let lines: Vec<&str> = body.unwrap_or(s).split('\n').collect();
    let mut marker = "EOT".to_string();
    let mut n = 0;
    while lines.iter().any(|l| l.trim() == marker) {
        n += 1;
        marker = format!("EOT{n}");
    }
    let flush = lines
        .iter()
        .any(|l| !l.trim().is_empty() && !l.starts_with([' ', '\t']));
    let dash = if flush { "-" } else { "" };
    format!("<<{dash}{marker}\n{}\n{marker}", lines.join("\n"))
}

/// The marker of a heredoc that opens at the end of `line`, whether it is `<<-`, and
/// whether it is a list's item (after `[` or `,`: `keyplan fmt` puts it on a line of its
/// own, one level in).
fn heredoc_opener(line: &str) -> Option<(&str, bool, bool)> {
    let at = line.rfind("<<")?;
    let rest = line.get(at + 2..)?;
    let (dash, marker) = match rest.strip_prefix('-') {
        Some(m) => (true, m),
        None => (false, rest),
    };
    let item = line
        .get(..at)
        .is_some_and(|before| before.trim_end().ends_with(['[', ',']));
    kp_syntax::is_name(marker).then_some((marker, dash, item))
}

/// An attribute's value laid out at `pad` (the attribute's indentation): the lines of a
/// `<<-` heredoc one level deeper than its opener and its closing marker at the opener's
/// level (the heredoc strips the indentation again); a `<<` heredoc's lines as they are.
fn indented(value: &str, pad: &str) -> String {
    let mut out = String::new();
    let mut open: Option<(&str, bool, String)> = None;
    for (i, line) in value.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        match &open {
            _ if i == 0 => out.push_str(line),
            Some((marker, dash, at)) if line == *marker => {
                if *dash {
                    out.push_str(at);
                }
                out.push_str(line);
                open = None;
                continue;
            }
            Some((_, false, _)) => out.push_str(line),
            Some((_, true, _)) if line.is_empty() => {}
            Some((_, true, at)) => {
                out.push_str(at);
                out.push_str("  ");
                out.push_str(line);
            }
            None => {
                out.push_str(pad);
                out.push_str("  ");
                out.push_str(line);
            }
        }
        if open.is_none() {
            open = heredoc_opener(line).map(|(marker, dash, item)| {
                let at = if item {
                    format!("{pad}  ")
                } else {
                    pad.to_string()
                };
                (marker, dash, at)
            });
        }
    }
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
