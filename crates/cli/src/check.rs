use keyplan::SourceMap;

use crate::cli::{CheckArgs, Format};
use crate::{render, source};

pub fn run(args: &CheckArgs) -> u8 {
    let options = keyplan::Options {
        target: args.target.into(),
    };
    let mut failed = false;
    let mut all = Vec::new();
    let stderr = &mut std::io::stderr();
    for path in &args.files {
        // Each argument is one program: a file, or a directory of files.
        let sources = match source::read_program(std::slice::from_ref(path)) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("error: {e}");
                failed = true;
                continue;
            }
        };
        let compiled = keyplan::compile_sources(SourceMap::clone(&sources), &options);
        failed |= compiled.has_errors() || (args.deny_warnings && !compiled.diagnostics.is_empty());
        match args.format {
            Format::Human => {
                render::human(
                    stderr,
                    &std::sync::Arc::new(compiled.display_sources()),
                    &compiled.diagnostics,
                );
                render::summary(stderr, &compiled.diagnostics);
            }
            Format::Json => all.extend(render::locate(&sources, &compiled.diagnostics)),
        }
    }
    if args.format == Format::Json {
        render::json(&mut std::io::stdout(), &all);
    }
    u8::from(failed)
}
