//! A secret never echoes: every output of every offline command (`check` in every
//! format, `build` of every format to stdout and to files, `fmt --check`, `explain`,
//! `access`, `diff`, `simulate`) over every test program is scanned for the value of
//! every sensitive field, written literally, and holds none.
//! (`plan`/`apply` output against a live server: crates/live/tests/secrets.rs.)

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use common::{keyplan, root, temp_dir, text};

/// Literal secrets in every field the schemas mark sensitive, including a misspelt one
/// and one whose value is also quoted by another diagnostic.
const SECRETS_PROGRAM: &str = r#"auth userpass {
  user alice {
    password       = "userpass-literal-Secret-1"
    token_policies = [reader]
  }
  user bob {
    password_hash = "userpass-literal-Hash-2"
  }
}

auth jwt {
  oidc_client_id     = "keyplan"
  oidc_client_secret = "oidc-literal-Secret-3"
  oidc_discovery_url = "https://gitlab.example.com"
}

auth kubernetes {
  kubernetes_host    = "https://10.0.0.1:6443"
  token_reviewer_jwt = "kubernetes-literal-Jwt-4"
}

secrets ssh {
  ca {
    private_key = <<EOT
-----BEGIN OPENSSH PRIVATE KEY-----
ssh-literal-Private-Key-Line-5
-----END OPENSSH PRIVATE KEY-----
EOT
    public_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPublicKeyIsNotSecret"
  }
}

secrets database {
  connection pg {
    plugin_name          = "mysql-database-plugin"
    connection_url       = "{{username}}:{{password}}@tcp(127.0.0.1:3306)/"
    username             = "admin"
    password             = "database-literal-Secret-6"
    tls_certificate_key  = "tls-literal-Key-7"
    service_account_json = "gcp-literal-Json-8"
    allowed_roles        = [ro]
  }
  role ro {
    db_name             = pg
    creation_statements = ["SELECT 1"]
  }
  connection my {
    plugin_name    = "mysql-database-plugin"
    connection_url = "admin:url-literal-Secret-13@tcp(127.0.0.1:3306)/"
  }
  connection kv {
    plugin_name    = "postgresql-database-plugin"
    connection_url = "host=db user=admin password=dsn-literal-Secret-14 dbname=app"
  }
  connection query {
    plugin_name    = "postgresql-database-plugin"
    connection_url = "postgresql://db/app?user=admin&passwd=query-literal-Secret-15"
  }
}

policy reader {
  path "secret/data/*" {
    capabilities = [read]
  }
}
"#;

/// A program with errors whose diagnostics sit on or next to secrets: the snippets and
/// messages must not show them.
const BROKEN_SECRETS: &str = r#"auth userpass {
  user carol {
    password = "broken-literal-Secret-9"
    pasword  = "misspelt-literal-Secret-10"
    token_ttl = "soon"
  }
}

secrets database {
  connection pg {
    plugin_name = "postgresql-database-plugin"
    password    = broken-bare-Secret-11
  }
}
"#;

/// A syntax error on the line of a literal secret: `fmt` shows it with its snippet.
const SYNTAX_ERROR_SECRET: &str = r#"secrets database {
  connection c {
    plugin_name = "mysql-database-plugin"
    password = "syntax-literal-Secret-12" x
  }
}
"#;

/// Secrets the parser cuts short (a quote or a newline inside): what is left of each on
/// its line or the next is quoted by syntax errors and must not show either.
const CUT_SECRETS: &str = r#"auth userpass {
  user dave {
    password = "cut-Start-16"cut-glued-Tail-17"
  }
  user erin {
    password = "cut-Start-18" cut-spaced-Tail-19"
  }
  user fay {
    password = "cut-Start-20
cut-nextline-Tail-21"
  }
}
"#;

const WRITTEN: [&str; 21] = [
    "userpass-literal-Secret-1",
    "userpass-literal-Hash-2",
    "oidc-literal-Secret-3",
    "kubernetes-literal-Jwt-4",
    "ssh-literal-Private-Key-Line-5",
    "database-literal-Secret-6",
    "tls-literal-Key-7",
    "gcp-literal-Json-8",
    "broken-literal-Secret-9",
    "misspelt-literal-Secret-10",
    "broken-bare-Secret-11",
    "syntax-literal-Secret-12",
    "url-literal-Secret-13",
    "dsn-literal-Secret-14",
    "query-literal-Secret-15",
    "cut-Start-16",
    "cut-glued-Tail-17",
    "cut-Start-18",
    "cut-spaced-Tail-19",
    "cut-Start-20",
    "cut-nextline-Tail-21",
];

/// Every `.kp` program the tests use: examples and the language suite (`tests/`), each
/// multi-file program as its directory, and the two above.
fn programs(scratch: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in ["examples", "tests"] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(root().join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "kp") || (p.is_dir() && has_kp_file(p)))
            .collect();
        files.sort();
        out.extend(files);
    }
    for (name, text) in [
        ("secrets.kp", SECRETS_PROGRAM),
        ("broken.kp", BROKEN_SECRETS),
        ("syntax.kp", SYNTAX_ERROR_SECRET),
        ("cut.kp", CUT_SECRETS),
    ] {
        let path = scratch.join(name);
        std::fs::write(&path, text).unwrap();
        out.push(path);
    }
    out
}

fn has_kp_file(dir: &Path) -> bool {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .any(|e| e.path().extension().is_some_and(|x| x == "kp"))
        })
        .unwrap_or(false)
}

/// The literal values of sensitive fields in a program, as the checker's spans find
/// them (plus the ones this test wrote, so a checker that found none still fails).
fn sensitive_values(path: &Path) -> BTreeSet<String> {
    let files: Vec<(String, String)> = if path.is_dir() {
        let mut f: Vec<PathBuf> = std::fs::read_dir(path)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        f.sort();
        f.into_iter()
            .map(|p| {
                (
                    p.display().to_string(),
                    std::fs::read_to_string(&p).unwrap(),
                )
            })
            .collect()
    } else {
        vec![(
            path.display().to_string(),
            std::fs::read_to_string(path).unwrap(),
        )]
    };
    let compiled = keyplan::compile_files(&files, &keyplan::Options::default());
    let mut out = BTreeSet::new();
    for span in &compiled.secrets {
        let file = compiled.sources.file_of(span.start).unwrap();
        let local = file.local(*span);
        let raw = &file.text()[local.start..local.end];
        for line in raw.trim_matches('"').lines() {
            let line = line.trim();
            // Heredoc markers and PEM armour are not the secret.
            if line.len() >= 6 && !line.starts_with("<<") && !line.starts_with("-----") {
                out.insert(line.to_string());
            }
        }
    }
    for written in WRITTEN {
        if files.iter().any(|(_, t)| t.contains(written)) {
            out.insert(written.to_string());
        }
    }
    out
}

/// Every output of a command (`diff` and `simulate` answer 2 for a change or no role).
fn run(args: &[&str]) -> String {
    let out = keyplan(args);
    assert!(
        out.status.code().is_some_and(|c| c <= 2),
        "{args:?} crashed: {}",
        text(&out.stderr)
    );
    format!("{}{}", text(&out.stdout), text(&out.stderr))
}

#[test]
fn no_output_of_any_command_shows_a_literal_secret() {
    let scratch = temp_dir("scan");
    let mut scanned = 0;
    let mut found_in: BTreeSet<String> = BTreeSet::new();
    for program in programs(&scratch) {
        let values = sensitive_values(&program);
        found_in.extend(values.iter().cloned());
        let path = program.display().to_string();
        let out_dir = scratch.join("out");
        let out_dir_s = out_dir.display().to_string();
        // The commands that read a program without writing: without `--target`, so the
        // implied target's compile is scanned too.
        let mut outputs = vec![
            run(&["fmt", "--check", &path]),
            run(&["explain", &path, "secret/data/x", "auth/token/lookup-self"]),
            run(&["diff", &path, &path]),
            run(&["simulate", &path, r#"--claims={"sub": "x"}"#]),
        ];
        for format in ["text", "json", "csv"] {
            outputs.push(run(&["access", &path, "--format", format]));
        }
        outputs.push(run(&["check", "--format", "github", &path]));
        // SARIF's rules carry docs/diagnostics.md's examples, whose `hunter2` a test
        // program uses too: the findings are scanned, not the documentation.
        let mut sarif: serde_json::Value =
            serde_json::from_str(&run(&["check", "--format", "sarif", &path])).unwrap();
        sarif["runs"][0]["tool"] = serde_json::Value::Null;
        outputs.push(sarif.to_string());
        scanned += assert_hidden(&outputs, &values, &path);
        for target in ["vault", "openbao"] {
            let mut outputs = vec![
                run(&["check", "--target", target, &path]),
                run(&["check", "--target", target, "--format", "json", &path]),
            ];
            for emit in ["api", "hcl", "json", "sh"] {
                outputs.push(run(&["build", "--target", target, "--emit", emit, &path]));
            }
            let _ = std::fs::remove_dir_all(&out_dir);
            outputs.push(run(&[
                "build", "--target", target, "--emit", "all", "-o", &out_dir_s, "--format", "json",
                &path,
            ]));
            if let Ok(entries) = walk(&out_dir) {
                outputs.extend(entries);
            }
            scanned += assert_hidden(&outputs, &values, &format!("{path} ({target})"));
        }
    }
    // The scan looked for every secret this test wrote, and at real outputs.
    for written in WRITTEN {
        assert!(found_in.contains(written), "{written} was not scanned for");
    }
    assert!(scanned > 500, "only {scanned} outputs scanned");
    let _ = std::fs::remove_dir_all(&scratch);
}

/// Asserts that no output shows a value of the program `what`; how many were scanned.
fn assert_hidden(outputs: &[String], values: &BTreeSet<String>, what: &str) -> usize {
    for text in outputs {
        for value in values {
            assert!(
                !text.contains(value.as_str()),
                "`{value}` of {what} shows in:\n{text}"
            );
        }
    }
    outputs.len()
}

/// The text of every file under `dir`.
fn walk(dir: &Path) -> std::io::Result<Vec<String>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let p = entry?.path();
        if p.is_dir() {
            out.extend(walk(&p)?);
        } else {
            out.push(std::fs::read_to_string(&p)?);
        }
    }
    Ok(out)
}

#[test]
fn build_outputs_say_where_a_literal_secret_was() {
    let scratch = temp_dir("placeholder");
    let path = scratch.join("secrets.kp");
    // Vault: OpenBao lacks `service_account_json`, and Vault lacks `password_hash`.
    let program = SECRETS_PROGRAM.replace(
        "  user bob {\n    password_hash = \"userpass-literal-Hash-2\"\n  }\n",
        "",
    );
    assert_ne!(program, SECRETS_PROGRAM);
    std::fs::write(&path, program).unwrap();
    let api = run(&["build", "--target", "vault", &path.display().to_string()]);
    assert!(api.contains(keyplan::ir::LITERAL_SECRET), "{api}");
    // apply.sh reads each literal from a variable it names, and stops without it.
    let sh = run(&[
        "build",
        "--target",
        "vault",
        "--emit",
        "sh",
        &path.display().to_string(),
    ]);
    assert!(
        sh.contains(": \"${KEYPLAN_SECRET_AUTH_USERPASS_USERS_ALICE_PASSWORD:?set "),
        "{sh}"
    );
    // The literal-secret warning still points at the value, with the value starred out.
    let check = run(&["check", "--target", "vault", &path.display().to_string()]);
    assert!(check.contains("kp::literal-secret"), "{check}");
    assert!(check.contains("\"*************************\""), "{check}");
    let _ = std::fs::remove_dir_all(&scratch);
}
