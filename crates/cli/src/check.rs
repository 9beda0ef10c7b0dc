use std::path::Path;

use keyplan::SourceMap;

use crate::cli::{CheckArgs, CheckFormat};
use crate::{render, source};

pub fn run(args: &CheckArgs) -> u8 {
    if let Some(code) = &args.explain {
        return crate::explain_code::run(code);
    }
    let mut failed = false;
    let mut all = Vec::new();
    // SARIF and workflow commands are rendered once, over every file.
    let mut checked = Vec::new();
    let mut first_code = None;
    // Programs that could not be read (path as given, why): every format reports them.
    let mut unread: Vec<(String, String)> = Vec::new();
    let stderr = &mut std::io::stderr();
    for (n, path) in args.files.iter().enumerate() {
        // Each argument is one program: a file, or a directory of files.
        // A file of it that cannot be read is reported, and the rest is checked: one
        // bad file of a directory must not hide the other files' diagnostics.
        let (sources, bad) = match source::read_program_partial(std::slice::from_ref(path)) {
            Ok(read) => read,
            Err(e) => (Default::default(), vec![e]),
        };
        let skipped = bad.len();
        for e in bad {
            eprintln!("error: {e}");
            failed = true;
            unread.push((e.file, e.message));
        }
        if sources.files().is_empty() {
            continue;
        }
        let compiled = keyplan::checked(crate::build::compile(
            SourceMap::clone(&sources),
            args.target,
        ));
        // The hint names an error when there is one: that is what the reader fixes first.
        let shown = compiled.diagnostics.iter().find(|d| d.is_error());
        first_code = first_code.or_else(|| shown.or(compiled.diagnostics.first()).map(|d| d.code));
        failed |= compiled.has_errors() || (args.deny_warnings && !compiled.diagnostics.is_empty());
        match args.format {
            CheckFormat::Human => {
                render::human(stderr, &compiled, &compiled.diagnostics);
                render::summary(stderr, &compiled.diagnostics);
                if skipped > 0 {
                    // What the check cannot know: names declared only in the unread files.
                    eprintln!(
                        "note: `{}` was checked without the {} it could not read: a name declared only there is reported as unknown",
                        path.display(),
                        if skipped == 1 { "file".to_string() } else { format!("{skipped} files") }
                    );
                }
            }
            CheckFormat::Json => all.extend(render::locate(&sources, &compiled.diagnostics)),
            CheckFormat::Sarif | CheckFormat::Github => {
                // SARIF fingerprints hash a finding's line: never a secret's, even hashed.
                let mut files = per_file(&compiled.display_sources(), &compiled.diagnostics);
                if args.deny_warnings && matches!(args.format, CheckFormat::Github) {
                    // A denied warning fails the step: annotated as the error it is
                    // there (as rustc's `-D warnings`), not as a yellow warning beside a
                    // red job.
                    for d in files.iter_mut().flat_map(|(_, _, ds, _)| ds.iter_mut()) {
                        d.severity = keyplan::Severity::Error;
                    }
                }
                checked.extend(files);
            }
        }
        // The process exits after the last program: freeing it node by node (its tree,
        // checked program and graph) would only delay that.
        if n + 1 == args.files.len() {
            std::mem::forget(compiled);
        }
    }
    // Code hosts place a report's paths under the repository's root, wherever in it the
    // check ran (QA: run in `infra/`, an annotation named `a.kp`, not `infra/a.kp`).
    if matches!(args.format, CheckFormat::Sarif | CheckFormat::Github) {
        if let Ok(here) = std::env::current_dir() {
            let root = repository_root(&here).unwrap_or_else(|| here.clone());
            let names = checked
                .iter_mut()
                .flat_map(|(name, _, _, elsewhere)| {
                    std::iter::once(name).chain(elsewhere.iter_mut().map(|e| &mut e.file))
                })
                .chain(unread.iter_mut().map(|(name, _)| name));
            for name in names {
                if let Some(relative) = relative_to(name, &here, &root) {
                    *name = relative;
                }
            }
        }
    }
    let reports: Vec<kp_report::FileReport<'_>> = checked
        .iter()
        .map(
            |(name, text, diagnostics, elsewhere)| kp_report::FileReport {
                name,
                text,
                diagnostics,
                elsewhere,
            },
        )
        .collect();
    let failures: Vec<kp_report::Failure<'_>> = unread
        .iter()
        .map(|(name, message)| kp_report::Failure { name, message })
        .collect();
    let stdout = &mut std::io::stdout();
    match args.format {
        CheckFormat::Json => render::json(stdout, &all, &failures),
        CheckFormat::Sarif => {
            render::value(stdout, &kp_report::sarif_with_failures(&reports, &failures))
        }
        CheckFormat::Github => render::text(
            stdout,
            &kp_report::github_with_failures(&reports, &failures),
        ),
        CheckFormat::Human => render::explain_hint(stderr, first_code),
    }
    u8::from(failed)
}

/// The diagnostics of a program, split by the file their primary span is in, with spans
/// made local to that file. A report of one file's diagnostics holds locations in that
/// file: a related location in another file (where a duplicate was first defined) is
/// named in the message, `(first defined here: mounts.kp:4:8)`, and kept apart for SARIF,
/// which lists it with that file's URI.
fn per_file(
    sources: &SourceMap,
    diagnostics: &[keyplan::Diagnostic],
) -> Vec<(
    String,
    String,
    Vec<keyplan::Diagnostic>,
    Vec<kp_report::Elsewhere>,
)> {
    sources
        .files()
        .iter()
        .map(|file| {
            let mut elsewhere = Vec::new();
            let local: Vec<keyplan::Diagnostic> = diagnostics
                .iter()
                .filter(|d| file.contains(d.span.start))
                .enumerate()
                .map(|(i, d)| {
                    let mut d = d.clone();
                    d.span = file.local(d.span);
                    for r in d.related.iter().filter(|r| !file.contains(r.span.start)) {
                        let Some(other) = sources.file_of(r.span.start) else {
                            continue;
                        };
                        let at = other.line_col(r.span.start);
                        let to = other.line_col(r.span.end);
                        d.message = format!(
                            "{} ({}: {}:{}:{})",
                            d.message,
                            r.label,
                            other.name(),
                            at.line,
                            at.column
                        );
                        elsewhere.push(kp_report::Elsewhere {
                            diagnostic: i,
                            file: other.name().to_string(),
                            start: (at.line, at.column),
                            end: (to.line, to.column),
                            label: r.label.clone(),
                        });
                    }
                    d.related.retain(|r| file.contains(r.span.start));
                    for r in &mut d.related {
                        r.span = file.local(r.span);
                    }
                    d
                })
                .collect();
            (
                file.name().to_string(),
                file.text().to_string(),
                local,
                elsewhere,
            )
        })
        .collect()
}

/// `name` (relative to `here`, or absolute) as a path relative to `root` with `/`
/// separators and no `.` or `..`, when it is under `root`. SARIF locates a relative path
/// under `%SRCROOT%`, and GitHub an annotation's under the workspace: the repository's
/// root. A path elsewhere stays as it is (SARIF writes an absolute one as a `file:` URI).
fn relative_to(name: &str, here: &Path, root: &Path) -> Option<String> {
    use std::path::Component;
    let path = Path::new(name);
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        here.join(path)
    };
    // Lexically: the file may be a link, whose target is not where the host looks.
    let mut normal = std::path::PathBuf::new();
    for part in joined.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                normal.pop();
            }
            other => normal.push(other.as_os_str()),
        }
    }
    let relative = normal.strip_prefix(root).ok()?;
    let parts: Vec<&str> = relative
        .components()
        .map(|c| c.as_os_str().to_str())
        .collect::<Option<_>>()?;
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// The nearest directory from `dir` up that holds `.git` (a directory, or a file in a
/// worktree or submodule).
fn repository_root(dir: &Path) -> Option<std::path::PathBuf> {
    dir.ancestors()
        .find(|d| d.join(".git").exists())
        .map(Path::to_path_buf)
}
