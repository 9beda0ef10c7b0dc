//! `keyplan plan` and `keyplan apply` through their library entry points, as the CLI
//! calls them, against a test server: one set of runners for every live test.

use std::path::{Path, PathBuf};

use kp_live::{ApplyArgs, Format, LiveArgs, PlanArgs, TargetArg};

use super::Bao;

/// What a command printed and its exit code.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(code: i32, out: Vec<u8>, err: Vec<u8>) -> Run {
        Run {
            code,
            stdout: String::from_utf8(out).unwrap(),
            stderr: String::from_utf8(err).unwrap(),
        }
    }
}

/// Writes `source` as `dir/name` and returns its path.
pub fn write_program(dir: &Path, name: &str, source: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, source).unwrap();
    path
}

/// The arguments of `plan`/`apply PATHS...` against `bao`, for OpenBao, as text.
pub fn live_args(bao: &Bao, paths: &[&Path]) -> LiveArgs {
    // Every dev server here has the root token `root`; the address is always a flag.
    std::env::set_var("VAULT_TOKEN", &bao.token);
    LiveArgs {
        files: paths.iter().map(|p| p.to_path_buf()).collect(),
        addr: Some(bao.addr.clone()),
        namespace: None,
        target: Some(TargetArg::Openbao),
        token_out: None,
        format: Format::Text,
        concurrency: 4,
        timeout: 30,
        previous: None,
    }
}

/// `keyplan plan`, saving the plan to `out` when given.
pub fn run_plan_to(args: &LiveArgs, out: Option<PathBuf>) -> Run {
    let (mut o, mut e) = (Vec::new(), Vec::new());
    let code = kp_live::run_plan(
        &PlanArgs {
            live: args.clone(),
            out,
        },
        &mut o,
        &mut e,
    );
    Run::from(code, o, e)
}

pub fn run_plan(args: &LiveArgs) -> Run {
    run_plan_to(args, None)
}

/// `keyplan apply`; `answer` is what the operator types at the confirmation prompt
/// (`None`: no terminal).
pub fn run_apply(args: &LiveArgs, yes: bool, prune: bool, answer: Option<&str>) -> Run {
    let (mut o, mut e) = (Vec::new(), Vec::new());
    let args = ApplyArgs {
        live: args.clone(),
        yes,
        prune,
        allow_destroy: false,
    };
    let mut input = answer.map(|a| std::io::Cursor::new(a.as_bytes().to_vec()));
    let code = kp_live::run_apply_with(
        &args,
        &mut o,
        &mut e,
        input.as_mut().map(|i| i as &mut dyn std::io::BufRead),
    );
    Run::from(code, o, e)
}

/// Applies with `--yes`, then checks the plan is clean (exit 0).
pub fn apply_clean(args: &LiveArgs) {
    let r = run_apply(args, true, false, None);
    assert_eq!(r.code, 0, "apply failed:\n{}{}", r.stdout, r.stderr);
    let p = run_plan(args);
    assert_eq!(
        p.code, 0,
        "plan after apply is not clean:\n{}{}",
        p.stdout, p.stderr
    );
    assert!(p.stdout.contains("no changes"), "{}", p.stdout);
}
