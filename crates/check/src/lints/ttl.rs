//! A TTL above the maximum bounding it: the server refuses the write, or caps the TTL
//! without saying so (which one depends on the endpoint: see [`what_server_does`]).

use kp_diag::Diagnostic;
use kp_syntax::ast::Attribute;

use crate::catalog::TTL_PAIRS;

/// Every name of [`TTL_PAIRS`], once.
const TTL_NAMES: [&str; 11] = [
    "default_sts_ttl",
    "max_sts_ttl",
    "token_ttl",
    "token_max_ttl",
    "token_explicit_max_ttl",
    "ttl",
    "max_ttl",
    "default_ttl",
    "default_lease_ttl",
    "max_lease_ttl",
    "explicit_max_ttl",
];
use crate::codes;
use crate::durations;

/// Each pair of [`TTL_PAIRS`] as positions in [`TTL_NAMES`], found at compile time: the
/// pairs are looked up in every body, and by name that was a string comparison each.
const PAIR_SLOTS: [(usize, usize); TTL_PAIRS.len()] = {
    let mut out = [(0, 0); TTL_PAIRS.len()];
    let mut i = 0;
    while i < TTL_PAIRS.len() {
        out[i] = (slot(TTL_PAIRS[i].0), slot(TTL_PAIRS[i].1));
        i += 1;
    }
    out
};

/// The position of `name` in [`TTL_NAMES`] (past its end when missing, which a test
/// rules out).
const fn slot(name: &str) -> usize {
    let mut i = 0;
    while i < TTL_NAMES.len() {
        if same(TTL_NAMES[i].as_bytes(), name.as_bytes()) {
            return i;
        }
        i += 1;
    }
    TTL_NAMES.len()
}

const fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// What the server does with `small` above `large` on `endpoint` (`mount` for a mount's
/// options), each measured on OpenBao 2.7.2 except the AWS engine (Vault's
/// `builtin/logical/aws/path_roles.go`).
fn what_server_does(endpoint: &str, small: &str, large: &str) -> &'static str {
    match (endpoint, small, large) {
        // "given default lease TTL greater than given max lease TTL"
        ("mount", ..) => "the server refuses the mount",
        (_, _, "max_sts_ttl") => "the server refuses the role",
        // The login roles' shared token fields (`sdk/helper/tokenutil`): "'token_ttl'
        // cannot be greater than 'token_max_ttl'". A token role takes it and caps.
        (e, "token_ttl", "token_max_ttl") if e != "token-role" => "the server refuses the role",
        // "\"ttl\" value must be less than \"max_ttl\" when both are specified" (a CA
        // role; an OTP role's TTL is capped).
        ("ssh-role", "ttl", "max_ttl") => "the server refuses a CA role and caps an OTP role's",
        _ => "the server would cap it without saying so",
    }
}

/// `known` tells whether a field exists on `endpoint`: an unknown one is already
/// reported, and comparing it would only add a second error on the same line.
pub fn check(
    endpoint: &str,
    attrs: &[&Attribute],
    known: impl Fn(&str) -> bool,
    diags: &mut Vec<Diagnostic>,
) {
    // One pass over the attributes for the names of every pair (the first of each
    // name), not a scan per name: every body of a program comes here.
    let mut found: [Option<&Attribute>; TTL_NAMES.len()] = [None; TTL_NAMES.len()];
    for &a in attrs {
        let name = a.name.name.as_str();
        if !name.ends_with("ttl") {
            continue;
        }
        if let Some(slot) = TTL_NAMES
            .iter()
            .position(|n| *n == name)
            .and_then(|i| found.get_mut(i))
        {
            if slot.is_none() {
                *slot = Some(a);
            }
        }
    }
    let find = |slot: usize| {
        found
            .get(slot)
            .copied()
            .flatten()
            .filter(|a| known(&a.name.name))
    };
    // A TTL over two of its maximums (`token_ttl` over `token_max_ttl` and
    // `token_explicit_max_ttl`) is reported once, against the first pair.
    let mut reported = [false; TTL_NAMES.len()];
    for ((small, large), (small_slot, large_slot)) in TTL_PAIRS.into_iter().zip(PAIR_SLOTS) {
        let (Some(s), Some(l)) = (find(small_slot), find(large_slot)) else {
            continue;
        };
        if reported.get(small_slot).copied().unwrap_or(false) {
            continue;
        }
        let (Some(sv), Some(lv)) = (
            durations::literal_seconds(&s.value),
            durations::literal_seconds(&l.value),
        ) else {
            continue;
        };
        // 0 means "the system default": no bound to compare against.
        if lv <= 0 || sv <= lv {
            continue;
        }
        if let Some(r) = reported.get_mut(small_slot) {
            *r = true;
        }
        diags.push(exceeds(
            (small, sv, s.value.span),
            (large, lv, l.value.span),
            what_server_does(endpoint, small, large),
        ));
    }
    // A login role's periodic tokens live for `token_period`: the server ignores its
    // `token_ttl` (framework.CalculateTTL takes the period as the TTL).
    let period = attrs.iter().find(|a| a.name.name == "token_period");
    if let (Some(t), Some(p)) = (
        find(slot("token_ttl")),
        period.filter(|p| known(&p.name.name)),
    ) {
        if let (Some(tv), Some(pv)) = (
            durations::literal_seconds(&t.value),
            durations::literal_seconds(&p.value),
        ) {
            if pv > 0 && tv != pv {
                diags.push(
                    Diagnostic::warning(
                        codes::TTL_OVERRIDDEN_BY_PERIOD,
                        t.value.span,
                        format!(
                            "`token_ttl` is ignored: periodic tokens live for their period ({})",
                            durations::format(pv)
                        ),
                    )
                    .with_label("the server ignores this")
                    .with_related(p.value.span, "the period decides")
                    .with_help("remove `token_ttl` (tokens are renewed every `token_period`), or remove `token_period`"),
                );
            }
        }
    }
}

fn exceeds(
    (small, sv, at): (&str, i64, kp_diag::Span),
    (large, lv, max_at): (&str, i64, kp_diag::Span),
    what: &str,
) -> Diagnostic {
    Diagnostic::error(
        codes::TTL_EXCEEDS_MAX,
        at,
        format!(
            "`{small}` ({}) exceeds `{large}` ({})",
            durations::format(sv),
            durations::format(lv)
        ),
    )
    .with_label("larger than the maximum")
    .with_related(max_at, "the maximum")
    .with_help(format!("lower `{small}` or raise `{large}`: {what}"))
}

/// A login role's token lifetimes, or a database role's lease TTLs, over its mount's
/// `max_lease_ttl`: the server takes the role and caps every token or lease at the
/// mount's maximum (measured on OpenBao 2.7.2: `token_ttl`, `token_period`,
/// `token_max_ttl`, which it warns of, and a database role's `default_ttl`). An SSH
/// role's `max_ttl` overrides the mount's instead.
pub fn over_mount(
    endpoint: &str,
    attrs: &[&Attribute],
    (max, max_at): (i64, kp_diag::Span),
    known: impl Fn(&str) -> bool,
    diags: &mut Vec<Diagnostic>,
) {
    // An SSH role's `max_ttl` replaces the mount's maximum for its certificates (measured:
    // `ttl = 20h` under `max_lease_ttl = 10h` signs 10h certificates, 20h ones beside
    // `max_ttl = 30h`).
    let own_max = || attrs.iter().any(|a| a.name.name == "max_ttl");
    let capped = |name: &str| match endpoint {
        "database-role" => matches!(name, "default_ttl" | "max_ttl"),
        "ssh-role" => name == "ttl" && !own_max(),
        _ => matches!(
            name,
            "token_ttl" | "token_max_ttl" | "token_explicit_max_ttl" | "token_period"
        ),
    };
    for a in attrs {
        let name = a.name.name.as_str();
        let Some(v) = durations::literal_seconds(&a.value).filter(|_| capped(name) && known(name))
        else {
            continue;
        };
        // Over its own maximum too: that error stands for both.
        if max > 0 && v > max && !diags.iter().any(|d| d.span == a.value.span) {
            diags.push(exceeds(
                (name, v, a.value.span),
                ("max_lease_ttl", max, max_at),
                "the server caps them at the mount's maximum",
            ));
        }
    }
}

/// The server's system maximum lease TTL when its configuration does not set
/// `max_lease_ttl`: 768h (32 days) on Vault and OpenBao alike (OpenBao 2.7.2 reads
/// `sys/auth/token/tune` as `max_lease_ttl 768h`, and refuses a default over it with
/// "given default lease TTL greater than system max lease TTL of 2764800").
pub const SYSTEM_MAX_LEASE_TTL: i64 = 768 * 3600;

/// A TTL over the server's default system maximum ([`SYSTEM_MAX_LEASE_TTL`]) where no
/// `max_lease_ttl` of the program bounds it: a warning, since a server's configuration
/// may raise its maximum. `help` says how to avoid it and what the server does.
pub fn over_system_max(attr: &Attribute, help: &'static str, diags: &mut Vec<Diagnostic>) {
    let Some(v) = durations::literal_seconds(&attr.value) else {
        return;
    };
    if v <= SYSTEM_MAX_LEASE_TTL || diags.iter().any(|d| d.span == attr.value.span) {
        return;
    }
    diags.push(
        Diagnostic::warning(
            codes::TTL_OVER_SYSTEM_MAX,
            attr.value.span,
            format!(
                "`{}` ({}) exceeds the server's maximum lease TTL (768h unless its configuration raises `max_lease_ttl`)",
                attr.name.name,
                durations::format(v),
            ),
        )
        .with_label("over the server's maximum")
        .with_help(help),
    );
}

/// How to avoid a field of `endpoint` over the system maximum where the mount has no
/// `max_lease_ttl` (`None`: the server does not cap that field at it). Measured on
/// OpenBao 2.7.2: a login's token gets at most 768h of `token_ttl` or `token_period`
/// (a token role's `token_period` too), a database lease at most 768h of the role's
/// `default_ttl`, and a renewal stops at 768h whatever the role's `max_ttl`, or a login
/// role's `token_max_ttl` or `token_explicit_max_ttl`; a token role's explicit maximum
/// over it is written with a warning; an SSH role's certificates are signed for 768h at
/// most unless the role has a `max_ttl`.
pub fn system_max_help(endpoint: &str, field: &str) -> Option<&'static str> {
    Some(match (endpoint, field) {
        ("database-role", "default_ttl" | "max_ttl") => {
            "lower it, or give the mount a `max_lease_ttl` at least as long: the server caps every lease of the role at its maximum"
        }
        ("database-role", _) => return None,
        ("token-role", "token_period" | "period") => {
            "lower the period: the server caps the period of every token of the role at its maximum"
        }
        // "Given explicit max TTL of 3600000 is greater than system/mount allowed value
        // of 2764800 seconds; until this is fixed attempting to create tokens against
        // this role will result in an error" (OpenBao 2.7.2 issued them all the same,
        // each living the whole 1000h).
        ("token-role", "token_explicit_max_ttl" | "explicit_max_ttl") => {
            "lower it to 768h or less: the server warns when the role is written that creating tokens against it will fail until it is"
        }
        ("token-role", _) => return None,
        // A role with a `max_ttl` of its own is bounded by that instead.
        ("ssh-role", "ttl") => {
            "lower `ttl`, or give the role a `max_ttl` (or the mount a `max_lease_ttl`) at least as long: the server signs every certificate of the role for its maximum at most"
        }
        ("ssh-role", _) => return None,
        (_, "token_ttl") => {
            "lower `token_ttl`, or give the mount a `max_lease_ttl` at least as long: the server caps every token of a login at it"
        }
        (_, "token_period") => {
            "lower `token_period`, or give the mount a `max_lease_ttl` at least as long: the server caps the period of every token of a login at it"
        }
        // "token_max_ttl is greater than the backend mount's maximum TTL value; issued
        // tokens' max TTL value will be truncated": a renewal stops at 768h.
        (_, "token_max_ttl" | "token_explicit_max_ttl") => {
            "lower it, or give the mount a `max_lease_ttl` at least as long: the server truncates the maximum TTL of every token of a login to it (renewals stop there)"
        }
        _ => return None,
    })
}

/// A mount's `default_lease_ttl` over the system maximum with no `max_lease_ttl` of its
/// own (or `0`, the system's): the server refuses the mount (OpenBao 2.7.2, both
/// `sys/mounts` and `sys/auth`). With a `max_lease_ttl` it is that one that bounds it.
pub fn mount_over_system_max(attrs: &[&Attribute], diags: &mut Vec<Diagnostic>) {
    let max = attrs.iter().find(|a| a.name.name == "max_lease_ttl");
    if max.is_some_and(|m| durations::literal_seconds(&m.value).is_none_or(|v| v > 0)) {
        return;
    }
    if let Some(default) = attrs.iter().find(|a| a.name.name == "default_lease_ttl") {
        over_system_max(
            default,
            "lower `default_lease_ttl`, or give the mount a `max_lease_ttl` at least as long: the server refuses the mount",
            diags,
        );
    }
}

/// STS lifetimes on an AWS role that issues IAM users: Vault refuses the role
/// ("max_sts_ttl parameter only valid for assumed_role and federation_token credential
/// types", builtin/logical/aws/path_roles.go).
pub fn sts_on_iam_user(parts: &crate::body::Parts<'_>, diags: &mut Vec<Diagnostic>) {
    let iam_user = parts.get("credential_type").is_some_and(|a| {
        matches!(&a.value.kind, kp_syntax::ast::ExprKind::Str { value, .. } if value.as_str() == "iam_user")
    });
    for name in ["default_sts_ttl", "max_sts_ttl"] {
        if let Some(attr) = parts.get(name).filter(|_| iam_user) {
            diags.push(
                Diagnostic::error(
                    codes::INVALID_VALUE,
                    attr.name.span,
                    format!("`{name}` is only for `assumed_role` and `federation_token` roles"),
                )
                .with_label("on an `iam_user` role")
                .with_help(format!(
                    "remove `{name}`: the server refuses it with `credential_type = \"iam_user\"`"
                )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pair_has_its_names_slots() {
        for ((small, large), (s, l)) in TTL_PAIRS.into_iter().zip(PAIR_SLOTS) {
            assert_eq!(TTL_NAMES.get(s), Some(&small));
            assert_eq!(TTL_NAMES.get(l), Some(&large));
        }
    }

    fn ttl_errors(src: &str) -> Vec<String> {
        let parsed = kp_syntax::parse(src);
        let checked = crate::check(&parsed.file, &crate::Options::default());
        checked
            .diagnostics
            .iter()
            .filter(|d| d.code == codes::TTL_EXCEEDS_MAX)
            .map(|d| d.message.clone())
            .collect()
    }

    #[test]
    fn token_ttl_over_the_explicit_max_is_reported_once() {
        let got = ttl_errors(
            r#"
            auth approle {
              role over-explicit {
                token_ttl              = 2h
                token_explicit_max_ttl = 1h
              }
              role over-both {
                token_ttl              = 2h
                token_max_ttl          = 1h
                token_explicit_max_ttl = 1h
              }
              role under {
                token_ttl              = 1h
                token_explicit_max_ttl = 1h
              }
              role unbounded {
                token_ttl              = 2h
                token_explicit_max_ttl = 0
              }
            }
            "#,
        );
        assert_eq!(
            got,
            [
                "`token_ttl` (2h) exceeds `token_explicit_max_ttl` (1h)",
                "`token_ttl` (2h) exceeds `token_max_ttl` (1h)",
            ]
        );
    }
}
