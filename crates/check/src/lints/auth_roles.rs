//! Kubernetes and AppRole auth: the combinations OpenBao 2.7.2 rejects at write time
//! (measured on a dev server), caught before anything is sent.

use kp_diag::{Diagnostic, Span};
use kp_syntax::ast::{Attribute, ExprKind};

use crate::body::{is_empty_value, Parts};
use crate::codes;
use crate::ir::Value;

/// A Kubernetes config without `kubernetes_ca_cert` makes the server read the pod's
/// service account CA (`open /var/run/secrets/kubernetes.io/serviceaccount/ca.crt: no
/// such file or directory` outside a pod); with `disable_local_ca_jwt = true` it
/// refuses outright ("kubernetes_ca_cert must be given when disable_local_ca_jwt is true").
pub fn kubernetes_ca(config: &[&Attribute], head: Span, what: &str, diags: &mut Vec<Diagnostic>) {
    if config
        .iter()
        .any(|a| a.name.name == "kubernetes_ca_cert" && !is_empty_value(&a.value))
    {
        return;
    }
    let no_local = config.iter().find(|a| {
        a.name.name == "disable_local_ca_jwt" && matches!(a.value.kind, ExprKind::Bool(true))
    });
    match no_local {
        Some(attr) => diags.push(
            Diagnostic::error(
                codes::KUBERNETES_CA_REQUIRED,
                attr.name.span,
                format!("{what} disables the pod's CA but gives no `kubernetes_ca_cert`"),
            )
            .with_label("`kubernetes_ca_cert` is required with this")
            .with_related(head, "config of this mount")
            .with_help(
                "add `kubernetes_ca_cert = <<EOT ... EOT` (the API server's CA, PEM): the server rejects the config otherwise",
            ),
        ),
        None => diags.push(
            Diagnostic::warning(
                codes::KUBERNETES_NO_CA,
                head,
                format!("{what} has no `kubernetes_ca_cert`: it only works when the server runs in a pod"),
            )
            .with_label("the server reads its pod's CA file")
            .with_help(
                "add `kubernetes_ca_cert = <<EOT ... EOT` (the API server's CA, PEM); outside a pod the server rejects the config",
            ),
        ),
    }
}

/// A Kubernetes role must bind namespaces, by name or by selector: "bound_service_
/// account_namespaces can not be empty if bound_service_account_namespace_selector is
/// not set". `selector`: whether the target has the selector (OpenBao), which the
/// messages then offer.
pub fn kubernetes_role(
    parts: &Parts<'_>,
    head: Span,
    what: &dyn std::fmt::Display,
    selector: bool,
    diags: &mut Vec<Diagnostic>,
) {
    if parts.given("bound_service_account_namespaces").is_some()
        || parts
            .given("bound_service_account_namespace_selector")
            .is_some()
    {
        return;
    }
    // An empty list is written but binds none: pointed at, as an empty required field is.
    let at = parts
        .get("bound_service_account_namespaces")
        .map_or(head, |a| a.value.span);
    diags.push(
        Diagnostic::error(
            codes::MISSING_FIELD,
            at,
            format!("{what} binds no namespace"),
        )
        .with_label(if selector {
            "`bound_service_account_namespaces` or a namespace selector is required"
        } else {
            "`bound_service_account_namespaces` is required"
        })
        .with_help(if selector {
            "add `bound_service_account_namespaces = [\"ci\"]` (or `bound_service_account_namespace_selector`): the server rejects the role otherwise"
        } else {
            "add `bound_service_account_namespaces = [\"ci\"]`: the server rejects the role otherwise"
        }),
    );
}

/// A userpass user is created with a password: without `password` (or OpenBao's
/// `password_hash`) the server refuses the write ("missing password"). The OpenAPI
/// documents mark no field required, so the schema cannot say it.
pub fn userpass_user(
    parts: &Parts<'_>,
    head: Span,
    what: &dyn std::fmt::Display,
    diags: &mut Vec<Diagnostic>,
) {
    if parts.given("password").is_some() || parts.given("password_hash").is_some() {
        return;
    }
    // `password = ""` is written but sets none: pointed at, as an empty required field is.
    let at = parts.get("password").map_or(head, |a| a.value.span);
    diags.push(
        Diagnostic::error(
            codes::MISSING_FIELD,
            at,
            format!("{what} is missing `password`"),
        )
        .with_label("`password` is required")
        .with_help(
            "add `password = env(\"...\")` (read from the environment at apply time): the server refuses a user without one",
        ),
    );
}

/// `"*"` in a Kubernetes role's bindings means "any". Beside other names the server
/// refuses it ("can not mix \"*\" with values", on either list); in both lists it lets
/// every service account of every namespace log in: any pod of the cluster (measured on
/// OpenBao 2.7.2, which accepts that role).
pub fn kubernetes_wildcards(
    body: &crate::ir::Body,
    parts: &Parts<'_>,
    head: Span,
    what: &dyn std::fmt::Display,
    diags: &mut Vec<Diagnostic>,
) {
    const BINDINGS: [&str; 2] = [
        "bound_service_account_names",
        "bound_service_account_namespaces",
    ];
    let mut any = [false; 2];
    for (field, any) in BINDINGS.into_iter().zip(&mut any) {
        let values = body.get(field).map(Value::strs).unwrap_or_default();
        let stars = values.iter().filter(|v| v.trim() == "*").count();
        *any = stars > 0 && stars == values.len();
        if stars == 0 || *any {
            continue;
        }
        let span = parts.get(field).map_or(head, |a| a.value.span);
        diags.push(
            Diagnostic::error(
                codes::INVALID_VALUE,
                span,
                format!("`*` beside other values in `{field}`"),
            )
            .with_label("`*` already means any: the server refuses it mixed with values")
            .with_help(format!(
                "list only the names this role accepts, or `{field} = [\"*\"]` alone"
            )),
        );
    }
    if any == [true, true] {
        diags.push(
            Diagnostic::warning(
                codes::UNBOUND_KUBERNETES_ROLE,
                head,
                format!("{what} accepts any service account of any namespace"),
            )
            .with_label("any pod of the cluster can log in")
            .with_help(
                "bind the service account the workload runs as: `bound_service_account_names = [\"trainer\"]`, `bound_service_account_namespaces = [\"ml\"]`",
            ),
        );
    }
}

/// An AppRole role without `bind_secret_id` must be bound some other way: the server
/// answers 500 "at least one constraint should be enabled on the role".
pub fn approle_role(
    body: &crate::ir::Body,
    parts: &Parts<'_>,
    head: Span,
    what: &dyn std::fmt::Display,
    diags: &mut Vec<Diagnostic>,
) {
    if !matches!(body.get("bind_secret_id"), Some(Value::Bool(false))) {
        return;
    }
    const BINDINGS: [&str; 3] = [
        "secret_id_bound_cidrs",
        "token_bound_cidrs",
        "bound_cidr_list",
    ];
    if BINDINGS.iter().any(|b| parts.given(b).is_some()) {
        return;
    }
    let span = parts.get("bind_secret_id").map_or(head, |a| a.name.span);
    diags.push(
        Diagnostic::error(
            codes::APPROLE_NO_CONSTRAINT,
            span,
            format!("{what} needs no secret id and binds no CIDR: anyone with the role id could log in"),
        )
        .with_label("`bind_secret_id = false` with no other constraint")
        .with_help(
            "keep `bind_secret_id = true`, or add `secret_id_bound_cidrs` or `token_bound_cidrs` (e.g. `[\"10.0.0.0/8\"]`): the server rejects the role otherwise",
        ),
    );
}

/// OpenBao's `token_strictly_bind_ip` and `token_bound_cidrs` exclude each other:
/// "'token_strictly_bind_ip' conflicts with 'token_bound_cidrs'; set only one" (found by
/// the live test that sets every field of every login role).
pub fn strict_ip(body: &crate::ir::Body, parts: &Parts<'_>, diags: &mut Vec<Diagnostic>) {
    let strict = matches!(body.get("token_strictly_bind_ip"), Some(Value::Bool(true)));
    let cidrs = parts.given("token_bound_cidrs");
    let (true, Some(cidrs), Some(flag)) = (strict, cidrs, parts.get("token_strictly_bind_ip"))
    else {
        return;
    };
    diags.push(
        Diagnostic::error(
            codes::STRICT_IP_WITH_CIDRS,
            flag.name.span,
            "`token_strictly_bind_ip` conflicts with `token_bound_cidrs`",
        )
        .with_label("set only one of these")
        .with_related(cidrs.name.span, "CIDRs bound here")
        .with_help(
            "`token_strictly_bind_ip = true` binds tokens to the login's source address; `token_bound_cidrs` to ranges: keep one (the server rejects both)",
        ),
    );
}

/// A token role's `path_suffix` must hold three or more word characters, dots or dashes
/// starting and ending with a word character (`\w[\w-.]+\w`, searched, not anchored),
/// and no `..`: the server refuses the role otherwise ("given role path suffix contains
/// invalid characters", "path cannot contain parent references"; OpenBao 2.7.2).
pub fn path_suffix(body: &crate::ir::Body, parts: &Parts<'_>, diags: &mut Vec<Diagnostic>) {
    let Some(Value::Str(suffix)) = body.get("path_suffix") else {
        return;
    };
    let Some(attr) = parts.get("path_suffix") else {
        return;
    };
    if suffix.is_empty() {
        return;
    }
    let label = if suffix.contains("..") {
        "`..` would climb out of the role's token path"
    } else if !has_suffix_word(suffix) {
        "the server looks for 3 or more letters, digits, `_`, `-` or `.` in a row, starting and ending with a letter, digit or `_`"
    } else {
        return;
    };
    diags.push(
        Diagnostic::error(
            codes::INVALID_VALUE,
            attr.value.span,
            format!("`path_suffix` {} is refused by the server", kp_diag::quoted(suffix)),
        )
        .with_label(label)
        .with_help("use a name such as `\"ci-v1\"`: tokens of this role get `auth/token/create/ROLE/ci-v1` as their path"),
    );
}

/// Whether `s` contains a run matching `\w[\w-.]+\w` (ASCII word characters).
fn has_suffix_word(s: &str) -> bool {
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut first: Option<usize> = None;
    for (i, b) in s.bytes().enumerate() {
        if word(b) {
            match first {
                Some(f) if i >= f + 2 => return true,
                None => first = Some(i),
                _ => {}
            }
        } else if b != b'-' && b != b'.' {
            first = None;
        }
    }
    false
}

/// A Kubernetes role's `bound_service_account_namespace_selector` (OpenBao) written as
/// JSON, checked as OpenBao 2.7.2 takes it (measured: the role is refused with `invalid
/// "bound_service_account_namespace_selector" configured` otherwise): an object whose
/// `matchLabels` is a map of labels to single values. It refuses any `matchExpressions`
/// that is not `null`, even a well-formed one (`[{"key":"team","operator":"In",
/// "values":["ml"]}]`, and `[]`), and takes label keys and values the Kubernetes API would
/// not (`"team ml"`), so only the shape is checked. YAML text is left to the server.
pub fn namespace_selector(body: &crate::ir::Body, parts: &Parts<'_>, diags: &mut Vec<Diagnostic>) {
    let field = "bound_service_account_namespace_selector";
    let (Some(Value::Str(text)), Some(attr)) = (body.get(field), parts.get(field)) else {
        return;
    };
    let Ok(json) = kp_json::from_str(text) else {
        return;
    };
    let Some(problem) = selector_problem(&json) else {
        return;
    };
    diags.push(
        Diagnostic::error(
            codes::INVALID_VALUE,
            attr.value.span,
            format!("`{field}` is refused by the server: {problem}"),
        )
        .with_label("the server refuses the role")
        .with_help(
            "select namespaces by their labels: `\"{\\\"matchLabels\\\":{\\\"team\\\":\\\"ml\\\"}}\"`, or list them in `bound_service_account_namespaces`",
        ),
    );
}

/// Why OpenBao 2.7.2 refuses `json` as a namespace selector, if it does.
fn selector_problem(json: &kp_json::Value) -> Option<&'static str> {
    use kp_json::Value as J;
    let J::Object(top) = json else {
        return Some("a selector is an object, e.g. `{\"matchLabels\": {...}}`");
    };
    match top.get("matchLabels") {
        None | Some(J::Null) => {}
        Some(J::Object(labels)) => {
            if labels
                .iter()
                .any(|(_, v)| matches!(v, J::Array(_) | J::Object(_)))
            {
                return Some("each label in `matchLabels` has one value");
            }
        }
        Some(_) => return Some("`matchLabels` is a map of labels to values"),
    }
    match top.get("matchExpressions") {
        None | Some(J::Null) => None,
        Some(_) => Some("OpenBao 2.7.2 takes no `matchExpressions`, even well-formed ones"),
    }
}
