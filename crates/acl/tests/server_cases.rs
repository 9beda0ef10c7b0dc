//! The cases of OpenBao's own ACL tests (`internal/vault/policy/acl_test.go`), with the
//! test policies transcribed as data. Old-style `policy = "..."` keywords are expanded as
//! `parsePaths` expands them.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use kp_acl::{Acl, Caps, Operation, Policy, Rule, Server, Target};
use Operation::*;

/// `policy = KW` plus `capabilities = extra`, as the server's parser combines them.
fn legacy(pattern: &str, kw: &str, extra: &[&str]) -> Rule {
    let mut caps: Vec<&str> = extra.to_vec();
    match kw {
        "deny" => caps = vec!["deny"],
        "read" => caps.extend(["read", "list"]),
        "write" => caps.extend(["create", "read", "update", "delete", "list"]),
        "sudo" => caps.extend(["create", "read", "update", "delete", "list", "sudo"]),
        "" => {}
        other => panic!("unknown legacy policy {other}"),
    }
    rule(pattern, &caps)
}

fn rule(pattern: &str, caps: &[&str]) -> Rule {
    Rule::new(pattern, caps).unwrap_or_else(|e| panic!("{e}"))
}

fn acl(policies: &[Policy]) -> Acl {
    Acl::new(policies).unwrap_or_else(|e| panic!("{e}"))
}

/// `aclPolicy` ("DeV").
fn acl_policy() -> Policy {
    Policy::new(
        "dev",
        vec![
            legacy("dev/*", "sudo", &[]),
            legacy("stage/*", "write", &[]),
            legacy("stage/aws/*", "read", &["update", "sudo"]),
            legacy("stage/aws/policy/*", "sudo", &[]),
            legacy("prod/*", "read", &[]),
            legacy("prod/aws/*", "deny", &[]),
            legacy("sys/*", "deny", &[]),
            rule("foo/bar", &["read", "create", "sudo"]),
            rule("baz/quux", &["read", "create", "patch"]),
            rule("test/+/segment", &["read"]),
            rule("+/segment/at/front", &["read"]),
            rule("test/segment/at/end/+", &["read"]),
            rule("test/segment/at/end/v2/+/", &["read"]),
            rule("test/+/wildcard/+/*", &["read"]),
            rule("test/+/wildcardglob/+/end*", &["read"]),
            rule("1/2/*", &["create"]),
            rule("1/2/+", &["read"]),
            rule("1/2/+/+", &["update"]),
            rule("asdf/fdsa", &["scan"]),
        ],
    )
}

/// `aclPolicy2` ("OpS").
fn acl_policy2() -> Policy {
    Policy::new(
        "ops",
        vec![
            legacy("dev/hide/*", "deny", &[]),
            // "This should have no effect": deny wins within the rule.
            legacy("stage/aws/policy/*", "deny", &["read", "update", "sudo"]),
            legacy("prod/*", "write", &[]),
            legacy("sys/seal", "sudo", &[]),
            rule("foo/bar", &["deny"]),
            rule("baz/quux", &["deny"]),
        ],
    )
}

/// `(op, path, allowed, rootPrivs)`: rootPrivs is `sudo` on the deciding rule.
fn run_cases(a: &Acl, cases: &[(Operation, &str, bool, bool)]) {
    for &(op, path, allowed, root_privs) in cases {
        let d = a.check(path, op, Server::Openbao);
        assert_eq!(d.allowed, allowed, "{op:?} {path}: {d:#?}");
        let sudo = d.capabilities.contains(Caps::SUDO) && !d.capabilities.is_deny();
        assert_eq!(sudo, root_privs, "{op:?} {path} sudo: {d:#?}");
    }
}

#[test]
fn capabilities() {
    // TestACL_Capabilities: the root policy, then `aclPolicy` on three paths. The server
    // answers sorted names (capabilities.go sorts them).
    let root = acl(&[Policy::root()]);
    assert_eq!(
        root.capabilities("any/path", Server::Openbao).names(),
        ["root"]
    );
    let a = acl(&[acl_policy()]);
    assert_eq!(a.capabilities("dev", Server::Openbao).names(), ["deny"]);
    assert_eq!(
        a.capabilities("dev/", Server::Openbao).names(),
        ["create", "delete", "list", "read", "sudo", "update"]
    );
    assert_eq!(
        a.capabilities("stage/aws/test", Server::Openbao).names(),
        ["list", "read", "sudo", "update"]
    );
}

#[test]
fn root_with_others_is_refused() {
    assert!(Acl::new(&[Policy::root(), acl_policy()]).is_err());
}

#[test]
fn single() {
    // TestACL_Single.
    let a = acl(&[acl_policy()]);
    run_cases(
        &a,
        &[
            (Read, "root", false, false),
            (Help, "root", true, false),
            (Read, "dev/foo", true, true),
            (Update, "dev/foo", true, true),
            (Delete, "stage/foo", true, false),
            (List, "stage/aws/foo", true, true),
            (Update, "stage/aws/foo", true, true),
            (Update, "stage/aws/policy/foo", true, true),
            (Delete, "prod/foo", false, false),
            (Update, "prod/foo", false, false),
            (Read, "prod/foo", true, false),
            (List, "prod/foo", true, false),
            (Read, "prod/aws/foo", false, false),
            (Read, "foo/bar", true, true),
            (List, "foo/bar", false, true),
            (Update, "foo/bar", false, true),
            (Create, "foo/bar", true, true),
            (Read, "baz/quux", true, false),
            (Create, "baz/quux", true, false),
            (Patch, "baz/quux", true, false),
            (List, "baz/quux", false, false),
            (Update, "baz/quux", false, false),
            (Scan, "baz/quux", false, false),
            (Scan, "asdf/fdsa", true, false),
            (List, "asdf/fdsa", false, false),
            // Path segment wildcards
            (Read, "test/foo/bar/segment", false, false),
            (Read, "test/foo/segment", true, false),
            (Read, "test/bar/segment", true, false),
            (Read, "test/segment/at/frond", false, false),
            (Read, "test/segment/at/front", true, false),
            (Read, "test/segment/at/end/foo", true, false),
            (Read, "test/segment/at/end/foo/", false, false),
            (Read, "test/segment/at/end/v2/foo/", true, false),
            (Read, "test/segment/wildcard/at/foo/", true, false),
            (Read, "test/segment/wildcard/at/end", true, false),
            (Read, "test/segment/wildcard/at/end/", true, false),
            // Path segment wildcards vs glob
            (Read, "1/2/3/4", false, false),
            (Read, "1/2/3", true, false),
            (Update, "1/2/3", false, false),
            (Update, "1/2/3/4", true, false),
            (Create, "1/2/3/4/5", true, false),
        ],
    );
}

#[test]
fn layered_policies_merge() {
    // TestACL_Layered: the same patterns in two policies merge; deny wins.
    let a = acl(&[acl_policy(), acl_policy2()]);
    run_cases(
        &a,
        &[
            (Read, "root", false, false),
            (Help, "root", true, false),
            (Read, "dev/foo", true, true),
            (Update, "dev/foo", true, true),
            (Read, "dev/hide/foo", false, false),
            (Update, "dev/hide/foo", false, false),
            (Delete, "stage/foo", true, false),
            (List, "stage/aws/foo", true, true),
            (Update, "stage/aws/foo", true, true),
            (Update, "stage/aws/policy/foo", false, false),
            (Delete, "prod/foo", true, false),
            (Update, "prod/foo", true, false),
            (Read, "prod/foo", true, false),
            (List, "prod/foo", true, false),
            (Read, "prod/aws/foo", false, false),
            (Read, "sys/status", false, false),
            (Update, "sys/seal", true, true),
            (Read, "foo/bar", false, false),
            (List, "foo/bar", false, false),
            (Update, "foo/bar", false, false),
            (Create, "foo/bar", false, false),
            (Read, "baz/quux", false, false),
            (List, "baz/quux", false, false),
            (Update, "baz/quux", false, false),
            (Create, "baz/quux", false, false),
            (Patch, "baz/quux", false, false),
        ],
    );
    let d = a.capabilities("foo/bar", Server::Openbao);
    let by = d.decided_by.unwrap_or_else(|| panic!("no decider"));
    assert_eq!(
        (by.policy.as_str(), by.pattern.as_str()),
        ("ops", "foo/bar")
    );
    assert_eq!(by.contributions.len(), 2);
}

#[test]
fn merge_within_one_policy() {
    // TestACL_PolicyMerge merges repeated `path` blocks of one policy ("ops"); the
    // capabilities merge as across policies (its parameter and TTL merges are not
    // modelled: sys/capabilities does not look at them).
    let p = Policy::new(
        "ops",
        vec![
            legacy("foo/bar", "write", &[]),
            legacy("foo/bar", "write", &[]),
            rule("x", &["read"]),
            rule("x", &["update"]),
            rule("y", &["read"]),
            rule("y", &["deny"]),
            rule("y", &["update"]),
        ],
    );
    let a = acl(&[p]);
    assert_eq!(
        a.capabilities("foo/bar", Server::Openbao).names(),
        ["create", "delete", "list", "read", "update"]
    );
    assert_eq!(
        a.capabilities("x", Server::Openbao).names(),
        ["read", "update"]
    );
    assert_eq!(a.capabilities("y", Server::Openbao).names(), ["deny"]);
}

#[test]
fn segment_wildcard_priority() {
    // TestACL_SegmentWildcardPriority: each pair has a read rule and an update rule, and
    // the update rule wins alone because it is more specific.
    let cases: &[(&str, &str, &str)] = &[
        ("+/*", "*", "foo/bar/bar/baz"),
        ("+/*", "foo/+/*", "foo/bar/bar/baz"),
        ("foo/+/+/*", "foo/+/bar/baz", "foo/bar/bar/baz"),
        ("foo/+/+/baz", "foo/+/bar/baz", "foo/bar/bar/baz"),
        ("foo/+/(ar/baz", "foo/(ar/+/baz", "foo/(ar/(ar/baz"),
        ("foo/bar/+/baz*", "foo/bar/+/baz", "foo/bar/bar/baz"),
        ("foo/bar/+/b*", "foo/bar/+/ba*", "foo/bar/bar/baz"),
    ];
    for &(read, update, path) in cases {
        for policies in [
            vec![Policy::new(
                "p",
                vec![rule(read, &["read"]), rule(update, &["update"])],
            )],
            // Order of rules and of policies does not matter.
            vec![
                Policy::new("b", vec![rule(update, &["update"])]),
                Policy::new("a", vec![rule(read, &["read"])]),
            ],
        ] {
            let a = acl(&policies);
            for server in [Server::Openbao, Server::Vault] {
                let d = a.check(path, Update, server);
                assert!(d.allowed, "{read} vs {update} on {path}: {d:#?}");
                assert!(!a.check(path, Read, server).allowed, "{read} vs {update}");
                let by = d
                    .decided_by
                    .as_ref()
                    .unwrap_or_else(|| panic!("no decider"));
                assert_eq!(by.pattern, update);
                assert_eq!(by.beaten.len(), 1, "{by:#?}");
                assert_eq!(by.beaten[0].pattern, read);
            }
        }
    }
}

fn list_scan_deny_policy() -> Policy {
    Policy::new(
        "p",
        vec![
            rule("foo/metadata/*", &["list", "scan"]),
            rule("foo/metadata/private/*", &["deny"]),
            rule("foo/metadata/private/granted/*", &["list", "scan"]),
        ],
    )
}

#[test]
fn list_scan_wildcard_deny() {
    // TestACL_ListScanWildcardDeny (openbao#3389): every path gets a trailing "/".
    let cases = [
        ("foo", false),
        ("foo/metadata", true),
        ("foo/metadata/test", true),
        ("foo/metadata/private", false),
        ("foo/metadata/private/internal", false),
        ("foo/metadata/private/granted", true),
        ("foo/metadata/private/granted/test", true),
    ];
    let a = acl(&[list_scan_deny_policy()]);
    for (path, allowed) in cases {
        let path = format!("{path}/");
        for op in [Scan, List] {
            let d = a.check(&path, op, Server::Openbao);
            assert_eq!(d.allowed, allowed, "{op:?} {path}: {d:#?}");
        }
    }
}

#[test]
fn list_fallback_order_differs_by_server() {
    // Before openbao#3389 (and in Vault) LIST tried the trimmed path first, so the
    // parent glob granted LIST on `foo/metadata/private/`.
    let a = acl(&[list_scan_deny_policy()]);
    let path = "foo/metadata/private/";
    assert_eq!(a.capabilities(path, Server::Openbao).names(), ["deny"]);
    let vault = a.capabilities(path, Server::Vault);
    assert_eq!(vault.names(), ["list", "scan"]);
    let by = vault.decided_by.unwrap_or_else(|| panic!("no decider"));
    assert_eq!(by.pattern, "foo/metadata/*");
    assert_eq!(by.step, kp_acl::Step::WildcardTrimmed);
}

#[test]
fn plus_matches_an_empty_segment() {
    let a = acl(&[Policy::new("p", vec![rule("a/+/b", &["read"])])]);
    assert_eq!(a.capabilities("a//b", Server::Openbao).names(), ["read"]);
    assert_eq!(a.capabilities("a/b", Server::Openbao).names(), ["deny"]);
}

#[test]
fn empty_capabilities_win_and_shadow() {
    let a = acl(&[Policy::new(
        "p",
        vec![rule("a/*", &["read"]), rule("a/b/*", &[] as &[&str])],
    )]);
    let d = a.capabilities("a/b/c", Server::Openbao);
    assert_eq!(d.names(), ["deny"]);
    let by = d.decided_by.unwrap();
    assert_eq!(by.pattern, "a/b/*");
    assert!(by.why().contains("grants nothing"), "{}", by.why());
}

#[test]
fn deny_on_a_losing_pattern_is_ignored() {
    let a = acl(&[
        Policy::new("wide", vec![rule("a/*", &["deny"])]),
        Policy::new("narrow", vec![rule("a/b", &["read"])]),
    ]);
    let d = a.capabilities("a/b", Server::Openbao);
    assert_eq!(d.names(), ["read"]);
    let by = d.decided_by.unwrap();
    assert_eq!(by.beaten[0].pattern, "a/*");
    assert!(by.beaten[0].capabilities.is_deny());
}

#[test]
fn templated_rules_are_conditional() {
    let d = acl(&[Policy::default_policy(Target::Openbao)])
        .capabilities("identity/entity/id/e1", Server::Openbao);
    assert_eq!(d.names(), ["deny"]);
    assert_eq!(d.conditional.len(), 1);
    assert_eq!(
        d.conditional[0].pattern,
        "identity/entity/id/{{identity.entity.id}}"
    );
}

#[test]
fn default_policy_and_no_default() {
    let known = |_: &str| None;
    let with = kp_acl::token_policies(&["x"], false, Target::Openbao, known);
    assert_eq!(
        with.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
        ["default"]
    );
    let a = acl(&with);
    assert_eq!(
        a.capabilities("cubbyhole/k", Server::Vault).names(),
        ["create", "delete", "list", "read", "update"]
    );
    assert_eq!(
        a.capabilities("identity/oidc/provider/p/authorize", Server::Vault)
            .names(),
        ["read", "update"]
    );
    assert!(kp_acl::token_policies(&["x"], true, Target::Openbao, known).is_empty());
    let root = kp_acl::token_policies(&["root"], false, Target::Openbao, known);
    assert_eq!(root.len(), 1);
    assert_eq!(
        acl(&root).capabilities("sys/seal", Server::Vault).names(),
        ["root"]
    );
}

/// The stock `default` policy as OpenBao 2.7.2 answers `sys/policies/acl/default` on a
/// fresh dev server (`bao server -dev`), stored verbatim: the constant must list its
/// rules, in its order. Vault's (`vault/policy_store.go`, `defaultPolicy`) is the same
/// text with `sys/renew` and `sys/control-group/request` added.
#[test]
fn default_policy_is_the_servers_text() {
    let text = include_str!("data/openbao-2.7.2-default-policy.hcl");
    // Each `path "P" {` line, then its `capabilities = [...]` line.
    let mut served: Vec<(String, Vec<String>)> = Vec::new();
    for line in text.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("path \"") {
            let pattern = rest.split('"').next().unwrap();
            served.push((pattern.to_string(), Vec::new()));
        } else if let Some(list) = line.strip_prefix("capabilities = [") {
            let caps = list.trim_end_matches(']').split(',');
            served.last_mut().unwrap().1 = caps
                .map(|c| c.trim().trim_matches('"').to_string())
                .collect();
        }
    }
    let stock = |target| -> Vec<(String, Vec<String>)> {
        kp_acl::default_policy_rules(target)
            .map(|(p, caps)| (p.to_string(), caps.iter().map(|c| c.to_string()).collect()))
            .collect()
    };
    assert_eq!(served.len(), 16);
    assert_eq!(stock(Target::Openbao), served);
    // Vault's: OpenBao's with its two more rules where Vault's text has them.
    let mut vault = served.clone();
    let update = || vec!["update".to_string()];
    vault.insert(7, ("sys/renew".into(), update()));
    vault.insert(16, ("sys/control-group/request".into(), update()));
    assert_eq!(vault[6].0, "sys/internal/ui/resultant-acl");
    assert_eq!(vault[8].0, "sys/leases/renew");
    assert_eq!(vault[15].0, "sys/tools/hash/*");
    assert_eq!(vault[17].0, "identity/oidc/provider/+/authorize");
    assert_eq!(stock(Target::Vault), vault);
}

#[test]
fn default_policy_follows_the_product() {
    let known = |_: &str| None;
    for (target, renew) in [(Target::Vault, ["update"]), (Target::Openbao, ["deny"])] {
        let a = acl(&kp_acl::token_policies(&["x"], false, target, known));
        // Server::Vault is also OpenBao before 2.6: the policy text follows the target,
        // whichever lookup order is asked.
        for server in [Server::Vault, Server::Openbao] {
            for path in ["sys/renew", "sys/control-group/request"] {
                assert_eq!(
                    a.capabilities(path, server).names(),
                    renew,
                    "{target} {path}"
                );
            }
            assert_eq!(
                a.capabilities("sys/leases/renew", server).names(),
                ["update"]
            );
        }
    }
}
