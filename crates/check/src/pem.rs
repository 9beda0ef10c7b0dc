//! PEM text in the fields that hold certificates and public keys, read as the servers
//! read it (Go's `encoding/pem`, then `x509`): a value none of whose blocks they can use
//! is refused when written (OpenBao 2.7.2: `failed to parse certificate`, `data does not
//! contain any valid public keys`, `error checking jwks_ca_pem`), or, for
//! `kubernetes_ca_cert`, stored and then fails every login's TLS to the cluster.

/// What a field's PEM must hold.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Holds {
    /// A `CERTIFICATE` block: a CA the server verifies with.
    Certificate,
    /// A public key, or a certificate to take it from: any block type.
    PublicKey,
}

/// The PEM fields of the auth methods' endpoints (no other endpoint has a field of these
/// names).
pub(crate) fn field(name: &str) -> Option<Holds> {
    match name {
        "certificate" | "jwks_ca_pem" | "oidc_discovery_ca_pem" | "kubernetes_ca_cert" => {
            Some(Holds::Certificate)
        }
        "jwt_validation_pubkeys" | "pem_keys" => Some(Holds::PublicKey),
        _ => None,
    }
}

/// Why no block of `text` is one the server can use, or `None` when one is.
pub(crate) fn problem(text: &str, holds: Holds) -> Option<&'static str> {
    let mut found = None;
    let mut rest = text;
    while let Some(after) = after_begin(rest) {
        // A block the server cannot read is passed over: the search goes on from the
        // line after its `-----BEGIN` (Go's `pem.Decode`), whatever follows.
        let (line, next) = after.split_once('\n').unwrap_or((after, ""));
        rest = next;
        let Some(label) = line.trim_end().strip_suffix("-----") else {
            found.get_or_insert("the `-----BEGIN` line does not end with `-----`");
            continue;
        };
        // The body, up to `-----END LABEL-----`.
        let end = next.match_indices("-----END ").find_map(|(stop, _)| {
            let tail = next.get(stop + 9..)?.strip_prefix(label)?;
            tail.starts_with("-----")
                .then(|| next.get(..stop))
                .flatten()
        });
        let Some(inner) = end else {
            found.get_or_insert("a `-----BEGIN` line without its `-----END` line");
            continue;
        };
        let why = match der(inner) {
            None if holds == Holds::PublicKey || label.ends_with("CERTIFICATE") => return None,
            None => "a block that is not a `CERTIFICATE`",
            Some(why) => why,
        };
        found.get_or_insert(why);
    }
    Some(found.unwrap_or("no `-----BEGIN ...-----` line"))
}

/// What follows the next `-----BEGIN ` at the start of a line.
fn after_begin(text: &str) -> Option<&str> {
    text.strip_prefix("-----BEGIN ")
        .or_else(|| Some(text.split_once("\n-----BEGIN ")?.1))
}

/// Why a block's body is not standard base64 with its padding (blanks and line breaks
/// between) of DER, which starts with a SEQUENCE; `None` when it is.
fn der(body: &str) -> Option<&'static str> {
    let (mut count, mut padding, mut first) = (0, 0, [0u8; 2]);
    for b in body.bytes() {
        if matches!(b, b' ' | b'\t' | b'\r' | b'\n') {
            continue;
        }
        let digit = b.is_ascii_alphanumeric() || b == b'+' || b == b'/';
        if (b != b'=' && !(digit && padding == 0)) || (b == b'=' && padding == 2) {
            return Some("a block whose body is not base64");
        }
        padding += usize::from(b == b'=');
        if let Some(slot) = first.get_mut(count) {
            *slot = b;
        }
        count += 1;
    }
    if count == 0 || !count.is_multiple_of(4) {
        return Some("a block whose body is not base64");
    }
    // 0x30, the SEQUENCE every certificate and key is: six bits in `M`, two in the next.
    (first[0] != b'M' || !(b'A'..=b'P').contains(&first[1]))
        .then_some("a block that holds no certificate or key")
}

#[cfg(test)]
mod tests {
    use super::*;

    const CERT: &str =
        "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n+Abc/d==\n-----END CERTIFICATE-----\n";

    #[test]
    fn a_certificate_block_is_read_where_text_surrounds_it() {
        assert_eq!(problem(CERT, Holds::Certificate), None);
        let commented = format!("# the CI CA\n{CERT}trailing words\n");
        assert_eq!(problem(&commented, Holds::Certificate), None);
        let key = CERT.replace("CERTIFICATE", "PUBLIC KEY");
        assert_eq!(problem(&key, Holds::PublicKey), None);
        assert_eq!(problem(CERT, Holds::PublicKey), None);
        // An EC P-256 key is a short SEQUENCE (0x30 0x59).
        let ec = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----";
        assert_eq!(problem(ec, Holds::PublicKey), None);
    }

    #[test]
    fn what_the_server_cannot_read_says_why() {
        let cases = [
            ("ca.pem", "no `-----BEGIN ...-----` line"),
            ("", "no `-----BEGIN ...-----` line"),
            (
                "x -----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
                "no `-----BEGIN ...-----` line",
            ),
            (
                "-----BEGIN CERTIFICATE-----\nMIIB\n",
                "a `-----BEGIN` line without its `-----END` line",
            ),
            (
                "-----BEGIN CERTIFICATE\nMIIB",
                "the `-----BEGIN` line does not end with `-----`",
            ),
            (
                "-----BEGIN CERTIFICATE-----\nMI!B\n-----END CERTIFICATE-----",
                "a block whose body is not base64",
            ),
            (
                "-----BEGIN CERTIFICATE-----\nMIIBa\n-----END CERTIFICATE-----",
                "a block whose body is not base64",
            ),
            (
                "-----BEGIN CERTIFICATE-----\n\n-----END CERTIFICATE-----",
                "a block whose body is not base64",
            ),
            (
                "-----BEGIN CERTIFICATE-----\naGVsbG8=\n-----END CERTIFICATE-----",
                "a block that holds no certificate or key",
            ),
            (
                "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----",
                "a block that is not a `CERTIFICATE`",
            ),
        ];
        for (text, why) in cases {
            assert_eq!(problem(text, Holds::Certificate), Some(why), "{text:?}");
        }
        // The first block's problem is the one told, and a later good block is enough.
        let bad_then_good =
            format!("-----BEGIN CERTIFICATE-----\n!!\n-----END CERTIFICATE-----\n{CERT}");
        assert_eq!(problem(&bad_then_good, Holds::Certificate), None);
    }

    proptest::proptest! {
        /// Any text of PEM's pieces reads without a panic, and a good block after it is
        /// still found (the server reads past what it cannot use).
        #[test]
        fn pieces_of_pem_read_without_panic(pieces in proptest::collection::vec(0usize..13, 0..40)) {
            const PIECES: [&str; 13] = [
                "-----BEGIN ", "-----END ", "CERTIFICATE", "PUBLIC KEY", "-----", "\n",
                "MI", "IB", "=", " ", "é", "x", "\r\n",
            ];
            let text: String = pieces.iter().map(|&i| PIECES[i]).collect();
            let _ = problem(&text, Holds::Certificate);
            let _ = problem(&text, Holds::PublicKey);
            let then_good = format!("{text}\n{CERT}");
            proptest::prop_assert_eq!(problem(&then_good, Holds::PublicKey), None);
        }
    }
}
