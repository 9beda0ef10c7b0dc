//! Floats written and powers of ten read as serde_json does, exactly, with a few hundred
//! bytes of code instead of its tables: serde_json's float writer (zmij) and its table of
//! powers of ten were 4 KB of the playground's gzipped wasm, for the rare float in a
//! token's claim. Both work on exact big integers ([`Big`]), which is slow (microseconds)
//! and small.

use super::bignum::Big;

/// Appends finite `v` as serde_json writes it: the shortest digits that read back as `v`,
/// the nearest of them to `v`, laid out as its writer (zmij) lays them out (`1.0`,
/// `0.001`, `1e+16`, `1.5e-7`).
pub(crate) fn write_f64(out: &mut String, v: f64) {
    if v.is_sign_negative() {
        out.push('-');
    }
    let v = v.abs();
    if v == 0.0 {
        out.push_str("0.0");
        return;
    }
    let (digits, point) = shortest_digits(v);
    lay_out(out, digits, point);
}

/// The shortest digits `d1 d2 ... dn` and the `k` with `v` = 0.d1d2...dn × 10^k, among the
/// decimals that round to `v`, the nearest to it: Burger and Dybvig's free-format
/// algorithm ("Printing Floating-Point Numbers Quickly and Accurately", 1996), with
/// exact integers and without their estimate of `k` (found by scaling ten at a time).
fn shortest_digits(v: f64) -> (String, i32) {
    let bits = v.to_bits();
    let biased = (bits >> 52) as i32; // the sign bit is clear
    let fraction = bits & ((1 << 52) - 1);
    let (f, e) = match biased {
        0 => (fraction, -1074),
        _ => (fraction | 1 << 52, biased - 1075),
    };
    // v = r / s, and the decimals that read back as `v` lie within m_minus / s below it
    // and m_plus / s above: half the gap to each neighbour (all four are scaled by
    // 4 × 2^-e for e < 0, so that they are integers). Below a power of two the neighbour
    // is twice as near.
    let (up, down) = (e.max(0) as u32, e.min(0).unsigned_abs());
    let below_nearer = f == 1 << 52 && biased > 1;
    let mut r = Big::scaled(f, up + 2);
    let mut s = Big::scaled(1, down + 2);
    let mut m_plus = Big::scaled(1, up + 1);
    let mut m_minus = Big::scaled(1, up + u32::from(!below_nearer));
    // IEEE rounds a halfway decimal to the even significand: the interval's ends belong
    // to `v` when its significand is even.
    let ends_included = f % 2 == 0;
    let reaches = |r: &Big, m_plus: &Big, s: &Big| {
        let high = r.add(m_plus);
        high > *s || ends_included && high == *s
    };
    let mut k = 0;
    while reaches(&r, &m_plus, &s) {
        s.mul_small(10);
        k += 1;
    }
    loop {
        let (mut r10, mut m_plus10) = (r.clone(), m_plus.clone());
        r10.mul_small(10);
        m_plus10.mul_small(10);
        if reaches(&r10, &m_plus10, &s) {
            break;
        }
        (r, m_plus) = (r10, m_plus10);
        m_minus.mul_small(10);
        k -= 1;
    }
    let mut digits = String::new();
    loop {
        r.mul_small(10);
        m_plus.mul_small(10);
        m_minus.mul_small(10);
        let mut digit = b'0';
        while r >= s {
            r.sub_assign(&s);
            digit += 1;
        }
        let low_enough = r < m_minus || ends_included && r == m_minus;
        let high_enough = reaches(&r, &m_plus, &s);
        if !low_enough && !high_enough {
            digits.push(char::from(digit));
            continue;
        }
        // Both neighbours read back as `v` when both are near enough: the nearer, and on
        // a tie the even one.
        let twice = r.add(&r);
        let round_up = !low_enough || high_enough && (twice > s || twice == s && digit % 2 == 1);
        digits.push(char::from(digit + u8::from(round_up)));
        return (digits, k);
    }
}

/// zmij's layout of `0.digits × 10^point`: plain up to 16 digits before the point and 4
/// zeros after it, with `.0` on an integer; otherwise `d.ddde+x` or `d.ddde-x`.
fn lay_out(out: &mut String, mut digits: String, point: i32) {
    let n = digits.len() as i32;
    if (n..=16).contains(&point) {
        digits.push_str(&"0".repeat((point - n) as usize));
        digits.push_str(".0");
    } else if (1..=16).contains(&point) {
        digits.insert(point as usize, '.');
    } else if (-4..=0).contains(&point) {
        digits.insert_str(0, &"0".repeat(point.unsigned_abs() as usize));
        digits.insert_str(0, "0.");
    } else {
        if n > 1 {
            digits.insert(1, '.');
        }
        digits.push_str(if point > 0 { "e+" } else { "e" });
        digits.push_str(&(point - 1).to_string());
    }
    out.push_str(&digits);
}

/// `1e{k}` for `k` in `0..=308`, the value serde_json reads from its table of powers of
/// ten, computed instead: that table was 2.4 KB of the playground's wasm, and nearly
/// all of it survived gzip (a float in a token's claim is rare; this takes microseconds).
/// `10^k = 5^k * 2^k`: 5^k exactly as a big number, rounded to 53 bits half to even, as
/// the compiler rounds the literal, then scaled by `2^k`, which is exact.
pub(crate) fn pow10(k: u32) -> f64 {
    let mut five = Big::scaled(1, 0);
    for _ in 0..k {
        five.mul_small(5);
    }
    let bits = five.bits();
    // The 53 most significant bits, then the rounding bit and whether any below is set.
    let shift = bits.saturating_sub(53);
    let mut mantissa = (shift..bits)
        .rev()
        .fold(0u64, |m, i| m << 1 | u64::from(five.bit(i)));
    let mut exponent = shift as i32 + k as i32;
    let bit = |i| five.bit(i);
    if shift > 0 && bit(shift - 1) && (mantissa & 1 == 1 || (0..shift - 1).any(bit)) {
        mantissa += 1;
        if mantissa == 1 << 53 {
            mantissa >>= 1;
            exponent += 1;
        }
    }
    // Normalised to 53 bits: the leading one is implicit in the encoding.
    let short = 53 - (64 - mantissa.leading_zeros()) as i32;
    mantissa <<= short;
    exponent -= short;
    f64::from_bits(((exponent + 52 + 1023) as u64) << 52 | (mantissa & ((1 << 52) - 1)))
}
