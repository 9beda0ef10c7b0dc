//! Completion: what may be written at the cursor, from the catalog (blocks, verbs),
//! the endpoint schemas (fields, enum values) and the checker's index (names).

use std::collections::HashSet;

use kp_check::catalog::{
    self, MountClass, BUILTIN_POLICIES, CAPABILITY_VERBS, POLICY_REF_FIELDS, SHORTHAND_VERBS,
};
use kp_check::index::{DefKind, SymbolKey};
use kp_schema::FieldType;
use kp_syntax::ast::{Attribute, Block, Entry, ExprKind};

use crate::hover::field_markdown;
use crate::locate;
use crate::scope::{self, Scope};
use crate::{docs, Analysis};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CompletionKind {
    Keyword,
    Field,
    Value,
    Reference,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CompletionItem {
    pub label: String,
    pub kind: CompletionKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub documentation: Option<String>,
    /// What to insert instead of the label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub insert_text: Option<String>,
}

fn item(label: &str, kind: CompletionKind, detail: Option<String>) -> CompletionItem {
    CompletionItem {
        label: label.to_string(),
        kind,
        detail,
        documentation: None,
        insert_text: None,
    }
}

/// Where in a line the cursor is.
enum Slot<'s> {
    /// Start of an entry: fields, blocks, verbs.
    Entry,
    /// The value of `field = `.
    Value(&'s str),
    /// The label after `auth`/`secrets`/`login`/`extern`/`owns`/`sign`/`creds`.
    After(&'s str),
    /// `sign MOUNT.` / `creds MOUNT.`: a role of that mount.
    RoleOf(&'s str, &'s str),
}

/// The text of the entry the cursor is in, from the line before the cursor: entries of
/// a one-line block start after its `{` and after each `,` between entries (a `,` inside
/// a list separates its items, which stay in the entry). `None` inside a string, where
/// the user types free text, and inside a comment.
fn current_entry(line: &str) -> Option<&str> {
    let mut start = 0;
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            // A comment: nothing to complete.
            '#' => return None,
            '/' if line.get(i..).is_some_and(|r| r.starts_with("//")) => return None,
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            '{' | '}' | ',' if depth == 0 => start = i + 1,
            _ => {}
        }
    }
    if in_string {
        return None;
    }
    line.get(start..)
}

fn slot(line: &str) -> Option<Slot<'_>> {
    let line = current_entry(line)?;
    let t = line.trim_start();
    if t.is_empty() {
        return Some(Slot::Entry);
    }
    let word_end = t
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(t.len());
    let (word, rest) = t.split_at(word_end);
    if word.is_empty() {
        return None;
    }
    let rest_trim = rest.trim_start();
    if rest_trim.starts_with('=') {
        return Some(Slot::Value(word));
    }
    if rest.is_empty() {
        return None;
    }
    if rest_trim.is_empty() {
        return Some(Slot::After(word));
    }
    if let Some(mount) = rest_trim.strip_suffix('.') {
        if !mount.contains(char::is_whitespace) {
            return Some(Slot::RoleOf(word, mount));
        }
    }
    None
}

impl Analysis {
    pub fn completions(&self, offset: usize) -> Vec<CompletionItem> {
        if !self.in_text(offset) {
            return Vec::new();
        }
        let (start, _prefix) = locate::prefix_at(&self.source, offset);
        let line = locate::line_before(&self.source, start);
        let chain = self.enclosing_blocks(offset);
        let scope = scope::scope_of(&self.file, &chain);
        // A value on a later line of a multi-line list: the attribute holding the cursor.
        let attribute =
            locate::attribute_at(&chain, offset).or_else(|| self.open_list_before(&chain, start));
        let slot = match attribute {
            Some(a) if !locate::covers(a.name.span, offset) && !line.contains('=') => {
                Some(Slot::Value(a.name.name.as_str()))
            }
            _ => slot(line),
        };
        let mut items = match slot {
            Some(Slot::Entry) => self.entry_items(scope, &chain),
            Some(Slot::Value(field)) => self.value_items(scope, &chain, field),
            Some(Slot::After(word)) => self.label_items(scope, word),
            Some(Slot::RoleOf(verb, mount)) => self.role_items(scope, verb, mount),
            None => Vec::new(),
        };
        // Sources overlap (a declared `policy default` and the built-in one): each
        // label once, the first (declared before built-in) kept.
        let mut seen = HashSet::new();
        items.retain(|it| seen.insert(it.label.clone()));
        items
    }

    /// The blocks whose body holds `offset`, outermost first, counting the body of a
    /// block left unclosed at the end of its file as running to that end: the parser
    /// ends such a body at its last token, and the cursor after it, where the next
    /// entry is being typed, is still inside it (and inside every block it is in).
    fn enclosing_blocks(&self, offset: usize) -> Vec<&Block> {
        let mut chain = locate::enclosing_blocks(&self.file, offset);
        let Some(extent) = self.sources.file_of(offset).map(|f| f.span()) else {
            return chain;
        };
        loop {
            // Only the last block of a body (or of the file) can reach its end.
            let last = match chain.last() {
                None => self
                    .file
                    .blocks
                    .iter()
                    .take_while(|b| b.span.start < offset)
                    .last(),
                Some(b) => match b.entries().last() {
                    Some(Entry::Block(b)) => Some(&**b),
                    _ => None,
                },
            };
            match last {
                Some(b) if self.runs_to_end(b, offset, extent) => chain.push(b),
                _ => break,
            }
        }
        chain
    }

    /// Whether `b`, a block of the file spanning `extent`, was left unclosed and so
    /// holds `offset`, which is after its `{` in the same file.
    fn runs_to_end(&self, b: &Block, offset: usize, extent: kp_diag::Span) -> bool {
        let Some(body) = &b.body else {
            return false;
        };
        let span = body.span;
        if span.start < extent.start || offset <= span.start || offset > extent.end {
            return false;
        }
        if span.end > offset {
            // Inside the body as parsed: not past its end.
            return false;
        }
        // A closed body ends with its own `}`, after its last entry; an unclosed one at
        // its last token, which is no `}` or the end of its last entry (a nested block
        // or a map left unclosed too).
        let own_brace = self
            .source
            .get(..span.end)
            .is_some_and(|t| t.ends_with('}'))
            && body.entries.last().is_none_or(|e| entry_end(e) < span.end);
        let reported = self
            .syntax
            .iter()
            .any(|d| d.code == "kp::syntax::unclosed-block" && d.span.start == span.start);
        reported || !own_brace
    }

    /// The attribute of the innermost block whose list was left unclosed before the
    /// cursor's word at `start`, with nothing but items' separators and blank lines
    /// between them: the parser ends such a list at its last item (at the end of the
    /// file, or where the next entry starts), and the cursor there types another item.
    fn open_list_before<'a>(&self, chain: &[&'a Block], start: usize) -> Option<&'a Attribute> {
        let b = chain.last()?;
        let a = b.entries().iter().rev().find_map(|e| match e {
            Entry::Attribute(a) if a.span.end <= start => Some(Some(a)),
            _ if entry_end(e) <= start => Some(None),
            _ => None,
        })??;
        if !matches!(a.value.kind, ExprKind::List(_)) {
            return None;
        }
        let value = a.value.span;
        let reported = self
            .syntax
            .iter()
            .any(|d| d.code == "kp::syntax::unclosed-list" && d.span.start == value.start);
        let closed = self
            .source
            .get(value.start..value.end)
            .is_some_and(|t| t.ends_with(']'));
        if closed && !reported {
            return None;
        }
        let gap = self.source.get(a.value.span.end..start)?;
        gap.chars()
            .all(|c| c.is_whitespace() || c == ',')
            .then_some(a)
    }

    fn entry_items(&self, scope: Scope, chain: &[&Block]) -> Vec<CompletionItem> {
        let present: Vec<&str> = chain
            .last()
            .map(|b| {
                b.entries()
                    .iter()
                    .filter_map(|e| match e {
                        Entry::Attribute(a) => Some(a.name.name.as_str()),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default();
        // Blocks the body may hold once (`login`, `ca {}`, `root {}`), already written.
        let written: Vec<&str> = chain
            .last()
            .map(|b| {
                b.entries()
                    .iter()
                    .filter_map(|e| match e {
                        Entry::Block(b) => Some(b.keyword.name.as_str()),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default();
        let mut out = Vec::new();
        for (kw, named, what) in scope::blocks(scope) {
            let once =
                matches!(scope, Scope::Workload) || (matches!(scope, Scope::Mount(_)) && !named);
            if once && written.contains(&kw) {
                continue;
            }
            let mut it = item(kw, CompletionKind::Keyword, Some(what));
            it.documentation = docs::block_keyword(scope, kw, &[]);
            out.push(it);
        }
        // A database connection's built-in plugin reads its own fields only: another
        // plugin's field would be an error there.
        let plugin = chain.last().and_then(|b| {
            b.entries().iter().find_map(|e| match e {
                Entry::Attribute(a) if a.name.name == "plugin_name" => match &a.value.kind {
                    ExprKind::Str { value, .. } => kp_check::catalog::DATABASE_PLUGINS
                        .iter()
                        .position(|p| *p == value.as_str()),
                    _ => None,
                },
                _ => None,
            })
        });
        for info in scope::fields(scope) {
            let f = &info.field;
            // A field the program's server lacks would be an error.
            let elsewhere = self.pinned.is_some_and(|t| !f.supports(t))
                || plugin.is_some_and(|at| f.plugins != 0 && f.plugins >> at & 1 == 0);
            if present.contains(&f.name.as_str()) || f.deprecated || elsewhere {
                continue;
            }
            let mut it = item(&f.name, CompletionKind::Field, Some(f.ty.to_string()));
            it.documentation = Some(field_markdown(&info, self.pinned));
            it.insert_text = Some(format!("{} = ", f.name));
            out.push(it);
        }
        if matches!(scope, Scope::Workload) {
            for v in CAPABILITY_VERBS.iter().chain(SHORTHAND_VERBS.iter()) {
                let mut it = item(v, CompletionKind::Keyword, Some("statement".to_string()));
                it.documentation = docs::verb(v);
                out.push(it);
            }
        }
        out
    }

    fn value_items(&self, scope: Scope, chain: &[&Block], field: &str) -> Vec<CompletionItem> {
        let mount = chain.first().and_then(|b| scope::mount_path(b));
        let refs =
            |pred: &dyn Fn(&SymbolKey, DefKind) -> bool, detail: &str| -> Vec<CompletionItem> {
                self.index
                    .definitions
                    .iter()
                    .filter(|d| pred(&d.key, d.kind))
                    .map(|d| {
                        item(
                            d.key.name(),
                            CompletionKind::Reference,
                            Some(detail.to_string()),
                        )
                    })
                    .collect()
            };
        if POLICY_REF_FIELDS.contains(&field) {
            let mut out = refs(
                &|k, kind| {
                    matches!(k, SymbolKey::Policy(_)) && kind != DefKind::Workload
                        || self.derives_policy(k)
                },
                "policy",
            );
            // `root` only where it is refused (`kp::root-policy` everywhere else).
            let root_ok = field == "disallowed_policies";
            for b in BUILTIN_POLICIES.iter().filter(|b| root_ok || **b != "root") {
                out.push(item(
                    b,
                    CompletionKind::Reference,
                    Some("built-in policy".to_string()),
                ));
            }
            return out;
        }
        match (scope, field) {
            (Scope::Token, "role") => {
                return refs(&|k, _| matches!(k, SymbolKey::TokenRole(_)), "token role")
            }
            (Scope::Nested(spec), "allowed_roles") if spec.endpoint == "database-connection" => {
                return refs(
                    &|k, _| matches!(k, SymbolKey::Role(MountClass::Secrets, m, _) if Some(m) == mount.as_ref()),
                    "database role",
                )
            }
            (Scope::Nested(spec), "db_name") if spec.endpoint == "database-role" => {
                return refs(
                    &|k, _| matches!(k, SymbolKey::Connection(m, _) if Some(m) == mount.as_ref()),
                    "database connection",
                )
            }
            _ => {}
        }
        let Some(info) = scope::field(scope, field) else {
            return Vec::new();
        };
        let f = &info.field;
        if matches!(scope, Scope::PolicyPath) && field == "capabilities" {
            return f
                .allowed
                .iter()
                .map(|c| item(c, CompletionKind::Value, Some("capability".to_string())))
                .collect();
        }
        if !f.allowed.is_empty() {
            return f
                .allowed
                .iter()
                .map(|v| {
                    let mut it = item(v, CompletionKind::Value, Some(f.name.clone()));
                    if f.ty == FieldType::String
                        || f.ty == FieldType::CommaList
                        || f.ty == FieldType::List
                    {
                        it.insert_text = Some(format!("\"{v}\""));
                    }
                    it
                })
                .collect();
        }
        if f.ty == FieldType::Bool {
            return ["true", "false"]
                .iter()
                .map(|v| item(v, CompletionKind::Value, Some("bool".to_string())))
                .collect();
        }
        if f.sensitive {
            let mut it = item(
                "env(\"...\")",
                CompletionKind::Value,
                Some("secret from the environment".to_string()),
            );
            it.insert_text = Some(format!("env(\"{}\")", f.name.to_ascii_uppercase()));
            return vec![it];
        }
        Vec::new()
    }

    fn derives_policy(&self, key: &SymbolKey) -> bool {
        let SymbolKey::Policy(name) = key else {
            return false;
        };
        self.program
            .resources
            .iter()
            .any(|r| r.kind == kp_check::ir::ResourceKind::Policy && &r.name == name)
    }

    fn label_items(&self, scope: Scope, word: &str) -> Vec<CompletionItem> {
        match (scope, word) {
            (Scope::TopLevel, "auth" | "secrets") => {
                let class = if word == "auth" {
                    MountClass::Auth
                } else {
                    MountClass::Secrets
                };
                catalog::mount_types(class)
                    .iter()
                    .filter(|t| self.pinned.is_none_or(|p| t.available_on(p)))
                    .map(|t| item(t.name, CompletionKind::Keyword, Some(t.display.to_string())))
                    .collect()
            }
            (Scope::TopLevel, "extern") => vec![item(
                "policy",
                CompletionKind::Keyword,
                Some("a policy managed elsewhere".to_string()),
            )],
            (Scope::TopLevel, "owns") => vec![
                item(
                    "policies",
                    CompletionKind::Keyword,
                    Some("the policies `--prune` may delete".to_string()),
                ),
                item(
                    "token-roles",
                    CompletionKind::Keyword,
                    Some("the token roles `--prune` may delete".to_string()),
                ),
            ],
            // Every method a workload logs in with (`MountType::login_spec`).
            (Scope::Workload, "login") => self
                .index
                .definitions
                .iter()
                .filter(|d| matches!(d.key, SymbolKey::AuthMount(_)))
                .filter_map(|d| {
                    let ty = self.mount_type(&d.key)?;
                    ty.login_spec()?;
                    let mut it = item(
                        d.key.name(),
                        CompletionKind::Reference,
                        Some(ty.display.to_string()),
                    );
                    // A mount at a nested path is a quoted label (`login "ci/main"`): a
                    // bare name holds no `/`.
                    if d.key.name().contains('/') {
                        it.insert_text = Some(format!("\"{}\"", d.key.name()));
                    }
                    Some(it)
                })
                .collect(),
            (Scope::Workload, verb) if SHORTHAND_VERBS.contains(&verb) => {
                let (class, engines) = shorthand_roles(verb);
                self.index
                    .definitions
                    .iter()
                    .filter_map(|d| match &d.key {
                        SymbolKey::Role(c, m, r)
                            if *c == class
                                && self.mount_type_is(&mount_symbol(class, m), engines)
                                && self.role_fits(verb, d) =>
                        {
                            let path = format!("{}.{r}", m.replace('/', "."));
                            Some(item(
                                &path,
                                CompletionKind::Reference,
                                Some(crate::outline::kind_noun(d.kind).to_string()),
                            ))
                        }
                        _ => None,
                    })
                    .collect()
            }
            _ => Vec::new(),
        }
    }

    fn role_items(&self, scope: Scope, verb: &str, mount: &str) -> Vec<CompletionItem> {
        if !matches!(scope, Scope::Workload) || !SHORTHAND_VERBS.contains(&verb) {
            return Vec::new();
        }
        let (class, engines) = shorthand_roles(verb);
        let path = mount.replace('.', "/");
        // A mount of another type is `kp::wrong-mount-type` whatever its role.
        let symbol = mount_symbol(class, &path);
        if self.index.definition(&symbol).is_some() && !self.mount_type_is(&symbol, engines) {
            return Vec::new();
        }
        self.index
            .definitions
            .iter()
            .filter_map(|d| match &d.key {
                SymbolKey::Role(c, m, r) if *c == class && self.role_fits(verb, d) => {
                    // `creds db.` also goes on to the roles of mounts nested below `db`
                    // (`prod.readonly` for `secrets database "db/prod"`).
                    let label = if *m == path {
                        r.to_string()
                    } else {
                        let below = m.strip_prefix(path.as_str())?.strip_prefix('/')?;
                        if !self.mount_type_is(&mount_symbol(class, m), engines) {
                            return None;
                        }
                        format!("{}.{r}", below.replace('/', "."))
                    };
                    Some(item(
                        &label,
                        CompletionKind::Reference,
                        Some(crate::outline::kind_noun(d.kind).to_string()),
                    ))
                }
                _ => None,
            })
            .collect()
    }

    /// Whether `verb` may use the role declared by `def`, as the checker decides it for
    /// SSH roles: `sign` a `ca` role (it signs keys), `creds` an `otp` role (it issues
    /// one-time passwords); the other is `kp::wrong-mount-type`.
    fn role_fits(&self, verb: &str, def: &kp_check::index::Definition) -> bool {
        let Some(block) = locate::block_with_span(&self.file, def.span) else {
            return true;
        };
        let key_type = block.entries().iter().find_map(|e| match e {
            Entry::Attribute(a) if a.name.name == "key_type" => match &a.value.kind {
                ExprKind::Str { value, .. } => Some(value.as_str()),
                _ => None,
            },
            _ => None,
        });
        !matches!(
            (verb, key_type),
            ("sign", Some("otp")) | ("creds", Some("ca"))
        )
    }

    /// Whether the mount declared under `key` is of one of `types`.
    fn mount_type_is(&self, key: &SymbolKey, types: &[&str]) -> bool {
        self.mount_type(key)
            .is_some_and(|t| types.contains(&t.name))
    }

    /// The type of the mount declared under `key`.
    fn mount_type(&self, key: &SymbolKey) -> Option<&'static catalog::MountType> {
        let class = match key {
            SymbolKey::AuthMount(_) => MountClass::Auth,
            SymbolKey::SecretsMount(_) => MountClass::Secrets,
            _ => return None,
        };
        let def = self.index.definition(key)?;
        let ty = locate::block_with_span(&self.file, def.span)?.label_text(0)?;
        catalog::mount_type(class, ty)
    }
}

/// The roles a shorthand verb names (`sign ssh.ROLE`, `creds db.ROLE`, `role_id
/// approle.ROLE`): their class and the mount types that have them.
fn shorthand_roles(verb: &str) -> (MountClass, &'static [&'static str]) {
    match verb {
        "sign" => (MountClass::Secrets, &["ssh"]),
        "creds" => (MountClass::Secrets, &["database", "aws", "ssh"]),
        _ => (MountClass::Auth, &["approle"]),
    }
}

/// Where an entry ends.
fn entry_end(e: &Entry) -> usize {
    match e {
        Entry::Attribute(a) => a.span.end,
        Entry::Block(b) => b.span.end,
        Entry::Statement(s) => s.span.end,
    }
}

/// The symbol of the mount at `path` of `class`.
fn mount_symbol(class: MountClass, path: &str) -> SymbolKey {
    match class {
        MountClass::Auth => SymbolKey::AuthMount(path.to_string()),
        MountClass::Secrets => SymbolKey::SecretsMount(path.to_string()),
    }
}
