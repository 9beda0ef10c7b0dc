//! Completion inside a one-line block (`login ci { a = 1, b = [|] }`) offers what the
//! same place offers in the block written on several lines: every context (field names,
//! values, references, list items, labels), after `{` and after commas.

#![allow(clippy::unwrap_used)]

use kp_ide::{Analysis, Target};

const MOUNTS: &str = r#"auth jwt ci { jwks_url = "https://ci.example.com/jwks" }
auth approle {}
secrets ssh { role dev { key_type = "ca" } }
policy pol-b { path "x" { capabilities = [read] } }
"#;

/// The completion labels at `|` in `body` (appended to `MOUNTS`).
fn labels(body: &str) -> Vec<String> {
    let src = format!("{MOUNTS}{}", body.replace('|', ""));
    let offset = MOUNTS.len() + body.find('|').unwrap();
    let a = Analysis::new(&src, Target::Vault);
    let mut l: Vec<String> = a.completions(offset).into_iter().map(|c| c.label).collect();
    l.sort();
    l
}

#[test]
fn one_line_blocks_complete_like_multi_line_ones() {
    let cases = [
        // A reference list, after other entries.
        (
            "workload w {\n  login ci { bound_audiences = [\"v\"], user_claim = \"sub\", token_policies = [|] }\n  read \"x\"\n}\n",
            "workload w {\n  login ci {\n    bound_audiences = [\"v\"]\n    user_claim = \"sub\"\n    token_policies = [|]\n  }\n  read \"x\"\n}\n",
        ),
        // A list item after a comma.
        (
            "workload w {\n  login ci { bound_audiences = [\"v\"], token_policies = [pol-b, |] }\n  read \"x\"\n}\n",
            "workload w {\n  login ci {\n    bound_audiences = [\"v\"]\n    token_policies = [pol-b, |]\n  }\n  read \"x\"\n}\n",
        ),
        // A field name after a comma, with and without a typed prefix.
        (
            "workload w {\n  login ci { bound_audiences = [\"v\"], | }\n  read \"x\"\n}\n",
            "workload w {\n  login ci {\n    bound_audiences = [\"v\"]\n    |\n  }\n  read \"x\"\n}\n",
        ),
        (
            "workload w {\n  login ci { bound_audiences = [\"v\"], tok| }\n  read \"x\"\n}\n",
            "workload w {\n  login ci {\n    bound_audiences = [\"v\"]\n    tok|\n  }\n  read \"x\"\n}\n",
        ),
        // A value of a field with allowed values, after a comma.
        (
            "secrets kv s { description = \"d\", version = | }\n",
            "secrets kv s {\n  description = \"d\"\n  version = |\n}\n",
        ),
        (
            "policy p { path \"y\" { capabilities = [read, |] } }\n",
            "policy p {\n  path \"y\" {\n    capabilities = [read, |]\n  }\n}\n",
        ),
        // Labels and roles after a statement and a comma.
        (
            "workload w { read \"x\", login | }\n",
            "workload w {\n  read \"x\"\n  login |\n}\n",
        ),
        (
            "workload w { read \"x\", sign ssh.| }\n",
            "workload w {\n  read \"x\"\n  sign ssh.|\n}\n",
        ),
    ];
    for (one, multi) in cases {
        let expected = labels(multi);
        assert!(!expected.is_empty(), "nothing at all in:\n{multi}");
        assert_eq!(labels(one), expected, "in:\n{one}");
    }
}

/// Inside a string or a comment of a one-line block there is nothing to complete.
#[test]
fn no_completion_in_strings_or_comments() {
    assert!(labels("workload w { login ci { user_claim = \"a, |\" } }\n").is_empty());
    assert!(labels("workload w { read \"x\" } # a, |\n").is_empty());
}

/// A program declaring `policy default` (to extend the built-in one) gets `default`
/// offered once, not once declared and once built in.
#[test]
fn each_name_is_offered_once() {
    let body = "policy default { path \"z\" { capabilities = [read] } }\nworkload w {\n  login ci {\n    bound_audiences = [\"v\"]\n    token_policies = [|]\n  }\n  read \"x\"\n}\n";
    let l = labels(body);
    let mut once = l.clone();
    once.dedup();
    assert_eq!(l, once);
    assert!(l.iter().any(|x| x == "default"), "{l:?}");
}
