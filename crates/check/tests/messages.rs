//! The help texts the scenarios' pitfalls call for: each names the fix.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::check_src;
use kp_check::Target;
use kp_diag::Diagnostic;

fn diag(src: &str, code: &str) -> Diagnostic {
    let (diags, _) = check_src(src, Target::Vault);
    diags
        .into_iter()
        .find(|d| d.code == code)
        .unwrap_or_else(|| panic!("no {code}"))
}

fn help(src: &str, code: &str) -> String {
    diag(src, code).help.unwrap_or_default()
}

#[test]
fn token_role_confusions_name_the_right_field() {
    let role = |field: &str| format!("auth token {{\n  role r {{\n    {field} = 1h\n  }}\n}}");
    let h = help(&role("token_max_ttl"), "kp::unknown-field");
    assert!(h.contains("`token_explicit_max_ttl`"), "{h}");
    assert!(h.contains("silently drops"), "{h}");
    let h = help(&role("token_ttl"), "kp::unknown-field");
    assert!(
        h.contains("`token_period`") && h.contains("`token_explicit_max_ttl`"),
        "{h}"
    );
    let h = help(
        "extern policy p\nauth token {\n  role r {\n    token_policies = [p]\n  }\n}",
        "kp::unknown-field",
    );
    assert!(h.contains("`allowed_policies`"), "{h}");
}

#[test]
fn ssh_ca_ttl_lists_the_ca_fields() {
    let h = help(
        "secrets ssh {\n  ca {\n    ttl = 87600h\n  }\n}",
        "kp::unknown-field",
    );
    for field in [
        "generate_signing_key",
        "key_type",
        "public_key",
        "private_key",
    ] {
        assert!(h.contains(&format!("`{field}`")), "{h}");
    }
    assert!(h.contains("role"), "{h}");
}

#[test]
fn type_mismatch_shows_the_right_syntax() {
    let src = "auth jwt {\n  jwks_url = \"https://x\"\n  role r {\n    user_claim = sub\n    bound_audiences = [\"a\"]\n    token_ttl = \"15m\"\n  }\n}";
    let (diags, _) = check_src(src, Target::Vault);
    let mismatches: Vec<&Diagnostic> = diags
        .iter()
        .filter(|d| d.code == "kp::type-mismatch")
        .collect();
    assert_eq!(mismatches.len(), 2);
    assert_eq!(mismatches[0].help.as_deref(), Some("write `\"sub\"`"));
    assert_eq!(mismatches[1].message, "expected a duration, found a string");
    assert_eq!(
        mismatches[1].help.as_deref(),
        Some("write `15m` without quotes")
    );
}

#[test]
fn a_string_for_a_list_is_respelled_as_one_item_with_its_escapes() {
    // A JSON list's sentence is one item: its commas kept, its quotes escaped.
    let src = "secrets database {\n  role r {\n    db_name = \"c\"\n    creation_statements = \"GRANT SELECT, INSERT ON t TO \\\"{{name}}\\\";\"\n  }\n}";
    assert_eq!(
        help(src, "kp::type-mismatch"),
        r#"write a list: `["GRANT SELECT, INSERT ON t TO \"{{name}}\";"]`"#
    );
    // A comma-separated string of names or addresses is several items.
    let src = "auth approle {\n  role r {\n    secret_id_bound_cidrs = \"10.0.0.0/8, 192.168.0.0/16\"\n  }\n}";
    assert_eq!(
        help(src, "kp::type-mismatch"),
        r#"write a list: `["10.0.0.0/8", "192.168.0.0/16"]`"#
    );
}

#[test]
fn a_dotted_mount_label_is_written_as_its_path() {
    // A reference's dots stand for a mount path's slashes; a dotted role name is quoted.
    let h = help(
        "workload w {\n  login ci.gitlab {}\n}",
        "kp::syntax::invalid-label",
    );
    assert_eq!(h, "a mount path is a string: `\"ci/gitlab\"`");
    let h = help("secrets database db.prod {}", "kp::syntax::invalid-label");
    assert_eq!(h, "a mount path is a string: `\"db/prod\"`");
    let h = help(
        "secrets ssh {\n  role ops.gpu {}\n}",
        "kp::syntax::invalid-label",
    );
    assert_eq!(h, "quote it to use it as a label: `\"ops.gpu\"`");
}

#[test]
fn a_statement_written_as_a_field_is_shown_without_the_equals_sign() {
    let src = "auth approle {}\nworkload w {\n  login approle { secret_id_ttl = 10m }\n  read = \"secret/data/x\"\n}";
    let d = diag(src, "kp::unknown-field");
    let h = d.help.unwrap_or_default();
    assert!(
        h.starts_with("statements have no `=`: `read \"secret/data/x\"`"),
        "{h}"
    );
    // The label names the workload's policy, not one named after the field.
    assert_eq!(d.label, "not a field of `sys/policies/acl/w`");
}

#[test]
fn literal_secret_suggests_env() {
    let h = help(
        "secrets database {\n  connection c {\n    plugin_name = \"mysql-database-plugin\"\n    password = \"hunter2\"\n  }\n}",
        "kp::literal-secret",
    );
    assert!(h.contains("env(\"C_PASSWORD\")"), "{h}");
}

/// The variable every help suggests for each secret, in source order.
fn suggested_envs(src: &str) -> Vec<(String, String)> {
    let (diags, _) = check_src(src, Target::Vault);
    diags
        .iter()
        .filter_map(|d| {
            let help = d.help.as_deref()?;
            let name = help.split("env(\"").nth(1)?.split('"').next()?;
            Some((d.code.to_string(), name.to_string()))
        })
        .collect()
}

#[test]
fn each_secret_gets_its_own_variable() {
    // Connection `billing`'s literal is not told to read `DB_ROOT_PASSWORD`, which
    // connection `app` already reads (QA 03).
    let src = "secrets database {
  connection app {
    plugin_name    = \"postgresql-database-plugin\"
    connection_url = \"postgresql://{{username}}:{{password}}@db1/app\"
    username       = \"admin\"
    password       = env(\"DB_ROOT_PASSWORD\")
    allowed_roles  = [\"*\"]
    rotate_root    = true
  }
  connection billing {
    plugin_name    = \"mysql-database-plugin\"
    connection_url = \"{{username}}:{{password}}@tcp(db2:3306)/\"
    username       = \"admin\"
    password       = \"pw-two\"
    allowed_roles  = [\"*\"]
    rotate_root    = true
  }
}";
    assert_eq!(
        suggested_envs(src),
        [(
            "kp::literal-secret".to_string(),
            "BILLING_PASSWORD".to_string()
        )]
    );
    // A user and a connection of one name, a variable the program reads already, a
    // second mount, and a mount's own config: one variable per secret, and the helps
    // about one connection's password (literal, in its URL, `rotate_root`) agree.
    let src = "auth userpass {
  user app {
    password = \"user-literal-pw\"
  }
}
auth jwt gitlab {
  oidc_discovery_url = \"https://gitlab.example.com\"
  oidc_client_id     = \"x\"
  oidc_client_secret = \"client-literal\"
}
secrets database {
  connection app {
    plugin_name    = \"mysql-database-plugin\"
    connection_url = \"admin:pw-in-url@tcp(db:3306)/\"
    password       = \"conn-literal-pw\"
    rotate_root    = true
  }
}
secrets database db2 {
  connection app {
    plugin_name    = \"mysql-database-plugin\"
    connection_url = \"{{username}}:{{password}}@tcp(db:3306)/\"
    password       = env(\"APP_PASSWORD_2\")
    rotate_root    = true
  }
}";
    let pairs = |list: &[(&str, &str)]| -> Vec<(String, String)> {
        list.iter()
            .map(|(c, n)| (format!("kp::{c}"), n.to_string()))
            .collect()
    };
    assert_eq!(
        suggested_envs(src),
        pairs(&[
            ("literal-secret", "APP_PASSWORD"),
            ("literal-secret", "GITLAB_OIDC_CLIENT_SECRET"),
            ("credentials-in-url", "APP_PASSWORD_3"),
            ("literal-secret", "APP_PASSWORD_3"),
            ("rotate-root-needs-credentials", "APP_PASSWORD_3"),
            ("rotate-root-needs-credentials", "DB2_APP_PASSWORD"),
        ])
    );
}

#[test]
fn secrets_of_the_wrong_type_suggest_a_variable() {
    // A type mismatch on a secret field suggests the environment, not the literal
    // quoted (which redaction showed as `"(literal secret)"`), under the variable the
    // literal-secret help would give; a token's `id` names the token (QA 02, 21).
    let src = "auth userpass {
  user app {
    password = 12345678
  }
  user bob {
    password = hunter2xyz
  }
}
auth token {
  role r {
    renewable = true
  }
}
token deploy-token {
  role = r
  id   = \"literal-token-id\"
}
secrets database {
  connection app {
    plugin_name    = \"mysql-database-plugin\"
    connection_url = \"{{username}}:{{password}}@tcp(db:3306)/\"
    username       = \"admin\"
    password       = \"conn-literal-pw\"
    rotate_root    = true
  }
}";
    let mut found = suggested_envs(src);
    found.sort();
    let expected: Vec<(String, String)> = [
        ("literal-secret", "APP_PASSWORD_2"),
        ("literal-secret", "DEPLOY_TOKEN_ID"),
        ("type-mismatch", "APP_PASSWORD"),
        ("type-mismatch", "BOB_PASSWORD"),
    ]
    .iter()
    .map(|(c, n)| (format!("kp::{c}"), n.to_string()))
    .collect();
    assert_eq!(found, expected);
}

#[test]
fn no_parent_points_at_the_role() {
    let src = "auth token {\n  role r {\n    renewable = true\n  }\n}\ntoken t {\n  role = r\n  no_parent = true\n}";
    let d = diag(src, "kp::no-parent-ignored");
    assert!(!d.is_error());
    assert_eq!(
        d.help.as_deref(),
        Some("set `orphan = true` on token role `r`")
    );
    assert_eq!(d.related.len(), 1);
    assert_eq!(&src[d.related[0].span.start..d.related[0].span.end], "r");
}

#[test]
fn duplicates_point_at_the_first_definition() {
    let src = "extern policy p\npolicy p {\n  path \"x\" { capabilities = [read] }\n}";
    let d = diag(src, "kp::duplicate");
    assert_eq!(d.related[0].label, "first defined here");
    assert_eq!(
        d.related[0].span.start,
        src.find('p').unwrap() + "policy ".len()
    );
}

#[test]
fn a_login_named_like_a_declared_user_or_role_names_its_kind() {
    let user = "auth userpass {\n  user carol { password = env(\"P\") }\n}\n\
        workload carol {\n  login userpass { password = env(\"Q\") }\n  read \"a/*\"\n}";
    assert_eq!(
        diag(user, "kp::duplicate").message,
        "userpass user `carol` is already defined on auth mount `userpass`"
    );
    let role = "auth approle {\n  role b { secret_id_ttl = 10m }\n}\n\
        workload b {\n  login approle { secret_id_ttl = 5m }\n  read \"a/*\"\n}";
    assert_eq!(
        diag(role, "kp::duplicate").message,
        "AppRole role `b` is already defined on auth mount `approle`"
    );
    // Also when the login already names its role: the help asks for another name, not
    // for `role_name`, which is there.
    let named = "auth approle {\n  role b { secret_id_ttl = 10m }\n}\n\
        workload w {\n  login approle { role_name = \"b\" }\n  read \"a/*\"\n}";
    assert_eq!(
        help(named, "kp::duplicate"),
        "give the login role another name with `role_name = \"...\"`"
    );
}

#[test]
fn unknown_blocks_list_the_valid_ones() {
    let h = help(
        "secrets aws {\n  rot {\n    region = \"x\"\n  }\n}",
        "kp::unknown-block",
    );
    assert!(h.starts_with("did you mean `root`?"), "{h}");
    assert!(h.contains("`lease`") && h.contains("`role`"), "{h}");
}

/// `config` is itself an error on a KV v1 mount: the list names only what a mount takes.
#[test]
fn a_kv_v1_mount_lists_no_kv_v2_block() {
    let h = help("secrets kv x {\n  role r {}\n}", "kp::unknown-block");
    assert_eq!(h, "`secrets kv x` takes no nested blocks");
    let h = help(
        "secrets kv x {\n  version = 2\n  role r {}\n}",
        "kp::unknown-block",
    );
    assert_eq!(h, "blocks valid here: `config`");
    // A misspelt `config` on v1: no "did you mean" a block v1 lacks, but why not.
    let h = help("secrets kv x {\n  confg {}\n}", "kp::unknown-block");
    assert_eq!(
        h,
        "`secrets kv x` takes no nested blocks: `config` needs a KV version 2 mount (`version = 2`)"
    );
}

#[test]
fn unresolved_references_suggest_and_name_the_kind() {
    let src = "extern policy example-policy\nauth token {\n  role r {\n    allowed_policies = [example-polcy]\n  }\n}";
    let d = diag(src, "kp::unresolved-reference");
    assert_eq!(d.message, "unknown policy `example-polcy`");
    assert!(d
        .help
        .unwrap()
        .starts_with("did you mean `example-policy`?"));
}

#[test]
fn unsupported_target_message_names_the_engine() {
    let (diags, _) = check_src(
        "secrets aws {\n  root { region = \"x\" }\n}",
        Target::Openbao,
    );
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0].message, "OpenBao has no AWS secrets engine");
}

#[test]
fn kv2_path_help_has_the_corrected_path() {
    let src = "secrets kv secret {\n  version = 2\n}\nworkload w {\n  read \"secret/app/*\"\n}";
    let h = help(src, "kp::kv2-path");
    assert!(h.contains("\"secret/data/app/*\""), "{h}");
}

/// The help names only what the policy does not grant already at the corrected path.
#[test]
fn kv2_path_help_suggests_only_what_is_missing() {
    let kv = "secrets kv secret {\n  version = 2\n}\n";
    let policy = |rules: &str| format!("{kv}policy p {{\n{rules}}}\n");
    let rule = |path: &str, caps: &str| {
        format!("  path \"{path}\" {{\n    capabilities = [{caps}]\n  }}\n")
    };
    // `list` on `data/`, with `metadata/` listed by a later rule (or a wider glob).
    for metadata in ["secret/metadata/app/*", "secret/metadata/*"] {
        let src = policy(&(rule("secret/data/app/*", "read, list") + &rule(metadata, "list")));
        let h = help(&src, "kp::kv2-path");
        assert!(h.starts_with("remove `list` from this rule"), "{h}");
        assert!(!h.contains("list keys at"), "{h}");
    }
    // Nothing granted there yet: the path to write.
    let src = policy(&rule("secret/data/app/*", "read, list"));
    let h = help(&src, "kp::kv2-path");
    assert_eq!(h, "list keys at `\"secret/metadata/app/*\"`");
    // A rule without `metadata/` whose corrected rule is there already.
    let src = policy(&(rule("secret/app/*", "list") + &rule("secret/metadata/app/*", "list")));
    let h = help(&src, "kp::kv2-path");
    assert_eq!(
        h,
        "remove this rule: the policy grants `list` at `\"secret/metadata/app/*\"` already"
    );
    // Partly granted: only the missing capability.
    let src = policy(&(rule("secret/app/*", "read, update") + &rule("secret/data/app/*", "read")));
    let h = help(&src, "kp::kv2-path");
    assert!(
        h.starts_with("add `update` to the rule on `\"secret/data/app/*\"`"),
        "{h}"
    );
    // A workload's statements alike.
    let src = format!(
        "{kv}workload w {{\n  list \"secret/app/*\"\n  list \"secret/metadata/app/*\"\n}}\n"
    );
    let h = help(&src, "kp::kv2-path");
    assert!(h.starts_with("remove this rule"), "{h}");
}

#[test]
fn vaults_cli_names_for_kv_versions_point_to_the_version_field() {
    for ty in ["kv-v2", "kv-v1", "kvv2", "kv_v2"] {
        let h = help(&format!("secrets {ty} apps {{\n}}\n"), "kp::unknown-type");
        assert!(h.contains("`secrets kv PATH { version = 2 }`"), "{ty}: {h}");
    }
    // Other unknown types keep the did-you-mean.
    let h = help("secrets kvx apps {\n}\n", "kp::unknown-type");
    assert!(h.contains("did you mean `kv`"), "{h}");
}

/// A program may declare `policy default`: the helps that list policies name it once.
#[test]
fn a_declared_default_policy_is_listed_once() {
    let src = "policy default {\n  path \"secret/data/x\" { capabilities = [read] }\n}\nauth userpass {\n  user alice {\n    password = env(\"ALICE_PW\")\n    token_policies = [zzz]\n  }\n}";
    let h = help(src, "kp::unresolved-reference");
    assert!(h.starts_with("known: `default` or `root`;"), "{h}");
}

/// The declaration a `kp::external-mount` help suggests, with `{ ... }` left empty.
fn suggested_declaration(src: &str) -> String {
    let h = help(src, "kp::external-mount");
    let decl = h
        .split('`')
        .nth(1)
        .unwrap_or_else(|| panic!("no declaration in {h}"));
    decl.replace("{ ... }", "{}")
}

#[test]
fn external_mount_helps_suggest_declarations_that_resolve() {
    let login = |mount: &str| {
        format!("workload w {{\n  login {mount} {{ bound_audiences = [\"v\"], user_claim = \"sub\" }}\n  read \"x\"\n}}\n")
    };
    for src in [
        "workload w {\n  creds team.db.reader\n}\n".to_string(),
        "workload w {\n  sign ops.ssh.hosts\n}\n".to_string(),
        "workload w {\n  role_id ci.apps.deployer\n}\n".to_string(),
        login("ci"),
        login("\"ci/gitlab\""),
    ] {
        let decl = suggested_declaration(&src);
        let (diags, _) = check_src(&format!("{decl}\n{src}"), Target::Vault);
        let broken: Vec<String> = diags
            .iter()
            .filter(|d| {
                // The mount resolves; a role the bare declaration lacks is fine.
                d.code.starts_with("kp::syntax")
                    || ["kp::external-mount", "kp::invalid-path"].contains(&d.code)
                    || d.message.contains("mount `")
            })
            .map(|d| format!("{}: {}", d.code, d.message))
            .collect();
        assert!(broken.is_empty(), "`{decl}` for\n{src}: {broken:?}");
    }
}

#[test]
fn login_and_approle_shorthands_on_the_token_method_are_errors() {
    let declared = "auth token {\n  role deployer { allowed_policies = [w] }\n}\n";
    for src in [
        format!("{declared}workload w {{\n  login token {{ allowed_policies = [w] }}\n  read \"x\"\n}}\n"),
        "workload w {\n  login token { bound_audiences = [\"v\"], user_claim = \"sub\" }\n  read \"x\"\n}\n".to_string(),
        "workload w {\n  role_id token.deployer\n}\n".to_string(),
    ] {
        let (diags, program) = check_src(&src, Target::Vault);
        let codes = common::codes_of(&diags);
        assert_eq!(codes, ["kp::wrong-mount-type"], "{src}: {diags:?}");
        assert!(program.resources.iter().all(|r| !r.id.to_string().contains("auth/token/role/")), "{src}");
    }
    let h = help(
        "workload w {\n  login token { user_claim = \"sub\" }\n  read \"x\"\n}\n",
        "kp::wrong-mount-type",
    );
    assert!(h.contains("`token NAME {"), "{h}");
    assert!(!h.contains("auth jwt token"), "{h}");
}

#[test]
fn kubernetes_namespace_help_names_only_fields_of_the_target() {
    let src = "auth kubernetes {\n  kubernetes_host = \"https://10.0.0.1:443\"\n  kubernetes_ca_cert = \"pem\"\n  role pod {\n    bound_service_account_names = [\"pod\"]\n  }\n}\n";
    for (target, selector) in [(Target::Vault, false), (Target::Openbao, true)] {
        let (diags, _) = check_src(src, target);
        let d = diags
            .iter()
            .find(|d| d.code == "kp::missing-field")
            .expect("missing-field");
        let h = d.help.clone().unwrap_or_default();
        assert_eq!(
            h.contains("namespace_selector"),
            selector,
            "{target:?}: {h}"
        );
        assert!(h.contains("`bound_service_account_namespaces"), "{h}");
    }
}

/// `algorithm_signer`'s schema enum holds `""`; the help lists only values one writes.
#[test]
fn allowed_values_leave_out_the_empty_one() {
    let h = help(
        "secrets ssh {\n  role r {\n    key_type = \"ca\"\n    allow_user_certificates = true\n    default_user = \"u\"\n    allowed_users = [\"u\"]\n    algorithm_signer = \"md5\"\n  }\n}\n",
        "kp::invalid-value",
    );
    assert!(h.contains("`rsa-sha2-256`"), "{h}");
    assert!(!h.contains("``"), "{h}");
}

/// A second mount at a path: a help, and the first mount pointed at by its path as the
/// second is (not by its whole header).
#[test]
fn duplicate_mount_points_path_to_path_with_a_help() {
    let src = "auth approle {}\nauth approle {}\n";
    let d = diag(src, "kp::duplicate");
    assert!(
        d.help.as_deref().unwrap_or("").contains("another path"),
        "{d:?}"
    );
    let first = d.related.first().expect("related").span;
    assert_eq!(first.end - first.start, d.span.end - d.span.start, "{d:?}");
}

#[test]
fn credentials_in_url_help_keeps_the_password_the_connection_reads() {
    let src = "secrets database {
  connection reports {
    plugin_name    = \"mysql-database-plugin\"
    connection_url = \"tcp(db:3306)/reports?user=admin&password=in-the-url\"
    username       = \"admin\"
    password       = env(\"REPORTS_ROOT\")
    allowed_roles  = []
    rotate_root    = true
  }
}";
    let text = help(src, "kp::credentials-in-url");
    assert!(text.contains("reads from `REPORTS_ROOT`"), "{text}");
    assert!(!text.contains("and set `username`"), "{text}");
    assert!(!text.contains("in-the-url"), "{text}");
}

#[test]
fn creds_on_another_engine_points_to_that_engines_paths() {
    let src = "secrets pki {}
secrets kv secret {
  version = 2
}
workload w {
  creds pki.web
  creds secret.app
}";
    let (diags, _) = check_src(src, Target::Vault);
    let helps: Vec<_> = diags
        .iter()
        .filter(|d| d.code == "kp::wrong-mount-type")
        .map(|d| d.help.clone().unwrap_or_default())
        .collect();
    assert_eq!(helps.len(), 2, "{diags:?}");
    assert!(
        helps[0].contains("`update \"pki/issue/web\"`"),
        "{}",
        helps[0]
    );
    assert!(
        helps[1].contains("`read \"secret/data/app\"`"),
        "{}",
        helps[1]
    );
}

#[test]
fn negative_counts_and_durations_say_what_to_write() {
    let src = "auth approle {
  role builder {
    token_policies     = [default]
    secret_id_num_uses = -1
    token_ttl          = -5
  }
}";
    let (diags, _) = check_src(src, Target::Vault);
    let help_of = |field: &str| {
        diags
            .iter()
            .find(|d| d.message.contains(field) && d.message.contains("negative"))
            .and_then(|d| d.help.clone())
            .unwrap_or_default()
    };
    assert!(
        help_of("secret_id_num_uses").contains("`secret_id_num_uses = 0` for no limit"),
        "{diags:?}"
    );
    assert!(
        help_of("token_ttl").contains("`token_ttl = 1h`"),
        "{diags:?}"
    );
}

/// Every diagnostic the language suite's programs raise has a help saying what to do
/// (QA 3: duplicates, a deprecated field without a successor, an invalid mount path, an
/// empty policy path and a shorthand on a mount of the wrong type had none).
#[test]
fn every_diagnostic_of_the_language_suite_has_a_help() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests");
    let mut without = Vec::new();
    let mut programs = 0;
    for entry in std::fs::read_dir(&dir).unwrap().flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "kp") {
            continue;
        }
        let src = std::fs::read_to_string(&path).unwrap();
        programs += 1;
        for target in [Target::Vault, Target::Openbao] {
            let (diags, _) = check_src(&src, target);
            for d in diags
                .iter()
                .filter(|d| d.help.as_deref().unwrap_or("").is_empty())
            {
                without.push(format!("{}: {} {}", path.display(), d.code, d.message));
            }
        }
    }
    assert!(programs > 100, "{programs} programs");
    without.sort();
    without.dedup();
    assert!(without.is_empty(), "{}", without.join("\n"));
}

#[test]
fn a_misspelt_login_method_is_one_error_naming_the_mounts_of_that_method() {
    let login = |mounts: &str, name: &str| {
        format!("{mounts}workload w {{\n  login {name} {{\n    role_type = \"jwt\"\n  }}\n  read \"secret/data/x\"\n}}\n")
    };
    let k8s = "auth kubernetes k8s {\n  kubernetes_host = \"https://k\"\n}\n";
    let (diags, _) = check_src(&login(k8s, "kubernete"), Target::Vault);
    let errors: Vec<&Diagnostic> = diags.iter().filter(|d| d.is_error()).collect();
    assert_eq!(errors.len(), 1, "{diags:#?}");
    assert_eq!(errors[0].code, "kp::unresolved-reference");
    let h = errors[0].help.clone().unwrap_or_default();
    assert!(
        h.contains("`auth kubernetes kubernetes") && h.contains("`k8s`"),
        "{h}"
    );
    // No mount of that method: declare one.
    let h = help(&login("", "approel"), "kp::unresolved-reference");
    assert!(h.contains("`auth approle approle { ... }`"), "{h}");
    // A path that only adds to a method's name is a mount managed elsewhere.
    let (diags, _) = check_src(&login("", "jwt2"), Target::Vault);
    assert!(
        diags.iter().all(|d| d.code != "kp::unresolved-reference"),
        "{diags:#?}"
    );
    assert!(
        diags.iter().any(|d| d.code == "kp::external-mount"),
        "{diags:#?}"
    );
}

#[test]
fn an_approle_shorthand_on_another_mount_names_the_declared_approle_mount() {
    let src = "auth jwt ci {\n  jwks_url = \"https://x\"\n}\nauth approle ar {\n  role orch {\n    token_policies = [\"default\"]\n  }\n}\nworkload w {\n  role_id ci.orch\n}\n";
    let h = help(src, "kp::wrong-mount-type");
    assert!(h.contains("`role_id ar.orch`"), "{h}");
}

#[test]
fn a_variable_does_not_repeat_the_mount_in_its_field() {
    // QA: `oidc_client_secret` on `auth oidc` suggested `OIDC_OIDC_CLIENT_SECRET`.
    let src = "auth oidc {
  oidc_discovery_url = \"https://id.example.com\"
  oidc_client_id     = \"keyplan\"
  oidc_client_secret = \"literal-client-secret\"
}";
    assert_eq!(
        suggested_envs(src),
        vec![(
            "kp::literal-secret".to_string(),
            "OIDC_CLIENT_SECRET".to_string()
        )]
    );
}

#[test]
fn qa_help_texts_name_the_fix() {
    // A boolean written as a word: the two values it may be.
    let h = help(
        "auth token {\n  role r {\n    renewable = yes\n  }\n}",
        "kp::type-mismatch",
    );
    assert_eq!(h, "write `true` or `false`");
    // A capability written after the path: a statement of its own, not a quoted path.
    let h = help(
        "auth approle {}\nworkload w {\n  login approle { secret_id_ttl = 10m }\n  read \"a/*\" deny\n}",
        "kp::type-mismatch",
    );
    assert_eq!(h, "`deny` is a statement of its own: `deny \"PATH\"`");
    // A second login: nothing to rename.
    let h = help(
        "auth approle {}\nworkload w {\n  login approle { secret_id_ttl = 10m }\n  login approle { secret_id_ttl = 20m }\n  read \"a/*\"\n}",
        "kp::duplicate",
    );
    assert!(
        h.contains("give the other its own workload") && !h.contains("rename"),
        "{h}"
    );
}

#[test]
fn qa_mount_and_login_texts() {
    // A shorthand naming an auth method: "not declared" would contradict the snippet.
    let d = diag(
        "auth approle {}\nworkload w {\n  login approle { secret_id_ttl = 10m }\n  creds approle.builder\n}",
        "kp::external-mount",
    );
    assert_eq!(
        d.message,
        "secrets engine `approle` is not declared in this program"
    );
    // A statement inside the login block: move it out.
    let h = help(
        "auth approle {}\nworkload w {\n  login approle {\n    read \"x/*\"\n  }\n}",
        "kp::unexpected-statement",
    );
    assert!(h.contains("move this line out of `login { ... }`"), "{h}");
    // A shorthand without its argument: its own form, not `creds = value`.
    let h = help("workload w {\n  creds\n}", "kp::syntax::missing-value");
    assert_eq!(h, "a workload writes `creds MOUNT.ROLE`");
}

#[test]
fn qa_database_texts() {
    let src = |password: &str, role: &str| {
        format!(
            "secrets database {{\n  connection pg {{\n    plugin_name    = \"postgres\"\n    connection_url = \"postgresql://{{{{username}}}}:{{{{password}}}}@db:5432/app\"\n    username       = \"vault\"\n    password       = {password}\n    rotate_root    = true\n    allowed_roles  = [app]\n  }}\n  role app {{\n{role}  }}\n}}"
        )
    };
    // An invalid variable name: the name meant, and no cascade from `rotate_root`.
    let (diags, _) = common::check_src(
        &src("env(\"PG-PASSWORD\")", "    db_name = pg\n"),
        Target::Vault,
    );
    let d = diags
        .iter()
        .find(|d| d.code == "kp::invalid-value")
        .unwrap();
    assert!(
        d.help
            .as_deref()
            .unwrap()
            .ends_with("`env(\"PG_PASSWORD\")`"),
        "{d:?}"
    );
    assert!(
        !diags
            .iter()
            .any(|d| d.code == "kp::rotate-root-needs-credentials"),
        "{diags:?}"
    );
    // The mount's one connection, as a name.
    let h = help(&src("env(\"PG_PASSWORD\")", ""), "kp::missing-field");
    assert_eq!(h, "add `db_name = pg`");
    // The plugin's name and its likely built-in, without stacked parentheses.
    let h = help(
        &src("env(\"PG_PASSWORD\")", "    db_name = pg\n"),
        "kp::missing-field",
    );
    assert!(
        h.starts_with("the server stores the role, but the plugin of connection `pg`, `postgres` (likely `postgresql-database-plugin`), has no default statements"),
        "{h}"
    );
}

#[test]
fn a_quoted_mount_role_reference_is_respelt_as_the_reference() {
    let src = "secrets ssh \"ssh/prod\" {\n  role r {\n    key_type = \"ca\"\n  }\n}\nworkload w {\n  login approle { secret_id_ttl = 60 }\n  sign \"ssh/prod.r\"\n}";
    let h = help(src, "kp::type-mismatch");
    assert!(h.contains("`sign ssh.prod.r`"), "{h}");
    // A path is not a reference: the usual example.
    let h = help(
        &src.replace("\"ssh/prod.r\"", "\"ssh/sign/r\""),
        "kp::type-mismatch",
    );
    assert_eq!(h, "write `sign ssh.training-environment`");
    let h = help(
        &src.replace("\"ssh/prod.r\"", "\"ssh.r\""),
        "kp::type-mismatch",
    );
    assert_eq!(h, "write `sign ssh.r` without quotes");
}

/// `creds db.pg`, where `pg` is the mount's connection: the help says so and names the
/// roles, with or without any.
#[test]
fn a_connection_named_where_a_role_belongs() {
    let program = |roles: &str| {
        format!(
            r#"secrets database db {{
  connection pg {{
    plugin_name    = "postgresql-database-plugin"
    connection_url = "postgresql://{{{{username}}}}:{{{{password}}}}@127.0.0.1:5432/app"
    username       = "vault"
    password       = env("PG_PASSWORD")
    allowed_roles  = ["*"]
    rotate_root    = true
  }}
{roles}}}
auth approle {{}}
workload w {{
  login approle {{
    secret_id_ttl = 10m
  }}
  creds db.pg
}}"#
        )
    };
    let ro = r#"  role ro {
    db_name             = "pg"
    creation_statements = ["CREATE ROLE \"{{name}}\";"]
  }
"#;
    let h = help(&program(ro), "kp::unresolved-reference");
    assert_eq!(h, "`pg` is a connection, not a role: name one of `ro`");
    let h = help(&program(""), "kp::unresolved-reference");
    assert!(
        h.starts_with("`pg` is a connection, and `secrets database db` has no roles: "),
        "{h}"
    );
}

/// `bind_secret_id = false` is accepted by the server beside either CIDR binding: the
/// help names both.
#[test]
fn approle_without_secret_id_names_both_cidr_bindings() {
    let h = help(
        "auth approle {\n  role r {\n    bind_secret_id = false\n  }\n}",
        "kp::approle-no-constraint",
    );
    assert!(
        h.contains("`secret_id_bound_cidrs`") && h.contains("`token_bound_cidrs`"),
        "{h}"
    );
}

/// A policy both allowed and disallowed by a token role: disallowed wins on the server.
#[test]
fn token_role_allowing_and_disallowing_a_policy_says_disallowed_wins() {
    let src = "extern policy a\nextern policy b\nauth token {\n  role r {\n    allowed_policies = [a, b]\n    disallowed_policies = [b]\n  }\n}";
    let d = diag(src, "kp::policy-not-allowed");
    assert_eq!(
        d.message,
        "token role `r` both allows and disallows policy `b`"
    );
    assert_eq!(d.label, "never granted: the disallowed list wins");
}

/// A period in a message is a duration as the program writes one (`1h`), as in the
/// login roles' message, not a count of seconds.
#[test]
fn ttl_overridden_by_period_writes_the_period_as_a_duration() {
    let src = "extern policy p\nauth token {\n  role r {\n    allowed_policies = [p]\n    token_period = 1h\n  }\n}\ntoken t {\n  role = r\n  ttl = 15m\n}\ntoken u {\n  role = r\n  period = 30m\n  ttl = 15m\n}";
    let (diags, _) = check_src(src, Target::Vault);
    let messages: Vec<&str> = diags
        .iter()
        .filter(|d| d.code == "kp::ttl-overridden-by-period")
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(
        messages,
        [
            "`ttl` is ignored: tokens of periodic token role `r` live for its period (1h)",
            "`ttl` is ignored: a periodic token lives for its period (30m)",
        ]
    );
}

/// `token_type`'s values differ between auth roles and token roles: the one written for
/// the other kind gets the one meaning the same (deferring to the mount's type).
#[test]
fn a_token_type_of_the_other_kind_of_role_suggests_its_counterpart() {
    let auth = "auth approle {\n  role a {\n    token_type = \"default-service\"\n  }\n}";
    let h = help(auth, "kp::invalid-value");
    assert!(h.starts_with("did you mean `default`?"), "{h}");
    let token = "auth token {\n  role r {\n    token_type = \"default\"\n  }\n}";
    let h = help(token, "kp::invalid-value");
    assert!(h.starts_with("did you mean `default-service`?"), "{h}");
}
