//! The second pass: every declared item to [`ir::Resource`]s, in source order.

mod approle;
mod creation;
mod db_roles;
mod fields;
mod mounts;
mod policies;
mod resolve;
mod rotation;
mod tokens;
mod workloads;

use kp_diag::{Diagnostic, Span};
use kp_schema::Target;
use kp_syntax::ast::Text;

use crate::index::{Reference, SymbolKey};
use crate::ir::{Program, Resource, ResourceId, ResourceKind};
use crate::symbols::{Item, Symbols, Table};

pub use fields::{missing_field, BodyCtx};

pub struct Lowerer<'s> {
    pub target: Target,
    pub syms: &'s Symbols<'s>,
    pub diags: Vec<Diagnostic>,
    pub program: Program,
    /// Policy names some field refers to (a workload's policy attached elsewhere).
    pub referenced_policies: Table<'s, ()>,
    /// Workloads with rules and no login: warned about unless their policy is used.
    pub(crate) pending_unattached: Vec<(&'s str, Span)>,
    /// Undeclared mounts workloads named, warned about once each.
    /// Sorted ([`kp_sort::insert_sorted`]).
    external_mounts: Vec<String>,
    /// Those of `external_mounts` a `login` named: the warning sits at the first (sorted).
    external_logins: Vec<String>,
    /// Whether `external_mounts` was read since last reset: what an item reports then
    /// depends on the items before it ([`crate::memo`] does not replay such an item).
    pub(crate) external_touched: bool,
    /// Every policy name added to `referenced_policies`, present or not, while an item is
    /// recorded for [`crate::memo`] (`None` otherwise).
    pub(crate) policy_log: Option<Vec<&'s str>>,
    /// Source spans of secrets written as literals: redacted from every diagnostic.
    pub secret_spans: Vec<Span>,
    /// Every reference resolved to a declaration, for editors.
    pub references: Vec<Reference>,
    /// Whether an answer so far depended on the target ([`crate::probe`]).
    pub target_sensitive: bool,
    /// Whether to fill `references` (only editors need them).
    pub record_references: bool,
    /// The endpoint [`Lowerer::schema`] found last: blocks of one kind come in runs (a
    /// login role per workload), and the catalog lookup compares strings.
    last_schema: Option<(&'static str, Option<&'static kp_schema::Endpoint>)>,
    /// The KV v2 mounts every rule path is checked against ([`crate::lints::kv`]).
    kv2_mounts: Vec<&'s crate::symbols::MountSym<'s>>,
    /// `kp::kv2-path` warnings of the policy being lowered whose help waits for its
    /// every rule ([`crate::lints::kv::finish`]).
    kv2_pending: Vec<crate::lints::kv::Pending>,
    /// The fields of each endpoint typed so far, by name ([`Lowerer::field_table`]).
    field_tables: Vec<FieldTable>,
    /// A body's typed fields before they are sorted ([`Lowerer::type_body`]): one buffer
    /// for every body.
    typed_fields: Vec<fields::RankedField>,
}

/// An endpoint's fields in a hash table (the schema keeps them in a `BTreeMap`: a dozen
/// string comparisons per attribute of every body), and its required ones.
struct FieldTable {
    endpoint: &'static kp_schema::Endpoint,
    by_name: Table<'static, FieldInfo>,
    /// In name order, as the schema lists them: every body is checked for them, and
    /// most endpoints require few of their dozens of fields.
    required: Vec<&'static kp_schema::Field>,
    /// The rank of the field found at each attribute position of the last body typed.
    recent: Vec<u32>,
}

/// What typing asks of a field on this check's target, answered once per endpoint
/// rather than once per attribute of every body.
#[derive(Clone, Copy)]
pub(crate) struct FieldInfo {
    pub(crate) field: &'static kp_schema::Field,
    /// The field's position in name order: a body sorts its fields by it, comparing
    /// numbers instead of names.
    pub(crate) rank: u32,
    /// The endpoint exists on the target and the field does not.
    pub(crate) unsupported: bool,
    /// Whether another target answers `unsupported` differently ([`crate::probe`]).
    pub(crate) target_sensitive: bool,
    /// The target accepts the field and ignores it: the evidence.
    pub(crate) ignored: Option<&'static str>,
}

/// What lowering produced: the program, the diagnostics, the secrets' spans, the
/// references resolved on the way, and whether any of it depended on the target.
pub struct Lowered {
    pub program: Program,
    pub diagnostics: Vec<Diagnostic>,
    pub secrets: Vec<Span>,
    pub references: Vec<Reference>,
    pub target_sensitive: bool,
}

impl<'s> Lowerer<'s> {
    pub fn new(target: Target, syms: &'s Symbols<'s>, diags: Vec<Diagnostic>) -> Self {
        Lowerer {
            target,
            syms,
            diags,
            program: Program::default(),
            referenced_policies: Table::default(),
            pending_unattached: Vec::new(),
            external_mounts: Vec::new(),
            external_logins: Vec::new(),
            external_touched: false,
            policy_log: None,
            secret_spans: Vec::new(),
            references: Vec::new(),
            target_sensitive: false,
            record_references: true,
            last_schema: None,
            kv2_mounts: crate::lints::kv::kv2_mounts(syms),
            kv2_pending: Vec::new(),
            field_tables: Vec::new(),
            typed_fields: Vec::new(),
        }
    }

    /// The position in `field_tables` of the endpoint's table, built on first use (a
    /// program types few endpoints, most of them many times).
    fn field_table(&mut self, ep: &'static kp_schema::Endpoint) -> usize {
        if let Some(i) = self
            .field_tables
            .iter()
            .position(|t| std::ptr::eq(t.endpoint, ep))
        {
            return i;
        }
        let mut by_name = Table::default();
        by_name.reserve(ep.fields.len());
        let mut required = Vec::new();
        let mut target_sensitive = false;
        for (rank, (name, field)) in (0u32..).zip(&ep.fields) {
            let unsupported = |t| ep.supports(t) && !field.supports(t);
            let info = FieldInfo {
                field,
                rank,
                unsupported: crate::probe::ask(self.target, &mut target_sensitive, unsupported),
                target_sensitive,
                ignored: field.ignored_on(self.target),
            };
            target_sensitive = false;
            by_name.insert(name.as_str(), info);
            if field.required {
                required.push(field);
            }
        }
        self.field_tables.push(FieldTable {
            endpoint: ep,
            by_name,
            required,
            recent: Vec::new(),
        });
        self.field_tables.len() - 1
    }

    /// `ep.field(name)`, and what typing asks of it, for the endpoint of table `table`.
    fn field_in(&self, table: usize, name: &str) -> Option<FieldInfo> {
        self.field_tables.get(table)?.by_name.get(name).copied()
    }

    /// [`Lowerer::field_in`] for the attribute at position `at` of a body. Bodies of one
    /// endpoint tend to list the same fields in the same order (a login role per
    /// workload): the field found at this position last time is tried first, one
    /// comparison of names instead of a hash of the name.
    fn field_at(&mut self, table: usize, at: usize, name: &str) -> Option<FieldInfo> {
        let t = self.field_tables.get_mut(table)?;
        let last = t
            .recent
            .get(at)
            .and_then(|&rank| t.by_name.at(rank as usize));
        if let Some((_, &info)) = last.filter(|(known, _)| *known == name) {
            return Some(info);
        }
        let info = *t.by_name.get(name)?;
        if t.recent.len() <= at {
            t.recent.resize(at + 1, u32::MAX);
        }
        if let Some(slot) = t.recent.get_mut(at) {
            *slot = info.rank;
        }
        Some(info)
    }

    /// The endpoint's schema ([`crate::schemas::endpoint`]), remembering the last one.
    fn schema(&mut self, id: &'static str) -> Option<&'static kp_schema::Endpoint> {
        match self.last_schema {
            Some((last, ep)) if last == id => ep,
            _ => {
                let ep = crate::schemas::endpoint(id);
                self.last_schema = Some((id, ep));
                ep
            }
        }
    }

    /// Whether `question` holds on the target, noting when the answer is the target's own.
    fn on_target(&mut self, question: impl Fn(Target) -> bool) -> bool {
        crate::probe::ask(self.target, &mut self.target_sensitive, question)
    }

    /// Room for what `items` lower to. Grown once, not by doubling: a program's
    /// resources are thousands of large values, and each regrowth copied all of them.
    pub fn reserve(&mut self, items: &[Item<'s>]) {
        let (resources, workloads) = expected_sizes(items);
        self.program.resources.reserve_exact(resources);
        self.program.workloads.reserve_exact(workloads);
    }

    /// Lowers one top-level item, appending what it produces.
    pub fn lower_item(&mut self, item: &Item<'s>) {
        match item {
            Item::Mount(decl) => self.lower_mount(decl),
            Item::TokenAuth(roles) => {
                for role in roles {
                    self.lower_nested(None, role);
                }
            }
            Item::Policy {
                name,
                block,
                duplicate,
            } => self.lower_unless_duplicate(*duplicate, |l| l.lower_policy(name, block)),
            Item::Token {
                name,
                block,
                duplicate,
            } => self.lower_unless_duplicate(*duplicate, |l| l.lower_token(name, block)),
            Item::Workload(decl) => {
                self.lower_unless_duplicate(decl.duplicate, |l| l.lower_workload(decl))
            }
        }
    }

    /// The passes over the whole program, once every item is lowered.
    pub fn finish(mut self) -> Lowered {
        self.program.extern_policies = self
            .extern_policies()
            .into_iter()
            .map(|(n, _)| n.to_string())
            .collect();
        self.check_database_roles();
        self.lower_owned();
        self.warn_unattached();
        Lowered {
            program: self.program,
            diagnostics: self.diags,
            secrets: self.secret_spans,
            references: self.references,
            target_sensitive: self.target_sensitive,
        }
    }

    /// The `owns` scopes, and a warning for each extern policy inside one.
    fn lower_owned(&mut self) {
        let token_roles = &self.syms.owned_token_roles;
        self.program.owned_token_roles = token_roles.iter().map(|(p, _)| p.clone()).collect();
        let owned = &self.syms.owned_policies;
        self.program.owned_policies = owned.iter().map(|(p, _)| p.clone()).collect();
        let externs: Vec<(String, Span)> = self
            .extern_policies()
            .into_iter()
            .map(|(n, p)| (n.to_string(), p))
            .collect();
        crate::owns::extern_inside_scope(owned, &externs, &mut self.diags);
    }

    /// The extern policies in name order, with their names' spans.
    fn extern_policies(&self) -> Vec<(&'s str, Span)> {
        let mut externs: Vec<(&'s str, Span)> = self
            .syms
            .policies
            .unordered()
            .filter(|(_, p)| p.origin == crate::symbols::PolicyOrigin::Extern)
            .map(|(n, p)| (n, p.span))
            .collect();
        kp_sort::by_key(&mut externs, |(n, _)| *n);
        externs
    }

    fn warn_unattached(&mut self) {
        for (name, span) in std::mem::take(&mut self.pending_unattached) {
            if self.referenced_policies.contains_key(name) {
                continue;
            }
            self.diags.push(
                Diagnostic::warning(
                    crate::codes::WORKLOAD_NO_LOGIN,
                    span,
                    format!("workload `{name}` has no `login`: its policy is attached to nothing"),
                )
                .with_label("no login")
                .with_help(format!(
                    "add `login MOUNT {{ ... }}` to derive a role carrying policy `{name}`, or name `{name}` in some `token_policies`"
                )),
            );
        }
    }

    /// Records a resolved reference; `key` is built only when references are recorded.
    fn reference(&mut self, span: Span, key: impl FnOnce() -> SymbolKey) {
        if self.record_references {
            self.references.push(Reference { span, key: key() });
        }
    }

    /// Notes that some field or login uses policy `name` (a key of the policy table).
    fn refer_policy(&mut self, name: &'s str) {
        self.referenced_policies.insert(name, ());
        if let Some(log) = &mut self.policy_log {
            log.push(name);
        }
    }

    /// Runs `lower` on a block; for a second definition of a name (`duplicate`), keeps
    /// what it reports and drops the resources it made: the first definition is the one
    /// that counts, and the second's mistakes are reported now, not once it is renamed.
    fn lower_unless_duplicate(&mut self, duplicate: bool, lower: impl FnOnce(&mut Self)) {
        let resources = self.program.resources.len();
        let workloads = self.program.workloads.len();
        let unattached = self.pending_unattached.len();
        lower(self);
        if duplicate {
            self.program.resources.truncate(resources);
            self.program.workloads.truncate(workloads);
            self.pending_unattached.truncate(unattached);
        }
    }

    fn push(&mut self, resource: Resource) {
        self.program.resources.push(resource);
    }
}

/// How many resources and workloads `items` lower to, at most in the usual case: a
/// mount, its config and its nested blocks (a database connection may add its root
/// rotation, which may then grow the list), a policy or a token each, a workload's
/// policy and login role.
fn expected_sizes(items: &[Item<'_>]) -> (usize, usize) {
    let (mut resources, mut workloads) = (0, 0);
    for item in items {
        resources += match item {
            Item::Mount(decl) => 2 + decl.nested.len(),
            Item::TokenAuth(roles) => roles.len(),
            Item::Policy { .. } | Item::Token { .. } => 1,
            Item::Workload(_) => {
                workloads += 1;
                2
            }
        };
    }
    (resources, workloads)
}

/// A resource written to and read back from `id` (one text, shared), with an empty body.
pub fn resource(
    id: ResourceId,
    kind: ResourceKind,
    name: Text,
    schema: &'static str,
    span: Span,
) -> Resource {
    Resource {
        path: id.clone(),
        read_path: Some(id.clone()),
        id,
        kind,
        name,
        schema,
        body: crate::ir::Body::new(),
        depends_on: Vec::new(),
        mount: None,
        workload: None,
        policy: None,
        span,
    }
}

/// What a block is, for messages: "JWT role `example-role`", "the config of `jwt`".
/// Written out only when a message says it (every block has one; few have a message).
#[derive(Debug, Clone, Copy)]
pub enum What<'a> {
    /// A named block: its kind, then its name in backticks.
    Named(&'a str, &'a str),
    /// An unnamed block of a mount: "the KIND of `MOUNT`".
    Of(&'a str, &'a str),
    /// Said in full.
    Said(&'a str),
}

impl std::fmt::Display for What<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            What::Named(kind, name) => write!(f, "{kind} `{name}`"),
            What::Of(kind, mount) => write!(f, "the {kind} of `{mount}`"),
            What::Said(text) => f.write_str(text),
        }
    }
}

/// Appends `id` unless present.
pub fn add_dep(deps: &mut Vec<ResourceId>, id: ResourceId) {
    if !deps.contains(&id) {
        deps.push(id);
    }
}
