use serde_json::Value;

use super::*;
use crate::Span;

fn parse(json: &str) -> Value {
    serde_json::from_str(json).expect("the api answers JSON")
}

#[test]
fn targets_parse_in_any_case() {
    assert_eq!(parse_target("vault"), Ok(Target::Vault));
    assert_eq!(parse_target("OpenBao"), Ok(Target::Openbao));
    assert!(parse_target("consul").is_err());
}

#[test]
fn an_unknown_target_is_reported_not_panicked() {
    for out in [check_json("", "consul"), build_json("", "consul")] {
        let v = parse(&out);
        assert_eq!(v["ok"], false);
        assert_eq!(
            v["error"],
            "unknown target `consul`: expected `vault` or `openbao`"
        );
    }
}

#[test]
fn diagnostics_carry_lines_columns_and_utf16_offsets() {
    // `é` is 2 bytes and 1 UTF-16 unit; `𝄞` is 4 bytes and 2 units.
    let src = "# é\nauth jwk {\n  x = \"𝄞\" y\n}\n";
    let y = src.find('y').unwrap();
    let jwk = src.find("jwk").unwrap();
    let diags = [
        Diagnostic::error(
            "kp::unknown-block",
            Span::new(jwk, jwk + 3),
            "unknown auth type `jwk`",
        )
        .with_help("did you mean `jwt`?")
        .with_related(Span::new(0, 1), "here"),
        Diagnostic::warning("kp::stray", Span::new(y, y + 1), "stray `y`"),
    ];
    let out = diagnostics(src, &diags);
    let v = serde_json::to_value(&out).unwrap();
    assert_eq!(v[0]["code"], "kp::unknown-block");
    assert_eq!(v[0]["severity"], "error");
    assert_eq!(v[0]["help"], "did you mean `jwt`?");
    assert_eq!(
        (v[0]["line"].as_u64(), v[0]["column"].as_u64()),
        (Some(2), Some(6))
    );
    assert_eq!(v[0]["file"], PLAYGROUND_FILE);
    let js_from = |s: &str| s.encode_utf16().count();
    assert_eq!(v[0]["from"].as_u64(), Some(js_from(&src[..jwk]) as u64));
    assert_eq!(v[0]["to"].as_u64(), Some(js_from(&src[..jwk + 3]) as u64));
    assert_eq!(v[0]["related"][0]["label"], "here");
    assert_eq!(v[1]["severity"], "warning");
    assert_eq!(v[1]["from"].as_u64(), Some(js_from(&src[..y]) as u64));
    assert_eq!(
        (v[1]["line"].as_u64(), v[1]["column"].as_u64()),
        (Some(3), Some(11))
    );
}

#[test]
fn utf16_offsets_tolerate_offsets_inside_and_past_characters() {
    let src = "a𝄞b";
    let mut offsets = vec![2, 0, 99, 5, 6];
    let t = Utf16Offsets::new(src, &mut offsets);
    assert_eq!(t.get(0), 0);
    assert_eq!(t.get(2), 1, "inside `𝄞` counts as its start");
    assert_eq!(t.get(5), 3);
    assert_eq!(t.get(6), 4);
    assert_eq!(t.get(99), 4);
    // ASCII text takes a shortcut: a unit per byte, the end for offsets past it.
    let mut offsets = vec![3, 0, 99, 3];
    let t = Utf16Offsets::new("abcd", &mut offsets);
    assert_eq!((t.get(0), t.get(3), t.get(99)), (0, 3, 4));
}

const SCENARIO_JWT: &str = r#"
extern policy example-policy

auth jwt {
  description = "JWT backend used for dynamic secrets"

  role example-role {
    user_claim      = "sub"
    bound_audiences = ["example-audience"]
    token_policies  = [example-policy]
    token_ttl       = 1h
    token_max_ttl   = 4h
  }
}
"#;

#[test]
fn a_valid_program_builds_every_format_and_a_view() {
    for target in ["vault", "openbao"] {
        let v = parse(&build_json(SCENARIO_JWT, target));
        assert_eq!(v["ok"], true, "{v}");
        assert_eq!(v["target"], target);
        let formats: Vec<&str> = v["outputs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["format"].as_str().unwrap())
            .collect();
        for f in ["api", "hcl", "json", "sh"] {
            if f != "hcl" {
                assert!(formats.contains(&f), "{f} missing from {formats:?}");
            }
        }
        let view = &v["view"];
        let ids: Vec<&str> = view["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["id"].as_str().unwrap())
            .collect();
        assert!(ids.contains(&"sys/auth/jwt"), "{ids:?}");
        assert!(ids.contains(&"auth/jwt/role/example-role"), "{ids:?}");
        assert!(!view["edges"].as_array().unwrap().is_empty());
    }
}

#[test]
fn an_invalid_program_has_located_diagnostics_and_no_outputs() {
    let src = SCENARIO_JWT.replace("token_ttl ", "token_tll ");
    let v = parse(&build_json(&src, "vault"));
    assert_eq!(v["ok"], false);
    assert!(v["outputs"].as_array().unwrap().is_empty());
    assert!(v["view"].is_null());
    let d = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["severity"] == "error")
        .expect("an error");
    assert_eq!(d["code"], "kp::unknown-field");
    assert_eq!(d["line"], 11);
    let from = d["from"].as_u64().unwrap() as usize;
    assert_eq!(&src[from..from + 9], "token_tll");
    let checked = parse(&check_json(&src, "vault"));
    assert_eq!(checked["diagnostics"], v["diagnostics"]);
}

#[test]
fn schema_lists_fields_per_block() {
    let v = parse(&schema_json());
    let block = |ctx: &str| {
        v["blocks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["context"] == ctx)
            .unwrap_or_else(|| panic!("no block {ctx}"))
            .clone()
    };
    let names = |b: &Value| -> Vec<String> {
        b["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(names(&block("auth jwt/role")).contains(&"token_ttl".to_string()));
    assert!(names(&block("auth jwt")).contains(&"bound_issuer".to_string()));
    assert!(names(&block("secrets ssh/role")).contains(&"allowed_users".to_string()));
    assert!(names(&block("secrets database/connection")).contains(&"plugin_name".to_string()));
    assert!(names(&block("secrets aws")).contains(&"description".to_string()));
    assert_eq!(block("")["blocks"][0], "auth");
}

#[test]
fn workloads_show_their_attached_policies() {
    let src = r#"
extern policy platform-audit

auth jwt ci {
  jwks_url = "https://127.0.0.1:8200/jwks.json"
}

policy shared-reader {
  path "secret/data/shared/*" {
    capabilities = [read, list]
  }
}

workload publisher {
  login ci {
    bound_audiences = ["https://vault.example.com"]
    user_claim      = "sub"
    token_policies  = [shared-reader, platform-audit]
  }
  create "secret/data/releases/*"
}
"#;
    let v = parse(&build_json(src, "vault"));
    assert_eq!(v["ok"], true, "{v}");
    let w = &v["view"]["workloads"][0];
    assert_eq!(w["name"], "publisher");
    assert_eq!(w["rules"][0]["path"], "secret/data/releases/*");
    assert_eq!(w["attached"][0]["policy"], "shared-reader");
    assert_eq!(w["attached"][0]["path"], "secret/data/shared/*");
    assert_eq!(
        w["attached"][0]["capabilities"],
        serde_json::json!(["read", "list"])
    );
    assert_eq!(w["external"], serde_json::json!(["platform-audit"]));
}

#[test]
fn explain_answers_for_one_identity_under_the_implied_target() {
    let src = r#"
auth approle {
  role app {
    token_policies = [app]
  }
}

policy app {
  path "secret/data/app/*" {
    capabilities = [read]
  }
  path "secret/data/app/+/admin/*" {
    capabilities = [deny]
  }
}
"#;
    let req = r#"{"paths": ["secret/data/app/x/admin/key", "sys/mounts"], "as": "app"}"#;
    let v = parse(&explain_json(src, "auto", req));
    assert_eq!(v["ok"], true, "{v}");
    let first = &v["paths"][0]["identities"][0];
    assert_eq!(first["identity"], "approle/app");
    // The `*` rule has fewer `+` segments: it decides, and the deny never applies.
    assert_eq!(first["capabilities"], serde_json::json!(["read"]));
    assert_eq!(first["decided_by"]["pattern"], "secret/data/app/*");
    assert_eq!(
        v["paths"][1]["identities"][0]["capabilities"],
        serde_json::json!(["deny"])
    );
    let v = parse(&explain_json(
        src,
        "auto",
        r#"{"paths": ["a"], "as": "ap"}"#,
    ));
    assert_eq!(v["ok"], false);
    assert!(
        v["error"]
            .as_str()
            .is_some_and(|e| e.contains("identities: approle/app")),
        "{v}"
    );
    let v = parse(&explain_json(src, "vault", "[1]"));
    assert!(
        v["error"]
            .as_str()
            .is_some_and(|e| e.starts_with("bad explain request")),
        "{v}"
    );
}

#[test]
fn explain_says_a_batch_token_is_refused_cubbyhole() {
    // OpenBao 2.7.2: `sys/capabilities` lists `default`'s cubbyhole capabilities for a
    // batch token, and the request gets 400 "cubbyhole operations are only supported by
    // 'service' type tokens".
    let src = r#"
auth approle {
  role batch {
    token_policies = [app]
    token_type     = "batch"
  }
  role service {
    token_policies = [app]
  }
}

auth token {
  role quick {
    allowed_policies = [app]
    orphan           = true
    renewable        = false
    token_type       = "default-batch"
  }
}

token quick-one {
  role = quick
}

token slow-one {
  role = quick
  type = "service"
}

policy app {
  path "secret/data/app/*" {
    capabilities = [read]
  }
}
"#;
    let req = r#"{"paths": ["cubbyhole/notes", "secret/data/app/x"]}"#;
    let v = parse(&explain_json(src, "openbao", req));
    assert_eq!(v["ok"], true, "{v}");
    let refused = |path: usize| -> Vec<String> {
        v["paths"][path]["identities"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|a| a.get("refused").is_some())
            .map(|a| a["identity"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    assert_eq!(
        refused(0),
        ["approle/batch", "token/quick", "token:quick-one"],
        "{v}"
    );
    assert!(refused(1).is_empty(), "{v}");
    // What `sys/capabilities` answers stays the policies' answer.
    let batch = &v["paths"][0]["identities"][0];
    assert_eq!(
        batch["capabilities"],
        serde_json::json!(["create", "read", "update", "delete", "list"])
    );
    assert!(
        batch["refused"]
            .as_str()
            .is_some_and(|r| r.contains("'service' type tokens")),
        "{v}"
    );
    // The CLI's text and the access matrix say it too.
    let compiled = crate::compile(
        src,
        &crate::Options {
            target: crate::Target::Openbao,
        },
    );
    let program = compiled.program.as_ref().expect("compiles");
    let e = crate::explain::explain(
        program,
        &["cubbyhole/notes".to_string()],
        &crate::explain::ExplainOptions {
            as_name: Some("batch".into()),
            policies: None,
        },
        crate::Target::Openbao,
    )
    .expect("explains");
    assert!(crate::explain::to_text(&e).contains("but refused: a batch token cannot use cubbyhole"));
    let m = crate::access_matrix(&compiled).expect("a matrix");
    let text = kp_access::render::matrix_text(&m);
    assert_eq!(
        text.matches("but refused: a batch token").count(),
        3,
        "{text}"
    );
}

#[test]
fn explain_code_answers_the_entry_or_a_suggestion() {
    let ok = parse(&explain_code_json("kp::empty-policy"));
    assert_eq!(ok["ok"], true);
    assert!(ok["text"]
        .as_str()
        .unwrap()
        .starts_with("# `kp::empty-policy`"));
    let bad = parse(&explain_code_json("kp::empty-polcy"));
    assert_eq!(bad["ok"], false);
    assert_eq!(bad["suggestion"], "kp::empty-policy");
}

#[test]
fn explain_requests_are_read_as_the_derived_reader_read_them() {
    let req = ExplainRequest::from_json(
        r#"{"paths": ["a/b", "c"], "as": "trainer", "policies": ["p"], "other": 1}"#,
    )
    .expect("a full request");
    assert_eq!(req.paths, ["a/b", "c"]);
    assert_eq!(req.as_name.as_deref(), Some("trainer"));
    assert_eq!(req.policies, Some(vec!["p".to_string()]));
    let req = ExplainRequest::from_json(r#"{"paths": [], "as": null, "policies": null}"#)
        .expect("nulls are absent");
    assert!(req.paths.is_empty() && req.as_name.is_none() && req.policies.is_none());
    for (bad, says) in [
        ("[1]", "expected an object"),
        ("{}", "missing field `paths`"),
        (
            r#"{"paths": "a"}"#,
            "`paths` must be a list of strings, not \"a\"",
        ),
        (r#"{"paths": [1.5]}"#, "`paths` must list strings, not 1.5"),
        (r#"{"paths": [], "as": 2}"#, "`as` must be a string, not 2"),
        ("{", "EOF while parsing an object"),
    ] {
        let err = ExplainRequest::from_json(bad).expect_err(bad);
        assert!(err.contains(says), "{bad}: {err}");
    }
}

/// Every `.kp` under the repository's `examples/` and `tests/` (language cases included).
fn corpus() -> Vec<(String, String)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut dirs = vec![root.join("examples"), root.join("tests")];
    let mut out = Vec::new();
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "kp") {
                let text = std::fs::read_to_string(&path).unwrap();
                out.push((path.display().to_string(), text));
            }
        }
    }
    kp_sort::sort(&mut out);
    assert!(out.len() > 100, "the corpus is the repository's programs");
    // Text serde_json escapes: quotes, backslashes, control characters, non-ASCII.
    out.push((
        "escapes".into(),
        "policy \"a\\\"b\u{1}\u{7f}é\u{1f}\t\" {\n  path \"x\\\\y\u{8}\u{c}\r\" { capabilities = [\"read\"] }\n}\n\u{0}𝄞\n"
            .into(),
    ));
    out
}

/// The hand-written writer of `write.rs` against the serde derives it replaced: the
/// same bytes for every response the playground asks for, on every program.
#[test]
fn the_hand_written_responses_are_serde_json_byte_for_byte() {
    fn same<T: super::write::ToJson + serde::Serialize>(name: &str, what: &str, response: &T) {
        let ours = super::write::to_string(response);
        let serde = serde_json::to_string(response).unwrap();
        assert!(
            ours == serde,
            "{name}: {what} differs\nours:  {ours}\nserde: {serde}"
        );
    }
    let s = schema();
    same("-", "schema", &s);
    let claims = r#"{"sub":"project_path:group/project:ref_type:branch:ref:main","aud":"https://vault.example.com","project_path":"group/project","ref":"main","n":1.5,"k":[1,"x",null,true]}"#;
    for (name, text) in corpus() {
        for target in ["vault", "openbao", "auto", "consul"] {
            let r = check(&text, target);
            same(&name, "check", &r);
            let r = build(&text, target);
            same(&name, "build", &r);
        }
        let r = format_source(&text);
        same(&name, "format", &r);
        for (claims, mount) in [(claims, ""), ("{}", "jwt"), ("[1]", ""), ("{", "")] {
            for now in [None, Some(1_000_000)] {
                let r = simulate(&text, claims, mount, "vault", now);
                same(&name, "simulate", &r);
            }
        }
        let r = access(&text, "openbao");
        same(&name, "access", &r);
        for request in [
            r#"{"paths":["secret/data/x","auth/token/create","sys/policies/acl/a"]}"#,
            r#"{"paths":["kv/data/team/a"],"policies":["default"]}"#,
            r#"{"paths":["x"],"as":"nobody"}"#,
            r#"{"paths":[1.5e300]}"#,
            r#"{"as":{"a":[-1,2.25]}}"#,
        ] {
            let r = explain(&text, "auto", request);
            same(&name, "explain", &r);
        }
    }
}

/// `write.rs` writes a JSON value (the access matrix's login fields) as serde_json does.
#[test]
fn values_are_written_as_serde_json_displays_them() {
    let text = r#"[null,true,false,0,-1,18446744073709551615,-9223372036854775808,1.5,1e300,-2.5e-7,0.1,
        "a\"b\\c\u0000\u001f\u007f\n\té𝄞",{"k":[{}],"z":1,"a":[]},[]]"#;
    let value: Value = serde_json::from_str(text).unwrap();
    let Value::Array(items) = &value else {
        unreachable!()
    };
    for item in items.iter().chain([&value]) {
        assert_eq!(super::write::to_string(item), item.to_string());
    }
}

/// The playground's identity lints are `keyplan check`'s (`crate::checked`) less the
/// checker's own diagnostics, at the same places; a program with errors has none.
#[test]
fn lints_are_what_check_adds_to_the_checkers_diagnostics() {
    let source = r#"auth jwt ci {
  jwks_url     = "https://127.0.0.1:8200/jwks.json"
  bound_issuer = "https://ci.example.com"
}

policy forgotten {
  path "secret/data/old/*" {
    capabilities = [read]
  }
}

workload trainer {
  login ci {
    bound_audiences = ["vault"]
    bound_claims    = { project = "*" }
    user_claim      = "sub"
  }
  read "secret/data/models/*"
}
"#;
    let v = parse(&lints_json(source, "vault"));
    assert_eq!(v["ok"], true, "{v}");
    let lints: Vec<(String, u64)> = v["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or("").to_string(),
                d["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    let compiled = crate::compile_sources_for(
        SourceMap::single(PLAYGROUND_FILE, source),
        Some(Target::Vault),
    );
    let own: Vec<String> = compiled
        .diagnostics
        .iter()
        .map(|d| d.code.to_string())
        .collect();
    let all = crate::checked(compiled);
    let mut added: Vec<String> = all.diagnostics.iter().map(|d| d.code.to_string()).collect();
    for code in &own {
        if let Some(at) = added.iter().position(|c| c == code) {
            added.remove(at);
        }
    }
    assert_eq!(
        lints.iter().map(|(c, _)| c.clone()).collect::<Vec<_>>(),
        added
    );
    assert!(
        lints.contains(&("kp::unused-policy".to_string(), 6)),
        "{lints:?}"
    );
    assert!(lints.len() >= 2, "the `*` bound claim too: {lints:?}");

    let broken = parse(&lints_json("workload w {", "vault"));
    assert_eq!(broken["ok"], false);
    assert_eq!(broken["diagnostics"], serde_json::json!([]));
    assert_eq!(parse(&lints_json("", "consul"))["ok"], false);
}
