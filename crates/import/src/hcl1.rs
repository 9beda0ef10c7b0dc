//! Policies in the HCL 1 layout the servers still accept and `hcl-rs` (HCL 2) does not.
//!
//! Vault and OpenBao parse policies with HCL 1, which separates a body's entries with
//! newlines, commas or nothing at all: `path "a" { capabilities = ["read"], }`,
//! `path "a" { capabilities = ["read"] policy = "read" }`, a `,` after a block, or a body
//! that starts on its `{` line and ends on a later one (each checked on OpenBao 2.7.2).
//! HCL 2 wants each entry on its own line. [`relaid`] writes the same tokens with one
//! entry a line, for a second parse when the first fails; a list's items and everything
//! inside strings, heredocs and comments stay as they are.

/// `text` with each entry of a body (a block's, an object's) on its own line and the
/// commas between entries dropped, or `None` when its brackets do not balance (the
/// original parse error is then the one to report).
pub fn relaid(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    // The brackets open around the text being read, the top level a body too.
    let mut open = vec![Frame::body()];
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let frame = open.last_mut()?;
        let token = match c {
            '"' => quoted(rest)?,
            '<' if rest.starts_with("<<") => heredoc(rest)?,
            '#' => line(rest),
            '/' if rest.starts_with("//") => line(rest),
            '/' if rest.starts_with("/*") => rest.find("*/").map(|i| &rest[..i + 2])?,
            '{' => {
                out.push_str("{\n");
                open.push(Frame::body());
                rest = &rest[1..];
                continue;
            }
            '[' => {
                out.push('[');
                open.push(Frame {
                    body: false,
                    in_value: false,
                });
                rest = &rest[1..];
                continue;
            }
            '}' | ']' => {
                if open.len() < 2 || open.pop()?.body != (c == '}') {
                    return None;
                }
                out.push_str(if c == '}' { "\n}" } else { "]" });
                rest = &rest[1..];
                // The bracket closed a value or a block of the body around it: the
                // entry ends.
                let around = open.last_mut()?;
                if around.body {
                    out.push('\n');
                    around.in_value = false;
                }
                continue;
            }
            ',' if frame.body => {
                out.push('\n');
                frame.in_value = false;
                rest = &rest[1..];
                continue;
            }
            '=' if frame.body => {
                frame.in_value = true;
                "="
            }
            c if c.is_whitespace() => &rest[..c.len_utf8()],
            _ => word(rest),
        };
        out.push_str(token);
        rest = &rest[token.len()..];
        if !matches!(c, '#' | '/' | '=') && !c.is_whitespace() {
            frame.end_value(&mut out);
        }
    }
    (open.len() == 1).then_some(out)
}

/// A bracket open around the text being read.
struct Frame {
    /// A body (a block's or an object's `{`), whose entries are separated; else a list.
    body: bool,
    /// In a body, whether the entry being read has its `=`, so that a value ends it.
    in_value: bool,
}

impl Frame {
    fn body() -> Frame {
        Frame {
            body: true,
            in_value: false,
        }
    }

    /// A value was read: in a body, the next entry starts on a new line.
    fn end_value(&mut self, out: &mut String) {
        if self.body && self.in_value {
            out.push('\n');
            self.in_value = false;
        }
    }
}

/// A `"..."` string with its escapes (`${...}` inside is text to HCL 1 policies).
fn quoted(text: &str) -> Option<&str> {
    let mut escaped = false;
    for (i, c) in text.char_indices().skip(1) {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return Some(&text[..=i]),
            '\n' => return None,
            _ => {}
        }
    }
    None
}

/// `<<MARKER` (or `<<-MARKER`) up to the line that holds only the marker.
fn heredoc(text: &str) -> Option<&str> {
    let first = text.find('\n')?;
    let marker = text[2..first].trim_start_matches('-').trim();
    if marker.is_empty() {
        return None;
    }
    let mut at = first + 1;
    for l in text[at..].split_inclusive('\n') {
        at += l.len();
        if l.trim() == marker {
            return Some(text[..at].trim_end_matches('\n'));
        }
    }
    None
}

/// Up to the end of the line, not its newline.
fn line(text: &str) -> &str {
    &text[..text.find('\n').unwrap_or(text.len())]
}

/// A bare word or number: up to the next space, bracket, quote, `=` or `,`.
fn word(text: &str) -> &str {
    let end = text
        .find(|c: char| c.is_whitespace() || "{}[]\",=#".contains(c))
        .unwrap_or(text.len());
    // Never empty: a character of its own (`/` alone, `<` alone) is a word.
    let end = end.max(text.chars().next().map_or(0, char::len_utf8));
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parses(text: &str) -> hcl::Body {
        let relaid = relaid(text).unwrap();
        hcl::parse(&relaid).unwrap_or_else(|e| panic!("{relaid}\n{e}"))
    }

    /// The layouts OpenBao 2.7.2 accepted (`sys/policies/acl`) and `hcl-rs` refuses read
    /// as the layout each entry on its line.
    #[test]
    fn every_layout_the_server_accepts_parses() {
        let one_a_line = parses("path \"a\" {\n  capabilities = [\"read\"]\n  policy = \"read\"\n}\npath \"b\" {\n  capabilities = [\"list\"]\n}\n");
        for text in [
            "path \"a\" { capabilities = [\"read\"], policy = \"read\", }\npath \"b\" { capabilities = [\"list\"] }",
            "path \"a\" {\n  capabilities = [\"read\"],\n  policy = \"read\"\n},\npath \"b\" {\n  capabilities = [\"list\"]\n}",
            "path \"a\" { capabilities = [\"read\"] policy = \"read\" } path \"b\" { capabilities = [\"list\"] }",
            "path \"a\" { capabilities = [\"read\"]\n  policy = \"read\"\n}\npath \"b\" { capabilities = [\"list\",]\n}",
        ] {
            assert_eq!(parses(text), one_a_line, "{text}");
        }
    }

    /// Commas inside lists, strings, heredocs and comments are not separators.
    #[test]
    fn only_a_bodys_commas_separate() {
        let text = "# a, comment\npath \"a,b\" {\n  capabilities = [\"read\", \"list\"], // x, y\n  allowed_parameters = { \"k\" = [\"1\", \"2\"], \"j\" = [] }\n  description = <<EOT\none, two\nEOT\n}\n";
        let body = parses(text);
        let block = body.blocks().next().unwrap();
        assert_eq!(block.labels[0].as_str(), "a,b");
        let caps = block.body.attributes().next().unwrap();
        assert_eq!(caps.expr, hcl::Expression::from(vec!["read", "list"]));
        assert_eq!(block.body.attributes().count(), 3);
    }

    /// Any text, however broken, is laid out or refused: never a panic (a server's policy
    /// is not ours to trust).
    #[test]
    fn any_text_is_laid_out_or_refused() {
        const PIECES: [&str; 16] = [
            "path", " ", "\n", "\"", "\\", "{", "}", "[", "]", ",", "=", "#", "/", "*", "<<EOT\n",
            "é",
        ];
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..20_000 {
            let mut text = String::new();
            for _ in 0..(seed % 24) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                text.push_str(PIECES[(seed % 16) as usize]);
            }
            if let Some(relaid) = relaid(&text) {
                let _ = hcl::parse(&relaid);
            }
            seed = seed.wrapping_add(1);
        }
    }

    #[test]
    fn unbalanced_brackets_are_left_to_the_first_parse() {
        assert_eq!(relaid("path \"a\" { capabilities = [\"read\" }"), None);
        assert_eq!(relaid("path \"a\" {"), None);
        assert_eq!(relaid("path \"a\" { x = \"open }"), None);
    }
}
