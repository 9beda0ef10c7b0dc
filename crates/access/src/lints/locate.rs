//! Where in the source a finding about lowered data is written: the IR keeps a
//! resource's span, not one per value, so a finding about one value of a block is
//! located by finding the value's text inside the block. `None` when it is not written
//! there (derived from something else) or the sources are not at hand; callers then
//! point at the whole block.

use kp_diag::{SourceMap, Span};

/// The text of `within` in `sources`, with the file-local offset it starts at.
fn text_of(sources: &SourceMap, within: Span) -> Option<(&kp_diag::SourceFile, usize, &str)> {
    let file = sources.files().iter().find(|f| f.contains(within.start))?;
    let local = file.local(within);
    Some((file, local.start, file.text().get(local.start..local.end)?))
}

/// The span of `"value"` inside `within`: where a rule's path is written (a `path`
/// block's label or a workload statement's argument).
pub(super) fn quoted(sources: &SourceMap, within: Span, value: &str) -> Option<Span> {
    let (file, start, text) = text_of(sources, within)?;
    let needle = format!("\"{value}\"");
    let at = start + text.find(&needle)?;
    Some(file.global(Span::new(at, at + needle.len())))
}

/// The span of `"value"` written as (one of) the value(s) of key `key` inside `within`:
/// `key = "value"`, `key = ["a", "value"]` or `"key" = ...`, in a map such as
/// `bound_claims`. The first `"value"` after the key's `=`.
pub(super) fn keyed(sources: &SourceMap, within: Span, key: &str, value: &str) -> Option<Span> {
    let (file, start, text) = text_of(sources, within)?;
    let needle = format!("\"{value}\"");
    let after_key = key_positions(text, key).find_map(|end| {
        let rest = text.get(end..)?;
        let rest = rest.strip_prefix('"').unwrap_or(rest);
        let eq = rest.len() - rest.trim_start().len();
        rest.trim_start()
            .starts_with('=')
            .then(|| text.len() - rest.len() + eq + 1)
    })?;
    let at = start + after_key + text.get(after_key..)?.find(&needle)?;
    Some(file.global(Span::new(at, at + needle.len())))
}

/// The offsets just past each occurrence of `key` as a whole word in `text`.
fn key_positions<'t>(text: &'t str, key: &'t str) -> impl Iterator<Item = usize> + 't {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    text.match_indices(key).filter_map(move |(at, _)| {
        let before = text.get(..at).and_then(|t| t.chars().next_back());
        let after = text.get(at + key.len()..).and_then(|t| t.chars().next());
        (!before.is_some_and(word) && !after.is_some_and(word)).then_some(at + key.len())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> SourceMap {
        SourceMap::single("main.kp", text)
    }

    #[test]
    fn a_keyed_value_is_found_after_its_key_not_before() {
        let src = r#"role r { bound_audiences = ["*"]  bound_claims = { sub = "x", ref = ["main", "*"] } }"#;
        let map = one(src);
        let all = Span::new(0, src.len());
        let got = keyed(&map, all, "ref", "*").expect("found");
        assert_eq!(got.start, src.rfind("\"*\"").unwrap());
        assert_eq!(&src[got.start..got.end], "\"*\"");
        // `sub` is no prefix match of `subject`, and a key that is absent finds nothing.
        assert_eq!(keyed(&map, all, "subject", "x"), None);
        let quoted_key = r#"bound_claims = { "ref" = "refs/heads/*" }"#;
        let map = one(quoted_key);
        let got =
            keyed(&map, Span::new(0, quoted_key.len()), "ref", "refs/heads/*").expect("found");
        assert_eq!(&quoted_key[got.start..got.end], "\"refs/heads/*\"");
    }
}
