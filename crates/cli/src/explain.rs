//! `keyplan explain`: file reading and printing around `keyplan::explain`.

use std::io::Write;

use crate::cli::{ExplainArgs, ExplainFormat};

pub fn run(args: &ExplainArgs) -> u8 {
    let Some(compiled) = crate::access::compile(&args.file, args.target) else {
        return 1;
    };
    let Some(program) = compiled.program.as_ref() else {
        return 1;
    };
    let opts = keyplan::explain::ExplainOptions {
        as_name: args.as_name.clone(),
        policies: args.policies.as_ref().map(|p| {
            p.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        }),
    };
    let paths: Vec<String> = args.paths.iter().map(|p| request_path(p)).collect();
    let explanation = match keyplan::explain::explain(program, &paths, &opts, compiled.target) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: {e}");
            return 1;
        }
    };
    let text = match args.format {
        ExplainFormat::Text => keyplan::explain::to_text(&explanation),
        ExplainFormat::Json => match serde_json::to_string_pretty(&explanation) {
            Ok(s) => s + "\n",
            Err(e) => {
                eprintln!("error: {e}");
                return 1;
            }
        },
    };
    if std::io::stdout().write_all(text.as_bytes()).is_err() {
        return 1;
    }
    0
}

/// The request path of `path` as the server's policies see it. A path copied from a
/// request (`/v1/secret/data/app`, or the whole URL) was answered "deny" for every
/// identity: no policy names `v1/...`. The API prefix and address are left out; a bare
/// `v1/...` stays, as it may be a mount of that name.
fn request_path(path: &str) -> String {
    let after_host = match path.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("", |i| rest.get(i..).unwrap_or("")),
        None => path,
    };
    let from_root = after_host != path || path.starts_with('/');
    match after_host.trim_start_matches('/').strip_prefix("v1/") {
        Some(rest) if from_root => rest.to_string(),
        _ => path.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::request_path;

    #[test]
    fn api_prefixes_are_left_out() {
        for (given, asked) in [
            ("/v1/secret/data/app", "secret/data/app"),
            (
                "https://bao.example.com:8200/v1/secret/data/app",
                "secret/data/app",
            ),
            ("secret/data/app", "secret/data/app"),
            ("/secret/data/app", "/secret/data/app"),
            ("v1/secret", "v1/secret"),
        ] {
            assert_eq!(request_path(given), asked, "{given}");
        }
    }
}
