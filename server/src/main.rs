use std::process::ExitCode;

use clap::Parser;
use server::cli::{Cli, run};

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The TLS crypto provider, once for the whole process, before any client or server is built.
    server::init_crypto();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("tenantry: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("tenantry: {error:#}");
            ExitCode::FAILURE
        }
    }
}
