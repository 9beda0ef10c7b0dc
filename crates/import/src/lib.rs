//! `keyplan import`, the pure part: what a live server holds (read by the live edge into
//! a [`Snapshot`]) becomes a formatted keyplan program.
//!
//! - [`wanted`]: which paths to `GET` and `LIST`, given what was read so far. The live
//!   edge calls it until nothing new is wanted (mount tables, then configs and role
//!   lists, then each role), so this crate decides what an import reads and the edge
//!   only fetches.
//! - [`import`]: the snapshot to a program: mounts of the types the language knows with
//!   their config and roles, token roles, policies parsed from HCL ([`policy`]),
//!   workloads recognised ([`workloads`]), fields equal to the endpoint's default left
//!   out, secrets as `env("...")`, every file formatted by `kp-fmt`.
//!
//! No I/O: the crate builds for `wasm32-unknown-unknown` and the playground can import a
//! snapshot too.

mod build;
mod dsn;
mod fields;
mod hcl1;
pub mod policy;
mod policy_comments;
mod read;
mod ssh;
pub mod target;
mod text;
mod values;
mod workloads;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

pub use fields::{keys_matter, omitted};
pub use kp_schema::Target;
pub use read::{wanted, Wanted};
pub use target::{detect, Server};

/// What the server answered for one path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Fetched {
    /// The answer's `data` (for a `LIST`: the keys, as a JSON array of strings).
    Data(Json),
    /// 404: nothing there.
    Missing,
    /// The server refused or failed: its status and message.
    Unreadable { status: u16, message: String },
}

/// Everything read from the server, by API path (relative to `/v1/`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    #[serde(default)]
    pub reads: BTreeMap<String, Fetched>,
    #[serde(default)]
    pub lists: BTreeMap<String, Fetched>,
}

impl Snapshot {
    /// The data read at `path`, when the read succeeded.
    pub fn data(&self, path: &str) -> Option<&Json> {
        match self.reads.get(path) {
            Some(Fetched::Data(d)) => Some(d),
            _ => None,
        }
    }

    /// The keys listed at `path` (empty when missing or unreadable), without trailing `/`.
    pub fn keys(&self, path: &str) -> Vec<String> {
        match self.lists.get(path) {
            Some(Fetched::Data(Json::Array(keys))) => keys
                .iter()
                .filter_map(|k| k.as_str())
                .filter(|k| !k.ends_with('/'))
                .map(str::to_string)
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// What to import and for which server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The server the program is typed for: fields the other server alone has are left out.
    pub target: Target,
    /// Only these mounts (paths as in `sys/auth` and `sys/mounts`, without the trailing
    /// `/`; `token` for token roles). Empty: every mount, unless `policies` is given.
    pub mounts: Vec<String>,
    /// Only these policies. Empty: every policy, unless `mounts` is given.
    pub policies: Vec<String>,
    /// The server read, when known: named in a comment heading every file, with the
    /// `--target` to check the program with.
    pub server: Option<Server>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            target: Target::Vault,
            mounts: Vec::new(),
            policies: Vec::new(),
            server: None,
        }
    }
}

impl Options {
    fn everything(&self) -> bool {
        self.mounts.is_empty() && self.policies.is_empty()
    }

    pub(crate) fn wants_mount(&self, path: &str) -> bool {
        self.everything() || self.mounts.iter().any(|m| m.trim_matches('/') == path)
    }

    pub(crate) fn wants_policies(&self) -> bool {
        self.everything() || !self.policies.is_empty()
    }

    /// The server keeps policy names in lower case (`Team.Policy` is written as
    /// `team.policy`): `--policy` names one in any case.
    pub(crate) fn wants_policy(&self, name: &str) -> bool {
        self.everything() || self.policies.iter().any(|p| p.to_lowercase() == name)
    }
}

/// A note about the import: something left out, kept as it is, or not readable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// What it is about: an API path, or `policy NAME`.
    pub subject: String,
    pub message: String,
}

/// An environment variable the imported program reads (`env("NAME")`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnvVar {
    pub name: String,
    /// The resource and field it is the secret of, e.g. `auth/userpass/users/ci password`.
    pub for_field: String,
}

/// One file of the imported program.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct File {
    /// File name (`auth-jwt.kp`, `policies.kp`, ...).
    pub name: String,
    pub text: String,
}

/// The imported program.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Imported {
    /// The whole program as one formatted file.
    pub program: String,
    /// The same program as one file per mount plus `policies.kp` (for `-o DIR`).
    pub files: Vec<File>,
    pub warnings: Vec<Warning>,
    /// Each path the server did not let the import read, with its answer.
    pub unreadable: Vec<Warning>,
    /// Variables to provide before `keyplan apply`.
    pub env: Vec<EnvVar>,
    /// How many resources were imported (mounts, configs, roles, policies).
    pub resources: usize,
}

/// Turns what was read into a program.
pub fn import(snapshot: &Snapshot, options: &Options) -> Imported {
    build::build(snapshot, options)
}
