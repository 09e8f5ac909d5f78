//! `sockpit serve`: runs the built-in mock server until interrupted.

use std::io::Write;

use crate::args::ServeArgs;
use crate::exit;

/// Reads the TLS files named by the flags; a missing file is a usage error naming the flag.
fn tls_settings(args: &ServeArgs) -> Result<Option<sockpit_mock::TlsSettings>, String> {
    let (Some(cert), Some(key)) = (&args.tls_cert, &args.tls_key) else {
        return Ok(None);
    };
    let read = |flag: &str, p: &std::path::Path| {
        std::fs::read_to_string(p).map_err(|e| format!("{flag} {}: cannot read: {e}", p.display()))
    };
    Ok(Some(sockpit_mock::TlsSettings {
        cert_pem: read("--tls-cert", cert)?,
        key_pem: read("--tls-key", key)?,
        client_ca_pem: args
            .client_ca
            .as_deref()
            .map(|p| read("--client-ca", p))
            .transpose()?,
    }))
}

pub async fn run(args: ServeArgs) -> i32 {
    let tls = match tls_settings(&args) {
        Ok(t) => t,
        Err(msg) => {
            eprintln!("sockpit: error: {msg}");
            return exit::USAGE;
        }
    };
    let started = match tls {
        Some(t) => sockpit_mock::MockServer::start_tls(&args.host, args.port, t).await,
        None => sockpit_mock::MockServer::start(&args.host, args.port).await,
    };
    let server = match started {
        Ok(s) => s,
        Err(e) if e.kind() == std::io::ErrorKind::InvalidInput => {
            eprintln!("sockpit: error: TLS settings: {e}");
            return exit::USAGE;
        }
        Err(e) => {
            // The way out depends on what failed: a taken port, or a host that is not this
            // machine's (a name that does not resolve, an address no interface has).
            let hint = match e.kind() {
                std::io::ErrorKind::AddrInUse | std::io::ErrorKind::PermissionDenied => {
                    "pick another --port, or 0 for any free one"
                }
                _ => "give --host as an address of this machine, e.g. 127.0.0.1 or 0.0.0.0",
            };
            eprintln!(
                "sockpit: error: cannot listen on {}:{}: {e} ({hint})",
                args.host, args.port
            );
            return exit::FAILURE;
        }
    };
    let mut out = std::io::stdout();
    let _ = writeln!(out, "listening on {}", server.http_url());
    let _ = out.flush();
    let mut signals = crate::interrupt::Interrupts::listen();
    tokio::select! {
        r = server.wait() => match r {
            Ok(()) => exit::OK,
            Err(e) => {
                eprintln!("sockpit: error: server stopped: {e}");
                exit::FAILURE
            }
        },
        // Stopping is a server's normal end: status 0 (a second signal exits at once, 130/143).
        _ = signals.first() => exit::OK,
    }
}
