//! A check that replays from a [`Memo`] is exactly a check from scratch: random edit
//! sequences (typing, renaming, adding, deleting and copying blocks, changing a mount's
//! type or version, a role other blocks name, `owns` and `extern` declarations) over the
//! examples, the language test programs and a generated program, compared on the whole
//! result (program, diagnostics, secrets, index) after every edit. And the memo does
//! replay: an edit inside one workload lowers that workload alone.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use kp_check::{Memo, Options, Target};
use proptest::prelude::*;

#[path = "../../keyplan/benches/generate.rs"]
mod generate;

/// Every kind of block, names used across blocks, duplicates, an external mount.
const KITCHEN_SINK: &str = r#"extern policy platform-audit
owns policies "team-*" ci-deploy

auth jwt ci {
  bound_issuer = "https://ci.example.com"
  jwks_url     = "https://ci.example.com/.well-known/jwks.json"
}

auth approle {
  role deployer {
    token_policies = [team-a]
  }
}

secrets kv secret {
  version = 2
}

secrets ssh {
  ca {
    generate_signing_key = true
  }
  role hosts {
    key_type                = "ca"
    allow_user_certificates = true
  }
}

secrets database {
  connection features {
    plugin_name    = "postgresql-database-plugin"
    connection_url = "postgresql://{{username}}:{{password}}@db:5432/f"
    username       = "admin"
    password       = env("DB_PASSWORD")
    allowed_roles  = [ro, stat]
  }
  role ro {
    db_name             = features
    creation_statements = ["CREATE ROLE \"{{name}}\";"]
  }
  static-role stat {
    db_name  = features
    username = "app"
  }
}

auth token {
  role pipeline-role {
    allowed_policies = [team-a, platform-audit]
    orphan           = true
  }
}

policy team-a {
  path "secret/data/team-a/*" {
    capabilities = [read, list]
  }
}

token pipeline-token {
  role      = pipeline-role
  policies  = [team-a]
  no_parent = true
  ttl       = 1h
}

workload team-b {
  login ci {
    bound_audiences = ["vault"]
    user_claim      = "sub"
    password        = "hunter2"
  }
  read  "secret/team-b/*"
  sign  ssh.hosts
  creds database.ro
  creds database.stat
  creds elsewhere.role
}

workload team-c {
  read "secret/data/team-c/*"
}

workload team-d {
  login ci {
    role_name       = "team-b"
    bound_audiences = ["vault"]
    user_claim      = "sub"
    token_policies  = [team-c]
  }
}

workload team-b {
  read "secret/data/dup/*"
}

workload team-e {
  login gitlab {
    bound_audiences = ["vault"]
    user_claim      = "sub"
  }
  creds elsewhere.role
}

workload team-f {
  login gitlab {
    bound_audiences = ["vault"]
    user_claim      = "sub"
  }
}
"#;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The examples and language test programs (one file each), the kitchen sink and a
/// small generated program.
fn corpus() -> &'static [String] {
    static CORPUS: OnceLock<Vec<String>> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let mut out = vec![KITCHEN_SINK.to_string(), generate::program(6)];
        for dir in ["examples", "tests"] {
            let mut files: Vec<PathBuf> = std::fs::read_dir(root().join(dir))
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|x| x == "kp"))
                .collect();
            files.sort();
            out.extend(files.iter().map(|f| std::fs::read_to_string(f).unwrap()));
        }
        assert!(out.len() > 50, "corpus: {} programs", out.len());
        out
    })
}

/// What typing inserts.
const TYPING: &[&str] = &["", "x", "-", "\n", "}", "{", "\"", "=", "# c\n"];

/// Whole blocks and lines a user adds: each declares or changes something other blocks
/// read.
const BLOCKS: &[&str] = &[
    "owns policies \"job-*\" team-c\n",
    "extern policy team-a\n",
    "extern policy typed\n",
    "policy team-c {\n  path \"a/*\" { capabilities = [read] }\n}\n",
    "workload w2 {\n  read \"secret/data/x\"\n}\n",
    "workload w3 {\n  login ci { bound_audiences = [\"v\"], user_claim = \"sub\" }\n  creds database.ro\n}\n",
    "workload job-1 {\n  token_policies = [team-a]\n}\n",
    "workload w4 {\n  login gitlab { bound_audiences = [\"v\"], user_claim = \"sub\" }\n  creds elsewhere.role\n}\n",
    "secrets kv secret {\n  version = 1\n}\n",
    "secrets ssh other {\n  role hosts {\n    key_type = \"ca\"\n  }\n}\n",
    "auth oidc ci {\n  oidc_discovery_url = \"https://x\"\n}\n",
    "auth jwt {\n}\n",
    "auth token {\n  role pipeline-role {\n    orphan = false\n  }\n}\n",
    "token t2 {\n  role = pipeline-role\n  ttl  = 2h\n}\n",
    "secrets database {\n  role team-0-ro {\n    db_name = features\n  }\n}\n",
];

/// Words swapped for others: names declared and used, mount types, versions.
const WORDS: &[&str] = &[
    "ci",
    "jwt",
    "oidc",
    "kv",
    "ssh",
    "database",
    "approle",
    "1",
    "2",
    "team-a",
    "team-b",
    "team-c",
    "job-0",
    "job-1",
    "hosts",
    "team-0",
    "team-0-ro",
    "ro",
    "stat",
    "role",
    "static-role",
    "pipeline-role",
    "secret",
    "features",
    "true",
    "false",
    "read",
    "x",
    "gitlab",
    "elsewhere",
];

#[derive(Debug, Clone)]
enum Edit {
    /// Replace `len` bytes at `at` (a fraction of the text) with a snippet.
    Type(f64, usize, &'static str),
    /// Replace the word at `at` with another.
    Swap(f64, &'static str),
    /// Insert a block at the start of the line at `at`.
    Add(f64, &'static str),
    /// Delete the top-level block at `at`.
    Delete(f64),
    /// Copy the top-level block at `at` to the line at the second fraction.
    Copy(f64, f64),
}

fn edit() -> impl Strategy<Value = Edit> {
    let snippets = prop::sample::select(TYPING);
    prop_oneof![
        3 => (0.0..1.0f64, prop_oneof![3 => Just(0usize), 1 => 0usize..6], snippets)
            .prop_map(|(a, l, s)| Edit::Type(a, l, s)),
        4 => (0.0..1.0f64, prop::sample::select(WORDS)).prop_map(|(a, w)| Edit::Swap(a, w)),
        2 => (0.0..1.0f64, prop::sample::select(BLOCKS)).prop_map(|(a, b)| Edit::Add(a, b)),
        2 => (0.0..1.0f64).prop_map(Edit::Delete),
        1 => (0.0..1.0f64, 0.0..1.0f64).prop_map(|(a, b)| Edit::Copy(a, b)),
    ]
}

fn floor(s: &str, at: f64) -> usize {
    let mut i = ((at * s.len() as f64) as usize).min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn line_start(s: &str, at: f64) -> usize {
    let i = floor(s, at);
    s[..i].rfind('\n').map_or(0, |n| n + 1)
}

/// The top-level block (from a line starting with a letter to the next line `}` or the
/// end of its line for `extern`/`owns`) around `at`.
fn block_at(s: &str, at: f64) -> Option<(usize, usize)> {
    let mut start = line_start(s, at);
    while start > 0 && !s[start..].starts_with(|c: char| c.is_ascii_alphabetic()) {
        start = s[..start - 1].rfind('\n').map_or(0, |n| n + 1);
    }
    let first = &s[start..];
    let line_end = first.find('\n').map_or(s.len(), |n| start + n + 1);
    if !first[..line_end - start].contains('{') {
        return Some((start, line_end));
    }
    let end = first.find("\n}").map_or(s.len(), |n| start + n + 2);
    let end = if s[end..].starts_with('\n') {
        end + 1
    } else {
        end
    };
    Some((start, end))
}

fn apply(s: &mut String, e: &Edit) {
    match *e {
        Edit::Type(at, len, text) => {
            let a = floor(s, at);
            let mut b = (a + len).min(s.len());
            while !s.is_char_boundary(b) {
                b -= 1;
            }
            s.replace_range(a..b, text);
        }
        Edit::Swap(at, word) => {
            let is_word = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
            let i = floor(s, at);
            let Some(start) = s[i..].find(is_word).map(|n| i + n) else {
                return;
            };
            let end = s[start..]
                .find(|c| !is_word(c))
                .map_or(s.len(), |n| start + n);
            s.replace_range(start..end, word);
        }
        Edit::Add(at, block) => {
            let i = line_start(s, at);
            s.insert_str(i, block);
        }
        Edit::Delete(at) => {
            if let Some((a, b)) = block_at(s, at) {
                s.replace_range(a..b, "");
            }
        }
        Edit::Copy(from, to) => {
            if let Some((a, b)) = block_at(s, from) {
                let block = s[a..b].to_string();
                let i = line_start(s, to);
                s.insert_str(i, &block);
            }
        }
    }
}

/// The check from scratch and the check replaying from `memo`, as text: every field of
/// the result and of the index.
fn both(text: &str, options: &Options, indexed: bool, memo: &mut Memo) -> (String, String) {
    let parsed = kp_syntax::parse(text);
    let fresh = if indexed {
        kp_check::check_indexed(&parsed.file, options)
    } else {
        (kp_check::check(&parsed.file, options), Default::default())
    };
    let reusing = kp_check::check_reusing(&parsed.file, options, indexed, memo);
    (format!("{fresh:#?}"), format!("{reusing:#?}"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn replaying_equals_checking_from_scratch(
        // Half the sequences edit the two programs built to declare and use everything.
        pick in prop_oneof![0usize..2, 0usize..1000],
        edits in prop::collection::vec(edit(), 1..14),
        target in prop::sample::select(Target::ALL.to_vec()),
        indexed in any::<bool>(),
    ) {
        let mut text = corpus()[pick % corpus().len()].clone();
        let options = Options { target };
        let mut memo = Memo::new();
        // Twice: the memo records once a check sees the environment of the one before.
        for _ in 0..2 {
            let (fresh, reusing) = both(&text, &options, indexed, &mut memo);
            prop_assert_eq!(fresh, reusing);
        }
        for e in &edits {
            apply(&mut text, e);
            let (fresh, reusing) = both(&text, &options, indexed, &mut memo);
            prop_assert_eq!(fresh, reusing, "after {:?}:\n{}", e, text);
        }
    }
}

/// The memo replays: checking again (once the environment held for a check) replays
/// every item, and an edit inside one
/// workload's rules or login (moving every block after it) lowers that workload alone.
#[test]
fn an_edit_in_one_workload_lowers_only_that_workload() {
    let text = generate::program(50);
    let options = Options::default();
    let items = |text: &str| {
        let parsed = kp_syntax::parse(text);
        let mut memo = Memo::new();
        // A new environment: lowered, not recorded; the same again: recorded; replayed.
        for _ in 0..2 {
            kp_check::check_reusing(&parsed.file, &options, true, &mut memo);
            assert_eq!(memo.reused(), 0);
        }
        kp_check::check_reusing(&parsed.file, &options, true, &mut memo);
        (memo.reused(), memo)
    };
    let (all, mut memo) = items(&text);
    // Four mounts and fifty workloads (an `extern policy` lowers nothing).
    assert_eq!(all, 4 + 50);
    for (anchor, insert) in [
        ("read  \"secret/data/team-0/job-3/*\"", "\n  read \"x/*\""),
        ("user_claim      = \"sub\"", "\n    token_ttl = 20m"),
    ] {
        let mut memo = items(&text).1;
        let mut edited = text.clone();
        let at = edited.find(anchor).unwrap() + anchor.len();
        edited.insert_str(at, insert);
        let parsed = kp_syntax::parse(&edited);
        let reusing = kp_check::check_reusing(&parsed.file, &options, true, &mut memo);
        assert_eq!(memo.reused(), all - 1, "after inserting {insert:?}");
        let fresh = kp_check::check_indexed(&parsed.file, &options);
        assert_eq!(format!("{reusing:?}"), format!("{fresh:?}"));
    }
    // A change every block may read (a new policy name) lowers everything again.
    let edited = format!("{text}\npolicy extra {{\n}}\n");
    let parsed = kp_syntax::parse(&edited);
    kp_check::check_reusing(&parsed.file, &options, true, &mut memo);
    assert_eq!(memo.reused(), 0);
}
