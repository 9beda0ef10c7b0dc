//! The checker never panics, whatever tree it is given: arbitrary ASTs built from the
//! language's own keywords (so that deep paths are reached), and mangled real programs
//! run through the error-recovering parser.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use kp_check::{check, Options, Target};
use kp_diag::Span;
use kp_syntax::ast::{
    Attribute, Block, Body, DurationUnit, Entry, Expr, ExprKind, File, Ident, Label, MapEntry,
    MapKey, Statement, StrLit,
};
use proptest::prelude::*;

const WORDS: &[&str] = &[
    "auth",
    "secrets",
    "policy",
    "extern",
    "token",
    "workload",
    "jwt",
    "oidc",
    "approle",
    "kubernetes",
    "userpass",
    "ssh",
    "aws",
    "database",
    "kv",
    "pki",
    "transit",
    "role",
    "ca",
    "root",
    "lease",
    "connection",
    "config",
    "user",
    "login",
    "path",
    "read",
    "list",
    "sign",
    "creds",
    "deny",
    "write",
    "version",
    "description",
    "role_name",
    "user_claim",
    "bound_audiences",
    "token_policies",
    "allowed_policies",
    "policies",
    "db_name",
    "allowed_roles",
    "allowed_users",
    "connection_url",
    "password",
    "no_parent",
    "orphan",
    "token_ttl",
    "token_max_ttl",
    "ttl",
    "max_ttl",
    "default_lease_ttl",
    "max_lease_ttl",
    "capabilities",
    "role_type",
    "jwks_url",
    "key_type",
    "secret",
    "x",
    "",
];

fn span() -> impl Strategy<Value = Span> {
    (0usize..400, 0usize..40).prop_map(|(s, l)| Span::new(s, s + l))
}

fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::sample::select(WORDS).prop_map(str::to_string),
        "[a-z*+/_{}<>:@()-]{0,12}",
    ]
}

fn ident() -> impl Strategy<Value = Ident> {
    (word(), span()).prop_map(|(name, span)| Ident {
        name: name.into(),
        span,
    })
}

fn strlit() -> impl Strategy<Value = StrLit> {
    (word(), span()).prop_map(|(value, span)| StrLit {
        value: value.into(),
        span,
    })
}

fn unit() -> impl Strategy<Value = DurationUnit> {
    prop_oneof![
        Just(DurationUnit::Seconds),
        Just(DurationUnit::Minutes),
        Just(DurationUnit::Hours),
        Just(DurationUnit::Days),
    ]
}

fn expr() -> impl Strategy<Value = Expr> {
    let leaf = prop_oneof![
        (word(), any::<bool>()).prop_map(|(value, heredoc)| ExprKind::Str {
            value: value.into(),
            heredoc
        }),
        any::<i64>().prop_map(ExprKind::Int),
        any::<bool>().prop_map(ExprKind::Bool),
        (any::<u64>(), unit()).prop_map(|(amount, unit)| ExprKind::Duration {
            amount,
            unit,
            seconds: amount.saturating_mul(unit.seconds()),
        }),
        word().prop_map(|w| ExprKind::Ident(w.into())),
        proptest::collection::vec(ident(), 0..4).prop_map(ExprKind::Path),
        strlit().prop_map(|s| ExprKind::Env(Box::new(s))),
    ];
    let leaf = (leaf, span()).prop_map(|(kind, span)| Expr { kind, span });
    leaf.prop_recursive(3, 24, 4, |inner| {
        let list = proptest::collection::vec(inner.clone(), 0..4).prop_map(ExprKind::List);
        let map = proptest::collection::vec((word(), inner, span()), 0..4).prop_map(|es| {
            ExprKind::Map(
                es.into_iter()
                    .map(|(name, value, span)| MapEntry {
                        key: MapKey {
                            name: name.into(),
                            span,
                        },
                        value,
                        span,
                    })
                    .collect(),
            )
        });
        (prop_oneof![list, map], span()).prop_map(|(kind, span)| Expr { kind, span })
    })
}

fn label() -> impl Strategy<Value = Label> {
    prop_oneof![
        ident().prop_map(Label::Ident),
        strlit().prop_map(Label::Str)
    ]
}

fn block() -> impl Strategy<Value = Block> {
    let attr = (ident(), expr(), span())
        .prop_map(|(name, value, span)| Entry::Attribute(Attribute { name, value, span }));
    let stmt = (ident(), proptest::collection::vec(expr(), 0..3), span()).prop_map(
        |(verb, args, span)| {
            Entry::Statement(Statement {
                verb,
                args: args.into(),
                span,
            })
        },
    );
    let leaf_entry = prop_oneof![attr, stmt];
    let flat = (
        ident(),
        proptest::collection::vec(label(), 0..3),
        proptest::option::of(proptest::collection::vec(leaf_entry.clone(), 0..5)),
        span(),
    )
        .prop_map(|(keyword, labels, entries, span)| Block {
            keyword,
            labels: labels.into(),
            body: entries.map(|entries| Body { entries, span }),
            span,
        });
    flat.prop_recursive(3, 32, 5, move |inner| {
        (
            ident(),
            proptest::collection::vec(label(), 0..3),
            proptest::option::of(proptest::collection::vec(
                prop_oneof![
                    leaf_entry.clone(),
                    inner.prop_map(|b| Entry::Block(Box::new(b)))
                ],
                0..6,
            )),
            span(),
        )
            .prop_map(|(keyword, labels, entries, span)| Block {
                keyword,
                labels: labels.into(),
                body: entries.map(|entries| Body { entries, span }),
                span,
            })
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_trees_do_not_panic(blocks in proptest::collection::vec(block(), 0..6)) {
        let file = File { blocks, span: Span::new(0, 0) };
        for target in [Target::Vault, Target::Openbao] {
            let _ = check(&file, &Options { target });
        }
    }

    #[test]
    fn mangled_programs_do_not_panic(
        which in 0usize..5,
        cuts in proptest::collection::vec((0usize..4000, 0usize..12), 0..6),
    ) {
        let sources = [
            include_str!("../../../tests/scenario1-jwt.kp"),
            include_str!("../../../tests/scenario3-ssh.kp"),
            include_str!("../../../tests/scenario4-token.kp"),
            include_str!("../../../tests/scenario5-rotation.kp"),
            include_str!("../../../tests/language-workload.kp"),
        ];
        let mut src = sources[which].to_string();
        for (at, len) in cuts {
            let at = at % (src.len() + 1);
            let end = (at + len).min(src.len());
            if src.is_char_boundary(at) && src.is_char_boundary(end) {
                src.replace_range(at..end, "");
            }
        }
        let parsed = kp_syntax::parse(&src);
        let _ = check(&parsed.file, &Options::default());
    }
}
