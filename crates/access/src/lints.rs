//! Identity lints: who can log in as whom, and rules that grant too much or nothing.
//! Run on a program that compiled; `keyplan check` reports them with the checker's.
//!
//! A KV v2 rule without `data/`/`metadata/` is the checker's `kp::kv2-path`; a rule
//! shadowed by a more specific one uses the ACL evaluator's priority (`kp-acl`).

use crate::json::{Map, Value as Json};
use kp_acl::Target;
use kp_check::ir::{PathRule, Program, ResourceKind};
use kp_diag::{Diagnostic, SourceMap, Span};

use crate::identity::{identities, Identity, JwtBinding, INHERITED};
use crate::json;
use crate::pattern::{acl_overlap, glob_witness};

/// A JWT/OIDC role bound by audience alone: every token of the issuer for that audience
/// logs in (warning).
pub const JWT_AUDIENCE_ONLY: &str = "kp::jwt-audience-only";
/// A `jwt` role without `bound_audiences`: the server refuses every token that carries an
/// `aud` claim, as every CI provider's do (warning).
pub const JWT_NO_AUDIENCE: &str = "kp::jwt-no-audience";
/// Two JWT roles on one mount that one token can log in to, or two certificate roles one
/// certificate can (warning).
pub const OVERLAPPING_ROLES: &str = "kp::overlapping-roles";
/// A `glob` bound claim of `*`: it only asks that the claim exists (warning).
pub const GLOB_MATCHES_ANYTHING: &str = "kp::glob-matches-anything";
/// A bound claim value with `*` under the default `bound_claims_type = "string"`: the
/// server compares it literally, so only a claim holding that very text matches (warning).
pub const LITERAL_GLOB_CLAIM: &str = "kp::literal-glob-claim";
/// A rule granting `sudo`, or any capability under `sys/` (warning).
pub const PRIVILEGED_GRANT: &str = "kp::privileged-grant";
/// A `deny` no rule of any identity holding it would otherwise grant (warning).
pub const DENY_OVERRIDES_NOTHING: &str = "kp::deny-overrides-nothing";
/// A policy the program defines that no identity's login yields (warning).
pub const UNUSED_POLICY: &str = "kp::unused-policy";
/// A certificate role that names nothing a client's certificate must hold: every
/// certificate its CA signs logs in (warning).
pub const CERT_NO_CONSTRAINT: &str = "kp::cert-no-constraint";

/// A token created without policies of its own or its role's: it carries those of the
/// token `apply` runs with, `root` with the root token (warning).
pub const INHERITED_POLICIES: &str = "kp::inherited-policies";
/// An SSH `otp` role without `cidr_list`: it issues a password for no host, unless the
/// mount's `config/zeroaddress` (not managed by keyplan) lists it (warning).
pub const SSH_OTP_NO_CIDR: &str = "kp::ssh-otp-no-cidr";

/// A rule another rule always wins over, so it never decides (warning).
pub const SHADOWED_RULE: &str = shadow::SHADOWED_RULE;
/// On Vault, a `deny` on `X/*` that a broader glob's `list` gets around for a LIST of
/// `X/` (warning).
pub const LIST_DENY_BYPASS: &str = list_bypass::LIST_DENY_BYPASS;
/// A workload statement on a narrower pattern that takes capabilities another statement
/// of the workload grants away from its paths (warning).
pub const NARROWING_RULE: &str = narrowing::NARROWING_RULE;

pub const CODES: [&str; 14] = [
    JWT_AUDIENCE_ONLY,
    JWT_NO_AUDIENCE,
    OVERLAPPING_ROLES,
    GLOB_MATCHES_ANYTHING,
    LITERAL_GLOB_CLAIM,
    PRIVILEGED_GRANT,
    DENY_OVERRIDES_NOTHING,
    UNUSED_POLICY,
    SHADOWED_RULE,
    LIST_DENY_BYPASS,
    NARROWING_RULE,
    CERT_NO_CONSTRAINT,
    INHERITED_POLICIES,
    SSH_OTP_NO_CIDR,
];

/// The identity lints, rule findings located at the policy or workload that holds the
/// rule; [`lints_in`] locates them at the rule itself.
pub fn lints(program: &Program, target: Target) -> Vec<Diagnostic> {
    lints_in(program, &SourceMap::new(), target)
}

/// The identity lints, with the program's sources to point at the rule a finding is
/// about. `target` decides the stock rules of the built-in `default`.
pub fn lints_in(program: &Program, sources: &SourceMap, target: Target) -> Vec<Diagnostic> {
    let ids = identities(program);
    let mut out = Vec::new();
    jwt_roles(&ids, sources, &mut out);
    policies(program, &ids, sources, target, &mut out);
    shadow::shadowed(program, &ids, sources, target, &mut out);
    narrowing::narrowing(program, &ids, sources, &mut out);
    cert_roles(program, &mut out);
    cert_overlap::overlapping(program, &mut out);
    inherited_policies(&ids, &mut out);
    otp_roles(program, &mut out);
    kp_sort::by_key(&mut out, |d| (d.span.start, d.span.end));
    out
}

fn jwt_roles(ids: &[Identity], sources: &SourceMap, out: &mut Vec<Diagnostic>) {
    let jwt: Vec<(&Identity, &JwtBinding)> = ids
        .iter()
        .filter_map(|i| Some((i, i.login.jwt.as_ref()?)))
        .collect();
    for (i, b) in &jwt {
        let cidrs = i.login.fields.contains_key("token_bound_cidrs");
        if !b.bound_audiences.is_empty()
            && b.bound_subject.is_none()
            && b.bound_claims.is_empty()
            && !cidrs
        {
            out.push(
                Diagnostic::warning(
                    JWT_AUDIENCE_ONLY,
                    i.span,
                    format!(
                        "`{}` is bound by audience alone: every token the issuer mints for {} logs in",
                        i.id,
                        b.bound_audiences.join(", ")
                    ),
                )
                .with_label("no bound_claims or bound_subject")
                .with_help("bind what identifies the caller, e.g. `bound_claims = { project_path = \"group/project\" }` or `bound_subject = \"...\"`"),
            );
        }
        // "audience claim found in JWT but no audiences bound to the role" (measured on
        // OpenBao 2.7.2); an `oidc` role checks the ID token's audience against the
        // mount's client id instead.
        if b.role_type == "jwt" && b.bound_audiences.is_empty() && b.audiences_from_env.is_empty() {
            out.push(
                Diagnostic::warning(
                    JWT_NO_AUDIENCE,
                    i.span,
                    format!("`{}` has no `bound_audiences`: the server refuses every token with an `aud` claim", i.id),
                )
                .with_label("no bound_audiences")
                .with_help("add the audience the tokens are minted for, e.g. `bound_audiences = [\"https://vault.example.com\"]`: GitLab's `id_tokens` and GitHub's OIDC tokens always carry `aud`"),
            );
        }
        if b.glob {
            for (claim, values) in &b.bound_claims {
                if values.iter().any(|v| v.as_str() == Some("*")) {
                    out.push(
                        Diagnostic::warning(
                            GLOB_MATCHES_ANYTHING,
                            locate::keyed(sources, i.span, claim, "*").unwrap_or(i.span),
                            format!("bound claim `{claim}` of `{}` is the glob `*`: any value matches", i.id),
                        )
                        .with_label("matches anything")
                        .with_help(format!("list the accepted values of `{claim}`, or drop it if any value will do")),
                    );
                }
            }
        } else {
            literal_globs(i, b, sources, out);
        }
        // `bound_subject` is compared exactly whatever `bound_claims_type` says.
        if let Some(sub) = b.bound_subject.as_deref().filter(|s| s.contains('*')) {
            out.push(
                Diagnostic::warning(
                    LITERAL_GLOB_CLAIM,
                    locate::keyed(sources, i.span, "bound_subject", sub).unwrap_or(i.span),
                    format!("`bound_subject` of `{}` is compared literally: `{sub}` matches only the text `{sub}`", i.id),
                )
                .with_label("`*` is no wildcard here")
                .with_help(format!("write `bound_claims = {{ sub = {} }}` with `bound_claims_type = \"glob\"`", kp_diag::quoted(sub))),
            );
        }
    }
    for (k, j) in candidate_pairs(&jwt) {
        let ((a, ab), (b, bb)) = (jwt[k], jwt[j]);
        if let Some(example) = common_token(ab, bb) {
            let example = json::to_string(&Json::Object(example));
            out.push(
                Diagnostic::warning(
                    OVERLAPPING_ROLES,
                    b.span,
                    format!(
                        "one token can log in to both `{}` and `{}` on mount `{}`",
                        a.id,
                        b.id,
                        b.mount.as_deref().unwrap_or("")
                    ),
                )
                .with_label(format!("also accepts tokens `{}` accepts", a.id))
                .with_related(a.span, "this role accepts the same token")
                .with_help(format!(
                    "e.g. the token {example}; bind a claim the two roles give different values"
                )),
            );
        }
    }
}

/// What a certificate role may ask of a client's certificate beyond its CA's signature.
const CERT_CONSTRAINTS: [&str; 7] = [
    "allowed_common_names",
    "allowed_dns_sans",
    "allowed_email_sans",
    "allowed_uri_sans",
    "allowed_organizational_units",
    "allowed_names",
    "required_extensions",
];

/// A certificate role that constrains nothing but the CA: any certificate the CA signs,
/// for any host or person, logs in with the role's policies. Fine for a CA that signs
/// only this role's clients, which the program cannot know.
fn cert_roles(program: &Program, out: &mut Vec<Diagnostic>) {
    for r in program.resources.iter().filter(|r| r.schema == "cert-role") {
        if CERT_CONSTRAINTS.iter().any(|f| r.body.contains_key(f)) {
            continue;
        }
        out.push(
            Diagnostic::warning(
                CERT_NO_CONSTRAINT,
                r.span,
                format!("certificate role `{}` accepts every certificate its CA signs", r.name),
            )
            .with_label("no names or extensions required")
            .with_help("name what identifies the client, e.g. `allowed_common_names = [\"ci-runner-*.example.com\"]`, unless the CA signs only this role's clients"),
        );
    }
}

/// A token whose policies are its creator's (`identity::INHERITED`): whatever `apply` runs
/// with, the root token in a first setup, so the pipeline's token is root.
fn inherited_policies(ids: &[Identity], out: &mut Vec<Diagnostic>) {
    for i in ids
        .iter()
        .filter(|i| i.policies.iter().any(|p| p == INHERITED))
    {
        out.push(
            Diagnostic::warning(
                INHERITED_POLICIES,
                i.span,
                format!(
                    "token `{}` gets the policies of the token `apply` runs with: `root`, when that is the root token",
                    i.name
                ),
            )
            .with_label("no `policies`, and its role allows any")
            .with_help("give it the policies it needs, `policies = [...]`, and its role `allowed_policies` that bound them"),
        );
    }
}

/// The engine issues an OTP only for an `ip` in the role's `cidr_list` ("Error validating
/// IP: IP does not belong to role", measured on OpenBao 2.7.2), or any when the mount's
/// zero-address config names the role.
fn otp_roles(program: &Program, out: &mut Vec<Diagnostic>) {
    let otp = |r: &&kp_check::ir::Resource| {
        r.schema == "ssh-role"
            && matches!(r.body.get("key_type"), Some(kp_check::ir::Value::Str(t)) if t == "otp")
            && !r.body.contains_key("cidr_list")
    };
    for r in program.resources.iter().filter(otp) {
        out.push(
            Diagnostic::warning(
                SSH_OTP_NO_CIDR,
                r.span,
                format!("OTP role `{}` has no `cidr_list`: it issues a password for no host", r.name),
            )
            .with_label("every `creds` request is refused")
            .with_help("list the hosts' networks, e.g. `cidr_list = [\"10.0.0.0/8\"]`, unless the mount's `config/zeroaddress` names this role"),
        );
    }
}

/// Under `bound_claims_type = "string"` (the default) the server compares bound claims
/// exactly (`claims.go`): `refs/heads/*` then matches only a ref named `refs/heads/*`,
/// and every real login is refused.
fn literal_globs(i: &Identity, b: &JwtBinding, sources: &SourceMap, out: &mut Vec<Diagnostic>) {
    for (claim, values) in &b.bound_claims {
        let Some(value) = values
            .iter()
            .filter_map(serde_json::Value::as_str)
            .find(|v| v.contains('*'))
        else {
            continue;
        };
        out.push(
            Diagnostic::warning(
                LITERAL_GLOB_CLAIM,
                locate::keyed(sources, i.span, claim, value).unwrap_or(i.span),
                format!(
                    "bound claim `{claim}` of `{}` is compared literally: `{value}` matches only the text `{value}`",
                    i.id
                ),
            )
            .with_label("`*` is no wildcard here")
            .with_help(format!(
                "add `bound_claims_type = \"glob\"` to match `{value}` as a pattern, or list the exact values of `{claim}`"
            )),
        );
    }
}

/// The pairs `(k, j)`, `k < j` in `jwt`'s order, of `jwt` roles on one mount that one
/// token might log in to. Comparing every pair is quadratic (2,000 CI jobs on one mount
/// are 2 million pairs), so roles are bucketed by the value of a claim that both sides
/// must share: two exact (non-glob) roles binding the same claim overlap only when a
/// value is common. Roles that do not bind it exactly are compared with every other.
///
/// Sorted lists, not `BTreeMap`s: each of those map types compiled its own tree code (and
/// collecting, its own sort) into the playground's wasm.
fn candidate_pairs(jwt: &[(&Identity, &JwtBinding)]) -> Vec<(usize, usize)> {
    let mut by_mount: Vec<(Option<&str>, usize)> = jwt
        .iter()
        .enumerate()
        .filter(|(_, (_, b))| b.role_type == "jwt")
        .map(|(k, (i, _))| (i.mount.as_deref(), k))
        .collect();
    kp_sort::by_key(&mut by_mount, |&(mount, _)| mount);
    let mut pairs = Vec::new();
    for members in by_mount.chunk_by(|a, b| a.0 == b.0) {
        let members: Vec<usize> = members.iter().map(|&(_, k)| k).collect();
        // The claim that splits this mount's roles best: fewest pairs left to compare.
        let key = best_key(jwt, &members);
        let mut texts: Vec<(String, bool, usize)> = Vec::new();
        let mut wild = Vec::new();
        for &k in &members {
            match key.and_then(|key| claim_texts(jwt[k].1, key)) {
                Some(values) => texts.extend(values.into_iter().map(|(t, whole)| (t, whole, k))),
                None => wild.push(k),
            }
        }
        // Sorted, every text that starts with a glob's text follows it: a glob pairs
        // with those, an exact value with its equals only.
        kp_sort::by(&mut texts, |a, b| a.0.cmp(&b.0));
        for (n, (text, whole, k)) in texts.iter().enumerate() {
            let meets = |t: &&(String, bool, usize)| {
                if *whole {
                    t.0 == *text
                } else {
                    t.0.starts_with(text.as_str())
                }
            };
            for &(_, _, j) in texts.iter().skip(n + 1).take_while(meets) {
                if j != *k {
                    pairs.push((j.min(*k), j.max(*k)));
                }
            }
        }
        for &w in &wild {
            for &k in &members {
                if k != w {
                    pairs.push((k.min(w), k.max(w)));
                }
            }
        }
    }
    kp_sort::unstable(&mut pairs);
    pairs.dedup();
    pairs
}

/// What `b` asks of claim `key`, for pairing roles: each accepted value as its text up to
/// its first `*` (a glob's) and whether that is the whole value. Two roles can accept
/// one token only if some text of one starts with a glob text of the other, or equals
/// an exact one. `bound_subject` counts as the `sub` claim it is compared with. `None`
/// when the role takes any value.
fn claim_texts(b: &JwtBinding, key: &str) -> Option<Vec<(String, bool)>> {
    let text = |s: &str, glob: bool| match s.find('*').filter(|_| glob) {
        Some(star) => (s.get(..star).unwrap_or_default().to_string(), false),
        None => (s.to_string(), true),
    };
    match b.bound_claims.get(key) {
        Some(values) => Some(
            values
                .iter()
                .map(|v| match v.as_str() {
                    Some(s) => text(s, b.glob),
                    None => (json::to_string(v), true),
                })
                .collect(),
        ),
        None if key == "sub" => Some(vec![text(b.bound_subject.as_deref()?, false)]),
        None => None,
    }
}

/// The bound claim whose values partition `members` into the fewest pairs: the sum of
/// the squared sizes of the groups of equal texts ([`claim_texts`]), a role that does not
/// bind it counting against all.
fn best_key<'a>(jwt: &[(&Identity, &'a JwtBinding)], members: &[usize]) -> Option<&'a str> {
    // Every (claim, text) a role binds, sorted so equal ones are neighbours.
    let mut bound: Vec<(&'a str, String)> = Vec::new();
    for &k in members {
        let b = jwt[k].1;
        let keys = b.bound_claims.keys().map(String::as_str);
        let subject = b.bound_subject.is_some() && !b.bound_claims.contains_key("sub");
        for key in keys.chain(subject.then_some("sub")) {
            let texts = claim_texts(b, key).unwrap_or_default();
            bound.extend(texts.into_iter().map(|(t, _)| (key, t)));
        }
    }
    kp_sort::by(&mut bound, |a, b| a.cmp(b));
    let n = members.len();
    let mut best: Option<(usize, &'a str)> = None;
    for claim in bound.chunk_by(|a, b| a.0 == b.0) {
        let exact = claim.len();
        let wild = n.saturating_sub(exact);
        let squares: usize = claim
            .chunk_by(|a, b| a.1 == b.1)
            .map(|value| value.len() * value.len())
            .sum();
        let cost = (squares + wild * n, claim[0].0);
        if best.is_none_or(|best| cost < best) {
            best = Some(cost);
        }
    }
    best.map(|(_, key)| key)
}

/// A token both roles accept, built from what each binds (issuer, subject, audiences,
/// bound claims, user and groups claims) and confirmed by the simulation, so the example
/// the warning shows logs in to both; `None` when no such token was found.
fn common_token(a: &JwtBinding, b: &JwtBinding) -> Option<Map> {
    // A role without audiences refuses any token with one.
    if a.bound_audiences.is_empty() != b.bound_audiences.is_empty() {
        return None;
    }
    let mut token = Map::new();
    if let Some(issuer) = a.bound_issuer.as_ref().or(b.bound_issuer.as_ref()) {
        token.insert("iss".into(), Json::String(issuer.clone()));
    }
    match (&a.bound_subject, &b.bound_subject) {
        (Some(x), Some(y)) if x != y => return None,
        (Some(s), _) | (_, Some(s)) => {
            token.insert("sub".into(), Json::String(s.clone()));
        }
        _ => {}
    }
    if let Some(aud) = a
        .bound_audiences
        .iter()
        .find(|x| b.bound_audiences.contains(x))
    {
        token.insert("aud".into(), Json::String(aud.clone()));
    } else if let (Some(x), Some(y)) = (a.bound_audiences.first(), b.bound_audiences.first()) {
        token.insert(
            "aud".into(),
            Json::Array(vec![Json::String(x.clone()), Json::String(y.clone())]),
        );
    }
    let mut keys: Vec<&String> = a.bound_claims.keys().chain(b.bound_claims.keys()).collect();
    kp_sort::sort(&mut keys);
    keys.dedup();
    for key in keys {
        let value = match (a.bound_claims.get(key), b.bound_claims.get(key)) {
            (Some(x), Some(y)) => common_value(x, a.glob, y, b.glob)?,
            (Some(x), None) => common_value(x, a.glob, x, a.glob)?,
            (None, Some(y)) => common_value(y, b.glob, y, b.glob)?,
            (None, None) => continue,
        };
        set_claim(&mut token, key, key.starts_with('/'), value);
    }
    for role in [a, b] {
        set_claim(
            &mut token,
            &role.user_claim,
            role.user_claim_pointer,
            Json::String("user".into()),
        );
        if let Some(groups) = &role.groups_claim {
            set_claim(
                &mut token,
                groups,
                groups.starts_with('/'),
                Json::Array(Vec::new()),
            );
        }
    }
    let accepted = |role| crate::simulate::refusal(role, &token).is_none();
    (accepted(a) && accepted(b)).then_some(token)
}

/// Sets a claim the token does not have yet, by name or by JSON pointer (`/ctx/env`),
/// creating the objects on the way; a value already there (or in the way) is kept, and
/// the simulation then decides whether the token still works.
fn set_claim(token: &mut Map, name: &str, pointer: bool, value: Json) {
    let Some(path) = name.strip_prefix('/').filter(|_| pointer) else {
        token.get_or_insert(name, value);
        return;
    };
    let segments: Vec<String> = path
        .split('/')
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect();
    let Some((last, init)) = segments.split_last() else {
        return;
    };
    let mut at = token;
    for segment in init {
        match at.get_or_insert(segment, Json::Object(Map::new())) {
            Json::Object(inner) => at = inner,
            _ => return,
        }
    }
    at.get_or_insert(last, value);
}

/// A value of the claim both bindings accept (one binding given twice: any value it
/// accepts): an exact value a glob matches, or a string two globs both match.
fn common_value(
    x: &[serde_json::Value],
    xglob: bool,
    y: &[serde_json::Value],
    yglob: bool,
) -> Option<Json> {
    for u in x {
        for v in y {
            let (Some(us), Some(vs)) = (u.as_str(), v.as_str()) else {
                let (u, v) = (Json::from(u), Json::from(v));
                if u == v {
                    return Some(u);
                }
                continue;
            };
            let common = match (xglob, yglob) {
                (false, false) => (us == vs).then(|| us.to_string()),
                (true, false) => crate::simulate::glob_match(us, vs).then(|| vs.to_string()),
                (false, true) => crate::simulate::glob_match(vs, us).then(|| us.to_string()),
                (true, true) => glob_witness(us, vs),
            };
            if let Some(common) = common {
                return Some(Json::String(common));
            }
        }
    }
    None
}

fn policies(
    program: &Program,
    ids: &[Identity],
    sources: &SourceMap,
    target: Target,
    out: &mut Vec<Diagnostic>,
) {
    let mut used: Vec<&str> = ids
        .iter()
        .flat_map(|i| i.policies.iter().map(String::as_str))
        .collect();
    kp_sort::sort(&mut used);
    used.dedup();
    // A token role's `allowed_policies_glob` admits a policy as `allowed_policies` does.
    let globs: Vec<String> = program
        .resources
        .iter()
        .filter(|t| t.schema == "token-role")
        .flat_map(|t| crate::identity::list_field(t, "allowed_policies_glob"))
        .collect();
    let disallowed: Vec<String> = program
        .resources
        .iter()
        .filter(|t| t.schema == "token-role")
        .flat_map(|t| crate::identity::list_field(t, "disallowed_policies"))
        .collect();
    let rules = crate::matrix::policy_rules(program);
    // Each policy's holders, found once: looked for per `deny` rule among every
    // identity, they were quadratic in a program of thousands of workloads.
    let mut held: Vec<(&str, &Identity)> = ids
        .iter()
        .flat_map(|i| i.policies.iter().map(move |p| (p.as_str(), i)))
        .collect();
    kp_sort::by_key(&mut held, |&(p, _)| p);
    held.dedup_by(|a, b| a.0 == b.0 && std::ptr::eq(a.1, b.1));
    for r in program
        .resources
        .iter()
        .filter(|r| r.kind == ResourceKind::Policy)
    {
        let Some(doc) = &r.policy else { continue };
        let what = match &r.workload {
            Some(w) => format!("workload `{w}`"),
            None => format!("policy `{}`", r.name),
        };
        // `policy default` rewrites the built-in policy, which every token carries
        // unless it opts out: attached everywhere without being named.
        if r.workload.is_none()
            && r.name != "default"
            && used.binary_search(&r.name.as_str()).is_err()
            && !globs.iter().any(|g| kp_check::ir::glob_match(g, &r.name))
        {
            out.push(
                Diagnostic::warning(
                    UNUSED_POLICY,
                    r.span,
                    format!("policy `{}` is attached to no role, token or workload", r.name),
                )
                .with_label("no identity gets it")
                .with_help(if disallowed.iter().any(|d| *d == r.name) {
                    // Removing it would break the reference: say what keeps it.
                    format!("it is only in `disallowed_policies`: add it to a role's `token_policies`, or write `extern policy {}` if it is managed elsewhere", r.name)
                } else {
                    "add it to a role's `token_policies` (or a token role's `allowed_policies`), or remove it".to_string()
                }),
            );
        }
        for rule in &doc.rules {
            let found = out.len();
            privileged(rule, r.span, &what, target, out);
            if rule.capabilities.contains("deny") {
                let from = held.partition_point(|&(p, _)| p < r.name.as_str());
                let holders: Vec<&Identity> = held
                    .iter()
                    .skip(from)
                    .take_while(|&&(p, _)| p == r.name)
                    .map(|&(_, i)| i)
                    .collect();
                deny_overrides_nothing(rule, r.span, &what, &holders, &rules, target, out);
                list_bypass::list_bypass(rule, r.span, &what, &holders, &rules, target, out);
            }
            // Moved to the rule itself (its quoted path) when written in the block: looked
            // for only for a finding, as a search of the block per rule was quadratic.
            if let Some(new) = out.get_mut(found..).filter(|new| !new.is_empty()) {
                let at = locate::quoted(sources, r.span, &rule.path).unwrap_or(r.span);
                new.iter_mut().for_each(|d| d.span = at);
            }
        }
    }
}

/// `kp::deny-overrides-nothing`: the `deny` in `rule` (of a policy `holders` hold) changes
/// no request of any identity holding it, so removing it opens nothing. Said only when
/// no path the deny can decide is one another rule of a holder could grant: the
/// capabilities written beside `deny` in the same rule (the deny takes them over, see
/// `kp::shadowed-rule`), and every granting rule whose pattern meets it, the trailing
/// slash the server's LIST lookup trims included (`docs/acl.md` §3).
fn deny_overrides_nothing(
    rule: &PathRule,
    at: Span,
    what: &str,
    holders: &[&Identity],
    rules: &kp_sort::SortedMap<&str, &[PathRule]>,
    target: Target,
    out: &mut Vec<Diagnostic>,
) {
    if rule.capabilities.iter().any(|c| c != "deny") {
        return;
    }
    if holders.is_empty() {
        return;
    }
    let overrides = holders.iter().any(|i| {
        i.policies.iter().any(|p| match rules.get(p.as_str()) {
            Some(rs) => rs
                .iter()
                .any(|o| !o.capabilities.contains("deny") && deny_meets_grant(&rule.path, &o.path)),
            None if p == kp_acl::DEFAULT_POLICY => kp_acl::default_policy_rules(target)
                .any(|(pattern, _)| deny_meets_grant(&rule.path, pattern)),
            // Rules managed elsewhere may grant anything.
            None => true,
        })
    });
    if overrides {
        return;
    }
    out.push(
        Diagnostic::warning(
            DENY_OVERRIDES_NOTHING,
            at,
            format!(
                "`deny` on `{}` in {what} overrides nothing: no policy of {} grants a path it matches",
                rule.path,
                holders.iter().map(|i| format!("`{}`", i.id)).collect::<Vec<_>>().join(", ")
            ),
        )
        .with_label("denies what is not granted")
        .with_help("paths no policy grants are denied already; remove the rule, or fix its path"),
    );
}

/// Some request one rule can decide, the other could decide too. A lookup matches its
/// path, or, for a LIST, the path without its trailing `/` (`docs/acl.md` §3): so the two
/// patterns meet when they match a common path, or one matches a path the other
/// matches with a `/` added. A templated pattern counts as every path it may become.
fn deny_meets_grant(deny: &str, grant: &str) -> bool {
    let (deny, grant) = (untemplated(deny), untemplated(grant));
    let (deny, grant) = (strip_leading_slash(&deny), strip_leading_slash(&grant));
    acl_overlap(deny, grant)
        || acl_overlap(&format!("{deny}/"), grant)
        || acl_overlap(deny, &format!("{grant}/"))
}

fn strip_leading_slash(pattern: &str) -> &str {
    pattern.strip_prefix('/').unwrap_or(pattern)
}

/// A templated pattern (`identity/entity/id/{{identity.entity.id}}`) as the prefix
/// glob of every path it may become.
fn untemplated(pattern: &str) -> String {
    match pattern.find("{{") {
        Some(at) => format!("{}*", pattern.get(..at).unwrap_or("")),
        None => pattern.to_string(),
    }
}

/// Whether `rule` grants no more than the stock `default` policy gives every token on the
/// same pattern (`sys/capabilities-self`, `sys/leases/renew`, ...): nothing privileged.
fn stock_grant(rule: &PathRule, target: Target) -> bool {
    let path = strip_leading_slash(&rule.path);
    kp_acl::default_policy_rules(target)
        .any(|(p, caps)| *p == path && rule.capabilities.iter().all(|c| caps.contains(&c)))
}

fn privileged(rule: &PathRule, span: Span, what: &str, target: Target, out: &mut Vec<Diagnostic>) {
    let grants = rule.capabilities.iter().any(|c| c != "deny");
    if !grants {
        return;
    }
    if rule.capabilities.contains("sudo") {
        // The server checks `sudo` on top of the capability the request needs: alone it
        // opens nothing, and the rule is likely missing that capability.
        let help = if rule.capabilities.iter().all(|c| c == "sudo") {
            "`sudo` alone grants nothing: a root-protected endpoint also needs the \
             capability of the request (`update` for a write, `read`, `list`, ...) on \
             the same path; grant both only to operators"
        } else {
            "`sudo` opens root-protected endpoints; grant it only to operators"
        };
        out.push(
            Diagnostic::warning(
                PRIVILEGED_GRANT,
                span,
                format!("{what} grants `sudo` on `{}`", rule.path),
            )
            .with_label("root-protected endpoints")
            .with_help(help),
        );
    } else if acl_overlap(&rule.path, "sys/*") && !stock_grant(rule, target) {
        out.push(
            Diagnostic::warning(
                PRIVILEGED_GRANT,
                span,
                format!("{what} grants {} on `{}`, which reaches `sys/`", rule.capabilities.join(", "), rule.path),
            )
            .with_label("server configuration")
            .with_help("`sys/` configures the server itself (mounts, policies, seal); grant a narrower path"),
        );
    }
}

mod cert_overlap;
mod list_bypass;
mod locate;
mod narrowing;
mod shadow;

#[cfg(test)]
mod tests;
