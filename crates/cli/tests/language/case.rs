//! A case of the language suite: a program under `tests/` and the expectations its header
//! states. The format is documented in `tests/README.md`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const TARGETS: [&str; 2] = ["vault", "openbao"];

/// `# target: implied` runs the binary without `--target`, as a user who gives none:
/// the program's target-only fields choose the server (`kp::implied-target`).
pub const IMPLIED: &str = "implied";

/// Output formats a case may pin with `# expect-emit:`, and their golden file extensions.
pub const FORMATS: [(&str, &str); 4] = [
    ("api", "api.json"),
    ("hcl", "hcl"),
    ("json", "graph.json"),
    ("sh", "sh"),
];

#[derive(Debug)]
pub struct Case {
    /// File stem or directory name: goldens are `NAME.EXT` beside the case.
    pub name: String,
    /// The `.kp` file, or the directory of a multi-file program.
    pub path: PathBuf,
    /// Targets the case runs on (`# target:`; both by default).
    pub targets: Vec<&'static str>,
    /// Per target: the expected diagnostics as `severity code [file:]line:col`, sorted;
    /// empty for `ok`.
    pub expected: BTreeMap<&'static str, Vec<String>>,
    /// Formats whose outputs are pinned by golden files.
    pub emit: Vec<&'static str>,
}

impl Case {
    pub fn is_dir(&self) -> bool {
        self.path.is_dir()
    }

    pub fn has_errors(&self, target: &str) -> bool {
        self.expected
            .get(target)
            .is_some_and(|e| e.iter().any(|l| l.starts_with("error ")))
    }
}

/// Every case under `root`, sorted by name: `*.kp` files and directories.
pub fn discover(root: &Path) -> Result<Vec<Case>, String> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(root)
        .map_err(|e| format!("{}: {e}", root.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir() || p.extension().is_some_and(|e| e == "kp"))
        .collect();
    entries.sort();
    entries.iter().map(|p| read_case(p)).collect()
}

/// The `.kp` files of a case, with the name expectations use for each (`""` for a
/// one-file case, the file name within the directory otherwise).
pub fn sources(path: &Path) -> Result<Vec<(String, String)>, String> {
    if !path.is_dir() {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        return Ok(vec![(String::new(), text)]);
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(|e| format!("{}: {e}", path.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "kp"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|f| {
            let name = f
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            std::fs::read_to_string(f)
                .map(|text| (name, text))
                .map_err(|e| format!("{}: {e}", f.display()))
        })
        .collect()
}

fn read_case(path: &Path) -> Result<Case, String> {
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .ok_or_else(|| format!("{}: no name", path.display()))?;
    let mut targets: Vec<&'static str> = TARGETS.to_vec();
    // `None` applies to every target of the case.
    let mut lines: Vec<(Option<&'static str>, String, String)> = Vec::new();
    let mut emit = Vec::new();
    for (file, text) in sources(path)? {
        for (i, line) in text.lines().enumerate() {
            let at = format!("{}:{}", path.display(), i + 1);
            let at = if file.is_empty() {
                at
            } else {
                format!("{at} ({file})")
            };
            if let Some(rest) = line.strip_prefix("# target:") {
                targets = rest
                    .split_whitespace()
                    .map(|t| target(t).ok_or_else(|| format!("{at}: unknown target `{t}`")))
                    .collect::<Result<_, _>>()?;
                if targets.is_empty() {
                    return Err(format!("{at}: `# target:` names no target"));
                }
                continue;
            }
            let Some(directive) = line.strip_prefix("# expect") else {
                continue;
            };
            if let Some(formats) = directive.strip_prefix("-emit:") {
                for f in formats.split_whitespace() {
                    let known = FORMATS
                        .iter()
                        .find(|(n, _)| *n == f)
                        .ok_or_else(|| format!("{at}: unknown format `{f}` (api hcl json sh)"))?;
                    emit.push(known.0);
                }
                continue;
            }
            let (only, rest) = match directive.strip_prefix('@') {
                Some(rest) => {
                    let (t, rest) = rest
                        .split_once(':')
                        .ok_or_else(|| format!("{at}: expected `# expect@TARGET: ...`"))?;
                    let t = target(t).ok_or_else(|| format!("{at}: unknown target `{t}`"))?;
                    (Some(t), rest)
                }
                None => (
                    None,
                    directive
                        .strip_prefix(':')
                        .ok_or_else(|| format!("{at}: unknown directive `{line}`"))?,
                ),
            };
            lines.push((only, expectation(rest, &at)?, at));
        }
    }
    let mut expected = BTreeMap::new();
    for &t in &targets {
        let mine: Vec<&(Option<&str>, String, String)> = lines
            .iter()
            .filter(|(only, _, _)| only.is_none_or(|o| o == t))
            .collect();
        let ok = mine.iter().filter(|(_, e, _)| e == "ok").count();
        if mine.is_empty() {
            return Err(format!(
                "{}: no `# expect:` line for {t} (`# expect: ok` for a clean program)",
                path.display()
            ));
        }
        if ok > 0 && ok != mine.len() {
            return Err(format!(
                "{}: `ok` and diagnostics are both expected on {t}",
                path.display()
            ));
        }
        let mut list: Vec<String> = mine
            .iter()
            .filter(|(_, e, _)| e != "ok")
            .map(|(_, e, _)| e.clone())
            .collect();
        list.sort();
        expected.insert(t, list);
    }
    if let Some((Some(t), _, at)) = lines
        .iter()
        .find(|(o, _, _)| o.is_some_and(|o| !targets.contains(&o)))
    {
        return Err(format!(
            "{at}: `# expect@{t}` but the case does not run on {t}"
        ));
    }
    Ok(Case {
        name,
        path: path.to_path_buf(),
        targets,
        expected,
        emit,
    })
}

fn target(name: &str) -> Option<&'static str> {
    TARGETS
        .iter()
        .copied()
        .chain([IMPLIED])
        .find(|t| *t == name.trim())
}

/// `ok`, or `error|warning CODE [FILE:]LINE:COL`, normalised to single spaces.
fn expectation(text: &str, at: &str) -> Result<String, String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    match words.as_slice() {
        ["ok"] => Ok("ok".into()),
        [severity @ ("error" | "warning"), code, location] if code.starts_with("kp::") => {
            let mut parts = location.rsplitn(3, ':');
            let col = parts.next().and_then(|c| c.parse::<usize>().ok());
            let line = parts.next().and_then(|l| l.parse::<usize>().ok());
            if col.is_none() || line.is_none() {
                return Err(format!("{at}: expected `LINE:COL`, found `{location}`"));
            }
            Ok(format!("{severity} {code} {location}"))
        }
        _ => Err(format!(
            "{at}: expected `ok` or `error|warning kp::CODE LINE:COL`, found `{}`",
            text.trim()
        )),
    }
}
