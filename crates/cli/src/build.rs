use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use keyplan::{Emit, OutputFile};

use crate::cli::{BuildArgs, EmitArg, Format, TargetArg};
use crate::manifest;
use crate::output::{Outcome, StagedFile};
use crate::{render, source};

/// Compiles for the given target, or for the one the program implies (`--target` omitted).
pub fn compile(sources: keyplan::SourceMap, target: Option<TargetArg>) -> keyplan::Compiled {
    keyplan::compile_sources_for(sources, target.map(Into::into))
}

pub fn run(args: &BuildArgs) -> u8 {
    let sources = match source::read_program(&args.files) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return 1;
        }
    };
    // The map was just made: it moves into the compiler instead of being copied.
    let sources = std::sync::Arc::try_unwrap(sources).unwrap_or_else(|shared| (*shared).clone());
    let compiled = compile(sources, args.target);
    let stderr = &mut std::io::stderr();
    match args.format {
        Format::Human => render::human(stderr, &compiled, &compiled.diagnostics),
        Format::Json => render::json(
            stderr,
            &render::locate(&compiled.sources, &compiled.diagnostics),
            &[],
        ),
    }
    if compiled.has_errors() {
        render::summary(stderr, &compiled.diagnostics);
        if args.format == Format::Human {
            let first_error = compiled.diagnostics.iter().find(|d| d.is_error());
            render::explain_hint(stderr, first_error.map(|d| d.code));
        }
        return 1;
    }
    let formats: Vec<Emit> = match args.emit {
        EmitArg::Api => vec![Emit::Api],
        EmitArg::Hcl => vec![Emit::Hcl],
        EmitArg::Json => vec![Emit::Json],
        EmitArg::Sh => vec![Emit::Sh],
        EmitArg::All => Emit::ALL.to_vec(),
    };
    let result = match &args.out_dir {
        Some(dir) => write_files(dir, &compiled, &formats),
        // clap requires `-o` with `--emit all` (a usage error, exit 2): never reached.
        None if args.emit == EmitArg::All => Err("`--emit all` needs `-o DIR`".into()),
        None if args.emit == EmitArg::Api => print_api(&compiled),
        None => emit_all(&compiled, &formats).and_then(|files| print_files(&files)),
    };
    // The process exits next: freeing a large program node by node would only delay it.
    std::mem::forget(compiled);
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e}");
            1
        }
    }
}

const NOT_COMPILED: &str = "the program did not compile";

fn emit_all(compiled: &keyplan::Compiled, formats: &[Emit]) -> Result<Vec<OutputFile>, String> {
    let mut files = Vec::new();
    for &format in formats {
        files.extend(keyplan::emit(compiled, format).ok_or(NOT_COMPILED)?);
    }
    Ok(files)
}

/// One output prints as is; several (HCL policies) each get a header comment.
fn print_files(files: &[OutputFile]) -> Result<(), String> {
    let mut out = std::io::stdout().lock();
    let headed = files.len() > 1;
    for (i, f) in files.iter().enumerate() {
        let header = match (headed, i) {
            (false, _) => String::new(),
            (true, 0) => format!("# {}\n", f.name),
            (true, _) => format!("\n# {}\n", f.name),
        };
        let written = out
            .write_all(header.as_bytes())
            .and_then(|()| out.write_all(f.contents.as_bytes()));
        match written {
            Ok(()) => {}
            // `keyplan build ... | head` closing the pipe early is not a failure.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(()),
            Err(e) => return Err(format!("cannot write to standard output: {e}")),
        }
    }
    Ok(())
}

/// `calls.json` printed as it is produced, never held whole.
fn print_api(compiled: &keyplan::Compiled) -> Result<(), String> {
    match keyplan::emit_api_to(compiled, &mut std::io::stdout().lock()) {
        None => Err(NOT_COMPILED.into()),
        Some(Ok(())) => Ok(()),
        // `keyplan build ... | head` closing the pipe early is not a failure.
        Some(Err(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Some(Err(e)) => Err(format!("cannot write to standard output: {e}")),
    }
}

/// Writes every changed file to a temporary name first and renames them all only once
/// every write succeeded, so a failure never leaves a half-written plan that looks
/// complete. A file whose bytes did not change is left as it is (its modification time
/// too). The formats are independent: each is emitted and staged on its own thread.
fn write_files(dir: &Path, compiled: &keyplan::Compiled, formats: &[Emit]) -> Result<(), String> {
    let results: Vec<Staged> = match formats {
        // One format on this thread: its allocator reuses the memory the compiler freed,
        // where a new thread's would map fresh pages (peak memory, page zeroing).
        [format] => vec![stage_format(dir, compiled, *format)],
        _ => stage_concurrently(dir, compiled, formats),
    };
    let staged: Vec<&(Outcome, PathBuf)> = results.iter().flat_map(|r| &r.files).collect();
    if let Some(e) = results.iter().find_map(|r| r.error.clone()) {
        for (outcome, _) in &staged {
            if let Outcome::Replace(tmp) = outcome {
                let _ = std::fs::remove_file(tmp);
            }
        }
        return Err(e);
    }
    // Thousands of policy files: one write to the terminal, not one per file.
    let mut report = String::new();
    let done =
        rename_all(&staged, &mut report).and_then(|()| prune(dir, formats, &results, &mut report));
    let _ = std::io::stderr().lock().write_all(report.as_bytes());
    done
}

/// Moves every staged file into place, listing each as written or unchanged. On a
/// failure the temporary files not yet moved are removed: the error is the outcome.
fn rename_all(staged: &[&(Outcome, PathBuf)], report: &mut String) -> Result<(), String> {
    for (i, (outcome, path)) in staged.iter().enumerate() {
        let verb = match outcome {
            Outcome::Unchanged => "unchanged",
            Outcome::Replace(tmp) => {
                if let Err(e) = std::fs::rename(tmp, path) {
                    for (rest, _) in staged.iter().skip(i) {
                        if let Outcome::Replace(tmp) = rest {
                            let _ = std::fs::remove_file(tmp);
                        }
                    }
                    return Err(format!("cannot write `{}`: {e}", path.display()));
                }
                "wrote"
            }
        };
        make_executable_if_script(path);
        report.push_str(&format!("{verb} {}\n", path.display()));
    }
    Ok(())
}

/// Removes the files an earlier build listed in `dir` for these formats that this one
/// no longer writes (and no other file), then lists what this one wrote.
fn prune(
    dir: &Path,
    formats: &[Emit],
    results: &[Staged],
    report: &mut String,
) -> Result<(), String> {
    let mut listed: BTreeSet<manifest::Entry> = formats
        .iter()
        .zip(results)
        .flat_map(|(format, staged)| {
            staged.files.iter().filter_map(move |(_, path)| {
                manifest::relative(dir, path).map(|rel| (format.name().to_string(), rel))
            })
        })
        .collect();
    let written: BTreeSet<String> = listed.iter().map(|(_, rel)| rel.clone()).collect();
    let mut failed = None;
    for entry in manifest::read(dir) {
        if written.contains(&entry.1) {
            continue;
        }
        // Another format's output: that format's next build decides.
        if !formats.iter().any(|f| f.name() == entry.0) {
            listed.insert(entry);
            continue;
        }
        let path = manifest::path(dir, &entry);
        // Only a file (or a link) is an output; anything else is not keyplan's.
        let is_output = std::fs::symlink_metadata(&path).is_ok_and(|m| !m.is_dir());
        if !is_output {
            continue;
        }
        match std::fs::remove_file(&path) {
            Ok(()) => {
                report.push_str(&format!("removed {}\n", path.display()));
                remove_emptied_dirs(dir, &path);
            }
            Err(e) => {
                failed.get_or_insert(format!("cannot remove `{}`: {e}", path.display()));
                // Still listed: the next build tries again.
                listed.insert(entry);
            }
        }
    }
    std::fs::create_dir_all(dir)
        .and_then(|()| manifest::write(dir, &listed))
        .map_err(|e| format!("cannot write `{}`: {e}", dir.join(manifest::FILE).display()))?;
    failed.map_or(Ok(()), Err)
}

/// Removes the directories between `dir` and a removed output that the removal left
/// empty (`policies/` once no policy remains). A directory holding anything is kept:
/// `remove_dir` refuses it, which is the answer wanted.
fn remove_emptied_dirs(dir: &Path, removed: &Path) {
    let mut parent = removed.parent();
    while let Some(p) = parent.filter(|p| *p != dir && p.starts_with(dir)) {
        if std::fs::remove_dir(p).is_err() {
            break;
        }
        parent = p.parent();
    }
}

/// Every format emitted and staged on its own thread: the formats are independent.
fn stage_concurrently(dir: &Path, compiled: &keyplan::Compiled, formats: &[Emit]) -> Vec<Staged> {
    std::thread::scope(|scope| {
        let workers: Vec<_> = formats
            .iter()
            .map(|&format| scope.spawn(move || stage_format(dir, compiled, format)))
            .collect();
        workers
            .into_iter()
            .map(|w| {
                w.join().unwrap_or_else(|_| Staged {
                    files: Vec::new(),
                    error: Some("an emitter failed unexpectedly".into()),
                })
            })
            .collect()
    })
}

/// The files one format staged (each unchanged or with its temporary file, and its
/// final path), and its error if it stopped early: what was staged is still listed so
/// it can be removed.
struct Staged {
    files: Vec<(Outcome, PathBuf)>,
    error: Option<String>,
}

impl Staged {
    /// Lists a finished file, or keeps the error that stopped it (its sink, dropped,
    /// removed its temporary file).
    fn finish(&mut self, path: PathBuf, sink: StagedFile, written: std::io::Result<()>) {
        match written.and_then(|()| sink.finish()) {
            Ok(outcome) => self.files.push((outcome, path)),
            Err(e) => self.error = Some(format!("cannot write `{}`: {e}", path.display())),
        }
    }
}

fn stage_format(dir: &Path, compiled: &keyplan::Compiled, format: Emit) -> Staged {
    let mut staged = Staged {
        files: Vec::new(),
        error: None,
    };
    if format == Emit::Api {
        stage_api(dir, compiled, &mut staged);
        return staged;
    }
    let Some(outputs) = keyplan::emit(compiled, format) else {
        staged.error = Some(NOT_COMPILED.into());
        return staged;
    };
    let mut created: BTreeSet<PathBuf> = BTreeSet::new();
    for f in outputs {
        let path = dir.join(&f.name);
        if let Some(parent) = path.parent() {
            if !created.contains(parent) {
                if let Err(e) = std::fs::create_dir_all(parent) {
                    staged.error = Some(format!("cannot create `{}`: {e}", parent.display()));
                    return staged;
                }
                created.insert(parent.to_path_buf());
            }
        }
        let mut sink = StagedFile::new(path.clone());
        let written = sink.write_all(f.contents.as_bytes());
        staged.finish(path, sink, written);
        if staged.error.is_some() {
            return staged;
        }
    }
    staged
}

/// `calls.json` written (or compared with the old one) as it is produced: a plan of
/// megabytes is never held whole in memory (fewer fresh pages; one buffer, reused
/// while in cache).
fn stage_api(dir: &Path, compiled: &keyplan::Compiled, staged: &mut Staged) {
    if let Err(e) = std::fs::create_dir_all(dir) {
        staged.error = Some(format!("cannot create `{}`: {e}", dir.display()));
        return;
    }
    let path = dir.join(keyplan::API_FILE);
    let mut sink = StagedFile::new(path.clone());
    match keyplan::emit_api_to(compiled, &mut sink) {
        None => staged.error = Some(NOT_COMPILED.into()),
        Some(written) => staged.finish(path, sink, written),
    }
}

#[cfg(unix)]
fn make_executable_if_script(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if path.extension().is_some_and(|e| e == "sh") {
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755));
    }
}

#[cfg(not(unix))]
fn make_executable_if_script(_path: &Path) {}
