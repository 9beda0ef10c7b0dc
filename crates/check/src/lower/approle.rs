//! `role_id MOUNT.ROLE` and `secret_id MOUNT.ROLE`: the AppRole shorthands a workload
//! uses to say it may read a role's `role_id` or mint its `secret_id`s (the trusted
//! orchestrator of AppRole's pull model: a CI job that hands credentials to the job
//! that logs in).

use kp_diag::{did_you_mean, Diagnostic};
use kp_syntax::ast::Statement;

use super::Lowerer;
use crate::catalog::{self, MountClass, APPROLE_VERBS};
use crate::codes;
use crate::index::SymbolKey;
use crate::ir::CAPABILITIES;
use crate::rules::RuleSet;

impl<'s> Lowerer<'s> {
    pub(super) fn approle_shorthand(&mut self, st: &Statement, set: &mut RuleSet) {
        let verb = st.verb.name.as_str();
        let Some(&(_, sub, cap)) = APPROLE_VERBS.iter().find(|(v, _, _)| *v == verb) else {
            return;
        };
        let example = format!("{verb} approle.deployer");
        let Some((mount_path, mount_span, role_seg)) = self.mount_role_arg(st, verb, &example)
        else {
            return;
        };
        let role = role_seg.name.as_str();
        let cap_idx = CAPABILITIES.iter().position(|c| *c == cap).unwrap_or(0);
        let rule_path = format!("auth/{mount_path}/role/{role}/{sub}");
        if mount_path == catalog::TOKEN_METHOD {
            self.token_method_misuse(
                verb,
                mount_span,
                &format!("`{verb}` names an AppRole mount: `{verb} approle.ROLE`"),
            );
            return;
        }
        let syms = self.syms;
        let approles: Vec<&str> = syms
            .auth_mounts
            .values()
            .filter(|m| m.ty.name == "approle")
            .map(|m| m.path)
            .collect();
        // Where to point a statement naming the wrong kind of mount: a declared AppRole
        // mount when there is one.
        let name_approle = || {
            match approles.first() {
            Some(first) => format!("name an AppRole auth mount of this program: `{verb} {first}.{role}`"),
            None => format!(
                "name an AppRole auth mount, e.g. `{verb} approle.ROLE` with `auth approle {{ role ROLE {{ ... }} }}` declared"
            ),
        }
        };
        // A secrets engine of this program at that path: AppRole credentials are never
        // there, so this is no mount managed elsewhere.
        if let (None, Some(engine)) = (
            syms.auth_mounts.get(&*mount_path),
            syms.secret_mounts.get(&*mount_path),
        ) {
            self.diags.push(
                Diagnostic::error(
                    codes::WRONG_MOUNT_TYPE,
                    mount_span,
                    format!(
                        "`{verb}` needs an AppRole auth mount, and `{mount_path}` is the {}",
                        engine.ty.display
                    ),
                )
                .with_label("a secrets engine, not an AppRole mount")
                .with_related(engine.head, "mounted here")
                .with_help(name_approle()),
            );
            return;
        }
        let Some(mount) = syms.auth_mounts.get(&*mount_path) else {
            match did_you_mean(&mount_path, approles.iter().copied()) {
                // An AppRole mount managed elsewhere: the rule is written all the same.
                None => {
                    self.warn_external(&mount_path, mount_span, "auth", &["approle"]);
                    set.add_owned(rule_path.clone(), &[cap_idx]);
                }
                Some(s) => self.diags.push(
                    Diagnostic::error(
                        codes::UNRESOLVED_REFERENCE,
                        mount_span,
                        format!("unknown auth mount `{mount_path}`"),
                    )
                    .with_label("no AppRole auth mount at this path")
                    .with_help(format!("did you mean `{s}`?")),
                ),
            }
            return;
        };
        // Go to definition, references and rename follow the mount and role named here.
        self.reference(mount_span, || SymbolKey::AuthMount(mount_path.to_string()));
        if mount.ty.name != "approle" {
            self.diags.push(
                Diagnostic::error(
                    codes::WRONG_MOUNT_TYPE,
                    mount_span,
                    format!(
                        "`{verb}` needs an AppRole mount, and `{mount_path}` is the {}",
                        mount.ty.display
                    ),
                )
                .with_label("not an AppRole mount")
                .with_related(mount.head, "mounted here")
                .with_help(name_approle()),
            );
            return;
        }
        if !mount.roles.contains_key(role) {
            self.diags.push(super::resolve::unknown_role(
                mount,
                role,
                role_seg.span,
                &format!(
                    "add `role {role} {{ ... }}` or a workload with `login {mount_path} {{ ... }}`"
                ),
            ));
            return;
        }
        self.reference(role_seg.span, || {
            SymbolKey::Role(MountClass::Auth, mount_path.to_string(), role.to_string())
        });
        // No dependency on the role: a policy may name a path before it exists, and a
        // workload that reads its own role's `role_id` would otherwise be a cycle.
        set.add_owned(rule_path, &[cap_idx]);
    }
}
