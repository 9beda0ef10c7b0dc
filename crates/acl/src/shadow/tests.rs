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

/// Against the evaluator: wherever `narrows(n, b)` says so, `b` matches every path `n`
/// matches and `n` decides each of them with both in one ACL; and where `outranks(w, r)`
/// says so of two globs that match one path, `w` decides it.
#[test]
fn narrows_and_outranks_agree_with_the_evaluator() {
    let patterns = patterns();
    let paths = paths();
    let acl = |rules: &[(&str, &str)]| {
        let rules = rules
            .iter()
            .map(|(p, c)| Rule::new(p, &[*c]).unwrap_or_else(|e| panic!("{e}")))
            .collect();
        Acl::new(&[Policy::new("p", rules)]).unwrap_or_else(|e| panic!("{e}"))
    };
    let decider = |acl: &Acl, path: &str| {
        acl.check(path, Operation::Read, Server::Openbao)
            .decided_by
            .map(|b| b.pattern)
    };
    let (mut narrowing, mut ranked) = (0, 0);
    // Each pattern alone: the paths it matches.
    let matched: Vec<Vec<bool>> = patterns
        .iter()
        .map(|p| {
            let alone = acl(&[(p, "read")]);
            paths.iter().map(|x| decider(&alone, x).is_some()).collect()
        })
        .collect();
    for (n, n_paths) in patterns.iter().zip(&matched) {
        for (b, b_paths) in patterns.iter().zip(&matched) {
            let (pn, pb) = (Pattern::new(n), Pattern::new(b));
            let narrower = narrows(&pn, &pb);
            narrowing += usize::from(narrower);
            let before = outranks(&pn, &pb);
            ranked += usize::from(before);
            let common: Vec<usize> = (0..paths.len())
                .filter(|&i| n_paths[i] && (narrower || (before && b_paths[i])))
                .collect();
            if common.is_empty() {
                continue;
            }
            let both = acl(&[(n, "update"), (b, "read")]);
            for i in common {
                let path = &paths[i];
                assert!(!narrower || b_paths[i], "{b} misses {path} of {n}");
                assert_eq!(
                    decider(&both, path).as_deref(),
                    Some(n.strip_prefix('/').unwrap_or(n)),
                    "{n} over {b} on {path}"
                );
            }
        }
    }
    assert!(
        narrowing >= 200 && ranked >= 200,
        "{narrowing} narrowing, {ranked} ranked"
    );
}

/// `may_contain` lists every rule a pattern narrows.
#[test]
fn the_index_misses_no_broader_rule() {
    let texts = patterns();
    let shapes: Vec<Pattern<'_>> = texts.iter().map(|t| Pattern::new(t)).collect();
    let index = ShadowIndex::new(&shapes);
    let mut candidates = Vec::new();
    for (n, narrow) in shapes.iter().enumerate() {
        index.may_contain(narrow, &mut candidates);
        let every: Vec<usize> = (0..shapes.len())
            .filter(|&b| narrows(narrow, &shapes[b]))
            .collect();
        let asked: Vec<usize> = candidates
            .iter()
            .copied()
            .filter(|&b| narrows(narrow, &shapes[b]))
            .collect();
        assert_eq!(asked, every, "rules broader than {}", texts[n]);
    }
}
