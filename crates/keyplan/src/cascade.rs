//! No cascades (issue 11): the rule is [`kp_syntax::cascade`], applied by
//! [`crate::compile_sources`] to every program; these tests check it end to end.

pub use kp_syntax::cascade::*;

#[cfg(test)]
mod tests {
    fn codes(src: &str) -> Vec<&'static str> {
        let compiled = crate::compile(src, &crate::Options::default());
        compiled.diagnostics.iter().map(|d| d.code).collect()
    }

    #[test]
    fn a_dropped_attribute_costs_one_diagnostic() {
        // `user_claim` is lost with the syntax error: no `missing-field` for it.
        let src = "auth jwt {\n  jwks_url = \"https://ci.example.com/jwks\"\n  \
                   role ci {\n    bound_audiences = [\"vault\"] user_claim = \"sub\"\n  }\n}\n";
        assert_eq!(codes(src), ["kp::syntax::unexpected-token"]);
    }

    #[test]
    fn other_blocks_keep_their_diagnostics() {
        let src = "secrets kv secret {\n  version = ]\n}\n\npolicy p {\n}\n";
        assert_eq!(
            codes(src),
            ["kp::syntax::unexpected-token", "kp::empty-policy"]
        );
    }
}
