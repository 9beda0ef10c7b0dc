//! OpenBao's userpass `password_hash`: a bcrypt hash, which the server reads with Go's
//! `bcrypt.Cost` before storing the user ("password_hash is not a valid bcrypt hash",
//! OpenBao 2.7.2). Its reading, byte for byte (`golang.org/x/crypto/bcrypt`
//! `newFromHash`): at least 59 bytes; `$`; a major version no later than `2`; an optional
//! minor version letter; `$`; a two-digit cost from 4 to 31. The salt and hash after it
//! are not decoded there (the server took `!` inside them).

/// What keeps the server from reading `hash` as a bcrypt hash, or `None`.
pub(crate) fn problem(hash: &str) -> Option<String> {
    const MIN_LEN: usize = 59;
    let b = hash.as_bytes();
    if b.len() < MIN_LEN {
        return Some(format!(
            "{} characters: a bcrypt hash has 60 (`$2b$`, a cost such as `10`, `$`, 53 more)",
            hash.chars().count()
        ));
    }
    let (Some(b'$'), Some(&major)) = (b.first(), b.get(1)) else {
        return Some("a bcrypt hash starts with `$2a$`, `$2b$` or `$2y$`".into());
    };
    if major > b'2' {
        return Some("a bcrypt hash starts with `$2a$`, `$2b$` or `$2y$`".into());
    }
    let at = if b.get(2) == Some(&b'$') { 3 } else { 4 };
    let cost = b
        .get(at..at + 2)
        .and_then(|c| std::str::from_utf8(c).ok())
        .and_then(go_atoi);
    match cost {
        None => Some("no cost after the version (`$2b$10$...`: two digits)".into()),
        Some(c) if !(4..=31).contains(&c) => Some(format!("cost {c}: bcrypt's cost is 4 to 31")),
        Some(_) => None,
    }
}

/// Go's `strconv.Atoi` of a short text: an optional sign, then ASCII digits only.
fn go_atoi(text: &str) -> Option<i64> {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|d| d.is_ascii_digit()) {
        return None;
    }
    let n: i64 = digits.parse().ok()?;
    Some(if text.starts_with('-') { -n } else { n })
}

#[cfg(test)]
mod tests {
    use super::problem;

    /// Each one as OpenBao 2.7.2 took or refused it (`bao write auth/userpass/users/u
    /// password_hash=...`).
    #[test]
    fn hashes_are_read_as_the_server_reads_them() {
        let good = "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy";
        assert_eq!(problem(good), None);
        // Accepted by the server: any minor letter, a byte bcrypt's base64 lacks, more.
        assert_eq!(problem(&good.replace("$2a$", "$2x$")), None);
        assert_eq!(problem(&good.replace("Myei", "My!I")), None);
        assert_eq!(problem(&format!("{good}XX")), None);
        // Refused.
        assert!(problem("notbcrypt").unwrap().starts_with("9 characters"));
        assert!(problem("$2a$10$abcdefghijklmnopqrstuu").is_some());
        assert!(problem(&good.replace("$10$", "$03$"))
            .unwrap()
            .contains("cost 3"));
        assert!(problem(&good.replace("$2a$10", "$2$10")[..58]).is_some());
        assert!(problem(&good.replace("$2a$", "$3a$")).is_some());
        assert!(problem(&good.replace("$2a$", "x2a$")).is_some());
        assert!(problem(&good.replace("$10$", "$1x$"))
            .unwrap()
            .starts_with("no cost"));
        assert!(problem(&good.replace("$10$", "$32$"))
            .unwrap()
            .contains("cost 32"));
        // Multi-byte text neither panics nor passes.
        assert!(problem(&"é".repeat(40)).is_some());
        assert!(problem(&format!("$2a$1é{}", &good[7..])).is_some());
    }
}
