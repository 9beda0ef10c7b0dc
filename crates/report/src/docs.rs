//! The entries of `docs/diagnostics.md`, one per code: `### \`CODE\``, then a paragraph
//! opening with `**error.**` or `**warning.**`, then examples and fixes.

use std::sync::OnceLock;

const DOC: &str = include_str!("../../../docs/diagnostics.md");

/// Where `docs/diagnostics.md` is published: the file on the main branch of the
/// workspace's `repository` (Cargo.toml), so the address is written in one place. A
/// rule's `helpUri` is this plus the entry's anchor.
pub const DOCS_URL: &str = concat!(
    env!("CARGO_PKG_REPOSITORY"),
    "/blob/main/docs/diagnostics.md"
);

/// What the documentation says about one code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub code: String,
    /// The first sentence of the entry.
    pub summary: String,
    /// The entry's first paragraph, without its severity marker.
    pub description: String,
    /// The whole entry, as Markdown.
    pub markdown: String,
    /// The entry's URL: [`DOCS_URL`] and the heading's anchor as GitHub renders it.
    pub url: String,
}

fn rules() -> &'static [Rule] {
    static RULES: OnceLock<Vec<Rule>> = OnceLock::new();
    RULES.get_or_init(|| parse(DOC))
}

/// The documented rule of `code`, if the doc has an entry for it.
pub fn rule(code: &str) -> Option<&'static Rule> {
    rules().iter().find(|r| r.code == code)
}

fn parse(doc: &str) -> Vec<Rule> {
    let mut rules = Vec::new();
    let mut sections = doc.split("\n### `").skip(1);
    for section in sections.by_ref() {
        let Some((code, rest)) = section.split_once('`') else {
            continue;
        };
        // The entry ends at the next heading of any level.
        let body = rest
            .split_once('\n')
            .map_or("", |(_, b)| b)
            .split("\n## ")
            .next()
            .unwrap_or_default()
            .trim();
        let first = body.split("\n\n").next().unwrap_or_default();
        let description = strip_severity(&first.split_whitespace().collect::<Vec<_>>().join(" "));
        rules.push(Rule {
            code: code.to_string(),
            summary: first_sentence(&description),
            url: format!("{DOCS_URL}#{}", anchor(code)),
            markdown: body.to_string(),
            description,
        });
    }
    rules
}

fn strip_severity(text: &str) -> String {
    ["**error.**", "**warning.**"]
        .iter()
        .find_map(|m| text.strip_prefix(m))
        .unwrap_or(text)
        .trim()
        .to_string()
}

fn first_sentence(text: &str) -> String {
    match text.find(". ") {
        Some(end) => text.get(..=end).unwrap_or(text).to_string(),
        None => text.to_string(),
    }
}

/// GitHub's heading anchor: lowercase, punctuation other than `-` and `_` dropped,
/// spaces to `-`.
fn anchor(heading: &str) -> String {
    heading
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_an_entry() {
        let r = rule("kp::unknown-field").expect("documented");
        assert!(
            r.url.ends_with("diagnostics.md#kpunknown-field"),
            "{}",
            r.url
        );
        assert!(!r.summary.is_empty() && r.summary.len() <= r.description.len());
        assert!(!r.description.starts_with("**"));
        assert!(r.markdown.contains("```kp"));
        assert!(!r.markdown.contains("\n## "));
    }

    #[test]
    fn every_syntax_code_is_documented() {
        assert!(rules().len() >= 60);
        assert!(rule("kp::syntax::unclosed-block").is_some());
        assert!(rule("kp::no-such-code").is_none());
    }
}
