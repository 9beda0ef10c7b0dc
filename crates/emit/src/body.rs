//! Request bodies and the helpers every emitter shares.
//!
//! The JSON outputs are serialised straight from the program (borrowed, no
//! `serde_json::Value` tree in between): building a tree of a large plan cost more than
//! writing it.

use kp_check::ir::{Body, Program, Resource, ResourceKind, Value};
use kp_check::Target;
use kp_graph::{Graph, NodeLists};

use crate::writer::escape_into;

/// One step of a path into a JSON document, borrowed from the body it walks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

/// Where a secret sits in a body, and which environment variable holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Secret<'a> {
    pub(crate) path: Vec<Step<'a>>,
    pub(crate) env: String,
}

impl Secret<'_> {
    /// The path as a JSON array (`["connection",0,"password"]`): jq's `setpath` form.
    pub(crate) fn write_path_json(&self, out: &mut String) {
        out.push('[');
        for (k, step) in self.path.iter().enumerate() {
            if k > 0 {
                out.push(',');
            }
            match step {
                Step::Key(key) => {
                    out.push('"');
                    escape_into(out, key);
                    out.push('"');
                }
                Step::Index(i) => out.push_str(&i.to_string()),
            }
        }
        out.push(']');
    }
}

/// Every secret in the body, in document order.
pub(crate) fn secrets(body: &Body) -> Vec<Secret<'_>> {
    let mut out = Vec::new();
    leaves(body, &mut |path, v| {
        if let Value::Env(e) = v {
            out.push(Secret {
                path: path.to_vec(),
                env: e.env.to_string(),
            });
        }
    });
    out
}

/// Where each literal secret (a sensitive field written as a literal, not `env()`) sits
/// in the body, in document order.
pub(crate) fn literals(body: &Body) -> Vec<Vec<Step<'_>>> {
    let mut out = Vec::new();
    leaves(body, &mut |path, v| {
        if let Value::Secret(_) = v {
            out.push(path.to_vec());
        }
    });
    out
}

/// Whether the body holds a secret of either kind: most bodies do not, and then no
/// path needs to be built at all.
pub(crate) fn has_secrets(body: &Body) -> bool {
    fn any(v: &Value) -> bool {
        match v {
            Value::Env(_) | Value::Secret(_) => true,
            Value::List(items) => items.iter().any(any),
            Value::Map(m) => m.values().any(any),
            Value::Str(_) | Value::Int(_) | Value::Bool(_) | Value::Policy(_) => false,
        }
    }
    body.values().any(any)
}

/// Calls `f` with every value of the body that is not a list or a map, and its path,
/// in document order.
fn leaves<'a>(body: &'a Body, f: &mut dyn FnMut(&[Step<'a>], &'a Value)) {
    fn walk<'a>(v: &'a Value, path: &mut Vec<Step<'a>>, f: &mut dyn FnMut(&[Step<'a>], &'a Value)) {
        match v {
            Value::List(items) => {
                for (i, item) in items.iter().enumerate() {
                    path.push(Step::Index(i));
                    walk(item, path, f);
                    path.pop();
                }
            }
            Value::Map(m) => walk_map(m, path, f),
            _ => f(path, v),
        }
    }
    fn walk_map<'a>(
        m: &'a Body,
        path: &mut Vec<Step<'a>>,
        f: &mut dyn FnMut(&[Step<'a>], &'a Value),
    ) {
        for (k, v) in m {
            path.push(Step::Key(k));
            walk(v, path, f);
            path.pop();
        }
    }
    if has_secrets(body) {
        walk_map(body, &mut Vec::new(), f);
    }
}

/// The environment variables the program's secrets are read from, sorted, each once.
/// A sorted `Vec`: a `BTreeSet<&str>` compiled its tree code into the wasm.
pub(crate) fn env_names(program: &Program) -> Vec<&str> {
    fn walk<'p>(v: &'p Value, out: &mut Vec<&'p str>) {
        match v {
            Value::Env(e) => out.push(e.env.as_str()),
            Value::List(items) => items.iter().for_each(|item| walk(item, out)),
            Value::Map(m) => m.values().for_each(|item| walk(item, out)),
            Value::Str(_)
            | Value::Int(_)
            | Value::Bool(_)
            | Value::Secret(_)
            | Value::Policy(_) => {}
        }
    }
    let mut out = Vec::new();
    for r in &program.resources {
        r.body.values().for_each(|v| walk(v, &mut out));
    }
    kp_sort::sort(&mut out);
    out.dedup();
    out
}

/// The program's resources in apply order.
pub(crate) fn in_order<'p>(program: &'p Program, graph: &Graph) -> Vec<&'p Resource> {
    graph
        .ordered()
        .filter_map(|n| program.resources.get(n.resource))
        .collect()
}

/// For every node, the nodes it depends on in apply order (those not in the order
/// left out), each once: one pass over the edges rather than a search of them per node.
/// Each list holds `(position in the order, node)` pairs.
pub(crate) fn dependencies_in_order(graph: &Graph) -> NodeLists<(usize, usize)> {
    let mut position = vec![None; graph.nodes.len()];
    for (k, &i) in graph.order.iter().enumerate() {
        if let Some(slot) = position.get_mut(i) {
            *slot = Some(k);
        }
    }
    let pairs = graph.edges.iter().filter_map(|e| {
        let k = position.get(e.from).copied().flatten()?;
        Some((e.to, (k, e.from)))
    });
    let mut lists = NodeLists::new(graph.nodes.len(), pairs);
    lists.sort_each();
    lists
}

/// The nodes of one list of [`dependencies_in_order`], a node repeated only once.
pub(crate) fn nodes_once(list: &[(usize, usize)]) -> impl Iterator<Item = usize> + '_ {
    let mut last = None;
    list.iter().filter_map(move |&pair| {
        let fresh = last != Some(pair);
        last = Some(pair);
        fresh.then_some(pair.1)
    })
}

/// The level (see [`Graph::levels`]) of every node, by index.
pub(crate) fn levels_by_node(graph: &Graph) -> Vec<Option<usize>> {
    let mut level = vec![None; graph.nodes.len()];
    // The first level holding a node wins, as with `Graph::level_of`.
    for (d, nodes) in graph.levels.iter().enumerate().rev() {
        for &i in nodes {
            if let Some(slot) = level.get_mut(i) {
                *slot = Some(d);
            }
        }
    }
    level
}

/// The name a serialisable enum has in JSON (`openbao`): what [`kind_name`] and
/// [`target_name`] must spell.
#[cfg(test)]
fn serde_name<T: serde::Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

/// The target as it is spelled in JSON (`openbao`); a test keeps it the serde name.
pub fn target_name(target: Target) -> &'static str {
    match target {
        Target::Vault => "vault",
        Target::Openbao => "openbao",
    }
}

/// The kind as it is spelled in JSON (`auth-mount`); a test keeps the two in step.
pub fn kind_name(kind: ResourceKind) -> &'static str {
    match kind {
        ResourceKind::AuthMount => "auth-mount",
        ResourceKind::SecretsMount => "secrets-mount",
        ResourceKind::Config => "config",
        ResourceKind::Role => "role",
        ResourceKind::Connection => "connection",
        ResourceKind::Policy => "policy",
        ResourceKind::Token => "token",
        ResourceKind::Action => "action",
    }
}

/// A name as a file name: anything that could leave the folder or confuse a shell
/// is replaced.
pub(crate) fn file_stem(name: &str) -> String {
    let stem: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if stem.is_empty() || stem.starts_with('.') {
        format!("_{stem}")
    } else {
        stem
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kp_check::ir::EnvRef;

    fn env(name: &str) -> Value {
        Value::Env(EnvRef {
            env: name.to_string(),
        })
    }

    #[test]
    fn kind_names_are_the_serde_names() {
        use ResourceKind::*;
        for kind in [
            AuthMount,
            SecretsMount,
            Config,
            Role,
            Connection,
            Policy,
            Token,
            Action,
        ] {
            assert_eq!(serde_name(&kind), kind_name(kind));
        }
        for target in Target::ALL {
            assert_eq!(serde_name(&target), target_name(target));
        }
    }

    #[test]
    fn finds_nested_secrets_in_document_order() {
        let body = Body::from([
            ("password".to_string(), env("A")),
            (
                "nested".to_string(),
                Value::Map(Body::from([(
                    "list".to_string(),
                    Value::List(vec![Value::Int(1), env("B")]),
                )])),
            ),
        ]);
        let found: Vec<(String, String)> = secrets(&body)
            .iter()
            .map(|s| {
                let mut path = String::new();
                s.write_path_json(&mut path);
                (path, s.env.clone())
            })
            .collect();
        assert_eq!(
            found,
            [
                (r#"["nested","list",1]"#.to_string(), "B".to_string()),
                (r#"["password"]"#.to_string(), "A".to_string()),
            ]
        );
        let mut compact = crate::writer::Json::compact(String::new());
        compact.body(&body);
        assert_eq!(
            compact.finish(),
            r#"{"nested":{"list":[1,"${B}"]},"password":"${A}"}"#
        );
    }
}
