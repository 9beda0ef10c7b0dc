//! `rotate_root = true` on a database connection: the root-rotation action that follows
//! the connection, and the warning for a root password a person keeps knowing.

use kp_diag::Diagnostic;
use kp_schema::FieldType;

use super::{resource, Lowerer};
use crate::body::Parts;
use crate::catalog::MountClass;
use crate::codes;
use crate::ir::{Resource, ResourceId, ResourceKind, Value};
use crate::lints;
use crate::schemas;
use crate::symbols::MountSym;
use crate::typing;

/// The connection attribute keyplan handles itself: it is no field of the endpoint.
pub const ROTATE_ROOT: &str = "rotate_root";

/// Attributes a connection block takes besides its endpoint's fields.
pub const CONNECTION_ATTRS: &[&str] = &[ROTATE_ROOT];

/// The schema of the action, under `schemas/endpoints/`.
const ROTATE_ROOT_SCHEMA: &str = "database-rotate-root";

impl<'s> Lowerer<'s> {
    /// The root-rotation action of a lowered connection, when it asks for one; or the
    /// warning when it holds a password and does not.
    pub(super) fn root_rotation(
        &mut self,
        mount: Option<&'s MountSym<'s>>,
        conn: &Resource,
        parts: &Parts<'_>,
    ) -> Option<Resource> {
        let attr = parts.get(ROTATE_ROOT);
        let wanted = attr.and_then(|a| {
            let field = schemas::synthetic(ROTATE_ROOT, FieldType::Bool, &[]);
            match typing::known(&a.value, &field, &mut self.diags) {
                Some(Value::Bool(b)) => Some(b),
                _ => None,
            }
        });
        let password = parts.get("password");
        let has_password = parts.given("password").is_some()
            && matches!(
                conn.body.get("password"),
                Some(Value::Env(_) | Value::Secret(_))
            );
        match (attr, wanted) {
            (Some(attr), Some(true)) => {
                let missing: Vec<&str> = ["username", "password"]
                    .into_iter()
                    .filter(|f| !conn.body.contains_key(f) || parts.given(f).is_none())
                    .collect();
                if !missing.is_empty() {
                    // Only the URL plugins template the credentials (Redis, Cassandra, ...
                    // log in with the fields themselves).
                    let url = if conn.body.contains_key("connection_url") {
                        ", and write `{{username}}:{{password}}` in `connection_url`"
                    } else {
                        ""
                    };
                    self.diags.push(
                        Diagnostic::error(
                            codes::ROTATE_ROOT_NEEDS_CREDENTIALS,
                            attr.span,
                            format!(
                                "`rotate_root` needs the connection's `{}`",
                                missing.join("` and `")
                            ),
                        )
                        .with_label("nothing to rotate")
                        .with_help(format!(
                            "set `username` and `password = env(\"{}\")`{url}: the server rotates the password of that user",
                            lints::secrets::env_name(mount, Some(&conn.name), "password")
                        )),
                    );
                }
                let m = mount?;
                let [a, b, c] = MountClass::Secrets.api_prefix_parts(m.path);
                let mut r = resource(
                    ResourceId::concat(&[a, b, c, "rotate-root/", &conn.name]),
                    ResourceKind::Action,
                    conn.name.clone(),
                    ROTATE_ROOT_SCHEMA,
                    attr.span,
                );
                // Nothing to read back: the rotation is a call, not an object.
                r.read_path = None;
                r.mount = Some(m.id.clone());
                // The connection last: `Resource::acts_on` reads it there.
                r.depends_on = vec![m.id.clone(), conn.id.clone()];
                Some(r)
            }
            // An explicit `rotate_root = false` is a decision: no warning.
            (Some(_), _) => None,
            (None, _) => {
                if let (Some(pw), true) = (password, has_password) {
                    self.diags.push(
                        Diagnostic::warning(
                            codes::ROOT_NOT_ROTATED,
                            pw.value.span,
                            "the root password stays the one a person handled",
                        )
                        .with_label("never rotated")
                        .with_help(
                            "add `rotate_root = true`: apply then has the server rotate the root password right after creating the connection, so the password in the environment stops working and no person knows the new one (write `rotate_root = false` to keep it)",
                        ),
                    );
                }
                None
            }
        }
    }
}
