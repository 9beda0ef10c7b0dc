use super::*;
use crate::testutil::{example, program, target};
use kp_check::ir::Program;

fn codes(src: &str) -> Vec<(&'static str, String)> {
    lints(&program(src), target())
        .into_iter()
        .map(|d| (d.code, d.message))
        .collect()
}

#[test]
fn audience_alone_and_glob_star() {
    let got = codes(
        r#"
        auth jwt {
          jwks_url = "https://x.example.com/keys"
          role aud {
            user_claim      = "sub"
            bound_audiences = ["vault"]
          }
          role star {
            user_claim        = "sub"
            bound_audiences   = ["other"]
            bound_claims_type = "glob"
            bound_claims      = { project = "*" }
          }
        }
        "#,
    );
    let found: Vec<_> = got.iter().map(|(c, _)| *c).collect();
    // A token with both audiences and any `project` logs in to both.
    assert_eq!(
        found,
        [JWT_AUDIENCE_ONLY, GLOB_MATCHES_ANYTHING, OVERLAPPING_ROLES],
        "{got:#?}"
    );
}

#[test]
fn overlapping_roles_on_one_mount() {
    let got = lints(&example("pipeline.kp"), target());
    let overlaps: Vec<_> = got
        .iter()
        .filter(|d| d.code == OVERLAPPING_ROLES)
        .map(|d| (d.message.clone(), d.help.clone().unwrap_or_default()))
        .collect();
    assert_eq!(
        overlaps,
        [(
            "one token can log in to both `trainer` and `publisher` on mount `gitlab`".to_string(),
            r#"e.g. the token {"iss":"https://gitlab.example.com","aud":"https://vault.example.com","project_path":"ml/trainer","ref":"main","ref_protected":"true","ref_type":"branch","sub":"user"}; bind a claim the two roles give different values"#.to_string()
        )]
    );
}

/// Every `kp::overlapping-roles` warning of `p`: its two identities, and what
/// simulating a login with the token its help shows says.
fn overlap_examples(p: &Program) -> Vec<(String, crate::simulate::Simulation)> {
    lints(p, target())
        .into_iter()
        .filter(|d| d.code == OVERLAPPING_ROLES)
        .map(|d| {
            let help = d.help.unwrap_or_default();
            let token = help
                .strip_prefix("e.g. the token ")
                .and_then(|rest| rest.split_once("; bind"))
                .map(|(token, _)| token)
                .unwrap_or_default();
            let claims = match crate::json::from_str(token) {
                Ok(crate::json::Value::Object(claims)) => claims,
                other => panic!("{help}: {other:?}"),
            };
            (d.message, crate::simulate::simulate(p, &claims, None))
        })
        .collect()
}

/// The example token of each overlap logs in to both roles (QA 10: it left out the
/// user claims, and both roles refused it): subjects, issuers, audiences, globs on one
/// or both sides, JSON pointers, user claims by pointer, groups claims.
#[test]
fn the_overlap_example_token_logs_in_to_both_roles() {
    let qa10 = include_str!("../../tests/fixtures/overlap-user-claims.kp");
    let varied = r#"
        auth jwt {
          jwks_url     = "https://x.example.com/keys"
          bound_issuer = "https://issuer.example.com"
          role a {
            user_claim        = "/ctx/user"
            user_claim_json_pointer = true
            groups_claim      = "groups"
            bound_audiences   = ["v1"]
            bound_subject     = "repo:ml"
            bound_claims_type = "glob"
            bound_claims      = { ref = "refs/*-prod", "/ctx/env" = "prod-*" }
          }
          role b {
            user_claim        = "email"
            groups_claim      = "/ctx/groups"
            bound_audiences   = ["v2"]
            bound_claims_type = "glob"
            bound_claims      = { ref = "refs/heads/*", team = "ml-*" }
          }
          role c {
            user_claim      = "sub"
            bound_audiences = ["v1"]
            bound_claims    = { "/ctx/env" = "prod-eu", ref = "refs/heads/x-prod" }
          }
        }
        "#;
    let programs = [program(qa10), program(varied), example("pipeline.kp")];
    let mut seen = 0;
    for p in &programs {
        for (message, simulation) in overlap_examples(p) {
            seen += 1;
            let accepted: Vec<&str> = simulation
                .accepted
                .iter()
                .map(|a| a.identity.as_str())
                .collect();
            let both: Vec<&str> = message.split('`').skip(1).step_by(2).take(2).collect();
            assert!(
                both.iter().all(|id| accepted.contains(id)),
                "{message}: accepted by {accepted:?}, refused: {:?}",
                simulation.refused
            );
        }
    }
    // QA 10's pair, pipeline's, and the three pairs of `varied`.
    assert_eq!(seen, 5);
}

#[test]
fn different_values_of_one_claim_do_not_overlap() {
    let got = codes(
        r#"
        auth jwt {
          jwks_url = "https://x.example.com/keys"
          role a {
            user_claim      = "sub"
            bound_audiences = ["v"]
            bound_claims    = { project = "a" }
          }
          role b {
            user_claim        = "sub"
            bound_audiences   = ["v"]
            bound_claims_type = "glob"
            bound_claims      = { project = "b-*" }
          }
          role c {
            user_claim        = "sub"
            bound_audiences   = ["v"]
            bound_claims_type = "glob"
            bound_claims      = { project = "*-x" }
          }
        }
        "#,
    );
    assert_eq!(
        got,
        [(
            OVERLAPPING_ROLES,
            "one token can log in to both `jwt/b` and `jwt/c` on mount `jwt`".to_string()
        )]
    );
}

#[test]
fn sudo_sys_unused_and_idle_deny() {
    let got = codes(
        r#"
        policy ops {
          path "sys/mounts/*" { capabilities = [read] }
          path "auth/token/create" { capabilities = [update, sudo] }
          path "secret/data/*" { capabilities = [read] }
          path "secret/data/keep/*" { capabilities = [deny] }
          path "other/*" { capabilities = [deny] }
        }
        policy orphaned {
          path "x/*" { capabilities = [read] }
        }
        auth approle {
          role ops { token_policies = [ops] }
        }
        "#,
    );
    let found: Vec<_> = got.iter().map(|(c, m)| format!("{c}: {m}")).collect();
    assert_eq!(
        found,
        [
            "kp::privileged-grant: policy `ops` grants read on `sys/mounts/*`, which reaches `sys/`",
            "kp::privileged-grant: policy `ops` grants `sudo` on `auth/token/create`",
            "kp::deny-overrides-nothing: `deny` on `other/*` in policy `ops` overrides nothing: no policy of `approle/ops` grants a path it matches",
            "kp::unused-policy: policy `orphaned` is attached to no role, token or workload",
        ]
    );
}

/// A policy a token role admits by `allowed_policies_glob` is as used as one it names in
/// `allowed_policies`; one the glob does not match still is not.
#[test]
fn a_policy_a_token_role_allows_by_glob_is_used() {
    let got = codes(
        r#"
        policy team-a { path "secret/data/a/*" { capabilities = [read] } }
        policy other { path "secret/data/o/*" { capabilities = [read] } }
        auth token {
          role globbed { allowed_policies_glob = ["team-*"] }
        }
        "#,
    );
    let found: Vec<_> = got.iter().map(|(c, m)| format!("{c}: {m}")).collect();
    assert_eq!(
        found,
        ["kp::unused-policy: policy `other` is attached to no role, token or workload"]
    );
}

/// A program's own `default` is the server's built-in policy, attached to every token
/// that does not opt out, whether or not the program describes the token: it is never
/// unused, even in a program with no identity or whose identities all opt out.
#[test]
fn the_default_policy_is_never_unused() {
    for src in [
        r#"policy default { path "secret/data/everyone/*" { capabilities = [read] } }"#,
        r#"
        policy default { path "secret/data/everyone/*" { capabilities = [read] } }
        policy p { path "a" { capabilities = [read] } }
        auth token {
          role r {
            allowed_policies        = [p]
            token_no_default_policy = true
          }
        }
        "#,
    ] {
        let got = codes(src);
        assert!(
            !got.iter().any(|(c, _)| *c == UNUSED_POLICY),
            "{src}: {got:#?}"
        );
    }
}

/// A policy named only in a token role's `disallowed_policies` is unused, but removing it
/// would break that reference: the help does not say to.
#[test]
fn a_policy_only_disallowed_is_not_helped_to_its_removal() {
    let p = program(
        r#"
        policy banned { path "secret/data/b/*" { capabilities = [read] } }
        auth token {
          role r { disallowed_policies = [banned] }
        }
        "#,
    );
    let helps: Vec<String> = lints(&p, target())
        .into_iter()
        .filter(|d| d.code == UNUSED_POLICY)
        .map(|d| d.help.unwrap_or_default())
        .collect();
    assert_eq!(helps.len(), 1, "{helps:?}");
    assert!(!helps[0].contains("remove it"), "{helps:?}");
    assert!(helps[0].contains("`extern policy banned`"), "{helps:?}");
}

/// `sudo` alone opens nothing (the server checks it on top of the request's own
/// capability): its help says what the rule lacks; beside `update` it keeps the usual one.
#[test]
fn sudo_alone_is_helped_to_its_companion_capability() {
    let p = program(
        r#"
        auth approle {}
        workload oncall {
          login approle { secret_id_ttl = 10m }
          sudo "sys/leases/revoke-prefix/*"
        }
        workload admin {
          login approle { secret_id_ttl = 10m }
          sudo   "auth/token/create"
          update "auth/token/create"
        }
        "#,
    );
    let helps: Vec<(String, String)> = lints(&p, target())
        .into_iter()
        .filter(|d| d.code == PRIVILEGED_GRANT)
        .map(|d| (d.message, d.help.unwrap_or_default()))
        .collect();
    assert_eq!(helps.len(), 2, "{helps:?}");
    let alone = helps.iter().find(|(m, _)| m.contains("oncall")).unwrap();
    assert!(
        alone.1.starts_with("`sudo` alone grants nothing"),
        "{alone:?}"
    );
    let paired = helps.iter().find(|(m, _)| m.contains("admin")).unwrap();
    assert_eq!(
        paired.1,
        "`sudo` opens root-protected endpoints; grant it only to operators"
    );
}

/// A `deny` on a path only Vault's stock `default` grants overrides something on Vault
/// and nothing on OpenBao.
#[test]
fn a_deny_on_what_only_vaults_default_grants() {
    let p = program(
        r#"
        policy lock {
          path "sys/renew" { capabilities = [deny] }
          path "sys/control-group/request" { capabilities = [deny] }
        }
        auth approle {
          role r { token_policies = [lock] }
        }
        "#,
    );
    let idle = |target| {
        lints(&p, target)
            .into_iter()
            .filter(|d| d.code == DENY_OVERRIDES_NOTHING)
            .count()
    };
    assert_eq!(idle(kp_acl::Target::Vault), 0);
    assert_eq!(idle(kp_acl::Target::Openbao), 2);
}

#[test]
fn examples_findings() {
    let got: Vec<_> = [
        "01-jwt-dynamic-secrets.kp",
        "04-token-roles.kp",
        "pipeline.kp",
    ]
    .iter()
    .map(|e| {
        lints(&example(e), target())
            .iter()
            .map(|d| d.code)
            .collect::<Vec<_>>()
    })
    .collect();
    assert_eq!(
        got,
        [vec![JWT_AUDIENCE_ONLY], vec![], vec![OVERLAPPING_ROLES]]
    );
}

#[test]
fn shadowed_rules() {
    let src = r#"
        policy app {
          path "secret/data/app/*" {
            capabilities = [read, list]
          }
          path "secret/data/app/+/admin/*" {
            capabilities = [deny]
          }
          path "secret/data/app/+/config" {
            capabilities = [read]
          }
        }
        policy lock {
          path "secret/data/shared/*" {
            capabilities = [deny]
          }
        }
        policy shared {
          path "secret/data/shared/*" {
            capabilities = [read]
          }
          path "cubbyhole/+/*" {
            capabilities = [read]
          }
        }
        auth approle {
          role app {
            token_policies = [app, shared, lock]
          }
          role other {
            token_policies = [shared, lock]
          }
        }
        "#;
    let diags = lints_in(
        &program(src),
        &kp_diag::SourceMap::single("t.kp", src),
        target(),
    );
    let shadowed: Vec<&Diagnostic> = diags.iter().filter(|d| d.code == SHADOWED_RULE).collect();
    let at = |d: &Diagnostic| &src[d.span.start..d.span.end];
    assert_eq!(shadowed.len(), 3, "{shadowed:#?}");
    // The deny under a `+`: the prefix rule has fewer `+` segments and always wins.
    assert_eq!(at(shadowed[0]), "\"secret/data/app/+/admin/*\"");
    assert!(
        shadowed[0].message.contains("fewer + segments"),
        "{}",
        shadowed[0].message
    );
    assert_eq!(shadowed[0].label, "this deny never applies");
    assert_eq!(
        &src[shadowed[0].related[0].span.start..shadowed[0].related[0].span.end],
        "\"secret/data/app/*\""
    );
    // Overridden by the deny of a policy every holder carries.
    assert_eq!(at(shadowed[1]), "\"secret/data/shared/*\"");
    assert!(
        shadowed[1].message.contains("policy `lock` denies"),
        "{}",
        shadowed[1].message
    );
    // Shadowed by the built-in default policy's `cubbyhole/*`.
    assert_eq!(at(shadowed[2]), "\"cubbyhole/+/*\"");
    assert!(
        shadowed[2].message.contains("policy `default`"),
        "{}",
        shadowed[2].message
    );
    // `secret/data/app/+/config` is not shadowed: it has no `*`, so it beats the prefix.
    assert!(!diags.iter().any(|d| d.message.contains("+/config")));
}

#[test]
fn shadowing_needs_every_holder() {
    // `narrow` is shadowed by `wide` only for the role that holds both.
    let src = r#"
        policy wide {
          path "kv/*" {
            capabilities = [read]
          }
        }
        policy narrow {
          path "kv/+/x/*" {
            capabilities = [read, list]
          }
        }
        auth approle {
          role both {
            token_policies = [wide, narrow]
          }
          role one {
            token_policies = [narrow]
          }
        }
        "#;
    let found: Vec<_> = codes(src)
        .into_iter()
        .filter(|(c, _)| *c == SHADOWED_RULE)
        .collect();
    assert!(found.is_empty(), "{found:#?}");
    let both_only = src.replace(
        "token_policies = [narrow]",
        "token_policies = [wide, narrow]",
    );
    let found: Vec<_> = codes(&both_only)
        .into_iter()
        .filter(|(c, _)| *c == SHADOWED_RULE)
        .collect();
    assert_eq!(found.len(), 1, "{found:#?}");
}

/// Bucketing roles by a shared claim finds exactly the overlapping pairs that comparing
/// every pair finds: exact and glob roles, several values, claims of other types, roles
/// lacking the bucketing claim, and roles on another mount.
#[test]
fn candidate_pairs_find_what_every_pair_finds() {
    let projects = ["a", "b", "a", "c", "b"];
    let mut src = String::from(
        "auth jwt ci { jwks_url = \"https://x.example.com/keys\" }\n\
         auth jwt other { jwks_url = \"https://y.example.com/keys\" }\n",
    );
    for (n, p) in projects.iter().enumerate() {
        src.push_str(&format!(
            "workload exact-{n} {{\n  login ci {{ bound_audiences = [\"v\"], user_claim = \"sub\", bound_claims = {{ project = \"{p}\", ref = \"{}\" }} }}\n  read \"x/{n}\"\n}}\n",
            if n % 2 == 0 { "main" } else { "dev" }
        ));
    }
    src.push_str(
        "workload many {\n  login ci { bound_audiences = [\"v\"], user_claim = \"sub\", bound_claims = { project = [\"c\", \"d\"] } }\n  read \"x/m\"\n}\n\
         workload globbed {\n  login ci { bound_audiences = [\"v\"], user_claim = \"sub\", bound_claims_type = \"glob\", bound_claims = { project = \"b*\" } }\n  read \"x/g\"\n}\n\
         workload no-project {\n  login ci { bound_audiences = [\"v\"], user_claim = \"sub\", bound_claims = { ref = \"dev\" } }\n  read \"x/n\"\n}\n\
         workload elsewhere {\n  login other { bound_audiences = [\"v\"], user_claim = \"sub\", bound_claims = { project = \"a\" } }\n  read \"x/e\"\n}\n",
    );
    assert_candidate_pairs_find_every_overlap(&src, 9, 4);
}

/// The same on generated roles: subjects, exact and glob values of one or two claims
/// (short texts, so that one is often a prefix of another), several values, and roles
/// binding neither.
#[test]
fn candidate_pairs_find_every_overlap_of_generated_roles() {
    let mut seed = 0x2545_f491_u64;
    let mut next = |n: u64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) % n
    };
    const TEXTS: [&str; 8] = ["a", "ab", "a*", "ab*", "*", "b", "*b", "a*b"];
    let mut src = String::from("auth jwt ci { jwks_url = \"https://x.example.com/keys\" }\n");
    for n in 0..60 {
        let glob = next(2) == 0;
        let mut fields = vec![
            "bound_audiences = [\"v\"]".to_string(),
            "user_claim = \"sub\"".to_string(),
        ];
        if glob {
            fields.push("bound_claims_type = \"glob\"".to_string());
        }
        if next(3) == 0 {
            let t = TEXTS[next(8) as usize].replace('*', "");
            fields.push(format!("bound_subject = \"{t}\""));
        }
        let mut claims = Vec::new();
        for key in ["project", "sub"] {
            if next(3) == 0 {
                continue;
            }
            let values: Vec<String> = (0..1 + next(2))
                .map(|_| format!("\"{}\"", TEXTS[next(8) as usize]))
                .collect();
            claims.push(format!("{key} = [{}]", values.join(", ")));
        }
        if !claims.is_empty() {
            fields.push(format!("bound_claims = {{ {} }}", claims.join(", ")));
        }
        src.push_str(&format!(
            "workload w{n} {{\n  login ci {{ {} }}\n  read \"x/{n}\"\n}}\n",
            fields.join(", ")
        ));
    }
    assert_candidate_pairs_find_every_overlap(&src, 60, 20);
}

/// Compares `candidate_pairs` with every pair of JWT roles on one mount, counting only
/// pairs that some token logs in to both of.
fn assert_candidate_pairs_find_every_overlap(src: &str, roles: usize, at_least: usize) {
    let program = program(src);
    let ids = identities(&program);
    let jwt: Vec<(&Identity, &JwtBinding)> = ids
        .iter()
        .filter_map(|i| Some((i, i.login.jwt.as_ref()?)))
        .collect();
    assert_eq!(jwt.len(), roles);
    let overlapping = |pairs: Vec<(usize, usize)>| -> Vec<(usize, usize)> {
        pairs
            .into_iter()
            .filter(|&(k, j)| common_token(jwt[k].1, jwt[j].1).is_some())
            .collect()
    };
    let mut every = Vec::new();
    for k in 0..jwt.len() {
        for j in k + 1..jwt.len() {
            let ((a, ab), (b, bb)) = (jwt[k], jwt[j]);
            if a.mount == b.mount && ab.role_type == "jwt" && bb.role_type == "jwt" {
                every.push((k, j));
            }
        }
    }
    let want = overlapping(every);
    assert!(want.len() >= at_least, "{want:?}");
    assert_eq!(overlapping(candidate_pairs(&jwt)), want);
}

#[test]
fn star_in_a_string_bound_claim_is_literal() {
    let got = codes(
        r#"
        auth jwt {
          jwks_url = "https://x.example.com/keys"
          role literal {
            user_claim      = "sub"
            bound_audiences = ["vault"]
            bound_claims    = { ref = ["main", "refs/heads/*"], project = "ml/app" }
          }
          role globbed {
            user_claim        = "sub"
            bound_audiences   = ["vault"]
            bound_claims_type = "glob"
            bound_claims      = { ref = "refs/heads/*", project = "ml/other" }
          }
        }
        "#,
    );
    assert_eq!(
        got,
        [(
            LITERAL_GLOB_CLAIM,
            "bound claim `ref` of `jwt/literal` is compared literally: `refs/heads/*` matches only the text `refs/heads/*`".to_string()
        )]
    );
}

#[test]
fn glob_findings_point_at_the_claim_value_when_the_sources_are_at_hand() {
    let src = r#"
        auth jwt {
          jwks_url = "https://x.example.com/keys"
          role literal {
            user_claim      = "sub"
            bound_audiences = ["*"]
            bound_claims    = { project = "ml/app", ref = ["main", "refs/heads/*"] }
          }
          role any {
            user_claim        = "sub"
            bound_claims_type = "glob"
            bound_audiences   = ["*"]
            bound_claims      = { project = "ml/other", ref = "*" }
          }
        }
        "#;
    let sources = SourceMap::single("main.kp", src);
    let found: Vec<(&str, &str)> = lints_in(&program(src), &sources, target())
        .into_iter()
        .filter(|d| [LITERAL_GLOB_CLAIM, GLOB_MATCHES_ANYTHING].contains(&d.code))
        .map(|d| (d.code, &src[d.span.start..d.span.end]))
        .collect();
    assert_eq!(
        found,
        [
            (LITERAL_GLOB_CLAIM, "\"refs/heads/*\""),
            (GLOB_MATCHES_ANYTHING, "\"*\""),
        ]
    );
    // The `"*"` found is the claim's, not the audience's written before it.
    let any = lints_in(&program(src), &sources, target())
        .into_iter()
        .find(|d| d.code == GLOB_MATCHES_ANYTHING)
        .map(|d| d.span.start);
    assert_eq!(any, src.rfind("\"*\""));
}

/// A deny beside a grant on the same pattern overrides the grant: it is the grant that
/// never takes effect, and removing the deny would open it.
#[test]
fn deny_beside_a_grant_on_the_same_pattern() {
    let workload = codes(
        r#"
        auth approle {}
        workload w {
          login approle { secret_id_ttl = 1m, secret_id_num_uses = 1 }
          read "c"
          deny "c"
        }
        "#,
    );
    let one_rule = codes(
        r#"
        auth approle {}
        policy p {
          path "c" { capabilities = [read, deny] }
        }
        workload w {
          login approle { secret_id_ttl = 1m, secret_id_num_uses = 1, token_policies = [p] }
          read "d"
        }
        "#,
    );
    assert_eq!(
        workload,
        [(
            SHADOWED_RULE,
            "`read` on `c` in workload `w` never takes effect: the same rule denies `c`, and `deny` takes over every capability beside it".to_string()
        )]
    );
    assert_eq!(
        one_rule,
        [(
            SHADOWED_RULE,
            "`read` on `c` in policy `p` never takes effect: the same rule denies `c`, and `deny` takes over every capability beside it".to_string()
        )]
    );
}

/// A LIST of `x/` that finds no exact `x/` rule tries `x` (`docs/acl.md` §3): a deny on
/// `x` then takes over what `x/*` grants there.
#[test]
fn deny_reached_through_the_trailing_slash() {
    let got = codes(
        r#"
        policy p {
          path "x/*" { capabilities = [list] }
          path "x" { capabilities = [deny] }
          path "y/" { capabilities = [list] }
          path "y" { capabilities = [deny] }
          path "z" { capabilities = [read] }
          path "z/" { capabilities = [deny] }
        }
        auth approle {
          role r { token_policies = [p] }
        }
        "#,
    );
    assert_eq!(got, [], "{got:#?}");
}

/// Against the evaluator: wherever the lint finds that a deny meets no grant, adding the
/// deny to an ACL holding the grant changes no answer, for READ and LIST on both servers.
#[test]
fn deny_meets_grant_agrees_with_the_evaluator() {
    use kp_acl::{Acl, Operation, Policy, Rule, Server};
    const SEGS: [&str; 3] = ["a", "b", ""];
    let mut bodies: Vec<Vec<&str>> = vec![vec![]];
    for _ in 0..3 {
        let next: Vec<Vec<&str>> = bodies
            .iter()
            .flat_map(|b| {
                SEGS.iter().chain(&["+"]).map(move |s| {
                    let mut v = b.clone();
                    v.push(*s);
                    v
                })
            })
            .collect();
        bodies.extend(next);
    }
    let mut patterns: Vec<String> = Vec::new();
    for b in bodies.iter().filter(|b| !b.is_empty()) {
        let p = b.join("/");
        if !p.ends_with('+') {
            patterns.push(format!("{p}*"));
        }
        patterns.push(p);
    }
    kp_sort::sort(&mut patterns);
    patterns.dedup();
    let mut paths: Vec<String> = Vec::new();
    let mut level: Vec<String> = SEGS.iter().map(|s| s.to_string()).collect();
    for _ in 0..4 {
        paths.extend(level.iter().cloned());
        level = level
            .iter()
            .flat_map(|p| SEGS.iter().map(move |s| format!("{p}/{s}")))
            .collect();
    }
    paths.extend(["ab", "a/ba", "+", "a/+"].map(String::from));
    let rule = |p: &str, caps: &[&str]| Rule::new(p, caps).unwrap_or_else(|e| panic!("{e}"));
    let acl =
        |rules: Vec<Rule>| Acl::new(&[Policy::new("p", rules)]).unwrap_or_else(|e| panic!("{e}"));
    let lookups = [
        (Operation::Read, Server::Openbao),
        (Operation::List, Server::Openbao),
        (Operation::List, Server::Vault),
    ];
    let (mut apart, mut met) = (0, 0);
    for grant in &patterns {
        let alone = acl(vec![rule(grant, &["read", "list"])]);
        for deny in patterns.iter().filter(|d| *d != grant) {
            if deny_meets_grant(deny, grant) {
                met += 1;
                continue;
            }
            apart += 1;
            let both = acl(vec![rule(grant, &["read", "list"]), rule(deny, &["deny"])]);
            for path in &paths {
                for (op, server) in lookups {
                    // What is granted: a `deny` and no rule grant the same nothing.
                    let granted = |acl: &Acl| {
                        let caps = acl.check(path, op, server).capabilities;
                        (!caps.is_deny()).then_some(caps)
                    };
                    assert_eq!(
                        granted(&both).unwrap_or(kp_acl::Caps::NONE),
                        granted(&alone).unwrap_or(kp_acl::Caps::NONE),
                        "deny {deny:?} changes {path:?} ({op:?}, {server:?}) beside grant {grant:?}"
                    );
                }
            }
        }
    }
    assert!(apart > 1000 && met > 1000, "{apart} apart, {met} met");
}

/// The bypass across policies: the `deny` in one policy, the `list` in another that the
/// same role attaches. Said on Vault only; not for a folder also denied exactly, nor for
/// a `+` pattern (no one folder to ask about).
#[test]
fn list_deny_bypass_across_policies_on_vault_only() {
    let src = r#"
        policy browse {
          path "kv/metadata/*" { capabilities = [list] }
        }
        policy hide {
          path "kv/metadata/private/*" { capabilities = [deny] }
          path "kv/metadata/keys/*" { capabilities = [deny] }
          path "kv/metadata/keys" { capabilities = [deny] }
          path "kv/metadata/+/secret/*" { capabilities = [deny] }
        }
        auth approle {
          role ops {
            token_policies = [browse, hide]
          }
        }
        "#;
    let p = program(src);
    let found = |t: Target| -> Vec<String> {
        lints(&p, t)
            .into_iter()
            .filter(|d| d.code == LIST_DENY_BYPASS)
            .map(|d| d.message)
            .collect()
    };
    assert_eq!(
        found(Target::Vault),
        ["on Vault, the `deny` on `kv/metadata/private/*` in policy `hide` does not stop `approle/ops` listing `kv/metadata/private/`: `kv/metadata/*` matches `kv/metadata/private` first and grants `list`"]
    );
    assert_eq!(found(Target::Openbao), Vec::<String>::new());
    // The fix is written as the rule was: a `path` block in a policy.
    let help = lints(&p, Target::Vault)
        .into_iter()
        .find(|d| d.code == LIST_DENY_BYPASS)
        .and_then(|d| d.help)
        .unwrap_or_default();
    assert!(
        help.contains("`path \"kv/metadata/private\" { capabilities = [deny] }`"),
        "{help}"
    );
}

/// A `sys/` rule that grants no more than the stock `default` policy gives every token on
/// that pattern (an imported policy often repeats them) is nothing privileged; one
/// capability more, or another `sys/` path, is.
#[test]
fn stock_default_grants_under_sys_are_not_privileged() {
    let src = r#"
        policy base {
          path "sys/capabilities-self" { capabilities = [update] }
          path "sys/leases/renew" { capabilities = [update] }
          path "sys/leases/lookup" { capabilities = [read, update] }
          path "sys/mounts" { capabilities = [read] }
        }
        auth approle {
          role app {
            token_policies = [base]
          }
        }
        "#;
    let got: Vec<String> = lints(&program(src), target())
        .into_iter()
        .filter(|d| d.code == PRIVILEGED_GRANT)
        .map(|d| d.message)
        .collect();
    assert_eq!(
        got,
        [
            "policy `base` grants read, update on `sys/leases/lookup`, which reaches `sys/`",
            "policy `base` grants read on `sys/mounts`, which reaches `sys/`",
        ]
    );
}
