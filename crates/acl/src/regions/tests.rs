use std::collections::BTreeSet;

use super::*;
use crate::{Acl, Operation, Policy, Rule, Server};

/// Per pattern, an ACL of that one rule granting read: whether the pattern matches a
/// path is asked of the ACL itself.
fn acls(patterns: &[&str]) -> Vec<Option<Acl>> {
    patterns
        .iter()
        .map(|p| {
            let rule = Rule::new(p, &["read"]).ok()?;
            Acl::new(&[Policy::new("p", vec![rule])]).ok()
        })
        .collect()
}

fn matched_by(acls: &[Option<Acl>], path: &str) -> Vec<usize> {
    (0..acls.len())
        .filter(|&i| {
            acls[i]
                .as_ref()
                .is_some_and(|a| a.check(path, Operation::Read, Server::Openbao).allowed)
        })
        .collect()
}

/// Concrete paths built from the patterns' own segments and a few others, up to one
/// segment longer than the longest pattern.
fn brute_paths(patterns: &[&str]) -> Vec<String> {
    let mut words: Vec<String> = vec![String::new(), "zz".into(), "q".into()];
    for p in patterns {
        for part in p.trim_start_matches('/').split('/') {
            let part = part.trim_end_matches('*');
            for w in [part.to_string(), format!("{part}zz")] {
                if !words.contains(&w) {
                    words.push(w);
                }
            }
        }
    }
    let depth = patterns
        .iter()
        .map(|p| p.split('/').count())
        .max()
        .unwrap_or(0)
        + 1;
    let mut level: Vec<String> = words.clone();
    let mut out = level.clone();
    for _ in 1..depth {
        level = level
            .iter()
            .flat_map(|p| words.iter().map(move |w| format!("{p}/{w}")))
            .collect();
        out.extend(level.iter().cloned());
    }
    // The server drops a request path's leading slashes: such paths are others.
    out.retain(|p| !p.is_empty() && !p.starts_with('/'));
    out
}

fn check(patterns: &[&str]) {
    let found = regions(patterns);
    let acls = acls(patterns);
    for r in &found {
        assert_eq!(
            matched_by(&acls, &r.sample),
            r.patterns,
            "{patterns:?}: sample {:?}",
            r.sample
        );
    }
    let sets: BTreeSet<&Vec<usize>> = found.iter().map(|r| &r.patterns).collect();
    assert_eq!(
        sets.len(),
        found.len(),
        "{patterns:?}: one sample per region"
    );
    for path in brute_paths(patterns) {
        let m = matched_by(&acls, &path);
        assert!(
            m.is_empty() || sets.contains(&m),
            "{patterns:?}: {path:?} matches {m:?}, a region not found in {found:#?}"
        );
    }
}

#[test]
fn the_access_diff_example() {
    let ps = [
        "secret/data/app/*",
        "secret/data/app/+",
        "secret/data/app/+/x",
    ];
    let found = regions(&ps);
    let got: Vec<(&str, &[usize])> = found
        .iter()
        .map(|r| (r.sample.as_str(), r.patterns.as_slice()))
        .collect();
    assert_eq!(
        got,
        [
            ("secret/data/app/a", &[0, 1][..]),
            ("secret/data/app/a/x", &[0, 2][..]),
            ("secret/data/app/a/b", &[0][..]),
        ]
    );
    check(&ps);
}

#[test]
fn known_sets() {
    let sets: &[&[&str]] = &[
        &["a/*", "a/b", "a/+/c"],
        &["a/x*", "a/+/*", "a/xy"],
        &["+/b", "a/+", "a/b/*", "*"],
        &["a/+/c*", "a/b/*", "a/bc/c", "a/"],
        &["/a/b", "a/*/b", "a/+b", "a+/b"],
        &["a/{{identity.entity.id}}", "a/+"],
        &["*", "a", "ab*", "abc", "a/"],
    ];
    for ps in sets {
        check(ps);
    }
}

/// Small random pattern sets (a fixed linear congruential sequence, so failures repeat).
#[test]
fn random_sets_against_brute_force() {
    let atoms = ["a", "b", "+", "ab", ""];
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = |n: usize| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        usize::try_from(seed >> 33).unwrap_or(0) % n
    };
    for _ in 0..150 {
        let count = 1 + next(3);
        let mut set: Vec<String> = Vec::new();
        for _ in 0..count {
            let len = 1 + next(3);
            let mut parts: Vec<&str> = (0..len).map(|_| atoms[next(atoms.len())]).collect();
            let mut p = parts.join("/");
            if next(2) == 0 {
                // `+*` is refused by the server.
                if parts.last() == Some(&"+") {
                    parts.push("");
                    p = parts.join("/");
                }
                p.push('*');
            }
            set.push(p);
        }
        let refs: Vec<&str> = set.iter().map(String::as_str).collect();
        check(&refs);
    }
}
