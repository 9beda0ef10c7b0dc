//! The Vault/OpenBao endpoint schemas keyplan types attributes against.
//!
//! The schemas are data: JSON Schema (draft 2020-12) documents under `schemas/endpoints/` at
//! the workspace root, derived from both servers' OpenAPI documents (`schemas/reference/`,
//! plus hand overrides for what neither says) by `tools/schemagen/generate.py`. They are embedded at build time so the
//! compiler core stays free of I/O (and builds for wasm), and the same documents validate
//! emitted request bodies in tests.
//!
//! Each document carries keyplan's extensions:
//! - `x-keyplan` at the top: `{ "path": "auth/{mount}/role/{name}", "targets": [...],
//!   "write": "merge" | "replace", "source": "..." }`
//! - `x-keyplan-type` on each property: how users write the field (see [`FieldType`]).
//! - `x-keyplan-sensitive: true` on secrets (passwords): literals get a warning.
//! - `x-keyplan-targets` on a property that only one server has (absent: the endpoint's),
//!   derived from which document lists it (docs/targets.md).
//! - `x-keyplan-source` on a property supplemented or corrected by hand: where it comes from.
//! - `x-keyplan-ignored` on a property a server accepts and does nothing with:
//!   `{ "openbao": "evidence" }`.
//! - `x-keyplan-plugins` on a database connection's plugin field: the plugins that read it,
//!   kept as a bit set ([`Field::plugins`]) of positions in `x-keyplan.plugins`.
//!
//! Nested objects with known properties (the `config` of `sys-auth` and `sys-mounts`) are
//! typed too: their [`Field`] has [`FieldType::Map`] and the sub-fields in [`Field::fields`];
//! [`Endpoint::lookup`] walks a dotted path such as `config.default_lease_ttl`.
//!
//! `build.rs` reads the documents at build time into static tables (a document it cannot
//! read fails the build); the typed catalog is built from them on first use, with no JSON
//! parse. The crate's tests read the documents again with `load.rs` and require the same
//! catalog.
//!
//! Descriptions and sources ([`Field::description`], [`Field::source`],
//! [`Endpoint::description`], [`Endpoint::source`]) are only in the tables with the `docs`
//! feature (default); without it they are empty. The playground's wasm builds without it.

// In the playground's wasm: the standard sorts only through `kp_sort` (clippy.toml).
#![deny(clippy::disallowed_methods)]

use std::fmt;
use std::sync::LazyLock;

use serde::Serialize;

#[cfg(all(test, feature = "docs"))]
mod load;
mod table;

/// The catalog's maps (kp-sort's: no `BTreeMap` code per key and value type in the wasm).
pub use kp_sort::SortedMap;

mod documents {
    include!(concat!(env!("OUT_DIR"), "/documents.rs"));
}

/// How a field is written in keyplan and sent to the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FieldType {
    String,
    Int,
    Bool,
    /// Written `1h`/`90s` or as integer seconds; sent as integer seconds, or as the Go
    /// duration string `"<seconds>s"` when the field's [`Field::json_type`] is
    /// [`JsonType::String`] (`aws-lease`, whose server rejects bare integers).
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

impl FieldType {
    pub const ALL: [FieldType; 8] = [
        FieldType::String,
        FieldType::Int,
        FieldType::Bool,
        FieldType::Duration,
        FieldType::List,
        FieldType::CommaList,
        FieldType::Map,
        FieldType::Any,
    ];

    /// The `x-keyplan-type` keyword, e.g. `comma-list`.
    pub fn keyword(self) -> &'static str {
        match self {
            FieldType::String => "string",
            FieldType::Int => "int",
            FieldType::Bool => "bool",
            FieldType::Duration => "duration",
            FieldType::List => "list",
            FieldType::CommaList => "comma-list",
            FieldType::Map => "map",
            FieldType::Any => "any",
        }
    }

    pub fn from_keyword(keyword: &str) -> Option<FieldType> {
        FieldType::ALL
            .into_iter()
            .find(|ty| ty.keyword() == keyword)
    }
}

impl fmt::Display for FieldType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.keyword())
    }
}

/// The JSON type the API takes for a field (the document's `type`): what an emitter sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum JsonType {
    String,
    Integer,
    Boolean,
    Array,
    Object,
    /// The document does not constrain the type.
    Any,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Target {
    Vault,
    Openbao,
}

impl Target {
    pub const ALL: [Target; 2] = [Target::Vault, Target::Openbao];

    /// The keyword used in the documents and on the command line: `vault`, `openbao`.
    pub fn keyword(self) -> &'static str {
        match self {
            Target::Vault => "vault",
            Target::Openbao => "openbao",
        }
    }

    pub fn from_keyword(keyword: &str) -> Option<Target> {
        Target::ALL.into_iter().find(|t| t.keyword() == keyword)
    }

    /// The product name for messages: `HashiCorp Vault`, `OpenBao`.
    pub fn product(self) -> &'static str {
        match self {
            Target::Vault => "HashiCorp Vault",
            Target::Openbao => "OpenBao",
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.keyword())
    }
}

/// Whether a write replaces the whole object (omitted fields reset) or merges into it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum WriteMode {
    Merge,
    Replace,
}

impl WriteMode {
    pub fn keyword(self) -> &'static str {
        match self {
            WriteMode::Merge => "merge",
            WriteMode::Replace => "replace",
        }
    }
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
    /// The JSON type sent to the API (see [`FieldType::Duration`] for the one subtlety).
    pub json_type: JsonType,
    /// Superseded by another field (e.g. `policies` by `token_policies`).
    pub deprecated: bool,
    /// The plugins that read the field (`x-keyplan-plugins`), as bits of their positions
    /// in the endpoint's `x-keyplan.plugins` sorted by name (a database connection's: the
    /// checker's `DATABASE_PLUGINS`); 0 when every plugin does.
    pub plugins: u32,
    /// Servers that have this field: the endpoint's targets unless the field is narrower.
    pub targets: Vec<Target>,
    /// Where a hand-supplemented or corrected field comes from (`x-keyplan-source`).
    pub source: Option<String>,
    /// Servers that accept the field but do nothing with it, each with the evidence
    /// (`x-keyplan-ignored`): writing it changes nothing and it never reads back.
    pub ignored: SortedMap<Target, String>,
    /// Sub-fields of a nested object with known properties (e.g. `sys-auth` `config`);
    /// empty for every other field.
    pub fields: SortedMap<String, Field>,
}

impl Field {
    pub fn supports(&self, target: Target) -> bool {
        self.targets.contains(&target)
    }

    /// The evidence that `target` accepts this field and ignores it, if it does.
    pub fn ignored_on(&self, target: Target) -> Option<&str> {
        self.ignored.get(&target).map(String::as_str)
    }

    /// A sub-field of a nested object.
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.get(name)
    }

    /// Whether this is a nested object whose keys are checked against [`Field::fields`].
    pub fn has_fields(&self) -> bool {
        !self.fields.is_empty()
    }
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
    pub fields: SortedMap<String, Field>,
    /// What the endpoint does and its server-side quirks.
    pub description: String,
    /// Where the document comes from (`x-keyplan.source`).
    pub source: String,
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

    /// A field by dotted path through nested objects, e.g. `config.default_lease_ttl`.
    pub fn lookup(&self, dotted: &str) -> Option<&Field> {
        let mut parts = dotted.split('.');
        let mut field = self.fields.get(parts.next()?)?;
        for part in parts {
            field = field.fields.get(part)?;
        }
        Some(field)
    }

    /// Fields the API requires, sorted by name.
    pub fn required_fields(&self) -> impl Iterator<Item = &Field> {
        self.fields.values().filter(|f| f.required)
    }

    /// The placeholders of [`Endpoint::path`] in order, e.g. `["mount", "name"]`.
    pub fn placeholders(&self) -> Vec<&str> {
        self.path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{')?.strip_suffix('}'))
            .collect()
    }

    /// The path with placeholders filled in; `None` when a placeholder has no value.
    ///
    /// ```
    /// let role = kp_schema::endpoint("jwt-role").unwrap();
    /// let path = role.path_with(&[("mount", "jwt"), ("name", "example-role")]);
    /// assert_eq!(path.as_deref(), Some("auth/jwt/role/example-role"));
    /// ```
    pub fn path_with(&self, values: &[(&str, &str)]) -> Option<String> {
        let segments: Option<Vec<&str>> = self
            .path
            .split('/')
            .map(
                |seg| match seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    Some(name) => values.iter().find(|(k, _)| *k == name).map(|(_, v)| *v),
                    None => Some(seg),
                },
            )
            .collect();
        Some(segments?.join("/"))
    }
}

/// The typed endpoints, read from the generated table on first use (no JSON parse).
static CATALOG: LazyLock<SortedMap<String, Endpoint>> = LazyLock::new(|| {
    let mut catalog = SortedMap::new();
    for endpoint in table::endpoints() {
        catalog.insert(endpoint.id.clone(), endpoint);
    }
    catalog
});

/// The JSON documents, parsed on the first [`json_schema`] call. Only tests call it, so the
/// CLI and the playground carry neither the documents nor a parse of them.
static SCHEMAS: LazyLock<SortedMap<&'static str, serde_json::Value>> = LazyLock::new(|| {
    let mut schemas = SortedMap::new();
    for (id, text) in documents::DOCUMENTS {
        // `build.rs` parsed every document to make the tables: this cannot fail.
        if let Ok(schema) = serde_json::from_str(text) {
            schemas.insert(*id, schema);
        }
    }
    schemas
});

/// The endpoint schema with this id, if keyplan knows it.
pub fn endpoint(id: &str) -> Option<&'static Endpoint> {
    CATALOG.get(id)
}

/// Every known endpoint, sorted by id.
pub fn endpoints() -> impl Iterator<Item = &'static Endpoint> {
    CATALOG.values()
}

/// Every known endpoint id, sorted.
pub fn ids() -> impl Iterator<Item = &'static str> {
    CATALOG.keys().map(String::as_str)
}

/// The raw JSON Schema document of an endpoint, for validating request bodies.
pub fn json_schema(id: &str) -> Option<&'static serde_json::Value> {
    SCHEMAS.get(id)
}
