//! `keyplan explain --as` against real logins: for every example with JWT roles, the
//! login part and the policies are applied to one OpenBao, each JWT identity (workload
//! or role) logs in with a JWT minted by the test's key for claims its role accepts, and
//! `sys/capabilities-self` of the token it gets is compared with `explain --as` on a
//! sample of paths derived from the program's rules, the default policy's and others.
//! One dev server and one JWKS endpoint for the whole binary.

// Helpers outside #[test] functions fail the test with their message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeSet;

use common::*;
use keyplan::explain::{explain, ExplainOptions};
use keyplan::ir::{Program, ResourceKind as K};
use serde_json::{json, Map, Value as Json};

/// Claims the role accepts: its issuer, first audience, subject and bound claims.
fn claims_for(b: &keyplan::access::JwtBinding) -> Map<String, Json> {
    let mut c = Map::new();
    c.insert(
        "iss".into(),
        json!(b.bound_issuer.clone().unwrap_or("keyplan-test".into())),
    );
    if let Some(aud) = b.bound_audiences.first() {
        c.insert("aud".into(), json!(aud));
    }
    c.insert(
        "sub".into(),
        json!(b.bound_subject.clone().unwrap_or("ci".into())),
    );
    if b.user_claim != "sub" {
        set_claim(&mut c, &b.user_claim, json!("someone"));
    }
    for (name, values) in &b.bound_claims {
        let v = values.first().cloned().unwrap_or(Json::Null);
        let v = match v.as_str() {
            Some(s) if b.glob => json!(s.replace('*', "x")),
            _ => v,
        };
        set_claim(&mut c, name, v);
    }
    c
}

/// Request paths near each rule (wildcards filled, a level deeper, with and without a
/// trailing slash) and a few the default policy and nothing else decide.
fn sample_paths(p: &Program) -> Vec<String> {
    let mut out: BTreeSet<String> = [
        "auth/token/lookup-self",
        "cubbyhole/notes",
        "sys/capabilities-self",
        "sys/mounts",
        "secret/data/nothing",
        "identity/oidc/provider/p/authorize",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    for policy in keyplan::explain::policies(p) {
        for r in &policy.rules {
            if r.pattern.contains("{{") {
                continue;
            }
            let filled = r.pattern.replace('+', "x");
            match filled.strip_suffix('*') {
                Some(stem) => {
                    out.insert(format!("{stem}k"));
                    out.insert(format!("{stem}k/deeper"));
                    out.insert(format!("{stem}k/"));
                    out.insert(stem.to_string());
                }
                None => {
                    out.insert(format!("{filled}/"));
                    out.insert(format!("{filled}/extra"));
                    out.insert(filled);
                }
            }
        }
    }
    out.retain(|p| !p.is_empty() && !p.contains(','));
    out.into_iter().collect()
}

#[test]
fn explain_agrees_with_real_logins() {
    let Some(()) = live() else { return };
    let start = std::time::Instant::now();
    let jwks = Jwks::start();
    let bao = Bao::dev();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files: Vec<_> = std::fs::read_dir(root.join("examples"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "kp"))
        .collect();
    files.sort();
    let (mut programs, mut logins, mut pairs, mut conditional) = (0, 0, 0, 0);
    let mut disagreements = Vec::new();
    for file in files {
        let src = std::fs::read_to_string(&file).unwrap();
        if !src.contains("auth jwt") {
            continue;
        }
        let p = program_with_jwks(&src, &jwks.url);
        let part = jwt_logins(&p, true);
        apply(&bao, &part);
        programs += 1;
        let paths = sample_paths(&p);
        for identity in keyplan::access::identities(&p) {
            let Some(b) = identity.login.jwt.as_ref().filter(|b| b.role_type == "jwt") else {
                continue;
            };
            let mount = identity.mount.clone().unwrap();
            let jwt = jwks.mint(Json::Object(claims_for(b)));
            let role = identity
                .role
                .as_deref()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap();
            let r = http_post(
                &bao.addr,
                "",
                &format!("auth/{mount}/login"),
                &json!({"role": role, "jwt": jwt}),
            );
            let token = r["auth"]["client_token"]
                .as_str()
                .unwrap_or_else(|| panic!("{}: login as {}: {r}", file.display(), identity.id));
            logins += 1;
            let caps = http_post(
                &bao.addr,
                token,
                "sys/capabilities-self",
                &json!({ "paths": paths }),
            );
            let data = caps["data"].as_object().unwrap_or_else(|| panic!("{caps}"));
            let opts = ExplainOptions {
                as_name: Some(identity.id.clone()),
                policies: None,
            };
            let ours = explain(&p, &paths, &opts, keyplan::Target::Openbao).unwrap();
            for answer in &ours.paths {
                let [a] = answer.identities.as_slice() else {
                    panic!(
                        "--as {} gave {} answers",
                        identity.id,
                        answer.identities.len()
                    )
                };
                // A templated rule renders for the login's entity: not predicted offline.
                if !a.conditional.is_empty() {
                    conditional += 1;
                    continue;
                }
                let mut theirs: Vec<&str> = data[&answer.path]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| c.as_str().unwrap())
                    .collect();
                // explain lists in policy order, the server alphabetically: as sets.
                let mut ours = a.capabilities.clone();
                ours.sort_unstable();
                theirs.sort_unstable();
                pairs += 1;
                if ours != theirs {
                    disagreements.push(format!(
                        "{}: {} on {:?}: explain {:?}, server {theirs:?}",
                        file.display(),
                        identity.id,
                        answer.path,
                        a.capabilities
                    ));
                }
            }
        }
        for r in part.resources.iter().filter(|r| r.kind == K::AuthMount) {
            run(bao.bao_cmd().args(["auth", "disable", &r.name]));
        }
    }
    eprintln!(
        "explain --as: {programs} programs, {logins} real JWT logins, {pairs} (identity, path) pairs agree with sys/capabilities-self ({conditional} templated answers skipped), {:.1?}",
        start.elapsed()
    );
    assert!(
        programs >= 3 && logins >= 5 && pairs >= 100,
        "too few: {programs} {logins} {pairs}"
    );
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}
