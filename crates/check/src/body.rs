//! Splitting a block body into attributes, nested blocks and statements, and the
//! reports every body shares (duplicate attributes, misplaced blocks and statements).

use kp_diag::{did_you_mean, Diagnostic};
use kp_syntax::ast::{Attribute, Block, Entry, Expr, ExprKind, Statement};

use crate::codes;

/// A body's entries by kind, in source order. Attributes are deduplicated: only the
/// first of several with one name is kept (the others are reported).
#[derive(Debug, Default, Clone)]
pub struct Parts<'a> {
    pub attrs: Vec<&'a Attribute>,
    pub blocks: Vec<&'a Block>,
    pub statements: Vec<&'a Statement>,
}

impl<'a> Parts<'a> {
    pub fn get(&self, name: &str) -> Option<&'a Attribute> {
        // `str`s compared: `Text`'s own `==` is a call per attribute, and every body
        // entry is looked up here (duplicates) at least once.
        self.attrs
            .iter()
            .copied()
            .find(|a| a.name.name.as_str() == name)
    }

    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// The attribute named `name` when its value is not empty ([`is_empty_value`]):
    /// what a check asking "is this field set" means.
    pub fn given(&self, name: &str) -> Option<&'a Attribute> {
        self.get(name).filter(|a| !is_empty_value(&a.value))
    }
}

/// Whether a value sets its field to nothing: `""` (or blanks), `[]` or `{}`. The server
/// reads these as unset (`bound_audiences = []` binds nothing, a role "must have at least
/// one bound constraint"), so a field holding one is not given.
pub fn is_empty_value(expr: &Expr) -> bool {
    match &expr.kind {
        ExprKind::Str { value, .. } => value.trim().is_empty(),
        ExprKind::List(items) => items.is_empty(),
        ExprKind::Map(entries) => entries.is_empty(),
        _ => false,
    }
}

/// Splits `entries`, reporting duplicate attributes.
pub fn split<'a>(entries: &'a [Entry], diags: &mut Vec<Diagnostic>) -> Parts<'a> {
    // Counted first: each list allocated once at its size, not grown push by push.
    let (mut attrs, mut blocks) = (0, 0);
    for entry in entries {
        match entry {
            Entry::Attribute(_) => attrs += 1,
            Entry::Block(_) => blocks += 1,
            Entry::Statement(_) => {}
        }
    }
    let mut parts = Parts {
        attrs: Vec::with_capacity(attrs),
        blocks: Vec::with_capacity(blocks),
        statements: Vec::with_capacity(entries.len() - attrs - blocks),
    };
    for entry in entries {
        match entry {
            Entry::Attribute(attr) => {
                if let Some(first) = parts.get(&attr.name.name) {
                    diags.push(
                        Diagnostic::error(
                            codes::DUPLICATE,
                            attr.name.span,
                            format!("duplicate attribute `{}`", attr.name.name),
                        )
                        .with_label("set again here")
                        .with_related(first.name.span, "first set here")
                        .with_help("remove one of them: the later one would silently win"),
                    );
                } else {
                    parts.attrs.push(attr);
                }
            }
            Entry::Block(block) => parts.blocks.push(block),
            Entry::Statement(st) => parts.statements.push(st),
        }
    }
    parts
}

/// The first attribute named `name` among `entries`, without reporting anything.
pub fn find_attr<'a>(entries: &'a [Entry], name: &str) -> Option<&'a Attribute> {
    entries.iter().find_map(|e| match e {
        Entry::Attribute(a) if a.name.name.as_str() == name => Some(a),
        _ => None,
    })
}

/// Where a body that takes no statements sits, which decides the help for one found in it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum StatementsGo {
    /// In a `workload` block (a policy's, a role's or a mount's body).
    InAWorkload,
    /// Beside the `login` whose body this is: a workload's statement one level too deep.
    BesideTheLogin,
}

/// Reports statements in a body that takes none.
pub fn reject_statements(
    statements: &[&Statement],
    what: &dyn std::fmt::Display,
    go: StatementsGo,
    diags: &mut Vec<Diagnostic>,
) {
    for st in statements {
        let capability = crate::catalog::CAPABILITY_VERBS.contains(&st.verb.name.as_str());
        // `user_claim "sub"`: an attribute that lost its `=` (`missing_equals`).
        let lost_equals = !capability && st.args.len() == 1 && st.verb.name != "owns";
        let mut d = if lost_equals {
            Diagnostic::error(
                codes::UNEXPECTED_STATEMENT,
                st.span,
                format!("missing `=` after `{}` in {what}", st.verb.name),
            )
            .with_label("an attribute is `name = value`")
        } else {
            Diagnostic::error(
                codes::UNEXPECTED_STATEMENT,
                st.span,
                format!("unexpected statement `{}` in {what}", st.verb.name),
            )
            .with_label("not an attribute or block")
        };
        d = if go == StatementsGo::BesideTheLogin && !lost_equals {
            d.with_help(
                "a workload's statements sit beside its `login`: move this line out of `login { ... }`",
            )
        } else if let (true, [arg]) = (capability, st.args.as_slice()) {
            // `read "apps/*"` in a policy: workload grammar written where a rule belongs.
            let path = match &arg.kind {
                ExprKind::Str { value, .. } => value.as_str(),
                _ => "PATH",
            };
            d.with_help(format!(
                "a policy grants with `path` blocks: `path \"{path}\" {{ capabilities = [{}] }}`; \
                 statements like `{} \"PATH\"` belong in a `workload` block",
                st.verb.name, st.verb.name
            ))
        } else if st.verb.name.as_str() == "owns" {
            d.with_help(crate::owns::NESTED_HELP)
        } else if lost_equals {
            d.with_help(format!("write `{} = ...`", st.verb.name))
        } else {
            d.with_help("statements like `read \"PATH\"` belong in a `workload` block")
        };
        diags.push(d);
    }
}

/// Reports nested blocks where `valid` lists the keywords allowed (possibly none).
pub fn reject_block(
    block: &Block,
    what: &dyn std::fmt::Display,
    valid: &[&str],
    diags: &mut Vec<Diagnostic>,
) {
    let kw = &block.keyword.name;
    let d = Diagnostic::error(
        codes::UNKNOWN_BLOCK,
        block.keyword.span,
        format!("unknown block `{kw}` in {what}"),
    );
    let d = if valid.is_empty() {
        d.with_label("no blocks here")
            .with_help(format!("{what} takes no nested blocks"))
    } else {
        let list = format!("blocks valid here: {}", one_of(valid));
        let help = match did_you_mean(kw, valid.iter().copied()) {
            Some(s) => format!("did you mean `{s}`? {list}"),
            None => list,
        };
        d.with_label("not valid here").with_help(help)
    };
    diags.push(d);
}

/// The names of a help's list, each once, in the order first given: lists are built from
/// several sources (declared policies and the built-in `default`, which a program may
/// also declare), and a help that names one twice reads as a bug.
pub fn unique<'a, S: AsRef<str> + ?Sized + 'a>(
    names: impl IntoIterator<Item = &'a S>,
) -> Vec<&'a str> {
    // A help's list is a handful of names: a linear search is smaller (in the wasm) than a set.
    let mut out: Vec<&str> = Vec::new();
    for name in names {
        let name = name.as_ref();
        if !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

/// [`kp_diag::one_of`] of the names, each once: every list of names in this crate's helps
/// goes through here.
pub fn one_of<S: AsRef<str>>(names: &[S]) -> String {
    kp_diag::one_of(&unique(names))
}

/// Joins help sentences: after a question ("did you mean `x`?") with a space, otherwise
/// with "; ".
pub fn join_help<I: IntoIterator<Item = String>>(parts: I) -> String {
    let mut out = String::new();
    for part in parts {
        if !out.is_empty() {
            out.push_str(if out.ends_with('?') { " " } else { "; " });
        }
        out.push_str(&part);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_of_names_name_each_once_in_first_order() {
        assert_eq!(unique(["b", "a", "b", "c", "a"]), ["b", "a", "c"]);
        assert_eq!(
            one_of(&["default", "default", "root"]),
            "`default` or `root`"
        );
        assert_eq!(one_of(&["x", "x"]), "`x`");
    }
}
