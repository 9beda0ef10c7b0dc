//! Hover texts for keywords: what each block and statement means.

use kp_check::catalog::{self, MountClass};

use crate::scope::Scope;

/// The meaning of a block keyword written in `parent`'s body, as markdown.
pub fn block_keyword(parent: Scope, kw: &str, labels: &[&str]) -> Option<String> {
    let text = match (parent, kw) {
        (Scope::TopLevel, "auth") => {
            let mut s = "**auth** `TYPE [PATH] { ... }`: enable an auth method at `PATH` (default: the type) and configure it.\n\nVault calls: `sys/auth/PATH`, `auth/PATH/config`.".to_string();
            if let Some(ty) = labels.first().and_then(|t| catalog::mount_type(MountClass::Auth, t)) {
                s.push_str(&format!("\n\nThis is the {}.", ty.display));
            }
            s
        }
        (Scope::TopLevel, "secrets") => {
            let mut s = "**secrets** `TYPE [PATH] { ... }`: enable a secrets engine at `PATH` (default: the type) and configure it.\n\nVault call: `sys/mounts/PATH`.".to_string();
            if let Some(ty) = labels.first().and_then(|t| catalog::mount_type(MountClass::Secrets, t)) {
                s.push_str(&format!("\n\nThis is the {}.", ty.display));
            }
            s
        }
        (Scope::TopLevel, "policy") => "**policy** `NAME { path \"GLOB\" { capabilities = [...] } }`: an ACL policy.\n\nVault call: `sys/policies/acl/NAME`.".to_string(),
        (Scope::TopLevel, "extern") => "**extern policy** `NAME`: a policy that exists on the server and is managed elsewhere; references to it resolve, nothing is written.".to_string(),
        (Scope::TopLevel, "owns") => "**owns policies** `PATTERN...`, **owns token-roles** `PATTERN...`: the ACL policies or token roles the program owns; `keyplan apply --prune` deletes the server's policies or token roles matching a pattern (`*`: any characters) that the program does not declare, never `default`, `root` or an `extern policy`.".to_string(),
        (Scope::TopLevel, "token") => "**token** `NAME { role = ROLE ... }`: a token created from a token role.\n\nVault call: `auth/token/create/ROLE`.".to_string(),
        (Scope::TopLevel, "workload") => "**workload** `NAME { ... }`: access intent. Its statements derive `policy NAME`; its `login MOUNT { ... }` becomes the role (or userpass user) it logs in with, carrying that policy.".to_string(),
        (Scope::Policy, "path") => "**path** `\"GLOB\" { capabilities = [...] }`: one rule of the policy; `*` matches any suffix, `+` one segment.".to_string(),
        (Scope::Workload, "login") => "**login** `MOUNT { ... }`: the role on the auth mount at `MOUNT` through which the workload logs in (a JWT/OIDC, Kubernetes or AppRole role, or a userpass user); named after the workload unless `role_name` is set. Takes the fields of that role.".to_string(),
        (Scope::TokenAuth, "role") => format!("**role** `NAME {{ ... }}`: a token role.\n\nVault call: `{}{}`.", catalog::TOKEN_PREFIX, catalog::TOKEN_ROLE.path),
        (Scope::Mount(ty), kw) => {
            let spec = ty.nested(kw)?;
            format!(
                "**{kw}**{}: the {} of the {}.\n\nVault call: `{}{}` under the mount.",
                if spec.named { " `NAME { ... }`" } else { " `{ ... }`" },
                spec.what,
                ty.display,
                match ty.class {
                    MountClass::Auth => "auth/PATH/",
                    MountClass::Secrets => "PATH/",
                },
                spec.path,
            )
        }
        _ => return None,
    };
    Some(text)
}

/// The meaning of a workload statement verb.
pub fn verb(v: &str) -> Option<String> {
    let text = match v {
        "sign" => "**sign** `MOUNT.ROLE`: `update` on `MOUNT/sign/ROLE` (SSH certificate signing).",
        "creds" => {
            "**creds** `MOUNT.ROLE`: `read` on `MOUNT/creds/ROLE` (database or AWS credentials), `update` for an SSH `otp` role (one-time passwords)."
        }
        "role_id" => "**role_id** `MOUNT.ROLE`: `read` on `auth/MOUNT/role/ROLE/role-id` (an AppRole role's id, for the orchestrator that hands it over).",
        "secret_id" => "**secret_id** `MOUNT.ROLE`: `update` on `auth/MOUNT/role/ROLE/secret-id` (mint the AppRole role's secret ids).",
        "read" => "**read** `\"GLOB\"`: the `read` capability on matching paths.",
        "create" => {
            "**create** `\"GLOB\"`: the `create` capability (write where nothing exists yet)."
        }
        "update" => {
            "**update** `\"GLOB\"`: the `update` capability (write where something exists)."
        }
        "patch" => "**patch** `\"GLOB\"`: the `patch` capability (partial update).",
        "delete" => "**delete** `\"GLOB\"`: the `delete` capability.",
        "list" => {
            "**list** `\"GLOB\"`: the `list` capability (list keys; KV v2 lists under `metadata/`)."
        }
        "sudo" => "**sudo** `\"GLOB\"`: the `sudo` capability (root-protected endpoints).",
        "deny" => {
            "**deny** `\"GLOB\"`: deny everything on matching paths, whatever other rules allow."
        }
        _ => return None,
    };
    Some(text.to_string())
}
