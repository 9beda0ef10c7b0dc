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
    let texts: Vec<&str> = added.iter().map(|f| f.edits[0].new_text.trim()).collect();
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
        fix.edits[0].new_text.trim(),
        "password = env(\"ALICE_PASSWORD_2\")"
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
