//! Typing a whole body against one endpoint schema: unknown fields (with the valid
//! choices), values, references, required fields, and the per-field lints.

use crate::body::one_of;
use kp_diag::{did_you_mean, Diagnostic, Span};
use kp_schema::{Endpoint, FieldType, Target};
use kp_syntax::ast::Attribute;

use super::{Lowerer, What};
use crate::catalog::MOUNT_ATTRS;
use crate::codes;
use crate::confusions;
use crate::ir::{Body, Key, ResourceId, Value};
use crate::lints;
use crate::schemas;
use crate::symbols::MountSym;
use crate::typing;

/// Where a body is written, for typing and messages.
pub struct BodyCtx<'s, 'c> {
    pub endpoint: &'static str,
    /// "JWT role `example-role`", for messages (written out only when a message says
    /// it: every block has one, and most have no message).
    pub what: What<'c>,
    /// The resource's API path, for "see the N fields of ..." help.
    pub api_path: &'c str,
    /// Where missing-field errors point.
    pub head: Span,
    /// The mount the body lives under: scope of database references, and where
    /// "`x` is a field of ..." hints look.
    pub mount: Option<&'s MountSym<'s>>,
    /// This block's keyword inside the mount (`role`, `ca`); `None` for the mount's own
    /// config attributes.
    pub keyword: Option<&'static str>,
    /// Attributes handled by the caller, not the schema.
    pub skip: &'c [&'c str],
    /// Names valid in the body besides the endpoint's fields (mount attributes).
    pub also_valid: Vec<&'static str>,
}

#[derive(Debug, Default)]
pub struct Typed {
    pub body: Body,
    pub deps: Vec<ResourceId>,
    /// Required fields that were absent (already reported).
    pub missing: Vec<String>,
    /// Fields an unknown attribute of the body is a typo of (`user_clam` for
    /// `user_claim`): the unknown-field error names them, so checks that a field is
    /// absent stay silent about them instead of reporting the one mistake twice.
    pub misspelt: Vec<&'static str>,
}

impl<'s> Lowerer<'s> {
    pub fn type_body(&mut self, cx: &BodyCtx<'s, '_>, attrs: &[&Attribute]) -> Typed {
        // A JWT role may gain `role_type` and, as a workload's login, `token_policies`
        // after typing: room for both, not a regrowth of the body for each.
        let extra = if cx.endpoint == "jwt-role" { 2 } else { 0 };
        let mut typed = Typed {
            body: Body::with_capacity(attrs.len() + extra),
            ..Typed::default()
        };
        let Some(ep) = self.schema(cx.endpoint) else {
            // No schema is keyplan's own gap: keep the values, check nothing.
            for attr in attrs {
                if cx.skip.contains(&attr.name.name.as_str()) {
                    continue;
                }
                if let Some(v) = typing::loose(&attr.value, &attr.name.name, &mut self.diags) {
                    typed.body.insert(attr.name.name.as_str().to_owned(), v);
                }
            }
            return typed;
        };
        let fields = self.field_table(ep);
        let mut typed_fields = std::mem::take(&mut self.typed_fields);
        for (at, &attr) in attrs.iter().enumerate() {
            let name = attr.name.name.as_str();
            if cx.skip.contains(&name) {
                continue;
            }
            let Some(info) = self.field_at(fields, at, name) else {
                // A misspelt secret (`pasword`) is still a secret: keep it out of outputs.
                let near_name = did_you_mean(name, ep.fields.keys().map(String::as_str));
                let near = near_name.and_then(|n| ep.field(n));
                typed.misspelt.extend(near_name);
                if crate::lints::secrets::looks_sensitive(name) || near.is_some_and(|f| f.sensitive)
                {
                    self.secret_spans
                        .extend(crate::lints::secrets::literal_spans(&attr.value));
                }
                self.unknown_field(cx, ep, attr);
                continue;
            };
            let field = info.field;
            self.target_sensitive |= info.target_sensitive;
            // An endpoint missing on the target is reported once, on its block.
            if info.unsupported {
                self.field_unsupported(cx, attr);
            }
            if field.deprecated {
                self.diags.push(deprecated(ep, attr, attrs));
            }
            if let Some(evidence) = info.ignored {
                // Sent, it would change nothing and never read back: a perpetual diff.
                self.diags
                    .push(ignored_by_server(cx, attr, self.target, evidence));
                continue;
            }
            lints::placeholder::check(&attr.value, &mut self.diags);
            if field.sensitive {
                lints::secrets::literal(attr, cx, &mut self.diags);
            }
            // A URL with a password in it (`kp::credentials-in-url`) is as secret.
            // Its spans are collected from the tree ([`lints::secrets::scan`]).
            let sensitive = field.sensitive || lints::database::holds_password(&attr.value);
            let reported = self.diags.len();
            let mut value = match self.ref_kind(cx, name) {
                Some(kind) => self.ref_value(&attr.value, field, &kind, &mut typed.deps),
                None => typing::value(&attr.value, field, &mut self.diags),
            };
            if field.sensitive {
                let new = self.diags.get_mut(reported..).unwrap_or_default();
                lints::secrets::mismatch_help(attr, cx, new);
            }
            if sensitive {
                value = value.map(lints::secrets::hide);
            }
            if let Some(v) = value {
                typed_fields.push((info.rank, field.name.as_str(), v));
            }
        }
        typed.body = sorted_body(&mut typed_fields, attrs.len() + extra);
        self.typed_fields = typed_fields;
        let table = self.field_tables.get(fields);
        for &field in table.map_or(&[][..], |t| &t.required[..]) {
            if cx.skip.contains(&field.name.as_str()) {
                continue;
            }
            match attrs.iter().find(|a| a.name.name == field.name) {
                Some(a) if crate::body::is_empty_value(&a.value) => {
                    self.diags.push(empty_field(&cx.what, a, field.ty));
                }
                Some(_) => continue,
                // Written misspelt: the unknown-field error suggests it already.
                None if typed.misspelt.iter().any(|m| *m == field.name) => {}
                None => {
                    let mut d = missing_field(&cx.what, cx.head, &field.name, field.ty);
                    // A role's connection, when its mount has one: a name, not a string.
                    if let Some(m) = cx.mount.filter(|_| field.name == "db_name") {
                        if let [(name, _)] = m.connections.unordered().collect::<Vec<_>>()[..] {
                            d.help = Some(format!("add `db_name = {name}`"));
                        }
                    }
                    self.diags.push(d);
                }
            }
            typed.missing.push(field.name.clone());
        }
        let known = |name: &str| table.is_some_and(|t| t.by_name.contains_key(name));
        lints::ttl::check(cx.endpoint, attrs, known, &mut self.diags);
        if let Some(max) = cx.mount.and_then(|m| m.max_lease_ttl) {
            lints::ttl::over_mount(cx.endpoint, attrs, max, known, &mut self.diags);
        } else if cx.mount.is_some() || cx.endpoint == "token-role" {
            // No maximum of the mount's own (a token role's is the system's unless the
            // server tunes `auth/token`): the server caps at its system maximum what
            // each login or lease gets (OpenBao 2.7.2: "TTL of \"1000h\" exceeded the
            // effective max_ttl of \"768h\"", "period of \"1000h\" exceeded ...").
            let own_max =
                cx.endpoint == "ssh-role" && attrs.iter().any(|a| a.name.name == "max_ttl");
            for a in attrs.iter().filter(|a| known(&a.name.name) && !own_max) {
                if let Some(help) = lints::ttl::system_max_help(cx.endpoint, &a.name.name) {
                    lints::ttl::over_system_max(a, help, &mut self.diags);
                }
            }
        }
        typed
    }

    fn field_unsupported(&mut self, cx: &BodyCtx<'s, '_>, attr: &Attribute) {
        self.diags.push(crate::target_help::field_unsupported(
            cx.endpoint,
            &attr.name.name,
            attr.name.span,
            &cx.what,
            self.target,
        ));
    }

    fn unknown_field(&mut self, cx: &BodyCtx<'s, '_>, ep: &Endpoint, attr: &Attribute) {
        let names: Vec<&str> = ep
            .field_names()
            .filter(|n| !cx.skip.contains(n))
            .chain(cx.also_valid.iter().copied())
            .collect();
        let hint = confusions::note(cx.endpoint, &attr.name.name)
            .or_else(|| sibling_hint(cx, &attr.name.name));
        self.diags.push(unknown_field(
            &attr.name.name,
            attr.name.span,
            &cx.what,
            &names,
            cx.api_path,
            hint,
        ));
    }
}

/// A typed field: its rank in the endpoint's name order, its name (the schema's own,
/// `'static`: no copy per body) and its value.
pub(crate) type RankedField = (u32, &'static str, Value);

/// The body of `fields` (emptied), sorted by rank, which is name order: numbers compared
/// instead of names, and each entry placed once rather than inserted into the middle.
/// Of two values for one field the later wins, as a map's insert does. `capacity` leaves
/// room for fields a caller adds afterwards.
fn sorted_body(fields: &mut Vec<RankedField>, capacity: usize) -> Body {
    // An insertion sort: a body has a handful of fields, often nearly in order.
    for i in 1..fields.len() {
        let mut j = i;
        while j > 0 && fields.get(j - 1).map(|f| f.0) > fields.get(j).map(|f| f.0) {
            fields.swap(j - 1, j);
            j -= 1;
        }
    }
    let mut entries: Vec<(Key, Value)> = Vec::with_capacity(capacity.max(fields.len()));
    let mut last_rank = None;
    for (rank, name, value) in fields.drain(..) {
        match entries.last_mut() {
            Some(last) if last_rank == Some(rank) => last.1 = value,
            _ => entries.push((Key::Borrowed(name), value)),
        }
        last_rank = Some(rank);
    }
    Body::from_sorted(entries)
}

/// `kp::deprecated-field`, naming the replacement when the endpoint has one; an error
/// when the body also sets the replacement: the server ignores the old field and reads
/// it back with the new one's value, a diff no apply removes.
fn deprecated(ep: &Endpoint, attr: &Attribute, attrs: &[&Attribute]) -> Diagnostic {
    let name = &attr.name.name;
    let replacement = [
        format!("token_{name}"),
        format!("token_{}", name.trim_start_matches("bound_")),
    ]
    .into_iter()
    .find(|r| ep.field(r).is_some_and(|f| !f.deprecated));
    // AppRole's `bound_cidr_list` became `secret_id_bound_cidrs`.
    let renamed = (name == "bound_cidr_list" && ep.field("secret_id_bound_cidrs").is_some())
        .then(|| "secret_id_bound_cidrs".to_string());
    let Some(r) = replacement.or(renamed) else {
        return Diagnostic::warning(
            codes::DEPRECATED_FIELD,
            attr.name.span,
            format!("`{name}` is deprecated"),
        )
        .with_label("kept only for compatibility")
        .with_help("remove it: the server may drop it in a later version");
    };
    if attrs.iter().any(|a| a.name.name == r) {
        return ignored_beside(attr, &r).with_help("remove it");
    }
    Diagnostic::warning(
        codes::DEPRECATED_FIELD,
        attr.name.span,
        format!("`{name}` is deprecated"),
    )
    .with_label("kept only for compatibility")
    .with_help(format!("use `{r}`"))
}

/// `kp::deprecated-field` as an error: `attr` is set beside its replacement `new`.
pub(crate) fn ignored_beside(attr: &Attribute, new: &str) -> Diagnostic {
    Diagnostic::error(
        codes::DEPRECATED_FIELD,
        attr.name.span,
        format!("`{}` is ignored beside `{new}`", attr.name.name),
    )
    .with_label("the server drops it")
}

/// `kp::unknown-field`: lists the valid names when few, else a suggestion and a count.
pub fn unknown_field(
    name: &str,
    span: Span,
    what: &dyn std::fmt::Display,
    valid: &[&str],
    api_path: &str,
    hint: Option<String>,
) -> Diagnostic {
    let mut help = Vec::new();
    let suggestion = did_you_mean(name, valid.iter().copied());
    if let Some(h) = hint {
        help.push(h);
    } else if let Some(s) = suggestion {
        help.push(format!("did you mean `{s}`?"));
    }
    if valid.is_empty() {
        help.push(format!("{what} takes no attributes"));
    } else if valid.len() <= 10 {
        help.push(format!("expected one of {}", one_of(valid)));
    } else {
        help.push(format!("see the {} fields of `{api_path}`", valid.len()));
    }
    Diagnostic::error(
        codes::UNKNOWN_FIELD,
        span,
        format!("unknown field `{name}` in {what}"),
    )
    .with_label(format!("not a field of `{api_path}`"))
    .with_help(crate::body::join_help(help))
}

/// "`ttl` is a field of `role NAME { ... }`": the field exists elsewhere in the mount.
pub fn sibling_hint(cx: &BodyCtx<'_, '_>, name: &str) -> Option<String> {
    let mount = cx.mount?;
    let ty = mount.ty;
    for spec in ty.nested {
        if Some(spec.keyword) == cx.keyword {
            continue;
        }
        if schemas::endpoint(spec.endpoint).is_some_and(|e| e.field(name).is_some()) {
            return Some(format!("`{name}` is a field of `{}`", spec.example()));
        }
    }
    if cx.keyword.is_some() {
        let on_mount = MOUNT_ATTRS.iter().any(|(n, _)| *n == name)
            || ty
                .config
                .and_then(schemas::endpoint)
                .is_some_and(|e| e.field(name).is_some());
        if on_mount {
            return Some(format!(
                "`{name}` is set on the mount block `{} {}`",
                ty.class.keyword(),
                ty.name
            ));
        }
    }
    None
}

pub fn missing_field(
    what: &dyn std::fmt::Display,
    head: Span,
    field: &str,
    ty: FieldType,
) -> Diagnostic {
    Diagnostic::error(
        codes::MISSING_FIELD,
        head,
        format!("{what} is missing `{field}`"),
    )
    .with_label(format!("`{field}` is required"))
    .with_help(format!("add `{field} = {}`", example_value(ty)))
}

/// A required field set to nothing (`""`, `[]`, `{}`): the server reads it as unset.
fn empty_field(what: &dyn std::fmt::Display, attr: &Attribute, ty: FieldType) -> Diagnostic {
    let field = &attr.name.name;
    Diagnostic::error(
        codes::MISSING_FIELD,
        attr.value.span,
        format!("`{field}` of {what} is empty"),
    )
    .with_label(format!("`{field}` is required: an empty value is none"))
    .with_help(format!(
        "give it a value: `{field} = {}`",
        example_value(ty)
    ))
}

fn example_value(ty: FieldType) -> &'static str {
    match ty {
        FieldType::String | FieldType::Any => "\"...\"",
        FieldType::Int => "0",
        FieldType::Bool => "true",
        FieldType::Duration => "1h",
        FieldType::List | FieldType::CommaList => "[\"...\"]",
        FieldType::Map => "{ ... }",
    }
}

/// `kp::ignored-by-server`: the target takes the field without error and does nothing
/// with it (`x-keyplan-ignored` in the endpoint's schema, with the evidence).
fn ignored_by_server(
    cx: &BodyCtx<'_, '_>,
    attr: &Attribute,
    target: Target,
    evidence: &str,
) -> Diagnostic {
    let server = crate::catalog::target_name(target);
    Diagnostic::warning(
        codes::IGNORED_BY_SERVER,
        attr.name.span,
        format!(
            "{server} accepts `{}` on {} but does nothing with it",
            attr.name.name, cx.what
        ),
    )
    .with_label("left out of the request: it would change nothing")
    .with_help(format!("remove it; {evidence}"))
}
