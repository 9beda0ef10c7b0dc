//! The Vault/OpenBao endpoint schemas keyplan types attributes against.
//!
//! The schemas are data: JSON Schema documents under `schemas/endpoints/` at the workspace
//! root, derived from OpenBao's OpenAPI document (and Vault's API docs for what OpenBao
//! lacks). They are embedded at build time so the compiler core stays free of I/O, and
//! the same documents validate emitted request bodies in tests.
//!
//! Each document carries keyplan's extensions:
//! - `x-keyplan` at the top: `{ "path": "auth/{mount}/role/{name}", "targets": [...],
//!   "write": "merge" | "replace", "source": "..." }`
//! - `x-keyplan-type` on each property: how users write the field (see [`FieldType`]).
//! - `x-keyplan-sensitive: true` on secrets (passwords): literals get a warning.

use std::collections::BTreeMap;

use serde::Serialize;

/// How a field is written in keyplan and sent to the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FieldType {
    String,
    Int,
    Bool,
    /// Written `1h`/`90s` or as integer seconds; sent as integer seconds.
    Duration,
    /// A JSON array of strings.
    List,
    /// Written as a list; sent as Vault's comma-separated string.
    CommaList,
    /// A map of string keys to strings (or arbitrary values for `Object`).
    Map,
    /// Any JSON value (nested objects such as `cel_program`).
    Any,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Target {
    Vault,
    Openbao,
}

/// Whether a write replaces the whole object (omitted fields reset) or merges into it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum WriteMode {
    Merge,
    Replace,
}

#[derive(Debug, Clone, Serialize)]
pub struct Field {
    pub name: String,
    pub ty: FieldType,
    pub description: String,
    pub required: bool,
    pub sensitive: bool,
    /// The server-side default, when the schema states one.
    pub default: Option<serde_json::Value>,
    /// Allowed values, when the field is an enumeration.
    pub allowed: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Endpoint {
    /// File stem under `schemas/endpoints/`, e.g. `jwt-role`.
    pub id: String,
    /// Path template relative to `/v1/`, e.g. `auth/{mount}/role/{name}`.
    pub path: String,
    pub title: String,
    pub targets: Vec<Target>,
    pub write: WriteMode,
    pub fields: BTreeMap<String, Field>,
}

impl Endpoint {
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.get(name)
    }

    pub fn field_names(&self) -> impl Iterator<Item = &str> {
        self.fields.keys().map(String::as_str)
    }

    pub fn supports(&self, target: Target) -> bool {
        self.targets.contains(&target)
    }
}

/// The endpoint schema with this id, if keyplan knows it.
pub fn endpoint(_id: &str) -> Option<&'static Endpoint> {
    todo!("schema loading")
}

/// Every known endpoint, sorted by id.
pub fn endpoints() -> impl Iterator<Item = &'static Endpoint> {
    todo!("schema loading");
    #[allow(unreachable_code)]
    std::iter::empty()
}

/// The raw JSON Schema document of an endpoint, for validating request bodies.
pub fn json_schema(_id: &str) -> Option<&'static serde_json::Value> {
    todo!("schema loading")
}
