//! Request bodies and the helpers every emitter shares.

use std::collections::{BTreeMap, BTreeSet};

use kp_check::ir::{Program, Resource, ResourceKind, Value};
use kp_graph::Graph;
use serde::Serialize;

/// The body as JSON with each secret replaced by `${NAME}` (keys sorted).
pub(crate) fn redacted(body: &BTreeMap<String, Value>) -> serde_json::Value {
    serde_json::Value::Object(
        body.iter()
            .map(|(k, v)| (k.clone(), v.redacted()))
            .collect(),
    )
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
    fn walk(v: &Value, path: &mut Vec<Step>, out: &mut Vec<Secret>) {
        match v {
            Value::Env(e) => out.push(Secret {
                path: path.clone(),
                env: e.env.clone(),
            }),
            Value::List(items) => {
                for (i, item) in items.iter().enumerate() {
                    path.push(Step::Index(i));
                    walk(item, path, out);
                    path.pop();
                }
            }
            Value::Map(m) => walk_map(m, path, out),
            Value::Str(_) | Value::Int(_) | Value::Bool(_) => {}
        }
    }
    fn walk_map(m: &BTreeMap<String, Value>, path: &mut Vec<Step>, out: &mut Vec<Secret>) {
        for (k, v) in m {
            path.push(Step::Key(k.clone()));
            walk(v, path, out);
            path.pop();
        }
    }
    let mut out = Vec::new();
    walk_map(body, &mut Vec::new(), &mut out);
    out
}

/// The environment variables the program's secrets are read from, sorted.
pub(crate) fn env_names(program: &Program) -> BTreeSet<String> {
    program
        .resources
        .iter()
        .flat_map(|r| secrets(&r.body))
        .map(|s| s.env)
        .collect()
}

/// The program's resources in apply order.
pub(crate) fn in_order<'p>(program: &'p Program, graph: &Graph) -> Vec<&'p Resource> {
    graph
        .ordered()
        .filter_map(|n| program.resources.get(n.resource))
        .collect()
}

/// The ids of the program's resources that `i` depends on, in apply order.
pub(crate) fn dependency_ids(graph: &Graph, i: usize) -> Vec<String> {
    let deps = graph.dependencies(i);
    graph
        .order
        .iter()
        .filter(|o| deps.contains(o))
        .filter_map(|&o| graph.nodes.get(o).map(|n| n.id.clone()))
        .collect()
}

/// The name a serialisable enum has in JSON (`auth-mount`, `openbao`): one spelling,
/// the IR's own, for every output.
pub(crate) fn serde_name<T: Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

pub(crate) fn kind_name(kind: ResourceKind) -> String {
    match serde_name(&kind) {
        serde_json::Value::String(s) => s,
        other => other.to_string(),
    }
}

/// Two-space pretty JSON with a final newline. `Display` cannot fail, unlike
/// `to_string_pretty`, and prints the same bytes.
pub(crate) fn pretty(value: &serde_json::Value) -> String {
    format!("{value:#}\n")
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
            redacted(&body).to_string(),
            r#"{"nested":{"list":[1,"${B}"]},"password":"${A}"}"#
        );
    }
}
