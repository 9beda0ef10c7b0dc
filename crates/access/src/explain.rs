//! `explain`: the capabilities each identity of a program has on concrete paths, and the
//! rule that decided them, by Vault's own ACL algorithm ([`kp_acl`]).
//!
//! Identities come from the checked program: every workload, every role of an auth
//! method (`token_policies`), every token role (`allowed_policies`) and every token
//! (`policies`). Their policies are the program's `policy` blocks and workloads' derived
//! policies; `default` is added unless the identity sets `token_no_default_policy`
//! (`no_default_policy` for tokens), as the server adds it.

use kp_acl::{Acl, Caps, Decision, Policy, Rule, Server, DEFAULT_POLICY};
use kp_sort::SortedMap;
use serde::Serialize;

use kp_acl::Target;
use kp_check::ir::{Program, ResourceKind};

/// Who is asked about: one identity of the program, or an explicit policy set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Identity {
    pub name: String,
    /// `workload`, `jwt-role`, `oidc-role`, `kubernetes-role`, `approle-role`, ...,
    /// `token-role`, `token`, or `policies` for `--policies`.
    pub kind: String,
    /// The policies its tokens carry, `default` included when the server adds it.
    pub policies: Vec<String>,
    /// Its tokens are batch tokens: the server refuses them cubbyhole whatever the
    /// policies grant ([`kp_access::identity::batch_refusal`]).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub batch: bool,
}

/// What to explain: every identity, one (`as_name`), or a policy set (`policies`,
/// evaluated exactly, no `default` added).
#[derive(Debug, Clone, Default)]
pub struct ExplainOptions {
    pub as_name: Option<String>,
    pub policies: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Explanation {
    pub paths: Vec<PathAnswer>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PathAnswer {
    pub path: String,
    pub identities: Vec<IdentityAnswer>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IdentityAnswer {
    pub identity: String,
    pub kind: String,
    pub policies: Vec<String>,
    /// What `sys/capabilities` answers (`["deny"]` when nothing is granted), in the order
    /// policies write capabilities rather than the server's alphabetical one.
    pub capabilities: Vec<&'static str>,
    pub decided_by: Option<DecidedBy>,
    /// Templated rules (`{{identity...}}`) that may apply once rendered for an entity:
    /// the answer above is the one without them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conditional: Vec<ConditionalRule>,
    /// Policies whose rules the program does not hold (`extern policy`): not evaluated.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unknown_policies: Vec<String>,
    /// Why the server refuses the request whatever `capabilities` says (a batch token on
    /// cubbyhole: `sys/capabilities` still lists the policies' capabilities).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refused: Option<&'static str>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecidedBy {
    pub policy: String,
    pub pattern: String,
    /// Why this rule decided: how it matched and why it won over the other matches.
    pub why: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConditionalRule {
    pub policy: String,
    pub pattern: String,
    pub capabilities: Caps,
}

/// A request `explain` cannot answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExplainError {
    /// `--as NAME` names no identity; `suggestion` is the closest name.
    UnknownIdentity {
        name: String,
        suggestion: Option<String>,
        known: Vec<String>,
    },
    /// `--policies` names a policy neither the program nor the server defines.
    UnknownPolicy {
        name: String,
    },
    /// The server would refuse this policy set (`root` with others, a bad rule).
    Acl {
        identity: String,
        message: String,
    },
    NoPaths,
}

impl std::fmt::Display for ExplainError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExplainError::UnknownIdentity {
                name,
                suggestion,
                known,
            } => {
                write!(f, "no identity named `{name}` in the program")?;
                if let Some(s) = suggestion {
                    write!(f, "; did you mean `{s}`?")?;
                } else if known.is_empty() {
                    f.write_str("; it has no workload, role or token (use --policies)")?;
                } else {
                    write!(f, "; identities: {}", known.join(", "))?;
                }
                Ok(())
            }
            ExplainError::UnknownPolicy { name } => write!(
                f,
                "no policy named `{name}` in the program (nor built in: default, root)"
            ),
            ExplainError::Acl { identity, message } => write!(f, "{identity}: {message}"),
            ExplainError::NoPaths => f.write_str("no path to explain"),
        }
    }
}

impl std::error::Error for ExplainError {}

/// The server whose lookup order `sys/capabilities` follows for this target.
pub fn server(target: Target) -> Server {
    match target {
        Target::Vault => Server::Vault,
        Target::Openbao => Server::Openbao,
    }
}

/// The program's policies as ACL data: `policy` blocks and workloads' derived policies.
pub fn policies(program: &Program) -> Vec<Policy> {
    program
        .resources
        .iter()
        .filter(|r| r.kind == ResourceKind::Policy)
        .filter_map(policy_of)
        .collect()
}

/// One `policy` resource as ACL data.
fn policy_of(r: &kp_check::ir::Resource) -> Option<Policy> {
    let doc = r.policy.as_ref()?;
    // The checker only lets Vault's capability names through.
    let rules = doc
        .rules
        .iter()
        .filter_map(|rule| Rule::new(&rule.path, &rule.capabilities.to_vec()).ok())
        .collect();
    Some(Policy::new(r.name.clone(), rules))
}

/// Every identity of the program (the identity model of [`crate::identity`]:
/// workloads, roles of auth methods, token roles, tokens), with the policies a login
/// yields, `default` included where the server adds it.
pub fn identities(program: &Program) -> Vec<Identity> {
    identities_where(program, |_| true)
}

fn identities_where(program: &Program, keep: impl Fn(&str) -> bool) -> Vec<Identity> {
    crate::identity::identities_where(program, keep)
        .into_iter()
        .map(|i| Identity {
            name: i.id,
            kind: i.kind.name().to_string(),
            policies: i.policies,
            batch: i.batch,
        })
        .collect()
}

/// An identity with its ACL built, ready to answer many paths.
pub struct Evaluator {
    pub identity: Identity,
    acl: Acl,
    unknown: Vec<String>,
}

impl Evaluator {
    /// The answer for one path (what `sys/capabilities` says, and why).
    pub fn answer(&self, path: &str, server: Server) -> IdentityAnswer {
        let d = self.acl.capabilities(path, server);
        answer(&self.identity, &self.unknown, path, &d)
    }

    pub fn decision(&self, path: &str, server: Server) -> Decision {
        self.acl.capabilities(path, server)
    }
}

/// Capability names in the order policies and `keyplan access` write them (create, read,
/// update, patch, delete, list, sudo, deny), not the alphabetical order of
/// `sys/capabilities`: every surface then lists a grant alike. A name outside that order
/// (OpenBao's `scan`) goes last.
fn in_policy_order(names: Vec<&'static str>) -> Vec<&'static str> {
    let order = kp_check::ir::CAPABILITIES;
    let mut ordered: Vec<&'static str> = order.into_iter().filter(|c| names.contains(c)).collect();
    ordered.extend(names.into_iter().filter(|n| !order.contains(n)));
    ordered
}

fn answer(identity: &Identity, unknown: &[String], path: &str, d: &Decision) -> IdentityAnswer {
    IdentityAnswer {
        identity: identity.name.clone(),
        kind: identity.kind.clone(),
        policies: identity.policies.clone(),
        capabilities: in_policy_order(d.names()),
        decided_by: d.decided_by.as_ref().map(|by| DecidedBy {
            policy: by.policy.clone(),
            pattern: by.pattern.clone(),
            why: by.why(),
        }),
        conditional: d
            .conditional
            .iter()
            .map(|r| ConditionalRule {
                policy: r.policy.clone(),
                pattern: r.pattern.clone(),
                capabilities: r.capabilities,
            })
            .collect(),
        unknown_policies: unknown.to_vec(),
        refused: crate::identity::batch_refusal(path).filter(|_| identity.batch),
    }
}

/// Builds the evaluators `opts` asks for. Only the identities asked for are built, and
/// only the policies they carry are converted: `--as` on a program of thousands of
/// workloads does the work of one. An undefined `default` is the stock one of `target`'s
/// product ([`kp_acl::default_policy_rules`]).
pub fn evaluators(
    program: &Program,
    opts: &ExplainOptions,
    target: Target,
) -> Result<Vec<Evaluator>, ExplainError> {
    let defined = crate::matrix::defined_policies(program);
    let chosen: Vec<Identity> = if let Some(set) = &opts.policies {
        for name in set {
            let builtin = name == "root" || name == DEFAULT_POLICY;
            let known = defined.contains_key(name.as_str())
                || program.extern_policies.iter().any(|e| e == name);
            if !builtin && !known {
                return Err(ExplainError::UnknownPolicy { name: name.clone() });
            }
        }
        vec![Identity {
            name: set.join(","),
            kind: "policies".into(),
            policies: set.clone(),
            batch: false,
        }]
    } else {
        match &opts.as_name {
            None => identities(program),
            Some(name) => named(program, name)?,
        }
    };
    // Converted once each, however many identities carry them.
    let mut converted: SortedMap<&str, Policy> = SortedMap::new();
    let mut evaluators = Vec::with_capacity(chosen.len());
    for identity in chosen {
        let mut set = Vec::new();
        let mut unknown = Vec::new();
        for name in &identity.policies {
            if name == "root" {
                set.push(Policy::root());
            } else if let Some((key, r)) = defined.get_key_value(name.as_str()) {
                let p = converted.get_or_insert_with(key, || {
                    policy_of(r).unwrap_or_else(|| Policy::new(name.clone(), Vec::new()))
                });
                set.push(p.clone());
            } else if name == DEFAULT_POLICY {
                set.push(
                    converted
                        .get_or_insert_with(DEFAULT_POLICY, || Policy::default_policy(target))
                        .clone(),
                );
            } else {
                // An extern policy, a name given as a string (`token_policies =
                // ["ops"]`), or what a token inherits: rules not known here, said so
                // (as `access` lists them) rather than left out unsaid.
                unknown.push(name.clone());
            }
        }
        let acl = Acl::new(&set).map_err(|e| ExplainError::Acl {
            identity: identity.name.clone(),
            message: e.to_string(),
        })?;
        evaluators.push(Evaluator {
            identity,
            acl,
            unknown,
        });
    }
    Ok(evaluators)
}

/// The identities `--as NAME` selects: by unique id (`trainer`, `gitlab/trainer`,
/// `token:NAME`), else by the role's or token's own name.
fn named(program: &Program, name: &str) -> Result<Vec<Identity>, ExplainError> {
    let picked = identities_where(program, |id| id == name);
    if !picked.is_empty() {
        return Ok(picked);
    }
    let picked = identities_where(program, |id| id.rsplit(['/', ':']).next() == Some(name));
    if !picked.is_empty() {
        return Ok(picked);
    }
    // Only now every identity: for the suggestion.
    let known: Vec<String> = identities(program).into_iter().map(|i| i.name).collect();
    let suggestion =
        kp_diag::did_you_mean(name, known.iter().map(String::as_str)).map(str::to_string);
    Err(ExplainError::UnknownIdentity {
        name: name.to_string(),
        suggestion,
        known,
    })
}

/// Explains `paths` for the identities `opts` selects, as `target` evaluates them.
pub fn explain(
    program: &Program,
    paths: &[String],
    opts: &ExplainOptions,
    target: Target,
) -> Result<Explanation, ExplainError> {
    if paths.is_empty() {
        return Err(ExplainError::NoPaths);
    }
    let evals = evaluators(program, opts, target)?;
    let server = server(target);
    Ok(Explanation {
        paths: paths
            .iter()
            .map(|asked| {
                // A path copied from a request (`/v1/...`, `a/../b`) as the server routes it.
                let path = kp_acl::request_path(asked);
                PathAnswer {
                    identities: evals.iter().map(|e| e.answer(&path, server)).collect(),
                    path,
                }
            })
            .collect(),
    })
}

/// The explanation as text: per path, one line per identity and the deciding rule.
pub fn to_text(e: &Explanation) -> String {
    let mut out = String::new();
    for (i, p) in e.paths.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&p.path);
        out.push('\n');
        for a in &p.identities {
            out.push_str(&format!(
                "  {} ({}; policies: {}): {}\n",
                a.identity,
                a.kind,
                if a.policies.is_empty() {
                    "none".to_string()
                } else {
                    a.policies.join(", ")
                },
                a.capabilities.join(", ")
            ));
            match &a.decided_by {
                Some(by) => out.push_str(&format!(
                    "    decided by policy {} path {}: {}\n",
                    by.policy,
                    kp_diag::quoted(&by.pattern),
                    by.why
                )),
                None if a.capabilities == ["root"] => {
                    out.push_str("    root policy: everything is allowed\n")
                }
                None => out.push_str("    no rule matches: denied by default\n"),
            }
            for c in &a.conditional {
                out.push_str(&format!(
                    "    conditional: policy {} path {} ({}) applies if its template renders to match\n",
                    c.policy,
                    kp_diag::quoted(&c.pattern),
                    c.capabilities
                ));
            }
            if !a.unknown_policies.is_empty() {
                out.push_str(&format!(
                    "    not evaluated (extern, rules unknown): {}\n",
                    a.unknown_policies.join(", ")
                ));
            }
            if let Some(why) = a.refused {
                out.push_str(&format!("    but refused: {why}\n"));
            }
        }
    }
    out
}
