//! Global byte spans of a program ⇄ LSP locations (a file's URI, 0-based lines, UTF-16
//! columns), through the program's [`SourceMap`] and each file's line index.

use kp_diag::{SourceFile, Span};
use lsp_types::{Position, Range};

/// The position of a global offset in `file`.
pub fn position(file: &SourceFile, offset: usize) -> Position {
    let (line, character) = file.utf16_position(offset);
    Position { line, character }
}

/// The range of a global span in `file` (clamped to it).
pub fn range(file: &SourceFile, span: Span) -> Range {
    let local = file.local(span);
    Range {
        start: position(file, file.base() + local.start),
        end: position(file, file.base() + local.end),
    }
}

/// The global offset of a position in `file`, or `None` past the end of its text (a line
/// that does not exist): such requests answer empty.
pub fn offset(file: &SourceFile, pos: Position) -> Option<usize> {
    let index = file.line_index();
    if pos.line as usize >= index.line_count() {
        return None;
    }
    let local = index.offset_of_utf16(pos.line, pos.character);
    (local <= file.text().len()).then_some(file.base() + local)
}

/// The global span of a range in `file`; an end past the text is the text's end.
pub fn span(file: &SourceFile, r: Range) -> Option<Span> {
    let start = offset(file, r.start)?;
    let end = offset(file, r.end).unwrap_or(file.base() + file.text().len());
    Some(Span::new(start, end.max(start)))
}

/// The path of a `file://` URI (percent-decoded), or `None` for other schemes.
pub fn uri_path(uri: &str) -> Option<std::path::PathBuf> {
    let rest = uri.strip_prefix("file://")?;
    // `file://host/path` names another host: not a file here.
    let path = rest.strip_prefix('/').map(|p| format!("/{p}"))?;
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes.get(i).copied().unwrap_or_default();
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b, hex) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok().map(std::path::PathBuf::from)
}

/// The `file://` URI of an absolute path, percent-encoding what RFC 3986 does not allow
/// unescaped in a path (as VS Code and Neovim write them).
pub fn path_uri(path: &std::path::Path) -> String {
    let mut out = String::from("file://");
    for b in path.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~!$&'()*+,;=:@".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_uris_round_trip() {
        let p = std::path::Path::new("/tmp/a dir/é.kp");
        let uri = path_uri(p);
        assert_eq!(uri, "file:///tmp/a%20dir/%C3%A9.kp");
        assert_eq!(uri_path(&uri).as_deref(), Some(p));
        assert_eq!(uri_path("untitled:Untitled-1"), None);
        assert_eq!(uri_path("file://server/share/a.kp"), None);
    }

    #[test]
    fn positions_are_file_local() {
        let mut map = kp_diag::SourceMap::new();
        map.add("a", "ab\ncd");
        map.add("b", "x\nyz");
        let b = &map.files()[1];
        let pos = Position {
            line: 1,
            character: 1,
        };
        assert_eq!(offset(b, pos), Some(6 + 3));
        assert_eq!(
            range(b, Span::new(6 + 2, 6 + 4)).start,
            Position {
                line: 1,
                character: 0
            }
        );
        assert_eq!(
            offset(
                b,
                Position {
                    line: 2,
                    character: 0
                }
            ),
            None
        );
    }
}
