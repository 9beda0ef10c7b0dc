//! Database roles against their connection, once every block is lowered: the connection's
//! `allowed_roles` must admit each role that names it, its plugin may need the role's
//! `creation_statements`, a static role's user must not be one a dynamic role creates,
//! and roles wait for the connection's root rotation.

use kp_diag::{Diagnostic, Span};
use kp_syntax::ast::{Attribute, Block, Expr, ExprKind};

use super::{add_dep, Lowerer};
use crate::body::find_attr;
use crate::codes;
use crate::ir::ResourceId;
use crate::symbols::{MountSym, NamedSym};

impl Lowerer<'_> {
    pub(super) fn check_database_roles(&mut self) {
        let syms = self.syms;
        for m in syms
            .secret_mounts
            .values()
            .filter(|m| m.ty.name == "database")
        {
            for (name, role) in m.roles.iter() {
                let Some((conn_name, conn, db_span)) = connection_of(m, role.block) else {
                    continue;
                };
                self.admitted(name, role.block, conn_name, conn, db_span);
                self.diags.extend(super::creation::check(
                    name, role.block, conn_name, conn.block,
                ));
            }
            self.static_users(m);
        }
        self.wait_for_rotation();
    }

    /// `allowed_roles` of the connection names the role, or a glob matching it (Vault
    /// matches with `*` globs; without the field no role may use the connection).
    fn admitted(
        &mut self,
        role: &str,
        block: &Block,
        conn_name: &str,
        conn: &NamedSym<'_>,
        at: Span,
    ) {
        let allowed = find_attr(conn.block.entries(), "allowed_roles");
        let patterns: Vec<&str> = allowed.map(|a| names(&a.value)).unwrap_or_default();
        if patterns.iter().any(|p| crate::ir::glob_match(p, role)) {
            return;
        }
        let what = if block.keyword.name == "static-role" {
            "static role"
        } else {
            "role"
        };
        let mut d = Diagnostic::error(
            codes::ROLE_NOT_ALLOWED,
            at,
            format!("connection `{conn_name}` does not allow {what} `{role}`"),
        )
        .with_label("not in the connection's `allowed_roles`");
        d = match allowed {
            Some(a) => d
                .with_related(a.value.span, "allowed here")
                .with_help(format!(
                    "add `{role}` to `allowed_roles` of connection `{conn_name}`: the server refuses every role it does not list"
                )),
            None => d.with_related(conn.span, "connection declared here").with_help(format!(
                "add `allowed_roles = [{role}]` to connection `{conn_name}`: without it no role may use the connection"
            )),
        };
        self.diags.push(d);
    }

    /// A static role's user that a dynamic role on the same connection creates: issuing
    /// its credentials fails on the existing user, or takes it over, and their revocation
    /// drops the account the static role manages. Also a user two static roles of one
    /// connection manage: each rotation sets a password the other role does not know
    /// (measured on OpenBao 2.7.2 with PostgreSQL: the server accepts both roles, and
    /// after rotating one the other's credentials no longer log in).
    fn static_users(&mut self, m: &MountSym<'_>) {
        let statics = static_users_of(m);
        self.shared_static_users(&statics);
        for s in &statics {
            let (static_name, user_attr, user, conn, case) =
                (s.role, s.attr, s.user, s.conn, s.case);
            for (dyn_name, d) in m
                .roles
                .iter()
                .filter(|(_, r)| r.block.keyword.name == "role")
            {
                if connection_of(m, d.block).is_none_or(|(c, _, _)| c != conn) {
                    continue;
                }
                let Some(stmts) = find_attr(d.block.entries(), "creation_statements") else {
                    continue;
                };
                if let Some((span, created)) = creating(stmts, user, case) {
                    // A user several static roles manage (their own error): one error
                    // at the statement, naming the first, the others related to it.
                    if let Some(first) = self
                        .diags
                        .iter_mut()
                        .find(|d| d.code == codes::STATIC_USER_COLLISION && d.span == span)
                    {
                        let again = std::mem::replace(
                            first,
                            Diagnostic::error(codes::STATIC_USER_COLLISION, span, ""),
                        );
                        *first = again.with_related(
                            user_attr.value.span,
                            format!("managed by static role `{static_name}` too"),
                        );
                        continue;
                    }
                    let message = if created == *user {
                        format!(
                            "role `{dyn_name}` creates user `{user}`, which static role `{static_name}` manages"
                        )
                    } else {
                        format!(
                            "role `{dyn_name}` creates user `{created}`, which static role `{static_name}` manages as `{user}` (the same user to the database)"
                        )
                    };
                    self.diags.push(
                        Diagnostic::error(codes::STATIC_USER_COLLISION, span, message)
                        .with_label("creates the static role's user")
                        .with_related(user_attr.value.span, "managed by the static role here")
                        .with_help(
                            "write `{{name}}` for the user a dynamic role creates: the server makes a fresh name per lease; a fixed name fails once the user exists, and revoking the lease drops the static role's account",
                        ),
                    );
                }
            }
        }
    }

    /// Two static roles of one connection on one database user, compared as the
    /// database compares the names (both as written: the plugins quote them). Reported
    /// at the later role, once per pair.
    fn shared_static_users(&mut self, statics: &[StaticUser<'_>]) {
        for (i, s) in statics.iter().enumerate() {
            let (name, user_attr, user, conn, case) = (s.role, s.attr, s.user, s.conn, s.case);
            // The connection's own user: the first rotation sets a password the
            // connection does not know, and it no longer logs in (measured on OpenBao
            // 2.7.2 with MariaDB: the server accepts the role and rotates at once).
            if let Some((root, at)) = s.root.filter(|r| case.same(&(r.0.to_string(), true), user)) {
                self.diags.push(
                    Diagnostic::error(
                        codes::STATIC_USER_COLLISION,
                        user_attr.value.span,
                        format!("static role `{name}` manages user `{root}`, the one connection `{conn}` logs in with"),
                    )
                    .with_label("the connection's own user")
                    .with_related(at, "the connection logs in as this user")
                    .with_help("give the static role another user: its first rotation changes this user's password, which the connection then no longer knows, and every later use of the connection fails; `rotate_root = true` on the connection rotates its own password"),
                );
                continue;
            }
            let earlier = statics
                .get(..i)
                .unwrap_or_default()
                .iter()
                .find(|e| e.conn == conn && case.same(&(e.user.to_string(), true), user));
            if let Some(StaticUser {
                role: first,
                attr: first_attr,
                user: first_user,
                ..
            }) = earlier
            {
                let message = if *first_user == user {
                    format!(
                        "static roles `{first}` and `{name}` both manage user `{user}` of connection `{conn}`"
                    )
                } else {
                    format!(
                        "static roles `{first}` and `{name}` both manage user `{user}` of connection `{conn}` (`{first_user}` there: the same user to the database)"
                    )
                };
                self.diags.push(
                    Diagnostic::error(codes::STATIC_USER_COLLISION, user_attr.value.span, message)
                        .with_label("a user another static role already rotates")
                        .with_related(first_attr.value.span, "managed by this static role too")
                        .with_help(format!(
                            "keep one static role for `{user}` (several workloads may read its credentials): each rotation sets a password the other role does not know, so its credentials stop working"
                        )),
                );
            }
        }
    }

    /// Roles of a connection with `rotate_root` are written after the rotation, so that
    /// no role is set up while the root password changes under it.
    fn wait_for_rotation(&mut self) {
        let actions: Vec<(ResourceId, ResourceId)> = self
            .program
            .resources
            .iter()
            .filter_map(|r| Some((r.acts_on()?.clone(), r.id.clone())))
            .collect();
        for (conn, action) in actions {
            for r in &mut self.program.resources {
                if r.id != action
                    && r.schema.starts_with("database-")
                    && r.depends_on.contains(&conn)
                {
                    add_dep(&mut r.depends_on, action.clone());
                }
            }
        }
    }
}

/// The connection of this mount a role's `db_name` names, with the span of the value.
/// A static role's user: the role, its `username` attribute and value, and the name and
/// name folding of its connection.
struct StaticUser<'m> {
    role: &'m str,
    attr: &'m Attribute,
    user: &'m str,
    conn: &'m str,
    case: NameCase,
    /// The connection's own `username`, its root user.
    root: Option<(&'m str, Span)>,
}

/// The users of `m`'s static roles that name a connection of `m`, in source order.
fn static_users_of<'m>(m: &'m MountSym<'_>) -> Vec<StaticUser<'m>> {
    let mut out = Vec::new();
    for (role, st) in m
        .roles
        .iter()
        .filter(|(_, r)| r.block.keyword.name == "static-role")
    {
        let Some(attr) = find_attr(st.block.entries(), "username") else {
            continue;
        };
        let ExprKind::Str { value: user, .. } = &attr.value.kind else {
            continue;
        };
        let Some((conn, conn_sym, _)) = connection_of(m, st.block) else {
            continue;
        };
        out.push((
            st.span.start,
            StaticUser {
                role,
                attr,
                user,
                conn,
                case: NameCase::of(conn_sym.block),
                root: find_attr(conn_sym.block.entries(), "username").and_then(|a| {
                    match &a.value.kind {
                        ExprKind::Str { value, .. } => Some((value.as_str(), a.value.span)),
                        _ => None,
                    }
                }),
            },
        ));
    }
    kp_sort::by_key(&mut out, |(at, _)| *at);
    out.into_iter().map(|(_, s)| s).collect()
}

fn connection_of<'m, 'a>(
    m: &'m MountSym<'a>,
    block: &Block,
) -> Option<(&'m str, &'m NamedSym<'a>, Span)> {
    let attr = find_attr(block.entries(), "db_name")?;
    let name = match &attr.value.kind {
        ExprKind::Ident(n) => n.as_str(),
        ExprKind::Str { value, .. } => value.as_str(),
        _ => return None,
    };
    let (key, conn) = m.connections.get_key_value(name)?;
    Some((key, conn, attr.value.span))
}

/// The names of a list of bare names and strings.
fn names(expr: &Expr) -> Vec<&str> {
    let ExprKind::List(items) = &expr.kind else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|i| match &i.kind {
            ExprKind::Ident(n) => Some(n.as_str()),
            ExprKind::Str { value, .. } => Some(value.as_str()),
            _ => None,
        })
        .collect()
}

/// The statement of `creation_statements` that creates `user`, if one does, with the
/// name as the statement writes it.
fn creating(stmts: &Attribute, user: &str, case: NameCase) -> Option<(Span, String)> {
    let items: Vec<&Expr> = match &stmts.value.kind {
        ExprKind::List(items) => items.iter().collect(),
        _ => vec![&stmts.value],
    };
    items.into_iter().find_map(|item| match &item.kind {
        ExprKind::Str { value, .. } => created_users(value)
            .into_iter()
            .find(|u| case.same(u, user))
            .map(|(name, _)| (item.span, name)),
        _ => None,
    })
}

/// How a database compares the user name a statement writes with the one a static role
/// names (which the plugins quote, so it is taken as written).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NameCase {
    /// PostgreSQL (and Redshift): a bare identifier folds to lowercase.
    FoldLower,
    /// Oracle: a bare identifier folds to uppercase.
    FoldUpper,
    /// MySQL and MariaDB: user names are case-sensitive, quoted or not.
    Exact,
    /// SQL Server (default collation), and plugins keyplan does not know: case is not
    /// told apart, the cautious reading for an unknown database.
    Insensitive,
}

impl NameCase {
    /// The rule of the connection's `plugin_name`.
    fn of(conn: &Block) -> Self {
        let plugin = find_attr(conn.entries(), "plugin_name").and_then(|a| match &a.value.kind {
            ExprKind::Str { value, .. } => Some(value.as_str()),
            _ => None,
        });
        match plugin.unwrap_or("") {
            p if p.starts_with("postgresql") || p.starts_with("redshift") => Self::FoldLower,
            p if p.starts_with("oracle") => Self::FoldUpper,
            p if p.starts_with("mysql") || p.contains("mariadb") => Self::Exact,
            _ => Self::Insensitive,
        }
    }

    /// Whether the statement's name (`quoted` or bare) is the static role's `user`.
    fn same(self, (name, quoted): &(String, bool), user: &str) -> bool {
        match self {
            Self::Exact => name == user,
            Self::Insensitive => name.eq_ignore_ascii_case(user),
            _ if *quoted => name == user,
            // ASCII folding, as PostgreSQL's for UTF-8 (and not std's Unicode case
            // tables, 26 KB of the playground's wasm).
            Self::FoldLower => name.to_ascii_lowercase() == user,
            Self::FoldUpper => name.to_ascii_uppercase() == user,
        }
    }
}

/// Users a SQL text creates with a fixed name (`CREATE USER 'x'`, `CREATE ROLE "x"`,
/// `CREATE OR REPLACE USER x IF NOT EXISTS`); templated names (`{{name}}`) are fresh per
/// lease and left out. Each name comes with whether it was quoted.
pub fn created_users(sql: &str) -> Vec<(String, bool)> {
    let words: Vec<&str> = sql.split_whitespace().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let is = |k: usize, w: &str| words.get(k).is_some_and(|x| x.eq_ignore_ascii_case(w));
        if is(i, "create") {
            let mut k = i + 1;
            if is(k, "or") && is(k + 1, "replace") {
                k += 2;
            }
            if is(k, "user") || is(k, "role") {
                k += 1;
                if is(k, "if") && is(k + 1, "not") && is(k + 2, "exists") {
                    k += 3;
                }
                if let Some(name) = words.get(k).and_then(|w| user_name(w)) {
                    out.push(name);
                }
                i = k;
            }
        }
        i += 1;
    }
    out
}

fn user_name(word: &str) -> Option<(String, bool)> {
    if word.contains("{{") {
        return None;
    }
    let quote = word
        .chars()
        .next()
        .filter(|c| matches!(c, '\'' | '"' | '`'));
    let (name, quoted) = match quote {
        Some(q) => {
            let inner = word.get(1..)?;
            (inner.get(..inner.find(q)?)?, true)
        }
        None => {
            let end = word.find(['@', ';', '(', ',']).unwrap_or(word.len());
            (word.get(..end)?, false)
        }
    };
    (!name.is_empty()).then(|| (name.to_string(), quoted))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_like_vault() {
        assert!(crate::ir::glob_match("*", "legacy"));
        assert!(crate::ir::glob_match("legacy", "legacy"));
        assert!(!crate::ir::glob_match("legacy", "legacy2"));
        assert!(crate::ir::glob_match("app-*", "app-reader"));
        assert!(!crate::ir::glob_match("app-*", "ap"));
        assert!(crate::ir::glob_match("*-ro", "db-ro"));
        assert!(crate::ir::glob_match("a*b*c", "axxbyyc"));
        assert!(!crate::ir::glob_match("a*b*c", "axxcyyb"));
        assert!(crate::ir::glob_match("ab*b", "ab-b"));
        assert!(!crate::ir::glob_match("ab*ab", "ab"));
    }

    #[test]
    fn compares_user_names_as_the_database_does() {
        let bare = ("legacy".to_string(), false);
        let quoted = ("legacy".to_string(), true);
        let upper_bare = ("Legacy".to_string(), false);
        // MySQL: case-sensitive, quoted or not.
        assert!(!NameCase::Exact.same(&bare, "Legacy"));
        assert!(NameCase::Exact.same(&upper_bare, "Legacy"));
        // PostgreSQL: `create user Legacy` creates `legacy`.
        assert!(NameCase::FoldLower.same(&upper_bare, "legacy"));
        assert!(!NameCase::FoldLower.same(&bare, "Legacy"));
        assert!(!NameCase::FoldLower.same(&("Legacy".to_string(), true), "legacy"));
        assert!(NameCase::FoldLower.same(&quoted, "legacy"));
        // Oracle folds to uppercase.
        assert!(NameCase::FoldUpper.same(&bare, "LEGACY"));
        assert!(!NameCase::FoldUpper.same(&quoted, "LEGACY"));
        assert!(NameCase::Insensitive.same(&bare, "Legacy"));
    }

    #[test]
    fn reads_fixed_user_names() {
        let fixed = |sql: &str| created_users(sql);
        assert_eq!(
            fixed("CREATE USER 'legacy'@'%' IDENTIFIED BY '{{password}}';"),
            vec![("legacy".to_string(), true)]
        );
        assert_eq!(
            fixed("create role legacy with login password '{{password}}';"),
            vec![("legacy".to_string(), false)]
        );
        assert_eq!(
            fixed("CREATE OR REPLACE USER IF NOT EXISTS \"Job\" PASSWORD 'x'"),
            vec![("Job".to_string(), true)]
        );
        assert!(fixed("CREATE USER '{{name}}'@'%' IDENTIFIED BY '{{password}}';").is_empty());
        assert!(fixed("CREATE ROLE \"{{name}}\" WITH LOGIN;").is_empty());
        assert!(fixed("GRANT SELECT ON *.* TO 'legacy'@'%';").is_empty());
    }
}
