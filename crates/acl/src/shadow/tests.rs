use super::*;
use crate::{Acl, Operation, Policy, Rule, Server};

#[test]
fn known_cases() {
    use Criterion::*;
    let cases: [(&str, &str, Option<Criterion>); 14] = [
        // A prefix beats segment globs whose first `+` sits where its `*` starts.
        ("a/*", "a/+/*", Some(FewerWildcards)),
        (
            "secret/data/*",
            "secret/data/+/admin/*",
            Some(FewerWildcards),
        ),
        ("a/+/*", "a/+/b/+/*", Some(FewerWildcards)),
        // A later wildcard wins, but only over what it contains.
        ("a/b/+/*", "a/+/+/*", None),
        ("a/+/*", "+/+/*", None),
        // The more specific pattern wins: nothing is shadowed.
        ("a/+/*", "a/+/+", None),
        ("a/*", "a/+", None),
        ("a/*", "a/b*", None),
        ("a/b*", "a/*", None),
        ("+/*", "a/+/*", None),
        // Same pattern: merged, not shadowed; exact rules never lose.
        ("a/*", "/a/*", None),
        ("a/*", "a/b", None),
        ("a/{{identity.entity.id}}", "a/+", None),
        ("a/+/*", "a/{{identity.entity.id}}/*", None),
    ];
    for (w, r, want) in cases {
        assert_eq!(shadows(w, r), want, "{w} over {r}");
    }
}

/// Few segment names, so that patterns collide.
const SEGS: [&str; 4] = ["a", "b", "ab", ""];

fn patterns() -> Vec<String> {
    let mut bodies: Vec<Vec<&str>> = vec![vec![]];
    for _ in 0..3 {
        let mut next = Vec::new();
        for b in &bodies {
            for s in SEGS.iter().chain(&["+"]) {
                let mut v = b.clone();
                v.push(*s);
                next.push(v);
            }
        }
        bodies.extend(next);
    }
    let mut out = Vec::new();
    for b in bodies.iter().filter(|b| !b.is_empty()) {
        let p = b.join("/");
        out.push(p.clone());
        if !p.ends_with('+') {
            out.push(format!("{p}*"));
        }
    }
    kp_sort::sort(&mut out);
    out.dedup();
    out
}

fn paths() -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut level: Vec<String> = SEGS.iter().map(|s| s.to_string()).collect();
    for _ in 0..4 {
        out.extend(level.iter().cloned());
        level = level
            .iter()
            .flat_map(|p| SEGS.iter().map(move |s| format!("{p}/{s}")))
            .collect();
    }
    out.extend(["abb", "a/bb", "a/abx/b"].map(String::from));
    out
}

/// Against the evaluator: wherever `shadows` says so, the loser never decides a path
/// it matches, for READ and for LIST on both servers.
#[test]
fn agrees_with_the_evaluator() {
    let patterns = patterns();
    let paths = paths();
    let alone: Vec<(String, Acl)> = patterns
        .iter()
        .filter_map(|p| {
            let rule = Rule::new(p, &["read"]).ok()?;
            Some((p.clone(), Acl::new(&[Policy::new("r", vec![rule])]).ok()?))
        })
        .collect();
    let mut found = 0;
    for (w, _) in &alone {
        for (r, r_alone) in &alone {
            let Some(_) = shadows(w, r) else { continue };
            found += 1;
            let Ok(both) = Acl::new(&[
                Policy::new(
                    "w",
                    vec![Rule::new(w, &["update"]).unwrap_or_else(|e| panic!("{e}"))],
                ),
                Policy::new(
                    "r",
                    vec![Rule::new(r, &["read"]).unwrap_or_else(|e| panic!("{e}"))],
                ),
            ]) else {
                panic!("acl of {w}, {r}")
            };
            for path in &paths {
                for (op, server) in [
                    (Operation::Read, Server::Openbao),
                    (Operation::List, Server::Openbao),
                    (Operation::List, Server::Vault),
                ] {
                    if r_alone.check(path, op, server).decided_by.is_none() {
                        continue;
                    }
                    let d = both.check(path, op, server);
                    let by = d.decided_by.map(|b| b.pattern);
                    assert_eq!(
                        by.as_deref(),
                        Some(w.strip_prefix('/').unwrap_or(w)),
                        "{w} should shadow {r} on {path:?} ({op:?}, {server:?})"
                    );
                }
            }
        }
    }
    assert!(found >= 50, "only {found} shadowing pairs");
}

/// The index finds every rule that shadows a loser (over every pair of the patterns,
/// each also written with a leading `/`): asking only its candidates gives the answers
/// of asking every rule.
#[test]
fn the_index_misses_no_winner() {
    let mut texts = patterns();
    texts.extend(texts.clone().iter().map(|p| format!("/{p}")));
    texts.push("a/{{identity.entity.id}}/*".to_string());
    let shapes: Vec<Pattern<'_>> = texts.iter().map(|t| Pattern::new(t)).collect();
    let index = ShadowIndex::new(&shapes);
    let mut candidates = Vec::new();
    let mut found = 0;
    for (r, loser) in shapes.iter().enumerate() {
        index.may_shadow(loser, &mut candidates);
        let every: Vec<usize> = (0..shapes.len())
            .filter(|&w| shadows_pattern(&shapes[w], loser).is_some())
            .collect();
        found += every.len();
        let asked: Vec<usize> = candidates
            .iter()
            .copied()
            .filter(|&w| shadows_pattern(&shapes[w], loser).is_some())
            .collect();
        assert_eq!(asked, every, "winners over {}", texts[r]);
    }
    assert!(found > 200, "pairs found: {found}");
}
