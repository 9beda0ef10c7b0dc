//! IP addresses as the servers' address-block fields take them, checked without std's
//! `net` parser: that parser is about 1 KB of the playground's gzipped wasm, which has no
//! room for it. The rules are std's (`IpAddr::from_str`), and a test holds them equal.

/// The prefix length's maximum for an address (32 for IPv4, 128 for IPv6), or `None`
/// when `text` is not one.
pub(crate) fn max_prefix(text: &str) -> Option<u8> {
    if ipv4(text) {
        Some(32)
    } else if ipv6(text) {
        Some(128)
    } else {
        None
    }
}

/// Four decimal octets: one to three digits, no leading zero, at most 255.
fn ipv4(text: &str) -> bool {
    let mut octets = 0;
    for part in text.split('.') {
        octets += 1;
        let leading_zero = part.len() > 1 && part.starts_with('0');
        let valid = (1..=3).contains(&part.len())
            && part.bytes().all(|b| b.is_ascii_digit())
            && !leading_zero
            && part.parse::<u16>().is_ok_and(|n| n <= 255);
        if !valid || octets > 4 {
            return false;
        }
    }
    octets == 4
}

/// Eight groups of one to four hex digits, the last two of which may be an IPv4
/// address; one `::` stands for one or more groups of zeros.
fn ipv6(text: &str) -> bool {
    match text.split_once("::") {
        None => groups(text, true) == Some(8),
        Some((head, tail)) => match (groups(head, false), groups(tail, true)) {
            (Some(head), Some(tail)) => head + tail <= 7,
            _ => false,
        },
    }
}

/// How many 16-bit groups `part` (between colons, maybe empty) holds; an IPv4 address
/// counts two and may only end it, where `v4_last` allows one.
fn groups(part: &str, v4_last: bool) -> Option<usize> {
    if part.is_empty() {
        return Some(0);
    }
    let mut count = 0;
    let mut items = part.split(':').peekable();
    while let Some(group) = items.next() {
        if v4_last && items.peek().is_none() && group.contains('.') {
            ipv4(group).then_some(())?;
            count += 2;
        } else if (1..=4).contains(&group.len()) && group.bytes().all(|b| b.is_ascii_hexdigit()) {
            count += 1;
        } else {
            return None;
        }
        if count > 8 {
            return None;
        }
    }
    Some(count)
}

#[cfg(test)]
mod tests {
    use super::max_prefix;
    use proptest::prelude::*;
    use std::net::IpAddr;

    fn std_prefix(text: &str) -> Option<u8> {
        match text.parse::<IpAddr>() {
            Ok(IpAddr::V4(_)) => Some(32),
            Ok(IpAddr::V6(_)) => Some(128),
            Err(_) => None,
        }
    }

    #[test]
    fn agrees_with_std_on_edge_cases() {
        for text in [
            "10.0.0.1",
            "255.255.255.255",
            "256.0.0.1",
            "1.2.3",
            "1.2.3.4.5",
            "01.2.3.4",
            "0.0.0.0",
            "1..2.3",
            "",
            ".",
            "::",
            "::1",
            "1::",
            "1:2:3:4:5:6:7:8",
            "1:2:3:4:5:6:7::",
            "::2:3:4:5:6:7:8",
            "1:2:3:4:5:6:7:8:9",
            "1::2::3",
            ":::",
            ":1::",
            "1::2:",
            "fd00::",
            "FD00::1",
            "12345::",
            "::ffff:10.0.0.1",
            "1:2:3:4:5:6:1.2.3.4",
            "1:2:3:4:5:6:7:1.2.3.4",
            "1.2.3.4::",
            "::1.2.3.4",
            "1::1.2.3.4:5",
            "g::1",
            "1:2:3:4:5:6:7:8::",
            "::1.2.3.04",
            "0000:0000::",
            "1:2:3:4:5::1.2.3.4",
            "1:2:3:4:5:6::1.2.3.4",
            " 1.2.3.4",
            "1.2.3.4 ",
            "+1.2.3.4",
            "1.2.3.-4",
            "1:2:3:4:5:6:7:8%eth0",
            "fe80::1%1",
        ] {
            assert_eq!(max_prefix(text), std_prefix(text), "{text:?}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]
        #[test]
        fn agrees_with_std(text in "[0-9a-fA-F:.]{0,24}") {
            prop_assert_eq!(max_prefix(&text), std_prefix(&text), "{:?}", text);
        }

        #[test]
        fn agrees_with_std_on_address_shapes(parts in proptest::collection::vec("(0|1|9|00|01|25[0-6]|ff|FFFF|12345|)", 0..10), dots in proptest::collection::vec(prop_oneof![Just(":"), Just("::"), Just(".")], 0..10)) {
            let mut text = String::new();
            for (i, part) in parts.iter().enumerate() {
                text.push_str(part);
                if let Some(sep) = dots.get(i) {
                    text.push_str(sep);
                }
            }
            prop_assert_eq!(max_prefix(&text), std_prefix(&text), "{:?}", text);
        }
    }
}
