//! `policies/NAME.hcl`: each policy of the plan as the HCL document Vault stores.
//!
//! The text is what `vault policy fmt` prints, so the files can be checked in next to
//! hand-written policies and diffed against `vault policy read`. A derived policy gets a
//! one-line comment naming its workload (`policy fmt` keeps comments), since its source
//! is a `workload` block rather than a `policy` block.

use kp_check::ir::{Program, Resource, ResourceKind, Value};

use crate::body::file_stem;
use crate::OutputFile;

pub(crate) fn emit(program: &Program) -> Vec<OutputFile> {
    program
        .resources
        .iter()
        .filter(|r| r.kind == ResourceKind::Policy)
        .map(|r| {
            let stem = file_stem(&r.name);
            let mut name = String::with_capacity("policies/.hcl".len() + stem.len());
            name.push_str("policies/");
            name.push_str(&stem);
            name.push_str(".hcl");
            OutputFile {
                name,
                contents: document(r),
            }
        })
        .collect()
}

fn document(r: &Resource) -> String {
    let mut out = String::with_capacity(256);
    if let Some(w) = &r.workload {
        out.push_str("# policy ");
        push_one_line(&mut out, &r.name);
        out.push_str(" (derived from workload ");
        push_one_line(&mut out, w);
        out.push_str(")\n");
    }
    match r.body.get("policy") {
        Some(Value::Policy(doc)) => doc.write_hcl(&mut out),
        // No structured rules: the body's text is the policy as written.
        Some(Value::Str(text)) => {
            out.push_str(text);
            if !text.is_empty() && !text.ends_with('\n') {
                out.push('\n');
            }
        }
        _ => {}
    }
    out
}

/// [`one_line`], appended to `out`.
fn push_one_line(out: &mut String, s: &str) {
    if s.chars().any(char::is_control) {
        out.push_str(&one_line(s));
    } else {
        out.push_str(s);
    }
}

/// A comment must stay on its line.
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;

    #[test]
    fn one_file_per_policy_with_a_header_for_derived_ones() {
        let (p, _) = fixtures::pipeline();
        let files = emit(&p);
        let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["policies/trainer.hcl", "policies/ops.hcl"]);
        insta::assert_snapshot!("trainer", files[0].contents);
        insta::assert_snapshot!("ops", files[1].contents);
    }

    #[test]
    fn hostile_names_stay_inside_the_policies_folder() {
        assert_eq!(file_stem("../etc/passwd"), "_.._etc_passwd");
        assert_eq!(file_stem(""), "_");
        assert_eq!(file_stem("a b"), "a_b");
        assert_eq!(one_line("x\ny"), "x y");
    }
}
