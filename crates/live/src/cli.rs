//! `keyplan plan` and `keyplan apply`: argument types for the CLI crate and entry points
//! that return the process exit code.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use keyplan::ir::{Program, ResourceKind};

use crate::apply::{self, ApplyOptions};
use crate::client::Client;
use crate::config::{Connection, Overrides};
use crate::error::{LiveError, Result};
use crate::{diff, removals, render, saved, state};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum TargetArg {
    #[default]
    Vault,
    Openbao,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    #[default]
    Text,
    Json,
}

/// Options shared by `plan` and `apply`.
#[derive(Debug, Clone, clap::Args)]
pub struct LiveArgs {
    /// The program: `.kp` files and directories (each `.kp` file directly inside),
    /// compiled together as one program, as `check` and `build` do; for `apply`, a plan
    /// saved by `plan -o` (one `.json` file) instead
    #[arg(required = true, value_name = "FILE|DIR")]
    pub files: Vec<PathBuf>,
    /// Server address (default: `VAULT_ADDR`, then `BAO_ADDR`)
    #[arg(long)]
    pub addr: Option<String>,
    /// Namespace (default: `VAULT_NAMESPACE`)
    #[arg(long)]
    pub namespace: Option<String>,
    /// The server the program is for [default: the one the program implies, else vault]
    #[arg(long, value_enum)]
    pub target: Option<TargetArg>,
    /// Directory of created tokens (`NAME`, mode 0600) and their accessors (`NAME.accessor`)
    #[arg(long, value_name = "DIR")]
    pub token_out: Option<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Calls in flight at once
    #[arg(long, default_value_t = 8)]
    pub concurrency: usize,
    /// Timeout of one HTTP call, in seconds
    #[arg(long, default_value_t = 30)]
    pub timeout: u64,
    /// The program's previous version (a file, a directory, or `git:REV` for the same
    /// path at a git revision): what it declared and this one does not is deleted
    #[arg(long, value_name = "OLD")]
    pub previous: Option<String>,
}

/// `keyplan plan FILE|DIR...`: exit 0 when the server matches, 2 when changes are pending, 1 on error.
#[derive(Debug, Clone, clap::Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub live: LiveArgs,
    /// Also save the plan to this file, for `keyplan apply FILE.json` (secrets only as
    /// references)
    #[arg(long, short = 'o', value_name = "PLAN.json")]
    pub out: Option<PathBuf>,
}

/// `keyplan apply FILE|DIR...`: exit 0 when applied (or nothing to do), 1 on error. A
/// single `FILE` ending in `.json` is a plan saved by `keyplan plan -o`.
#[derive(Debug, Clone, clap::Args)]
pub struct ApplyArgs {
    #[command(flatten)]
    pub live: LiveArgs,
    /// Apply without asking for confirmation (for CI)
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Also delete what the program does not declare: roles and connections under its
    /// own mounts, and policies inside its `owns policies` scope (not with a saved plan)
    #[arg(long)]
    pub prune: bool,
    /// Allow deleting mounts (secrets engines, auth methods) and the data they hold
    #[arg(long)]
    pub allow_destroy: bool,
}

pub fn run_plan(args: &PlanArgs, stdout: &mut dyn Write, stderr: &mut dyn Write) -> i32 {
    match plan_cmd(args, stdout) {
        Ok(code) => code,
        Err(e) => {
            let _ = writeln!(stderr, "error: {e}");
            1
        }
    }
}

pub fn run_apply(args: &ApplyArgs, stdout: &mut dyn Write, stderr: &mut dyn Write) -> i32 {
    let stdin = std::io::stdin();
    let interactive = stdin.is_terminal();
    let mut input = stdin.lock();
    run_apply_with(
        args,
        stdout,
        stderr,
        interactive.then_some(&mut input as &mut dyn BufRead),
    )
}

/// [`run_apply`] with the confirmation source given: `None` when there is no terminal.
pub fn run_apply_with(
    args: &ApplyArgs,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
    confirm: Option<&mut dyn BufRead>,
) -> i32 {
    match apply_cmd(args, stdout, stderr, confirm) {
        Ok(code) => code,
        Err(e) => {
            let _ = writeln!(stderr, "error: {e}");
            1
        }
    }
}

fn plan_cmd(args: &PlanArgs, stdout: &mut dyn Write) -> Result<i32> {
    let a = &args.live;
    if a.files.iter().any(|p| is_json(p)) {
        return Err(LiveError::ReadProgram(
            "`plan` reads a program (`.kp` files or directories); a saved plan is applied \
             with `keyplan apply PLAN.json`"
                .into(),
        ));
    }
    let client = connect(a)?;
    client.preflight()?;
    let target = target_for(&client, a.target)?;
    let program = load_paths(&a.files, target)?;
    let previous = previous(a, target)?;
    let program = removals::with_dropped_configs(program, previous.as_ref());
    let live = state::read(&client, &program, a.token_out.as_deref())?;
    let mut plan = diff::plan_with_env(&program, &live, previous.as_ref(), &env_var);
    if a.token_out.is_none() {
        plan.untracked_tokens = plan
            .resources
            .iter()
            .filter(|p| p.kind == ResourceKind::Token && p.action == diff::Action::Create)
            .filter_map(|p| program.resources.iter().find(|r| r.id == p.id))
            .map(|r| r.name.to_string())
            .collect();
    }
    if let Some(old) = &previous {
        removals::plan_removals(&client, &mut plan, old, &program, a.token_out.as_deref())?;
    }
    if let Some(out) = &args.out {
        let conn = client.connection();
        let saved = saved::save(
            &program,
            &plan,
            &live,
            &conn.addr,
            conn.namespace.as_deref(),
        )?;
        let text = serde_json::to_string_pretty(&saved).unwrap_or_default() + "\n";
        std::fs::write(out, text).map_err(|e| LiveError::TokenFile {
            path: out.display().to_string(),
            reason: e.to_string(),
        })?;
    }
    let mut text = match a.format {
        Format::Text => render::plan_text(&plan, &client.connection().addr),
        Format::Json => render::plan_json(&plan, &client.connection().addr),
    };
    if let (Format::Text, Some(out)) = (a.format, &args.out) {
        if let Some(note) = render::saved_revocations_note(&plan, out) {
            text.push_str(&note);
            text.push('\n');
        }
    }
    let _ = stdout.write_all(text.as_bytes());
    // A saved plan's revocations are changes too: a CI job that applies only when
    // the plan says so must apply a plan whose only change is revoking a token.
    let revokes = args.out.is_some() && !plan.unrevoked_tokens.is_empty();
    Ok(if plan.has_changes() || revokes { 2 } else { 0 })
}

fn apply_cmd(
    args: &ApplyArgs,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
    confirm: Option<&mut dyn BufRead>,
) -> Result<i32> {
    let a = &args.live;
    let client = connect(a)?;
    let (program, plan) = if let Some(path) = saved_plan_path(&a.files)? {
        // Refused rather than ignored: it said "no changes" and deleted nothing that its
        // plan listed as `--prune deletes it`.
        if args.prune {
            return Err(LiveError::PruneSavedPlan {
                path: path.display().to_string(),
            });
        }
        saved_plan(&client, a, path)?
    } else {
        // Before the preflight (in `plan_program_since`): an unreachable server says
        // nothing, and the preflight then reports it.
        let target = target_for(&client, a.target)?;
        let program = load_paths(&a.files, target)?;
        let previous = previous(a, target)?;
        let program = removals::with_dropped_configs(program, previous.as_ref());
        let mut plan =
            plan_program_since(&client, &program, previous.as_ref(), a.token_out.as_deref())?;
        if let Some(old) = &previous {
            removals::plan_removals(&client, &mut plan, old, &program, a.token_out.as_deref())?;
        }
        (program, plan)
    };
    let opts = ApplyOptions {
        token_out: a.token_out.as_deref(),
        prune: args.prune,
        env: &env_var,
    };
    apply::check_ready(&program, &plan, &opts)?;
    removals::check_destroy(&plan, args.allow_destroy)?;
    let json = a.format == Format::Json;
    let prunes = args.prune && !plan.unmanaged.is_empty();
    if !plan.has_changes() && !prunes {
        if json {
            let _ =
                stdout.write_all(render::report_json(&apply::ApplyReport::default()).as_bytes());
        } else {
            let _ = writeln!(stdout, "no changes: the server matches the program");
            if let Some(note) = render::secrets_note(&plan) {
                let _ = writeln!(stdout, "{note}");
            }
            if let Some(note) = render::not_pruned_note(&plan).filter(|_| args.prune) {
                let _ = writeln!(stdout, "{note}");
            }
            for note in render::dropped_tokens_notes(&plan) {
                let _ = writeln!(stdout, "{note}");
            }
        }
        return Ok(0);
    }
    if !args.yes {
        let _ = stderr.write_all(render::plan_text(&plan, &client.connection().addr).as_bytes());
        if args.prune && !plan.unmanaged.is_empty() {
            let _ = writeln!(
                stderr,
                "--prune deletes the {} undeclared resources above",
                plan.unmanaged.len()
            );
        }
        let input = confirm.ok_or(LiveError::NoTerminal)?;
        let _ = write!(stderr, "apply these changes? type `yes` to confirm: ");
        let _ = stderr.flush();
        let mut answer = String::new();
        let _ = input.read_line(&mut answer);
        if answer.trim() != "yes" {
            return Err(LiveError::Declined);
        }
    }
    // Without `--yes` the plan above said it already, before the confirmation.
    if args.prune && args.yes {
        for warning in render::catch_all_warnings(&plan) {
            let _ = writeln!(stderr, "{warning}");
        }
    }
    let report = apply::apply(&client, &program, &plan, &opts);
    let mut text = if json {
        render::report_json(&report)
    } else {
        render::report_text(&report)
    };
    // Without `--yes` the plan above said it already.
    if let (false, true, Some(note)) = (json, args.yes, render::secrets_note(&plan)) {
        text.push_str(&note);
        text.push('\n');
    }
    let pruned_note = render::not_pruned_note(&plan).filter(|_| args.prune);
    if let (false, true, Some(note)) = (json, args.yes, pruned_note) {
        text.push_str(&note);
        text.push('\n');
    }
    if !json && args.yes {
        for note in render::dropped_tokens_notes(&plan) {
            text.push_str(&note);
            text.push('\n');
        }
    }
    let _ = stdout.write_all(text.as_bytes());
    Ok(if report.ok() { 0 } else { 1 })
}

fn is_json(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "json")
}

/// The saved plan `apply` was given instead of a program: one `.json` path. A `.json`
/// mixed with program paths is refused rather than guessed at.
fn saved_plan_path(paths: &[PathBuf]) -> Result<Option<&Path>> {
    match (paths, paths.iter().filter(|p| is_json(p)).count()) {
        (_, 0) => Ok(None),
        ([one], 1) => Ok(Some(one.as_path())),
        _ => Err(LiveError::ReadProgram(
            "a saved plan (`.json`) is applied on its own: `keyplan apply PLAN.json`".into(),
        )),
    }
}

/// A saved plan, checked against the server it was computed for: refused before any
/// call when the address differs or a planned resource changed since.
fn saved_plan(client: &Client, a: &LiveArgs, file: &Path) -> Result<(Program, diff::Plan)> {
    let path = file.display().to_string();
    let text = std::fs::read_to_string(file).map_err(|e| LiveError::ReadSource {
        path: path.clone(),
        reason: e.to_string(),
    })?;
    let saved = saved::parse(&text, &path)?;
    let addr = &client.connection().addr;
    if saved.addr.trim_end_matches('/') != addr.trim_end_matches('/') {
        return Err(LiveError::PlanElsewhere {
            planned: saved.addr.clone(),
            addr: addr.clone(),
        });
    }
    let (program, mut plan) = saved::restore(&saved)?;
    client.preflight()?;
    let mut live = state::read(client, &program, a.token_out.as_deref())?;
    diff::nested_mounts(&program, &live.mounts, &mut plan.resources);
    // Deletions are checked like every other call: what they delete must not have
    // changed (or gone) since the plan was saved.
    let gone = Program {
        resources: plan.removals.iter().map(|r| r.resource.clone()).collect(),
        ..Program::default()
    };
    let gone_live = state::read_resources(client, &gone, a.token_out.as_deref())?;
    for removal in &mut plan.removals {
        if let Some(l) = gone_live.get(removal.resource.id.as_str()) {
            removal.live = l.clone();
        }
    }
    live.resources.extend(gone_live);
    let stale = saved::stale(&saved, &live);
    if !stale.is_empty() {
        // Without a token directory no token is found: that, not a change, is the cause.
        let token = |id: &String| {
            let call = saved.calls.iter().find(|c| &c.id == id);
            call.filter(|c| c.kind == ResourceKind::Token)
                .map(|c| format!("token `{}`", c.name))
        };
        let tokens: Option<Vec<String>> = stale.iter().map(token).collect();
        return Err(match tokens {
            Some(tokens) if a.token_out.is_none() => LiveError::TokenOutMissing {
                tokens: tokens.join(", "),
            },
            _ => LiveError::StalePlan {
                ids: stale.join(", "),
            },
        });
    }
    // Tokens the plan could not find (planned without their `--token-out`): found, and
    // revoked, through the accessors recorded under apply's.
    removals::plan_saved_revocations(
        client,
        &mut plan,
        &saved.revoke_tokens,
        a.token_out.as_deref(),
    )?;
    Ok((program, plan))
}

/// The program's previous version (`--previous OLD`), compiled for the same target.
fn previous(a: &LiveArgs, target: Option<TargetArg>) -> Result<Option<Program>> {
    let Some(old) = &a.previous else {
        return Ok(None);
    };
    let sources =
        crate::sources::read_previous_of(old, &a.files).map_err(LiveError::ReadPrevious)?;
    // Said to be the previous version's: its file name alone read as the program's own.
    compile_map(sources, old, target)
        .map(Some)
        .map_err(|e| LiveError::ReadPrevious(e.to_string()))
}

/// The server the program is compiled for: the one `plan` and `apply` talk to, as its
/// `sys/seal-status` says. `--target` naming the other one is refused: a program
/// compiled for Vault sends OpenBao fields it drops (and the other way round), and the
/// plan then calls the server matching. When the server does not say, `--target`, else
/// the target the program implies.
fn target_for(client: &Client, asked: Option<TargetArg>) -> Result<Option<TargetArg>> {
    let server = crate::import::server_of(client).map(|s| match s.target {
        kp_import::Target::Vault => TargetArg::Vault,
        kp_import::Target::Openbao => TargetArg::Openbao,
    });
    match (asked, server) {
        (Some(asked), Some(server)) if asked != server => Err(LiveError::TargetMismatch {
            addr: client.connection().addr.clone(),
            asked: target_name(asked),
            server: target_name(server),
            flag: format!("{server:?}").to_lowercase(),
        }),
        (Some(asked), _) => Ok(Some(asked)),
        (None, server) => Ok(server),
    }
}

fn target_name(t: TargetArg) -> &'static str {
    match t {
        TargetArg::Vault => "Vault",
        TargetArg::Openbao => "OpenBao",
    }
}

/// Reads the live state of `program` and compares: the library form of `keyplan plan`.
pub fn plan_program(
    client: &Client,
    program: &Program,
    token_out: Option<&Path>,
) -> Result<diff::Plan> {
    plan_program_since(client, program, None, token_out)
}

/// [`plan_program`] knowing the program's previous version (`--previous`).
pub fn plan_program_since(
    client: &Client,
    program: &Program,
    previous: Option<&Program>,
    token_out: Option<&Path>,
) -> Result<diff::Plan> {
    plan_program_with_env(client, program, previous, token_out, &env_var)
}

/// [`plan_program_since`] reading `env("NAME")` values with `env` (the process's
/// environment for the CLI; [`diff::plan_with_env`] says what they are compared for).
pub fn plan_program_with_env(
    client: &Client,
    program: &Program,
    previous: Option<&Program>,
    token_out: Option<&Path>,
    env: diff::Env<'_>,
) -> Result<diff::Plan> {
    client.preflight()?;
    let live = state::read(client, program, token_out)?;
    Ok(diff::plan_with_env(program, &live, previous, env))
}

/// An environment variable's value, as `apply` reads `env("NAME")`: an empty variable is
/// as good as unset (`CARL_PW=` in CI): sent, the server would ignore or store an empty
/// secret while apply reported success.
fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn connect(a: &LiveArgs) -> Result<Client> {
    let conn = Connection::from_env(&Overrides {
        addr: a.addr.clone(),
        namespace: a.namespace.clone(),
        timeout: Some(Duration::from_secs(a.timeout.max(1))),
        concurrency: Some(a.concurrency),
    })?;
    Client::new(conn)
}

/// Compiles a program file, or the `.kp` files of a directory as one program; a
/// program with errors is reported by its first error (`keyplan check` shows them all).
pub fn load(path: &Path, target: TargetArg) -> Result<Program> {
    load_paths(&[path.to_path_buf()], Some(target))
}

/// Compiles `.kp` files and directories as one program, as `check` and `build` read
/// them, for `target` or (when `None`) the server the program implies.
pub fn load_paths(paths: &[PathBuf], target: Option<TargetArg>) -> Result<Program> {
    let sources = crate::sources::read_program(paths).map_err(LiveError::ReadProgram)?;
    let name = paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(" ");
    compile_map(sources, &name, target)
}

pub fn compile(source: &str, target: TargetArg) -> Result<Program> {
    compile_map(
        keyplan::SourceMap::single("<source>", source),
        "<source>",
        Some(target),
    )
}

fn compile_map(
    sources: keyplan::SourceMap,
    file: &str,
    target: Option<TargetArg>,
) -> Result<Program> {
    let target = target.map(|t| match t {
        TargetArg::Vault => keyplan::Target::Vault,
        TargetArg::Openbao => keyplan::Target::Openbao,
    });
    let compiled = keyplan::compile_sources_for(sources, target);
    let errors: Vec<&keyplan::Diagnostic> = compiled
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .collect();
    if let Some(first) = errors.first() {
        let at = first.locate_in(&compiled.sources);
        return Err(LiveError::Compile {
            location: format!("{}:{}:{}", at.file, at.line, at.column),
            message: at.message,
            count: errors.len(),
        });
    }
    compiled.program.ok_or(LiveError::Compile {
        location: file.to_string(),
        message: "the program did not compile".into(),
        count: 1,
    })
}
