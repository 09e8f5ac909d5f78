//! `sockpit`: the command-line face of Sockpit's engine (see `sockpit --help`).

// First: its `signals_help!` macro is used by the help texts of the modules below.
#[macro_use]
mod interrupt;

mod args;
mod auth_args;
mod collections;
mod compare_cmd;
mod connect;
mod connect_proto;
mod connect_script;
mod graphql_cmd;
mod import_cmd;
mod layer_out;
mod layer_script;
mod load_cmd;
mod load_saved;
mod logging;
mod mqtt_cmd;
mod outcome;
mod output;
mod proto_cmd;
mod run_cmd;
mod secret_cmd;
mod serve;
mod socketio_cmd;
mod sse_cmd;
mod stomp_cmd;

use clap::{CommandFactory, FromArgMatches};

/// Exit statuses (design §5).
pub mod exit {
    pub const OK: i32 = 0;
    pub const FAILURE: i32 = 1;
    pub const USAGE: i32 = 2;
    pub const TIMEOUT: i32 = 3;
}

/// A closed stdout (`sockpit run FILE | head -1`) ends the process quietly, as it ends `cat`,
/// instead of a panic in `println!` (Rust ignores SIGPIPE, so the write fails with EPIPE).
/// Sockets are unaffected: std and mio write them with `MSG_NOSIGNAL` (Linux) or set
/// `SO_NOSIGPIPE` (macOS), so a peer that goes away is still an error, not a signal.
#[cfg(unix)]
fn default_sigpipe() {
    // SAFETY: called first in `main`, before any other thread exists; `SIG_DFL` is a valid
    // disposition for SIGPIPE and the call touches no Rust memory.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

fn main() {
    sockpit_core::allocator::tune_for_large_messages();
    #[cfg(unix)]
    default_sigpipe();
    let matches = args::Cli::command().get_matches();
    let cli = match args::Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    logging::init(cli.verbose);
    // `sockpit load` runs many sessions at once: a multi-thread runtime (one worker per core);
    // every other subcommand drives one or two sessions and stays on the current thread.
    let mut builder = if matches!(cli.command, args::Command::Load(_)) {
        tokio::runtime::Builder::new_multi_thread()
    } else {
        tokio::runtime::Builder::new_current_thread()
    };
    let runtime = match builder.enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("sockpit: error: cannot start the async runtime: {e}");
            std::process::exit(exit::FAILURE);
        }
    };
    let code = runtime.block_on(async {
        match cli.command {
            args::Command::Connect(a) => {
                let sub = matches.subcommand_matches("connect");
                connect::run(*a, sub).await
            }
            args::Command::Graphql(a) => graphql_cmd::run(*a).await,
            args::Command::Mqtt(a) => mqtt_cmd::run(*a).await,
            args::Command::Socketio(a) => socketio_cmd::run(*a).await,
            args::Command::Stomp(a) => stomp_cmd::run(*a).await,
            args::Command::Serve(a) => serve::run(a).await,
            args::Command::Proto(a) => proto_cmd::run(a),
            args::Command::Sse(a) => sse_cmd::run(*a).await,
            args::Command::Run(a) => run_cmd::run(*a, cli.data_dir.as_deref()).await,
            args::Command::Import(a) => import_cmd::import(a, cli.data_dir.as_deref()),
            args::Command::Export(a) => import_cmd::export_cmd(a, cli.data_dir.as_deref()),
            args::Command::Compare(a) => compare_cmd::run(*a).await,
            args::Command::Load(a) => load_cmd::run(*a, cli.data_dir.as_deref()).await,
            args::Command::Secret(a) => secret_cmd::run(a, cli.data_dir.as_deref()),
        }
    });
    // Exit without waiting for the blocking stdin reader thread.
    std::process::exit(code);
}
