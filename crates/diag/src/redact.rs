//! Secrets written as literals never echo: not in a diagnostic's message, label or
//! help, not in the source snippets shown under it. The checker finds their spans
//! (fields the schema marks sensitive); this module hides them.

use crate::{Diagnostic, SourceMap, Span};

/// What a message shows where it would quote a literal secret.
pub const REDACTED: &str = "(literal secret)";

/// Secrets shorter than this are redacted only where a message quotes them whole
/// (`` `x` ``): replacing every `a` of a message for a one-letter password helps no one.
const MIN_FREE_LEN: usize = 4;

/// The texts of the secrets at `spans`: a string's contents, a heredoc's lines.
pub fn secret_texts(map: &SourceMap, spans: &[Span]) -> Vec<String> {
    let mut out = Vec::new();
    for span in with_leftovers(map, spans) {
        let Some(file) = map.file_of(span.start) else {
            continue;
        };
        let local = file.local(span);
        let Some(raw) = file.text().get(local.start..local.end) else {
            continue;
        };
        let inner = raw
            .strip_prefix('"')
            .and_then(|r| r.strip_suffix('"'))
            .unwrap_or(raw);
        if raw.starts_with("<<") {
            // Heredoc: the lines between the markers, each on its own too.
            let lines: Vec<&str> = raw.lines().collect();
            if let Some(body) = lines.get(1..lines.len().saturating_sub(1)) {
                out.push(body.join("\n"));
                out.extend(body.iter().map(|l| l.trim().to_string()));
            }
        } else {
            out.push(inner.to_string());
        }
    }
    out.retain(|s| !s.is_empty());
    // Longest first: a secret that contains another is replaced whole.
    kp_sort::by_key(&mut out, |s| std::cmp::Reverse(s.len()));
    out.dedup();
    out
}

/// Replaces every secret in the diagnostics' texts.
pub fn diagnostics(diags: &mut [Diagnostic], secrets: &[String]) {
    if secrets.is_empty() {
        return;
    }
    for d in diags {
        d.message = text(&d.message, secrets);
        d.label = text(&d.label, secrets);
        if let Some(help) = &d.help {
            d.help = Some(text(help, secrets));
        }
        for r in &mut d.related {
            r.label = text(&r.label, secrets);
        }
    }
}

/// `s` with every secret replaced, as [`diagnostics`] replaces them: for another text
/// an editor shows beside the diagnostics (a quick fix's title).
pub fn text(s: &str, secrets: &[String]) -> String {
    let mut out = s.to_string();
    for secret in secrets {
        if secret.len() >= MIN_FREE_LEN {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), REDACTED);
            }
        } else {
            let quoted = format!("`{secret}`");
            if out.contains(&quoted) {
                out = out.replace(&quoted, &format!("`{REDACTED}`"));
            }
        }
    }
    out
}

/// The map with every secret's text starred out, byte for byte (so offsets, lines and
/// spans stay valid): what snippets are rendered from. Quotes and heredoc marker lines
/// stay, so the snippet still reads as the program. The same text elsewhere (a password
/// also written into a `connection_url`) is starred too.
pub fn sources(map: &SourceMap, spans: &[Span]) -> SourceMap {
    let secrets = secret_texts(map, spans);
    let mut out = SourceMap::new();
    for file in map.files() {
        let mut bytes = file.text().as_bytes().to_vec();
        for secret in secrets.iter().filter(|s| s.len() >= MIN_FREE_LEN) {
            let at: Vec<usize> = file
                .text()
                .match_indices(secret.as_str())
                .map(|(i, _)| i)
                .collect();
            for i in at {
                for b in bytes.get_mut(i..i + secret.len()).into_iter().flatten() {
                    if *b != b'\n' {
                        *b = b'*';
                    }
                }
            }
        }
        for span in with_leftovers(map, spans)
            .into_iter()
            .filter(|s| file.contains(s.start))
        {
            let local = file.local(span);
            let Some(raw) = bytes.get(local.start..local.end) else {
                continue;
            };
            // A heredoc keeps its first and last lines (`<<EOT`, `EOT`).
            let (from, to) = if raw.starts_with(b"<<") {
                let first = raw.iter().position(|&b| b == b'\n').unwrap_or(raw.len());
                let last = raw.iter().rposition(|&b| b == b'\n').unwrap_or(raw.len());
                (local.start + first, local.start + last)
            } else {
                (local.start, local.end)
            };
            for b in bytes.get_mut(from..to).into_iter().flatten() {
                if *b != b'\n' && *b != b'"' {
                    *b = b'*';
                }
            }
        }
        // Every byte replaced was part of whole characters inside the span; the rest is
        // the original UTF-8.
        let text = String::from_utf8(bytes)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        out.add(file.name(), text);
    }
    out
}

/// The spans and, after each, the words of what is left of a secret the parser cut short:
/// `"Tr0ub"4dor3xyz"` (a quote inside) ends the string at `Tr0ub` and leaves `4dor3xyz"`
/// on the line; `"Tr0ub` then `4dor3xyz"` on the next line (a newline inside) leaves that
/// line. The syntax errors there quote the rest, which is as secret as the start. A word
/// each, split at blanks and quotes, as a message quotes a token.
fn with_leftovers(map: &SourceMap, spans: &[Span]) -> Vec<Span> {
    let mut out = spans.to_vec();
    for &span in spans {
        let Some(file) = map.file_of(span.start) else {
            continue;
        };
        let text = file.text();
        let local = file.local(span);
        let (Some(raw), Some(after)) = (text.get(local.start..local.end), text.get(local.end..))
        else {
            continue;
        };
        let (line, next) = after.split_once('\n').unwrap_or((after, ""));
        let mut left = Vec::new();
        if is_leftover(line) {
            left.push((local.end, line));
        }
        // An unterminated string: its rest is the next line, up to the quote closing it.
        let unterminated = raw.starts_with('"') && (raw.len() == 1 || !raw.ends_with('"'));
        let next_line = next.split('\n').next().unwrap_or("");
        if unterminated && !starts_entry(next_line) {
            if let Some(quote) = next_line.find('"') {
                let at = local.end + line.len() + 1;
                left.push((at, next_line.get(..=quote).unwrap_or(next_line)));
            }
        }
        for (at, rest) in left {
            out.extend(
                words(rest)
                    .into_iter()
                    .map(|(i, w)| file.global(Span::new(at + i, at + i + w.len()))),
            );
        }
    }
    out
}

/// Whether what follows a secret on its line is part of it: anything but the end of an
/// entry (`,`, `]`, `}`, a comment) right after the closing quote (`"Tr0ub"4dor"`); after
/// a blank, only text that a quote of its own closes (`"Tr0ub" 4dor"`) and that is not the
/// next entry (`a = "x" b = 1`). A stray word after a blank (`"hunter2" policy`) is not:
/// its text would be starred in every message that names it.
fn is_leftover(line: &str) -> bool {
    let rest = line.trim_start();
    if rest.is_empty() || rest.starts_with([',', ']', '}', ')', '#']) || rest.starts_with("//") {
        return false;
    }
    rest.len() == line.len() || (rest.contains('"') && !starts_entry(rest))
}

/// Whether a line starts an entry: a name then `=` or `{`.
fn starts_entry(line: &str) -> bool {
    let line = line.trim_start();
    let name = line
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(line.len());
    name > 0
        && line
            .get(name..)
            .is_some_and(|r| r.trim_start().starts_with(['=', '{']))
}

/// The words of `s` and their offsets, split at blanks and quotes.
fn words(s: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in s.char_indices().chain([(s.len(), ' ')]) {
        match (c.is_whitespace() || c == '"', start) {
            (true, Some(from)) => {
                out.extend(s.get(from..i).map(|w| (from, w)));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The map of one file, and the span of `secret` in it as the checker gives it.
    fn one(text: &str, secret: &str) -> (SourceMap, Vec<Span>) {
        let mut map = SourceMap::new();
        map.add("a.kp", text.to_string());
        let at = text.find(secret).unwrap_or_default();
        let span = map
            .files()
            .first()
            .map(|f| f.global(Span::new(at, at + secret.len())));
        (map, span.into_iter().collect())
    }

    fn starred(text: &str, secret: &str) -> String {
        let (map, spans) = one(text, secret);
        let out = sources(&map, &spans);
        out.files()
            .first()
            .map(|f| f.text().to_string())
            .unwrap_or_default()
    }

    #[test]
    fn what_is_left_of_a_cut_secret_is_secret() {
        let glued = "password = \"Tr0ub\"4dor3xyz\"\n";
        assert_eq!(
            starred(glued, "\"Tr0ub\""),
            "password = \"*****\"********\"\n"
        );
        let (map, spans) = one(glued, "\"Tr0ub\"");
        assert!(secret_texts(&map, &spans).contains(&"4dor3xyz".to_string()));
        // A quote inside and a blank after it: the rest, up to its own quote.
        let spaced = "password = \"Tr0ub\" 4dor3xyz\"\n";
        assert_eq!(
            starred(spaced, "\"Tr0ub\""),
            "password = \"*****\" ********\"\n"
        );
        let next_line = "  password = \"Tr0ub\n4dor3xyz\"\n}\n";
        assert_eq!(
            starred(next_line, "\"Tr0ub"),
            "  password = ******\n********\"\n}\n"
        );
    }

    #[test]
    fn what_follows_a_whole_secret_is_not() {
        for text in [
            "password = \"Tr0ub\" # a comment\n",
            "password = \"Tr0ub\", x = 1\n",
            "password = \"Tr0ub\" token_ttl = 1h\n",
            "passwords = [\"Tr0ub\", \"other\"]\n",
            // A stray word after a blank is a syntax error, not a secret: starred as one,
            // it would be starred in every message naming it (`policy reader`).
            "password = \"Tr0ub\" policy\n",
        ] {
            let expected = text.replace("Tr0ub", "*****");
            assert_eq!(starred(text, "\"Tr0ub\""), expected, "{text}");
            let (map, spans) = one(text, "\"Tr0ub\"");
            assert_eq!(
                secret_texts(&map, &spans),
                vec!["Tr0ub".to_string()],
                "{text}"
            );
        }
    }
}
