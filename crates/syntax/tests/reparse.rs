//! [`reparse`] is the parse from scratch, tree and diagnostics, on random edit sequences
//! over the examples and the language test programs: edits that open and close strings,
//! comments, heredocs, brackets and blocks, join two blocks and split one, and paste.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use kp_syntax::{parse_shared_at, reparse, ParseResult};
use proptest::prelude::*;

fn corpus() -> &'static [String] {
    static CORPUS: OnceLock<Vec<String>> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut out = Vec::new();
        let mut dirs: Vec<PathBuf> = vec![root.join("examples"), root.join("tests")];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|x| x == "kp") {
                    out.push(std::fs::read_to_string(&path).unwrap());
                }
            }
        }
        out.sort();
        assert!(out.len() > 50, "corpus: {} programs", out.len());
        out
    })
}

/// What typing, deleting and pasting insert: pieces that change how the rest of the text
/// lexes (quotes, comment starts, heredoc markers, brackets) as often as plain words.
const SNIPPETS: &[&str] = &[
    "",
    "x",
    " ",
    "\n",
    "\n\n",
    "}",
    "{",
    "}\n",
    "\"",
    "\\",
    "=",
    "= ",
    "[",
    "]",
    "(",
    ",",
    "#",
    "# a comment\n",
    "//",
    "<<EOT\n",
    "<<-EOT\n",
    "EOT\n",
    "  EOT\n",
    "env(\"X\")",
    "env",
    "1h",
    "10 s",
    "true",
    "policy added {\n  path \"a/*\" { capabilities = [read] }\n}\n",
    "\nworkload w2 {\n  read \"secret/data/x\"\n}\n",
    "extern policy typed\n",
    "role r9 {\n}\n",
    "auth jwt",
    "workload w5\n",
    "  login ci {}\n",
];

#[derive(Debug, Clone)]
enum Insert {
    Text(&'static str),
    /// A copy of `len` bytes of the text at a fraction of it.
    Paste(f64, usize),
}

#[derive(Debug, Clone)]
struct Edit {
    at: Where,
    /// How many bytes to replace.
    len: usize,
    insert: Insert,
}

/// Where an edit starts, as a fraction of the text.
#[derive(Debug, Clone)]
enum Where {
    There(f64),
    /// At the start of the line after that point.
    NextLine(f64),
}

fn edit() -> impl Strategy<Value = Edit> {
    let insert = prop_oneof![
        4 => prop::sample::select(SNIPPETS).prop_map(Insert::Text),
        1 => (0.0..1.0f64, 0usize..300).prop_map(|(a, l)| Insert::Paste(a, l)),
    ];
    let at = prop_oneof![
        (0.0..1.0f64).prop_map(Where::There),
        (0.0..1.0f64).prop_map(Where::NextLine),
    ];
    let len = prop_oneof![3 => Just(0usize), 2 => 0usize..4, 1 => 0usize..200];
    (at, len, insert).prop_map(|(at, len, insert)| Edit { at, len, insert })
}

fn apply(text: &str, e: &Edit) -> String {
    let fraction = |f: f64| text.floor_char_boundary((f * text.len() as f64) as usize);
    let at = match e.at {
        Where::There(f) => fraction(f),
        Where::NextLine(f) => {
            let from = fraction(f);
            text[from..].find('\n').map_or(text.len(), |i| from + i + 1)
        }
    };
    let end = text.floor_char_boundary(at + e.len);
    let insert = match e.insert {
        Insert::Text(t) => t.to_string(),
        Insert::Paste(from, len) => {
            let a = fraction(from);
            text[a..text.floor_char_boundary(a + len)].to_string()
        }
    };
    let mut out = text.to_string();
    out.replace_range(at..end, &insert);
    out
}

fn assert_same(reparsed: &ParseResult, scratch: &ParseResult) {
    assert_eq!(reparsed.file, scratch.file);
    assert_eq!(
        format!("{:#?}", reparsed.diagnostics),
        format!("{:#?}", scratch.diagnostics)
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn reparsing_equals_parsing_from_scratch(
        pick in any::<prop::sample::Index>(),
        edits in prop::collection::vec((edit(), 0usize..3), 1..8),
    ) {
        let mut text = Arc::new(pick.get(corpus()).clone());
        let mut base = 0;
        let mut parsed = parse_shared_at(&text, base);
        for (e, new_base) in &edits {
            // Sometimes the file moves too (an earlier file of the program changed).
            let new_base = [0, 7, 300][*new_base];
            let new_text = Arc::new(apply(&text, e));
            let old_blocks = parsed.file.blocks.len();
            let (reparsed, kept) = reparse(&text, parsed, base, &new_text, new_base);
            let scratch = parse_shared_at(&new_text, new_base);
            assert_same(&reparsed, &scratch);
            prop_assert!(kept.before <= kept.after && kept.after <= old_blocks);
            prop_assert_eq!(
                kept.before + kept.parsed + (old_blocks - kept.after),
                scratch.file.blocks.len()
            );
            (text, base, parsed) = (new_text, new_base, reparsed);
        }
    }
}

/// Typing in one block of a large text parses that block again, not the text, even an
/// edit that opens a string or a comment; a heredoc or a block left open runs to the end
/// of the text, and everything after it is parsed again.
#[test]
fn an_edit_parses_only_around_it() {
    let block = |i: usize| {
        format!("policy p{i} {{\n  path \"a/{i}/*\" {{ capabilities = [read] }}\n}}\n\n")
    };
    let text: String = (0..50).map(block).collect();
    let in_string = text.find("a/25/").unwrap();
    let in_body = text.find("  path \"a/25/").unwrap();
    let between = text.find("policy p26").unwrap();
    let cases = [
        (in_string, "x", (25, 26)),
        (in_string, "\"", (25, 26)),
        (in_body, "# ", (25, 26)),
        (in_body, "\"", (25, 26)),
        (between, "\n\n", (25, 26)),
        (in_body, "<<EOT\n", (25, 50)),
        (between, "policy q {\n", (26, 50)),
    ];
    for (at, insert, expected) in cases {
        let mut edited = text.clone();
        edited.insert_str(at, insert);
        let old = Arc::new(text.clone());
        let new = Arc::new(edited);
        let (reparsed, kept) = reparse(&old, parse_shared_at(&old, 0), 0, &new, 0);
        assert_same(&reparsed, &parse_shared_at(&new, 0));
        assert_eq!((kept.before, kept.after), expected, "{insert:?}");
    }
}

/// A header whose line lacks its `{` reads the lines below it up to the first token in
/// column 1 (a `}` there closes its body): an edit there parses the header again, even
/// past an indented top-level block in between.
#[test]
fn a_header_without_its_brace_is_parsed_again_after_an_edit_below() {
    let closed = "workload a\n  login approle { x = 1 }\n  read \"x/*\"\n}\npolicy p {}\n";
    let open = closed.replace("}\npolicy", "policy");
    for (old, new) in [(open.as_str(), closed), (closed, open.as_str())] {
        let (old, new) = (Arc::new(old.to_string()), Arc::new(new.to_string()));
        let (reparsed, _) = reparse(&old, parse_shared_at(&old, 0), 0, &new, 0);
        let scratch = parse_shared_at(&new, 0);
        assert_same(&reparsed, &scratch);
    }
    assert_eq!(
        parse_shared_at(&Arc::new(closed.to_string()), 0)
            .file
            .blocks
            .len(),
        2
    );
    assert_eq!(parse_shared_at(&Arc::new(open), 0).file.blocks.len(), 4);

    // An unchanged end where an indented header became one in column 1 (found by the
    // recheck fuzzer): it is parsed again, now with the body below it.
    let old = "secrets ssh {\n  role op key_\"\n  }\n}\n    key_\"\n  }\n}\n";
    let new = "secrets ssh {\n  role op ke key_\"\n  }\n}\n    key_\"\n  }\n}\nkey_\"\n  }\n}\n";
    let (old, new) = (Arc::new(old.to_string()), Arc::new(new.to_string()));
    let (reparsed, _) = reparse(&old, parse_shared_at(&old, 0), 0, &new, 0);
    assert_same(&reparsed, &parse_shared_at(&new, 0));
}

/// An edit of an old Mac file (`\r` alone ends its lines), or one that makes it one,
/// parses as the text does from scratch.
#[test]
fn an_edit_of_an_old_mac_file_parses_as_from_scratch() {
    let lf = "policy a {\n  path \"a/*\" { capabilities = [read] }\n}\n\npolicy b {\n  path \"b/*\" { capabilities = [read] }\n}\n";
    let mac = lf.replace('\n', "\r");
    let edited = mac.replacen("b/*", "c/*", 1);
    for (before, after) in [
        (lf.to_string(), mac.clone()),
        (mac.clone(), edited),
        (mac, lf.to_string()),
    ] {
        let old = Arc::new(before);
        let new = Arc::new(after);
        let (reparsed, _) = reparse(&old, parse_shared_at(&old, 0), 0, &new, 0);
        let scratch = parse_shared_at(&new, 0);
        assert!(scratch.diagnostics.is_empty(), "{:#?}", scratch.diagnostics);
        assert_eq!(scratch.file.blocks.len(), 2);
        assert_same(&reparsed, &scratch);
    }
}
