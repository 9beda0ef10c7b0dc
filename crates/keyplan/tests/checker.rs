//! The playground's stateful [`Checker`] answers exactly [`check_json`] of the same text,
//! byte for byte, along random edit sequences (typing, pasting pieces of the program,
//! adding and deleting declarations) over the examples and the language test programs;
//! and it does replay the blocks an edit left alone.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use keyplan::json_api::{check_json, Checker};

fn programs() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files: Vec<PathBuf> = ["examples", "tests"]
        .iter()
        .flat_map(|d| std::fs::read_dir(root.join(d)).unwrap())
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "kp"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect()
}

/// xorshift64*: the edit sequences are the same on every run.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % n.max(1)
    }

    fn boundary(&mut self, s: &str) -> usize {
        let mut i = self.below(s.len() + 1);
        while !s.is_char_boundary(i) {
            i -= 1;
        }
        i
    }
}

const INSERTS: &[&str] = &[
    "x",
    "\n",
    "}",
    "{",
    "\"",
    " = ",
    "extern policy typed\n",
    "owns policies \"*\"\n",
    "policy added {\n  path \"a/*\" { capabilities = [read] }\n}\n",
    "workload w2 {\n  read \"secret/data/x\"\n}\n",
    "secrets kv secret {\n  version = 1\n}\n",
    // What changes how the rest of the text lexes: comments, heredocs, brackets.
    "#",
    "# a comment\n",
    "//",
    "<<EOT\n",
    "EOT\n",
    "[",
    "]",
    "}\n",
];

/// One edit: delete a few bytes, insert a snippet, or paste a piece of the text.
fn edit(rng: &mut Rng, text: &mut String) {
    let at = rng.boundary(text);
    let mut end = (at + rng.below(4)).min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let insert = match rng.below(3) {
        0 => String::new(),
        1 => INSERTS[rng.below(INSERTS.len())].to_string(),
        _ => {
            let from = rng.boundary(text);
            let mut to = (from + rng.below(120)).min(text.len());
            while !text.is_char_boundary(to) {
                to -= 1;
            }
            text[from..to].to_string()
        }
    };
    text.replace_range(at..end, &insert);
}

#[test]
fn the_checker_answers_check_json_byte_for_byte() {
    let programs = programs();
    assert!(programs.len() > 50);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut replayed = 0;
    for round in 0..3 {
        for (i, program) in programs.iter().enumerate() {
            let target = ["vault", "openbao", "auto"][(i + round) % 3];
            let mut checker = Checker::new();
            let mut text = program.clone();
            for _ in 0..8 {
                assert_eq!(checker.check_json(&text, target), check_json(&text, target));
                replayed += checker.replayed();
                edit(&mut rng, &mut text);
            }
        }
    }
    assert!(replayed > 300, "{replayed} items replayed");
}
