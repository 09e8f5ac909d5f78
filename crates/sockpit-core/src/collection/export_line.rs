//! One request as one command line, for the window's "Copy as …": `sockpit connect` (`sockpit sse`
//! for an SSE request, the `sockpit socketio|graphql` line for those), wscat, websocat or curl.
//!
//! The same rendering as the exports (`export.rs`): secrets redacted first (`share::redact`), no
//! variable resolved (`{{name}}` becomes the shell variable `${name}`), what a tool cannot do left
//! as a `#` comment line above the command.

use super::export::{auth_note, binary_b64, command, sh, sockpit_flags, target, ExportFormat};
use super::model::{Collection, Item, MessageKind, Protocol, Request};
use super::share::redact;

/// The command-line tool a request is copied for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CliFlavour {
    /// Sockpit's own CLI: `sockpit connect`, `sockpit sse`, `sockpit socketio|graphql`.
    Sockpit,
    Websocat,
    Wscat,
    /// curl: the natural client of an SSE request; a WebSocket request only connects (7.86+).
    Curl,
}

/// `r` as a command line for `flavour`, secrets redacted and variables left as references. Ends
/// with a newline; comment lines (what the command leaves out) come first.
pub fn command_line(r: &Request, flavour: CliFlavour) -> String {
    let one = Collection {
        items: vec![Item::Request(Box::new(r.clone()))],
        ..Collection::default()
    };
    let redacted = redact(&one);
    let r = match redacted.items.first() {
        Some(Item::Request(r)) => r,
        // `redact` keeps the items as they are; this arm is never taken.
        _ => return String::new(),
    };
    match flavour {
        CliFlavour::Sockpit => sockpit_command(r),
        CliFlavour::Websocat => command(ExportFormat::Websocat, r),
        CliFlavour::Wscat => command(ExportFormat::Wscat, r),
        CliFlavour::Curl => command(ExportFormat::Curl, r),
    }
}

/// `sockpit connect URL ...` / `sockpit sse URL ...` with the request's headers, subprotocols,
/// saved messages (WebSocket) or method and body (SSE), and TLS/proxy settings.
fn sockpit_command(r: &Request) -> String {
    let (url, headers) = target(r);
    let mut lines = Vec::new();
    if let Some(note) = auth_note(r) {
        lines.push(format!("# {note}"));
    }
    // Protocols only Sockpit speaks: their own subcommand (`sockpit socketio|graphql|stomp|mqtt`).
    if let Some(line) = super::export_layers::sockpit_line(r, &url, &headers, &sockpit_flags(r)) {
        lines.push(line);
        return lines.join("\n") + "\n";
    }
    let sse = r.protocol == Protocol::Sse;
    let mut cmd = format!(
        "sockpit {} {}",
        if sse { "sse" } else { "connect" },
        sh(&url)
    );
    if sse {
        if let Some(m) = &r.method {
            cmd.push_str(&format!(" -X {}", sh(m)));
        }
    }
    for (k, v) in &headers {
        cmd.push_str(&format!(" -H {}", sh(&format!("{k}: {v}"))));
    }
    if sse {
        if let Some(b) = &r.body {
            cmd.push_str(&format!(" -d {}", sh(b)));
        }
    } else {
        for p in &r.subprotocols {
            cmd.push_str(&format!(" -p {}", sh(p)));
        }
        for m in &r.messages {
            match (m.kind, binary_b64(m)) {
                (MessageKind::Hex, _) => cmd.push_str(&format!(" --send-hex {}", sh(&m.body))),
                (MessageKind::Base64, _) => {
                    cmd.push_str(&format!(" --send-base64 {}", sh(m.body.trim())))
                }
                (MessageKind::File, _) => cmd.push_str(&format!(" --send-file {}", sh(&m.body))),
                (_, None) => cmd.push_str(&format!(" --send {}", sh(&m.body))),
                (_, Some(_)) => lines.push(format!(
                    "# message '{}' is protobuf JSON: send it with --schema and --send-type",
                    m.name
                )),
            }
        }
    }
    cmd.push_str(&sockpit_flags(r));
    lines.push(cmd);
    lines.join("\n") + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collection::model::{Auth, KeyValue, SavedMessage, Settings};

    fn message(name: &str, body: &str, kind: MessageKind) -> SavedMessage {
        SavedMessage {
            name: name.into(),
            body: body.into(),
            kind,
            ..SavedMessage::default()
        }
    }

    fn request(protocol: Protocol) -> Request {
        Request {
            name: "feed".into(),
            protocol,
            url: "wss://{{host}}/feed".into(),
            headers: vec![KeyValue::new("X-Trace", "on")],
            auth: Auth::Bearer {
                token: "literal-secret-token".into(),
            },
            settings: Settings {
                insecure: Some(true),
                ..Settings::default()
            },
            ..Request::default()
        }
    }

    #[test]
    fn sockpit_connect_keeps_variables_and_never_the_secret() {
        let mut r = request(Protocol::Websocket);
        r.subprotocols = vec!["chat".into()];
        r.messages = vec![
            message("hello", "hi {{name}}", MessageKind::Text),
            message("bytes", "de ad", MessageKind::Hex),
        ];
        let line = command_line(&r, CliFlavour::Sockpit);
        assert!(
            line.starts_with("sockpit connect \"wss://${host}/feed\" -H \"X-Trace: on\""),
            "{line}"
        );
        assert!(line.contains(" -p \"chat\""), "{line}");
        assert!(line.contains(" --send \"hi ${name}\""), "{line}");
        assert!(line.contains(" --send-hex \"de ad\""), "{line}");
        assert!(line.contains(" --insecure"), "{line}");
        assert!(!line.contains("literal-secret-token"), "{line}");
        assert!(line.contains("secret not exported"), "{line}");
    }

    #[test]
    fn a_token_variable_stays_a_reference() {
        let mut r = request(Protocol::Websocket);
        r.auth = Auth::Bearer {
            token: "{{token}}".into(),
        };
        for f in [
            CliFlavour::Sockpit,
            CliFlavour::Websocat,
            CliFlavour::Wscat,
            CliFlavour::Curl,
        ] {
            let line = command_line(&r, f);
            assert!(
                line.contains("Authorization: Bearer ${token}"),
                "{f:?}: {line}"
            );
        }
    }

    #[test]
    fn each_flavour_names_its_tool() {
        let ws = request(Protocol::Websocket);
        assert!(command_line(&ws, CliFlavour::Websocat).contains("websocat"));
        assert!(command_line(&ws, CliFlavour::Wscat).contains("wscat -c"));
        assert!(command_line(&ws, CliFlavour::Curl).contains("curl --no-buffer --include"));
        let mut sse = request(Protocol::Sse);
        sse.url = "https://{{host}}/events".into();
        sse.method = Some("POST".into());
        sse.body = Some("{}".into());
        let line = command_line(&sse, CliFlavour::Sockpit);
        assert!(
            line.starts_with("sockpit sse \"https://${host}/events\" -X \"POST\""),
            "{line}"
        );
        assert!(line.contains(" -d \"{}\""), "{line}");
        assert!(command_line(&sse, CliFlavour::Curl).contains("Accept: text/event-stream"));
    }

    #[test]
    fn a_socketio_request_gets_sockpits_own_line() {
        let mut r = request(Protocol::Socketio);
        r.url = "http://{{host}}".into();
        let line = command_line(&r, CliFlavour::Sockpit);
        assert!(
            line.contains("sockpit socketio \"http://${host}\""),
            "{line}"
        );
    }

    #[test]
    fn stomp_and_mqtt_requests_get_sockpits_own_line_not_connect() {
        for (p, cmd) in [
            (Protocol::Stomp, "sockpit stomp"),
            (Protocol::Mqtt, "sockpit mqtt"),
        ] {
            let mut r = request(p);
            r.url = "ws://{{host}}/b".into();
            let line = command_line(&r, CliFlavour::Sockpit);
            assert!(
                line.contains(&format!("{cmd} \"ws://${{host}}/b\"")),
                "{line}"
            );
            assert!(!line.contains("sockpit connect"), "{line}");
            assert!(
                !line.contains("cannot speak"),
                "no other tool's note: {line}"
            );
        }
    }
}
