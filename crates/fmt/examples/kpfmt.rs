//! Formats the file named on the command line to standard output (a quick look; the
//! real command is `keyplan fmt`).
fn main() {
    let Some(path) = std::env::args().nth(1) else {
        return eprintln!("usage: kpfmt FILE");
    };
    match std::fs::read_to_string(&path).map(|s| kp_fmt::format(&s)) {
        Ok(Ok(out)) => print!("{out}"),
        Ok(Err(diags)) => diags
            .iter()
            .for_each(|d| eprintln!("{}: {}", d.code, d.message)),
        Err(e) => eprintln!("{path}: {e}"),
    }
}
