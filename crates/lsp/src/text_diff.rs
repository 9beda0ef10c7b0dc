//! The edits a formatted document is sent as: its line endings kept, and only what
//! changed replaced, so an editor keeps its cursor, marks and undo steps on the lines the
//! formatter left alone (a whole-document replacement moves all of them).

use std::ops::Range;

/// `formatted` (which `kp_fmt` ends every line of in `\n`) with the line ending of
/// `original`: the one its first line ends with, as editors settle a document's
/// ending. A CRLF document gets CRLF back, an old Mac document (`\r` alone, which the
/// protocol counts as a line end) `\r`; LF and one-line documents get LF.
pub fn with_line_ending(formatted: String, original: &str) -> String {
    let ending = original.find(['\r', '\n']).map(|i| {
        let rest = original.get(i..).unwrap_or("");
        if rest.starts_with("\r\n") {
            "\r\n"
        } else if rest.starts_with('\r') {
            "\r"
        } else {
            "\n"
        }
    });
    match ending {
        Some(ending @ ("\r\n" | "\r")) => formatted.replace("\r\n", "\n").replace('\n', ending),
        _ => formatted,
    }
}

/// The lines of `text`, each with its line end: `\n`, `\r\n`, or a `\r` alone.
fn lines(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let ends = b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
        if ends {
            out.extend(text.get(start..=i));
            start = i + 1;
        }
    }
    out.extend(text.get(start..).filter(|rest| !rest.is_empty()));
    out
}

/// The most differing lines a diff tracks before it gives up on pairing lines and
/// replaces the whole differing middle (a formatter rarely changes that much; tracking
/// costs memory quadratic in it).
const MAX_DIFFERENCES: usize = 2000;

/// Edits that turn `old` into `new`: byte ranges of `old` (disjoint, in order) and their
/// replacements. Lines are paired by a shortest edit script (Myers' diff); each run of
/// changed lines becomes one edit, narrowed to the characters that differ (an aligned
/// `=` is a few spaces inserted) but never between a `\r` and its `\n`.
pub fn edits(old: &str, new: &str) -> Vec<(Range<usize>, String)> {
    if old == new {
        return Vec::new();
    }
    let a = lines(old);
    let b = lines(new);
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a
        .get(prefix..)
        .unwrap_or_default()
        .iter()
        .rev()
        .zip(b.get(prefix..).unwrap_or_default().iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let a_mid = a.get(prefix..a.len() - suffix).unwrap_or_default();
    let b_mid = b.get(prefix..b.len() - suffix).unwrap_or_default();
    let hunks =
        shortest_script(a_mid, b_mid).unwrap_or_else(|| vec![(0..a_mid.len(), 0..b_mid.len())]);
    // Where each line of `old` starts, and its end.
    let mut starts = Vec::with_capacity(a.len() + 1);
    let mut at = 0;
    for line in &a {
        starts.push(at);
        at += line.len();
    }
    starts.push(at);
    let start_of = |i: usize| starts.get(prefix + i).copied().unwrap_or(old.len());
    hunks
        .into_iter()
        .filter_map(|(ra, rb)| {
            let range = start_of(ra.start)..start_of(ra.end);
            let text: String = b_mid.get(rb).unwrap_or_default().concat();
            narrow(old, range, text)
        })
        .collect()
}

/// `range` of `old` replaced by `text`, without the characters both begin and end with;
/// `None` when nothing is left to change.
fn narrow(old: &str, range: Range<usize>, text: String) -> Option<(Range<usize>, String)> {
    let was = old.get(range.clone())?;
    let mut head = was
        .char_indices()
        .zip(text.chars())
        .take_while(|((_, x), y)| x == y)
        .last()
        .map_or(0, |((i, c), _)| i + c.len_utf8());
    // Not between a `\r` and its `\n`.
    if was.get(..head).is_some_and(|s| s.ends_with('\r')) {
        head -= 1;
    }
    let was_rest = was.get(head..)?;
    let text_rest = text.get(head..)?;
    let mut tail = was_rest
        .chars()
        .rev()
        .zip(text_rest.chars().rev())
        .take_while(|(x, y)| x == y)
        .map(|(c, _)| c.len_utf8())
        .sum::<usize>();
    if tail > 0
        && was_rest
            .get(was_rest.len() - tail..)
            .is_some_and(|s| s.starts_with('\n'))
        && was_rest
            .get(..was_rest.len() - tail)
            .is_some_and(|s| s.ends_with('\r'))
    {
        tail -= 1;
    }
    if head == was.len() && head == text.len() {
        return None;
    }
    let start = range.start + head;
    let end = range.end - tail;
    let new_text = text.get(head..text.len() - tail)?.to_string();
    (start != end || !new_text.is_empty()).then_some((start..end, new_text))
}

/// The runs of lines that differ between `a` and `b` (index ranges of each), from a
/// shortest edit script; `None` past [`MAX_DIFFERENCES`].
#[allow(clippy::type_complexity)]
fn shortest_script(a: &[&str], b: &[&str]) -> Option<Vec<(Range<usize>, Range<usize>)>> {
    let n = a.len() as isize;
    let m = b.len() as isize;
    let max = (n + m) as usize;
    let off = max as isize + 1;
    // `v[k + off]`: the furthest `x` on diagonal `k = x - y` after `d` differences.
    let mut v = vec![0isize; 2 * max + 3];
    // `trace[d]`: `v` for the diagonals `-d..=d` after `d` differences, to walk back.
    let mut trace: Vec<Vec<isize>> = Vec::new();
    let get = |v: &[isize], k: isize| v.get((k + off) as usize).copied().unwrap_or(0);
    let mut end = None;
    'search: for d in 0..=max.min(MAX_DIFFERENCES) as isize {
        let mut k = -d;
        while k <= d {
            let mut x = if k == -d || (k != d && get(&v, k - 1) < get(&v, k + 1)) {
                get(&v, k + 1)
            } else {
                get(&v, k - 1) + 1
            };
            let mut y = x - k;
            while x < n && y < m && a.get(x as usize) == b.get(y as usize) {
                x += 1;
                y += 1;
            }
            if let Some(slot) = v.get_mut((k + off) as usize) {
                *slot = x;
            }
            if x >= n && y >= m {
                trace.push(v.get((off - d) as usize..=(off + d) as usize)?.to_vec());
                end = Some(d);
                break 'search;
            }
            k += 2;
        }
        trace.push(v.get((off - d) as usize..=(off + d) as usize)?.to_vec());
    }
    let last = end?;
    // Walk back from the end: the pairs of equal lines, last first.
    let at = |d: isize, k: isize| {
        trace
            .get(d as usize)
            .and_then(|t| t.get((k + d) as usize))
            .copied()
            .unwrap_or(0)
    };
    let mut pairs = Vec::new();
    let (mut x, mut y) = (n, m);
    for d in (1..=last).rev() {
        let k = x - y;
        let prev_k = if k == -d || (k != d && at(d - 1, k - 1) < at(d - 1, k + 1)) {
            k + 1
        } else {
            k - 1
        };
        let prev_x = at(d - 1, prev_k);
        let prev_y = prev_x - prev_k;
        while x > prev_x && y > prev_y {
            x -= 1;
            y -= 1;
            pairs.push((x as usize, y as usize));
        }
        x = prev_x;
        y = prev_y;
    }
    while x > 0 && y > 0 {
        x -= 1;
        y -= 1;
        pairs.push((x as usize, y as usize));
    }
    pairs.reverse();
    let mut hunks = Vec::new();
    let (mut i, mut j) = (0, 0);
    for (pi, pj) in pairs.into_iter().chain([(a.len(), b.len())]) {
        if pi > i || pj > j {
            hunks.push((i..pi, j..pj));
        }
        i = pi + 1;
        j = pj + 1;
    }
    Some(hunks)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(old: &str, edits: &[(Range<usize>, String)]) -> String {
        let mut out = old.to_string();
        for (r, t) in edits.iter().rev() {
            out.replace_range(r.clone(), t);
        }
        out
    }

    #[test]
    fn edits_turn_old_into_new_and_touch_only_what_differs() {
        let cases = [
            ("a\nb\nc\n", "a\nb\nc\n"),
            ("a\nb\nc\n", "a\nx\nc\n"),
            ("a = 1\nbb = 2\n", "a  = 1\nbb = 2\n"),
            ("x\n", ""),
            ("", "x\n"),
            ("a\nb\n", "b\na\n"),
            ("a\nb\nc\nd\n", "a\nc\nd\ne\n"),
            ("one\r\ntwo\r\n", "one\r\n\r\ntwo\r\n"),
            ("a =  1\r\n", "a = 1\r\n"),
            ("é = 1\nb\n", "é  = 1\nb\n"),
            ("k {\n  a = 1\n}\nk {\n}\n", "k {\n  a = 1\n}\n\nk {}\n"),
        ];
        for (old, new) in cases {
            let e = edits(old, new);
            assert_eq!(apply(old, &e), new, "{old:?} -> {new:?}: {e:?}");
            if old == new {
                assert!(e.is_empty());
            }
        }
        // Only the padding is inserted, and nothing on the lines left alone.
        assert_eq!(
            edits("a = 1\nbb = 2\n", "a  = 1\nbb = 2\n"),
            [(2..2, " ".to_string())]
        );
        // A blank line added between two CRLF lines: no edit starts after a `\r`.
        for (r, _) in edits("one\r\ntwo\r\n", "one\r\n\r\ntwo\r\n") {
            assert_ne!(r.start, 4);
            assert_ne!(r.end, 4);
        }
    }

    /// Generated pairs of texts (lines from a few, CRLF or LF, multi-byte characters):
    /// the edits always turn one into the other, in order and disjoint.
    #[test]
    fn edits_are_exact_on_generated_texts() {
        const LINES: [&str; 7] = ["a = 1\n", "a  = 1\n", "é\n", "\n", "b\r\n", "\r\n", "}"];
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        for _ in 0..2000 {
            let (l1, l2) = (next(12), next(12));
            let old: String = (0..l1).map(|_| LINES[next(LINES.len())]).collect();
            let new: String = (0..l2).map(|_| LINES[next(LINES.len())]).collect();
            let e = edits(&old, &new);
            assert_eq!(apply(&old, &e), new, "{old:?} -> {new:?}: {e:?}");
            assert!(e.windows(2).all(|w| w[0].0.end <= w[1].0.start), "{e:?}");
            let inside_crlf = |at: usize| {
                old.get(..at).is_some_and(|s| s.ends_with('\r'))
                    && old.get(at..).is_some_and(|s| s.starts_with('\n'))
            };
            assert!(
                e.iter()
                    .all(|(r, _)| !inside_crlf(r.start) && !inside_crlf(r.end)),
                "{old:?} -> {new:?}: {e:?}"
            );
        }
    }

    #[test]
    fn the_document_keeps_its_line_ending() {
        assert_eq!(
            with_line_ending("a\nb\n".into(), "x\r\ny\r\n"),
            "a\r\nb\r\n"
        );
        assert_eq!(with_line_ending("a\nb\n".into(), "x\ny\r\n"), "a\nb\n");
        assert_eq!(with_line_ending("a\n".into(), "x"), "a\n");
        assert_eq!(with_line_ending("a\n\nb\n".into(), "x\ry\r"), "a\r\rb\r");
    }

    /// An old Mac document formatted: its `\r`s kept, lines paired as lines, and the
    /// edits never put a `\n` after a `\r` (which would make one CRLF of two line ends).
    #[test]
    fn a_lone_cr_document_is_edited_line_by_line() {
        let old = "auth approle {}\rauth userpass {}\r";
        let new = with_line_ending("auth approle {}\n\nauth userpass {}\n".into(), old);
        let e = edits(old, &new);
        assert_eq!(apply(old, &e), new);
        assert_eq!(e, [(16..16, "\r".to_string())]);
        assert!(edits(&new, &new).is_empty());
        assert_eq!(lines("a\rb\r\nc\nd"), ["a\r", "b\r\n", "c\n", "d"]);
    }
}
