//! `keyplan explain-code CODE`: the entry of `docs/diagnostics.md` for a code, as
//! `rustc --explain` prints its error index. The document is embedded at build time, so
//! the text a user reads is the one the doc tests compile (no second copy to drift).

use std::fmt;

/// `docs/diagnostics.md` as written.
pub const DIAGNOSTICS_DOC: &str = include_str!("../../../docs/diagnostics.md");

/// A code the document has no entry for, with the nearest documented code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownCode {
    pub code: String,
    pub suggestion: Option<&'static str>,
}

impl fmt::Display for UnknownCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "no diagnostic has the code `{}`", self.code)?;
        if let Some(s) = self.suggestion {
            write!(f, "; did you mean `{s}`?")?;
        }
        Ok(())
    }
}

impl std::error::Error for UnknownCode {}

/// Every code with an entry, in the document's order.
pub fn documented_codes() -> impl Iterator<Item = &'static str> {
    DIAGNOSTICS_DOC.lines().filter_map(heading_code)
}

/// `### \`kp::code\`` → `kp::code`.
fn heading_code(line: &str) -> Option<&str> {
    line.strip_prefix("### `")?
        .strip_suffix('`')
        .filter(|c| c.starts_with("kp::"))
}

/// The entry for `code` (`kp::` may be left out, capitals do not count): its heading and
/// text up to the next heading, without the doc tests' `<!-- expect: ... -->` markers.
pub fn explain_code(code: &str) -> Result<String, UnknownCode> {
    let wanted = code.trim();
    let lower = wanted.to_ascii_lowercase();
    let full = if lower.starts_with("kp::") {
        lower
    } else {
        format!("kp::{lower}")
    };
    let mut lines = DIAGNOSTICS_DOC.lines();
    if !lines
        .by_ref()
        .any(|l| heading_code(l) == Some(full.as_str()))
    {
        let short = |c: &'static str| c.strip_prefix("kp::").unwrap_or(c);
        let typed = full.strip_prefix("kp::").unwrap_or(&full);
        // Its words in another order (`jwt-unbound-role`) are no typo by letters.
        let words = |c: &str| {
            let mut w: Vec<String> = c.split('-').map(str::to_string).collect();
            kp_sort::sort(&mut w);
            w
        };
        let suggestion = kp_diag::did_you_mean(typed, documented_codes().map(short))
            .and_then(|s| documented_codes().find(|c| short(c) == s))
            .or_else(|| documented_codes().find(|c| words(short(c)) == words(typed)));
        return Err(UnknownCode {
            code: wanted.to_string(),
            suggestion,
        });
    }
    let mut text = format!("# `{full}`\n");
    // The entry ends at the next heading; a `#` line inside an example is a comment.
    let mut in_example = false;
    for line in lines {
        if line.starts_with("```") {
            in_example = !in_example;
        } else if !in_example && line.starts_with('#') {
            break;
        }
        if line.trim_start().starts_with("<!-- expect:") {
            continue;
        }
        text.push_str(line);
        text.push('\n');
    }
    while text.ends_with("\n\n") {
        text.pop();
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_runs_from_its_heading_to_the_next() {
        let text = explain_code("kp::empty-policy").unwrap_or_default();
        assert!(
            text.starts_with("# `kp::empty-policy`\n**error.**"),
            "{text}"
        );
        assert!(text.contains("```kp\npolicy"), "{text}");
        assert!(!text.contains("<!--"), "{text}");
        assert!(!text.contains("### "), "{text}");
    }

    #[test]
    fn the_prefix_may_be_left_out() {
        assert_eq!(
            explain_code("empty-policy"),
            explain_code("kp::empty-policy")
        );
        assert!(explain_code("syntax::unclosed-list").is_ok());
        // Codes are lower case; one typed in capitals is the same code.
        assert_eq!(
            explain_code("KP::Empty-Policy"),
            explain_code("kp::empty-policy")
        );
    }

    #[test]
    fn an_unknown_code_suggests_the_nearest() {
        let err = explain_code("jwt-unbound-role").err();
        assert_eq!(err.and_then(|e| e.suggestion), Some("kp::unbound-jwt-role"));
        let err = explain_code("kp::unknwn-field").err();
        assert_eq!(
            err.map(|e| e.to_string()),
            Some(
                "no diagnostic has the code `kp::unknwn-field`; did you mean \
                 `kp::unknown-field`?"
                    .to_string()
            )
        );
        assert_eq!(
            explain_code("nothing-like-it")
                .err()
                .and_then(|e| e.suggestion),
            None
        );
    }

    #[test]
    fn every_documented_code_explains() {
        let codes: Vec<&str> = documented_codes().collect();
        assert!(codes.len() > 50, "{codes:?}");
        for code in codes {
            assert!(explain_code(code).is_ok(), "{code}");
        }
    }
}
