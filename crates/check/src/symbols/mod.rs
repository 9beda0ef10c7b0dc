//! What the program declares, collected before lowering so that references may point
//! forwards (a role naming a policy written further down).

mod table;

use kp_diag::Span;
use kp_sort::SortedMap;
use kp_syntax::ast::{Block, Statement, Text};

use crate::body::Parts;
use crate::catalog::{MountClass, MountType, NestedSpec};
use crate::ir::ResourceId;

pub use table::Table;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyOrigin {
    /// `policy NAME { ... }`
    Policy,
    /// `extern policy NAME`
    Extern,
    /// The policy a `workload NAME` derives.
    Workload { has_rules: bool },
}

#[derive(Debug, Clone)]
pub struct PolicySym {
    pub span: Span,
    /// The whole declaring block.
    pub block_span: Span,
    pub origin: PolicyOrigin,
}

pub fn policy_id(name: &str) -> ResourceId {
    ResourceId::concat(&["sys/policies/acl/", name])
}

impl PolicySym {
    /// The resource the program writes for this policy, if it writes one.
    pub fn resource(&self, name: &str) -> Option<ResourceId> {
        match self.origin {
            PolicyOrigin::Policy | PolicyOrigin::Workload { has_rules: true } => {
                Some(policy_id(name))
            }
            PolicyOrigin::Extern | PolicyOrigin::Workload { has_rules: false } => None,
        }
    }
}

/// A role or connection of a mount (or a token role).
#[derive(Debug, Clone)]
pub struct NamedSym<'a> {
    pub id: ResourceId,
    /// The name's span (the label, or `role_name` for a workload's login role).
    pub span: Span,
    pub block: &'a Block,
}

#[derive(Debug)]
pub struct MountSym<'a> {
    pub ty: &'static MountType,
    pub path: &'a str,
    /// `sys/auth/PATH` or `sys/mounts/PATH`.
    pub id: ResourceId,
    pub head: Span,
    /// The path label, or the type label when the path is the type.
    pub path_span: Span,
    /// Whether the path is implied by the type (`auth jwt`).
    pub path_implicit: bool,
    pub block_span: Span,
    /// KV version (`version = 2`); `None` when not a KV mount or not given.
    pub kv_version: Option<i64>,
    /// The mount's literal `max_lease_ttl` (seconds) and its value's span.
    pub max_lease_ttl: Option<(i64, Span)>,
    /// Whether the engine exists on the compilation target.
    pub available: bool,
    pub roles: Table<'a, NamedSym<'a>>,
    pub connections: Table<'a, NamedSym<'a>>,
}

impl MountSym<'_> {
    /// `` `secrets ssh` ``, or `` `secrets kv secret` `` when the path is not the type.
    pub fn display(&self) -> String {
        crate::declare::mount_display(self.ty.class, self.ty.name, self.path)
    }

    pub fn is_kv2(&self) -> bool {
        self.ty.name == "kv" && self.kv_version == Some(2)
    }
}

#[derive(Debug, Default)]
pub struct Symbols<'a> {
    pub policies: Table<'a, PolicySym>,
    /// Mounts are few, and "the first overlapping mount" reads them in path order; a
    /// sorted `Vec`, not a `BTreeMap`, whose code per key and value type was 1.6 KB of the
    /// gzipped wasm.
    pub auth_mounts: SortedMap<&'a str, MountSym<'a>>,
    pub secret_mounts: SortedMap<&'a str, MountSym<'a>>,
    pub token_roles: Table<'a, NamedSym<'a>>,
    pub tokens: Table<'a, Span>,
    /// The block of each token, for editors.
    pub token_blocks: Table<'a, &'a Block>,
    /// `owns policies` patterns, in source order, each with its label's span.
    pub owned_policies: Vec<(String, Span)>,
    /// `owns token-roles` patterns, in source order, each with its label's span.
    pub owned_token_roles: Vec<(String, Span)>,
    /// Mounts declared with an unknown type (`auth jtw ci`), as (`auth`|`secrets`,
    /// path): declared, though not typed, so a reference to one is no external mount.
    pub untyped_mounts: Vec<(&'static str, &'a str)>,
}

impl<'a> Symbols<'a> {
    pub fn mounts(&self, class: MountClass) -> &SortedMap<&'a str, MountSym<'a>> {
        match class {
            MountClass::Auth => &self.auth_mounts,
            MountClass::Secrets => &self.secret_mounts,
        }
    }

    pub fn mounts_mut(&mut self, class: MountClass) -> &mut SortedMap<&'a str, MountSym<'a>> {
        match class {
            MountClass::Auth => &mut self.auth_mounts,
            MountClass::Secrets => &mut self.secret_mounts,
        }
    }

    pub fn mount(&self, class: MountClass, path: &str) -> Option<&MountSym<'a>> {
        self.mounts(class).get(path)
    }
}

/// A top-level block, classified and with its labels checked.
#[derive(Debug)]
pub enum Item<'a> {
    Mount(MountDecl<'a>),
    /// `auth token { role NAME { } }`
    TokenAuth(Vec<NestedDecl<'a>>),
    Policy {
        name: &'a Text,
        block: &'a Block,
        /// A second definition of the name: checked, lowered to no resource.
        duplicate: bool,
    },
    Token {
        name: &'a Text,
        block: &'a Block,
        /// A second definition of the name: checked, lowered to no resource.
        duplicate: bool,
    },
    Workload(WorkloadDecl<'a>),
}

#[derive(Debug)]
pub struct MountDecl<'a> {
    pub class: MountClass,
    pub path: &'a str,
    pub block: &'a Block,
    pub parts: Parts<'a>,
    pub nested: Vec<NestedDecl<'a>>,
}

#[derive(Debug)]
pub struct NestedDecl<'a> {
    pub spec: &'static NestedSpec,
    pub name: Option<&'a Text>,
    pub block: &'a Block,
    /// The resource id, which is its API path.
    pub id: ResourceId,
    /// A second block of the name in its mount: checked, lowered to no resource.
    pub duplicate: bool,
}

#[derive(Debug)]
pub struct WorkloadDecl<'a> {
    pub name: &'a Text,
    pub block: &'a Block,
    pub parts: Parts<'a>,
    pub login: Option<LoginDecl<'a>>,
    pub statements: Vec<&'a Statement>,
    /// A second workload of the name (or one named like a policy): checked, lowered to
    /// nothing.
    pub duplicate: bool,
}

#[derive(Debug)]
pub struct LoginDecl<'a> {
    pub mount: &'a str,
    pub mount_span: Span,
    pub block: &'a Block,
    /// The workload's name, or `role_name`'s value.
    pub role_name: &'a Text,
}
