use crate::cli::{CheckArgs, Format};
use crate::{render, source};

pub fn run(args: &CheckArgs) -> u8 {
    let mut failed = false;
    let mut all = Vec::new();
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
        let compiled = crate::build::compile(&src.text, args.target);
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
    }
    u8::from(failed)
}
