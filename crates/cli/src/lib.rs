//! The `hubecon` command: drives every stage of the workspace. The library
//! half holds the stages as functions ([`pipeline`]) so that `reproduce` and
//! the tests call them in-process; `main.rs` is the clap front.
pub mod pipeline;
pub mod progress;
