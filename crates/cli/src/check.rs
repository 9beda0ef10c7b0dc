use crate::cli::{CheckArgs, Format};
use crate::{render, source};

pub fn run(args: &CheckArgs) -> u8 {
    if let Some(code) = &args.explain {
        return crate::explain_code::run(code);
    }
    let options = keyplan::Options {
        target: args.target.into(),
    };
    let mut failed = false;
    let mut all = Vec::new();
    let mut first_code = None;
    let stderr = &mut std::io::stderr();
    for path in &args.files {
        let src = match source::read(path) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("error: {e}");
                failed = true;
                continue;
            }
        };
        let compiled = keyplan::compile(&src.text, &options);
        // The hint names an error when there is one: that is what the reader fixes first.
        let shown = compiled.diagnostics.iter().find(|d| d.is_error());
        first_code = first_code.or_else(|| shown.or(compiled.diagnostics.first()).map(|d| d.code));
        failed |= compiled.has_errors() || (args.deny_warnings && !compiled.diagnostics.is_empty());
        match args.format {
            Format::Human => {
                render::human(stderr, &src, &compiled.diagnostics);
                render::summary(stderr, &compiled.diagnostics);
            }
            Format::Json => all.extend(render::locate(&src, &compiled.diagnostics)),
        }
    }
    if args.format == Format::Json {
        render::json(&mut std::io::stdout(), &all);
    } else {
        render::explain_hint(stderr, first_code);
    }
    u8::from(failed)
}
