//! A database connection's `username_template`: `keyplan check` refuses exactly the
//! templates a real OpenBao refuses when the config is written (the server parses the
//! template and runs it once with sample data). Templates whose arguments have the wrong
//! types (`truncate "x" .RoleName`) are refused by the server and not by the check, which
//! looks at the template's shape only: they are not in this corpus.

// Helpers outside #[test] functions fail the test with their message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use kp_live::client::Retry;
use serde_json::json;

const TEMPLATES: &[&str] = &[
    "{{ .RoleName }}-{{ random 8 }}",
    "v-{{.DisplayName | truncate 10}}-{{.RoleName | truncate 10}}-{{random 20}}-{{unix_time}}",
    "{{ printf \"v-%s-%s\" (.DisplayName | truncate 8) (random 4) | uppercase }}",
    "{{ if eq .RoleName \"x\" }}x{{ else }}{{ .RoleName }}{{ end }}",
    "{{- .RoleName -}}{{/* note */}}",
    "{{ replace \"-\" \"_\" .RoleName | lowercase }}",
    "{{ $r := .RoleName }}{{ $r }}_{{ uuid }}",
    "{{ .RoleName | sha256 | truncate 12 }}{{ timestamp \"20060102\" }}",
    "{{ \"}}\" }}{{ .RoleName }}",
    "plain",
    "v-{{.RoleName",
    "{{ .RoleName | trim }}",
    "{{ .RoleName | upercase }}",
    "{{ default \"x\" .RoleName }}",
    "{{ .Nope }}",
    "{{ .DisplayName }}{{ .Username }}",
    "{{ if .RoleName }}x",
    "x{{ end }}",
    "{{ truncate 3 (.RoleName }}",
    "{{}}",
];

#[test]
fn the_check_refuses_the_templates_the_server_refuses() {
    let Some(()) = live() else { return };
    let bao = Bao::dev();
    let client = bao.client();
    client
        .write(
            "sys/mounts/database",
            &json!({"type": "database"}),
            Retry::Idempotent,
        )
        .unwrap();
    let mut disagree = Vec::new();
    for (i, template) in TEMPLATES.iter().enumerate() {
        let server = client.write(
            &format!("database/config/c{i}"),
            &json!({
                "plugin_name": "postgresql-database-plugin",
                "connection_url": "postgresql://{{username}}:{{password}}@127.0.0.1:1/x",
                "username": "admin",
                "password": "not-used-here",
                "verify_connection": false,
                "allowed_roles": ["*"],
                "username_template": template,
            }),
            Retry::Idempotent,
        );
        let source = format!(
            r#"
secrets database {{
  connection c {{
    plugin_name       = "postgresql-database-plugin"
    connection_url    = "postgresql://{{{{username}}}}:{{{{password}}}}@127.0.0.1:5432/x"
    username          = "admin"
    password          = env("DB_PASSWORD")
    rotate_root       = true
    username_template = {}
  }}
}}
"#,
            serde_json::to_string(template).unwrap()
        );
        let checked = compile_program(&source, kp_schema::Target::Openbao);
        if let Err(e) = &checked {
            assert!(e.contains("username_template"), "{template}: {e}");
        }
        if server.is_ok() != checked.is_ok() {
            disagree.push(format!(
                "{template:?}: server {}, check {}",
                server.map_or_else(|e| e.to_string(), |_| "took it".into()),
                checked.map_or_else(|e| e, |_| "took it".into()),
            ));
        }
    }
    assert!(disagree.is_empty(), "{}", disagree.join("\n"));
}
