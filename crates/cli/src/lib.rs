//! The `hubecon` command: drives every stage of the workspace. The library
//! half holds the stages as functions ([`pipeline`]) and the subcommands
//! ([`cmd`]) so that `reproduce` and the tests call them in-process;
//! `main.rs` is the clap front.
pub mod cmd;
pub mod pipeline;
pub mod progress;

/// Exit code for an error: 2 for bad input (the user can fix the input),
/// 1 for anything else, failures to write an output included.
pub fn exit_code(e: &anyhow::Error) -> u8 {
    let bad_input = e.chain().any(|c| {
        c.downcast_ref::<hubecon_ingest::IngestError>()
            .is_some_and(hubecon_ingest::IngestError::is_bad_input)
            || c.downcast_ref::<UsageError>().is_some()
            || c.downcast_ref::<hubecon_dashboard::Error>()
                .is_some_and(hubecon_dashboard::Error::is_bad_input)
    });
    if bad_input { 2 } else { 1 }
}

/// A mistake in how hubecon was called, found before anything is written
/// (exit code 2, like bad input).
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// The error and its causes in one line, each said once: a cause whose text
/// the message before it already ends with (an I/O error that its wrapper
/// quotes) is left out, so no "entity not found: entity not found".
pub fn message(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if out.ends_with(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_cause_is_said_once() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "entity not found");
        let e = anyhow::Error::new(hubecon_ingest::IngestError::io("/x", io))
            .context("preparing /tmp/x");
        assert_eq!(
            message(&e),
            "preparing /tmp/x: cannot read /x: entity not found"
        );
        let plain = anyhow::anyhow!("inner").context("outer");
        assert_eq!(message(&plain), "outer: inner");
    }
}
