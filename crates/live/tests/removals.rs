//! Removals on one real OpenBao: what a program stops declaring is deleted when the
//! previous version is given (`--previous git:HEAD`, read from a real repository made
//! here): a policy, an AppRole role, a database connection and its role, a token role, a
//! token (revoked through its recorded accessor) and a KV mount, which is kept unless
//! `--allow-destroy` is given. Then `--prune` inside an `owns policies` scope and an
//! `owns token-roles` scope, and a saved plan that carries its deletions.

// Helpers outside #[test] functions fail the test with their message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use kp_live::{Format, LiveArgs};
use serde_json::{json, Value as Json};

const DB_PASSWORD: &str = "removals-db-pw-5e1c";

/// The program's main file; `old` adds what the second version drops.
fn main_kp(old: bool) -> String {
    let pick = |s: &str| if old { s.to_string() } else { String::new() };
    format!(
        r#"policy a {{
  path "secret/data/a/*" {{
    capabilities = [read]
  }}
}}
{policy_b}
auth approle {{
  role builder {{
    token_policies = [a]
  }}
{deployer}}}

secrets database {{
  connection app {{
    plugin_name       = "postgresql-database-plugin"
    connection_url    = "postgresql://{{{{username}}}}:{{{{password}}}}@127.0.0.1:1/app"
    username          = "vault"
    password          = env("KP_TEST_DB_PASSWORD")
    verify_connection = false
    allowed_roles     = [reader]
  }}
  role reader {{
    db_name             = app
    creation_statements = ["CREATE ROLE \"{{{{name}}}}\""]
  }}
{old_db}}}

auth token {{
  role ci-role {{
    allowed_policies = [a]
    orphan           = true
    token_period     = 1h
  }}
{old_role}}}

token ci-token {{
  role     = ci-role
  policies = [a]
}}
{kv}"#,
        policy_b = pick(
            "\npolicy b {\n  path \"secret/data/b/*\" {\n    capabilities = [read]\n  }\n}\n"
        ),
        deployer = pick("  role deployer {\n    token_policies = [b]\n  }\n"),
        old_db = pick(
            "  connection legacy {\n    plugin_name       = \"postgresql-database-plugin\"\n    connection_url    = \"postgresql://{{username}}:{{password}}@127.0.0.1:1/legacy\"\n    username          = \"vault\"\n    password          = env(\"KP_TEST_DB_PASSWORD\")\n    verify_connection = false\n    allowed_roles     = [legacy-reader]\n  }\n  role legacy-reader {\n    db_name             = legacy\n    creation_statements = [\"CREATE ROLE \\\"{{name}}\\\"\"]\n  }\n"
        ),
        old_role = pick(
            "  role old-role {\n    allowed_policies = [b]\n    orphan           = true\n    token_period     = 1h\n  }\n"
        ),
        kv = pick("\nsecrets kv {\n  version = 2\n}\n"),
    )
}

/// A second file of the first version, deleted in the second: its token goes too.
const OLD_TOKEN_KP: &str = "token old-token {\n  role     = old-role\n  policies = [b]\n}\n";

fn args(bao: &Bao, dir: &Path, tokens: &Path) -> LiveArgs {
    LiveArgs {
        token_out: Some(tokens.to_path_buf()),
        ..live_args(bao, &[dir])
    }
}

fn plan(args: &LiveArgs, out: Option<PathBuf>) -> Run {
    run_plan_to(args, out)
}

fn apply(args: &LiveArgs, prune: bool, allow_destroy: bool) -> Run {
    run_apply_destroying(args, true, prune, allow_destroy, None)
}

fn git(repo: &Path, args: &[&str]) {
    let out = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args([
            "-c",
            "user.name=keyplan",
            "-c",
            "user.email=keyplan@example.com",
        ])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn exists(bao: &Bao, path: &str) -> bool {
    bao.client().read(path).unwrap().is_some()
}

fn mounted(bao: &Bao, table: &str, path: &str) -> bool {
    bao.data(table).get(format!("{path}/")).is_some()
}

/// Everything the first version wrote and the second drops, as (what, exists?).
fn dropped_state(bao: &Bao, accessor: &str) -> Vec<(&'static str, bool)> {
    let token_alive = bao
        .client()
        .write(
            "auth/token/lookup-accessor",
            &json!({ "accessor": accessor }),
            kp_live::client::Retry::Idempotent,
        )
        .is_ok();
    vec![
        ("policy b", exists(bao, "sys/policies/acl/b")),
        ("approle role", exists(bao, "auth/approle/role/deployer")),
        ("connection", exists(bao, "database/config/legacy")),
        ("db role", exists(bao, "database/roles/legacy-reader")),
        ("token role", exists(bao, "auth/token/roles/old-role")),
        ("token", token_alive),
        ("kv mount", mounted(bao, "sys/mounts", "kv")),
    ]
}

fn all(state: &[(&'static str, bool)], want: bool) -> bool {
    state.iter().all(|(_, e)| *e == want)
}

/// The plan's text without the server's address, for a golden.
fn golden_text(run: &Run, addr: &str) -> String {
    run.stdout.replace(addr, "ADDR")
}

/// Writes the first version (two files, committed) and applies it.
fn first_version(bao: &Bao, repo: &Path, a: &LiveArgs) -> String {
    let prog = repo.join("prog");
    std::fs::write(prog.join("main.kp"), main_kp(true)).unwrap();
    std::fs::write(prog.join("old.kp"), OLD_TOKEN_KP).unwrap();
    git(repo, &["add", "-A"]);
    git(
        repo,
        &["commit", "-q", "--allow-empty", "-m", "first version"],
    );
    let mut fresh = a.clone();
    fresh.previous = None;
    let applied = apply(&fresh, false, false);
    assert_eq!(applied.code, 0, "{}{}", applied.stdout, applied.stderr);
    let accessor =
        std::fs::read_to_string(a.token_out.as_ref().unwrap().join("old-token.accessor"))
            .unwrap()
            .trim()
            .to_string();
    assert!(all(&dropped_state(bao, &accessor), true));
    accessor
}

/// The second version in the work tree: `old.kp` deleted, `main.kp` without the rest.
fn second_version(repo: &Path) {
    let prog = repo.join("prog");
    std::fs::remove_file(prog.join("old.kp")).unwrap();
    std::fs::write(prog.join("main.kp"), main_kp(false)).unwrap();
}

#[test]
fn removed_resources_are_deleted_mounts_only_with_allow_destroy() {
    if live().is_none() {
        return;
    }
    std::env::set_var("KP_TEST_DB_PASSWORD", DB_PASSWORD);
    let bao = Bao::dev();
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    std::fs::create_dir_all(repo.join("prog")).unwrap();
    git(&repo, &["init", "-q"]);
    let tokens = dir.path().join("tokens");
    let mut a = args(&bao, &repo.join("prog"), &tokens);
    a.previous = Some("git:HEAD".to_string());

    // -- the issue's scenario ---------------------------------------------------------
    let accessor = first_version(&bao, &repo, &a);
    second_version(&repo);

    // Without `--previous` the server "matches": the drift the issue is about.
    let mut blind = a.clone();
    blind.previous = None;
    assert_eq!(plan(&blind, None).code, 0);

    let shown = plan(&a, None);
    assert_eq!(shown.code, 2, "{}{}", shown.stdout, shown.stderr);
    insta::assert_snapshot!("plan_text_with_deletions", golden_text(&shown, &bao.addr));
    let mut as_json = a.clone();
    as_json.format = Format::Json;
    let shown = plan(&as_json, None);
    assert_eq!(shown.code, 2);
    let doc: Json = serde_json::from_str(&shown.stdout).unwrap();
    assert_valid(&validator("plan.schema.json"), &doc, "plan --format json");
    insta::assert_snapshot!("plan_json_with_deletions", golden_text(&shown, &bao.addr));

    // The mount is refused without `--allow-destroy`, before any call: nothing partial.
    let refused = apply(&a, false, false);
    assert_eq!(refused.code, 1, "{}{}", refused.stdout, refused.stderr);
    assert!(
        refused.stderr.contains("`sys/mounts/kv`")
            && refused.stderr.contains("key/value secrets")
            && refused.stderr.contains("--allow-destroy"),
        "{}",
        refused.stderr
    );
    assert!(
        all(&dropped_state(&bao, &accessor), true),
        "nothing deleted"
    );

    // With it, everything goes, the token revoked and its files removed; then clean.
    let applied = apply(&a, false, true);
    assert_eq!(applied.code, 0, "{}{}", applied.stdout, applied.stderr);
    assert!(
        applied.stdout.contains("deleted sys/mounts/kv"),
        "{}",
        applied.stdout
    );
    let left = dropped_state(&bao, &accessor);
    assert!(all(&left, false), "still on the server: {left:?}");
    assert!(!tokens.join("old-token").exists() && !tokens.join("old-token.accessor").exists());
    assert!(exists(&bao, "sys/policies/acl/a") && exists(&bao, "auth/token/roles/ci-role"));
    let clean = plan(&a, None);
    assert_eq!(clean.code, 0, "{}{}", clean.stdout, clean.stderr);
    assert!(clean.stdout.contains("0 to delete"), "{}", clean.stdout);

    // -- a saved plan carries its deletions -------------------------------------------
    git(&repo, &["checkout", "-q", "--", "."]);
    let accessor = first_version(&bao, &repo, &a);
    second_version(&repo);
    let saved_path = dir.path().join("plan.json");
    let saved = plan(&a, Some(saved_path.clone()));
    assert_eq!(saved.code, 2, "{}{}", saved.stdout, saved.stderr);
    let text = std::fs::read_to_string(&saved_path).unwrap();
    assert!(!text.contains(DB_PASSWORD));
    let doc: Json = serde_json::from_str(&text).unwrap();
    assert_valid(&validator("saved-plan.schema.json"), &doc, "the saved plan");
    let calls = doc["calls"].as_array().unwrap();
    let deletes: Vec<&str> = calls
        .iter()
        .filter(|c| c["action"] == "delete")
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(deletes.len(), 7, "{deletes:?}");
    let token_call = calls.iter().find(|c| c["id"] == "token/old-token").unwrap();
    assert_eq!(token_call["path"], "auth/token/revoke-accessor");
    assert_eq!(token_call["body"], json!({ "accessor": accessor }));
    let mut from_file = a.clone();
    from_file.files = vec![saved_path.clone()];
    from_file.previous = None;
    let refused = apply(&from_file, false, false);
    assert_eq!(refused.code, 1, "{}{}", refused.stdout, refused.stderr);
    assert!(
        refused.stderr.contains("`sys/mounts/kv`"),
        "{}",
        refused.stderr
    );
    assert!(
        all(&dropped_state(&bao, &accessor), true),
        "nothing deleted"
    );
    let applied = apply(&from_file, false, true);
    assert_eq!(applied.code, 0, "{}{}", applied.stdout, applied.stderr);
    let left = dropped_state(&bao, &accessor);
    assert!(all(&left, false), "still on the server: {left:?}");
    assert_eq!(plan(&a, None).code, 0);

    // -- `--prune` inside an `owns policies` scope ------------------------------------
    let client = bao.client();
    for name in ["team-stray", "team-shared", "outside"] {
        client
            .write(
                &format!("sys/policies/acl/{name}"),
                &json!({"policy": "path \"secret/x\" { capabilities = [\"read\"] }"}),
                kp_live::client::Retry::Idempotent,
            )
            .unwrap();
    }
    let prog = repo.join("prog");
    std::fs::write(
        prog.join("owns.kp"),
        "owns policies \"team-*\" \"*\"\nextern policy team-shared\n\npolicy team-kept {\n  path \"secret/data/kept/*\" {\n    capabilities = [read]\n  }\n}\n",
    )
    .unwrap();
    let mut scoped = a.clone();
    scoped.previous = None;
    let shown = plan(&scoped, None);
    assert_eq!(shown.code, 2, "{}{}", shown.stdout, shown.stderr);
    for line in [
        "? sys/policies/acl/team-stray",
        "? sys/policies/acl/outside",
        "+ sys/policies/acl/team-kept",
    ] {
        assert!(shown.stdout.contains(line), "{line}:\n{}", shown.stdout);
    }
    for never in ["acl/default", "acl/root", "acl/team-shared"] {
        assert!(!shown.stdout.contains(never), "{never}:\n{}", shown.stdout);
    }
    // The same scope without `*`: `outside` is out of it.
    std::fs::write(
        prog.join("owns.kp"),
        "owns policies \"team-*\"\nextern policy team-shared\n\npolicy team-kept {\n  path \"secret/data/kept/*\" {\n    capabilities = [read]\n  }\n}\n",
    )
    .unwrap();
    let pruned = apply(&scoped, true, false);
    assert_eq!(pruned.code, 0, "{}{}", pruned.stdout, pruned.stderr);
    assert!(!exists(&bao, "sys/policies/acl/team-stray"));
    for kept in ["team-shared", "outside", "default", "team-kept", "a"] {
        assert!(
            exists(&bao, &format!("sys/policies/acl/{kept}")),
            "{kept} was deleted"
        );
    }
    assert_eq!(plan(&scoped, None).code, 0);

    // -- `--prune` inside an `owns token-roles` scope ---------------------------------
    // The token method is shared: without the scope its roles are never pruned, and the
    // plan says how to scope them.
    for name in ["ci-stray", "Ci-Upper", "other-team"] {
        client
            .write(
                &format!("auth/token/roles/{name}"),
                &json!({"allowed_policies": "a"}),
                kp_live::client::Retry::Idempotent,
            )
            .unwrap();
    }
    let unscoped = plan(&scoped, None);
    assert_eq!(unscoped.code, 0, "{}{}", unscoped.stdout, unscoped.stderr);
    let said = format!("{}{}", unscoped.stdout, unscoped.stderr);
    assert!(said.contains("`owns token-roles"), "{said}");
    std::fs::write(
        prog.join("owns.kp"),
        "owns policies \"team-*\"\nowns token-roles \"ci-*\"\nextern policy team-shared\n\npolicy team-kept {\n  path \"secret/data/kept/*\" {\n    capabilities = [read]\n  }\n}\n",
    )
    .unwrap();
    // Only a role not declared: nothing to change (exit 0) until `--prune`.
    let shown = plan(&scoped, None);
    assert_eq!(shown.code, 0, "{}{}", shown.stdout, shown.stderr);
    assert!(
        shown.stdout.contains("? auth/token/roles/ci-stray"),
        "{}",
        shown.stdout
    );
    // Declared, out of the pattern, or of another case: never pruned.
    for kept in ["ci-role", "other-team", "Ci-Upper"] {
        let line = format!("? auth/token/roles/{kept}");
        assert!(!shown.stdout.contains(&line), "{line}:\n{}", shown.stdout);
    }
    let said = format!("{}{}", shown.stdout, shown.stderr);
    assert!(!said.contains("`owns token-roles"), "{said}");
    let pruned = apply(&scoped, true, false);
    assert_eq!(pruned.code, 0, "{}{}", pruned.stdout, pruned.stderr);
    assert!(!exists(&bao, "auth/token/roles/ci-stray"));
    for kept in ["ci-role", "other-team", "Ci-Upper"] {
        assert!(
            exists(&bao, &format!("auth/token/roles/{kept}")),
            "{kept} was deleted"
        );
    }
    assert_eq!(plan(&scoped, None).code, 0);
}

/// A token role and token `build-token` applied with `--token-out`: the arguments of the
/// program without the token against the applied one as `--previous` (no
/// `--token-out`), and the token directory.
fn token_applied(bao: &Bao, dir: &Path) -> (LiveArgs, PathBuf) {
    let program = "extern policy my-policy\n\nauth token {\n  role ci-role {\n    allowed_policies = [my-policy]\n    orphan           = true\n  }\n}\n";
    let token = "\ntoken build-token {\n  role     = ci-role\n  policies = [my-policy]\n}\n";
    let old = write_program(dir, "old.kp", &format!("{program}{token}"));
    let tokens = dir.join("tokens");
    let mut first = live_args(bao, &[&old]);
    first.token_out = Some(tokens.clone());
    let applied = run_apply(&first, true, false, None);
    assert_eq!(applied.code, 0, "{}{}", applied.stdout, applied.stderr);
    let new = write_program(dir, "new.kp", program);
    let mut dropped = live_args(bao, &[&new]);
    dropped.previous = Some(old.display().to_string());
    (dropped, tokens)
}

/// A token dropped from the program can be revoked only through the accessor recorded
/// under `--token-out` when it was created. Planned without it (the CI workflow's pull
/// request step, or a runner whose token directory is gone), the token is neither a
/// deletion nor silently "matching": plan and apply name it in a note, and say how to
/// revoke it. Nothing is deleted, and the token is left alive.
#[test]
fn a_dropped_token_without_its_accessor_is_named_not_ignored() {
    if live().is_none() {
        return;
    }
    let bao = Bao::dev();
    let dir = tempfile::tempdir().unwrap();
    let (dropped, tokens) = token_applied(&bao, dir.path());
    let accessor = std::fs::read_to_string(tokens.join("build-token.accessor")).unwrap();

    let elsewhere = dir.path().join("empty-tokens");
    for token_out in [None, Some(elsewhere)] {
        let mut a = dropped.clone();
        a.token_out = token_out.clone();
        let shown = run_plan(&a);
        assert_eq!(shown.code, 0, "{}{}", shown.stdout, shown.stderr);
        assert!(
            shown.stdout.contains("note: token `build-token`")
                && shown.stdout.contains("not revoked")
                && shown.stdout.contains("--token-out"),
            "{token_out:?}: {}",
            shown.stdout
        );
        // The JSON plan carries the note's names, and matches its schema.
        let mut as_json = a.clone();
        as_json.format = Format::Json;
        let shown = run_plan(&as_json);
        assert_eq!(shown.code, 0, "{}{}", shown.stdout, shown.stderr);
        let doc: Json = serde_json::from_str(&shown.stdout).unwrap();
        assert_valid(&validator("plan.schema.json"), &doc, "plan --format json");
        assert_eq!(doc["unrevoked_tokens"], json!(["build-token"]), "{doc}");
        let applied = run_apply(&a, true, false, None);
        assert_eq!(applied.code, 0, "{}{}", applied.stdout, applied.stderr);
        assert!(
            applied.stdout.contains("note: token `build-token`"),
            "{token_out:?}: {}",
            applied.stdout
        );
    }
    let alive = bao.client().write(
        "auth/token/lookup-accessor",
        &json!({ "accessor": accessor.trim() }),
        kp_live::client::Retry::Idempotent,
    );
    assert!(alive.is_ok(), "the token was revoked: {alive:?}");

    // With the directory it was created with, it is a deletion, and no note.
    let mut a = dropped;
    a.token_out = Some(tokens);
    let shown = run_plan(&a);
    assert_eq!(shown.code, 2, "{}{}", shown.stdout, shown.stderr);
    assert!(
        shown.stdout.contains("- token/build-token (delete)")
            && !shown.stdout.contains("note: token"),
        "{}",
        shown.stdout
    );
    let mut as_json = a.clone();
    as_json.format = Format::Json;
    let doc: Json = serde_json::from_str(&run_plan(&as_json).stdout).unwrap();
    assert_valid(&validator("plan.schema.json"), &doc, "plan --format json");
    assert!(doc.get("unrevoked_tokens").is_none(), "{doc}");
}

/// The CI workflow: the pull request's plan is saved without the token directory (only
/// the runner that applies has it), so it cannot find a token the program dropped. The
/// saved plan still carries the revocation, by name: `apply PLAN.json --token-out DIR`
/// finds the token through the accessor recorded there and revokes it, as a direct
/// `apply --previous` would. Applied without that directory, it names the token in a note
/// and revokes nothing. The file holds neither the token nor its accessor.
#[test]
fn a_saved_plan_revokes_a_dropped_token_through_applys_token_out() {
    if live().is_none() {
        return;
    }
    let bao = Bao::dev();
    let dir = tempfile::tempdir().unwrap();
    let (dropped, tokens) = token_applied(&bao, dir.path());
    let accessor = std::fs::read_to_string(tokens.join("build-token.accessor"))
        .unwrap()
        .trim()
        .to_string();
    let secret = std::fs::read_to_string(tokens.join("build-token"))
        .unwrap()
        .trim()
        .to_string();
    let alive = || {
        bao.client()
            .write(
                "auth/token/lookup-accessor",
                &json!({ "accessor": accessor }),
                kp_live::client::Retry::Idempotent,
            )
            .is_ok()
    };
    assert!(alive());

    // The pull request's plan: no token directory.
    let pr = dropped;
    let saved_path = dir.path().join("plan.json");
    let shown = run_plan_to(&pr, Some(saved_path.clone()));
    // 2: the saved plan has a change to apply, the revocation.
    assert_eq!(shown.code, 2, "{}{}", shown.stdout, shown.stderr);
    let saved_note = format!(
        "note: the saved plan `{}` revokes it when applied with the `--token-out` directory",
        saved_path.display()
    );
    assert!(
        shown.stdout.contains("note: token `build-token`") && shown.stdout.contains(&saved_note),
        "{}",
        shown.stdout
    );
    let text = std::fs::read_to_string(&saved_path).unwrap();
    assert!(
        !text.contains(&accessor) && !text.contains(&secret),
        "{text}"
    );
    let doc: Json = serde_json::from_str(&text).unwrap();
    assert_valid(&validator("saved-plan.schema.json"), &doc, "the saved plan");
    assert_eq!(doc["revoke_tokens"], json!(["build-token"]), "{doc}");
    assert_eq!(doc["calls"], json!([]), "{doc}");

    // Applied without the directory: nothing to revoke it with, said so; still alive.
    let mut blind = live_args(&bao, &[&saved_path]);
    blind.token_out = None;
    let applied = run_apply(&blind, true, false, None);
    assert_eq!(applied.code, 0, "{}{}", applied.stdout, applied.stderr);
    assert!(
        applied.stdout.contains("note: token `build-token`")
            && applied.stdout.contains("not revoked"),
        "{}",
        applied.stdout
    );
    assert!(alive(), "revoked without its accessor");

    // Applied with it, after review at a prompt: the plan shows the revocation, apply
    // makes it and removes the token's files; nothing secret is printed.
    let mut merged = live_args(&bao, &[&saved_path]);
    merged.token_out = Some(tokens.clone());
    let applied = run_apply(&merged, false, false, Some("yes\n"));
    assert_eq!(applied.code, 0, "{}{}", applied.stdout, applied.stderr);
    assert!(
        applied.stderr.contains("- token/build-token (delete)")
            && !applied.stderr.contains("note: token"),
        "{}",
        applied.stderr
    );
    assert!(
        applied.stdout.contains("deleted token/build-token"),
        "{}",
        applied.stdout
    );
    for out in [&applied.stdout, &applied.stderr] {
        assert!(!out.contains(&secret) && !out.contains(&accessor), "{out}");
    }
    assert!(!alive(), "the token was not revoked");
    assert!(!tokens.join("build-token").exists() && !tokens.join("build-token.accessor").exists());
}

/// A plan saved with `--token-out` found a dropped token through its recorded accessor
/// and plans its revocation. Applied without that directory, the token cannot be found:
/// apply says to pass the directory, not that the server changed, and revokes nothing.
#[test]
fn a_saved_plan_made_with_token_out_asks_for_it_when_applied() {
    if live().is_none() {
        return;
    }
    let bao = Bao::dev();
    let dir = tempfile::tempdir().unwrap();
    let (mut planned, tokens) = token_applied(&bao, dir.path());
    planned.token_out = Some(tokens.clone());
    let saved_path = dir.path().join("plan.json");
    let shown = run_plan_to(&planned, Some(saved_path.clone()));
    // 2: changes to apply (the revocation).
    assert_eq!(shown.code, 2, "{}{}", shown.stdout, shown.stderr);

    let mut blind = live_args(&bao, &[&saved_path]);
    blind.token_out = None;
    let refused = run_apply(&blind, true, false, None);
    assert_ne!(refused.code, 0, "{}{}", refused.stdout, refused.stderr);
    assert!(
        refused.stderr.contains("token `build-token`")
            && refused
                .stderr
                .contains("apply with that `--token-out` directory")
            && !refused.stderr.contains("changed since"),
        "{}",
        refused.stderr
    );
    assert!(tokens.join("build-token.accessor").exists());

    let mut with_dir = live_args(&bao, &[&saved_path]);
    with_dir.token_out = Some(tokens.clone());
    let applied = run_apply(&with_dir, true, false, None);
    assert_eq!(applied.code, 0, "{}{}", applied.stdout, applied.stderr);
    assert!(!tokens.join("build-token.accessor").exists());
}

/// A dropped token that apply revoked (its files removed) is gone, not unknown: a later
/// plan or apply against the same previous version and `--token-out` neither deletes nor
/// names it, in text or JSON, and a saved plan that carries it by name (made without the
/// directory, which cannot know) has nothing to revoke. QA: the plan after the
/// revocation said the token was "not revoked" again.
#[test]
fn a_token_apply_revoked_is_not_named_again() {
    if live().is_none() {
        return;
    }
    let bao = Bao::dev();
    let dir = tempfile::tempdir().unwrap();
    let (mut a, tokens) = token_applied(&bao, dir.path());
    a.token_out = Some(tokens.clone());
    let applied = run_apply(&a, true, false, None);
    assert_eq!(applied.code, 0, "{}{}", applied.stdout, applied.stderr);
    assert!(
        applied.stdout.contains("deleted token/build-token"),
        "{}",
        applied.stdout
    );
    assert!(!tokens.join("build-token").exists() && !tokens.join("build-token.accessor").exists());

    let shown = run_plan(&a);
    assert_eq!(shown.code, 0, "{}{}", shown.stdout, shown.stderr);
    assert!(
        shown.stdout.contains("0 to delete") && !shown.stdout.contains("note: token"),
        "{}",
        shown.stdout
    );
    let mut as_json = a.clone();
    as_json.format = Format::Json;
    let doc: Json = serde_json::from_str(&run_plan(&as_json).stdout).unwrap();
    assert_valid(&validator("plan.schema.json"), &doc, "plan --format json");
    assert!(doc.get("unrevoked_tokens").is_none(), "{doc}");
    let again = run_apply(&a, true, false, None);
    assert_eq!(again.code, 0, "{}{}", again.stdout, again.stderr);
    assert!(!again.stdout.contains("note: token"), "{}", again.stdout);

    // Planned without the directory, the token is still unknown: named, and carried.
    let mut pr = a.clone();
    pr.token_out = None;
    let saved_path = dir.path().join("plan.json");
    let saved = run_plan_to(&pr, Some(saved_path.clone()));
    assert_eq!(saved.code, 2, "{}{}", saved.stdout, saved.stderr);
    assert!(
        saved.stdout.contains("note: token `build-token`"),
        "{}",
        saved.stdout
    );
    let mut merged = live_args(&bao, &[&saved_path]);
    merged.token_out = Some(tokens);
    let applied = run_apply(&merged, true, false, None);
    assert_eq!(applied.code, 0, "{}{}", applied.stdout, applied.stderr);
    assert!(
        !applied.stdout.contains("note: token") && !applied.stdout.contains("deleted token"),
        "{}",
        applied.stdout
    );
}

/// A KV v2 mount's `config {}` dropped from the program while the mount stays: a config
/// has no delete endpoint, so its settings go back to the defaults. Planned with
/// `--previous`, each setting the server holds at other than its default is reset (it
/// stayed, and the plan said the server matched); the next plan is clean. A previous
/// version without the config changes nothing.
#[test]
fn a_dropped_config_block_resets_its_settings() {
    let Some(()) = live() else { return };
    let bao = Bao::dev();
    let dir = tempfile::tempdir().unwrap();
    let old = write_program(
        dir.path(),
        "old.kp",
        "secrets kv kv {\n  version = 2\n\n  config {\n    max_versions = 4\n    cas_required = true\n  }\n}\n",
    );
    apply_clean(&live_args(&bao, &[&old]));
    assert_eq!(bao.data("kv/config")["cas_required"], true);
    let new = write_program(dir.path(), "new.kp", "secrets kv kv {\n  version = 2\n}\n");
    let mut args = live_args(&bao, &[&new]);
    args.previous = Some(old.display().to_string());
    let p = run_plan(&args);
    assert_eq!(p.code, 2, "{}{}", p.stdout, p.stderr);
    for line in [
        "  ~ kv/config (update)",
        "cas_required: true -> false (default)",
        "max_versions: 4 -> 10 (default)",
    ] {
        assert!(p.stdout.contains(line), "{line}\n{}", p.stdout);
    }
    apply_clean(&args);
    let config = bao.data("kv/config");
    assert_eq!(config["cas_required"], false, "{config}");
    assert_eq!(config["max_versions"], 10, "{config}");
    // Without the config in the previous version either: nothing to reset.
    args.previous = Some(new.display().to_string());
    assert_eq!(run_plan(&args).code, 0);
}

/// A token applied with `--token-out`, planned without it: it is found only through the
/// accessor recorded there, so it is planned as a creation, and the plan says why (it
/// said nothing, and a CI plan step without the directory was never clean). With the
/// directory the plan is clean and says nothing of it.
#[test]
fn a_token_planned_without_token_out_is_said_to_be_unknown() {
    let Some(()) = live() else { return };
    let bao = Bao::dev();
    let dir = tempfile::tempdir().unwrap();
    let path = write_program(
        dir.path(),
        "main.kp",
        "extern policy my-policy\n\nauth token {\n  role ci-role {\n    allowed_policies = [my-policy]\n  }\n}\n\ntoken build-token {\n  role     = ci-role\n  policies = [my-policy]\n}\n",
    );
    let mut args = live_args(&bao, &[&path]);
    args.token_out = Some(dir.path().join("tokens"));
    apply_clean(&args);
    let clean = run_plan(&args);
    assert!(!clean.stdout.contains("`--token-out`"), "{}", clean.stdout);
    args.token_out = None;
    let p = run_plan(&args);
    assert_eq!(p.code, 2, "{}{}", p.stdout, p.stderr);
    assert!(
        p.stdout.contains(
            "note: token `build-token` is planned as created because no `--token-out` was given"
        ),
        "{}",
        p.stdout
    );
    args.format = Format::Json;
    let j = run_plan(&args);
    let doc: Json = serde_json::from_str(&j.stdout).unwrap();
    assert_eq!(
        doc["untracked_tokens"],
        json!(["build-token"]),
        "{}",
        j.stdout
    );
}

/// A previous version that does not compile is said to be the previous one: its error
/// named only a file, which read as an error of the program being planned.
#[test]
fn an_error_in_the_previous_version_says_it_is_the_previous_one() {
    if live().is_none() {
        return;
    }
    let bao = Bao::dev();
    let dir = tempfile::tempdir().unwrap();
    let now = dir.path().join("now.kp");
    let old = dir.path().join("old.kp");
    std::fs::write(
        &now,
        "policy a {\n  path \"a/*\" {\n    capabilities = [read]\n  }\n}\n",
    )
    .unwrap();
    std::fs::write(&old, "workload w {\n  read\n}\n").unwrap();
    let a = LiveArgs {
        previous: Some(old.display().to_string()),
        ..live_args(&bao, &[&now])
    };
    let run = plan(&a, None);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.starts_with("error: --previous: ") && run.stderr.contains("old.kp:2:3"),
        "{}",
        run.stderr
    );
}
