//! `keyplan simulate`: which JWT roles accept a token with given claims.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::access::{compile, json};
use crate::cli::TargetArg;
use crate::source;

#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// The program
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The token's claims: a JSON file, `-` for standard input, or the JSON object itself
    /// (`--claims '{"sub": "repo:acme/app:ref:refs/heads/main"}'`)
    #[arg(long, value_name = "CLAIMS.json")]
    pub claims: PathBuf,
    /// Only the roles of the JWT/OIDC mount at this path
    #[arg(long, value_name = "MOUNT")]
    pub mount: Option<String>,
    /// The server the program is for [default: the one the program implies, else vault]
    #[arg(long, value_enum)]
    pub target: Option<TargetArg>,
    /// How to print the result
    #[arg(long, value_enum, default_value_t = SimulateFormat::Text)]
    pub format: SimulateFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SimulateFormat {
    /// Accepted roles with their access, refused roles with the reason
    Text,
    /// `{"accepted": [...], "refused": [...]}`
    Json,
}

/// Exit codes: 0 when some role accepts the token, 2 when none does, 1 on errors.
pub fn run(args: &SimulateArgs) -> u8 {
    let inline = args
        .claims
        .to_str()
        // JSON written in place, an object or (wrongly) an array: no file is named so.
        .filter(|text| text.trim_start().starts_with(['{', '[']));
    let read = match inline {
        Some(text) => keyplan::json_api::parse_claims(text).map_err(|e| format!("--claims: {e}")),
        None => source::read(&args.claims)
            .map_err(|e| e.message)
            .and_then(|s| {
                keyplan::json_api::parse_claims(&s.text).map_err(|e| format!("{}: {e}", s.name))
            }),
    };
    let claims = match read {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return 1;
        }
    };
    let Some(compiled) = compile(&args.file, args.target) else {
        return 1;
    };
    let mount = args.mount.as_deref();
    if let (Some(m), Some(program)) = (mount, &compiled.program) {
        if let Some(e) = keyplan::access::simulate::unknown_mount(program, m) {
            eprintln!("error: --mount {m}: {e}");
            return 1;
        }
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    let Some((sim, notes)) = keyplan::simulate_claims_at(&compiled, &claims, mount, now) else {
        return 1;
    };
    let out = match args.format {
        SimulateFormat::Json => match serde_json::to_value(&sim) {
            // The notes only when there are some: the answer for a current token is
            // unchanged.
            Ok(serde_json::Value::Object(mut object)) if !notes.is_empty() => {
                object.insert("notes".into(), notes.into());
                json(&object)
            }
            _ => json(&sim),
        },
        SimulateFormat::Text => match keyplan::access_matrix(&compiled) {
            Some(m) => {
                let mut text: String = notes.iter().map(|n| format!("note: {n}\n")).collect();
                text.push_str(&keyplan::access::render::simulation_text(&sim, &m));
                text
            }
            None => return 1,
        },
    };
    print!("{out}");
    if sim.accepted.is_empty() {
        2
    } else {
        0
    }
}
