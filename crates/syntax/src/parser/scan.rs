//! Byte scanners for the tokens that make up nearly all of a program: words, strings and
//! the spaces between them. Strings and runs of spaces, often long, are looked at eight
//! bytes at a time in a `u64` ("SWAR", SIMD within a register), with no `unsafe` and no
//! dependency. Words are short (seven bytes on average): a table lookup per byte costs
//! fewer instructions than classifying a chunk (a letter, digit, `-` or `_` test is a
//! couple of dozen operations on a `u64`).
//!
//! Each scanner takes the whole text and a start index and returns the index where its
//! run ends; a short tail (under eight bytes) is finished a byte at a time.

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// `b` in every byte.
const fn splat(b: u8) -> u64 {
    ONES * b as u64
}

/// The eight bytes at `at` (little-endian, so the first byte is the lowest), if there are
/// eight.
#[inline(always)]
fn chunk(bytes: &[u8], at: usize) -> Option<u64> {
    let eight = bytes.get(at..at.checked_add(8)?)?;
    Some(u64::from_le_bytes(eight.try_into().ok()?))
}

/// The index of the byte of the chunk at `at` that holds the lowest set bit of `found`
/// (non-zero).
#[inline(always)]
fn first(at: usize, found: u64) -> usize {
    at + (found.trailing_zeros() / 8) as usize
}

/// Bytes that continue a word: `[A-Za-z0-9_-]`, as a table (one load per byte).
pub(super) static WORD: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        table[i] = b.is_ascii_alphanumeric() || b == b'_' || b == b'-';
        i += 1;
    }
    table
};

/// Bit 7 set in the first byte of `x` equal to `b`, if any, and possibly in bytes after it
/// (a borrow out of a matching byte can mark the byte above it): for finding the first
/// match only, in half the operations of an exact test.
#[inline(always)]
fn first_equal(x: u64, b: u8) -> u64 {
    let t = x ^ splat(b);
    t.wrapping_sub(ONES) & !t
}

/// Where the word continuing at `at` ends: the first byte from `at` on that is not
/// `[A-Za-z0-9_-]` (or the end).
#[inline]
pub(super) fn word_end(bytes: &[u8], mut at: usize) -> usize {
    while bytes.get(at).is_some_and(|&b| WORD[usize::from(b)]) {
        at += 1;
    }
    at
}

/// The first `"`, `\` or newline from `at` on (or the end): where the plain text of a
/// string stops. Not inlined: its loop needs more registers than the lexer's loop has
/// left, and inlined it spent a third of its instructions moving them around.
#[inline(never)]
pub(super) fn string_stop(bytes: &[u8], mut at: usize) -> usize {
    while let Some(x) = chunk(bytes, at) {
        // Each mask is exact up to its first match, so their union is exact up to the
        // first of the three.
        let stop = (first_equal(x, b'"') | first_equal(x, b'\\') | first_equal(x, b'\n')) & HIGH;
        if stop != 0 {
            return first(at, stop);
        }
        at += 8;
    }
    while bytes
        .get(at)
        .is_some_and(|&b| !matches!(b, b'"' | b'\\' | b'\n'))
    {
        at += 1;
    }
    at
}

/// Where the blanks (` `, `\t`, `\r`) from `at` on end. Runs of spaces (the alignment of
/// `=` signs) go eight at a time.
#[inline]
pub(super) fn blanks_end(bytes: &[u8], mut at: usize) -> usize {
    while let Some(x) = chunk(bytes, at) {
        // The lowest set bit of `other` lies in the first byte that is not a space.
        let other = x ^ splat(b' ');
        if other != 0 {
            at = first(at, other);
            break;
        }
        at += 8;
    }
    while matches!(bytes.get(at), Some(b' ' | b'\t' | b'\r')) {
        at += 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every scanner against the byte-at-a-time definition, at every start and for every
    /// byte value in every position of a chunk.
    #[test]
    fn scanners_agree_with_their_definitions() {
        let slow_word = |b: &[u8], mut at: usize| {
            while b
                .get(at)
                .is_some_and(|&c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
            {
                at += 1;
            }
            at
        };
        let slow_string = |b: &[u8], mut at: usize| {
            while b
                .get(at)
                .is_some_and(|&c| !matches!(c, b'"' | b'\\' | b'\n'))
            {
                at += 1;
            }
            at
        };
        let slow_blanks = |b: &[u8], mut at: usize| {
            while matches!(b.get(at), Some(b' ' | b'\t' | b'\r')) {
                at += 1;
            }
            at
        };
        for fill in [b'a', b' ', b'x'] {
            for pos in 0..20 {
                for byte in 0..=255u8 {
                    let mut text = vec![fill; 20];
                    text[pos] = byte;
                    for start in 0..text.len() {
                        assert_eq!(
                            word_end(&text, start),
                            slow_word(&text, start),
                            "{text:?} {start}"
                        );
                        assert_eq!(
                            string_stop(&text, start),
                            slow_string(&text, start),
                            "{text:?}"
                        );
                        assert_eq!(
                            blanks_end(&text, start),
                            slow_blanks(&text, start),
                            "{text:?}"
                        );
                    }
                }
            }
        }
    }
}
