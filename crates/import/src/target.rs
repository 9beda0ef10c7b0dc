//! Which server the import reads, from what it says about itself without a token
//! (`sys/seal-status`; `sys/health` answers the same keys): the program is typed for it.
//!
//! OpenBao names its build time `commit_date`, Vault `build_date`; Vault's health also
//! carries `enterprise`. Failing those, the version decides: OpenBao's releases start at
//! 2.0, Vault's are 1.x.

use serde_json::Value as Json;

use crate::Target;

/// The server a status answer comes from, and its version when it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Server {
    pub target: Target,
    pub version: Option<String>,
}

impl Server {
    /// `OpenBao 2.7.2`, for the header of the imported program.
    pub fn describe(&self) -> String {
        let product = match self.target {
            Target::Vault => "Vault",
            Target::Openbao => "OpenBao",
        };
        match &self.version {
            Some(v) => format!("{product} {v}"),
            None => product.to_string(),
        }
    }
}

/// The server behind a `sys/seal-status` (or `sys/health`) answer; `None` when the
/// answer says nothing that tells them apart.
pub fn detect(status: &Json) -> Option<Server> {
    let version = status["version"]
        .as_str()
        .filter(|v| !v.is_empty())
        .map(str::to_string);
    let target = if status.get("commit_date").is_some() {
        Target::Openbao
    } else if status.get("build_date").is_some() || status.get("enterprise").is_some() {
        Target::Vault
    } else {
        let major: u32 = version.as_deref()?.split('.').next()?.parse().ok()?;
        if major >= 2 {
            Target::Openbao
        } else {
            Target::Vault
        }
    };
    Some(Server { target, version })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn openbao_and_vault_are_told_apart() {
        // What `bao server -dev` 2.7.2 answers (crates/live/tests/import.rs reads it live).
        let bao = json!({"type": "shamir", "sealed": false, "version": "2.7.2",
            "commit_date": "2026-10-26T20:32:27Z", "cluster_name": "vault-cluster-711d5d8e"});
        assert_eq!(
            detect(&bao),
            Some(Server {
                target: Target::Openbao,
                version: Some("2.7.2".into())
            })
        );
        // Vault 1.15's seal status, as its API documentation shows it.
        let vault = json!({"type": "shamir", "sealed": false, "version": "1.15.0",
            "build_date": "2023-09-22T16:53:10Z", "cluster_name": "vault-cluster-1"});
        assert_eq!(detect(&vault).map(|s| s.target), Some(Target::Vault));
        assert_eq!(
            detect(&json!({"version": "1.16.2+ent", "enterprise": true})).map(|s| s.describe()),
            Some("Vault 1.16.2+ent".to_string())
        );
        assert_eq!(
            detect(&json!({"version": "2.0.1"})).map(|s| s.target),
            Some(Target::Openbao)
        );
        assert_eq!(detect(&json!({"sealed": false})), None);
        assert_eq!(detect(&json!({"version": "garbage"})), None);
    }
}
