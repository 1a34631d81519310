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
