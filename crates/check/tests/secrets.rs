//! Every literal secret is collected for redaction, whatever becomes of the attribute
//! holding it: the source a snippet is rendered from, and every diagnostic's texts, hold
//! none of them. (The CLI's scan of every output, `crates/cli/tests/secrets.rs`, trusts
//! these spans; this test names the secrets itself.)

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use kp_check::{check, Options, Target};
use kp_diag::{redact, SourceMap};

/// Programs, each with the secrets it writes where typing never sees them.
const CASES: &[(&str, &[&str])] = &[
    (
        // The same field twice: the checker keeps the first and reports the second.
        "auth userpass {}\nworkload bob {\n  login userpass {\n    password = \"FirstSecret1\"\n    password = \"SecondSecret2\"\n  }\n  read \"secret/data/bob\"\n}\n",
        &["FirstSecret1", "SecondSecret2"],
    ),
    (
        "auth jwt ci {\n  jwks_url = \"https://x/jwks\"\n  oidc_client_secret = \"OidcOne1\"\n  oidc_client_secret = \"OidcTwo2\"\n}\n",
        &["OidcOne1", "OidcTwo2"],
    ),
    (
        // A password in a URL set twice, and a password after an `env()` one.
        "secrets database {\n  connection c {\n    plugin_name = \"postgresql-database-plugin\"\n    connection_url = \"postgresql://{{username}}:{{password}}@db/app\"\n    connection_url = \"postgresql://admin:UrlPass99@db/app\"\n    username = \"admin\"\n    password = env(\"X\")\n    password = \"DupDbPass7\"\n    allowed_roles = [\"*\"]\n    rotate_root = true\n  }\n}\n",
        &["UrlPass99", "DupDbPass7"],
    ),
    (
        // Blocks the checker cannot classify are never typed.
        "bogus thing {\n  password = \"UnknownBlock1\"\n}\nsecrets databse db {\n  connection c {\n    password = \"BadEngine22\"\n  }\n}\n",
        &["UnknownBlock1", "BadEngine22"],
    ),
    (
        // A syntax error between two secrets of one line: the parser keeps the second.
        "token t {\n  id = \"SameLineOne\" id = \"SameLineTwo\"\n}\n",
        &["SameLineOne", "SameLineTwo"],
    ),
    (
        // A token's `id`, twice, on one line each.
        "token t {\n  id = \"TokenIdOne\"\n  id = \"TokenIdTwo\"\n}\n",
        &["TokenIdOne", "TokenIdTwo"],
    ),
];

#[test]
fn every_literal_secret_is_hidden_from_snippets_and_messages() {
    for (src, secrets) in CASES {
        let map = SourceMap::single("p.kp", *src);
        let parsed = kp_syntax::parse(src);
        for target in Target::ALL {
            let result = check(&parsed.file, &Options { target });
            let mut diags = result.diagnostics.clone();
            diags.extend(parsed.diagnostics.iter().cloned());
            assert!(!diags.is_empty(), "{src}");
            redact::diagnostics(&mut diags, &redact::secret_texts(&map, &result.secrets));
            let shown = redact::sources(&map, &result.secrets);
            let text = shown.files().first().unwrap().text().to_owned();
            let json = serde_json::to_string(
                &diags
                    .iter()
                    .map(|d| d.locate_in(&shown))
                    .collect::<Vec<_>>(),
            )
            .unwrap();
            for secret in *secrets {
                assert!(src.contains(secret), "{secret} is not in its program");
                assert!(!text.contains(secret), "`{secret}` shows in:\n{text}");
                assert!(!json.contains(secret), "`{secret}` shows in:\n{json}");
            }
        }
    }
}
