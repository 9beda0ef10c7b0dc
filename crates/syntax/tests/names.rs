//! `is_name` says exactly which words the parser reads back as one name in a value.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly

use kp_syntax::ast::{Entry, ExprKind};
use kp_syntax::{is_name, parse};

/// Whether `word`, written as a value, parses cleanly as the reference `word`.
fn parses_as_name(word: &str) -> bool {
    let result = parse(&format!("b {{ x = {word} }}"));
    let Some(Entry::Attribute(attr)) = result.file.blocks.first().and_then(|b| b.entries().first())
    else {
        return false;
    };
    result.diagnostics.is_empty()
        && matches!(&attr.value.kind, ExprKind::Ident(i) if i.as_str() == word)
}

#[test]
fn is_name_agrees_with_the_parser() {
    let words = [
        "a",
        "_a",
        "ci-deploy",
        "a-",
        "a_1",
        "A9",
        "a.b",
        "1abc",
        "-a",
        "",
        "true",
        "false",
        "env",
        "a b",
        "a/b",
        "é",
        "a\"",
        "truex",
    ];
    for word in words {
        assert_eq!(is_name(word), parses_as_name(word), "{word:?}");
    }
    assert!(is_name("a-") && !is_name("a.b") && !is_name("1abc") && !is_name("true"));
}
