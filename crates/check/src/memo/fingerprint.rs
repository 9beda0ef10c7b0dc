//! The hashes [`super::Memo`] keys on: a top-level block's tree with its spans counted
//! from the block's start (so a block that only moved hashes the same), the symbols each
//! block owns, and everything the declaration pass learnt, without its spans.

use std::hash::{Hash, Hasher};

use kp_diag::Span;
use kp_schema::Target;
use kp_syntax::ast::{Block, Entry, Expr, ExprKind, Ident, Label};

use crate::symbols::{MountSym, NamedSym, Symbols, Table};

fn hasher() -> Fingerprint {
    Fingerprint::default()
}

/// A fast hash with full 64-bit mixing (SplitMix64's finaliser per word): a collision
/// would replay the wrong item, so not the Fx hash the symbol tables use (additive, weak
/// on purpose), and not SipHash either (it took half the time of a check hashing the
/// trees of 2,000 workloads). Only 64-bit multiplies, which wasm32 has as instructions: a
/// folded 128-bit product (foldhash's, wyhash's) is a library call there, and was 8% of
/// the playground's keystroke check.
#[derive(Default)]
struct Fingerprint {
    state: u64,
}

const SEED: u64 = 0x243F_6A88_85A3_08D3;

impl Fingerprint {
    fn word(&mut self, x: u64) {
        // A bijection of the state and the word: every input bit reaches every output bit.
        let mut z = self.state ^ x ^ SEED;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        self.state = z ^ (z >> 31);
    }
}

impl Hasher for Fingerprint {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.word(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word.iter_mut().zip(rest).for_each(|(w, b)| *w = *b);
            self.word(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, x: u8) {
        self.word(u64::from(x));
    }

    fn write_u64(&mut self, x: u64) {
        self.word(x);
    }

    fn write_usize(&mut self, x: usize) {
        self.word(x as u64);
    }

    fn finish(&self) -> u64 {
        self.state
    }
}

/// A block's tree (keyword, labels, entries, values) and its spans relative to its start.
pub fn block(b: &Block) -> u64 {
    let mut h = hasher();
    Tree {
        base: b.span.start,
        h: &mut h,
    }
    .block(b);
    h.finish()
}

struct Tree<'h> {
    base: usize,
    h: &'h mut Fingerprint,
}

impl Tree<'_> {
    fn span(&mut self, s: Span) {
        let (start, end) = (
            s.start.wrapping_sub(self.base),
            s.end.wrapping_sub(self.base),
        );
        // Both offsets in one word: blocks are far shorter than 4 GiB.
        self.h.word(((start as u64) << 32) ^ end as u64);
    }

    fn ident(&mut self, i: &Ident) {
        i.name.as_str().hash(self.h);
        self.span(i.span);
    }

    fn block(&mut self, b: &Block) {
        self.ident(&b.keyword);
        b.labels.len().hash(self.h);
        for label in &b.labels {
            match label {
                Label::Ident(i) => {
                    0u8.hash(self.h);
                    self.ident(i);
                }
                Label::Str(s) => {
                    1u8.hash(self.h);
                    s.value.as_str().hash(self.h);
                    self.span(s.span);
                }
            }
        }
        match &b.body {
            None => 0u8.hash(self.h),
            Some(body) => {
                1u8.hash(self.h);
                self.span(body.span);
                body.entries.len().hash(self.h);
                for entry in &body.entries {
                    self.entry(entry);
                }
            }
        }
        self.span(b.span);
    }

    fn entry(&mut self, entry: &Entry) {
        match entry {
            Entry::Attribute(a) => {
                0u8.hash(self.h);
                self.ident(&a.name);
                self.expr(&a.value);
                self.span(a.span);
            }
            Entry::Block(b) => {
                1u8.hash(self.h);
                self.block(b);
            }
            Entry::Statement(s) => {
                2u8.hash(self.h);
                self.ident(&s.verb);
                s.args.len().hash(self.h);
                s.args.iter().for_each(|a| self.expr(a));
                self.span(s.span);
            }
        }
    }

    fn expr(&mut self, e: &Expr) {
        self.span(e.span);
        match &e.kind {
            ExprKind::Str { value, heredoc } => {
                0u8.hash(self.h);
                value.as_str().hash(self.h);
                heredoc.hash(self.h);
            }
            ExprKind::Int(i) => {
                1u8.hash(self.h);
                i.hash(self.h);
            }
            ExprKind::Bool(b) => {
                2u8.hash(self.h);
                b.hash(self.h);
            }
            ExprKind::Duration {
                amount,
                unit,
                seconds,
            } => {
                3u8.hash(self.h);
                amount.hash(self.h);
                unit.seconds().hash(self.h);
                seconds.hash(self.h);
            }
            ExprKind::Ident(t) => {
                4u8.hash(self.h);
                t.as_str().hash(self.h);
            }
            ExprKind::Path(segments) => {
                5u8.hash(self.h);
                segments.len().hash(self.h);
                segments.iter().for_each(|s| self.ident(s));
            }
            ExprKind::List(items) => {
                6u8.hash(self.h);
                items.len().hash(self.h);
                items.iter().for_each(|i| self.expr(i));
            }
            ExprKind::Map(entries) => {
                7u8.hash(self.h);
                entries.len().hash(self.h);
                for m in entries {
                    m.key.name.as_str().hash(self.h);
                    self.span(m.key.span);
                    self.expr(&m.value);
                    self.span(m.span);
                }
            }
            ExprKind::Env(name) => {
                8u8.hash(self.h);
                name.value.as_str().hash(self.h);
                self.span(name.span);
            }
        }
    }
}

/// The key of an item: its block's tree, the symbols its block owns, and its place
/// among the items of that block.
pub fn item(block: u64, owned: u64, nth: usize) -> u64 {
    let mut h = hasher();
    (block, owned, nth).hash(&mut h);
    h.finish()
}

/// For each of `blocks`, a hash of the symbols declared in it (which table, which name,
/// in declaration order): whether a block's declarations won over others of the same
/// name (duplicates keep the first) decides what its items lower to.
pub fn owners(syms: &Symbols<'_>, blocks: &[Block]) -> Vec<u64> {
    let mut owned = vec![0u64; blocks.len()];
    let mut own = |span: Span, table: u8, name: &str| {
        let Some(i) = top_level(blocks, span) else {
            return;
        };
        let mut h = hasher();
        (table, name).hash(&mut h);
        if let Some(o) = owned.get_mut(i) {
            *o = o.rotate_left(7) ^ h.finish();
        }
    };
    for (name, p) in syms.policies.unordered() {
        own(p.span, 0, name);
    }
    for (table, mounts) in [(1, &syms.auth_mounts), (2, &syms.secret_mounts)] {
        for (path, m) in mounts {
            own(m.head, table, path);
            for (name, r) in m.roles.unordered() {
                own(r.span, table + 2, name);
            }
            for (name, c) in m.connections.unordered() {
                own(c.span, table + 4, name);
            }
        }
    }
    for (name, r) in syms.token_roles.unordered() {
        own(r.span, 7, name);
    }
    for (name, &span) in syms.tokens.unordered() {
        own(span, 8, name);
    }
    for (pattern, span) in &syms.owned_policies {
        own(*span, 9, pattern);
    }
    for (pattern, span) in &syms.owned_token_roles {
        own(*span, 10, pattern);
    }
    owned
}

/// The position of the top-level block holding `span` (blocks are in source order).
pub fn top_level(blocks: &[Block], span: Span) -> Option<usize> {
    let i = blocks
        .partition_point(|b| b.span.start <= span.start)
        .checked_sub(1)?;
    let b = blocks.get(i)?;
    (span.end <= b.span.end).then_some(i)
}

/// Everything lowering an item may read besides its own block, without spans: the
/// target, whether references are recorded, every symbol table (names, kinds, ids, KV
/// versions, availability) and the tree of every role, connection and token role block
/// (a token reads its token role's fields; a `creds` statement, whether a role is
/// static). Workloads' login blocks are left out: only their own workload reads them.
pub fn environment(syms: &Symbols<'_>, target: Target, indexed: bool) -> u64 {
    let mut h = hasher();
    (target, indexed).hash(&mut h);
    for (name, p) in syms.policies.unordered() {
        name.hash(&mut h);
        match p.origin {
            crate::symbols::PolicyOrigin::Policy => 0u8.hash(&mut h),
            crate::symbols::PolicyOrigin::Extern => 1u8.hash(&mut h),
            crate::symbols::PolicyOrigin::Workload { has_rules } => {
                2u8.hash(&mut h);
                has_rules.hash(&mut h);
            }
        }
    }
    for mounts in [&syms.auth_mounts, &syms.secret_mounts] {
        mounts.len().hash(&mut h);
        for (path, m) in mounts {
            path.hash(&mut h);
            mount(m, &mut h);
        }
    }
    named(&syms.token_roles, &mut h);
    for (name, _) in syms.tokens.unordered() {
        name.hash(&mut h);
    }
    for (pattern, _) in &syms.owned_policies {
        pattern.hash(&mut h);
    }
    syms.owned_token_roles.len().hash(&mut h);
    for (pattern, _) in &syms.owned_token_roles {
        pattern.hash(&mut h);
    }
    h.finish()
}

fn mount(m: &MountSym<'_>, h: &mut Fingerprint) {
    std::ptr::hash(m.ty, h);
    m.path.hash(h);
    m.id.as_str().hash(h);
    (m.path_implicit, m.kv_version, m.available).hash(h);
    m.max_lease_ttl.map(|(v, _)| v).hash(h);
    named(&m.roles, h);
    named(&m.connections, h);
}

fn named(table: &Table<'_, NamedSym<'_>>, h: &mut Fingerprint) {
    for (name, sym) in table.unordered() {
        name.hash(h);
        sym.id.as_str().hash(h);
        sym.block.keyword.name.as_str().hash(h);
        if sym.block.keyword.name != "login" {
            block(sym.block).hash(h);
        }
    }
    u8::MAX.hash(h);
}
