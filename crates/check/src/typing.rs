//! Expressions to API values, against the type of the schema field they are written to.
//!
//! Every mismatch says what was expected, what was found, and (when the intent is
//! guessable) how to write it.

use crate::body::one_of;
use kp_diag::{did_you_mean, Diagnostic};
use kp_schema::{Field, FieldType, JsonType};
use kp_syntax::ast::{Expr, ExprKind, StrLit};

use crate::codes;
use crate::durations;
use crate::ir::{is_env_name, EnvRef, Value};

/// The article-and-noun name of a field type, for messages.
pub fn type_name(ty: FieldType) -> &'static str {
    match ty {
        FieldType::String => "a string",
        FieldType::Int => "an integer",
        FieldType::Bool => "a boolean",
        FieldType::Duration => "a duration",
        FieldType::List | FieldType::CommaList => "a list",
        FieldType::Map => "a map",
        FieldType::Any => "a value",
    }
}

/// How to write `expr` as a value of type `ty`, when that is guessable.
fn respelling(expr: &Expr, ty: FieldType) -> Option<String> {
    let quoted = |s: &str| format!("write `\"{}\"`", s.replace('"', "\\\""));
    match (ty, &expr.kind) {
        (FieldType::String, ExprKind::Ident(n)) => Some(quoted(n)),
        (FieldType::String, ExprKind::Int(i)) => Some(quoted(&i.to_string())),
        (FieldType::String, ExprKind::Bool(b)) => Some(quoted(&b.to_string())),
        (FieldType::String, ExprKind::Duration { amount, unit, .. }) => {
            let u = match unit {
                kp_syntax::ast::DurationUnit::Seconds => "s",
                kp_syntax::ast::DurationUnit::Minutes => "m",
                kp_syntax::ast::DurationUnit::Hours => "h",
                kp_syntax::ast::DurationUnit::Days => "d",
            };
            Some(quoted(&format!("{amount}{u}")))
        }
        (FieldType::String, ExprKind::Path(segs)) => {
            let joined: Vec<&str> = segs.iter().map(|s| s.name.as_str()).collect();
            Some(quoted(&joined.join(".")))
        }
        (FieldType::String, ExprKind::List(items)) => match items.as_slice() {
            [Expr {
                kind: ExprKind::Str { value, .. },
                ..
            }] => Some(quoted(value)),
            _ => None,
        },
        (FieldType::Int, ExprKind::Str { value, .. }) => value
            .trim()
            .parse::<i64>()
            .ok()
            .map(|n| format!("write `{n}` without quotes")),
        (FieldType::Int, ExprKind::Duration { seconds, .. }) => Some(format!(
            "this field is a plain integer, not a duration: write `{seconds}`"
        )),
        (FieldType::Bool, ExprKind::Str { value, .. })
            if matches!(value.trim(), "true" | "false") =>
        {
            Some(format!("write `{}` without quotes", value.trim()))
        }
        (FieldType::Bool, ExprKind::Int(0)) => Some("write `false`".to_string()),
        (FieldType::Bool, ExprKind::Int(1)) => Some("write `true`".to_string()),
        (FieldType::Bool, _) => Some("write `true` or `false`".to_string()),
        (FieldType::Duration, ExprKind::Str { value, .. }) => {
            Some(match durations::parse_text(value) {
                Some(secs) => format!("write `{}` without quotes", durations::format(secs)),
                None => {
                    "write a duration such as `1h`, `15m` or `90s`, or integer seconds".to_string()
                }
            })
        }
        (FieldType::Duration, _) => {
            Some("write a duration such as `1h`, `15m` or `90s`, or integer seconds".to_string())
        }
        (FieldType::List | FieldType::CommaList, ExprKind::Str { value, .. }) => {
            // A comma-separated string is several items, one string each; but a JSON
            // list's item with words in it is one sentence (`GRANT SELECT, INSERT ...`).
            let items = value.split(',').map(str::trim).filter(|i| !i.is_empty());
            let sentence = ty == FieldType::List && items.clone().any(|i| i.contains(' '));
            Some(format!(
                "write a list: `[{}]`",
                if sentence {
                    kp_diag::quoted(value)
                } else {
                    quoted_items(items)
                }
            ))
        }
        (FieldType::List | FieldType::CommaList, ExprKind::Ident(n)) => {
            Some(format!("write a list: `[\"{n}\"]`"))
        }
        (FieldType::Map, _) => Some("write a map: `{ key = \"value\" }`".to_string()),
        _ => None,
    }
}

pub fn mismatch(expr: &Expr, ty: FieldType, field: &str) -> Diagnostic {
    mismatch_expected(expr, type_name(ty), field, respelling(expr, ty))
}

pub fn mismatch_expected(
    expr: &Expr,
    expected: &str,
    field: &str,
    help: Option<String>,
) -> Diagnostic {
    let d = Diagnostic::error(
        codes::TYPE_MISMATCH,
        expr.span,
        format!("expected {expected}, found {}", expr.kind_name()),
    )
    .with_label(format!("`{field}` takes {expected}"));
    match help {
        Some(h) => d.with_help(h),
        None => d,
    }
}

/// Reports `text` when the field is an enumeration that does not contain it.
pub fn check_allowed(field: &Field, text: &str, expr: &Expr, diags: &mut Vec<Diagnostic>) -> bool {
    if field.allowed.is_empty() || field.allowed.iter().any(|a| a == text) {
        return true;
    }
    // `""` is in some schemas' enums (server default), but an empty value here means
    // unset (`kp::empty-value-is-unset`): listing it would read as a blank.
    let allowed: Vec<&str> = field
        .allowed
        .iter()
        .map(String::as_str)
        .filter(|a| !a.is_empty())
        .collect();
    let list = if allowed.len() <= 12 {
        format!("allowed: {}", one_of(&allowed))
    } else {
        format!(
            "see the {} allowed values of `{}`",
            allowed.len(),
            field.name
        )
    };
    // Also a value one of the other's words (`default-service` where auth roles take
    // `default`, `default` where token roles take `default-service`).
    let near = did_you_mean(text, allowed.iter().copied()).or_else(|| {
        allowed
            .iter()
            .copied()
            .find(|a| word_prefix(text, a) || word_prefix(a, text))
    });
    let help = match near {
        Some(s) => format!("did you mean `{s}`? {list}"),
        None => list,
    };
    diags.push(
        Diagnostic::error(
            codes::INVALID_VALUE,
            expr.span,
            format!("invalid value `{text}` for `{}`", field.name),
        )
        .with_label("not an allowed value")
        .with_help(help),
    );
    false
}

/// Whether `text` is `word` and more after a `-`.
fn word_prefix(text: &str, word: &str) -> bool {
    text.strip_prefix(word)
        .is_some_and(|rest| rest.starts_with('-'))
}

/// Types `expr` as a value of `field`; `None` after reporting a problem.
pub fn value(expr: &Expr, field: &Field, diags: &mut Vec<Diagnostic>) -> Option<Value> {
    let name = field.name.as_str();
    let fail = |diags: &mut Vec<Diagnostic>| {
        diags.push(mismatch(expr, field.ty, name));
        None
    };
    // `env("NAME")` goes anywhere a value goes: it stays symbolic, and the server
    // parses the text it is given at apply time as it parses any string of the field.
    // But not for a field of a fixed set of values (`role_type`, `key_type`,
    // `token_type`): no secret, and the checks of the other fields depend on it.
    if let ExprKind::Env(var) = &expr.kind {
        if !field.allowed.is_empty() {
            return known(expr, field, diags);
        }
        return env_value(var, diags);
    }
    match field.ty {
        FieldType::String => match &expr.kind {
            ExprKind::Str { value, .. } => (check_allowed(field, value, expr, diags)
                && valid_pem(expr.span, value, field, diags)
                && valid_bcrypt(expr.span, value, field, diags))
            .then(|| Value::Str(value.as_str().to_owned())),
            _ => fail(diags),
        },
        FieldType::Int => match &expr.kind {
            // Use counts (`token_num_uses`, `secret_id_num_uses`, ...): the servers refuse
            // a negative one, or (a JWT role's old `num_uses`) store it and refuse every
            // later write. Other integers may be negative (`max_retries = -1`).
            ExprKind::Int(i) if *i < 0 && name.ends_with("num_uses") => negative(
                expr,
                name,
                "a negative count (`0` means unlimited)",
                format!("write `{name} = 0` for no limit, or the most uses allowed"),
                diags,
            ),
            // KV v2 keeps `max_versions` unsigned: -1 is stored as 4294967295, a drift
            // no apply can fix (OpenBao 2.7.2).
            ExprKind::Int(i) if *i < 0 && name == "max_versions" => negative(
                expr,
                name,
                "a negative count",
                "write how many versions to keep (`0` keeps the server's default, 10)".into(),
                diags,
            ),
            // The cert method refuses any other cache size ("invalid cache size", OpenBao
            // 2.7.2), and a write of another field fails with it too.
            ExprKind::Int(i) if name == "ocsp_cache_size" && !(2..=100_000).contains(i) => {
                diags.push(
                    Diagnostic::error(
                        codes::INVALID_VALUE,
                        expr.span,
                        "`ocsp_cache_size` is from 2 to 100000",
                    )
                    .with_label("out of range")
                    .with_help("the server refuses any other size (\"invalid cache size\"); leave it out for its default, 100"),
                );
                None
            }
            // The number's text only for an enumeration: most integer fields have none.
            ExprKind::Int(i) if field.allowed.is_empty() => Some(Value::Int(*i)),
            ExprKind::Int(i) => {
                check_allowed(field, &i.to_string(), expr, diags).then_some(Value::Int(*i))
            }
            _ => fail(diags),
        },
        FieldType::Bool => match &expr.kind {
            ExprKind::Bool(b) => Some(Value::Bool(*b)),
            _ => fail(diags),
        },
        FieldType::Duration => match &expr.kind {
            ExprKind::Duration { seconds, .. } => {
                Some(duration_value(field, durations::clamp(*seconds)))
            }
            // A JWT role's leeways take -1 for "no leeway at all" (0 is the default).
            ExprKind::Int(-1) if name.ends_with("_leeway") => Some(duration_value(field, -1)),
            ExprKind::Int(i) if *i < 0 => negative(
                expr,
                name,
                "a negative duration",
                if name.ends_with("_leeway") {
                    format!("write `{name} = -1` for no leeway, or a duration such as `30s`")
                } else {
                    format!("write a duration such as `{name} = 1h` (`30s`, `15m`, `7d`)")
                },
                diags,
            ),
            // Go's `time.Duration` of seconds, as a duration literal is bounded (lexer).
            ExprKind::Int(i) if *i > i64::MAX / 1_000_000_000 => {
                diags.push(
                    Diagnostic::error(
                        codes::INVALID_VALUE,
                        expr.span,
                        format!("`{name}` is out of range"),
                    )
                    .with_label("more seconds than a duration holds")
                    .with_help("durations are at most 9223372036s (about 292 years)"),
                );
                None
            }
            ExprKind::Int(i) => Some(duration_value(field, *i)),
            _ => fail(diags),
        },
        FieldType::List => match &expr.kind {
            ExprKind::List(items) => string_items(items, field, diags).map(Value::List),
            _ => fail(diags),
        },
        FieldType::CommaList => match &expr.kind {
            ExprKind::List(items) => string_items(items, field, diags).map(comma_joined),
            // Already the API's own form; its items are checked as a list's would be.
            ExprKind::Str { value, .. } => comma_string_items(expr, value, field, diags)
                .then(|| Value::Str(value.as_str().to_owned())),
            _ => fail(diags),
        },
        FieldType::Map => match &expr.kind {
            ExprKind::Map(entries) => {
                // The servers keep a map's values as text (`claim_mappings`, `meta`, ...):
                // `5` reads back as "5" and `true` as "1", a drift every plan shows, and
                // a nested map is refused. `bound_claims` (and SSH key lengths) also take
                // numbers, booleans and lists, but a nested map there fails every login
                // (OpenBao 2.7.2: "bound claim is not a string, bool, int or list").
                let scalars = matches!(name, "bound_claims" | "allowed_user_key_lengths");
                let before = diags.len();
                for e in entries {
                    let expected = match &e.value.kind {
                        ExprKind::Str { .. } | ExprKind::Env(_) => continue,
                        ExprKind::Map(_) if scalars => "a string, number, boolean or list",
                        _ if scalars => continue,
                        _ => "a string",
                    };
                    diags.push(mismatch_expected(
                        &e.value,
                        expected,
                        name,
                        Some(if scalars {
                            "write a string, a number, a boolean or a list of them".into()
                        } else {
                            format!("the values of `{name}` are text (the server turns `5` into \"5\"): write a string")
                        }),
                    ));
                }
                if diags.len() > before {
                    return None;
                }
                loose(expr, name, diags)
            }
            _ => fail(diags),
        },
        FieldType::Any => loose(expr, name, diags),
    }
}

/// Types `expr` as a value keyplan itself acts on when compiling (a KV mount's `version`,
/// `rotate_root`, a workload's `description`, a field of a fixed set of values), which
/// `env(...)`, read only when applying, cannot give: reported, where [`value`] would keep
/// it symbolic and the caller drop it.
pub fn known(expr: &Expr, field: &Field, diags: &mut Vec<Diagnostic>) -> Option<Value> {
    if !matches!(expr.kind, ExprKind::Env(_)) {
        return value(expr, field, diags);
    }
    let help = format!(
        "keyplan needs `{}` when compiling, and reads `env(...)` only when applying: write the value out",
        field.name
    );
    diags.push(mismatch_expected(
        expr,
        type_name(field.ty),
        &field.name,
        Some(help),
    ));
    None
}

/// Reports a negative value of a field that takes none; `None`.
fn negative(
    expr: &Expr,
    name: &str,
    what: &str,
    help: String,
    diags: &mut Vec<Diagnostic>,
) -> Option<Value> {
    diags.push(
        Diagnostic::error(
            codes::INVALID_VALUE,
            expr.span,
            format!("`{name}` cannot be negative"),
        )
        .with_label(what)
        .with_help(help),
    );
    None
}

/// `env("NAME")` as a symbolic value, when NAME is an environment variable name a shell
/// can read (`[A-Za-z_][A-Za-z0-9_]*`): the generated `apply.sh` expands it and the
/// applier reads it by that name, so any other text could never be set.
fn env_value(var: &StrLit, diags: &mut Vec<Diagnostic>) -> Option<Value> {
    let name = var.value.as_str();
    if is_env_name(name) {
        return Some(Value::Env(EnvRef {
            env: name.to_owned(),
        }));
    }
    let why = if name.is_empty() {
        "an empty name".to_string()
    } else if name.starts_with(|c: char| c.is_ascii_digit()) {
        "a name cannot start with a digit".to_string()
    } else {
        "only letters, digits and `_`".to_string()
    };
    // The name the user likely meant (`PG_PASSWORD` for `PG-PASSWORD`), also kept as the
    // value: the error stops the build, and checks of the value (a password given for
    // `rotate_root`) do not report it missing.
    let mut meant: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if !meant.starts_with(|c: char| c.is_ascii_alphabetic()) {
        meant.insert_str(0, "VAR_");
    }
    let meant = meant.trim_end_matches('_').to_string();
    diags.push(
        Diagnostic::error(
            codes::INVALID_VALUE,
            var.span,
            format!(
                "`env(\"{}\")` does not name an environment variable",
                kp_diag::escape_controls(name)
            ),
        )
        .with_label(why)
        .with_help(format!(
            "name the variable with letters, digits and `_`, not starting with a digit: `env(\"{meant}\")`"
        )),
    );
    Some(Value::Env(EnvRef { env: meant }))
}

/// Seconds in the field's API form: an integer, or `"<n>s"` where the server takes
/// only Go duration strings (`aws/config/lease`).
fn duration_value(field: &Field, seconds: i64) -> Value {
    if field.json_type == JsonType::String {
        Value::Str(format!("{seconds}s"))
    } else {
        Value::Int(seconds)
    }
}

/// Every item of a list as a string or an `env(...)`; `None` if any is neither, after
/// reporting each one.
fn string_items(items: &[Expr], field: &Field, diags: &mut Vec<Diagnostic>) -> Option<Vec<Value>> {
    let values: Vec<Option<Value>> = items
        .iter()
        .map(|item| string_item(item, field, diags))
        .collect();
    values.into_iter().collect()
}

/// A comma-separated field's items in API form: one string, joined now. The API takes
/// no list for these fields (OpenBao 2.7.2 answers 400, "expected type 'string'"), so
/// [`string_item`] allows no item read at apply time (`env(...)`) in one.
fn comma_joined(items: Vec<Value>) -> Value {
    let texts: Vec<&str> = items
        .iter()
        .map(|v| match v {
            Value::Str(s) => s.as_str(),
            _ => "",
        })
        .collect();
    Value::Str(texts.join(","))
}

/// One string element of a list field.
fn string_item(item: &Expr, field: &Field, diags: &mut Vec<Diagnostic>) -> Option<Value> {
    match &item.kind {
        ExprKind::Str { value, .. } => (check_allowed(field, value, item, diags)
            && no_comma_in_item(item, value, field, diags)
            && valid_cidr(item.span, value, field, diags)
            && valid_pem(item.span, value, field, diags))
        .then(|| Value::Str(value.as_str().to_owned())),
        ExprKind::Env(var) if field.ty != FieldType::CommaList => env_value(var, diags),
        // A comma-separated field's items are joined at compile time ([`comma_joined`]).
        ExprKind::Env(_) => {
            let name = &field.name;
            diags.push(mismatch_expected(
                item,
                "a string written out",
                name,
                Some(format!("read the whole list with `{name} = env(\"...\")`")),
            ));
            None
        }
        _ => {
            diags.push(mismatch(item, FieldType::String, &field.name));
            None
        }
    }
}

/// An item of a list the API takes as one comma-separated string (`allowed_users`):
/// a comma inside it would split it into several on the server, silently. `false`
/// after reporting it.
pub fn no_comma_in_item(
    item: &Expr,
    value: &str,
    field: &Field,
    diags: &mut Vec<Diagnostic>,
) -> bool {
    if field.ty != FieldType::CommaList || !value.contains(',') {
        return true;
    }
    let parts: Vec<&str> = value.split(',').collect();
    let quoted = quoted_items(parts.iter().map(|p| p.trim()));
    diags.push(
        Diagnostic::error(
            codes::INVALID_VALUE,
            item.span,
            format!(
                "`{}` is sent as one comma-separated string: the server would read this item as {} items",
                field.name,
                parts.len()
            ),
        )
        .with_label("a comma inside an item")
        .with_help(format!("write each item as its own string: {quoted}")),
    );
    false
}

/// `"a", "b"`: items as the strings of a list.
fn quoted_items<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let mut quoted = String::new();
    for item in items {
        if !quoted.is_empty() {
            quoted.push_str(", ");
        }
        quoted.push_str(&kp_diag::quoted(item));
    }
    quoted
}

/// The items of a comma-list field written as one string, each checked as a list item
/// is; each reported at its own place in the string when the literal's text is its value
/// (no escapes), otherwise at the string. `false` after reporting any.
fn comma_string_items(
    expr: &Expr,
    value: &str,
    field: &Field,
    diags: &mut Vec<Diagnostic>,
) -> bool {
    // `"` + value + `"`: then an item's offset in the value is its offset in the source.
    let verbatim = expr.span.end - expr.span.start == value.len() + 2;
    let mut ok = true;
    let mut from = 0;
    for part in value.split(',') {
        let start = from + (part.len() - part.trim_start().len());
        from += part.len() + 1;
        let item = part.trim();
        if item.is_empty() {
            continue;
        }
        let span = if verbatim {
            let at = expr.span.start + 1 + start;
            kp_diag::Span::new(at, at + item.len())
        } else {
            expr.span
        };
        ok &= check_allowed(field, item, expr, diags) && valid_cidr(span, item, field, diags);
    }
    ok
}

/// An item of an address-block field (`*_cidrs`, `cidr_list`): `ADDRESS/BITS`, which the
/// servers parse with Go's `net.ParseCIDR` and refuse otherwise; `token_bound_cidrs` (and
/// its old name `bound_cidrs`) also takes one address. `false` after reporting it.
fn valid_cidr(at: kp_diag::Span, value: &str, field: &Field, diags: &mut Vec<Diagnostic>) -> bool {
    let name = field.name.as_str();
    if !name.contains("cidr") {
        return true;
    }
    let (address, bits) = match value.split_once('/') {
        Some((address, bits)) => (address, Some(bits)),
        None => (value, None),
    };
    let max = crate::address::max_prefix(address);
    let valid = max.is_some_and(|max| match bits {
        Some(bits) => {
            bits.bytes().all(|b| b.is_ascii_digit())
                && bits.parse::<u8>().is_ok_and(|bits| bits <= max)
        }
        None => name == "token_bound_cidrs" || name == "bound_cidrs",
    });
    if !valid {
        diags.push(
            Diagnostic::error(
                codes::INVALID_VALUE,
                at,
                format!("invalid address block `{}` for `{name}`", kp_diag::escape_controls(value)),
            )
            .with_label("not an IPv4 or IPv6 CIDR block")
            .with_help("write an address and a prefix length, e.g. `10.0.0.0/16` (at most /32) or `fd00::/8` (at most /128); `token_bound_cidrs` also takes one address"),
        );
    }
    valid
}

/// The text of a certificate or public-key field ([`crate::pem`]): a block the server
/// can read. `false` after reporting it.
fn valid_pem(at: kp_diag::Span, value: &str, field: &Field, diags: &mut Vec<Diagnostic>) -> bool {
    let name = field.name.as_str();
    let Some(holds) = crate::pem::field(name) else {
        return true;
    };
    // Empty is unset: the server keeps no value (and the lints see none).
    if value.is_empty() {
        return true;
    }
    let Some(why) = crate::pem::problem(value, holds) else {
        return true;
    };
    let (what, help) = match holds {
        crate::pem::Holds::Certificate => (
            "a PEM certificate",
            "write the certificate: `-----BEGIN CERTIFICATE-----`, lines of base64, `-----END CERTIFICATE-----`",
        ),
        crate::pem::Holds::PublicKey => (
            "a PEM public key or certificate",
            "write the key: `-----BEGIN PUBLIC KEY-----`, lines of base64, `-----END PUBLIC KEY-----`",
        ),
    };
    // A file's name where its text belongs.
    let help = if value.contains('\n') || value.contains("-----") {
        help
    } else {
        crate::PEM_FILE_HELP
    };
    diags.push(
        Diagnostic::error(
            codes::INVALID_VALUE,
            at,
            format!("`{name}` is not {what} the server can read"),
        )
        .with_label(why)
        .with_help(help),
    );
    false
}

/// OpenBao's userpass `password_hash`: a bcrypt hash the server can read
/// ([`crate::bcrypt`]). The label says what is wrong, never the text (a secret).
fn valid_bcrypt(
    at: kp_diag::Span,
    value: &str,
    field: &Field,
    diags: &mut Vec<Diagnostic>,
) -> bool {
    if field.name != "password_hash" || value.is_empty() {
        return true;
    }
    let Some(why) = crate::bcrypt::problem(value) else {
        return true;
    };
    diags.push(
        Diagnostic::error(
            codes::INVALID_VALUE,
            at,
            "`password_hash` is not a bcrypt hash the server can read",
        )
        .with_label(why)
        .with_help(
            "write the user's bcrypt hash (`htpasswd -bnBC 10 \"\" PASSWORD | tr -d ':\\n'`), \
             or its password as `password = env(\"...\")`",
        ),
    );
    false
}

/// A value of a map or free-form field: any literal, structurally.
pub fn loose(expr: &Expr, field: &str, diags: &mut Vec<Diagnostic>) -> Option<Value> {
    match &expr.kind {
        ExprKind::Str { value, .. } => Some(Value::Str(value.as_str().to_owned())),
        ExprKind::Int(i) => Some(Value::Int(*i)),
        ExprKind::Bool(b) => Some(Value::Bool(*b)),
        ExprKind::Duration { seconds, .. } => Some(Value::Int(durations::clamp(*seconds))),
        ExprKind::Env(var) => env_value(var, diags),
        ExprKind::List(items) => {
            let values: Vec<Option<Value>> = items.iter().map(|i| loose(i, field, diags)).collect();
            values
                .into_iter()
                .collect::<Option<Vec<_>>>()
                .map(Value::List)
        }
        ExprKind::Map(entries) => {
            let mut map = crate::ir::Body::with_capacity(entries.len());
            let mut ok = true;
            for (i, entry) in entries.iter().enumerate() {
                // Maps are a few entries: a scan of the earlier keys, not a map of them.
                let earlier = entries.get(..i).unwrap_or_default();
                if let Some(first) = earlier.iter().find(|e| e.key.name == entry.key.name) {
                    let first = first.key.span;
                    diags.push(
                        Diagnostic::error(
                            codes::DUPLICATE,
                            entry.key.span,
                            format!("duplicate key `{}`", entry.key.name),
                        )
                        .with_label("set again here")
                        .with_related(first, "first set here"),
                    );
                    ok = false;
                    continue;
                }
                match loose(&entry.value, field, diags) {
                    Some(v) => {
                        map.insert(entry.key.name.as_str().to_owned(), v);
                    }
                    None => ok = false,
                }
            }
            ok.then_some(Value::Map(map))
        }
        ExprKind::Ident(n) => {
            diags.push(mismatch_expected(
                expr,
                "a string",
                field,
                Some(format!("write `\"{n}\"`: bare names are references")),
            ));
            None
        }
        ExprKind::Path(_) => {
            diags.push(mismatch(expr, FieldType::String, field));
            None
        }
    }
}
