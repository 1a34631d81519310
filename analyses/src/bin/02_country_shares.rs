//! Analysis 02: see `hubecon_analyses::registry`.
fn main() -> std::process::ExitCode {
    hubecon_analyses::main_for("02")
}
