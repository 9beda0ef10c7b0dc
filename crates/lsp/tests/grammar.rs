//! The VS Code TextMate grammar (`editors/vscode/syntaxes/keyplan.tmLanguage.json`):
//! every pattern compiles (fancy-regex, close to Oniguruma for what the grammar uses),
//! every keyword of the catalog is highlighted, and on every example the grammar
//! highlights what the real parser finds: block keywords, statements, attribute names.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use fancy_regex::Regex;
use kp_syntax::ast::{Block, Entry};
use serde_json::Value;

fn root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn grammar() -> Value {
    let path = root().join("editors/vscode/syntaxes/keyplan.tmLanguage.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn collect_patterns(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                if matches!(k.as_str(), "match" | "begin" | "end") {
                    out.push(v.as_str().unwrap().to_string());
                } else {
                    collect_patterns(v, out);
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|v| collect_patterns(v, out)),
        _ => {}
    }
}

fn rule(g: &Value, path: &[&str]) -> Regex {
    let mut v = &g["repository"];
    for p in path {
        v = match p.parse::<usize>() {
            Ok(i) => &v[i],
            Err(_) => &v[*p],
        };
    }
    Regex::new(v["match"].as_str().unwrap()).unwrap()
}

#[test]
fn every_pattern_compiles() {
    let mut patterns = Vec::new();
    collect_patterns(&grammar(), &mut patterns);
    assert!(patterns.len() > 15, "{patterns:?}");
    for p in patterns {
        // `\1` in an `end` refers to the `begin` capture: stand in a literal group.
        let p = p.replace("\\1", "EOT");
        if let Err(e) = Regex::new(&p) {
            panic!("pattern {p:?} does not compile: {e}");
        }
    }
}

/// The capture 1 of `re` on `line`, if it matches.
fn keyword(re: &Regex, line: &str) -> Option<String> {
    re.captures(line)
        .ok()
        .flatten()
        .and_then(|c| c.get(1).map(|m| m.as_str().to_string()))
}

#[test]
fn every_catalog_keyword_is_highlighted() {
    use kp_check::catalog;
    let g = grammar();
    let top = rule(&g, &["block-keyword", "patterns", "0"]);
    let nested = rule(&g, &["block-keyword", "patterns", "1"]);
    let statement = rule(&g, &["statement"]);
    for kw in catalog::TOP_LEVEL {
        assert_eq!(keyword(&top, &format!("{kw} x {{")).as_deref(), Some(kw));
    }
    let mut nested_kws: Vec<&str> = vec!["path", "login", catalog::TOKEN_ROLE.keyword];
    for ty in catalog::AUTH_TYPES.iter().chain(catalog::SECRETS_TYPES) {
        nested_kws.extend(ty.nested.iter().map(|n| n.keyword));
    }
    for kw in nested_kws {
        assert_eq!(
            keyword(&nested, &format!("  {kw} x {{")).as_deref(),
            Some(kw),
            "{kw}"
        );
    }
    for v in catalog::CAPABILITY_VERBS
        .iter()
        .chain(catalog::SHORTHAND_VERBS.iter())
    {
        assert_eq!(
            keyword(&statement, &format!("  {v} \"a/*\"")).as_deref(),
            Some(*v)
        );
    }
}

fn walk<'a>(blocks: &'a [Block], out: &mut Vec<&'a Block>) {
    for b in blocks {
        out.push(b);
        for e in b.entries() {
            if let Entry::Block(n) = e {
                walk(std::slice::from_ref(n), out);
            }
        }
    }
}

#[test]
fn grammar_agrees_with_the_parser_on_the_examples() {
    let g = grammar();
    let top = rule(&g, &["block-keyword", "patterns", "0"]);
    let nested = rule(&g, &["block-keyword", "patterns", "1"]);
    let statement = rule(&g, &["statement"]);
    let attribute = rule(&g, &["attribute"]);
    let mut checked = 0;
    let dir = root().join("examples");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("kp") {
            continue;
        }
        let src = std::fs::read_to_string(&path).unwrap();
        let parsed = kp_syntax::parse(&src);
        assert!(parsed.diagnostics.is_empty(), "{}", path.display());
        let line_of = |offset: usize| {
            let start = src[..offset].rfind('\n').map_or(0, |i| i + 1);
            let end = src[offset..].find('\n').map_or(src.len(), |i| offset + i);
            &src[start..end]
        };
        let mut blocks = Vec::new();
        walk(&parsed.file.blocks, &mut blocks);
        for b in blocks {
            let line = line_of(b.keyword.span.start);
            let kw = keyword(&top, line).or_else(|| keyword(&nested, line));
            assert_eq!(
                kw.as_deref(),
                Some(b.keyword.name.as_str()),
                "{}: {line}",
                path.display()
            );
            checked += 1;
            for e in b.entries() {
                match e {
                    Entry::Statement(s) => {
                        let line = line_of(s.verb.span.start);
                        assert_eq!(
                            keyword(&statement, line).as_deref(),
                            Some(s.verb.name.as_str()),
                            "{line}"
                        );
                        checked += 1;
                    }
                    Entry::Attribute(a) => {
                        let line = line_of(a.name.span.start);
                        assert_eq!(
                            keyword(&attribute, line).as_deref(),
                            Some(a.name.name.as_str()),
                            "{line}"
                        );
                        checked += 1;
                    }
                    Entry::Block(_) => {}
                }
            }
        }
    }
    assert!(checked > 100, "only {checked} constructs checked");
}

/// The grammar as VS Code runs it: `editors/vscode/test/grammar.mjs` tokenizes with the
/// real `vscode-textmate` on `vscode-oniguruma` (Oniguruma in wasm), on a program with
/// every kind of token; the scopes of every token are snapshotted. Needs
/// `npm --prefix editors/vscode ci` (scripts/test.sh runs it); skipped without it
/// outside CI, a failure in CI.
#[test]
fn vscode_textmate_scopes() {
    let vscode = root().join("editors/vscode");
    if !vscode.join("node_modules/vscode-textmate").is_dir() {
        assert!(
            std::env::var_os("CI").is_none(),
            "editors/vscode/node_modules is missing: run `npm --prefix editors/vscode ci`"
        );
        eprintln!(
            "SKIPPED: run `npm --prefix editors/vscode ci` to test the grammar in vscode-textmate"
        );
        return;
    }
    let run = |files: &[std::path::PathBuf]| -> String {
        let out = std::process::Command::new("node")
            .arg(vscode.join("test/grammar.mjs"))
            .args(files)
            .output()
            .expect("node runs");
        assert!(
            out.status.success(),
            "grammar.mjs failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let tokens = run(&[vscode.join("test/tokens.kp")]);
    // Every scope the grammar defines is produced by the sample.
    let mut defined = Vec::new();
    collect_names(&grammar(), &mut defined);
    defined.sort();
    defined.dedup();
    let missing: Vec<&String> = defined
        .iter()
        .filter(|s| !tokens.contains(s.as_str()))
        .collect();
    assert!(missing.is_empty(), "tokens.kp lacks tokens of {missing:?}");
    insta::assert_snapshot!("vscode_textmate_scopes", tokens);

    // On the examples: no text outside a token scope except whitespace, i.e. every
    // word of every example is coloured as something.
    let mut examples = Vec::new();
    collect_kp(&root().join("examples"), &mut examples);
    examples.sort();
    let out = run(&examples);
    let unscoped: Vec<&str> = out.lines().filter(|l| l.ends_with(" -")).collect();
    assert!(unscoped.is_empty(), "{unscoped:#?}");
}

fn collect_names(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                match (k.as_str(), v) {
                    ("name", Value::String(s)) if k == "name" && s.contains('.') => {
                        out.push(s.clone())
                    }
                    _ => collect_names(v, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|v| collect_names(v, out)),
        _ => {}
    }
}

fn collect_kp(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            collect_kp(&p, out);
        } else if p.extension().is_some_and(|x| x == "kp") {
            out.push(p);
        }
    }
}
