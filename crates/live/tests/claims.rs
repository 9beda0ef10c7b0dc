//! Claim simulation (`keyplan simulate`) agrees with real logins on OpenBao: for every
//! example with JWT roles, and a program exercising globs, subjects and audience-less
//! roles, a generated set of claims is minted into signed JWTs and each is presented to
//! every role of the mount; the simulation's accept/refuse must match the server's.

// Helpers outside #[test] functions fail the test with their message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use keyplan::ir::{Program, ResourceKind as K};
use serde_json::{json, Map, Value as Json};

/// Globs, list-valued bindings, a JSON-pointer claim, a subject-only role without
/// audiences, a groups claim: the cases the examples do not have.
const GLOBS: &str = r#"
auth jwt ci {
  jwks_url     = "JWKS"
  bound_issuer = "keyplan-test"
  role release {
    user_claim        = "sub"
    bound_audiences   = ["vault", "other"]
    bound_claims_type = "glob"
    bound_claims      = { ref = ["refs/heads/release-*", "refs/tags/v*"], project = "ml/*" }
  }
  role subject {
    user_claim    = "email"
    bound_subject = "repo:ml/app:ref:refs/heads/main"
  }
  role grouped {
    user_claim      = "sub"
    groups_claim    = "groups"
    bound_audiences = ["vault"]
    bound_claims    = { team = "ops" }
  }
  role teams {
    user_claim      = "sub"
    bound_audiences = ["vault"]
    bound_claims    = { team = ["ml", "ops"], "/ctx/env" = "prod" }
  }
}
"#;

/// Claims each role accepts, then variants of each that break or stretch one binding.
fn claim_sets(p: &Program) -> Vec<Map<String, Json>> {
    let mut sets = Vec::new();
    for identity in keyplan::access::identities(p) {
        let Some(b) = identity.login.jwt else {
            continue;
        };
        let mut base = Map::new();
        base.insert(
            "iss".into(),
            json!(b.bound_issuer.clone().unwrap_or("keyplan-test".into())),
        );
        if let Some(aud) = b.bound_audiences.first() {
            base.insert("aud".into(), json!(aud));
        }
        base.insert(
            "sub".into(),
            json!(b.bound_subject.clone().unwrap_or("ci".into())),
        );
        base.insert(b.user_claim.clone(), json!("someone"));
        if let Some(groups) = &b.groups_claim {
            set_claim(&mut base, groups, json!(["ops"]));
        }
        if let Some(s) = &b.bound_subject {
            base.insert("sub".into(), json!(s));
        }
        for (name, values) in &b.bound_claims {
            let v = values.first().cloned().unwrap_or(Json::Null);
            let v = match v.as_str() {
                Some(s) if b.glob => json!(s.replace('*', "x")),
                _ => v,
            };
            set_claim(&mut base, name, v);
        }
        sets.push(base.clone());
        let variant = |f: &dyn Fn(&mut Map<String, Json>)| {
            let mut c = base.clone();
            f(&mut c);
            c
        };
        sets.push(variant(&|c| {
            c.remove("aud");
        }));
        sets.push(variant(&|c| {
            c.insert(
                "aud".into(),
                json!(["elsewhere", c.get("aud").cloned().unwrap_or(json!("x"))]),
            );
        }));
        sets.push(variant(&|c| {
            c.insert("aud".into(), json!("elsewhere"));
        }));
        sets.push(variant(&|c| {
            c.insert("iss".into(), json!("someone-else"));
        }));
        sets.push(variant(&|c| {
            c.remove(&b.user_claim);
        }));
        sets.push(variant(&|c| {
            c.insert(b.user_claim.clone(), json!(42));
        }));
        sets.push(variant(&|c| {
            c.insert("sub".into(), json!("another-subject"));
        }));
        // An empty user name, and registered claims of the wrong JSON type (or null).
        let odd: [(&str, Json); 16] = [
            (&b.user_claim, json!("")),
            (&b.user_claim, json!(" ")),
            (&b.user_claim, json!(true)),
            ("sub", json!(5)),
            ("sub", Json::Null),
            ("iss", json!(5)),
            ("jti", json!(5)),
            ("jti", json!("id-1")),
            ("aud", json!(5)),
            ("aud", json!([5])),
            ("aud", Json::Null),
            ("aud", json!([])),
            ("exp", json!("soon")),
            ("exp", Json::Null),
            ("nbf", json!("2020-01-01")),
            ("iat", json!(true)),
        ];
        for (name, value) in odd {
            sets.push(variant(&|c| {
                c.insert(name.to_string(), value.clone());
            }));
        }
        if let Some(groups) = &b.groups_claim {
            sets.push(variant(&|c| remove(c, groups)));
            let values = [
                json!(null),
                json!(""),
                json!("ops"),
                json!([]),
                json!([""]),
                json!(["ops", 5]),
                json!({"a": 1}),
            ];
            for value in values {
                sets.push(variant(&|c| set_claim(c, groups, value.clone())));
            }
        }
        for (name, values) in &b.bound_claims {
            let first = values.first().cloned().unwrap_or(Json::Null);
            sets.push(variant(&|c| remove(c, name)));
            sets.push(variant(&|c| set_claim(c, name, json!("not-a-bound-value"))));
            // A list claim holding the bound value among others.
            let item = match first.as_str() {
                Some(s) if b.glob => json!(s.replace('*', "yy")),
                _ => first.clone(),
            };
            sets.push(variant(&|c| {
                set_claim(c, name, json!(["other", item.clone()]))
            }));
            // The bound string as a JSON bool or number: a different type.
            if let Some(s) = first.as_str() {
                if let Ok(flag) = s.parse::<bool>() {
                    sets.push(variant(&|c| set_claim(c, name, json!(flag))));
                }
                if let Ok(n) = s.parse::<i64>() {
                    sets.push(variant(&|c| set_claim(c, name, json!(n))));
                }
            }
        }
    }
    sets
}

fn remove(c: &mut Map<String, Json>, name: &str) {
    match name.strip_prefix('/') {
        None => {
            c.remove(name);
        }
        Some(path) => {
            let parts: Vec<&str> = path.split('/').collect();
            let (last, init) = parts.split_last().unwrap();
            let mut at = c;
            for p in init {
                match at.get_mut(*p).and_then(Json::as_object_mut) {
                    Some(next) => at = next,
                    None => return,
                }
            }
            at.remove(*last);
        }
    }
}

#[test]
fn simulation_agrees_with_real_logins() {
    let Some(()) = live() else { return };
    let jwks = Jwks::start();
    let bao = Bao::dev();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut sources: Vec<(String, String)> = std::fs::read_dir(root.join("examples"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "kp"))
        .map(|p| {
            (
                p.display().to_string(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .filter(|(_, src)| src.contains("auth jwt"))
        .collect();
    sources.sort();
    sources.push(("globs".into(), GLOBS.to_string()));
    let (mut logins, mut accepted, mut disagreements) = (0, 0, Vec::new());
    for (name, src) in &sources {
        let p = program_with_jwks(src, &jwks.url);
        let part = jwt_logins(&p, false);
        apply(&bao, &part);
        let mounts: Vec<String> = part
            .resources
            .iter()
            .filter(|r| r.kind == K::AuthMount)
            .map(|r| r.name.to_string())
            .collect();
        for claims in claim_sets(&p) {
            let jwt = jwks.mint(Json::Object(claims.clone()));
            for mount in &mounts {
                let sim = keyplan::access::simulate::simulate(&p, &(&claims).into(), Some(mount));
                for (role, predicted) in sim.accepted.iter().map(|a| (a.role.clone(), None)).chain(
                    sim.refused
                        .iter()
                        .map(|r| (r.role.clone(), Some(r.reason.clone()))),
                ) {
                    let real = bao.jwt_login(mount, &role, &jwt).map(drop);
                    logins += 1;
                    accepted += usize::from(real.is_ok());
                    if real.is_ok() != predicted.is_none() {
                        disagreements.push(format!(
                            "{name}: {mount}/{role} with {}: simulated {:?}, server {:?}",
                            Json::Object(claims.clone()),
                            predicted,
                            real.err()
                        ));
                    }
                }
            }
        }
        for mount in &mounts {
            run(bao.bao_cmd().args(["auth", "disable", mount]));
        }
    }
    eprintln!(
        "claim simulation: {logins} real logins over {} programs, {accepted} accepted, {} disagreements",
        sources.len(),
        disagreements.len()
    );
    assert!(logins >= 200, "only {logins} logins");
    assert!(accepted >= 10, "only {accepted} accepted logins");
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}
