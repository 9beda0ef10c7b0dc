//! Lowering again only what an edit can change: a [`Memo`] keeps, for each top-level
//! item a check lowered, what lowering it added to the checker's shared state (its
//! *effects*), and the next check with the same memo appends those effects again, moved
//! to where the item's block is now, instead of lowering the item.
//!
//! # Why replay is exact
//!
//! Lowering an item is a function of what it reads, and it appends what it writes. An
//! audit of `Lowerer` and every lowering function (`lower/*`, the lints they call):
//!
//! - **Its own tree**: the item is what the declaration pass made of one top-level
//!   block. The key hashes that block's whole tree, with spans counted from the block's
//!   start ([`fingerprint::block`]): same key, same tree up to a move.
//! - **The symbol tables** (`Lowerer::syms`, and `kv2_mounts` derived from them): names,
//!   kinds, ids, KV versions, availability, `owns` patterns, and the tree of every role,
//!   connection and token role block (tokens read their role's fields, `creds` reads
//!   whether a role is static): [`fingerprint::environment`], with the target and whether
//!   references are recorded. A change there empties the memo.
//! - **Which symbols are its own**: duplicates keep the first declaration, so whether
//!   this block's mount, roles or policy won decides what it lowers to (the login role's
//!   id, the mount a block's roles belong to). The key includes the symbols declared in
//!   the block ([`fingerprint::owners`]).
//! - **Spans of other blocks** (a "mounted here" note, a policy's definition): read only
//!   to be reported, and those move independently. An item whose effects hold a span
//!   outside its block is not recorded, so it is lowered every time.
//! - **Mutable state shared between items**: the diagnostics, resources, workloads,
//!   secrets, references and pending unattached workloads are only appended to (each
//!   item's share is a range, recorded and appended again in the same order);
//!   `referenced_policies` only gains names (every name an item adds, even one already
//!   there, is logged and added again); `target_sensitive` only turns on (each item's
//!   share is measured from `false`); `external_mounts` warns once per mount, which
//!   depends on the items before, so an item that consulted it is not recorded; the
//!   schema and field-table caches change no answer.
//!
//! A check whose environment differs from the previous one's lowers every item and
//! records nothing (the next check, if the environment holds, records them).
//!
//! The passes over the whole program (`check_database_roles`, `lower_owned`,
//! `warn_unattached`, the extern policy list) and the declaration pass always run.
//! `kp-ide`'s `tests/incremental.rs` checks the result against a check from scratch on
//! random edit sequences.

mod fingerprint;

use std::collections::HashMap;

use kp_diag::{Diagnostic, Span};
use kp_syntax::ast::Block;
use rustc_hash::FxBuildHasher;

use crate::index::Reference;
use crate::ir::{Resource, Workload};
use crate::lower::Lowerer;
use crate::symbols::Item;

/// What a check lowered, kept for the next check of the same program (see the module
/// documentation): owned by the caller, one per program being edited.
#[derive(Default)]
pub struct Memo {
    /// The environment the effects were recorded in ([`fingerprint::environment`]).
    environment: Option<u64>,
    /// Each item's effects, by key ([`fingerprint::item`]). Keys are already hashes.
    items: HashMap<u64, Effects, FxBuildHasher>,
    /// Items the last check replayed rather than lowered.
    reused: usize,
    /// The fingerprint of each top-level block of the last check, as far as computed.
    block_keys: Vec<Option<u64>>,
    /// Whether the caller said, since the last check, how the blocks changed
    /// ([`Memo::blocks_edited`]): only then are `block_keys` those of the next check's
    /// blocks.
    keys_follow: bool,
}

impl std::fmt::Debug for Memo {
    /// A cache: what it holds never shows in a result, so it prints as nothing.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Memo")
    }
}

impl Memo {
    pub fn new() -> Memo {
        Memo::default()
    }

    /// How many items the last check replayed instead of lowering.
    pub fn reused(&self) -> usize {
        self.reused
    }

    /// Tells the memo that the next check's blocks are the last check's, but for those
    /// each of `edits` says were parsed again ([`kp_syntax::reparse`] of an edited file;
    /// in the order of the blocks, one per file): an unchanged block's fingerprint is then
    /// kept instead of hashing its tree again.
    pub fn blocks_edited(&mut self, edits: &[kp_syntax::Kept]) {
        let in_order = edits.windows(2).all(|w| w[0].after <= w[1].before);
        self.keys_follow = in_order
            && edits.iter().all(|k| k.before <= k.after)
            && edits
                .last()
                .is_none_or(|k| k.after <= self.block_keys.len());
        if self.keys_follow {
            // From the last, so that each edit's indices are still the last check's.
            for k in edits.iter().rev() {
                let parsed = std::iter::repeat_n(None, k.parsed);
                self.block_keys.splice(k.before..k.after, parsed);
            }
        }
    }

    /// The fingerprints of `blocks`, those of the last check when the caller said which
    /// are still valid.
    fn take_block_keys(&mut self, blocks: &[Block]) -> Vec<Option<u64>> {
        let mut keys = std::mem::take(&mut self.block_keys);
        if !std::mem::take(&mut self.keys_follow) || keys.len() != blocks.len() {
            keys.clear();
            keys.resize(blocks.len(), None);
        }
        keys
    }

    /// Lowers `items` (declared from `blocks`), replaying what this memo holds for the
    /// items whose key and environment did not change, and recording the others.
    pub(crate) fn lower<'s>(
        &mut self,
        lowerer: &mut Lowerer<'s>,
        items: &[Item<'s>],
        blocks: &'s [Block],
    ) {
        let environment =
            fingerprint::environment(lowerer.syms, lowerer.target, lowerer.record_references);
        self.reused = 0;
        let mut block_keys = self.take_block_keys(blocks);
        if self.environment != Some(environment) {
            // Nothing to replay, and recording costs a copy of every effect (a third of
            // a check): typing a new name changes the environment at every keystroke, so
            // items are recorded only once a check finds the environment of the last.
            self.items.clear();
            self.environment = Some(environment);
            items.iter().for_each(|item| lowerer.lower_item(item));
            self.block_keys = block_keys;
            return;
        }
        let owners = fingerprint::owners(lowerer.syms, blocks);
        let mut previous = std::mem::take(&mut self.items);
        let mut last_block = None;
        let mut nth = 0;
        for item in items {
            let Some((at, block)) = item_span(item)
                .and_then(|span| fingerprint::top_level(blocks, span))
                .and_then(|at| Some((at, blocks.get(at)?)))
            else {
                lowerer.lower_item(item);
                continue;
            };
            nth = if last_block == Some(at) { nth + 1 } else { 0 };
            last_block = Some(at);
            let owned = owners.get(at).copied().unwrap_or_default();
            let Some(tree) = block_keys.get_mut(at) else {
                lowerer.lower_item(item);
                continue;
            };
            let tree = *tree.get_or_insert_with(|| fingerprint::block(block));
            let key = fingerprint::item(tree, owned, nth);
            // A block identical to an earlier one of this check shares its entry.
            if let Some(effects) = previous.remove(&key) {
                effects.replay(lowerer, item, block.span.start);
                self.items.insert(key, effects);
                self.reused += 1;
            } else if let Some(effects) = self.items.get(&key) {
                effects.replay(lowerer, item, block.span.start);
                self.reused += 1;
            } else if let Some(effects) = Effects::record(lowerer, item, block.span) {
                self.items.insert(key, effects);
            }
        }
        self.block_keys = block_keys;
    }
}

/// A span inside the item's top-level block: its own, or its first role's for `auth
/// token` (which has no block of its own in the item; without roles, it lowers nothing).
fn item_span(item: &Item<'_>) -> Option<Span> {
    match item {
        Item::Mount(decl) => Some(decl.block.span),
        Item::TokenAuth(roles) => roles.first().map(|r| r.block.span),
        Item::Policy { block, .. } | Item::Token { block, .. } => Some(block.span),
        Item::Workload(decl) => Some(decl.block.span),
    }
}

/// What lowering one item appended to the shared state, with spans as they were when
/// its block started at `base`.
struct Effects {
    base: usize,
    resources: Vec<Resource>,
    workloads: Vec<Workload>,
    diagnostics: Vec<Diagnostic>,
    secrets: Vec<Span>,
    references: Vec<Reference>,
    /// Names added to `referenced_policies`.
    referenced_policies: Vec<String>,
    /// The workload's "no login" candidates (the name is the item's own).
    unattached: Vec<Span>,
    target_sensitive: bool,
}

/// Where the shared state's lists ended before an item was lowered.
struct Marks {
    resources: usize,
    workloads: usize,
    diagnostics: usize,
    secrets: usize,
    references: usize,
    unattached: usize,
}

impl Marks {
    fn of(l: &Lowerer<'_>) -> Marks {
        Marks {
            resources: l.program.resources.len(),
            workloads: l.program.workloads.len(),
            diagnostics: l.diags.len(),
            secrets: l.secret_spans.len(),
            references: l.references.len(),
            unattached: l.pending_unattached.len(),
        }
    }
}

impl Effects {
    /// Lowers `item` (its top-level block spans `within`), and returns what it appended
    /// when replaying that is exact (see the module documentation).
    fn record<'s>(lowerer: &mut Lowerer<'s>, item: &Item<'s>, within: Span) -> Option<Effects> {
        let marks = Marks::of(lowerer);
        let sensitive_before = std::mem::replace(&mut lowerer.target_sensitive, false);
        lowerer.external_touched = false;
        lowerer.policy_log = Some(Vec::new());
        lowerer.lower_item(item);
        let target_sensitive = lowerer.target_sensitive;
        lowerer.target_sensitive |= sensitive_before;
        let policy_log = lowerer.policy_log.take().unwrap_or_default();
        if lowerer.external_touched {
            return None;
        }
        let own_name = match item {
            Item::Workload(decl) => Some(decl.name.as_str()),
            _ => None,
        };
        let unattached = lowerer.pending_unattached.get(marks.unattached..)?;
        if unattached.iter().any(|(name, _)| Some(*name) != own_name) {
            return None;
        }
        let policies = &lowerer.syms.policies;
        if !policy_log.iter().all(|name| policies.contains_key(name)) {
            return None;
        }
        let effects = Effects {
            base: within.start,
            resources: lowerer.program.resources.get(marks.resources..)?.to_vec(),
            workloads: lowerer.program.workloads.get(marks.workloads..)?.to_vec(),
            diagnostics: lowerer.diags.get(marks.diagnostics..)?.to_vec(),
            secrets: lowerer.secret_spans.get(marks.secrets..)?.to_vec(),
            references: lowerer.references.get(marks.references..)?.to_vec(),
            referenced_policies: policy_log.iter().map(|n| n.to_string()).collect(),
            unattached: unattached.iter().map(|(_, span)| *span).collect(),
            target_sensitive,
        };
        let inside = effects
            .spans()
            .all(|s| within.start <= s.start && s.end <= within.end);
        inside.then_some(effects)
    }

    /// Every span the effects hold.
    fn spans(&self) -> impl Iterator<Item = Span> + '_ {
        let diagnostics = self
            .diagnostics
            .iter()
            .flat_map(|d| std::iter::once(d.span).chain(d.related.iter().map(|r| r.span)));
        self.resources
            .iter()
            .map(|r| r.span)
            .chain(self.workloads.iter().map(|w| w.span))
            .chain(diagnostics)
            .chain(self.secrets.iter().copied())
            .chain(self.references.iter().map(|r| r.span))
            .chain(self.unattached.iter().copied())
    }

    /// Appends the effects to `lowerer`'s state as lowering `item` would, its block now
    /// starting at `base`.
    fn replay<'s>(&self, lowerer: &mut Lowerer<'s>, item: &Item<'s>, base: usize) {
        let delta = kp_diag::delta(self.base, base);
        let moved = |s: Span| s.moved(delta);
        lowerer
            .program
            .resources
            .extend(self.resources.iter().map(|r| Resource {
                span: moved(r.span),
                ..r.clone()
            }));
        lowerer
            .program
            .workloads
            .extend(self.workloads.iter().map(|w| Workload {
                span: moved(w.span),
                ..w.clone()
            }));
        lowerer.diags.extend(self.diagnostics.iter().map(|d| {
            let mut d = d.clone();
            d.move_by(delta);
            d
        }));
        lowerer
            .secret_spans
            .extend(self.secrets.iter().map(|&s| moved(s)));
        lowerer
            .references
            .extend(self.references.iter().map(|r| Reference {
                span: moved(r.span),
                key: r.key.clone(),
            }));
        for name in &self.referenced_policies {
            if let Some((declared, _)) = lowerer.syms.policies.get_key_value(name) {
                lowerer.referenced_policies.insert(declared, ());
            }
        }
        if let Item::Workload(decl) = item {
            let name: &'s str = decl.name.as_str();
            lowerer
                .pending_unattached
                .extend(self.unattached.iter().map(|&s| (name, moved(s))));
        }
        lowerer.target_sensitive |= self.target_sensitive;
    }
}
