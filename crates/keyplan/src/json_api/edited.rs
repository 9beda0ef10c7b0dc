//! An editor's text kept beside its [`super::Checker`], so that a keystroke passes its
//! edit instead of the program: in the playground, CodeMirror's `doc.toString()` of a
//! 2,000-line program and wasm-bindgen's copy of it into the module cost about 0.3 ms, a
//! fifth of the check itself.
//!
//! Edits come in UTF-16 offsets, as JavaScript (and the language server protocol) counts;
//! the text is UTF-8.

/// A text edited at UTF-16 offsets.
#[derive(Debug)]
pub struct EditedText {
    text: String,
    /// Whether `text` is all ASCII: its UTF-16 offsets are then its byte offsets, and the
    /// common case (a program in ASCII) never scans the text to find an edit.
    ascii: bool,
}

impl Default for EditedText {
    fn default() -> EditedText {
        EditedText {
            text: String::new(),
            ascii: true,
        }
    }
}

impl EditedText {
    /// Replaces the text (reusing its buffer).
    pub fn set(&mut self, text: &str) {
        self.text.clear();
        self.text.push_str(text);
        self.ascii = text.is_ascii();
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// The text's length in UTF-16 units.
    pub fn utf16_len(&self) -> usize {
        if self.ascii {
            self.text.len()
        } else {
            self.text.bytes().map(utf16_units).sum()
        }
    }

    /// Replaces UTF-16 units `from..to` with `inserted`. False, and the text unchanged,
    /// when the range is not within the text or splits a character.
    pub fn replace(&mut self, from: usize, to: usize, inserted: &str) -> bool {
        if from > to {
            return false;
        }
        let (Some(start), Some(end)) = (self.byte_offset(from), self.byte_offset(to)) else {
            return false;
        };
        let tail = self.text.split_off(end);
        self.text.truncate(start);
        self.text.push_str(inserted);
        self.text.push_str(&tail);
        // Deleting the last character outside ASCII makes the text ASCII again.
        self.ascii = if self.ascii {
            inserted.is_ascii()
        } else {
            self.text.is_ascii()
        };
        true
    }

    /// The byte offset of UTF-16 offset `units`, if it is a character boundary in the text.
    fn byte_offset(&self, units: usize) -> Option<usize> {
        if self.ascii {
            return (units <= self.text.len()).then_some(units);
        }
        let mut counted = 0;
        for (at, byte) in self.text.bytes().enumerate() {
            // At a character's first byte, `counted` is the UTF-16 offset of its start.
            if !is_continuation(byte) && counted >= units {
                return (counted == units).then_some(at);
            }
            counted += utf16_units(byte);
        }
        (counted == units).then_some(self.text.len())
    }
}

/// The UTF-16 units of the character a UTF-8 byte starts (none for a continuation byte):
/// four-byte characters are surrogate pairs.
fn utf16_units(byte: u8) -> usize {
    match byte {
        _ if is_continuation(byte) => 0,
        0xF0.. => 2,
        _ => 1,
    }
}

fn is_continuation(byte: u8) -> bool {
    (0x80..0xC0).contains(&byte)
}

#[cfg(test)]
mod tests {
    use super::EditedText;

    /// The same edits on UTF-16 units: what JavaScript's strings do.
    fn replace_units(units: &mut Vec<u16>, from: usize, to: usize, inserted: &str) {
        units.splice(from..to, inserted.encode_utf16());
    }

    #[test]
    fn random_edits_match_the_same_edits_on_utf16_units() {
        let pieces = ["x", "", "role a {\n", "é", "😀", "\n", "  ", "日本", "}"];
        let mut text = EditedText::default();
        let start = "workload a {\n  read \"secret/*\"\n}\n";
        text.set(start);
        let mut units: Vec<u16> = start.encode_utf16().collect();
        // A fixed linear congruential sequence: the same edits on every run.
        let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = |bound: usize| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) as usize % bound.max(1)
        };
        let mut refused = 0;
        for _ in 0..2_000 {
            let from = next(units.len() + 1);
            let to = from + next(4).min(units.len() - from);
            let inserted = pieces[next(pieces.len())];
            // An offset before a low surrogate is inside a character.
            let splits = [from, to]
                .iter()
                .any(|&at| units.get(at).is_some_and(|u| (0xDC00..0xE000).contains(u)));
            let done = text.replace(from, to, inserted);
            assert_eq!(done, !splits, "edit {from}..{to} of {units:?}");
            if done {
                replace_units(&mut units, from, to, inserted);
            } else {
                refused += 1;
            }
            assert_eq!(
                text.text(),
                String::from_utf16(&units).expect("whole characters")
            );
            assert_eq!(text.utf16_len(), units.len());
        }
        assert!(refused > 0, "some edits split a surrogate pair");
    }

    #[test]
    fn an_edit_outside_the_text_changes_nothing() {
        let mut text = EditedText::default();
        text.set("abc");
        assert!(!text.replace(2, 4, "x"));
        assert!(!text.replace(2, 1, "x"));
        text.set("aé");
        assert!(!text.replace(3, 3, "x"));
        assert_eq!(text.text(), "aé");
        assert!(text.replace(2, 2, "x"));
        assert_eq!(text.text(), "aéx");
    }

    #[test]
    fn deleting_the_last_non_ascii_character_keeps_offsets_right() {
        let mut text = EditedText::default();
        text.set("a😀b");
        assert_eq!(text.utf16_len(), 4);
        assert!(text.replace(1, 3, ""));
        assert!(text.replace(2, 2, "c"));
        assert_eq!(text.text(), "abc");
        assert_eq!(text.utf16_len(), 3);
    }
}
