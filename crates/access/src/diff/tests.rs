use serde_json::json;

use super::*;
use crate::testutil::program;

const BASE: &str = r#"
auth jwt ci {
  jwks_url = "https://ci.example.com/keys"
}
policy shared { path "secret/data/shared/*" { capabilities = [read] } }
workload build {
  login ci {
    bound_audiences = ["vault"]
    bound_claims    = { project = "app", ref = "main" }
    user_claim      = "sub"
    token_ttl       = 10m
    token_policies  = [shared]
  }
  read "secret/data/app/*"
  list "secret/metadata/app/*"
}
"#;

#[test]
fn pure_refactors_change_nothing() {
    // The attached policy renamed, the statements reordered, the layout changed.
    let refactored = r#"
auth jwt ci { jwks_url = "https://ci.example.com/keys" }
policy common {
  path "secret/data/shared/*" {
    capabilities = ["read"]
  }
}
workload build {
  list "secret/metadata/app/*"
  read "secret/data/app/*"
  login ci {
    token_policies  = [common]
    user_claim      = "sub"
    bound_claims    = { ref = "main", project = "app" }
    token_ttl       = 600s
    bound_audiences = ["vault"]
  }
}
"#;
    let d = diff(&program(BASE), &program(refactored), Target::Vault);
    assert_eq!(
        d,
        AccessDiff {
            changed: false,
            summary: DiffSummary::default(),
            identities: vec![]
        }
    );
}

#[test]
fn grants_and_login_changes_are_reported_with_direction() {
    let changed = BASE
        .replace(
            r#"list "secret/metadata/app/*""#,
            r#"create "secret/data/app/*""#,
        )
        .replace(r#"["vault"]"#, r#"["vault", "other"]"#)
        .replace(r#", ref = "main""#, "")
        .replace("10m", "5m");
    let d = diff(&program(BASE), &program(&changed), Target::Vault);
    assert!(d.changed);
    let [c] = d.identities.as_slice() else {
        unreachable!("one identity changed: {d:#?}")
    };
    assert_eq!(c.change, Change::Modified);
    assert_eq!(
        c.added,
        [PatternCaps {
            pattern: "secret/data/app/*".into(),
            capabilities: vec!["create".into()]
        }]
    );
    assert_eq!(
        c.removed,
        [PatternCaps {
            pattern: "secret/metadata/app/*".into(),
            capabilities: vec!["list".into()]
        }]
    );
    let login: Vec<_> = c
        .login
        .iter()
        .map(|l| (l.field.as_str(), l.direction))
        .collect();
    assert_eq!(
        login,
        [
            ("bound_audiences", Direction::Widened),
            ("bound_claims", Direction::Widened),
            ("token_ttl", Direction::Narrowed),
        ]
    );
    assert_eq!(c.login[2].old, json!(600));
    assert_eq!(c.login[2].new, json!(300));
}

#[test]
fn identities_added_and_removed() {
    let renamed = BASE.replace("workload build", "workload release");
    let d = diff(&program(BASE), &program(&renamed), Target::Vault);
    let got: Vec<_> = d
        .identities
        .iter()
        .map(|c| {
            (
                c.identity.as_str(),
                c.change,
                c.added.len(),
                c.removed.len(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("release", Change::Added, 3, 0),
            ("build", Change::Removed, 0, 3)
        ]
    );
}

#[test]
fn directions_of_single_fields() {
    use Direction::*;
    let cases = [
        ("bound_audiences", json!(["a"]), json!(null), Widened),
        ("bound_audiences", json!(null), json!(["a"]), Narrowed),
        ("bound_audiences", json!(["a", "b"]), json!(["a"]), Narrowed),
        ("bound_audiences", json!(["a"]), json!(["b"]), Changed),
        ("bound_claims_type", json!("string"), json!("glob"), Widened),
        (
            "bound_claims",
            json!({"a": "x"}),
            json!({"a": "x", "b": "y"}),
            Narrowed,
        ),
        (
            "bound_claims",
            json!({"a": "x"}),
            json!({"a": ["x", "z"]}),
            Widened,
        ),
        (
            "bound_claims",
            json!({"a": "x"}),
            json!({"b": "y"}),
            Changed,
        ),
        ("token_ttl", json!(600), json!(null), Widened),
        ("token_num_uses", json!(0), json!(5), Narrowed),
        (
            "token_policies",
            json!(["default"]),
            json!(["default", "ext"]),
            Widened,
        ),
        ("bound_subject", json!("x"), json!(null), Widened),
        ("bind_secret_id", json!(true), json!(false), Widened),
        ("renewable", json!(null), json!(false), Narrowed),
        ("user_claim", json!("sub"), json!("email"), Changed),
        // Any address, and a certificate role's names opened to any (or to none).
        (
            "token_bound_cidrs",
            json!(["10.0.0.0/8"]),
            json!(["0.0.0.0/0"]),
            Widened,
        ),
        (
            "secret_id_bound_cidrs",
            json!(["::/0"]),
            json!(["10.0.0.0/8"]),
            Narrowed,
        ),
        (
            "bound_audiences",
            json!(["a"]),
            json!(["https://x/0"]),
            Changed,
        ),
        // CIDRs by the addresses they admit (QA: compared as text).
        (
            "token_bound_cidrs",
            json!(["10.0.0.0/16"]),
            json!(["10.0.0.0/8"]),
            Widened,
        ),
        (
            "secret_id_bound_cidrs",
            json!(["10.0.0.0/16"]),
            json!(["10.0.0.0/16", "10.0.3.0/24"]),
            Changed,
        ),
        (
            "token_bound_cidrs",
            json!(["10.0.0.0/8"]),
            json!(["10.1.0.0/16", "192.168.1.7"]),
            Widened,
        ),
        (
            "token_bound_cidrs",
            json!(["10.0.0.0/8", "fd00::/8"]),
            json!(["10.1.2.3/32"]),
            Narrowed,
        ),
        (
            "token_bound_cidrs",
            json!(null),
            json!(["10.0.0.0/8"]),
            Narrowed,
        ),
        (
            "token_bound_cidrs",
            json!(["10.0.0.0/8"]),
            json!(null),
            Widened,
        ),
        (
            "token_no_default_policy",
            json!(null),
            json!(true),
            Narrowed,
        ),
        (
            "allowed_common_names",
            json!(["a.example.com"]),
            json!(["*"]),
            Widened,
        ),
        (
            "allowed_dns_sans",
            json!(["a.example.com"]),
            json!(null),
            Widened,
        ),
        (
            "allowed_email_sans",
            json!(null),
            json!(["ci@example.com"]),
            Narrowed,
        ),
        (
            "allowed_uri_sans",
            json!(["a", "b"]),
            json!(["a"]),
            Narrowed,
        ),
        // The names are globs: one covering every old name widens, the other way narrows.
        (
            "allowed_common_names",
            json!(["ci-runner-*.example.com"]),
            json!(["*.example.com"]),
            Widened,
        ),
        (
            "allowed_dns_sans",
            json!(["*.example.com"]),
            json!(["gpu-1.example.com", "gpu-*.example.com"]),
            Narrowed,
        ),
        (
            "allowed_names",
            json!(["a-*"]),
            json!(["a-*", "b"]),
            Widened,
        ),
        (
            "allowed_organizational_units",
            json!(["ml-*"]),
            json!(["ops-*"]),
            Changed,
        ),
    ];
    for (field, old, new, want) in cases {
        assert_eq!(
            direction(field, &old, &new),
            want,
            "{field}: {old} -> {new}"
        );
    }
}

#[test]
fn a_glob_star_bound_claim_is_open() {
    let o = json!({"a": "x", "ref": "main"});
    let n = json!({"a": "x", "ref": "*"});
    assert_eq!(bound_claims(&o, &n, (true, true)), Direction::Widened);
    assert_eq!(bound_claims(&n, &o, (true, true)), Direction::Narrowed);
    // Without globs `*` is a literal value like any other.
    assert_eq!(bound_claims(&o, &n, (false, false)), Direction::Changed);
}

/// `(pattern, capabilities)` pairs of one identity's added or removed grants.
fn pairs(grants: &[PatternCaps]) -> Vec<(&str, Vec<&str>)> {
    grants
        .iter()
        .map(|g| {
            (
                g.pattern.as_str(),
                g.capabilities.iter().map(String::as_str).collect(),
            )
        })
        .collect()
}

fn only_change(old: &str, new: &str) -> IdentityChange {
    let d = diff(&program(old), &program(new), Target::Vault);
    let [c] = d.identities.as_slice() else {
        unreachable!("one identity changed: {d:#?}")
    };
    assert_eq!(c.change, Change::Modified);
    c.clone()
}

#[test]
fn dropping_a_deny_grants_what_the_broader_rule_gives() {
    let old = BASE.replace(
        r#"list "secret/metadata/app/*""#,
        "update \"secret/data/app/*\"\n  deny \"secret/data/app/prod\"",
    );
    let new = BASE.replace(
        r#"list "secret/metadata/app/*""#,
        r#"update "secret/data/app/*""#,
    );
    let c = only_change(&old, &new);
    assert_eq!(
        pairs(&c.added),
        [("secret/data/app/prod", vec!["read", "update"])]
    );
    assert!(c.removed.is_empty(), "{c:#?}");
    assert_eq!(c.denials_removed, ["secret/data/app/prod"]);
    assert!(c.denials_added.is_empty());
    // And the other way round: adding the deny takes both away, a denial, not a grant.
    let c = only_change(&new, &old);
    assert!(c.added.is_empty(), "{c:#?}");
    assert_eq!(c.denials_added, ["secret/data/app/prod"]);
    assert_eq!(
        pairs(&c.removed),
        [("secret/data/app/prod", vec!["read", "update"])]
    );
}

/// QA: two `deny` statements added were summed up as "2 grants added", which reads as
/// more access. They are denials, in the JSON and in the text alike.
#[test]
fn denials_are_counted_as_denials_not_grants() {
    let new = BASE.replace(
        r#"list "secret/metadata/app/*""#,
        "list \"secret/metadata/app/*\"\n  deny \"secret/data/app/prod\"\n  deny \"secret/data/ops/*\"",
    );
    let d = diff(&program(BASE), &program(&new), Target::Vault);
    let [c] = d.identities.as_slice() else {
        unreachable!("one identity changed: {d:#?}")
    };
    assert!(c.added.is_empty(), "{c:#?}");
    assert_eq!(
        c.denials_added,
        ["secret/data/app/prod", "secret/data/ops/*"]
    );
    // What the deny under `read "secret/data/app/*"` takes away.
    assert_eq!(pairs(&c.removed), [("secret/data/app/prod", vec!["read"])]);
    assert_eq!(
        d.summary,
        DiffSummary {
            identities_modified: 1,
            grants_removed: 1,
            denials_added: 2,
            ..DiffSummary::default()
        }
    );
    let text = crate::render::diff_text(&d);
    assert!(
        text.ends_with("0 identities added, 0 removed, 1 modified; 0 grants added, 1 removed; 2 denials added, 0 removed; 0 login conditions widened\n"),
        "{text}"
    );
    assert!(text.contains("    + denial secret/data/ops/*\n"), "{text}");
    let json = serde_json::to_value(&d).unwrap_or_default();
    assert_eq!(json["summary"]["denials_added"], 2);
    assert_eq!(json["summary"]["grants_added"], 0);
    assert_eq!(
        json["identities"][0]["denials_added"][1],
        "secret/data/ops/*"
    );

    // Back: the denials removed, and what they let through again.
    let back = diff(&program(&new), &program(BASE), Target::Vault);
    assert_eq!(back.summary.denials_removed, 2);
    assert_eq!(back.summary.grants_added, 1);
    assert_eq!(back.summary.denials_added, 0);
    // A new identity's denials are denials too.
    let added = diff(
        &program(BASE),
        &program(&new.replace("workload build", "workload release")),
        Target::Vault,
    );
    assert_eq!(added.summary.denials_added, 2);
    assert_eq!(added.summary.grants_added, 3);
    assert!(added.identities[0]
        .added
        .iter()
        .all(|g| !g.capabilities.iter().any(|c| c == "deny")));
}

/// QA: `bound_claims` widened to a glob (`"acme/*"` with `bound_claims_type = "glob"`)
/// was "changed": a glob covering every old value widens.
#[test]
fn a_glob_covering_every_old_value_widens() {
    use Direction::*;
    let cases = [
        // Literal to a glob matching it, and back.
        (
            json!({"p": "acme/app"}),
            json!({"p": "acme/*"}),
            (false, true),
            Widened,
        ),
        (
            json!({"p": "acme/*"}),
            json!({"p": "acme/app"}),
            (true, false),
            Narrowed,
        ),
        (
            json!({"p": ["acme/a", "acme/b"]}),
            json!({"p": "acme/*"}),
            (false, true),
            Widened,
        ),
        // A glob covering a narrower glob.
        (
            json!({"p": "acme/app-*"}),
            json!({"p": "acme/*"}),
            (true, true),
            Widened,
        ),
        (
            json!({"p": "acme/*"}),
            json!({"p": "acme/app-*"}),
            (true, true),
            Narrowed,
        ),
        // A glob that misses an old value: some tokens in, others out.
        (
            json!({"p": ["acme/a", "other/b"]}),
            json!({"p": "acme/*"}),
            (false, true),
            Changed,
        ),
        // Without globs `acme/*` is a literal: a change.
        (
            json!({"p": "acme/app"}),
            json!({"p": "acme/*"}),
            (false, false),
            Changed,
        ),
        // A value kept (as a glob without `*` it is itself) beside one opened to `*`.
        (
            json!({"p": "acme/app", "q": "x"}),
            json!({"p": "acme/app", "q": "*"}),
            (false, true),
            Widened,
        ),
        // Another claim added beside the widening: mixed.
        (
            json!({"p": "acme/app"}),
            json!({"p": "acme/*", "r": "main"}),
            (false, true),
            Changed,
        ),
    ];
    for (old, new, globs, want) in cases {
        assert_eq!(
            bound_claims(&old, &new, globs),
            want,
            "{old} -> {new} {globs:?}"
        );
    }
    // Through a program: the claim and the claim type both widen.
    let new = BASE.replace(
        r#"bound_claims    = { project = "app", ref = "main" }"#,
        "bound_claims_type = \"glob\"\n    bound_claims    = { project = \"a*\", ref = \"main\" }",
    );
    let c = only_change(BASE, &new);
    let login: Vec<_> = c
        .login
        .iter()
        .map(|l| (l.field.as_str(), l.direction))
        .collect();
    assert_eq!(
        login,
        [("bound_claims", Widened), ("bound_claims_type", Widened)]
    );
}

#[test]
fn a_narrower_rule_added_under_a_broader_one_takes_away() {
    let old = BASE.replace(
        r#"list "secret/metadata/app/*""#,
        r#"update "secret/data/app/*""#,
    );
    // An exact rule decides its path alone: `update` is gone there, nothing is granted.
    let new = old.replace(
        r#"update "secret/data/app/*""#,
        "update \"secret/data/app/*\"\n  list \"secret/data/app/config\"",
    );
    let c = only_change(&old, &new);
    assert_eq!(pairs(&c.added), [("secret/data/app/config", vec!["list"])]);
    assert_eq!(
        pairs(&c.removed),
        [("secret/data/app/config", vec!["read", "update"])]
    );
    // Removing it again gives them back.
    let c = only_change(&new, &old);
    assert_eq!(
        pairs(&c.added),
        [("secret/data/app/config", vec!["read", "update"])]
    );
    assert_eq!(
        pairs(&c.removed),
        [("secret/data/app/config", vec!["list"])]
    );
}

#[test]
fn a_rule_moved_to_another_policy_of_the_same_login_changes_nothing() {
    let new = BASE
        .replace(
            r#"policy shared { path "secret/data/shared/*" { capabilities = [read] } }"#,
            "policy shared {\n  path \"secret/data/shared/*\" { capabilities = [read] }\n  path \"secret/data/app/*\" { capabilities = [read] }\n}",
        )
        .replace(r#"  read "secret/data/app/*""#, "");
    let d = diff(&program(BASE), &program(&new), Target::Vault);
    assert!(!d.changed, "{d:#?}");
}

/// BASE with its `read "secret/data/app/*"` replaced by `rules`.
fn app_reads(rules: &str) -> String {
    BASE.replace(r#"  read "secret/data/app/*""#, rules)
}

/// QA: a pattern was compared as one literal path, so `+` matched a literal `*`: the
/// `*` replaced by `+` and `+/x` lost `read` on `app/a/b`, and nothing was reported.
#[test]
fn a_glob_narrowed_to_segment_wildcards_takes_away_what_they_miss() {
    let new = app_reads("  read \"secret/data/app/+\"\n  read \"secret/data/app/+/x\"");
    let c = only_change(BASE, &new);
    assert!(c.added.is_empty(), "{c:#?}");
    assert_eq!(pairs(&c.removed), [("secret/data/app/a/b", vec!["read"])]);
    assert!(c.denials_added.is_empty() && c.denials_removed.is_empty());
    // The path is one example of those that lost `read`, and says so, in JSON and text.
    assert_eq!(c.examples, ["secret/data/app/a/b"]);
    let d = diff(&program(BASE), &program(&new), Target::Vault);
    let text = crate::render::diff_text(&d);
    assert!(
        text.contains("    - secret/data/app/a/b  read  (for example)\n"),
        "{text}"
    );
    let json = serde_json::to_value(&d).expect("a diff is JSON");
    assert_eq!(
        json["identities"][0]["examples"],
        json!(["secret/data/app/a/b"])
    );
    // And back: widened again.
    let c = only_change(&new, BASE);
    assert_eq!(pairs(&c.added), [("secret/data/app/a/b", vec!["read"])]);
    assert!(c.removed.is_empty(), "{c:#?}");
}

#[test]
fn a_segment_wildcard_widened_to_a_glob_grants() {
    let old = app_reads(r#"  read "secret/data/app/+""#);
    let c = only_change(&old, BASE);
    assert_eq!(pairs(&c.added), [("secret/data/app/a/b", vec!["read"])]);
    assert!(c.removed.is_empty(), "{c:#?}");
    let c = only_change(BASE, &old);
    assert_eq!(pairs(&c.removed), [("secret/data/app/a/b", vec!["read"])]);
    assert!(c.added.is_empty(), "{c:#?}");
}

#[test]
fn a_deny_added_under_a_glob() {
    // Under a glob a deny deciding its whole pattern is reported on the pattern.
    let new = app_reads("  read \"secret/data/app/*\"\n  deny \"secret/data/app/+/private\"");
    let c = only_change(BASE, &new);
    assert_eq!(c.denials_added, ["secret/data/app/+/private"]);
    assert_eq!(
        pairs(&c.removed),
        [("secret/data/app/+/private", vec!["read"])]
    );
    assert!(c.added.is_empty(), "{c:#?}");
    // A deny prefix beats `app/+/*` where it matches (its wildcard comes later) and
    // takes `read` from the paths both match: `app/x` itself had nothing to lose.
    let old = app_reads(r#"  read "secret/data/app/+/*""#);
    let new = app_reads("  read \"secret/data/app/+/*\"\n  deny \"secret/data/app/x*\"");
    let c = only_change(&old, &new);
    assert_eq!(c.denials_added, ["secret/data/app/x*"]);
    assert_eq!(pairs(&c.removed), [("secret/data/app/x/a", vec!["read"])]);
    assert!(c.added.is_empty(), "{c:#?}");
    let c = only_change(&new, &old);
    assert_eq!(c.denials_removed, ["secret/data/app/x*"]);
    assert_eq!(pairs(&c.added), [("secret/data/app/x/a", vec!["read"])]);
    assert!(c.removed.is_empty(), "{c:#?}");
}

#[test]
fn a_segment_wildcard_in_the_middle_against_a_literal_segment() {
    // `+/config` to `app/*`: `app/config` keeps `read`, the other `config`s lose it,
    // and `app/*` adds it everywhere else.
    let old = app_reads(r#"  read "secret/data/+/config""#);
    let c = only_change(&old, BASE);
    assert_eq!(pairs(&c.removed), [("secret/data/a/config", vec!["read"])]);
    assert_eq!(pairs(&c.added), [("secret/data/app/a", vec!["read"])]);
    // A literal segment where the `+` was: the rest lose `read`, `app/config` keeps it.
    let new = app_reads(r#"  read "secret/data/app/config""#);
    let c = only_change(&old, &new);
    assert_eq!(pairs(&c.removed), [("secret/data/a/config", vec!["read"])]);
    assert!(c.added.is_empty(), "{c:#?}");
    let c = only_change(&new, &old);
    assert_eq!(pairs(&c.added), [("secret/data/a/config", vec!["read"])]);
    assert!(c.removed.is_empty(), "{c:#?}");
}

/// Random small rule sets under `secret/data/app/` (a fixed sequence, so a failure
/// repeats), the diff checked against the ACLs asked path by path on concrete paths
/// built from the patterns' segments: every change on such a path is reported (on a
/// pattern matching it, or on an example path the same patterns match that changed
/// alike), and every reported change happens on some path.
#[test]
fn random_rule_sets_against_brute_force() {
    use kp_acl::{Acl, Operation, Policy, Rule, Server};
    const ROOT: &str = "secret/data/app/";
    let atoms_of = ["a", "b", "+", "ab"];
    let verbs = ["read", "update", "deny"];
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = |n: usize| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        usize::try_from(seed >> 33).unwrap_or(0) % n
    };
    let acl_of = |rules: &[(String, &str)]| {
        let rules = rules
            .iter()
            .filter_map(|(p, v)| Rule::new(p, &[*v]).ok())
            .collect();
        Acl::new(&[Policy::new("p", rules)]).ok()
    };
    let caps = |acl: &Option<Acl>, path: &str| -> BTreeSet<usize> {
        let Some(acl) = acl else {
            return BTreeSet::new();
        };
        let c = acl
            .check(path, Operation::Read, Server::Openbao)
            .capabilities;
        if c.is_deny() {
            return cap_index(DENY).into_iter().collect();
        }
        c.names().into_iter().filter_map(cap_index).collect()
    };
    let matches = |pattern: &str, path: &str| {
        let acl = acl_of(&[(pattern.to_string(), "read")]);
        caps(&acl, path).contains(&cap_index("read").unwrap_or(usize::MAX))
    };
    let mut changed = 0;
    for case in 0..40 {
        let mut side = || {
            let mut rules: Vec<(String, &str)> = Vec::new();
            for _ in 0..1 + next(3) {
                let mut parts: Vec<&str> = (0..1 + next(2))
                    .map(|_| atoms_of[next(atoms_of.len())])
                    .collect();
                if next(2) == 0 {
                    if parts.last() == Some(&"+") {
                        parts.push("");
                    }
                    parts.push("*");
                }
                let p = format!("{ROOT}{}", parts.join("/").replace("/*", "*"));
                if !rules.iter().any(|(q, _)| *q == p) {
                    rules.push((p, verbs[next(verbs.len())]));
                }
            }
            rules
        };
        let (old, new) = (side(), side());
        let src = |rules: &[(String, &str)]| {
            let body: Vec<String> = rules
                .iter()
                .map(|(p, v)| format!("  {v} \"{p}\""))
                .collect();
            app_reads(&body.join("\n"))
        };
        let d = diff(&program(&src(&old)), &program(&src(&new)), Target::Vault);
        changed += usize::from(d.changed);
        let (old_acl, new_acl) = (acl_of(&old), acl_of(&new));
        let truth = |path: &str| atoms(&caps(&old_acl, path), &caps(&new_acl, path));
        // The reported atoms per entry.
        let mut said: BTreeMap<String, BTreeSet<Atom>> = BTreeMap::new();
        for c in &d.identities {
            let idx =
                |cs: &[String]| -> Vec<usize> { cs.iter().filter_map(|c| cap_index(c)).collect() };
            for g in &c.added {
                said.entry(g.pattern.clone())
                    .or_default()
                    .extend(idx(&g.capabilities).into_iter().map(Atom::Gained));
            }
            for g in &c.removed {
                said.entry(g.pattern.clone())
                    .or_default()
                    .extend(idx(&g.capabilities).into_iter().map(Atom::Lost));
            }
            for p in &c.denials_added {
                said.entry(p.clone()).or_default().insert(Atom::DenialAdded);
            }
            for p in &c.denials_removed {
                said.entry(p.clone())
                    .or_default()
                    .insert(Atom::DenialRemoved);
            }
        }
        let patterns: BTreeSet<&str> = old.iter().chain(&new).map(|(p, _)| p.as_str()).collect();
        let signature = |path: &str| -> Vec<&str> {
            patterns
                .iter()
                .copied()
                .filter(|p| matches(p, path))
                .collect()
        };
        // Concrete paths from the segments.
        let words = ["a", "b", "ab", "abz", "z", ""];
        let mut paths: Vec<String> = words.iter().map(|w| format!("{ROOT}{w}")).collect();
        for depth in 1..3 {
            let longer: Vec<String> = paths
                .iter()
                .filter(|p| p.matches('/').count() == 2 + depth)
                .flat_map(|p| words.iter().map(move |w| format!("{p}/{w}")))
                .collect();
            paths.extend(longer);
        }
        let ctx = format!("case {case}: old {old:?}, new {new:?}, said {said:#?}");
        for path in &paths {
            for a in truth(path) {
                let ok = said.iter().any(|(e, atoms)| {
                    atoms.contains(&a)
                        && if patterns.contains(e.as_str()) {
                            matches(e, path)
                        } else {
                            signature(e) == signature(path) && truth(e).contains(&a)
                        }
                });
                assert!(ok, "{ctx}: {a:?} on {path} is not reported");
            }
        }
        for (e, atoms) in &said {
            for a in atoms {
                let happens = if patterns.contains(e.as_str()) {
                    paths.iter().any(|p| matches(e, p) && truth(p).contains(a))
                } else {
                    truth(e).contains(a)
                };
                assert!(happens, "{ctx}: {a:?} reported on {e} happens nowhere");
            }
        }
    }
    // The sequence does exercise the comparison.
    assert!(changed >= 30, "{changed} of 40 cases changed");
}

/// `default` counts by its stock rules, as the server, explain and access count it (QA:
/// compared by name, an exact rule on a cubbyhole path showed as `read` added where it
/// took away what `default`'s `cubbyhole/*` gave there, and leaving `default` out removed
/// nothing).
#[test]
fn default_counts_by_its_rules() {
    let exact = BASE.replace(
        "  read \"secret/data/app/*\"\n",
        "  read \"secret/data/app/*\"\n  read \"cubbyhole/x\"\n",
    );
    let d = diff(&program(BASE), &program(&exact), Target::Vault);
    let build = &d.identities[0];
    assert!(build.added.is_empty(), "{build:?}");
    assert_eq!(
        build.removed,
        [PatternCaps {
            pattern: "cubbyhole/x".into(),
            capabilities: ["create", "update", "delete", "list"]
                .map(String::from)
                .to_vec(),
        }]
    );

    let without = BASE.replace(
        "    token_ttl       = 10m\n",
        "    token_ttl       = 10m\n    token_no_default_policy = true\n",
    );
    let d = diff(&program(BASE), &program(&without), Target::Vault);
    let build = &d.identities[0];
    assert!(
        build.removed.iter().any(|g| g.pattern == "cubbyhole/*"),
        "{build:?}"
    );
    assert!(
        build.removed.iter().any(|g| g.pattern == "sys/tools/hash"),
        "{build:?}"
    );
    assert_eq!(build.login[0].direction, Direction::Narrowed);
    // A workload added lists its own grants, not `default`'s.
    let added = BASE.replace("workload build {", "workload other {\n  login ci { bound_audiences = [\"vault\"], bound_claims = { project = \"other\" }, user_claim = \"sub\" }\n  read \"secret/data/other/*\"\n}\nworkload build {");
    let d = diff(&program(BASE), &program(&added), Target::Vault);
    let other = d.identities.iter().find(|i| i.identity == "other").unwrap();
    assert_eq!(other.added.len(), 1, "{other:?}");
}

/// `bound_claims_type = "glob"` over values without a `*` admits no other token: a
/// change, not a widening (QA). With a `*` it widens.
#[test]
fn glob_type_without_a_star_is_no_widening() {
    let glob = BASE.replace(
        "    user_claim      = \"sub\"\n",
        "    user_claim      = \"sub\"\n    bound_claims_type = \"glob\"\n",
    );
    let d = diff(&program(BASE), &program(&glob), Target::Vault);
    assert_eq!(d.summary.logins_widened, 0, "{d:?}");
    let starred = glob.replace("ref = \"main\"", "ref = \"release-*\"");
    let d = diff(&program(BASE), &program(&starred), Target::Vault);
    assert!(d.summary.logins_widened >= 1, "{d:?}");
}
