//! The offline ACL evaluator (`kp-acl`, behind `keyplan explain`) against a real OpenBao:
//! a generated corpus of (policy set, path) pairs covering every pattern kind and
//! priority rule, compared with `sys/capabilities` on every pair; then every example's
//! identities compared with `sys/capabilities-self` of a token carrying their policies.
//! One dev server for the whole binary; requests are batched (`paths` lists).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use common::*;
use keyplan::acl::{Acl, PatternKind, Policy, Rule, Server, Step, DEFAULT_POLICY};
use serde_json::{json, Value as Json};

/// The server these tests run: its `default` policy is OpenBao's.
const TARGET: keyplan::Target = keyplan::Target::Openbao;

/// A small deterministic generator (xorshift64*): the corpus is the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Few, overlapping segment names, so that patterns collide and compete.
const SEGS: [&str; 7] = ["a", "b", "ab", "abc", "x", "a+", ""];
const CAPS: [&str; 8] = [
    "create", "read", "update", "delete", "list", "sudo", "patch", "scan",
];

fn segs(rng: &mut Rng, min: usize, max: usize) -> Vec<String> {
    let n = min + rng.below(max - min + 1);
    (0..n).map(|_| rng.pick(&SEGS).to_string()).collect()
}

/// One pattern of every kind the server distinguishes (none with `+*`, which it refuses).
fn pattern(rng: &mut Rng) -> String {
    loop {
        let p = any_pattern(rng);
        if !p.contains("+*") {
            return p;
        }
    }
}

fn any_pattern(rng: &mut Rng) -> String {
    let mut s = segs(rng, 1, 4);
    let mut p = match rng.below(100) {
        // exact, sometimes with a trailing slash
        0..=24 => {
            let mut p = s.join("/");
            if rng.chance(20) {
                p.push('/');
            }
            p
        }
        // prefix glob: after a slash, mid-segment, or everything
        25..=49 => match rng.below(10) {
            0 => "*".to_string(),
            1..=5 => format!("{}/*", s.join("/")),
            _ => format!("{}*", s.join("/")),
        },
        // segment wildcards, with or without a trailing glob
        50..=84 => {
            let k = 1 + rng.below(2);
            for _ in 0..k {
                let i = rng.below(s.len());
                s[i] = "+".into();
            }
            let mut p = s.join("/");
            if rng.chance(35) {
                if p.ends_with('+') {
                    p.push_str("/*");
                } else {
                    p.push('*');
                }
            }
            p
        }
        // `+` inside a segment after a slash: filed as a segment pattern, matched literally
        85..=89 => format!("{}/+b", s.join("/")),
        // identity templates: a token without an entity drops the rule
        90..=94 => format!("{}/{{{{identity.entity.id}}}}", s.join("/")),
        _ => format!("{}/+", s.join("/")),
    };
    if rng.chance(5) {
        p.insert(0, '/');
    }
    p
}

fn capabilities(rng: &mut Rng) -> Vec<&'static str> {
    match rng.below(100) {
        0..=11 => vec!["deny"],
        12..=19 => vec![],
        _ => {
            let n = 1 + rng.below(3);
            let mut v: Vec<&str> = (0..n).map(|_| *rng.pick(&CAPS)).collect();
            v.sort_unstable();
            v.dedup();
            v
        }
    }
}

/// A path a pattern matches (or nearly matches), to exercise each rule at its edges.
fn path_near(rng: &mut Rng, pattern: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    for seg in pattern.trim_start_matches('/').split('/') {
        let seg = if seg == "+" {
            rng.pick(&SEGS).to_string()
        } else if let Some(i) = seg.find("{{") {
            format!("{}{}", &seg[..i], "someid")
        } else {
            seg.to_string()
        };
        out.push(seg);
    }
    let mut p = out.join("/");
    if let Some(stripped) = p.strip_suffix('*') {
        p = stripped.to_string();
        if rng.chance(60) {
            for s in segs(rng, 0, 2) {
                p.push_str(&s);
                if rng.chance(50) {
                    p.push('/');
                }
            }
        }
    }
    match rng.below(10) {
        0..=1 => p.push('/'),
        2 => {
            p.pop();
        }
        3 => p.push_str(SEGS[rng.below(SEGS.len())]),
        _ => {}
    }
    if rng.chance(3) {
        p.insert(0, '/');
    }
    p
}

const DEFAULT_PATHS: [&str; 10] = [
    "auth/token/lookup-self",
    "cubbyhole/",
    "cubbyhole/a/b",
    "cubbyhole",
    "sys/tools/hash",
    "sys/tools/hash/sha2-256",
    "identity/oidc/provider/p/authorize",
    "identity/oidc/provider//authorize",
    "identity/entity/id/someid",
    "sys/capabilities-self",
];

fn hcl(p: &Policy, caps_of: &HashMap<(String, usize), Vec<&'static str>>) -> String {
    p.rules
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let caps: Vec<String> = caps_of[&(p.name.clone(), i)]
                .iter()
                .map(|c| format!("\"{c}\""))
                .collect();
            format!(
                "path \"{}\" {{\n  capabilities = [{}]\n}}\n",
                r.pattern,
                caps.join(", ")
            )
        })
        .collect()
}

fn create_token(bao: &Bao, policies: &[String], no_default: bool) -> String {
    let r = http_post(
        &bao.addr,
        &bao.token,
        "auth/token/create",
        &json!({"policies": policies, "no_default_policy": no_default, "ttl": "1h"}),
    );
    r["auth"]["client_token"]
        .as_str()
        .unwrap_or_else(|| panic!("token create {policies:?}: {r}"))
        .to_string()
}

fn capabilities_of(bao: &Bao, token: &str, paths: &[String]) -> BTreeMap<String, Vec<String>> {
    let r = http_post(
        &bao.addr,
        &bao.token,
        "sys/capabilities",
        &json!({"token": token, "paths": paths}),
    );
    let data = r["data"]
        .as_object()
        .unwrap_or_else(|| panic!("sys/capabilities: {r}"));
    paths
        .iter()
        .map(|p| {
            let caps = data
                .get(p)
                .and_then(Json::as_array)
                .unwrap_or_else(|| panic!("no answer for {p:?}: {r}"))
                .iter()
                .map(|c| c.as_str().unwrap().to_string())
                .collect();
            (p.clone(), caps)
        })
        .collect()
}

#[derive(Default)]
struct Tally {
    pairs: usize,
    sets: usize,
    by: BTreeMap<String, usize>,
}

impl Tally {
    fn count(&mut self, what: &str) {
        *self.by.entry(what.to_string()).or_default() += 1;
    }
}

fn corpus(bao: &Bao) -> Tally {
    let mut rng = Rng(0x6b65_7970_6c61_6e21);
    // A pool of policies, reused across many sets.
    let mut pool: Vec<Policy> = Vec::new();
    let mut caps_of: HashMap<(String, usize), Vec<&'static str>> = HashMap::new();
    for i in 0..140 {
        let name = format!("p{i}");
        let n = 1 + rng.below(6);
        let mut rules = Vec::new();
        for k in 0..n {
            let pat = pattern(&mut rng);
            let caps = capabilities(&mut rng);
            rules.push(Rule::new(&pat, &caps).unwrap());
            caps_of.insert((name.clone(), k), caps);
        }
        // The same pattern in another policy, to exercise merging.
        if i > 0 && rng.chance(40) {
            let other = &pool[rng.below(pool.len())];
            let r = &other.rules[rng.below(other.rules.len())];
            let caps = capabilities(&mut rng);
            rules.push(Rule::new(&r.pattern, &caps).unwrap());
            caps_of.insert((name.clone(), rules.len() - 1), caps);
        }
        let p = Policy::new(name, rules);
        let text = hcl(&p, &caps_of);
        let r = http_post(
            &bao.addr,
            &bao.token,
            &format!("sys/policies/acl/{}", p.name),
            &json!({ "policy": text }),
        );
        assert!(r.get("errors").is_none(), "policy {}: {r}\n{text}", p.name);
        pool.push(p);
    }
    let by_name: HashMap<&str, &Policy> = pool.iter().map(|p| (p.name.as_str(), p)).collect();

    let mut tally = Tally::default();
    for set_no in 0..230 {
        let mut names: Vec<String> = match set_no {
            0 => vec!["root".into()],
            1 => vec![DEFAULT_POLICY.into()],
            _ => {
                let k = 1 + rng.below(3);
                let mut v: Vec<String> = (0..k)
                    .map(|_| pool[rng.below(pool.len())].name.clone())
                    .collect();
                v.sort();
                v.dedup();
                v
            }
        };
        let no_default = set_no > 1 && rng.chance(65);
        if set_no == 2 {
            // A policy the server does not know is skipped, as the evaluator skips it.
            names.push("not-written".into());
        }
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let set =
            keyplan::acl::token_policies(&refs, no_default, TARGET, |n| by_name.get(n).copied());
        let acl = Acl::new(&set).unwrap();
        let token = create_token(bao, &names, no_default);

        let mut paths: BTreeSet<String> = BTreeSet::new();
        let rules: Vec<&Rule> = set.iter().flat_map(|p| &p.rules).collect();
        while paths.len() < 50 {
            let p = match rng.below(100) {
                0..=69 if !rules.is_empty() => {
                    let i = rng.below(rules.len());
                    path_near(&mut rng, &rules[i].pattern)
                }
                70..=79 => rng.pick(&DEFAULT_PATHS).to_string(),
                _ => {
                    let mut p = segs(&mut rng, 1, 5).join("/");
                    if rng.chance(25) {
                        p.push('/');
                    }
                    p
                }
            };
            // The handler splits comma strings; an empty path is refused.
            if !p.is_empty() && !p.contains(',') && p != "capabilities" {
                paths.insert(p);
            }
        }
        let paths: Vec<String> = paths.into_iter().collect();
        let server = capabilities_of(bao, &token, &paths);
        tally.sets += 1;
        for path in &paths {
            let d = acl.capabilities(path, Server::Openbao);
            let ours: Vec<&str> = d.names();
            let theirs = &server[path];
            assert_eq!(
                ours,
                theirs.iter().map(String::as_str).collect::<Vec<_>>(),
                "set {set_no} policies {names:?} no_default={no_default}, path {path:?}\n\
                 evaluator: {d:#?}\npolicies: {set:#?}"
            );
            tally.pairs += 1;
            match &d.decided_by {
                None if d.root => tally.count("root"),
                None => tally.count("no rule matched"),
                Some(by) => {
                    let kind = match by.kind {
                        PatternKind::Exact => "exact",
                        PatternKind::Prefix => "prefix glob",
                        PatternKind::Segment => "segment wildcard",
                        PatternKind::Templated => "templated",
                    };
                    tally.count(&format!("decided by {kind}"));
                    if matches!(by.step, Step::ExactTrimmed | Step::WildcardTrimmed) {
                        tally.count("decided via trailing-slash fallback");
                    }
                    if !by.beaten.is_empty() {
                        tally.count("decided over other matches");
                    }
                    if by.beaten.iter().any(|b| b.capabilities.is_deny()) {
                        tally.count("losing deny ignored");
                    }
                    if by.contributions.len() > 1 {
                        tally.count("merged pattern");
                    }
                    if by.capabilities.is_deny() {
                        tally.count("denied by deny");
                    } else if by.capabilities.is_empty() {
                        tally.count("empty capability list shadows");
                    }
                }
            }
            if !d.conditional.is_empty() {
                tally.count("templated rule conditional (dropped: no entity)");
            }
            if set.iter().any(|p| p.name == DEFAULT_POLICY) {
                tally.count("default policy attached");
            }
        }
    }
    tally
}

/// Every example's identities: a token carrying the same policies, asked about paths
/// derived from the program's rules, the default policy's, and unrelated ones.
fn examples(bao: &Bao) -> (usize, usize, usize) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "kp"))
        .collect();
    files.sort();
    let (mut programs, mut identities, mut pairs) = (0, 0, 0);
    let mut rng = Rng(42);
    for file in files {
        let src = std::fs::read_to_string(&file).unwrap();
        // Policies do not depend on the target, but some examples are Vault-only (AWS);
        // the lookup order is OpenBao's either way, since that is the server here.
        let compiled = [keyplan::Target::Openbao, keyplan::Target::Vault]
            .into_iter()
            .map(|target| keyplan::compile(&src, &keyplan::Options { target }))
            .find(|c| c.program.is_some());
        let Some(program) = compiled.as_ref().and_then(|c| c.program.as_ref()) else {
            panic!("{} does not compile", file.display());
        };
        programs += 1;
        // The policies exactly as `build --emit hcl` writes them.
        let prefix = format!("ex{programs}-");
        let rename = |n: &str| -> String {
            if n == DEFAULT_POLICY || n == "root" {
                n.to_string()
            } else {
                format!("{prefix}{n}")
            }
        };
        for r in &program.resources {
            if r.kind == keyplan::ir::ResourceKind::Policy {
                let doc = r.policy.as_ref().unwrap();
                let resp = http_post(
                    &bao.addr,
                    &bao.token,
                    &format!("sys/policies/acl/{}", rename(&r.name)),
                    &json!({ "policy": doc.to_hcl() }),
                );
                assert!(resp.get("errors").is_none(), "{}: {resp}", r.name);
            }
        }
        let evals = keyplan::explain::evaluators(program, &Default::default(), TARGET).unwrap();
        let rules: Vec<String> = keyplan::explain::policies(program)
            .iter()
            .flat_map(|p| p.rules.iter().map(|r| r.pattern.clone()))
            .collect();
        for ev in evals {
            identities += 1;
            let with_default = ev.identity.policies.iter().any(|p| p == DEFAULT_POLICY);
            let names: Vec<String> = ev
                .identity
                .policies
                .iter()
                .filter(|p| *p != DEFAULT_POLICY)
                .map(|p| rename(p))
                .collect();
            let names = if names.is_empty() && !with_default {
                // A token must carry some policy; this one has none on the server.
                vec![format!("{prefix}none")]
            } else {
                names
            };
            let token = create_token(bao, &names, !with_default);
            let mut paths: BTreeSet<String> = DEFAULT_PATHS.iter().map(|s| s.to_string()).collect();
            for pat in &rules {
                for _ in 0..3 {
                    paths.insert(path_near(&mut rng, pat));
                }
            }
            paths.retain(|p| !p.is_empty() && !p.contains(','));
            let paths: Vec<String> = paths.into_iter().collect();
            let r = http_post(
                &bao.addr,
                &token,
                "sys/capabilities-self",
                &json!({ "paths": paths }),
            );
            let data = r["data"].as_object().unwrap_or_else(|| panic!("{r}"));
            for path in &paths {
                let ours = ev.decision(path, Server::Openbao);
                let theirs: Vec<&str> = data[path]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| c.as_str().unwrap())
                    .collect();
                assert_eq!(
                    ours.names(),
                    theirs,
                    "{}: {} ({}) on {path:?}: {ours:#?}",
                    file.display(),
                    ev.identity.name,
                    ev.identity.kind
                );
                pairs += 1;
            }
        }
    }
    (programs, identities, pairs)
}

#[test]
fn evaluator_agrees_with_openbao() {
    if live().is_none() {
        return;
    }
    let bao = Bao::dev();
    let start = std::time::Instant::now();
    let tally = corpus(&bao);
    eprintln!(
        "corpus: {} (policy set, path) pairs over {} policy sets agree with sys/capabilities ({:.1?})",
        tally.pairs,
        tally.sets,
        start.elapsed()
    );
    for (what, n) in &tally.by {
        eprintln!("  {what}: {n}");
    }
    assert!(tally.pairs >= 10_000);
    // Every pattern kind and priority rule is exercised, not only generated.
    for needed in [
        "decided by exact",
        "decided by prefix glob",
        "decided by segment wildcard",
        "decided via trailing-slash fallback",
        "decided over other matches",
        "losing deny ignored",
        "merged pattern",
        "denied by deny",
        "empty capability list shadows",
        "templated rule conditional (dropped: no entity)",
        "default policy attached",
        "root",
    ] {
        assert!(
            tally.by.get(needed).copied().unwrap_or(0) > 0,
            "corpus never hit: {needed}"
        );
    }
    let (programs, identities, pairs) = examples(&bao);
    eprintln!(
        "examples: {programs} programs, {identities} identities, {pairs} (identity, path) pairs agree with sys/capabilities-self"
    );
    assert!(identities > 0 && pairs > 0);
}
