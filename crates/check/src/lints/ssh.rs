//! An SSH role that signs keys for any user.

use kp_diag::Diagnostic;
use kp_syntax::ast::ExprKind;

use crate::body::Parts;
use crate::codes;

pub fn any_user(parts: &Parts<'_>, diags: &mut Vec<Diagnostic>) {
    let Some(attr) = parts.get("allowed_users") else {
        return;
    };
    let spans: Vec<_> = match &attr.value.kind {
        ExprKind::List(items) => items
            .iter()
            .filter(|i| matches!(&i.kind, ExprKind::Str { value, .. } if value.trim() == "*"))
            .map(|i| i.span)
            .collect(),
        ExprKind::Str { value, .. } if value.split(',').any(|u| u.trim() == "*") => {
            vec![attr.value.span]
        }
        _ => Vec::new(),
    };
    for span in spans {
        diags.push(
            Diagnostic::warning(
                codes::SSH_ANY_USER,
                span,
                "`*` in `allowed_users` lets a signed key log in as any user, root included",
            )
            .with_label("any user")
            .with_help(
                "list the users this role may sign for, e.g. `allowed_users = [\"trainer\"]` with `default_user = \"trainer\"`",
            ),
        );
    }
}
