//! The request path a policy is checked against, from a path as users copy it.

/// `asked` as the server's ACL sees it: a request's URL or its `/v1/` path loses the
/// address and the API prefix (no policy names `v1/...`; a bare `v1/...` stays, as it may
/// be a mount of that name), any path its query and fragment (a `?` or `#` in a request's
/// path is always percent-encoded, so these never belong to it), and `.`, `..` and empty segments are
/// resolved as the server's HTTP mux redirects them (`secret/a/../b` is answered at
/// `secret/b`), a trailing `/` kept. Blanks around it are not part of it (copied with the
/// path; QA: the playground trimmed them and the CLI did not).
pub fn request_path(asked: &str) -> String {
    let asked = asked.trim();
    let (after_host, from_root) = match asked.split_once("://") {
        Some((_, rest)) => (
            rest.find('/').and_then(|i| rest.get(i..)).unwrap_or(""),
            true,
        ),
        None => (asked, asked.starts_with('/')),
    };
    let path = after_host.split(['?', '#']).next().unwrap_or(after_host);
    let path = match path.trim_start_matches('/').strip_prefix("v1/") {
        Some(rest) if from_root => rest,
        _ => path,
    };
    let mut segments: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            s => segments.push(s),
        }
    }
    let mut out = segments.join("/");
    let dir = path.ends_with('/') || path.ends_with("/.") || path.ends_with("/..");
    if dir && !out.is_empty() {
        out.push('/');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::request_path;

    #[test]
    fn paths_copied_from_requests_are_read_as_the_server_routes_them() {
        for (given, asked) in [
            ("secret/data/app", "secret/data/app"),
            ("  secret/data/app \t", "secret/data/app"),
            ("/v1/secret/data/app", "secret/data/app"),
            (
                "https://bao.example.com:8200/v1/secret/data/app?version=2",
                "secret/data/app",
            ),
            ("/secret/data/app", "secret/data/app"),
            ("v1/secret", "v1/secret"),
            ("secret/data/app?version=2", "secret/data/app"),
            ("secret/data/app#top", "secret/data/app"),
            ("secret/data/?list=true", "secret/data/"),
            ("secret/metadata/", "secret/metadata/"),
            ("secret/data/models/../x", "secret/data/x"),
            ("secret/./data//x", "secret/data/x"),
            ("secret/data/a/..", "secret/data/"),
            ("../../secret", "secret"),
            ("", ""),
        ] {
            assert_eq!(request_path(given), asked, "{given}");
        }
    }
}
