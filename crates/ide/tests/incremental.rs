//! An analysis updated after edits ([`Analysis::update`]) is exactly the analysis of the
//! edited program from scratch: random edit sequences over the examples and the language
//! test programs (one-file and multi-file), compared on everything the analysis holds
//! (its `Debug` form: tree, diagnostics, index, lowered program) and on the answers of
//! its queries.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod files;

use std::path::PathBuf;

use files::{kp_files, root};
use std::sync::OnceLock;

use kp_ide::{Analysis, SourceMap, Target};
use proptest::prelude::*;

/// A program: `(file name, text)` in order.
type Program = Vec<(String, String)>;

/// Every example and test program: one-file ones, and directories as multi-file ones.
fn corpus() -> &'static [Program] {
    static CORPUS: OnceLock<Vec<Program>> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let mut out = Vec::new();
        for dir in ["examples", "tests"] {
            let dir = root().join(dir);
            for f in kp_files(&dir) {
                out.push(vec![(
                    f.display().to_string(),
                    std::fs::read_to_string(&f).unwrap(),
                )]);
            }
            let mut subdirs: Vec<PathBuf> = std::fs::read_dir(&dir)
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.is_dir())
                .collect();
            subdirs.sort();
            for d in subdirs {
                let files: Program = kp_files(&d)
                    .into_iter()
                    .map(|f| {
                        (
                            f.display().to_string(),
                            std::fs::read_to_string(&f).unwrap(),
                        )
                    })
                    .collect();
                if !files.is_empty() {
                    out.push(files);
                }
            }
        }
        assert!(out.len() > 50, "corpus: {} programs", out.len());
        out
    })
}

fn sources(program: &Program) -> SourceMap {
    let mut map = SourceMap::new();
    for (name, text) in program {
        map.add(name.clone(), text.clone());
    }
    map
}

/// One edit: in file `file % n`, replace `len` bytes at `at` (a fraction of the text)
/// with `insert`. Snippets are what typing produces: words, braces, quotes, newlines,
/// whole blocks, comments, and pieces of the program itself (pasting).
#[derive(Debug, Clone)]
struct Edit {
    file: usize,
    at: f64,
    len: usize,
    insert: Insert,
}

#[derive(Debug, Clone)]
enum Insert {
    Text(&'static str),
    /// Typing inside a word: `x` after the next letter or digit (mostly keeps the syntax
    /// valid, so blocks around it are reused).
    InWord,
    /// A blank line or a comment line at the start of the next line.
    Line(&'static str),
    /// A copy of `len` bytes of the file at a fraction of it.
    Paste(f64, usize),
}

const SNIPPETS: &[&str] = &[
    "",
    "x",
    "e",
    "-",
    " ",
    "\n",
    "}",
    "{",
    "\"",
    "=",
    "[",
    "]",
    "# a comment\n",
    "policy added {\n  path \"a/*\" { capabilities = [read] }\n}\n",
    "\nworkload w2 {\n  read \"secret/data/x\"\n}\n",
    "role r9 {\n}\n",
    "ttl = 1h\n",
    "<<EOT\n",
    "env(\"X\")",
    "owns policies \"job-*\" reader\n",
    "secrets kv secret {\n  version = 1\n}\n",
    "auth oidc ci {\n}\n",
    "auth token {\n  role r9 {\n    orphan = true\n  }\n}\n",
    // What only one server has: the implied target changes, and with it the checks run.
    "token_strictly_bind_ip = true\n",
    "skip_jwks_validation = true\n",
    "secrets aws {\n  root {\n    region = \"us-west-2\"\n  }\n}\n",
    // What changes how the rest of the file lexes: comments, heredocs, brackets.
    "#",
    "//",
    "<<EOT\n",
    "EOT\n",
    "}\n",
];

fn edit() -> impl Strategy<Value = Edit> {
    let insert = prop_oneof![
        3 => prop::sample::select(SNIPPETS).prop_map(Insert::Text),
        1 => (0.0..1.0f64, 0usize..200).prop_map(|(a, l)| Insert::Paste(a, l)),
        3 => Just(Insert::InWord),
        1 => prop::sample::select(&["\n", "# note\n", "extern policy typed\n"][..]).prop_map(Insert::Line),
    ];
    (
        0usize..8,
        0.0..1.0f64,
        prop_oneof![3 => Just(0usize), 2 => 0usize..4, 1 => 0usize..80],
        insert,
    )
        .prop_map(|(file, at, len, insert)| Edit {
            file,
            at,
            len,
            insert,
        })
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn apply(program: &mut Program, e: &Edit) {
    let n = program.len();
    let text = &mut program[e.file % n].1;
    let mut at = floor_boundary(text, (e.at * text.len() as f64) as usize);
    let mut end = floor_boundary(text, at + e.len);
    let next = |from: usize, pred: &dyn Fn(char) -> bool| {
        text[from..]
            .char_indices()
            .find(|&(_, c)| pred(c))
            .map_or(text.len(), |(i, c)| from + i + c.len_utf8())
    };
    match &e.insert {
        Insert::InWord => {
            at = next(at, &|c: char| c.is_ascii_alphanumeric());
            end = at;
        }
        Insert::Line(_) => {
            at = next(at, &|c: char| c == '\n');
            end = at;
        }
        _ => {}
    }
    let insert = match &e.insert {
        Insert::Text(t) => t.to_string(),
        Insert::InWord => "x".to_string(),
        Insert::Line(l) => l.to_string(),
        Insert::Paste(from, len) => {
            let a = floor_boundary(text, (from * text.len() as f64) as usize);
            let b = floor_boundary(text, a + len);
            text[a..b].to_string()
        }
    };
    text.replace_range(at..end, &insert);
}

/// The two analyses agree on everything they hold and on every query at a spread of
/// offsets.
fn assert_same(updated: &Analysis, scratch: &Analysis) {
    // `Debug` shows every field: tree, syntax and other diagnostics, index, program.
    assert_eq!(format!("{updated:?}"), format!("{scratch:?}"));
    assert_eq!(updated.diagnostics(), scratch.diagnostics());
    assert_eq!(updated.index(), scratch.index());
    assert_eq!(updated.outline(), scratch.outline());
    let len = scratch.source().len();
    for off in (0..=len).step_by((len / 40).max(1)) {
        assert_eq!(updated.hover(off), scratch.hover(off), "hover at {off}");
        assert_eq!(
            updated.completions(off),
            scratch.completions(off),
            "completion at {off}"
        );
        assert_eq!(
            updated.definition(off),
            scratch.definition(off),
            "definition at {off}"
        );
        assert_eq!(updated.references(off, true), scratch.references(off, true));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 160, ..ProptestConfig::default() })]

    #[test]
    fn updates_equal_analyses_from_scratch(
        pick in any::<prop::sample::Index>(),
        // Each update's edits: one, or several (in one file or in several, as a rename
        // across files makes them).
        updates in prop::collection::vec(prop::collection::vec(edit(), 1..4), 1..6),
        // `None`: the target the program implies, which an edit may change.
        target in prop::sample::select(vec![None, Some(Target::Vault), Some(Target::Openbao)]),
    ) {
        let mut program = pick.get(corpus()).clone();
        let mut analysis = Analysis::of_program_for(sources(&program), target);
        for edits in &updates {
            edits.iter().for_each(|e| apply(&mut program, e));
            analysis = analysis.update(sources(&program));
            let scratch = Analysis::of_program_for(sources(&program), target);
            assert_same(&analysis, &scratch);
        }
    }
}

/// Files added to and removed from a program (a new file in the directory, one deleted)
/// and files reordered: the update matches by name.
#[test]
fn files_added_removed_and_reordered() {
    let multi: Vec<&Program> = corpus().iter().filter(|p| p.len() > 1).collect();
    assert!(!multi.is_empty());
    for program in multi {
        let first = Analysis::of_program(sources(program), Target::Vault);
        let mut fewer = program.clone();
        fewer.remove(0);
        let a = first.update(sources(&fewer));
        assert_same(&a, &Analysis::of_program(sources(&fewer), Target::Vault));
        let mut more = program.clone();
        more.push(("new.kp".to_string(), "policy extra {\n}\n".to_string()));
        more.reverse();
        let b = a.update(sources(&more));
        assert_same(&b, &Analysis::of_program(sources(&more), Target::Vault));
    }
}

#[path = "../../keyplan/benches/generate.rs"]
mod generate;

/// Where it pays: typing in one block of a large file parses that block and its two
/// neighbours again, not the file; an edit in one file of a program reuses the others
/// whole.
#[test]
fn an_edit_parses_only_around_it() {
    let text = generate::program(40);
    let mut edited = text.clone();
    let at =
        text.find("workload").unwrap() + text[text.find("workload").unwrap()..].find('{').unwrap();
    edited.insert_str(at + 1, "\n  # typing here\n");
    // Checked twice: the memo records once a check sees the previous environment.
    let a = Analysis::new(&text, Target::Vault).update(SourceMap::single("main.kp", text.as_str()));
    let blocks = a.outline().len();
    let (b, reuse) = a.update_counted(SourceMap::single("main.kp", edited.as_str()));
    assert!(reuse.parsed_blocks <= 3, "{reuse:?}");
    assert!(
        reuse.blocks + reuse.parsed_blocks >= blocks,
        "{reuse:?} of {blocks}"
    );
    // Lowered again: the edited workload alone (the other items are replayed).
    assert_eq!(reuse.replayed_items, blocks - 2, "{reuse:?} of {blocks}");
    assert_same(&b, &Analysis::new(&edited, Target::Vault));

    let files = vec![
        ("a.kp".to_string(), text.clone()),
        (
            "b.kp".to_string(),
            "policy other {\n  path \"x/*\" { capabilities = [read] }\n}\n".to_string(),
        ),
    ];
    let mut changed = files.clone();
    changed[1].1.push_str("# edited\n");
    let a = Analysis::of_program(sources(&files), Target::Vault);
    let (b, reuse) = a.update_counted(sources(&changed));
    assert_eq!(reuse.files, 1, "{reuse:?}");
    assert_same(&b, &Analysis::of_program(sources(&changed), Target::Vault));
}

/// One update that edits several files (a rename across files makes one): each edited
/// block is lowered again, every other item is replayed, and the result is the analysis
/// from scratch.
#[test]
fn an_update_editing_several_files_lowers_only_their_edited_blocks() {
    let policies = |prefix: &str| {
        (1..=3)
            .map(|i| format!("policy {prefix}{i} {{\n  path \"{prefix}/{i}/*\" {{ capabilities = [read] }}\n}}\n\n"))
            .collect::<String>()
    };
    let files = vec![
        ("a.kp".to_string(), policies("a")),
        ("b.kp".to_string(), policies("b")),
        ("c.kp".to_string(), policies("c")),
    ];
    let mut changed = files.clone();
    for (name, text) in changed.iter_mut().filter(|(n, _)| n != "b.kp") {
        let prefix = &name[..1];
        *text = text.replace(
            &format!("\"{prefix}/2/*\""),
            &format!("\"{prefix}/2/edited/*\""),
        );
    }
    // Checked twice: the memo records once a check sees the previous environment.
    let a = Analysis::of_program(sources(&files), Target::Vault).update(sources(&files));
    let (b, reuse) = a.update_counted(sources(&changed));
    assert_eq!(reuse.files, 1, "{reuse:?}");
    assert_eq!(reuse.replayed_items, 9 - 2, "{reuse:?}");
    assert_same(&b, &Analysis::of_program(sources(&changed), Target::Vault));
}

/// A program that implies OpenBao is checked for both servers at every update (Vault's
/// check says the target matters, OpenBao's is the one kept): each check replays from its
/// own memo, as much as a configured target's single check does.
#[test]
fn an_edit_to_a_program_implying_openbao_replays_in_both_checks() {
    let text = format!(
        "{}\nauth approle {{\n  role ci {{\n    token_strictly_bind_ip = true\n  }}\n}}\n",
        generate::program(40)
    );
    let at =
        text.find("workload").unwrap() + text[text.find("workload").unwrap()..].find('{').unwrap();
    let mut edited = text.clone();
    edited.insert_str(at + 1, "\n  # typing here\n");
    let single = |t: &str| SourceMap::single("main.kp", t);
    let replayed = |target: Option<Target>| {
        // Checked twice: the memo records once a check sees the previous environment.
        let a = Analysis::of_program_for(single(&text), target).update(single(&text));
        let (b, reuse) = a.update_counted(single(&edited));
        assert_same(&b, &Analysis::of_program_for(single(&edited), target));
        (b, reuse.replayed_items)
    };
    let (vault, on_vault) = replayed(Some(Target::Vault));
    let (_, on_openbao) = replayed(Some(Target::Openbao));
    let (implied, on_both) = replayed(None);
    assert!(on_vault > 10 && on_openbao > 10, "{on_vault}, {on_openbao}");
    assert_eq!(on_both, on_vault + on_openbao);
    assert_eq!(implied.target(), Target::Openbao);
    assert_eq!(implied.pinned_target(), Some(Target::Openbao));
    assert_eq!(vault.pinned_target(), Some(Target::Vault));
    assert!(implied
        .diagnostics()
        .iter()
        .any(|d| d.code == "kp::implied-target"));
}
