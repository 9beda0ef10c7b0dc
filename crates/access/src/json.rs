//! JSON ([`kp_json`], the core's one reader and writer), and a program's values written
//! as JSON: `kp_json` sits below the checker, whose values it cannot name.

use std::fmt::Write as _;

pub use kp_json::*;

/// Appends a program value as compact JSON, as `json::to_string(&value.redacted())`
/// writes it, without building the `serde_json::Value` (whose objects link IndexMap).
pub fn write_redacted(out: &mut String, value: &kp_check::ir::Value) {
    use kp_check::ir::Value as V;
    match value {
        V::Str(s) => kp_json::write_string(out, s),
        V::Int(i) => {
            let _ = write!(out, "{i}");
        }
        V::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        V::List(items) => kp_json::write_array(out, items, write_redacted),
        V::Map(map) => kp_json::write_object(out, map.iter(), write_redacted),
        V::Env(e) => kp_json::write_string(out, &format!("${{{}}}", e.env)),
        V::Secret(_) => kp_json::write_string(out, kp_check::ir::LITERAL_SECRET),
        V::Policy(doc) => kp_json::write_string(out, &doc.to_hcl()),
    }
}

#[cfg(test)]
mod redacted_tests {
    use kp_check::ir::Value;

    /// A program's values are written as their `redacted` JSON is: every kind, nested,
    /// secrets and variables included.
    #[test]
    fn program_values_are_written_as_their_redacted_json() {
        let program = crate::testutil::program(
            r#"
auth jwt ci {
  jwks_url = "https://ci.example.com/jwks"
  role r {
    user_claim      = "sub"
    bound_audiences = [env("AUD"), "vault"]
    bound_claims    = { ref = ["main", "rel\"ease"], n = 5 }
    claim_mappings  = { "a\nb" = "x" }
    token_ttl       = 10m
    token_no_default_policy = true
  }
}
secrets database db {
  connection pg {
    plugin_name    = "postgresql-database-plugin"
    connection_url = "postgresql://{{username}}:{{password}}@db:5432/app"
    username       = "admin"
    password       = "hunter22"
    allowed_roles  = []
  }
}
policy p {
  path "secret/*" { capabilities = [read] }
}
"#,
        );
        let mut seen = 0;
        for r in &program.resources {
            for (_, value) in r.body.iter() {
                let mut ours = String::new();
                super::write_redacted(&mut ours, value);
                assert_eq!(ours, kp_json::to_string(&value.redacted()));
                seen += usize::from(matches!(
                    value,
                    Value::Map(_) | Value::Env(_) | Value::Secret(_) | Value::Policy(_)
                ));
            }
        }
        assert!(seen >= 4, "{seen}");
    }
}
