//! An SSH engine's CA as the language writes it. The server keeps the public key and
//! never says whether it generated the pair or was given it; a generated one is by far
//! the common case, and its private key cannot be read, so a CA is imported as
//! `generate_signing_key = true` with the key type and size read from the public key
//! (`private_key = env(...)` would ask for a key nobody has).

use serde_json::Value as Json;

use crate::text::quote;

/// The attributes of `ca { }` for the CA whose public key the server returns.
pub fn ca_attrs(data: &Json) -> Option<Vec<(String, String)>> {
    let public = data["public_key"]
        .as_str()
        .filter(|k| !k.trim().is_empty())?;
    let mut out = vec![("generate_signing_key".to_string(), "true".to_string())];
    let mut parts = public.split_whitespace();
    let algorithm = parts.next()?;
    match algorithm {
        // The schema's default key type; 4096 bits when `key_bits` is 0.
        "ssh-rsa" => {
            if let Some(bits) = parts.next().and_then(rsa_bits).filter(|b| *b != 4096) {
                out.push(("key_bits".into(), bits.to_string()));
            }
        }
        other => out.push(("key_type".into(), quote(other))),
    }
    Some(out)
}

/// The modulus size of an `ssh-rsa` public key blob (RFC 4253: string, mpint e, mpint n).
fn rsa_bits(b64: &str) -> Option<usize> {
    let blob = base64(b64)?;
    let mut rest = blob.as_slice();
    let mut field = || -> Option<&[u8]> {
        let len = u32::from_be_bytes(rest.get(..4)?.try_into().ok()?) as usize;
        let value = rest.get(4..4 + len)?;
        rest = rest.get(4 + len..)?;
        Some(value)
    };
    let _name = field()?;
    let _e = field()?;
    let n = field()?;
    let significant = n.iter().skip_while(|b| **b == 0).count();
    Some(significant * 8)
}

fn base64(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes().filter(|c| *c != b'=') {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn generated_cas_by_algorithm_and_size() {
        // A 2048-bit RSA key as OpenBao 2.7.2 generated it (`key_bits = 2048`).
        let rsa2048 = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQCuCA30geYfrm0rF1mCQ50qxemAHc/qzq9mQvIVa26l8VbwylDQdXDjNJ71VrbT5GQW9fzSxYgvACvWjI+REEWA0NWSTtvyT8suTEE9hdk8+JpDFFoLWfVBdV95HhTM7rwf3ngvfbAU8HXrTbh0ZqQeGfxwmDfNGZxOtYNF1xzO8brVM/6u32ISTOqdcw5h2cYx8FFFp0+58rHW5Te8gauZCQgwKJXlzdr3Wuj7OWAFntxKsRLE7TyjcUYv+mRc3JVXvImj/SUlnhrtvW0637bDvVD8aI6/UW1r5X98MiuJLsj355FvRw0JJdX3jTKLFZ8491EmkUGavMG0NVEWXEKB\n";
        assert_eq!(
            ca_attrs(&json!({ "public_key": rsa2048 })),
            Some(vec![
                ("generate_signing_key".into(), "true".into()),
                ("key_bits".into(), "2048".into())
            ])
        );
        let ed =
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJF7+Tled1rJ+vlH6LSZvK0x0V3n8DBrOQXbOn55DVh8\n";
        assert_eq!(
            ca_attrs(&json!({ "public_key": ed })),
            Some(vec![
                ("generate_signing_key".into(), "true".into()),
                ("key_type".into(), "\"ssh-ed25519\"".into())
            ])
        );
        assert_eq!(ca_attrs(&json!({ "public_key": "" })), None);
        assert_eq!(rsa_bits("not base64!"), None);
        assert_eq!(rsa_bits("AAAA"), None);
    }
}
