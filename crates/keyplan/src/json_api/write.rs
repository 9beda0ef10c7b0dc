//! The responses the playground asks for, written as compact JSON by hand: byte for byte
//! what `serde_json::to_string` writes for their `Serialize` derives (`tests.rs` compares
//! the two on every example program).
//!
//! Why not serde: its derived serialisers, monomorphised per response type and inlined
//! into each export, were about 10 KB of the gzipped wasm; these plain functions share one
//! string escaper and one object/array writer. The derives stay for the CLI and the tests.

use std::fmt::Write as _;

use kp_access::identity::{Identity, IdentityKind, JwtBinding, Login};
use kp_access::matrix::{Grant, IdentityAccess, Matrix};
use kp_access::simulate::{Accepted, Refused, Simulation};
use kp_schema::FieldType;

use super::access::AccessResponse;
use super::schema::{BlockInfo, EndpointInfo, FieldInfo, SchemaResponse};
use super::{
    AttachedRule, BuildResponse, CheckResponse, ExplainResponse, FormatResponse, JsonDiagnostic,
    JsonOutput, JsonRelated, SimulateResponse, View, ViewEdge, ViewNode, ViewWorkload,
};
use crate::explain::{ConditionalRule, DecidedBy, IdentityAnswer, PathAnswer};
use crate::ir::{PathRule, ResourceKind};
use crate::{Emit, Severity, Span, Target};

/// A value that writes itself as compact JSON.
pub(crate) trait ToJson {
    fn write(&self, out: &mut Out);
}

/// The document being written.
pub(crate) struct Out(String);

impl Out {
    /// Before a member or element: a comma unless it is the first in its object or array.
    fn separate(&mut self) {
        if !matches!(self.0.as_bytes().last(), None | Some(b'{' | b'[')) {
            self.0.push(',');
        }
    }

    /// A member's key (plain ASCII, written by this module: nothing to escape).
    fn key(&mut self, key: &str) {
        self.separate();
        self.0.push('"');
        self.0.push_str(key);
        self.0.push_str("\":");
    }

    fn raw(&mut self, text: &str) {
        self.0.push_str(text);
    }

    /// A string with serde_json's escapes.
    fn string(&mut self, s: &str) {
        kp_access::json::write_string(&mut self.0, s);
    }
}

/// `value` as compact JSON.
pub(crate) fn to_string<T: ToJson + ?Sized>(value: &T) -> String {
    let mut out = Out(String::new());
    value.write(&mut out);
    out.0
}

/// Writes an object: `object!(out, "key" => value, ...)`, each value a [`ToJson`].
macro_rules! object {
    ($out:expr, $($key:literal => $value:expr),* $(,)?) => {{
        let out: &mut Out = $out;
        out.raw("{");
        $( out.key($key); ToJson::write(&$value, out); )*
        out.raw("}");
    }};
}

/// A response: its members, then `error` only when there is one (serde's
/// `skip_serializing_if = "Option::is_none"`), which every response ends with.
macro_rules! response {
    ($out:expr, $error:expr, $($key:literal => $value:expr),* $(,)?) => {{
        let out: &mut Out = $out;
        out.raw("{");
        $( out.key($key); ToJson::write(&$value, out); )*
        if let Some(e) = &$error {
            out.key("error");
            ToJson::write(e, out);
        }
        out.raw("}");
    }};
}

/// The members of an object without its braces (serde's `flatten`).
macro_rules! members {
    ($out:expr, $($key:literal => $value:expr),* $(,)?) => {{
        let out: &mut Out = $out;
        $( out.key($key); ToJson::write(&$value, out); )*
    }};
}

impl ToJson for str {
    fn write(&self, out: &mut Out) {
        out.string(self);
    }
}

impl ToJson for String {
    fn write(&self, out: &mut Out) {
        out.string(self);
    }
}

impl ToJson for bool {
    fn write(&self, out: &mut Out) {
        out.raw(if *self { "true" } else { "false" });
    }
}

impl ToJson for usize {
    fn write(&self, out: &mut Out) {
        let _ = write!(out.0, "{self}");
    }
}

impl<T: ToJson + ?Sized> ToJson for &T {
    fn write(&self, out: &mut Out) {
        (**self).write(out);
    }
}

impl<T: ToJson> ToJson for Option<T> {
    fn write(&self, out: &mut Out) {
        match self {
            Some(value) => value.write(out),
            None => out.raw("null"),
        }
    }
}

impl<T: ToJson> ToJson for [T] {
    fn write(&self, out: &mut Out) {
        out.raw("[");
        for item in self {
            out.separate();
            item.write(out);
        }
        out.raw("]");
    }
}

impl<T: ToJson, const N: usize> ToJson for [T; N] {
    fn write(&self, out: &mut Out) {
        self.as_slice().write(out);
    }
}

impl<T: ToJson> ToJson for Vec<T> {
    fn write(&self, out: &mut Out) {
        self.as_slice().write(out);
    }
}

impl<T: ToJson> ToJson for kp_sort::SortedMap<String, T> {
    fn write(&self, out: &mut Out) {
        out.raw("{");
        for (key, value) in self {
            out.separate();
            out.string(key);
            out.raw(":");
            value.write(out);
        }
        out.raw("}");
    }
}

impl ToJson for serde_json::Value {
    fn write(&self, out: &mut Out) {
        kp_access::json::write_value(&mut out.0, self);
    }
}

impl ToJson for kp_access::identity::FieldValue {
    fn write(&self, out: &mut Out) {
        kp_access::json::write_redacted(&mut out.0, &self.0);
    }
}

/// Unit enums as serde names them (a test keeps each in step with its derive).
macro_rules! names {
    ($ty:ty, $($variant:path => $name:literal),* $(,)?) => {
        impl ToJson for $ty {
            fn write(&self, out: &mut Out) {
                out.string(match self { $($variant => $name),* });
            }
        }
    };
}

names!(Severity, Severity::Error => "error", Severity::Warning => "warning");
names!(Emit, Emit::Api => "api", Emit::Hcl => "hcl", Emit::Json => "json", Emit::Sh => "sh");

// Spelled once, by kp-emit, whose test keeps them the serde names.
impl ToJson for Target {
    fn write(&self, out: &mut Out) {
        out.string(kp_emit::target_name(*self));
    }
}

impl ToJson for ResourceKind {
    fn write(&self, out: &mut Out) {
        out.string(kp_emit::kind_name(*self));
    }
}

impl ToJson for FieldType {
    fn write(&self, out: &mut Out) {
        out.string(self.keyword());
    }
}

impl ToJson for IdentityKind {
    fn write(&self, out: &mut Out) {
        out.string(self.name());
    }
}

impl ToJson for Span {
    fn write(&self, out: &mut Out) {
        object!(out, "start" => self.start, "end" => self.end);
    }
}

impl ToJson for PathRule {
    fn write(&self, out: &mut Out) {
        object!(out, "path" => self.path.as_str(), "capabilities" => self.capabilities.to_vec());
    }
}

impl ToJson for CheckResponse {
    fn write(&self, out: &mut Out) {
        response!(out, self.error, "ok" => self.ok, "target" => self.target, "diagnostics" => self.diagnostics);
    }
}

impl ToJson for BuildResponse {
    fn write(&self, out: &mut Out) {
        response!(out, self.error,
            "ok" => self.ok,
            "target" => self.target,
            "diagnostics" => self.diagnostics,
            "outputs" => self.outputs,
            "view" => self.view,
        );
    }
}

impl ToJson for JsonDiagnostic {
    fn write(&self, out: &mut Out) {
        let l = &self.located;
        object!(out,
            "severity" => l.severity,
            "code" => l.code,
            "message" => l.message,
            "label" => l.label,
            "help" => l.help,
            "file" => l.file,
            "line" => l.line,
            "column" => l.column,
            "end_line" => l.end_line,
            "end_column" => l.end_column,
            "start_offset" => l.start_offset,
            "end_offset" => l.end_offset,
            "from" => self.from,
            "to" => self.to,
            "related" => self.related,
        );
    }
}

impl ToJson for JsonRelated {
    fn write(&self, out: &mut Out) {
        object!(out,
            "label" => self.label,
            "file" => self.file,
            "line" => self.line,
            "column" => self.column,
            "from" => self.from,
            "to" => self.to,
        );
    }
}

impl ToJson for JsonOutput {
    fn write(&self, out: &mut Out) {
        object!(out, "format" => self.format, "name" => self.name, "contents" => self.contents);
    }
}

impl ToJson for View {
    fn write(&self, out: &mut Out) {
        object!(out,
            "nodes" => self.nodes,
            "edges" => self.edges,
            "levels" => self.levels,
            "workloads" => self.workloads,
            "extern_policies" => self.extern_policies,
            "access" => self.access,
        );
    }
}

impl ToJson for ViewNode {
    fn write(&self, out: &mut Out) {
        object!(out,
            "id" => self.id,
            "kind" => self.kind,
            "name" => self.name,
            "path" => self.path,
            "level" => self.level,
            "workload" => self.workload,
            "mount" => self.mount,
            "file" => self.file,
            "line" => self.line,
        );
    }
}

impl ToJson for ViewEdge {
    fn write(&self, out: &mut Out) {
        object!(out, "from" => self.from, "to" => self.to);
    }
}

impl ToJson for ViewWorkload {
    fn write(&self, out: &mut Out) {
        object!(out,
            "name" => self.name,
            "description" => self.description,
            "role" => self.role,
            "policy" => self.policy,
            "rules" => self.rules,
            "policies" => self.policies,
            "attached" => self.attached,
            "external" => self.external,
            "file" => self.file,
            "line" => self.line,
        );
    }
}

impl ToJson for AttachedRule {
    fn write(&self, out: &mut Out) {
        object!(out,
            "policy" => self.policy,
            "path" => self.path,
            "capabilities" => self.capabilities,
        );
    }
}

impl ToJson for Matrix {
    fn write(&self, out: &mut Out) {
        object!(out, "patterns" => self.patterns, "identities" => self.identities);
    }
}

impl ToJson for IdentityAccess {
    fn write(&self, out: &mut Out) {
        let i: &Identity = &self.identity;
        out.raw("{");
        members!(out,
            "id" => i.id,
            "kind" => i.kind,
            "name" => i.name,
            "mount" => i.mount,
            "role" => i.role,
            "workload" => i.workload,
            "policies" => i.policies,
            "login" => i.login,
        );
        // serde's `skip_serializing_if`: absent for service tokens.
        if i.batch {
            members!(out, "batch" => i.batch);
        }
        members!(out,
            "span" => i.span,
            "grants" => self.grants,
            "external" => self.external,
        );
        out.raw("}");
    }
}

impl ToJson for Login {
    fn write(&self, out: &mut Out) {
        out.raw("{");
        members!(out, "fields" => self.fields);
        if let Some(jwt) = &self.jwt {
            members!(out, "jwt" => jwt);
        }
        out.raw("}");
    }
}

impl ToJson for JwtBinding {
    fn write(&self, out: &mut Out) {
        out.raw("{");
        members!(out,
            "role_type" => self.role_type,
            "bound_audiences" => self.bound_audiences,
            "audiences_from_env" => self.audiences_from_env,
            "bound_subject" => self.bound_subject,
            "subject_from_env" => self.subject_from_env,
            "bound_claims" => self.bound_claims,
            "claims_from_env" => self.claims_from_env,
            "glob" => self.glob,
            "user_claim" => self.user_claim,
            "user_claim_pointer" => self.user_claim_pointer,
            "groups_claim" => self.groups_claim,
        );
        // serde's `skip_serializing_if = "Vec::is_empty"`.
        if !self.claim_mappings.is_empty() {
            members!(out, "claim_mappings" => self.claim_mappings);
        }
        members!(out, "bound_issuer" => self.bound_issuer);
        out.raw("}");
    }
}

impl ToJson for Grant {
    fn write(&self, out: &mut Out) {
        object!(out,
            "pattern" => self.pattern,
            "capabilities" => self.capabilities,
            "policies" => self.policies,
        );
    }
}

impl ToJson for FormatResponse {
    fn write(&self, out: &mut Out) {
        object!(out,
            "ok" => self.ok,
            "formatted" => self.formatted,
            "changed" => self.changed,
            "diagnostics" => self.diagnostics,
        );
    }
}

impl ToJson for SimulateResponse {
    fn write(&self, out: &mut Out) {
        out.raw("{");
        members!(out,
            "ok" => self.ok,
            "target" => self.target,
            "diagnostics" => self.diagnostics,
            "simulation" => self.simulation,
        );
        if !self.notes.is_empty() {
            members!(out, "notes" => self.notes);
        }
        if let Some(e) = &self.error {
            members!(out, "error" => e);
        }
        out.raw("}");
    }
}

impl ToJson for AccessResponse {
    fn write(&self, out: &mut Out) {
        response!(out, self.error,
            "ok" => self.ok,
            "target" => self.target,
            "diagnostics" => self.diagnostics,
            "access" => self.access,
        );
    }
}

impl ToJson for Simulation {
    fn write(&self, out: &mut Out) {
        object!(out, "accepted" => self.accepted, "refused" => self.refused);
    }
}

impl ToJson for Accepted {
    fn write(&self, out: &mut Out) {
        object!(out,
            "mount" => self.mount,
            "role" => self.role,
            "identity" => self.identity,
            "policies" => self.policies,
            "assuming" => self.assuming,
        );
    }
}

impl ToJson for Refused {
    fn write(&self, out: &mut Out) {
        object!(out, "mount" => self.mount, "role" => self.role, "reason" => self.reason);
    }
}

impl ToJson for ExplainResponse {
    fn write(&self, out: &mut Out) {
        out.raw("{");
        members!(out, "ok" => self.ok, "target" => self.target, "diagnostics" => self.diagnostics);
        if let Some(paths) = &self.paths {
            members!(out, "paths" => paths);
        }
        if let Some(e) = &self.error {
            members!(out, "error" => e);
        }
        out.raw("}");
    }
}

impl ToJson for PathAnswer {
    fn write(&self, out: &mut Out) {
        object!(out, "path" => self.path, "identities" => self.identities);
    }
}

impl ToJson for IdentityAnswer {
    fn write(&self, out: &mut Out) {
        out.raw("{");
        members!(out,
            "identity" => self.identity,
            "kind" => self.kind,
            "policies" => self.policies,
            "capabilities" => self.capabilities,
            "decided_by" => self.decided_by,
        );
        if !self.conditional.is_empty() {
            members!(out, "conditional" => self.conditional);
        }
        if !self.unknown_policies.is_empty() {
            members!(out, "unknown_policies" => self.unknown_policies);
        }
        if let Some(why) = self.refused {
            members!(out, "refused" => why);
        }
        out.raw("}");
    }
}

impl ToJson for DecidedBy {
    fn write(&self, out: &mut Out) {
        object!(out, "policy" => self.policy, "pattern" => self.pattern, "why" => self.why);
    }
}

impl ToJson for ConditionalRule {
    fn write(&self, out: &mut Out) {
        object!(out,
            "policy" => self.policy,
            "pattern" => self.pattern,
            "capabilities" => self.capabilities.names(),
        );
    }
}

impl ToJson for SchemaResponse {
    fn write(&self, out: &mut Out) {
        object!(out,
            "version" => self.version,
            "targets" => self.targets,
            "capabilities" => self.capabilities,
            "blocks" => self.blocks,
            "endpoints" => self.endpoints,
        );
    }
}

impl ToJson for BlockInfo {
    fn write(&self, out: &mut Out) {
        object!(out,
            "context" => self.context,
            "doc" => self.doc,
            "blocks" => self.blocks,
            "statements" => self.statements,
            "endpoint" => self.endpoint,
            "fields" => self.fields,
        );
    }
}

impl ToJson for FieldInfo {
    fn write(&self, out: &mut Out) {
        object!(out,
            "name" => self.name,
            "type" => self.ty,
            "description" => self.description,
            "required" => self.required,
            "sensitive" => self.sensitive,
            "allowed" => self.allowed,
        );
    }
}

impl ToJson for EndpointInfo {
    fn write(&self, out: &mut Out) {
        object!(out,
            "id" => self.id,
            "path" => self.path,
            "title" => self.title,
            "targets" => self.targets,
        );
    }
}
