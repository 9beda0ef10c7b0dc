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
    let explanation = match keyplan::explain::explain(program, &args.paths, &opts, compiled.target)
    {
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
