use serde_json::{json, Value as Json};

use super::*;
use crate::testutil::{example, program};

fn claims(v: serde_json::Value) -> Map {
    match v {
        serde_json::Value::Object(m) => Map::from(&m),
        _ => Map::new(),
    }
}

fn run(p: &Program, c: serde_json::Value) -> (Vec<String>, Vec<(String, String)>) {
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
            "feature-builder: claim `project_path` is \"ml/trainer\", matching no bound_claims value of [\"ml/features\"]",
            "evaluator: claim `project_path` is \"ml/trainer\", matching no bound_claims value of [\"ml/evaluator\"]",
            // A JSON `true` is not the string "true" the role binds.
            "model-publisher: claim `ref_protected` is true, matching no bound_claims value of [\"true\"]",
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

/// The QA programs 05 and 06: a role on the user claim `email`, bound to an audience.
const EMAIL_ROLE: &str = r#"
    auth jwt ci { jwks_url = "https://ci.example.com/jwks" }
    workload w {
      login ci { bound_audiences = ["vault"], user_claim = "email" }
      read "secret/data/w"
    }
    "#;

#[test]
fn an_empty_user_name_is_refused_last() {
    let p = program(EMAIL_ROLE);
    let (accepted, refused) = run(&p, json!({"aud": "vault", "email": ""}));
    assert!(accepted.is_empty());
    assert_eq!(
        refused[0].1,
        "user_claim `email` is empty: the server refuses a login without a user name (\"missing name in alias\")"
    );
    // Blank is a name; and a token refused for another reason gives that one.
    assert_eq!(run(&p, json!({"aud": "vault", "email": " "})).0, ["w"]);
    let (_, refused) = run(&p, json!({"aud": "other", "email": ""}));
    assert!(refused[0].1.starts_with("`aud` is"), "{}", refused[0].1);
}

#[test]
fn registered_claims_of_another_json_type_refuse_every_role() {
    let p = program(EMAIL_ROLE);
    let base = json!({"aud": "vault", "email": "a@example.com"});
    let with = |name: &str, value: Json| {
        let mut c = base.clone();
        c[name] = value;
        c
    };
    assert_eq!(run(&p, base.clone()).0, ["w"]);
    let refused = [
        ("sub", json!(5), "`sub` is `5`, not a string"),
        ("iss", json!(true), "`iss` is `true`, not a string"),
        ("jti", json!(["a"]), "`jti` is `[\"a\"]`, not a string"),
        (
            "exp",
            json!("soon"),
            "`exp` is `\"soon\"`, not a number (a NumericDate)",
        ),
        (
            "nbf",
            json!({}),
            "`nbf` is `{}`, not a number (a NumericDate)",
        ),
        (
            "iat",
            json!(false),
            "`iat` is `false`, not a number (a NumericDate)",
        ),
        (
            "aud",
            json!(5),
            "`aud` is `5`, not a string or a list of strings",
        ),
        (
            "aud",
            json!(["vault", 5]),
            "`aud` is `[\"vault\",5]`, not a string or a list of strings",
        ),
        // `aud` alone reads null as a value, and refuses it.
        (
            "aud",
            Json::Null,
            "`aud` is `null`, not a string or a list of strings",
        ),
    ];
    for (name, value, reason) in refused {
        let (accepted, refused) = run(&p, with(name, value));
        assert!(accepted.is_empty(), "{name}");
        assert_eq!(
            refused[0].1,
            format!("{reason}: the server cannot read the token's registered claims")
        );
    }
    // Null reads as absent; a number is any NumericDate (expiry is not simulated).
    for (name, value) in [
        ("sub", Json::Null),
        ("exp", Json::Null),
        ("exp", json!(1.5)),
        ("jti", json!("j")),
    ] {
        assert_eq!(run(&p, with(name, value)).0, ["w"], "{name}");
    }
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
        "claim `/ctx/team` is \"ml\", matching no bound_claims glob of [\"ml-*\",\"ops\"]"
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

/// The comparison before `claim_integer`: the claim's integer or truncated float as text,
/// against the expected number's text.
fn same_as_text(expected: &Json, actual: &Json) -> bool {
    match (expected, actual) {
        (Json::Number(e), Json::Number(a)) => {
            let claim = a
                .as_i64()
                .map(|n| n.to_string())
                .or_else(|| a.as_f64().map(|f| format!("{}", f.trunc())));
            claim.as_deref() == Some(&e.to_string())
        }
        (e, a) => e == a,
    }
}

#[test]
fn numeric_claims_compare_as_their_integer_text() {
    let numbers = [
        "0",
        "-0",
        "0.0",
        "-0.0",
        "0.5",
        "-0.5",
        "-0.99",
        "1",
        "-1",
        "1.0",
        "1.9",
        "-1.9",
        "42",
        "42.7",
        "-42.7",
        "1e2",
        "100",
        "100.0",
        "1.5e1",
        "15",
        // Around 2^53, where floats stop holding every integer.
        "9007199254740992",
        "9007199254740993",
        "9007199254740992.0",
        "9007199254740993.0",
        "9007199254740994",
        "-9007199254740993",
        "-9007199254740993.0",
        // Around i64 and u64 bounds: u64s over i64::MAX compare after rounding to f64.
        "9223372036854775807",
        "9223372036854775808",
        "9223372036854775807.0",
        "-9223372036854775808",
        "-9223372036854775809",
        "-9223372036854775808.0",
        "18446744073709551615",
        "18446744073709551616",
        "18446744073709551615.0",
        "18446744073709549568",
        "18446744073709551616.0",
        "1e19",
        "1e20",
        "1e300",
        "-1e300",
        "1.7976931348623157e308",
        "170141183460469231731687303715884105728",
        "170141183460469231731687303715884105727.0",
        "3.5e-10",
        "-3.5e-10",
    ];
    let values: Vec<Json> = numbers
        .iter()
        .map(|n| serde_json::from_str(n).unwrap_or_else(|e| panic!("{n}: {e}")))
        .collect();
    let mut matched = 0;
    for (i, expected) in values.iter().enumerate() {
        for (j, actual) in values.iter().enumerate() {
            let want = same_as_text(expected, actual);
            assert_eq!(
                same_claim(expected, actual),
                want,
                "expected {} against claim {}",
                numbers[i],
                numbers[j]
            );
            matched += usize::from(want);
        }
    }
    // Not only mismatches: equal integers, truncated floats and large values match.
    assert!(matched >= 20, "{matched}");
    let number = |n: &str| serde_json::from_str::<Json>(n).unwrap_or_default();
    assert!(same_claim(
        &number("9007199254740993"),
        &number("9007199254740993")
    ));
    assert!(same_claim(&number("42"), &number("42.7")));
    assert!(same_claim(&number("-42"), &number("-42.7")));
    assert!(!same_claim(&number("0"), &number("-0.5")));
    // 2^63 as a float is written 9223372036854776000.
    assert!(same_claim(
        &number("9223372036854776000"),
        &number("9223372036854775808")
    ));
    assert!(!same_claim(
        &number("9223372036854775808"),
        &number("9223372036854775808")
    ));
}

/// `shortest_integer` against float formatting itself, on integral floats where the
/// shortest digits differ from the exact value: from 2^53 to 2^64 (beyond it no claim
/// equals a JSON integer), on powers of ten and their neighbours, and on a spread of bit
/// patterns.
#[test]
fn shortest_integer_writes_what_float_formatting_writes() {
    let mut floats = Vec::new();
    for exp in 15..20 {
        let power = 10_f64.powi(exp);
        floats.extend([power, power.next_up(), power.next_down()]);
    }
    let (low, high) = (2_f64.powi(53).to_bits(), 2_f64.powi(64).to_bits());
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    for _ in 0..200_000 {
        // xorshift: deterministic, spread over the range's bit patterns.
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        floats.push(f64::from_bits(low + state % (high - low)));
    }
    for k in 53..64 {
        let power = 2_f64.powi(k);
        floats.extend([power, power.next_up(), power.next_down()]);
    }
    floats.push(2_f64.powi(64).next_down());
    for f in floats {
        let f = f.trunc();
        assert_eq!(
            shortest_integer(f as u64).to_string(),
            format!("{f}"),
            "{f:e}"
        );
    }
}

/// `getClaim` makes a claim that is a number the `json.Number` the role's values are,
/// but not the numbers inside a list claim: those stay `float64` and equal nothing.
#[test]
fn a_number_in_a_list_claim_never_matches() {
    let p = program(
        r#"
        auth jwt {
          jwks_url = "https://x.example.com/keys"
          role n {
            user_claim      = "sub"
            bound_audiences = ["v"]
            bound_claims    = { project_id = 42, admin = true }
          }
        }
        "#,
    );
    let base = json!({"aud": "v", "sub": "x", "project_id": 42, "admin": true});
    assert_eq!(run(&p, base.clone()).0, ["jwt/n"]);
    let mut listed = base.clone();
    listed["project_id"] = json!([7, 42]);
    let (accepted, refused) = run(&p, listed);
    assert!(accepted.is_empty());
    assert_eq!(
        refused[0].1,
        "claim `project_id` is [7,42], matching no bound_claims value of [42]"
    );
    // A bool (or string) in a list is compared as itself.
    let mut flags = base;
    flags["admin"] = json!([false, true]);
    assert_eq!(run(&p, flags).0, ["jwt/n"]);
}

/// `extractMetadata`: a claim `claim_mappings` reads must be a string when present.
#[test]
fn claim_mappings_of_a_non_string_claim_refuse_the_login() {
    let p = program(
        r#"
        auth jwt {
          jwks_url = "https://x.example.com/keys"
          role m {
            user_claim      = "sub"
            bound_audiences = ["v"]
            claim_mappings  = { "/project/id" = "project_id", ref = "ref" }
          }
        }
        "#,
    );
    // Absent or null mapped claims are skipped.
    assert_eq!(run(&p, json!({"aud": "v", "sub": "x"})).0, ["jwt/m"]);
    let ok = json!({"aud": "v", "sub": "x", "ref": "main", "project": {"id": "42"}});
    assert_eq!(run(&p, ok).0, ["jwt/m"]);
    assert_eq!(
        run(&p, json!({"aud": "v", "sub": "x", "ref": null})).0,
        ["jwt/m"]
    );
    let (accepted, refused) = run(
        &p,
        json!({"aud": "v", "sub": "x", "ref": "main", "project": {"id": 42}}),
    );
    assert!(accepted.is_empty());
    assert_eq!(
        refused[0].1,
        "claim_mappings reads `/project/id`, which is `42`, not a string: the server refuses the login (\"error converting claim '/project/id' to string\")"
    );
    let (_, refused) = run(&p, json!({"aud": "v", "sub": "x", "ref": ["main"]}));
    assert!(
        refused[0].1.starts_with("claim_mappings reads `ref`"),
        "{}",
        refused[0].1
    );
}

/// `user_claim_json_pointer` reads the claim through `getClaim`: a pointer when it starts
/// with `/`, else the claim of that name.
#[test]
fn a_user_claim_pointer_without_a_slash_is_a_claim_name() {
    let p = program(
        r#"
        auth jwt {
          jwks_url = "https://x.example.com/keys"
          role n {
            user_claim              = "sub"
            user_claim_json_pointer = true
            bound_audiences         = ["v"]
          }
          role q {
            user_claim              = "/user/name"
            user_claim_json_pointer = true
            bound_audiences         = ["v"]
          }
        }
        "#,
    );
    let (accepted, refused) = run(&p, json!({"aud": "v", "sub": "me", "user": {"name": "me"}}));
    assert_eq!(accepted, ["jwt/n", "jwt/q"], "{refused:?}");
    let (_, refused) = run(&p, json!({"aud": "v", "user": {"name": "me"}}));
    assert_eq!(
        refused,
        [(
            "n".to_string(),
            "user_claim `sub` not found in token".to_string()
        )]
    );
}

/// A role without `bound_audiences` refuses a token with any audience, an empty string
/// too: `getClaim` makes `"aud": ""` the list `[""]`, which is not empty.
#[test]
fn an_empty_string_audience_is_an_audience() {
    let p = program(
        r#"
        auth jwt {
          jwks_url = "https://x.example.com/keys"
          role s {
            user_claim    = "sub"
            bound_subject = "me"
          }
        }
        "#,
    );
    assert_eq!(run(&p, json!({"sub": "me"})).0, ["jwt/s"]);
    assert_eq!(run(&p, json!({"sub": "me", "aud": []})).0, ["jwt/s"]);
    for aud in [json!(""), json!("x"), json!(["x"])] {
        let (accepted, refused) = run(&p, json!({"sub": "me", "aud": aud}));
        assert!(accepted.is_empty(), "{aud}");
        assert_eq!(
            refused[0].1,
            "audience claim found in JWT but no audiences bound to the role"
        );
    }
}

#[test]
fn audiences_read_at_apply_time_may_be_any_and_are_said_to_be_assumed() {
    // QA: a role whose `bound_audiences` come from env(...) was refused with "no
    // audiences bound to the role".
    let p = program(
        r#"
        auth jwt ci { jwks_url = "https://x.example.com/keys" }
        workload w {
          login ci { user_claim = "sub", bound_audiences = [env("AUD")] }
          read "x/*"
        }
        workload v {
          login ci { user_claim = "sub", bound_audiences = ["vault", env("AUD2")] }
          read "y/*"
        }
        "#,
    );
    let s = simulate(&p, &claims(json!({"sub": "s", "aud": "other"})), None);
    let assumed: Vec<(&str, &[String])> = s
        .accepted
        .iter()
        .map(|a| (a.identity.as_str(), a.assuming.as_slice()))
        .collect();
    assert_eq!(
        assumed,
        [
            (
                "w",
                &["`aud` holds the value of env(AUD), read when applying".to_string()][..]
            ),
            (
                "v",
                &["`aud` holds the value of env(AUD2), read when applying".to_string()][..]
            ),
        ]
    );
    // A known audience that matches needs no assumption.
    let s = simulate(&p, &claims(json!({"sub": "s", "aud": "vault"})), None);
    let v = s.accepted.iter().find(|a| a.identity == "v").unwrap();
    assert!(v.assuming.is_empty());
    // No audience at all matches none, known or not.
    let (accepted, refused) = run(&p, json!({"sub": "s"}));
    assert!(accepted.is_empty());
    assert_eq!(
        refused,
        [
            (
                "w".to_string(),
                "`aud` is missing, none of bound_audiences [`env(AUD)`]".to_string()
            ),
            (
                "v".to_string(),
                "`aud` is missing, none of bound_audiences [`vault`, `env(AUD2)`]".to_string()
            ),
        ]
    );
}

#[test]
fn subject_and_claims_read_at_apply_time_are_assumed_when_present() {
    let p = program(
        r#"
        auth jwt ci { jwks_url = "https://x.example.com/keys" }
        workload w {
          login ci {
            user_claim      = "sub"
            bound_audiences = ["vault"]
            bound_subject   = env("SUBJECT")
            bound_claims    = { project = env("PROJECT"), ref = ["main", env("REF")] }
          }
          read "x/*"
        }
        "#,
    );
    let s = simulate(
        &p,
        &claims(json!({"sub": "s", "aud": "vault", "project": "p", "ref": "main"})),
        None,
    );
    assert_eq!(
        s.accepted[0].assuming,
        [
            "`sub` holds the value of env(SUBJECT), read when applying",
            "claim `project` holds the value of env(PROJECT), read when applying",
        ]
    );
    // `ref` matched no known value: then it is assumed too.
    let s = simulate(
        &p,
        &claims(json!({"sub": "s", "aud": "vault", "project": "p", "ref": "dev"})),
        None,
    );
    assert_eq!(s.accepted[0].assuming.len(), 3);
    // What is missing is missing, known or not.
    let (_, refused) = run(&p, json!({"aud": "vault", "project": "p", "ref": "main"}));
    assert_eq!(
        refused[0].1,
        "`sub` is missing, bound_subject is env(SUBJECT)"
    );
    let (_, refused) = run(&p, json!({"sub": "s", "aud": "vault", "ref": "main"}));
    assert_eq!(refused[0].1, "claim `project` is missing");
}

/// [`same`] with the claim given as serde_json reads it.
fn same_claim(expected: &Json, actual: &Json) -> bool {
    same(expected, &crate::json::Value::from(actual))
}

/// The notes of [`simulate_at`] at `now`, for the default leeways (a role without any).
fn notes_at(c: serde_json::Value, now: i64) -> Vec<String> {
    let p = program(
        r#"
        auth jwt ci { jwks_url = "https://ci.example.com/keys" }
        workload w {
          login ci { bound_audiences = ["vault"], user_claim = "sub" }
          read "secret/data/w/*"
        }
        "#,
    );
    simulate_at(&p, &claims(c), None, now).1
}

/// With the server's default leeways (`hashicorp/cap`: 60s clock skew, 150s for a
/// token without `exp`, or without `nbf` and `iat`), a token every role refuses for its
/// time claims gets one note, and the role is judged on its bindings as if current.
#[test]
fn time_claims_every_role_refuses_are_noted() {
    let notes = |c| notes_at(c, 1_000_000);
    assert_eq!(notes(json!({"exp": 1_000_100})), Vec::<String>::new());
    // Within the 60s clock skew either way.
    assert!(notes(json!({"exp": 999_941})).is_empty());
    assert!(notes(json!({"nbf": 1_000_059, "exp": 1_000_600})).is_empty());
    let expired = notes(json!({"exp": 999_939, "iat": 999_000}));
    assert!(
        expired[0].starts_with("the token expired 1m ago (`exp`): the server refuses it whatever the role (\"token is expired\"); the roles below are judged on their bindings as if it were current"),
        "{expired:?}"
    );
    let long_ago = notes(json!({"exp": 1000}));
    assert!(
        long_ago[0].starts_with("the token expired 11d ago"),
        "{long_ago:?}"
    );
    // Without `exp`, the token lives 150s after its `iat`.
    assert!(notes(json!({"iat": 999_800})).is_empty());
    let derived = notes(json!({"iat": 999_700}));
    assert!(
        derived[0].contains("no `exp`: its `iat`/`nbf` plus 150s"),
        "{derived:?}"
    );
    let early = notes(json!({"nbf": 1_007_200, "exp": 1_010_000}));
    assert!(
        early[0].starts_with("the token is not valid for another 2h"),
        "{early:?}"
    );
    // A far `exp` alone starts 150s before it.
    let far = notes(json!({"exp": 1_100_000}));
    assert!(
        far[0].starts_with(
            "the token is not valid for another 1d (no `nbf` or `iat`: its `exp` minus 150s)"
        ),
        "{far:?}"
    );
    let future = notes(json!({"iat": 1_000_061, "nbf": 999_000, "exp": 1_010_000}));
    assert!(future[0].contains("issued 1m in the future"), "{future:?}");
    assert!(notes(json!({"exp": "soon"})).is_empty());
    for none in [json!({}), json!({"exp": null, "iat": 0})] {
        assert!(notes(none)[0].starts_with("the token has no `exp`, `nbf` or `iat`"));
    }
}

/// A role's own leeways decide its time checks, as on OpenBao 2.7.2 (real logins with
/// tokens signed for the test): `clock_skew_leeway = -1` refused a token whose `nbf` was
/// 30s ahead, or whose `exp` was 30s past, that a role at the defaults accepted;
/// `clock_skew_leeway = 120` accepted one 90s expired; `expiration_leeway = 60` refused
/// a token without `exp` issued 200s before, which the default 150s accepted. A role
/// whose leeways refuse the token is refused for it, with no note (the others do not).
#[test]
fn each_roles_leeways_decide_its_time_checks() {
    let p = program(
        r#"
        auth jwt ci { jwks_url = "https://ci.example.com/keys" }
        workload dflt {
          login ci { bound_audiences = ["vault"], user_claim = "sub" }
          read "kv/a"
        }
        workload strict {
          login ci {
            bound_audiences   = ["vault"]
            user_claim        = "sub"
            clock_skew_leeway = -1
            expiration_leeway = -1
            not_before_leeway = -1
          }
          read "kv/b"
        }
        workload loose {
          login ci {
            bound_audiences   = ["vault"]
            user_claim        = "sub"
            clock_skew_leeway = 120
            expiration_leeway = 60
            not_before_leeway = 200
          }
          read "kv/c"
        }
        "#,
    );
    let now = 1_000_000;
    let at = |c: serde_json::Value| {
        let mut c = c;
        c["sub"] = json!("s");
        if c.get("aud").is_none() {
            c["aud"] = json!("vault");
        }
        let (s, notes) = simulate_at(&p, &claims(c), None, now);
        let accepted: Vec<String> = s.accepted.iter().map(|a| a.role.clone()).collect();
        let refused: Vec<String> = s
            .refused
            .iter()
            .map(|r| format!("{}: {}", r.role, r.reason))
            .collect();
        (accepted, refused, notes)
    };
    let (accepted, refused, notes) = at(json!({"nbf": now + 30, "exp": now + 600}));
    assert_eq!(accepted, ["dflt", "loose"]);
    assert_eq!(
        refused,
        ["strict: the token is not valid for another 30s (`nbf`), with this role's leeways: the server refuses it (\"token not yet valid\")"]
    );
    assert!(notes.is_empty(), "{notes:?}");

    let (accepted, refused, _) = at(json!({"exp": now - 30}));
    assert_eq!(accepted, ["dflt", "loose"], "{refused:?}");
    let (accepted, _, notes) = at(json!({"exp": now - 90, "iat": now - 200}));
    assert_eq!(accepted, ["loose"]);
    assert!(notes.is_empty(), "not refused whatever the role: {notes:?}");
    let (accepted, refused, _) = at(json!({"iat": now - 200}));
    assert_eq!(accepted, ["dflt"]);
    assert!(
        refused[1]
            .starts_with("loose: the token expired 2m ago (no `exp`: its `iat`/`nbf` plus 60s)"),
        "{refused:?}"
    );
    let (accepted, _, _) = at(json!({"exp": now + 215}));
    assert_eq!(accepted, ["loose"]);

    // Refused by every role alike: judged on the bindings, with one note.
    let (accepted, refused, notes) = at(json!({"exp": 1000}));
    assert_eq!(accepted, ["dflt", "strict", "loose"], "{refused:?}");
    assert_eq!(notes.len(), 1);
    assert!(notes[0].contains("whatever the role"), "{notes:?}");

    // The audience is checked first, as the server does.
    let (_, refused, _) = at(json!({"aud": "other", "nbf": now + 30, "exp": now + 600}));
    assert!(refused.iter().all(|r| r.contains("`aud`")), "{refused:?}");
}
