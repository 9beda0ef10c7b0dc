//! Completion sees the block the cursor is in even when that block (and every block
//! around it) is left unclosed at the end of the file, the normal state while a new
//! block is typed at the bottom of a file; and it offers only what `keyplan check`
//! accepts there.

#![allow(clippy::unwrap_used)]

mod files;

use kp_ide::{Analysis, SourceMap, Target};

const MOUNTS: &str = r#"auth jwt ci { jwks_url = "https://ci.example.com/jwks" }
auth approle {}
secrets database {
  connection c {
    plugin_name    = "postgresql-database-plugin"
    connection_url = "postgresql://127.0.0.1/app"
    allowed_roles  = [ro]
  }
  role ro {
    db_name             = c
    creation_statements = ["SELECT 1"]
  }
}
secrets ssh {
  role signer { key_type = "ca", allow_user_certificates = true, allowed_users = ["deploy"] }
  role otp-login {
    key_type     = "otp"
    default_user = "ubuntu"
    cidr_list    = "10.0.0.0/8"
  }
}
policy pol-b { path "x" { capabilities = [read] } }
"#;

/// The completion labels at `offset` in `src`, sorted.
fn labels_at(src: &str, offset: usize) -> Vec<String> {
    let a = Analysis::new(src, Target::Vault);
    let mut l: Vec<String> = a.completions(offset).into_iter().map(|c| c.label).collect();
    l.sort();
    l
}

/// The completion labels at the end of `text`.
fn at_end(text: &str) -> Vec<String> {
    labels_at(text, text.len())
}

/// The completion labels at `|` in `body` (appended to `MOUNTS`).
fn labels(body: &str) -> Vec<String> {
    let src = format!("{MOUNTS}{}", body.replace('|', ""));
    labels_at(&src, MOUNTS.len() + body.find('|').unwrap())
}

fn has(l: &[String], label: &str) -> bool {
    l.iter().any(|x| x == label)
}

#[test]
fn a_block_left_unclosed_at_the_end_of_the_file_completes_as_if_closed() {
    // (text ending at the cursor, what closes it)
    let cases = [
        ("workload w {\n  ", "\n}\n"),
        ("workload w {\n  re", "\n}\n"),
        ("workload w {\n  # a note\n  ", "\n}\n"),
        ("workload w {\n  read \"a/*\"\n\n  ", "\n}\n"),
        ("workload w {\n  login ci {\n    ", "\n  }\n}\n"),
        (
            "workload w {\n  login ci {\n    user_claim = \"sub\"\n    ",
            "\n  }\n}\n",
        ),
        (
            "workload w {\n  login ci {\n    token_type = ",
            "\n  }\n}\n",
        ),
        (
            "workload w {\n  login ci { user_claim = \"sub\" }\n  ",
            "\n}\n",
        ),
        ("workload w {\n  creds database.", "\n}\n"),
        ("workload w {\n  sign ", "\n}\n"),
        ("workload w {\n  login ", "\n}\n"),
        (
            "policy p {\n  path \"x\" {\n    capabilities = [r",
            "]\n  }\n}\n",
        ),
        (
            "policy p {\n  path \"x\" {\n    capabilities = [\n      read,\n      ",
            "\n    ]\n  }\n}\n",
        ),
        ("policy p {\n  ", "\n}\n"),
        ("secrets kv s {\n  version = ", "\n}\n"),
        ("secrets database d {\n  connection x {\n    ", "\n  }\n}\n"),
        (
            "auth token {\n  role r {\n    token_policies = [",
            "]\n  }\n}\n",
        ),
        ("token t {\n  ", "\n}\n"),
    ];
    for (open, close) in cases {
        let text = format!("{MOUNTS}{open}");
        let closed = format!("{text}{close}");
        let expected = labels_at(&closed, text.len());
        assert!(!expected.is_empty(), "nothing at all in:\n{closed}");
        assert_eq!(at_end(&text), expected, "at the end of:\n{open}");
    }
}

#[test]
fn the_cases_qa_found() {
    // A new workload at the bottom: its entries, not the top level's keywords.
    let l = at_end("workload w {\n  ");
    for x in ["login", "description", "create", "read", "sign", "creds"] {
        assert!(has(&l, x), "{x}: {l:?}");
    }
    assert!(!has(&l, "auth") && !has(&l, "workload"), "{l:?}");
    assert_eq!(
        at_end("secrets database { role ro { db_name = \"c\" } }\nworkload w {\n  creds database."),
        ["ro"]
    );
    let l = at_end("workload w {\n  login ci {\n    token_type = ");
    assert_eq!(l, ["batch", "default", "service"]);
    let l = at_end("policy p {\n  path \"x\" {\n    capabilities = [r");
    assert!(has(&l, "read") && has(&l, "deny"), "{l:?}");
}

/// Each file of a program ends on its own: a block left open at the end of one file
/// holds the cursor there, and the next file starts at the top level.
#[test]
fn an_unclosed_block_ends_with_its_file() {
    let mut sources = SourceMap::new();
    sources.add("a.kp", "workload w {\n  ");
    sources.add(
        "b.kp",
        "\npolicy p {\n  path \"x\" { capabilities = [read] }\n}\n",
    );
    let a = Analysis::of_program(sources, Target::Vault);
    let end_of_a = a.sources().files()[0].span().end;
    let l: Vec<String> = a
        .completions(end_of_a)
        .into_iter()
        .map(|c| c.label)
        .collect();
    assert!(l.iter().any(|x| x == "login"), "{l:?}");
    let start_of_b = a.sources().files()[1].span().start;
    let l: Vec<String> = a
        .completions(start_of_b)
        .into_iter()
        .map(|c| c.label)
        .collect();
    assert!(l.iter().any(|x| x == "workload"), "{l:?}");
    assert!(!l.iter().any(|x| x == "login"), "{l:?}");
}

/// Where a `{` or `[` is still open at the end of `text` (strings and comments
/// skipped): the closers, innermost first.
fn closers(text: &str) -> String {
    let mut stack = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        '"' | '\n' => break,
                        _ => {}
                    }
                }
            }
            '#' => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
            }
            '{' => stack.push('}'),
            '[' => stack.push(']'),
            '}' | ']' => {
                stack.pop();
            }
            _ => {}
        }
    }
    stack
        .iter()
        .rev()
        .map(|c| format!("\n{c}"))
        .collect::<String>()
}

/// Every example cut where an entry or a value is about to be typed completes as the
/// same text with its open blocks and lists closed.
#[test]
fn every_example_cut_mid_way_completes_as_if_closed() {
    let mut compared = 0;
    let mut in_blocks = 0;
    for path in files::kp_files(&files::root().join("examples")) {
        let src = std::fs::read_to_string(&path).unwrap();
        if src.contains("<<") {
            // A heredoc's text is no code: the scan above does not know it.
            continue;
        }
        let mut cuts = Vec::new();
        let mut line_start = 0;
        for line in src.split_inclusive('\n') {
            let indent = line.len() - line.trim_start().len();
            if line.trim().is_empty() || line.trim_start().starts_with('#') {
                line_start += line.len();
                continue;
            }
            cuts.push(line_start + indent.min(line.trim_end_matches('\n').len()));
            if let Some(eq) = line.find("= ") {
                cuts.push(line_start + eq + 2);
                if line[eq + 2..].starts_with('[') {
                    cuts.push(line_start + eq + 3);
                }
            }
            line_start += line.len();
        }
        for cut in cuts {
            let text = &src[..cut];
            let close = closers(text);
            let expected = labels_at(&format!("{text}{close}"), cut);
            assert_eq!(
                at_end(text),
                expected,
                "{}: at byte {cut}, the end of:\n{text}",
                path.display()
            );
            compared += 1;
            in_blocks += usize::from(!close.is_empty() && !expected.is_empty());
        }
    }
    assert!(compared > 100 && in_blocks > 50, "{compared} {in_blocks}");
}

/// `token_policies` never offers `root` (`kp::root-policy`); `disallowed_policies`,
/// where refusing it is fine, does.
#[test]
fn root_is_offered_only_where_check_accepts_it() {
    let l = labels("workload w {\n  login ci {\n    token_policies = [|]\n  }\n  read \"x\"\n}\n");
    assert!(has(&l, "default") && has(&l, "pol-b"), "{l:?}");
    assert!(!has(&l, "root"), "{l:?}");
    let l = labels("auth token {\n  role r {\n    allowed_policies = [|]\n  }\n}\n");
    assert!(!has(&l, "root"), "{l:?}");
    let l = labels("auth token {\n  role r {\n    disallowed_policies = [|]\n  }\n}\n");
    assert!(has(&l, "root"), "{l:?}");
}

/// Every role `sign` and `creds` offer, written there, checks without an error; the
/// SSH roles of the other verb are not offered.
#[test]
fn sign_and_creds_offer_the_roles_check_accepts() {
    let program = |stmt: &str| {
        format!(
            "{MOUNTS}workload w {{\n  login ci {{\n    user_claim = \"sub\"\n    bound_audiences = [\"v\"]\n  }}\n  {stmt}\n}}\n"
        )
    };
    for (verb, wanted, refused) in [
        ("sign", "ssh.signer", "ssh.otp-login"),
        ("creds", "ssh.otp-login", "ssh.signer"),
    ] {
        let typed = format!("{verb} ");
        let src = program(&typed);
        let offset = src.find(&typed).unwrap() + typed.len();
        let l = labels_at(&src, offset);
        assert!(has(&l, wanted) && !has(&l, refused), "{verb}: {l:?}");
        for role in &l {
            let a = Analysis::new(&program(&format!("{verb} {role}")), Target::Vault);
            let errors: Vec<_> = a.diagnostics().iter().filter(|d| d.is_error()).collect();
            assert!(errors.is_empty(), "{verb} {role}: {errors:?}");
        }
        // After the mount's dot: the same roles.
        let typed = format!("{verb} ssh.");
        let src = program(&typed);
        let offset = src.find(&typed).unwrap() + typed.len();
        let l = labels_at(&src, offset);
        let (_, wanted_role) = wanted.split_once('.').unwrap();
        let (_, refused_role) = refused.split_once('.').unwrap();
        assert!(
            has(&l, wanted_role) && !has(&l, refused_role),
            "{verb} ssh.: {l:?}"
        );
    }
    // `sign` needs an SSH mount: a database mount's roles are not offered.
    assert!(labels("workload w {\n  sign database.|\n}\n").is_empty());
}

/// After `creds db.`, the roles of mounts nested below `db` (`db/prod`) are offered as
/// the rest of their reference, and each one offered checks.
#[test]
fn creds_goes_on_to_the_roles_of_nested_mounts() {
    let mounts = r#"secrets database "db/prod" {
  connection c {
    plugin_name    = "postgresql-database-plugin"
    connection_url = "postgresql://{{username}}:{{password}}@127.0.0.1/app"
    allowed_roles  = [ro]
  }
  role ro {
    db_name             = c
    creation_statements = ["SELECT 1"]
  }
}
secrets ssh "ssh/prod" {
  role signer { key_type = "ca", allow_user_certificates = true, allowed_users = ["deploy"] }
}
auth jwt ci { jwks_url = "https://ci.example.com/jwks" }
"#;
    let program = |stmt: &str| {
        format!("{mounts}workload w {{\n  login ci {{ user_claim = \"sub\", bound_audiences = [\"v\"] }}\n  {stmt}\n}}\n")
    };
    let src = program("creds db.");
    let l = labels_at(&src, src.find("creds db.").unwrap() + "creds db.".len());
    assert_eq!(l, ["prod.ro"]);
    let a = Analysis::new(&program("creds db.prod.ro"), Target::Vault);
    let errors: Vec<_> = a.diagnostics().iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    // An SSH role below `ssh` is not a database role: `creds ssh.` offers no `ca` role.
    let src = program("creds ssh.");
    assert!(labels_at(&src, src.find("creds ssh.").unwrap() + "creds ssh.".len()).is_empty());
    let src = program("sign ssh.");
    let l = labels_at(&src, src.find("sign ssh.").unwrap() + "sign ssh.".len());
    assert_eq!(l, ["prod.signer"]);
}

/// A workload has one `login`; `secrets ssh` one `ca {}`.
#[test]
fn blocks_written_once_are_not_offered_again() {
    let l = labels("workload w {\n  login ci { user_claim = \"sub\" }\n  |\n}\n");
    assert!(has(&l, "read") && !has(&l, "login"), "{l:?}");
    let l = labels("workload w {\n  read \"x\"\n  |\n}\n");
    assert!(has(&l, "login"), "{l:?}");
    // What it would write again is an error.
    for twice in [
        "workload w {\n  login ci { user_claim = \"sub\" }\n  login ci { user_claim = \"sub\" }\n  read \"x\"\n}\n",
        "secrets ssh s2 {\n  ca {}\n  ca {}\n}\n",
    ] {
        let a = Analysis::new(&format!("{MOUNTS}{twice}"), Target::Vault);
        assert!(
            a.diagnostics().iter().any(|d| d.is_error()),
            "no error in:\n{twice}"
        );
    }
    let l = labels("secrets ssh s2 {\n  ca {}\n  |\n}\n");
    assert!(has(&l, "role") && !has(&l, "ca"), "{l:?}");
    let l = labels("secrets ssh s2 {\n  role a { key_type = \"ca\" }\n  |\n}\n");
    assert!(has(&l, "role") && has(&l, "ca"), "{l:?}");
}

/// `rotate_root`, which a connection takes besides its endpoint's fields, completes
/// with its values, and what completion writes checks.
#[test]
fn rotate_root_completes_in_a_connection() {
    let l = labels("secrets database d {\n  connection x {\n    |\n  }\n}\n");
    assert!(has(&l, "rotate_root"), "{l:?}");
    let l = labels("secrets database d {\n  connection x {\n    rotate_root = |\n  }\n}\n");
    assert_eq!(l, ["false", "true"]);
    let l = labels("secrets database d {\n  role x {\n    |\n  }\n}\n");
    assert!(!has(&l, "rotate_root"), "{l:?}");
    let l = labels("secrets database {\n  connection c {\n    rotate_root = true\n    |\n  }\n}\n");
    assert!(!has(&l, "rotate_root"), "{l:?}");
}

/// `login` offers a mount at a nested path as the quoted label it must be written as
/// (`login app/roles` does not parse), and the completed program checks.
#[test]
fn a_nested_login_mount_is_inserted_quoted() {
    let src = "auth approle \"app/roles\" {}\nauth approle flat {}\nworkload w {\n  login \n  read \"secret/data/w\"\n}\n";
    let offset = src.find("login ").unwrap() + "login ".len();
    let a = Analysis::new(src, Target::Vault);
    let items = a.completions(offset);
    let inserted: Vec<String> = items
        .iter()
        .map(|c| c.insert_text.clone().unwrap_or_else(|| c.label.clone()))
        .collect();
    assert_eq!(inserted, ["\"app/roles\"", "flat"]);
    let completed = format!(
        "{}{} {{ secret_id_ttl = 10m }}{}",
        &src[..offset],
        inserted[0],
        &src[offset..]
    );
    let after = Analysis::new(&completed, Target::Vault);
    let errors: Vec<&str> = after
        .diagnostics()
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.code)
        .collect();
    assert!(errors.is_empty(), "{completed}: {errors:?}");
}
