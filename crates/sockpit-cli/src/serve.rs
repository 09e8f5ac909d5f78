//! `sockpit serve`: runs the built-in mock server until interrupted.

use std::io::Write;

use crate::args::ServeArgs;
use crate::exit;

pub async fn run(args: ServeArgs) -> i32 {
    let server = match sockpit_mock::MockServer::start(&args.host, args.port).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!(
                "sockpit: error: cannot listen on {}:{}: {e} (pick another --port, or 0 for any free one)",
                args.host, args.port
            );
            return exit::FAILURE;
        }
    };
    let mut out = std::io::stdout();
    let _ = writeln!(out, "listening on {}", server.http_url());
    let _ = out.flush();
    tokio::select! {
        r = server.wait() => match r {
            Ok(()) => exit::OK,
            Err(e) => {
                eprintln!("sockpit: error: server stopped: {e}");
                exit::FAILURE
            }
        },
        _ = shutdown_signal() => exit::OK,
    }
}

async fn shutdown_signal() {
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(s) => s,
        Err(_) => return std::future::pending().await,
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}
