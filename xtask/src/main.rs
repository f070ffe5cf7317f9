//! `cargo xtask`: the project's own tasks. `provision` and `verify` arrive with issue #5; until
//! then this binary only hosts the architecture checks in [`tidy`], which run as tests.

mod tidy;

fn main() {
    eprintln!("cargo xtask: no tasks yet; `provision` and `verify` arrive with issue #5");
    std::process::exit(2);
}
