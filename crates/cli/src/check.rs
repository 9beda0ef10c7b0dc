use crate::cli::{CheckArgs, CheckFormat};
use crate::{render, source};

pub fn run(args: &CheckArgs) -> u8 {
    let options = keyplan::Options {
        target: args.target.into(),
    };
    let mut failed = false;
    let mut all = Vec::new();
    // SARIF and workflow commands are rendered once, over every file.
    let mut checked = Vec::new();
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
        failed |= compiled.has_errors() || (args.deny_warnings && !compiled.diagnostics.is_empty());
        match args.format {
            CheckFormat::Human => {
                render::human(stderr, &src, &compiled.diagnostics);
                render::summary(stderr, &compiled.diagnostics);
            }
            CheckFormat::Json => all.extend(render::locate(&src, &compiled.diagnostics)),
            CheckFormat::Sarif | CheckFormat::Github => checked.push((src, compiled.diagnostics)),
        }
    }
    let reports: Vec<kp_report::FileReport<'_>> = checked
        .iter()
        .map(|(src, diagnostics)| kp_report::FileReport {
            name: &src.name,
            text: &src.text,
            diagnostics,
        })
        .collect();
    let stdout = &mut std::io::stdout();
    match args.format {
        CheckFormat::Json => render::json(stdout, &all),
        CheckFormat::Sarif => render::value(stdout, &kp_report::sarif(&reports)),
        CheckFormat::Github => render::text(stdout, &kp_report::github(&reports)),
        CheckFormat::Human => {}
    }
    u8::from(failed)
}
