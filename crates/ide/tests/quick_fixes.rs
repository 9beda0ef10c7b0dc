//! Quick fixes do what they say and leave a program that checks: a "did you mean" keeps
//! the value's form, each user added a password reads its own variable, and no title
//! shows a literal secret. Rename and references see the plain names of `owns`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use kp_ide::{Analysis, CodeAction, Span, Target};

fn analysis(src: &str) -> Analysis {
    Analysis::new(src, Target::Vault)
}

fn codes(a: &Analysis) -> Vec<String> {
    a.diagnostics().iter().map(|d| d.code.to_string()).collect()
}

fn actions(a: &Analysis) -> Vec<CodeAction> {
    a.code_actions(Span::new(0, a.source().len()))
}

/// `src` with the edits of `actions` applied (edits are disjoint).
fn apply(src: &str, actions: &[&CodeAction]) -> String {
    let mut edits: Vec<_> = actions.iter().flat_map(|a| a.edits.clone()).collect();
    edits.sort_by_key(|e| e.span);
    let mut text = src.to_string();
    for e in edits.iter().rev() {
        text.replace_range(e.span.start..e.span.end, &e.new_text);
    }
    text
}

/// The one action fixing the diagnostic with `code`.
fn fix_for<'a>(a: &Analysis, all: &'a [CodeAction], code: &str) -> &'a CodeAction {
    let i = a
        .diagnostics()
        .iter()
        .position(|d| d.code == code)
        .unwrap_or_else(|| panic!("no {code} in {:?}", codes(a)));
    all.iter()
        .find(|f| f.diagnostic == i)
        .unwrap_or_else(|| panic!("no fix for {code}: {all:?}"))
}

#[test]
fn did_you_mean_keeps_a_quoted_string_quoted() {
    for (src, title, new_text) in [
        (
            "auth approle {\n  role r { token_type = \"servce\" }\n}\n",
            "replace `\"servce\"` with `\"service\"`",
            "\"service\"",
        ),
        (
            "auth jwt {\n  jwks_url = \"https://ci/jwks\"\n  role r {\n    user_claim = \"sub\"\n    bound_audiences = [\"v\"]\n    bound_claims_type = \"glb\"\n  }\n}\n",
            "replace `\"glb\"` with `\"glob\"`",
            "\"glob\"",
        ),
    ] {
        let a = analysis(src);
        let all = actions(&a);
        let fix = fix_for(&a, &all, "kp::invalid-value");
        assert_eq!(fix.title, title);
        assert_eq!(fix.edits.len(), 1);
        assert_eq!(fix.edits[0].new_text, new_text);
        let fixed = apply(src, &[fix]);
        let after = analysis(&fixed);
        assert!(
            after.diagnostics().iter().all(|d| !d.is_error()),
            "{fixed}: {:?}",
            codes(&after)
        );
    }
}

#[test]
fn did_you_mean_keeps_a_bare_word_bare() {
    let src = "policy reader { path \"secret/*\" { capabilities = [read] } }\ntoken t {\n  role = r\n  policies = [readr]\n}\nauth token {\n  role r { allowed_policies = [reader] }\n}\n";
    let a = analysis(src);
    let all = actions(&a);
    let fix = fix_for(&a, &all, "kp::unresolved-reference");
    assert_eq!(fix.title, "replace `readr` with `reader`");
    assert_eq!(fix.edits[0].new_text, "reader");
}

#[test]
fn each_user_added_a_password_reads_its_own_variable() {
    let src = "auth userpass {\n  user alice { token_ttl = 1h }\n  user bob { token_ttl = 1h }\n}\nauth userpass people {\n  user carol { token_ttl = 1h }\n}\nworkload dan {\n  login userpass { token_ttl = 1h }\n  read \"secret/data/dan\"\n}\n";
    let a = analysis(src);
    let all = actions(&a);
    let added: Vec<&CodeAction> = all
        .iter()
        .filter(|f| f.title.contains("`password`"))
        .collect();
    // Each user is a one-line block: the field follows its last entry.
    let texts: Vec<&str> = added
        .iter()
        .map(|f| f.edits[0].new_text.trim_start_matches(", "))
        .collect();
    assert_eq!(
        texts,
        [
            "password = env(\"ALICE_PASSWORD\")",
            "password = env(\"BOB_PASSWORD\")",
            "password = env(\"PEOPLE_CAROL_PASSWORD\")",
            "password = env(\"DAN_PASSWORD\")",
        ]
    );
    let fixed = apply(src, &added);
    let after = analysis(&fixed);
    assert!(
        !codes(&after).contains(&"kp::missing-field".to_string()),
        "{fixed}: {:?}",
        codes(&after)
    );
}

#[test]
fn a_password_variable_the_program_reads_is_not_given_again() {
    // `ALICE_PASSWORD` already feeds another secret: the user's fix takes the next name.
    let src = "auth userpass {\n  user alice { token_ttl = 1h }\n}\nsecrets database {\n  connection db {\n    plugin_name = \"mysql-database-plugin\"\n    password = env(\"ALICE_PASSWORD\")\n  }\n}\n";
    let a = analysis(src);
    let all = actions(&a);
    let fix = all
        .iter()
        .find(|f| f.title.contains("`password`"))
        .expect("a fix adding the password");
    assert_eq!(
        fix.edits[0].new_text,
        ", password = env(\"ALICE_PASSWORD_2\")"
    );
}

#[test]
fn no_title_shows_a_literal_secret() {
    let src = "policy reader { path \"secret/*\" { capabilities = [read] } }\nauth userpass {\n  user alice {\n    password = \"readr\"\n    token_policies = [readr]\n  }\n}\n";
    let a = analysis(src);
    let unknown = a
        .diagnostics()
        .iter()
        .find(|d| d.code == "kp::unresolved-reference")
        .expect("the misspelt policy");
    assert!(
        unknown.message.contains("(literal secret)"),
        "{}",
        unknown.message
    );
    let all = actions(&a);
    assert!(!all.is_empty());
    for f in &all {
        assert!(!f.title.contains("readr"), "{}", f.title);
    }
    let fix = fix_for(&a, &all, "kp::unresolved-reference");
    assert_eq!(fix.title, "replace `(literal secret)` with `reader`");
    // The edit still writes the name.
    assert_eq!(fix.edits[0].new_text, "reader");
}

const OWNS: &str = "owns policies ci-deploy \"team-*\" \"ops\"\nowns token-roles runner\npolicy ci-deploy { path \"secret/*\" { capabilities = [read] } }\npolicy ops { path \"secret/ops/*\" { capabilities = [read] } }\npolicy team-a { path \"secret/a/*\" { capabilities = [read] } }\nauth token {\n  role runner { allowed_policies = [ci-deploy] }\n}\n";

/// Renames the name that `at` (in `src`) ends with.
fn rename_in(src: &str, at: &str, new_name: &str) -> String {
    let a = analysis(src);
    let offset = src.find(at).unwrap() + at.len() - 2;
    let edits = a.rename(offset, new_name).unwrap();
    let mut text = src.to_string();
    for e in edits.iter().rev() {
        text.replace_range(e.span.start..e.span.end, &e.new_text);
    }
    text
}

#[test]
fn rename_updates_plain_names_in_owns() {
    assert!(analysis(OWNS).diagnostics().iter().all(|d| !d.is_error()));
    let renamed = rename_in(OWNS, "policy ci-deploy", "deployer");
    assert!(
        renamed.starts_with("owns policies deployer \"team-*\" \"ops\"\n"),
        "{renamed}"
    );
    assert!(
        renamed.contains("allowed_policies = [deployer]"),
        "{renamed}"
    );
    // From the `owns` entry itself, and a quoted name stays quoted.
    let renamed = rename_in(OWNS, "\"ops\"", "operators");
    assert!(
        renamed.starts_with("owns policies ci-deploy \"team-*\" \"operators\"\n"),
        "{renamed}"
    );
    assert!(renamed.contains("policy operators {"), "{renamed}");
    let renamed = rename_in(OWNS, "role runner", "builder");
    assert!(renamed.contains("owns token-roles builder\n"), "{renamed}");
    // A pattern is not a name: renaming the policy it matches leaves it.
    let renamed = rename_in(OWNS, "policy team-a", "team-b");
    assert!(renamed.contains("\"team-*\""), "{renamed}");
    for text in [
        rename_in(OWNS, "policy ci-deploy", "deployer"),
        rename_in(OWNS, "\"ops\"", "operators"),
        rename_in(OWNS, "role runner", "builder"),
    ] {
        let after = analysis(&text);
        assert_eq!(
            codes(&after),
            codes(&analysis(OWNS)),
            "{text}: the rename changed what the program means"
        );
    }
}

#[test]
fn references_include_plain_names_in_owns() {
    let a = analysis(OWNS);
    let at = OWNS.find("policy ci-deploy").unwrap() + "policy ".len() + 1;
    let refs = a.references(at, false);
    let texts: Vec<&str> = refs.iter().map(|s| &OWNS[s.start..s.end]).collect();
    assert_eq!(texts, ["ci-deploy", "ci-deploy"]);
    assert_eq!(refs[0].start, "owns policies ".len());
    // The definition of the `owns` entry is the policy.
    let def = a.definition(refs[0].start + 1).expect("a definition");
    assert_eq!(&OWNS[def.name_span.start..def.name_span.end], "ci-deploy");
    assert!(def.name_span.start > refs[0].start);
}

/// Every error of `a` as `(code, message)`.
fn errors(a: &Analysis) -> Vec<(String, String)> {
    a.diagnostics()
        .iter()
        .filter(|d| d.is_error())
        .map(|d| (d.code.to_string(), d.message.clone()))
        .collect()
}

/// `src` with every fix of the diagnostics with `code` applied (one per block: a block
/// missing several fields has one fix adding them all), and the fixes.
fn fix_all(src: &str, code: &str) -> (String, Vec<CodeAction>) {
    let a = analysis(src);
    let all = actions(&a);
    let fixing: Vec<&CodeAction> = all
        .iter()
        .filter(|f| a.diagnostics()[f.diagnostic].code == code)
        .collect();
    let fixed = apply(src, &fixing);
    (fixed, fixing.into_iter().cloned().collect())
}

/// Applies the fixes of `code` and checks again: none of that code is left, no error
/// appears that was not there before, and a program `keyplan fmt` leaves as it is stays
/// so (the fix writes what it adds as the formatter would).
fn assert_fixed(src: &str, code: &str) -> String {
    let before = analysis(src);
    assert!(
        codes(&before).iter().any(|c| c == code),
        "no {code} in:\n{src}"
    );
    let (fixed, fixes) = fix_all(src, code);
    assert!(!fixes.is_empty(), "no fix for {code} in:\n{src}");
    let after = analysis(&fixed);
    assert!(
        !codes(&after).iter().any(|c| c == code),
        "{code} left in:\n{fixed}\n{:?}",
        after.diagnostics()
    );
    let old = errors(&before);
    let new: Vec<_> = errors(&after)
        .into_iter()
        .filter(|e| !old.contains(e))
        .collect();
    assert!(new.is_empty(), "new errors in:\n{fixed}\n{new:?}");
    let formatted = |text: &str| !keyplan::json_api::format_source(text).changed;
    if formatted(src) {
        assert!(
            formatted(&fixed),
            "not as `keyplan fmt` writes it:\n{fixed}"
        );
    }
    fixed
}

/// Every kind of missing field the checker reports, in a formatted program: the fix adds
/// a value the check accepts (QA: `user_claim = ""`, which the check then refuses as
/// empty), so the program checks afterwards, and it stays formatted.
#[test]
fn every_missing_field_fix_leaves_a_program_that_checks() {
    let programs = [
        // A JWT role: the standard subject claim, aligned with the role's attributes.
        "auth jwt ci {\n  jwks_url = \"https://ci.example.com/jwks\"\n\n  role deploy {\n    bound_audiences = [\"vault\"]\n    bound_claims    = { project = \"app\" }\n  }\n}\n",
        // An `oidc` role: the CLI's callback.
        "auth oidc {\n  oidc_discovery_url = \"https://id.example.com\"\n\n  role people {\n    user_claim      = \"sub\"\n    bound_audiences = [\"vault\"]\n    bound_claims    = { group = \"ops\" }\n  }\n}\n",
        // A Kubernetes role (names and namespaces) and the method's config.
        "auth kubernetes k8s {\n  kubernetes_host    = \"https://k8s.example.com\"\n  kubernetes_ca_cert = env(\"K8S_CA_PEM\")\n\n  role app {\n    token_ttl = 1h\n  }\n}\n",
        "auth kubernetes k8s {\n  kubernetes_ca_cert = env(\"K8S_CA_PEM\")\n}\n",
        "auth kubernetes k8s {\n  kubernetes_host    = \"https://k8s.example.com\"\n  kubernetes_ca_cert = env(\"K8S_CA_PEM\")\n}\n\nworkload w {\n  login k8s {\n    token_ttl = 1h\n  }\n  read \"secret/data/w/*\"\n}\n",
        // A database connection's plugin (from its URL), a role's connection, a static
        // role's connection, user and rotation.
        "secrets database {\n  connection app {\n    connection_url = \"postgresql://{{username}}:{{password}}@db:5432/app\"\n    allowed_roles  = [reader, legacy]\n  }\n\n  role reader {\n    creation_statements = [\"CREATE ROLE \\\"{{name}}\\\";\"]\n  }\n\n  static-role legacy {}\n}\n",
        "secrets database {\n  connection app {\n    connection_url = \"{{username}}:{{password}}@tcp(db:3306)/\"\n  }\n}\n",
        // A role whose connection's plugin has no default statements.
        "secrets database {\n  connection app {\n    plugin_name    = \"postgresql-database-plugin\"\n    connection_url = \"postgresql://{{username}}:{{password}}@db:5432/app\"\n    allowed_roles  = [reader]\n  }\n\n  role reader {\n    db_name = app\n  }\n}\n",
        // SSH roles: signing for `sign`, one-time passwords for `creds`.
        "secrets ssh {\n  role dev {\n    allowed_users = \"ubuntu\"\n  }\n\n  role otp {\n    default_user = \"ubuntu\"\n  }\n}\n\nworkload w {\n  login ci {\n    bound_audiences = [\"vault\"]\n    bound_claims    = { project = \"w\" }\n    user_claim      = \"sub\"\n  }\n  sign  ssh.dev\n  creds ssh.otp\n}\n",
        // AWS (Vault): a role's credential type, a static role, the lease.
        "secrets aws {\n  role dev {\n    policy_arns = [\"arn:aws:iam::aws:policy/ReadOnlyAccess\"]\n  }\n\n  static-role svc {}\n\n  lease {}\n}\n",
        // A token's role, a userpass user's password.
        "auth token {\n  role runner {}\n}\n\ntoken t {\n  ttl = 1h\n}\n",
        "auth userpass {\n  user alice {\n    token_ttl = 1h\n  }\n}\n",
        // A certificate role's CA, as a role and as a workload's login.
        "auth cert machines {\n  role ci-runner {\n    allowed_common_names = [\"ci.example.com\"]\n  }\n}\n\nworkload builder {\n  login machines {\n    token_ttl = 1h\n  }\n  read \"secret/data/b/*\"\n}\n",
    ];
    for src in programs {
        assert_fixed(src, "kp::missing-field");
    }
}

/// A one-line block gets the field inside its braces, after a comma, and nothing else
/// changes: no trailing blank after `]` (QA).
#[test]
fn a_one_line_block_gets_the_field_on_its_line() {
    let mount = "auth jwt ci {\n  jwks_url = \"https://ci.example.com/jwks\"\n}\n\n";
    for (login, fixed) in [
        (
            "login ci { bound_audiences = [\"vault\"] }",
            "login ci { bound_audiences = [\"vault\"], user_claim = \"sub\" }",
        ),
        (
            "login ci { bound_audiences = [\"vault\"], }",
            "login ci { bound_audiences = [\"vault\"], user_claim = \"sub\" }",
        ),
        (
            "login ci {bound_audiences = [\"vault\"]}",
            "login ci {bound_audiences = [\"vault\"], user_claim = \"sub\"}",
        ),
    ] {
        let src = format!("{mount}workload w {{\n  {login}\n  read \"x/*\"\n}}\n");
        let after = assert_fixed(&src, "kp::missing-field");
        assert_eq!(
            after,
            format!("{mount}workload w {{\n  {fixed}\n  read \"x/*\"\n}}\n")
        );
    }
    // An empty block on a line of its own opens, as `keyplan fmt` writes it; inside a
    // one-line block it stays on the line.
    let src = "auth kubernetes k8s {\n  kubernetes_host    = \"https://k8s.example.com\"\n  kubernetes_ca_cert = env(\"K8S_CA_PEM\")\n  role app {}\n}\n";
    let after = assert_fixed(src, "kp::missing-field");
    assert!(
        after.contains("  role app {\n    bound_service_account_names      = [\"app\"]\n    bound_service_account_namespaces = [\"default\"]\n  }\n"),
        "{after}"
    );
    let src = "auth userpass {}\nworkload w { login userpass {}, read \"x/*\" }\n";
    let after = assert_fixed(src, "kp::missing-field");
    assert!(
        after.contains(
            "workload w { login userpass { password = env(\"W_PASSWORD\") }, read \"x/*\" }"
        ),
        "{after}"
    );
}

/// A new name wider than the run of attributes it joins pads the run again, as
/// `keyplan fmt` would; a run the author did not align is left unaligned; CRLF stays.
#[test]
fn added_attributes_align_as_the_formatter_aligns() {
    let src = "auth jwt ci {\n  jwks_url = \"https://ci.example.com/jwks\"\n\n  role deploy {\n    bound_claims = { project = \"app\" }\n\n    ttl = 1h\n  }\n}\n";
    let after = assert_fixed(src, "kp::missing-field");
    assert!(
        after.contains("    bound_claims = { project = \"app\" }\n\n    ttl        = 1h\n    user_claim = \"sub\"\n"),
        "{after}"
    );
    let src = "auth jwt ci {\n  jwks_url = \"https://ci.example.com/jwks\"\n\n  role deploy {\n    bound_claims_type = \"glob\"\n    bound_claims = { project = \"app-*\" }\n  }\n}\n";
    let after = assert_fixed(src, "kp::missing-field");
    assert!(
        after.contains("    bound_claims = { project = \"app-*\" }\n    user_claim = \"sub\"\n  }"),
        "{after}"
    );
    let src = "auth jwt ci {\r\n  jwks_url = \"https://ci.example.com/jwks\"\r\n\r\n  role deploy {\r\n    bound_claims = { project = \"app\" }\r\n  }\r\n}\r\n";
    let after = assert_fixed(src, "kp::missing-field");
    assert!(
        after.contains(
            "    bound_claims = { project = \"app\" }\r\n    user_claim   = \"sub\"\r\n  }\r\n"
        ),
        "{after:?}"
    );
    // A closing brace after the last attribute: the new line goes before it, no blank
    // left at the end of the line.
    let src = "auth jwt ci {\n  jwks_url = \"https://ci.example.com/jwks\"\n\n  role deploy {\n    bound_claims = { project = \"app\" } }\n}\n";
    let after = assert_fixed(src, "kp::missing-field");
    assert!(
        after.contains(
            "    bound_claims = { project = \"app\" }\n    user_claim   = \"sub\"\n  }\n}"
        ),
        "{after:?}"
    );
}

const CONNECTION: &str = "secrets database {\n  connection app {\n    plugin_name    = \"postgresql-database-plugin\"\n    connection_url = \"postgresql://{{username}}:{{password}}@db:5432/app\"\n    username       = \"vault\"\n    password       = env(\"APP_PASSWORD\")\n  }\n}\n";

/// `kp::root-not-rotated` has the fix docs/diagnostics.md names: `rotate_root = true` in
/// the connection (QA: only the literal-secret fix was offered there).
#[test]
fn root_not_rotated_is_fixed_by_rotating_the_root_password() {
    let a = analysis(CONNECTION);
    let all = actions(&a);
    let fix = fix_for(&a, &all, "kp::root-not-rotated");
    assert_eq!(fix.title, "add `rotate_root = true`");
    assert!(
        !fix.preferred,
        "rotating is not for an editor to do on save"
    );
    let after = assert_fixed(CONNECTION, "kp::root-not-rotated");
    assert!(
        after
            .contains("    password       = env(\"APP_PASSWORD\")\n    rotate_root    = true\n  }"),
        "{after}"
    );
    // Without `username` the server has nothing to rotate and the check would refuse
    // the rotation: no fix.
    let src = CONNECTION.replace("    username       = \"vault\"\n", "");
    let a = analysis(&src);
    assert!(codes(&a).contains(&"kp::root-not-rotated".to_string()));
    assert!(actions(&a).iter().all(|f| !f.title.contains("rotate_root")));
}

/// A literal password has both warnings, and each its own fix: the environment variable
/// for `kp::literal-secret`, the rotation for `kp::root-not-rotated`.
#[test]
fn a_literal_root_password_gets_each_fix_on_its_own_diagnostic() {
    let src = CONNECTION.replace("env(\"APP_PASSWORD\")", "\"hunter2\"");
    let a = analysis(&src);
    let at = src.find("hunter2").unwrap();
    let here = a.code_actions(Span::new(at, at));
    let by_code: Vec<(String, String)> = here
        .iter()
        .map(|f| {
            (
                a.diagnostics()[f.diagnostic].code.to_string(),
                f.title.clone(),
            )
        })
        .collect();
    assert_eq!(
        by_code,
        [
            (
                "kp::literal-secret".to_string(),
                "read `password` from the environment variable `APP_PASSWORD`".to_string()
            ),
            (
                "kp::root-not-rotated".to_string(),
                "add `rotate_root = true`".to_string()
            ),
        ]
    );
    let fixed = apply(&src, &here.iter().collect::<Vec<_>>());
    let after = analysis(&fixed);
    assert!(
        !codes(&after)
            .iter()
            .any(|c| c == "kp::literal-secret" || c == "kp::root-not-rotated"),
        "{fixed}: {:?}",
        codes(&after)
    );
}

#[test]
fn a_repeated_capability_is_removed_with_its_comma() {
    for (src, fixed) in [
        (
            "policy p {\n  path \"a/*\" { capabilities = [read, list, read] }\n}\n",
            "policy p {\n  path \"a/*\" { capabilities = [read, list] }\n}\n",
        ),
        (
            "policy p {\n  path \"a/*\" {\n    capabilities = [\n      read,\n      read,\n    ]\n  }\n}\n",
            "policy p {\n  path \"a/*\" {\n    capabilities = [\n      read,\n    ]\n  }\n}\n",
        ),
    ] {
        let a = analysis(src);
        let all = actions(&a);
        let fix = fix_for(&a, &all, "kp::repeated-capability");
        assert!(fix.title.starts_with("remove the repeated `"), "{}", fix.title);
        assert_eq!(apply(src, &[fix]), fixed);
        let after = analysis(fixed);
        assert!(
            !codes(&after).contains(&"kp::repeated-capability".to_string()),
            "{fixed}: {:?}",
            codes(&after)
        );
    }
    // A comment between the items is not removed: no fix.
    let src = "policy p {\n  path \"a/*\" {\n    capabilities = [\n      read, # the reader\n      read,\n    ]\n  }\n}\n";
    let a = analysis(src);
    let all = actions(&a);
    let i = a
        .diagnostics()
        .iter()
        .position(|d| d.code == "kp::repeated-capability")
        .expect("the repeat is reported");
    assert!(all.iter().all(|f| f.diagnostic != i), "{all:?}");
}

/// A connection written by host (a Redis one) has no plugin the fix could tell: no
/// `plugin_name = "postgresql-database-plugin"`, which would make `host` an error.
#[test]
fn a_connection_by_host_gets_no_guessed_plugin() {
    let src = "secrets database {\n  connection cache {\n    host = \"127.0.0.1\"\n    port = 6379\n  }\n}\n";
    let a = analysis(src);
    assert!(codes(&a).iter().any(|c| c == "kp::missing-field"));
    let all = actions(&a);
    assert!(
        all.iter()
            .all(|f| f.edits.iter().all(|e| !e.new_text.contains("plugin_name"))),
        "{all:?}"
    );
}

/// `kp::narrowing-rule`: the fix writes the lost statements after the narrower one, in
/// its column, and the program checks clean of it and stays formatted.
#[test]
fn a_narrowing_statement_gets_the_lost_capabilities_too() {
    let src = "auth approle {}\n\nworkload trainer {\n  login approle {\n    secret_id_ttl = 10m\n  }\n\n  read   \"kv/models/*\"\n  list   \"kv/models/*\"\n  create \"kv/models/out/*\" # results\n  update \"kv/models/out/*\"\n}\n";
    let fixed = assert_fixed(src, "kp::narrowing-rule");
    assert_eq!(
        fixed,
        "auth approle {}\n\nworkload trainer {\n  login approle {\n    secret_id_ttl = 10m\n  }\n\n  read   \"kv/models/*\"\n  list   \"kv/models/*\"\n  create \"kv/models/out/*\" # results\n  read   \"kv/models/out/*\"\n  list   \"kv/models/out/*\"\n  update \"kv/models/out/*\"\n}\n"
    );
    let a = analysis(src);
    let all = actions(&a);
    let fix = fix_for(&a, &all, "kp::narrowing-rule");
    assert_eq!(
        fix.title,
        "also write `read \"kv/models/out/*\"` and `list \"kv/models/out/*\"`"
    );
    // A one-line body has no line of its own for them: no fix.
    let src = "auth approle {}\nworkload w {\n  login approle { secret_id_ttl = 10m }\n  read \"kv/a/*\"\n}\nworkload v { login approle { secret_id_ttl = 10m }, read \"kv/b/*\", create \"kv/b/c/*\" }\n";
    let a = analysis(src);
    assert!(
        codes(&a).contains(&"kp::narrowing-rule".to_string()),
        "{:?}",
        codes(&a)
    );
    assert!(actions(&a)
        .iter()
        .all(|f| !f.title.starts_with("also write")));
}

/// A certificate role's missing CA is read from a variable named after the role (QA: no
/// fix was offered, where a userpass user's password gets one).
#[test]
fn a_certificate_role_gets_its_ca_from_the_environment() {
    let src = "auth cert machines {\n  role ci-runner {\n    allowed_common_names = [\"ci.example.com\"]\n  }\n}\n\nworkload builder {\n  login machines {\n    token_ttl = 1h\n  }\n  read \"secret/data/b/*\"\n}\n";
    let fixed = assert_fixed(src, "kp::missing-field");
    assert!(
        fixed.contains("certificate          = env(\"CI_RUNNER_CA_PEM\")"),
        "{fixed}"
    );
    assert!(
        fixed.contains("certificate = env(\"BUILDER_CA_PEM\")"),
        "{fixed}"
    );
}

/// A mount at a nested path is suggested by its path (`db/prod`), which a reference
/// writes with dots (`creds db.prod.readonly`) and a `login` label quoted: the fix writes
/// it so, never a bare `/` the lexer refuses.
#[test]
fn did_you_mean_writes_a_nested_mount_as_the_reference_does() {
    let src = r#"auth approle "app/roles" {}
auth jwt "ci/main" { jwks_url = "https://ci/jwks" }
secrets ssh "ssh/hosts" {
  ca {}
  role gpu { key_type = "ca", allow_user_certificates = true, allowed_users = ["u"] }
}
workload builder {
  login approles { secret_id_ttl = 10m, secret_id_num_uses = 1 }
  read "secret/data/b/*"
}
workload w {
  login "ci/mian" { bound_audiences = ["v"], user_claim = "sub", bound_subject = "s" }
  sign ssh.host.gpu
  sign sshhosts.gpu
  role_id app.role.builder
}
"#;
    let a = analysis(src);
    let all = actions(&a);
    let titles: Vec<&str> = all.iter().map(|f| f.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "replace `approles` with `\"app/roles\"`",
            "replace `\"ci/mian\"` with `\"ci/main\"`",
            "replace `ssh.host` with `ssh.hosts`",
            "replace `sshhosts` with `ssh.hosts`",
            "replace `app.role` with `app.roles`",
        ]
    );
    let fixed = apply(src, &all.iter().collect::<Vec<_>>());
    let after = analysis(&fixed);
    assert!(
        after.diagnostics().iter().all(|d| !d.is_error()),
        "{fixed}: {:?}",
        codes(&after)
    );
}

/// A file's name where a certificate or key belongs: keyplan reads no files, so the fix
/// reads the PEM from the environment variable the file's name spells, in a list item
/// too; the program then checks.
#[test]
fn a_pem_file_name_becomes_the_variable_it_spells() {
    let src = "auth jwt ci {\n  bound_issuer           = \"https://ci.example.com\"\n  jwt_validation_pubkeys = [\"keys/ci-signing.pub\", \"./2026.pem\"]\n}\n\nauth cert {\n  role runner {\n    certificate          = \"certs/ci-ca.pem\"\n    allowed_common_names = [\"runner.example.com\"]\n  }\n}\n";
    let after = assert_fixed(src, "kp::invalid-value");
    assert!(
        after.contains("jwt_validation_pubkeys = [env(\"CI_SIGNING_PUB\"), env(\"PEM_2026_PEM\")]"),
        "{after}"
    );
    assert!(
        after.contains("certificate          = env(\"CI_CA_PEM\")"),
        "{after}"
    );
    // A block cut short is not a file's name: no fix.
    let cut = "auth cert {\n  role r {\n    certificate          = \"-----BEGIN CERTIFICATE-----\"\n    allowed_common_names = [\"r.example.com\"]\n  }\n}\n";
    assert!(fix_all(cut, "kp::invalid-value").1.is_empty());
}
