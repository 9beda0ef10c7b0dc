//! `auth TYPE [PATH] { }` and `secrets TYPE [PATH] { }`: the mount, its config, and the
//! blocks nested in it (roles, connections, engine configs).

use kp_diag::Diagnostic;
use kp_schema::FieldType;
use kp_syntax::ast::{Attribute, Text};

use super::fields::{sibling_hint, unknown_field};
use super::{add_dep, resource, BodyCtx, Lowerer, What};
use crate::body::{self, Parts, StatementsGo};
use crate::catalog::{self, NestedSpec, MOUNT_ATTRS, MOUNT_TUNE_ATTRS};
use crate::codes;
use crate::ir::{Body, Resource, ResourceId, ResourceKind, Value};
use crate::lints;
use crate::schemas;
use crate::symbols::{MountDecl, MountSym, NestedDecl};
use crate::typing;

impl<'s> Lowerer<'s> {
    pub(super) fn lower_mount(&mut self, decl: &MountDecl<'s>) {
        let syms = self.syms;
        // A second block at a path (a duplicate) is that error alone: the mount there is
        // the first block's, whose type the second's fields would be checked against.
        let Some(mount) = syms
            .mount(decl.class, decl.path)
            .filter(|m| m.block_span == decl.block.span)
        else {
            return;
        };
        let ty = mount.ty;
        let what = mount.display();
        let mut body = Body::with_capacity(decl.parts.attrs.len() + 1);
        body.insert("type", Value::Str(ty.name.to_string()));
        let mut tune = Body::new();
        let mut mount_attrs: Vec<&Attribute> = Vec::new();
        let mut config_attrs: Vec<&Attribute> = Vec::new();
        let hint_cx = BodyCtx {
            endpoint: "",
            what: What::Said(&what),
            api_path: &mount.id,
            head: decl.block.head_span(),
            mount: Some(mount),
            keyword: None,
            skip: &[],
            also_valid: Vec::new(),
        };
        for &attr in &decl.parts.attrs {
            let name = attr.name.name.as_str();
            if let Some(&(name, fty)) = MOUNT_ATTRS.iter().find(|(n, _)| *n == name) {
                mount_attrs.push(attr);
                lints::placeholder::check(&attr.value, &mut self.diags);
                let field = schemas::synthetic(name, fty, &[]);
                if let Some(v) = typing::value(&attr.value, &field, &mut self.diags) {
                    if MOUNT_TUNE_ATTRS.contains(&name) {
                        tune.insert(name, v);
                    } else {
                        body.insert(name, v);
                    }
                }
            } else if ty.versioned && name == "version" {
                let field = schemas::synthetic(name, FieldType::Int, &["1", "2"]);
                if let Some(Value::Int(v)) = typing::known(&attr.value, &field, &mut self.diags) {
                    let options = Body::from([("version", Value::Str(v.to_string()))]);
                    body.insert("options", Value::Map(options));
                }
            } else if ty.config.is_some() {
                config_attrs.push(attr);
            } else {
                let mut valid: Vec<&str> = MOUNT_ATTRS.iter().map(|(n, _)| *n).collect();
                if ty.versioned {
                    valid.push("version");
                }
                let hint = sibling_hint(&hint_cx, name);
                self.diags.push(unknown_field(
                    name,
                    attr.name.span,
                    &what,
                    &valid,
                    &mount.id,
                    hint,
                ));
            }
        }
        if !tune.is_empty() {
            body.insert("config", Value::Map(tune));
        }
        lints::ttl::check("mount", &mount_attrs, |_| true, &mut self.diags);
        lints::ttl::mount_over_system_max(&mount_attrs, &mut self.diags);
        let mut r = resource(
            mount.id.clone(),
            decl.class.kind(),
            Text::from(decl.path),
            decl.class.schema(),
            decl.block.span,
        );
        r.body = body;
        self.push(r);

        if let Some(config_ep) = ty.config {
            // Config fields written misspelt, reported once as unknown fields.
            let mut misspelt = Vec::new();
            let prefix = decl.class.api_prefix(decl.path);
            if !config_attrs.is_empty() {
                if mount.available && !self.on_target(|t| schemas::supports(config_ep, t)) {
                    self.unsupported(decl.block.head_span(), &format!("{prefix}config"));
                }
                let config_what = format!("the config of {what}");
                let config_path = format!("{prefix}config");
                let cx = BodyCtx {
                    endpoint: config_ep,
                    what: What::Said(&config_what),
                    api_path: &config_path,
                    head: decl.block.head_span(),
                    mount: Some(mount),
                    keyword: None,
                    skip: &[],
                    also_valid: MOUNT_ATTRS.iter().map(|(n, _)| *n).collect(),
                };
                let typed = self.type_body(&cx, &config_attrs);
                let mut r = resource(
                    ResourceId::from(config_path.as_str()),
                    ResourceKind::Config,
                    Text::from("config"),
                    config_ep,
                    decl.block.span,
                );
                r.body = typed.body;
                r.depends_on = with_mount(&mount.id, typed.deps);
                r.mount = Some(mount.id.clone());
                self.push(r);
                misspelt = typed.misspelt;
            }
            if ty.name == "kubernetes" && !config_attrs.is_empty() {
                lints::auth_roles::kubernetes_ca(
                    &config_attrs,
                    decl.block.head_span(),
                    &what,
                    &mut self.diags,
                );
            }
            if ty.is_jwt() {
                // The role a login without one uses: on a mount the program declares,
                // one of its roles (a name the server lacks fails every such login).
                for a in config_attrs
                    .iter()
                    .filter(|a| a.name.name == "default_role")
                {
                    if let kp_syntax::ast::ExprKind::Str { value, .. } = &a.value.kind {
                        if !value.is_empty() && !mount.roles.contains_key(value.as_str()) {
                            self.diags.push(super::resolve::unknown_role(
                                mount,
                                value,
                                a.value.span,
                                "add `role NAME { ... }` or a workload's login",
                            ));
                        }
                    }
                }
                lints::jwt::key_sources(
                    &config_attrs,
                    &misspelt,
                    decl.block.head_span(),
                    &what,
                    &mut self.diags,
                );
                lints::jwt::client_pair(&config_attrs, &mut self.diags);
            }
        }

        for nested in &decl.nested {
            self.lower_nested(Some(mount), nested);
        }
        if ty.name == "ssh" {
            lints::ssh::signer_fits_ca(&decl.nested, &mut self.diags);
        }
    }

    pub(super) fn unsupported(&mut self, span: kp_diag::Span, path: &str) {
        let here = catalog::target_name(self.target);
        self.diags.push(
            Diagnostic::error(
                codes::UNSUPPORTED_ON_TARGET,
                span,
                format!("{here} has no endpoint `{path}`"),
            )
            .with_label(format!("not available on {here}")),
        );
    }

    /// A block nested in a mount, or a token role (`mount` is `None`).
    pub(super) fn lower_nested(&mut self, mount: Option<&'s MountSym<'s>>, decl: &NestedDecl<'s>) {
        self.lower_unless_duplicate(decl.duplicate, |l| l.lower_nested_block(mount, decl));
    }

    fn lower_nested_block(&mut self, mount: Option<&'s MountSym<'s>>, decl: &NestedDecl<'s>) {
        let parts = body::split(decl.block.entries(), &mut self.diags);
        let connection = decl.spec.endpoint == "database-connection";
        // A field only other plugins read is that error alone: left untyped, not also
        // another server's field (`url` of Elasticsearch on PostgreSQL, on OpenBao).
        let mut skip = super::rotation::CONNECTION_ATTRS.to_vec();
        if let Some(ep) = self.schema(decl.spec.endpoint).filter(|_| connection) {
            lints::database::plugin_fields(&parts, ep, &mut skip, &mut self.diags);
        }
        let r = self.lower_endpoint_block(
            mount,
            EndpointBlock {
                spec: decl.spec,
                name: decl.name,
                id: decl.id.clone(),
                block: decl.block,
                skip: if connection { &skip } else { &[] },
                external_type: None,
                statements_go: StatementsGo::InAWorkload,
            },
            &parts,
        );
        let rotation = if connection {
            self.root_rotation(mount, &r, &parts)
        } else {
            None
        };
        self.push(r);
        if let Some(action) = rotation {
            self.push(action);
        }
    }

    /// Types and lints one nested block's body; the resource is the caller's to push.
    pub(super) fn lower_endpoint_block(
        &mut self,
        mount: Option<&'s MountSym<'s>>,
        eb: EndpointBlock<'_>,
        parts: &Parts<'_>,
    ) -> Resource {
        let EndpointBlock {
            spec,
            name,
            id,
            block,
            skip,
            external_type,
            statements_go,
        } = eb;
        let what = match (name, mount) {
            (Some(n), _) => What::Named(spec.what, n),
            (None, Some(m)) => What::Of(spec.what, m.path),
            (None, None) => What::Said(spec.what),
        };
        for b in &parts.blocks {
            body::reject_block(b, &what, &[], &mut self.diags);
        }
        body::reject_statements(&parts.statements, &what, statements_go, &mut self.diags);
        // An endpoint without a schema is assumed to exist ([`schemas::supports`]).
        let schema = self.schema(spec.endpoint);
        if mount.is_none_or(|m| m.available)
            && !self.on_target(|t| schema.is_none_or(|e| e.supports(t)))
        {
            self.unsupported(block.head_span(), &id);
        }
        let cx = BodyCtx {
            endpoint: spec.endpoint,
            what,
            api_path: &id,
            head: block.head_span(),
            mount,
            keyword: Some(spec.keyword),
            skip,
            also_valid: Vec::new(),
        };
        let typed = self.type_body(&cx, &parts.attrs);
        let mut body = typed.body;
        lints::auth_roles::strict_ip(&body, parts, &mut self.diags);
        lints::batch_tokens::check(spec.endpoint, &body, parts, &what, &mut self.diags);
        match spec.endpoint {
            // A role without a declared mount is a workload's login on a JWT mount
            // managed elsewhere.
            "jwt-role" => lints::jwt::role(
                mount.map(|m| m.ty.name).or(external_type).unwrap_or("jwt"),
                parts,
                &mut body,
                &what,
                block.head_span(),
                &|f| typed.missing.iter().any(|m| m == f) || typed.misspelt.contains(&f),
                &mut self.diags,
            ),
            "ssh-ca" => lints::ssh::ca_key(&body, parts, block.head_span(), &mut self.diags),
            "ssh-role" => {
                lints::ssh::any_user(parts, &mut self.diags);
                lints::ssh::signs_nothing(&body, parts, block.head_span(), &mut self.diags);
                let misspelt = typed.misspelt.contains(&"default_user");
                let head = block.head_span();
                lints::ssh::otp_without_user(&body, &what, head, misspelt, &mut self.diags);
                let server = crate::catalog::target_name(self.target);
                lints::ssh::otp_fields(&mut body, parts, &what, server, &mut self.diags);
            }
            "database-connection" => {
                let env = lints::secrets::env_name(mount, name.map(|n| n.as_str()), "password");
                // A URL the plugin never reads is not also malformed.
                if !skip.contains(&"connection_url") {
                    lints::database::connection_url(parts, &env, &mut self.diags);
                }
                let missing_on = lints::database::plugin_at(parts)
                    .filter(|&at| !self.on_target(|t| crate::catalog::plugin_built_in(at, t)))
                    .map(|_| crate::catalog::target_name(self.target));
                lints::database::plugin_name(parts, missing_on, &mut self.diags);
                lints::username_template::check(spec.endpoint, parts, &mut self.diags);
            }
            "kubernetes-role" => {
                // OpenBao's alone: a help names only fields of the checked target.
                let selector = self.on_target(|t| {
                    crate::schemas::field_supported(
                        "kubernetes-role",
                        "bound_service_account_namespace_selector",
                        t,
                    )
                });
                // A namespace binding written misspelt is its unknown-field error alone.
                let misspelt = typed.misspelt.iter().any(|f| {
                    *f == "bound_service_account_namespaces"
                        || *f == "bound_service_account_namespace_selector"
                });
                if !misspelt {
                    lints::auth_roles::kubernetes_role(
                        parts,
                        block.head_span(),
                        &what,
                        selector,
                        &mut self.diags,
                    );
                }
                lints::auth_roles::namespace_selector(&body, parts, &mut self.diags);
                lints::auth_roles::kubernetes_wildcards(
                    &body,
                    parts,
                    block.head_span(),
                    &what,
                    &mut self.diags,
                );
            }
            // `pasword`: the unknown-field error alone, not "missing `password`" too.
            "userpass-user"
                if !typed
                    .misspelt
                    .iter()
                    .any(|f| *f == "password" || *f == "password_hash") =>
            {
                lints::auth_roles::userpass_user(parts, block.head_span(), &what, &mut self.diags);
                // OpenBao: "only one of password or password_hash may be provided".
                if let (true, Some(a)) = (body.contains_key("password"), parts.get("password_hash"))
                {
                    if body.contains_key("password_hash") {
                        self.diags.push(
                            Diagnostic::error(
                                codes::INVALID_VALUE,
                                a.name.span,
                                format!("{what} has both `password` and `password_hash`"),
                            )
                            .with_label("one of the two")
                            .with_help("keep one: the server refuses the user otherwise"),
                        );
                    }
                }
            }
            "approle-role" => lints::auth_roles::approle_role(
                &body,
                parts,
                block.head_span(),
                &what,
                &mut self.diags,
            ),
            "token-role" => {
                lints::auth_roles::path_suffix(&body, parts, &mut self.diags);
                super::tokens::allowed_and_disallowed(parts, &what, &mut self.diags);
            }
            "aws-role" => lints::ttl::sts_on_iam_user(parts, &mut self.diags),
            "aws-root" => {
                lints::rotation::schedule_window(&body, parts, &mut self.diags);
                lints::username_template::check(spec.endpoint, parts, &mut self.diags);
            }
            "aws-static-role" => lints::rotation::aws_static_role(&body, parts, &mut self.diags),
            "database-static-role" => {
                lints::rotation::static_role(&body, parts, block.head_span(), &mut self.diags);
            }
            _ => {}
        }
        let mut r = resource(
            id,
            spec.kind,
            name.map_or_else(|| Text::from(spec.keyword), Text::clone),
            spec.endpoint,
            block.span,
        );
        r.body = body;
        match mount {
            Some(m) => {
                r.depends_on = with_mount(&m.id, typed.deps);
                r.mount = Some(m.id.clone());
            }
            None => r.depends_on = typed.deps,
        }
        r
    }
}

/// A block written to one endpoint: a nested block, or a workload's `login`.
pub struct EndpointBlock<'b> {
    pub spec: &'static NestedSpec,
    pub name: Option<&'b Text>,
    /// The resource id, which is its API path.
    pub id: ResourceId,
    pub block: &'b kp_syntax::ast::Block,
    /// Attributes the caller handles itself (`role_name` of a `login`, a connection's
    /// `rotate_root` and the fields only other plugins read).
    pub skip: &'b [&'b str],
    /// The auth type of a `login`'s mount that the program does not declare (the
    /// type its path names, else `jwt`); `None` when the mount is declared.
    pub external_type: Option<&'static str>,
    /// Where a statement found in the body belongs, for its help.
    pub statements_go: StatementsGo,
}

/// The mount first, then the other dependencies.
fn with_mount(mount: &ResourceId, deps: Vec<ResourceId>) -> Vec<ResourceId> {
    // Room for one more: a workload's login role also depends on its policy.
    let mut out = Vec::with_capacity(deps.len() + 2);
    out.push(mount.clone());
    for d in deps {
        add_dep(&mut out, d);
    }
    out
}
