//! How to reach the server: the ecosystem's environment variables, overridable by flags.

use std::path::PathBuf;
use std::time::Duration;

use crate::error::{LiveError, Result};

/// The pseudo-variable for `~/.vault-token`, consulted after `VAULT_TOKEN`/`BAO_TOKEN`.
pub const TOKEN_FILE: &str = "~/.vault-token";

/// Connection settings, resolved from flags and the environment.
#[derive(Clone)]
pub struct Connection {
    /// Base address without a trailing slash, e.g. `http://127.0.0.1:8200`.
    pub addr: String,
    pub token: String,
    pub namespace: Option<String>,
    pub ca_cert: Option<PathBuf>,
    pub skip_verify: bool,
    /// Timeout of one HTTP call (connect, send and receive).
    pub timeout: Duration,
    /// Attempts per call for transient failures (429, 5xx, connection errors).
    pub attempts: u32,
    /// Calls in flight at once.
    pub concurrency: usize,
}

impl std::fmt::Debug for Connection {
    // The token must never reach a log line, even a debug one.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("addr", &self.addr)
            .field("token", &"<redacted>")
            .field("namespace", &self.namespace)
            .field("ca_cert", &self.ca_cert)
            .field("skip_verify", &self.skip_verify)
            .field("timeout", &self.timeout)
            .field("attempts", &self.attempts)
            .field("concurrency", &self.concurrency)
            .finish()
    }
}

/// Flag values that override the environment; `None` means "use the environment".
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub addr: Option<String>,
    pub namespace: Option<String>,
    pub timeout: Option<Duration>,
    pub concurrency: Option<usize>,
}

impl Connection {
    /// Resolves the settings from `overrides` and the process environment.
    pub fn from_env(overrides: &Overrides) -> Result<Connection> {
        Self::resolve(overrides, |k| match std::env::var(k) {
            Ok(v) => Some(v),
            // What `vault login` / `bao login` leave behind, as the CLIs read it.
            Err(_) if k == TOKEN_FILE => std::env::var_os("HOME").and_then(|home| {
                std::fs::read_to_string(PathBuf::from(home).join(".vault-token")).ok()
            }),
            Err(_) => None,
        })
    }

    /// Resolves the settings from `overrides` and a lookup of environment variables.
    pub fn resolve(overrides: &Overrides, env: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let first = |names: &[&str]| {
            names
                .iter()
                .find_map(|n| env(n).filter(|v| !v.trim().is_empty()))
        };
        let addr = overrides
            .addr
            .clone()
            .or_else(|| first(&["VAULT_ADDR", "BAO_ADDR"]))
            .ok_or(LiveError::NoAddress)?;
        let addr = normalise_addr(&addr)?;
        let token = first(&["VAULT_TOKEN", "BAO_TOKEN", TOKEN_FILE]).ok_or(LiveError::NoToken)?;
        let namespace = overrides
            .namespace
            .clone()
            .or_else(|| first(&["VAULT_NAMESPACE", "BAO_NAMESPACE"]));
        let ca_cert = first(&["VAULT_CACERT", "BAO_CACERT"]).map(PathBuf::from);
        let skip_verify = first(&["VAULT_SKIP_VERIFY", "BAO_SKIP_VERIFY"])
            .is_some_and(|v| matches!(v.trim(), "1" | "true" | "TRUE" | "True" | "yes"));
        Ok(Connection {
            addr,
            token: token.trim().to_string(),
            namespace,
            ca_cert,
            skip_verify,
            timeout: overrides.timeout.unwrap_or(Duration::from_secs(30)),
            attempts: 5,
            concurrency: overrides.concurrency.unwrap_or(8).clamp(1, 64),
        })
    }
}

fn normalise_addr(addr: &str) -> Result<String> {
    let trimmed = addr.trim().trim_end_matches('/');
    let bad = |reason: &str| LiveError::BadAddress {
        addr: addr.to_string(),
        reason: reason.to_string(),
    };
    let rest = trimmed
        .strip_prefix("http://")
        .or_else(|| trimmed.strip_prefix("https://"))
        .ok_or_else(|| bad("it must start with `http://` or `https://`"))?;
    if rest.is_empty() || rest.contains('/') {
        return Err(bad("expected `SCHEME://HOST[:PORT]`"));
    }
    Ok(trimmed.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn vault_variables_win_over_bao_ones() {
        let c = Connection::resolve(
            &Overrides::default(),
            env(&[
                ("VAULT_ADDR", "http://a:1/"),
                ("BAO_ADDR", "http://b:2"),
                ("BAO_TOKEN", "t"),
                ("VAULT_SKIP_VERIFY", "true"),
            ]),
        )
        .unwrap();
        assert_eq!(c.addr, "http://a:1");
        assert_eq!(c.token, "t");
        assert!(c.skip_verify);
        assert!(!format!("{c:?}").contains("\"t\""));
    }

    #[test]
    fn flag_overrides_env_and_bad_addresses_are_errors() {
        let o = Overrides {
            addr: Some("https://x:8200".into()),
            ..Overrides::default()
        };
        let c = Connection::resolve(
            &o,
            env(&[("VAULT_ADDR", "http://a:1"), ("VAULT_TOKEN", "t")]),
        )
        .unwrap();
        assert_eq!(c.addr, "https://x:8200");
        let o = Overrides {
            addr: Some("x:8200".into()),
            ..Overrides::default()
        };
        assert!(matches!(
            Connection::resolve(&o, env(&[("VAULT_TOKEN", "t")])),
            Err(LiveError::BadAddress { .. })
        ));
        assert!(matches!(
            Connection::resolve(&Overrides::default(), env(&[("VAULT_ADDR", "http://a")])),
            Err(LiveError::NoToken)
        ));
    }
}
