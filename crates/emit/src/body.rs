//! Request bodies and the helpers every emitter shares.
//!
//! The JSON outputs are serialised straight from the program (borrowed, no
//! `serde_json::Value` tree in between): building a tree of a large plan cost more than
//! writing it.

use std::collections::{BTreeMap, BTreeSet};

use kp_check::ir::{Program, Resource, ResourceKind, Value};
use kp_graph::Graph;
use serde::{Serialize, Serializer};

/// Serialises a body with each secret replaced by `${NAME}`, keys sorted.
pub(crate) struct Redacted<'a>(pub(crate) &'a BTreeMap<String, Value>);

struct RedactedValue<'a>(&'a Value);

impl Serialize for Redacted<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(k, v)| (k, RedactedValue(v))))
    }
}

impl Serialize for RedactedValue<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::Str(s) => serializer.serialize_str(s),
            Value::Int(i) => serializer.serialize_i64(*i),
            Value::Bool(b) => serializer.serialize_bool(*b),
            Value::List(items) => serializer.collect_seq(items.iter().map(RedactedValue)),
            Value::Map(m) => Redacted(m).serialize(serializer),
            Value::Env(e) => serializer.collect_str(&format_args!("${{{}}}", e.env)),
            Value::Secret(_) => serializer.serialize_str(kp_check::ir::LITERAL_SECRET),
        }
    }
}

/// One step of a path into a JSON document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    Key(String),
    Index(usize),
}

/// Where a secret sits in a body, and which environment variable holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Secret {
    pub(crate) path: Vec<Step>,
    pub(crate) env: String,
}

impl Secret {
    /// The path as a JSON array (`["connection", 0, "password"]`): jq's `setpath` form.
    pub(crate) fn path_json(&self) -> serde_json::Value {
        serde_json::Value::Array(
            self.path
                .iter()
                .map(|s| match s {
                    Step::Key(k) => serde_json::Value::String(k.clone()),
                    Step::Index(i) => serde_json::Value::from(*i),
                })
                .collect(),
        )
    }
}

/// Every secret in the body, in document order.
pub(crate) fn secrets(body: &BTreeMap<String, Value>) -> Vec<Secret> {
    let mut out = Vec::new();
    leaves(body, &mut |path, v| {
        if let Value::Env(e) = v {
            out.push(Secret {
                path: path.to_vec(),
                env: e.env.clone(),
            });
        }
    });
    out
}

/// Where each literal secret (a sensitive field written as a literal, not `env()`) sits
/// in the body, in document order.
pub(crate) fn literals(body: &BTreeMap<String, Value>) -> Vec<Vec<Step>> {
    let mut out = Vec::new();
    leaves(body, &mut |path, v| {
        if let Value::Secret(_) = v {
            out.push(path.to_vec());
        }
    });
    out
}

/// Calls `f` with every value of the body that is not a list or a map, and its path,
/// in document order.
fn leaves(body: &BTreeMap<String, Value>, f: &mut dyn FnMut(&[Step], &Value)) {
    fn walk(v: &Value, path: &mut Vec<Step>, f: &mut dyn FnMut(&[Step], &Value)) {
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
    fn walk_map(
        m: &BTreeMap<String, Value>,
        path: &mut Vec<Step>,
        f: &mut dyn FnMut(&[Step], &Value),
    ) {
        for (k, v) in m {
            path.push(Step::Key(k.clone()));
            walk(v, path, f);
            path.pop();
        }
    }
    walk_map(body, &mut Vec::new(), f);
}

/// The environment variables the program's secrets are read from, sorted.
pub(crate) fn env_names(program: &Program) -> BTreeSet<&str> {
    fn walk<'p>(v: &'p Value, out: &mut BTreeSet<&'p str>) {
        match v {
            Value::Env(e) => {
                out.insert(e.env.as_str());
            }
            Value::List(items) => items.iter().for_each(|item| walk(item, out)),
            Value::Map(m) => m.values().for_each(|item| walk(item, out)),
            Value::Str(_) | Value::Int(_) | Value::Bool(_) | Value::Secret(_) => {}
        }
    }
    let mut out = BTreeSet::new();
    for r in &program.resources {
        r.body.values().for_each(|v| walk(v, &mut out));
    }
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
/// left out): one pass over the edges rather than a search of them per node.
pub(crate) fn dependencies_in_order(graph: &Graph) -> Vec<Vec<usize>> {
    let mut position = vec![None; graph.nodes.len()];
    for (k, &i) in graph.order.iter().enumerate() {
        if let Some(slot) = position.get_mut(i) {
            *slot = Some(k);
        }
    }
    let mut deps: Vec<Vec<(usize, usize)>> = vec![Vec::new(); graph.nodes.len()];
    for e in &graph.edges {
        if let (Some(list), Some(Some(k))) = (deps.get_mut(e.to), position.get(e.from)) {
            list.push((*k, e.from));
        }
    }
    deps.into_iter()
        .map(|mut list| {
            list.sort_unstable();
            list.dedup();
            list.into_iter().map(|(_, n)| n).collect()
        })
        .collect()
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

/// The name a serialisable enum has in JSON (`openbao`): one spelling, the IR's own,
/// for every output.
pub(crate) fn serde_name<T: Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

/// The kind as it is spelled in JSON (`auth-mount`); a test keeps the two in step.
pub(crate) fn kind_name(kind: ResourceKind) -> &'static str {
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

/// Two-space pretty JSON with a final newline, written into one buffer of about
/// `capacity` bytes.
pub(crate) fn pretty<T: Serialize>(value: &T, capacity: usize) -> String {
    let mut buf = Vec::with_capacity(capacity);
    // Writing to memory fails only on a map with non-string keys, which no output has.
    if serde_json::to_writer_pretty(&mut buf, value).is_err() {
        buf.clear();
    }
    buf.push(b'\n');
    // serde_json writes UTF-8 only.
    String::from_utf8(buf).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
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
        ] {
            assert_eq!(serde_name(&kind), kind_name(kind));
        }
    }

    #[test]
    fn finds_nested_secrets_in_document_order() {
        let body = BTreeMap::from([
            ("password".to_string(), env("A")),
            (
                "nested".to_string(),
                Value::Map(BTreeMap::from([(
                    "list".to_string(),
                    Value::List(vec![Value::Int(1), env("B")]),
                )])),
            ),
        ]);
        let found: Vec<(String, String)> = secrets(&body)
            .iter()
            .map(|s| (s.path_json().to_string(), s.env.clone()))
            .collect();
        assert_eq!(
            found,
            [
                (r#"["nested","list",1]"#.to_string(), "B".to_string()),
                (r#"["password"]"#.to_string(), "A".to_string()),
            ]
        );
        assert_eq!(
            serde_json::to_string(&Redacted(&body)).unwrap(),
            r#"{"nested":{"list":[1,"${B}"]},"password":"${A}"}"#
        );
    }
}
