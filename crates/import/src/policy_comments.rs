//! The comments of a policy's text, kept through the import: the HCL parser drops them,
//! and they are often the only record of why a rule grants what it does.
//!
//! Comments above the first `path` block, set apart from it by a blank line, are the
//! policy's; every other comment belongs to a rule: those right above a `path` block, or
//! inside it (whole lines, or after the code on a line), to that path. Rules merged by
//! path keep all of theirs, in order.

use std::collections::BTreeMap;

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Comments {
    /// The policy's own comments (without `#` or `//`).
    pub header: Vec<String>,
    /// Each path's comments.
    pub by_path: BTreeMap<String, Vec<String>>,
}

impl Comments {
    pub fn of(&self, path: &str) -> &[String] {
        self.by_path.get(path).map_or(&[], Vec::as_slice)
    }
}

/// The comments of `text` (HCL; a JSON policy has none).
pub fn comments(text: &str) -> Comments {
    let mut out = Comments::default();
    let mut pending: Vec<String> = Vec::new();
    let mut depth = 0usize;
    let mut current: Option<String> = None;
    let mut in_heredoc: Option<String> = None;
    for line in text.lines() {
        if let Some(marker) = &in_heredoc {
            if line.trim() == marker {
                in_heredoc = None;
            }
            continue;
        }
        let (code, comment) = split_comment(line);
        let code = code.trim();
        if depth == 0 {
            if code.is_empty() {
                if let Some(c) = comment {
                    pending.push(c);
                    continue;
                }
            }
            if code.is_empty() {
                // Set apart from the first rule: the policy's.
                if out.by_path.is_empty() {
                    out.header.append(&mut pending);
                }
                continue;
            }
            current = path_label(code);
            if let Some(path) = &current {
                out.by_path
                    .entry(path.clone())
                    .or_default()
                    .append(&mut pending);
            }
        }
        if let Some(c) = comment {
            match &current {
                Some(path) => out.by_path.entry(path.clone()).or_default().push(c),
                None => pending.push(c),
            }
        }
        depth = depth_after(code, depth);
        if let Some(marker) = heredoc_marker(code) {
            in_heredoc = Some(marker);
        }
        if depth == 0 && code.ends_with('}') {
            current = None;
        }
    }
    // Comments after the last rule: the last rule's, or the policy's without one.
    match out.by_path.values_mut().last() {
        Some(last) if !pending.is_empty() => last.append(&mut pending),
        _ => out.header.append(&mut pending),
    }
    out.by_path.retain(|_, c| !c.is_empty());
    out
}

/// A line's code and its comment's text, if any: `#` or `//` outside a string.
fn split_comment(line: &str) -> (&str, Option<String>) {
    let mut in_string = false;
    let mut escaped = false;
    let bytes = line.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        let marker = match b {
            b'"' => {
                in_string = true;
                continue;
            }
            b'#' => 1,
            b'/' if bytes.get(i + 1) == Some(&b'/') => 2,
            _ => continue,
        };
        let text = line.get(i + marker..).unwrap_or("").trim();
        return (line.get(..i).unwrap_or(""), Some(text.to_string()));
    }
    (line, None)
}

/// The path of a line opening a `path "..." {` block.
fn path_label(code: &str) -> Option<String> {
    let rest = code.strip_prefix("path")?.trim_start();
    let quoted = rest.strip_prefix('"')?;
    let mut out = String::new();
    let mut chars = quoted.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(out),
            '\\' => out.extend(chars.next()),
            c => out.push(c),
        }
    }
    None
}

/// The brace depth after `code` (braces in strings do not count).
fn depth_after(code: &str, mut depth: usize) -> usize {
    let mut in_string = false;
    let mut escaped = false;
    for c in code.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            '{' if !in_string => depth += 1,
            '}' if !in_string => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    depth
}

/// The marker of a heredoc that `code` opens (`<<EOT`, `<<-EOT`).
fn heredoc_marker(code: &str) -> Option<String> {
    let at = code.rfind("<<")?;
    let marker = code.get(at + 2..)?.trim_start_matches('-').trim();
    (!marker.is_empty()
        && marker
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_'))
    .then(|| marker.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_go_to_the_policy_or_to_their_rule() {
        let text = r##"# Deployers of the web app.
# Owned by the platform team.

# Reads the app's config.
path "secret/data/app/*" {
  capabilities = ["read"] # not list: names are secret too
  // nothing else
}

path "secret/data/x#y" {
  # a "#" in a path is not a comment
  capabilities = ["read"]
}
# trailing
"##;
        let c = comments(text);
        assert_eq!(
            c.header,
            ["Deployers of the web app.", "Owned by the platform team."]
        );
        assert_eq!(
            c.of("secret/data/app/*"),
            [
                "Reads the app's config.",
                "not list: names are secret too",
                "nothing else"
            ]
        );
        assert_eq!(
            c.of("secret/data/x#y"),
            ["a \"#\" in a path is not a comment", "trailing"]
        );
    }

    #[test]
    fn a_comment_right_above_the_first_rule_is_the_rules() {
        let c = comments("# why\npath \"a\" {\n  capabilities = [\"read\"]\n}\n");
        assert!(c.header.is_empty());
        assert_eq!(c.of("a"), ["why"]);
        assert_eq!(
            comments("path \"a\" { capabilities = [\"read\"] }\n"),
            Comments::default()
        );
    }

    #[test]
    fn heredoc_lines_are_not_comments() {
        let text = "path \"a\" {\n  description = <<EOT\n# not a comment\nEOT\n  capabilities = [\"read\"]\n}\n";
        assert_eq!(comments(text), Comments::default());
    }
}
