//! The printer: walks the tree and writes the canonical layout, placing each comment by
//! its position in the source.
//!
//! Lines end in `\n`, whatever the source's line endings (heredocs too).
//!
//! Comments are consumed in source order: before an entry or item, the comments that
//! start before it are printed on their own lines; after it, a comment that starts on the
//! same source line is printed at the end of its line. Blank lines are kept (at most one)
//! only where the author put them between entries.

use kp_diag::Span;
use kp_syntax::ast::{Attribute, Block, Entry, Expr, ExprKind, File, MapEntry, Statement};

use crate::Options;

const INDENT: &str = "  ";

pub(crate) fn print(src: &str, file: &File, comments: &[Span], options: &Options) -> String {
    let mut printer = Printer {
        src,
        comments,
        next: 0,
        out: String::with_capacity(src.len() + src.len() / 4),
        depth: 0,
        width: options.width,
    };
    let nodes: Vec<Node<'_>> = file.blocks.iter().map(Node::Block).collect();
    printer.sequence(&nodes, 0, src.len(), true);
    printer.out
}

/// An entry of a body or a top-level block: what a line of the layout starts with.
#[derive(Clone, Copy)]
enum Node<'t> {
    Attribute(&'t Attribute),
    Statement(&'t Statement),
    Block(&'t Block),
}

impl<'t> Node<'t> {
    fn of(entry: &'t Entry) -> Self {
        match entry {
            Entry::Attribute(a) => Node::Attribute(a),
            Entry::Statement(s) => Node::Statement(s),
            Entry::Block(b) => Node::Block(b),
        }
    }

    fn span(self) -> Span {
        match self {
            Node::Attribute(a) => a.span,
            Node::Statement(s) => s.span,
            Node::Block(b) => b.span,
        }
    }

    /// Attributes align their `=` with the attributes next to them, statements their
    /// arguments with the statements next to them; blocks align nothing.
    fn align_key(self) -> Option<(u8, usize)> {
        match self {
            Node::Attribute(a) => Some((0, a.name.name.chars().count())),
            Node::Statement(s) => Some((1, s.verb.name.chars().count())),
            Node::Block(_) => None,
        }
    }

    fn bodiless(self) -> bool {
        matches!(self, Node::Block(b) if b.body.is_none())
    }
}

struct Printer<'a> {
    src: &'a str,
    /// Every comment of the source, in order; `next` is the first not printed yet.
    comments: &'a [Span],
    next: usize,
    out: String,
    depth: usize,
    width: usize,
}

impl<'a> Printer<'a> {
    fn text(&self, span: Span) -> &'a str {
        self.src.get(span.start..span.end).unwrap_or_default()
    }

    /// The next comment to print, if it starts before `pos`.
    fn comment_before(&self, pos: usize) -> Option<Span> {
        self.comments
            .get(self.next)
            .copied()
            .filter(|c| c.start < pos)
    }

    /// The next comment to print, if it starts after `pos` on the same source line and
    /// before `limit`: where the next entry, item or closing delimiter starts. A comment
    /// past the limit follows that, not the text at `pos` (`{ read } # why` follows the
    /// block, not its `{` nor `read`).
    fn comment_on_line(&self, pos: usize, limit: usize) -> Option<Span> {
        self.comments.get(self.next).copied().filter(|c| {
            c.start >= pos && c.start < limit && !self.text(Span::new(pos, c.start)).contains('\n')
        })
    }

    /// Whether the source has an empty line between `a` and `b` (lines holding a comment
    /// are not empty).
    fn has_blank_line(&self, a: usize, b: usize) -> bool {
        let between = self.src.get(a..b).unwrap_or_default();
        // The first piece ends `a`'s line and the last starts `b`'s: only whole lines count.
        let mut lines = between.split('\n').skip(1).peekable();
        while let Some(line) = lines.next() {
            if lines.peek().is_some() && line.trim().is_empty() {
                return true;
            }
        }
        false
    }

    fn indent(&mut self) {
        for _ in 0..self.depth {
            self.out.push_str(INDENT);
        }
    }

    fn newline(&mut self) {
        self.out.push('\n');
    }

    /// The column (in characters) the next character of output lands in.
    fn column(&self) -> usize {
        let line_start = self.out.rfind('\n').map_or(0, |i| i + 1);
        self.out.get(line_start..).map_or(0, |l| l.chars().count())
    }

    fn comment(&mut self, comment: Span) {
        // `\r` of a CRLF file and blanks at the end of the line are not part of it.
        self.out.push_str(self.text(comment).trim_end());
        self.next += 1;
    }

    /// Prints the comments that start before `pos` on their own lines.
    fn own_line_comments(&mut self, pos: usize) {
        while let Some(c) = self.comment_before(pos) {
            self.indent();
            self.comment(c);
            self.newline();
        }
    }

    /// Prints a comment that follows `pos` on its source line, before `limit`, at the end
    /// of the current line. Returns where the source text printed so far ends.
    fn trailing_comment(&mut self, pos: usize, limit: usize) -> usize {
        match self.comment_on_line(pos, limit) {
            Some(c) => {
                self.out.push(' ');
                self.comment(c);
                c.end
            }
            None => pos,
        }
    }

    /// Prints entries one per line at the current depth, with the comments among them
    /// and those after the last one up to `end` (a body's `}`, or the end of the file).
    /// `prev` is where the source before the first entry ends.
    fn sequence(&mut self, nodes: &[Node<'_>], mut prev: usize, end: usize, top_level: bool) {
        let keys = self.key_widths(nodes);
        let mut printed = false;
        for (i, (&node, key)) in nodes.iter().zip(keys).enumerate() {
            let span = node.span();
            // One blank line between top-level blocks, except within a group of
            // bodiless ones (`extern policy a`, `extern policy b`).
            let mut force = top_level
                && i > 0
                && !(node.bodiless() && nodes.get(i - 1).is_some_and(|n| n.bodiless()));
            while let Some(c) = self.comment_before(span.start) {
                self.separate(printed, force, prev, c.start);
                force = false;
                self.indent();
                self.comment(c);
                self.newline();
                prev = c.end;
                printed = true;
            }
            self.separate(printed, force, prev, span.start);
            self.indent();
            self.node(node, key);
            // A comment after this entry on its line belongs to it only if it comes
            // before the next entry (`read "a", deny "b" # c` follows `deny`).
            let limit = nodes.get(i + 1).map_or(end, |n| n.span().start);
            prev = self.trailing_comment(span.end, limit);
            self.newline();
            printed = true;
        }
        while let Some(c) = self.comment_before(end) {
            self.separate(printed, false, prev, c.start);
            self.indent();
            self.comment(c);
            self.newline();
            prev = c.end;
            printed = true;
        }
    }

    fn separate(&mut self, printed: bool, force: bool, prev: usize, next: usize) {
        if printed && (force || self.has_blank_line(prev, next)) {
            self.newline();
        }
    }

    /// For each entry, the width its key (attribute name, statement verb) is padded to:
    /// the widest key of its run of same-kind entries not broken by a blank line.
    fn key_widths(&self, nodes: &[Node<'_>]) -> Vec<usize> {
        let mut widths = vec![0; nodes.len()];
        let mut i = 0;
        while let Some(first) = nodes.get(i) {
            let Some((kind, _)) = first.align_key() else {
                i += 1;
                continue;
            };
            let mut j = i + 1;
            while let (Some(a), Some(b)) = (nodes.get(j - 1), nodes.get(j)) {
                let same_kind = b.align_key().is_some_and(|(k, _)| k == kind);
                if !same_kind || self.has_blank_line(a.span().end, b.span().start) {
                    break;
                }
                j += 1;
            }
            let run = nodes.get(i..j).unwrap_or_default();
            let width = run
                .iter()
                .filter_map(|n| n.align_key().map(|(_, w)| w))
                .max()
                .unwrap_or(0);
            for w in widths.get_mut(i..j).unwrap_or_default() {
                *w = width;
            }
            i = j;
        }
        widths
    }

    fn pad_key(&mut self, key: &str, width: usize) {
        self.out.push_str(key);
        for _ in key.chars().count()..width {
            self.out.push(' ');
        }
    }

    fn node(&mut self, node: Node<'_>, key_width: usize) {
        match node {
            Node::Attribute(a) => {
                self.pad_key(&a.name.name, key_width);
                self.out.push_str(" = ");
                self.expr(&a.value);
            }
            Node::Statement(s) => {
                self.pad_key(&s.verb.name, key_width);
                for arg in &s.args {
                    self.out.push(' ');
                    self.expr(arg);
                }
            }
            Node::Block(b) => self.block(b),
        }
    }

    fn block(&mut self, block: &Block) {
        self.out.push_str(&block.keyword.name);
        for label in &block.labels {
            self.out.push(' ');
            self.out.push_str(self.text(label.span()));
        }
        let Some(body) = &block.body else {
            return;
        };
        let close = body.span.end.saturating_sub(1);
        if body.entries.is_empty() && self.comment_before(close).is_none() {
            self.out.push_str(" {}");
            return;
        }
        self.out.push_str(" {");
        let first = body
            .entries
            .first()
            .map_or(close, |e| Node::of(e).span().start);
        let prev = self.trailing_comment(body.span.start + 1, first);
        self.newline();
        self.depth += 1;
        let nodes: Vec<Node<'_>> = body.entries.iter().map(Node::of).collect();
        self.sequence(&nodes, prev, close, false);
        self.depth -= 1;
        self.indent();
        self.out.push('}');
    }

    fn expr(&mut self, expr: &Expr) {
        match &expr.kind {
            ExprKind::List(items) => {
                if !self.fits_flat(expr) {
                    return self.broken_list(expr.span, items);
                }
                self.flat(expr);
            }
            ExprKind::Map(entries) => {
                if !self.fits_flat(expr) {
                    return self.broken_map(expr.span, entries);
                }
                self.flat(expr);
            }
            _ => self.flat(expr),
        }
    }

    /// Whether a list or map goes on one line: no comment inside, no heredoc, and short
    /// enough.
    fn fits_flat(&self, expr: &Expr) -> bool {
        if self.comment_before(expr.span.end).is_some() {
            return false;
        }
        flat_width(expr, self.src).is_some_and(|w| self.column() + w <= self.width)
    }

    /// Writes an expression on one line; text of literals exactly as written.
    fn flat(&mut self, expr: &Expr) {
        match &expr.kind {
            ExprKind::List(items) => {
                self.out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.out.push_str(", ");
                    }
                    self.flat(item);
                }
                self.out.push(']');
            }
            ExprKind::Map(entries) if entries.is_empty() => self.out.push_str("{}"),
            ExprKind::Map(entries) => {
                self.out.push_str("{ ");
                for (i, entry) in entries.iter().enumerate() {
                    if i > 0 {
                        self.out.push_str(", ");
                    }
                    self.out.push_str(self.text(entry.key.span));
                    self.out.push_str(" = ");
                    self.flat(&entry.value);
                }
                self.out.push_str(" }");
            }
            ExprKind::Env(name) => {
                self.out.push_str("env(");
                self.out.push_str(self.text(name.span));
                self.out.push(')');
            }
            ExprKind::Str { heredoc: true, .. } => {
                let text = self.text(expr.span);
                push_heredoc(&mut self.out, text);
            }
            _ => self.out.push_str(self.text(expr.span)),
        }
    }

    fn broken_list(&mut self, span: Span, items: &[Expr]) {
        let close = span.end.saturating_sub(1);
        let starts: Vec<usize> = items.iter().map(|i| i.span.start).collect();
        self.out.push('[');
        self.trailing_comment(span.start + 1, limit_after(&starts, None, close));
        self.newline();
        self.depth += 1;
        // The line of this item is begun: `, ` below a heredoc.
        let mut begun = false;
        for (i, item) in items.iter().enumerate() {
            if !begun {
                self.own_line_comments(item.span.start);
                self.indent();
            }
            begun = false;
            self.expr(item);
            if is_heredoc(item) {
                // A heredoc's closing marker is alone on its line: the comma goes below,
                // and the next item after it unless a comment comes between.
                if let Some(next) = items.get(i + 1) {
                    self.newline();
                    self.indent();
                    self.out.push(',');
                    if self.comment_before(next.span.start).is_none() {
                        self.out.push(' ');
                        begun = true;
                        continue;
                    }
                }
            } else {
                self.out.push(',');
            }
            self.trailing_comment(item.span.end, limit_after(&starts, Some(i), close));
            self.newline();
        }
        self.own_line_comments(close);
        self.depth -= 1;
        self.indent();
        self.out.push(']');
    }

    fn broken_map(&mut self, span: Span, entries: &[MapEntry]) {
        let close = span.end.saturating_sub(1);
        let starts: Vec<usize> = entries.iter().map(|e| e.span.start).collect();
        self.out.push('{');
        self.trailing_comment(span.start + 1, limit_after(&starts, None, close));
        self.newline();
        self.depth += 1;
        let key_width = entries
            .iter()
            .map(|e| self.text(e.key.span).chars().count())
            .max()
            .unwrap_or(0);
        for (i, entry) in entries.iter().enumerate() {
            self.own_line_comments(entry.span.start);
            self.indent();
            self.pad_key(self.text(entry.key.span), key_width);
            self.out.push_str(" = ");
            self.expr(&entry.value);
            self.trailing_comment(entry.span.end, limit_after(&starts, Some(i), close));
            self.newline();
        }
        self.own_line_comments(close);
        self.depth -= 1;
        self.indent();
        self.out.push('}');
    }
}

/// Where a comment trailing the opening delimiter (`i` is `None`) or the `i`th item must
/// start before: the next item, or the closing delimiter at `close`.
fn limit_after(starts: &[usize], i: Option<usize>, close: usize) -> usize {
    let next = i.map_or(0, |i| i + 1);
    starts.get(next).copied().unwrap_or(close)
}

/// Writes a heredoc as written, but with its lines ending in `\n` like every other line of
/// the output: a CRLF file's heredoc loses the `\r` of its `\r\n`s, which the parser
/// never counts in the value. A `\r` alone ends a line ([`crate::format_with`] reads it
/// as a `\n`), so no line's own text ends in `\r`: `a\r\r\n` is `a` and a blank line.
fn push_heredoc(out: &mut String, heredoc: &str) {
    let mut lines = heredoc.split('\n').peekable();
    while let Some(line) = lines.next() {
        if lines.peek().is_none() {
            // The closing marker: the token ends right after it.
            out.push_str(line);
            break;
        }
        out.push_str(line.strip_suffix('\r').unwrap_or(line));
        out.push('\n');
    }
}

fn is_heredoc(expr: &Expr) -> bool {
    matches!(expr.kind, ExprKind::Str { heredoc: true, .. })
}

/// The width of an expression written on one line, or `None` if it cannot be (it holds a
/// heredoc).
fn flat_width(expr: &Expr, src: &str) -> Option<usize> {
    let text = |span: Span| src.get(span.start..span.end).unwrap_or_default();
    Some(match &expr.kind {
        ExprKind::Str { heredoc: true, .. } => return None,
        ExprKind::List(items) => {
            let mut w = 2 + 2 * items.len().saturating_sub(1);
            for item in items {
                w += flat_width(item, src)?;
            }
            w
        }
        ExprKind::Map(entries) if entries.is_empty() => 2,
        ExprKind::Map(entries) => {
            let mut w = 4 + 2 * entries.len().saturating_sub(1);
            for entry in entries {
                w += text(entry.key.span).chars().count() + 3 + flat_width(&entry.value, src)?;
            }
            w
        }
        ExprKind::Env(name) => 5 + text(name.span).chars().count(),
        _ => text(expr.span).chars().count(),
    })
}
