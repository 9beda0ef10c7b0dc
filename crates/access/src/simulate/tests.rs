use serde_json::json;

use super::*;
use crate::testutil::{example, program};

fn claims(v: Json) -> Map<String, Json> {
    match v {
        Json::Object(m) => m,
        _ => Map::new(),
    }
}

fn run(p: &Program, c: Json) -> (Vec<String>, Vec<(String, String)>) {
    let s = simulate(p, &claims(c), None);
    (
        s.accepted.iter().map(|a| a.identity.clone()).collect(),
        s.refused
            .iter()
            .map(|r| (r.role.clone(), r.reason.clone()))
            .collect(),
    )
}

#[test]
fn pipeline_trainer_token_logs_in_to_trainer_only() {
    let p = example("pipeline.kp");
    let token = json!({
        "iss": "https://gitlab.example.com",
        "aud": "https://vault.example.com",
        "sub": "project_path:ml/trainer:ref_type:branch:ref:main",
        "project_path": "ml/trainer",
        "ref": "main",
        "ref_type": "branch",
        "ref_protected": true,
    });
    let (accepted, refused) = run(&p, token);
    assert_eq!(accepted, ["trainer"]);
    let reasons: Vec<_> = refused
        .iter()
        .map(|(r, why)| format!("{r}: {why}"))
        .collect();
    assert_eq!(
        reasons,
        [
            "feature-builder: claim `project_path` is [\"ml/trainer\"], matching no bound_claims value of [\"ml/features\"]",
            "evaluator: claim `project_path` is [\"ml/trainer\"], matching no bound_claims value of [\"ml/evaluator\"]",
            // A JSON `true` is not the string "true" the role binds.
            "model-publisher: claim `ref_protected` is [true], matching no bound_claims value of [\"true\"]",
        ]
    );
}

#[test]
fn audience_issuer_subject_and_user_claim() {
    let p = program(
        r#"
        auth jwt {
          jwks_url     = "https://x.example.com/keys"
          bound_issuer = "iss1"
          role a {
            role_type       = "jwt"
            user_claim      = "email"
            bound_audiences = ["v1", "v2"]
          }
          role s {
            role_type     = "jwt"
            user_claim    = "sub"
            bound_subject = "me"
          }
          role o {
            role_type             = "oidc"
            allowed_redirect_uris = ["https://x.example.com/cb"]
            user_claim            = "sub"
            bound_audiences       = ["v1"]
          }
        }
        "#,
    );
    let (accepted, refused) = run(
        &p,
        json!({"iss": "iss1", "aud": ["x", "v2"], "sub": "me", "email": "a@b"}),
    );
    assert_eq!(accepted, ["jwt/a"]);
    assert_eq!(
        refused[0].1,
        "audience claim found in JWT but no audiences bound to the role"
    );
    assert!(refused[1].1.starts_with("role with oidc role_type"));

    let (accepted, refused) = run(&p, json!({"iss": "other", "aud": "v1", "email": "a@b"}));
    assert!(accepted.is_empty());
    assert_eq!(
        refused[0].1,
        "`iss` is `\"other\"`, the mount's bound_issuer is `iss1`"
    );

    let (_, refused) = run(&p, json!({"iss": "iss1", "aud": "v3", "email": 5}));
    assert_eq!(
        refused[0].1,
        "`aud` is `\"v3\"`, none of bound_audiences [`v1`, `v2`]"
    );
    let (_, refused) = run(&p, json!({"iss": "iss1", "aud": "v1", "email": 5}));
    assert_eq!(
        refused[0].1,
        "user_claim `email` could not be converted to string"
    );
    let (accepted, refused) = run(&p, json!({"iss": "iss1", "sub": "you"}));
    assert!(accepted.is_empty());
    assert_eq!(refused[1].1, "`sub` is `\"you\"`, bound_subject is `me`");
}

#[test]
fn globs_lists_and_pointers() {
    let p = program(
        r#"
        auth jwt {
          jwks_url = "https://x.example.com/keys"
          role g {
            role_type         = "jwt"
            user_claim        = "sub"
            bound_audiences   = ["v"]
            bound_claims_type = "glob"
            bound_claims      = { ref = "refs/heads/release-*", "/ctx/team" = ["ml-*", "ops"] }
          }
        }
        "#,
    );
    let ok = json!({"aud": "v", "sub": "x", "ref": "refs/heads/release-1", "ctx": {"team": ["web", "ml-core"]}});
    assert_eq!(run(&p, ok).0, ["jwt/g"]);
    let (_, refused) = run(
        &p,
        json!({"aud": "v", "sub": "x", "ref": "refs/heads/main", "ctx": {"team": "ml"}}),
    );
    assert_eq!(
        refused[0].1,
        "claim `/ctx/team` is [\"ml\"], matching no bound_claims glob of [\"ml-*\",\"ops\"]"
    );
    let (_, refused) = run(&p, json!({"aud": "v", "sub": "x", "ctx": {"team": "ops"}}));
    assert_eq!(refused[0].1, "claim `ref` is missing");
}

#[test]
fn go_glob_semantics() {
    let cases = [
        ("", "", true),
        ("", "a", false),
        ("*", "", true),
        ("a*", "abc", true),
        ("*c", "abc", true),
        ("a*c", "abc", true),
        ("a*c", "ac", true),
        ("a*a", "a", false),
        ("*b*", "abc", true),
        ("a*b*c", "acb", false),
        ("abc", "abc", true),
        ("abc", "abcd", false),
    ];
    for (pattern, subject, want) in cases {
        assert_eq!(glob_match(pattern, subject), want, "{pattern} ~ {subject}");
    }
}

#[test]
fn mount_filter() {
    let p = example("pipeline.kp");
    let s = simulate(&p, &Map::new(), Some("elsewhere"));
    assert!(s.accepted.is_empty() && s.refused.is_empty());
    let s = simulate(&p, &Map::new(), Some("gitlab"));
    assert_eq!(s.refused.len(), 4);
}
