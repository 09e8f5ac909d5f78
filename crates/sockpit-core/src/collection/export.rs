//! Exporters: a k6 script, and wscat, websocat and curl command lines.
//!
//! Nothing is resolved and no secret is written: `{{name}}` becomes a shell variable `${name}`
//! (k6: `${__ENV.name}`, so `k6 run -e name=value`), and the four dynamic values become the
//! shell's or JavaScript's own (`$(uuidgen ...)`, `$(date +%s)`, ...). The CA file, skip-verify and
//! proxy settings become the tool's flags where it has one. What a tool cannot do (wscat and
//! websocat sending binary, curl sending at all, k6 and SSE, a CA file for websocat) is written as
//! a comment.

use base64::Engine;

use super::model::{Auth, Collection, KeyValue, MessageKind, Protocol, Request, SavedMessage};
use super::share::redact;

/// The formats `sockpit export --format` names besides `sockpit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    K6,
    Wscat,
    Websocat,
    Curl,
}

/// Pieces of a templated string: literal text or a variable reference.
enum Part<'a> {
    Lit(&'a str),
    Var(&'a str),
}

fn parts(s: &str) -> Vec<Part<'_>> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(start) = rest.find("{{") {
        let Some(end) = rest[start + 2..].find("}}") else {
            break;
        };
        if start > 0 {
            out.push(Part::Lit(&rest[..start]));
        }
        out.push(Part::Var(rest[start + 2..start + 2 + end].trim()));
        rest = &rest[start + 2 + end + 2..];
    }
    if !rest.is_empty() {
        out.push(Part::Lit(rest));
    }
    out
}

fn ident(name: &str) -> String {
    let mut s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.chars().next().is_none_or(|c| c.is_ascii_digit()) {
        s.insert(0, '_');
    }
    s
}

/// A double-quoted shell word with variables as `${name}`.
pub(super) fn sh(s: &str) -> String {
    let mut out = String::from("\"");
    for p in parts(s) {
        match p {
            Part::Lit(l) => {
                for c in l.chars() {
                    if matches!(c, '"' | '\\' | '$' | '`') {
                        out.push('\\');
                    }
                    out.push(c);
                }
            }
            Part::Var(v) => out.push_str(&match v {
                "$uuid" => "$(uuidgen 2>/dev/null || cat /proc/sys/kernel/random/uuid)".to_string(),
                "$timestamp" => "$(date +%s)".to_string(),
                "$isoTimestamp" => "$(date -u +%Y-%m-%dT%H:%M:%S.000Z)".to_string(),
                "$randomInt" => "$((RANDOM % 1001))".to_string(),
                name => format!("${{{}}}", ident(name)),
            }),
        }
    }
    out.push('"');
    out
}

/// A JavaScript template literal with variables as `${__ENV.name}`.
pub(super) fn js(s: &str) -> String {
    let mut out = String::from("`");
    for p in parts(s) {
        match p {
            Part::Lit(l) => {
                for c in l.chars() {
                    match c {
                        '`' | '\\' => {
                            out.push('\\');
                            out.push(c);
                        }
                        '$' => out.push_str("\\$"),
                        c => out.push(c),
                    }
                }
            }
            Part::Var(v) => out.push_str(&match v {
                "$uuid" => "${uuid()}".to_string(),
                "$timestamp" => "${Math.floor(Date.now() / 1000)}".to_string(),
                "$isoTimestamp" => "${new Date().toISOString()}".to_string(),
                "$randomInt" => "${Math.floor(Math.random() * 1001)}".to_string(),
                name if ident(name) == name => format!("${{__ENV.{name}}}"),
                name => format!("${{__ENV[{}]}}", serde_json::Value::from(name)),
            }),
        }
    }
    out.push('`');
    out
}

/// Headers including auth, after redaction; the URL with enabled params appended.
pub(super) fn target(r: &Request) -> (String, Vec<(String, String)>) {
    let mut url = r.url.clone();
    let mut query: Vec<&KeyValue> = r.params.iter().filter(|p| p.enabled).collect();
    let api_query;
    match &r.auth {
        Auth::ApiKey {
            name,
            value,
            location,
        } if location == "query" => {
            api_query = KeyValue::new(name.clone(), value.clone());
            query.push(&api_query);
        }
        Auth::QueryToken { name, token } => {
            api_query = KeyValue::new(name.clone(), token.clone());
            query.push(&api_query);
        }
        _ => {}
    }
    for (i, q) in query.iter().enumerate() {
        let sep = if i == 0 && !url.contains('?') {
            '?'
        } else {
            '&'
        };
        url.push_str(&format!("{sep}{}={}", q.name, q.value));
    }
    let mut headers: Vec<(String, String)> = r
        .headers
        .iter()
        .filter(|h| h.enabled)
        .map(|h| (h.name.clone(), h.value.clone()))
        .collect();
    match &r.auth {
        Auth::Bearer { token } => headers.push(("Authorization".into(), format!("Bearer {token}"))),
        Auth::Basic { username, password } => headers.push((
            "Authorization".into(),
            // Basic needs the pair encoded; with variables that can only happen at run time.
            if username.contains("{{") || password.contains("{{") {
                "Basic {{basic_credentials_base64}}".to_string()
            } else {
                format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD
                        .encode(format!("{username}:{password}"))
                )
            },
        )),
        Auth::ApiKey {
            name,
            value,
            location,
        } if location != "query" => headers.push((name.clone(), value.clone())),
        _ => {}
    }
    (url, headers)
}

/// What the exported command leaves out of the request's auth, when it cannot do it.
pub(super) fn auth_note(r: &Request) -> Option<String> {
    let what = match &r.auth {
        Auth::SubprotocolToken { .. } => "a token offered as a subprotocol",
        Auth::FirstMessage { .. } => "first-message auth (send the auth message first)",
        Auth::CookieLogin { .. } => "a cookie login before connecting",
        Auth::Ticket { .. } => "a ticket fetched before connecting",
        Auth::Oauth2ClientCredentials { .. } => "an OAuth2 client-credentials token",
        Auth::ClientCertificate { .. } => "a TLS client certificate",
        _ => return None,
    };
    Some(format!(
        "auth '{}': {what} is not part of this command; `sockpit run` does it",
        r.auth.type_name()
    ))
}

pub(super) fn binary_b64(m: &SavedMessage) -> Option<Result<String, String>> {
    match m.kind {
        MessageKind::Hex => Some(
            crate::payload::parse_hex(&m.body)
                .map(|b| base64::engine::general_purpose::STANDARD.encode(b))
                .map_err(|e| e.to_string()),
        ),
        MessageKind::Base64 => Some(Ok(m.body.trim().to_string())),
        MessageKind::File | MessageKind::Protobuf => Some(Err(format!(
            "{} messages are not exported",
            m.kind.as_str()
        ))),
        _ => None,
    }
}

/// All requests (or only `only`) of a collection in `format`, secrets redacted.
pub fn export(c: &Collection, format: ExportFormat, only: Option<&str>) -> String {
    let c = redact(c);
    let requests: Vec<(Vec<String>, &Request)> = super::model::requests_with_path(&c.items)
        .into_iter()
        .filter(|(_, r)| only.is_none_or(|n| r.name == n))
        .collect();
    match format {
        ExportFormat::K6 => k6(&c.name, &requests),
        _ => {
            let mut out = format!(
                "# Sockpit collection '{}' as {}\n",
                c.name,
                match format {
                    ExportFormat::Wscat => "wscat commands",
                    ExportFormat::Websocat => "websocat commands",
                    _ => "curl commands",
                }
            );
            let vars = used_vars(&requests);
            if !vars.is_empty() {
                out.push_str(&format!(
                    "# set first: {}\n",
                    vars.iter()
                        .map(|v| format!("{}=...", ident(v)))
                        .collect::<Vec<_>>()
                        .join(" ")
                ));
            }
            for (path, r) in &requests {
                let mut name = path.clone();
                name.push(r.name.clone());
                out.push_str(&format!("\n# {}\n", name.join(" / ")));
                out.push_str(&command(format, r));
            }
            out
        }
    }
}

fn used_vars(requests: &[(Vec<String>, &Request)]) -> Vec<String> {
    let mut vars: Vec<String> = Vec::new();
    for (_, r) in requests {
        let json = serde_json::to_string(r).unwrap_or_default();
        for p in parts(&json) {
            if let Part::Var(v) = p {
                if !v.starts_with('$') && !vars.iter().any(|x| x == v) {
                    vars.push(v.to_string());
                }
            }
        }
    }
    vars
}

/// The proxy's scheme and the rest of it (`http`, `[user:pass@]host:port`).
fn proxy_parts(proxy: &str) -> (&str, &str) {
    proxy.split_once("://").unwrap_or(("http", proxy))
}

/// The tool's flags for `settings.ca_file`, `insecure` and `proxy` (each with a leading space);
/// what the tool has no flag for becomes a comment in `lines`. `deflate_params` has no
/// counterpart in these tools and is left out.
fn transport_flags(format: ExportFormat, r: &Request, lines: &mut Vec<String>) -> String {
    let s = &r.settings;
    let ca = s
        .ca_file
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    let insecure = s.insecure == Some(true);
    let proxy = s.proxy.as_deref().map(str::trim).filter(|p| !p.is_empty());
    let mut flags = String::new();
    let curl = format == ExportFormat::Curl || r.protocol == Protocol::Sse;
    if curl {
        if let Some(ca) = ca {
            flags.push_str(&format!(" --cacert {}", sh(ca)));
        }
        if insecure {
            flags.push_str(" --insecure");
        }
        if let Some(p) = proxy {
            flags.push_str(&format!(" --proxy {}", sh(p)));
            // Sockpit tunnels a WebSocket through an HTTP proxy with CONNECT, also for ws://.
            if r.protocol == Protocol::Websocket && proxy_parts(p).0 == "http" {
                flags.push_str(" --proxytunnel");
            }
        }
        return flags;
    }
    match format {
        ExportFormat::Wscat => {
            if let Some(ca) = ca {
                flags.push_str(&format!(" --ca {}", sh(ca)));
            }
            if insecure {
                flags.push_str(" --no-check");
            }
            match proxy {
                Some(p) if proxy_parts(p).0 == "http" => {
                    flags.push_str(&format!(" --proxy {}", sh(p)));
                }
                Some(_) => lines.push("# settings.proxy: wscat takes only HTTP proxies".into()),
                None => {}
            }
        }
        ExportFormat::Websocat => {
            if ca.is_some() {
                lines.push(
                    "# settings.ca_file: websocat has no option for an extra CA;                      add it to the system's trust store"
                        .into(),
                );
            }
            if insecure {
                flags.push_str(" --insecure");
            }
            if let Some(p) = proxy {
                let (scheme, rest) = proxy_parts(p);
                let (userinfo, addr) = match rest.split('/').next().unwrap_or(rest).rsplit_once('@')
                {
                    Some((u, a)) => (Some(u), a),
                    None => (None, rest.split('/').next().unwrap_or(rest)),
                };
                if scheme.starts_with("socks5") {
                    flags.push_str(&format!(" --socks5 {}", sh(addr)));
                    if userinfo.is_some() {
                        lines.push(
                            "# settings.proxy: the proxy's credentials are not part of this command"
                                .into(),
                        );
                    }
                } else {
                    lines.push("# settings.proxy: websocat takes only SOCKS5 proxies".into());
                }
            }
        }
        _ => {}
    }
    flags
}

/// `sockpit`'s own flags for `settings.ca_file`, `insecure` and `proxy`.
pub(super) fn sockpit_flags(r: &Request) -> String {
    let s = &r.settings;
    let mut flags = String::new();
    if let Some(ca) = s
        .ca_file
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        flags.push_str(&format!(" --cacert {}", sh(ca)));
    }
    if s.insecure == Some(true) {
        flags.push_str(" --insecure");
    }
    if let Some(p) = s.proxy.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        flags.push_str(&format!(" --proxy {}", sh(p)));
    }
    flags
}

pub(super) fn command(format: ExportFormat, r: &Request) -> String {
    let (url, headers) = target(r);
    let mut lines = Vec::new();
    if let Some(note) = auth_note(r) {
        lines.push(format!("# {note}"));
    }
    if let Some(line) = super::export_layers::sockpit_line(r, &url, &headers, &sockpit_flags(r)) {
        let tool = match format {
            ExportFormat::Wscat => "wscat",
            ExportFormat::Websocat => "websocat",
            ExportFormat::Curl | ExportFormat::K6 => "curl",
        };
        lines.push(format!(
            "# a {} request: {tool} cannot speak it; with Sockpit's CLI:",
            r.protocol.as_str()
        ));
        lines.push(line);
        return lines.join("\n") + "\n";
    }
    let transport = transport_flags(format, r, &mut lines);
    let mut cmd = String::new();
    match (format, r.protocol) {
        (ExportFormat::Curl, Protocol::Sse) | (_, Protocol::Sse) => {
            if format != ExportFormat::Curl {
                lines.push("# an SSE request: shown as curl".to_string());
            }
            cmd.push_str("curl --no-buffer -H 'Accept: text/event-stream'");
            if let Some(m) = &r.method {
                cmd.push_str(&format!(" -X {}", sh(m)));
            }
            for (k, v) in &headers {
                cmd.push_str(&format!(" -H {}", sh(&format!("{k}: {v}"))));
            }
            if let Some(b) = &r.body {
                cmd.push_str(&format!(" --data-raw {}", sh(b)));
            }
            cmd.push_str(&transport);
            cmd.push_str(&format!(" {}", sh(&url)));
        }
        (ExportFormat::Wscat, _) => {
            cmd.push_str(&format!("wscat -c {}", sh(&url)));
            for (k, v) in &headers {
                cmd.push_str(&format!(" -H {}", sh(&format!("{k}: {v}"))));
            }
            for p in &r.subprotocols {
                cmd.push_str(&format!(" -s {}", sh(p)));
            }
            cmd.push_str(&transport);
            for m in &r.messages {
                match binary_b64(m) {
                    None => cmd.push_str(&format!(" -x {}", sh(&m.body))),
                    Some(_) => lines.push(format!(
                        "# message '{}' is binary: wscat cannot send it",
                        m.name
                    )),
                }
            }
            if !r.messages.is_empty() {
                cmd.push_str(" -w 2");
            }
        }
        (ExportFormat::Websocat, _) => {
            let texts: Vec<String> = r
                .messages
                .iter()
                .filter_map(|m| match binary_b64(m) {
                    None => Some(sh(&m.body)),
                    Some(_) => {
                        lines.push(format!(
                            "# message '{}' is binary: send it with websocat -b",
                            m.name
                        ));
                        None
                    }
                })
                .collect();
            if !texts.is_empty() {
                cmd.push_str(&format!("printf '%s\\n' {} | ", texts.join(" ")));
            }
            cmd.push_str("websocat");
            for (k, v) in &headers {
                cmd.push_str(&format!(" -H={}", sh(&format!("{k}: {v}"))));
            }
            for p in &r.subprotocols {
                cmd.push_str(&format!(" --protocol {}", sh(p)));
            }
            cmd.push_str(&transport);
            cmd.push_str(&format!(" {}", sh(&url)));
        }
        (ExportFormat::Curl, Protocol::Websocket) => {
            if !r.messages.is_empty() {
                lines.push("# curl (7.86+) connects and prints what arrives; it cannot send the saved messages".into());
            }
            cmd.push_str("curl --no-buffer --include");
            for (k, v) in &headers {
                cmd.push_str(&format!(" -H {}", sh(&format!("{k}: {v}"))));
            }
            if !r.subprotocols.is_empty() {
                cmd.push_str(&format!(
                    " -H {}",
                    sh(&format!(
                        "Sec-WebSocket-Protocol: {}",
                        r.subprotocols.join(", ")
                    ))
                ));
            }
            cmd.push_str(&transport);
            cmd.push_str(&format!(" {}", sh(&url)));
        }
        (ExportFormat::K6, _)
        | (_, Protocol::Socketio | Protocol::Graphql | Protocol::Stomp | Protocol::Mqtt) => {}
    }
    lines.push(cmd);
    lines.join("\n") + "\n"
}

/// What k6 does for `settings.ca_file`, `insecure` and `proxy` outside the script.
fn k6_transport_notes(r: &Request) -> Vec<String> {
    let s = &r.settings;
    let mut notes = Vec::new();
    if s.ca_file.as_deref().is_some_and(|c| !c.trim().is_empty()) {
        notes.push("settings.ca_file: k6 trusts the system's CAs only; add it there".to_string());
    }
    if s.insecure == Some(true) {
        notes.push("settings.insecure: run with the option insecureSkipTLSVerify: true".into());
    }
    if s.proxy.as_deref().is_some_and(|p| !p.trim().is_empty()) {
        notes.push("settings.proxy: set HTTPS_PROXY/HTTP_PROXY when running k6".into());
    }
    notes
}

fn k6(name: &str, requests: &[(Vec<String>, &Request)]) -> String {
    let vars = used_vars(requests);
    let mut s = format!(
        "// Sockpit collection {} as a k6 WebSocket scenario.\n",
        serde_json::Value::from(name)
    );
    s.push_str(&format!(
        "// Run: k6 run{} script.js\n",
        vars.iter()
            .map(|v| format!(" -e {v}=..."))
            .collect::<String>()
    ));
    s.push_str("import ws from 'k6/ws';\nimport { check } from 'k6';\nimport encoding from 'k6/encoding';\n\n");
    s.push_str("export const options = { vus: 1, iterations: 1 };\n\n");
    s.push_str("function uuid() {\n  return 'xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx'.replace(/[xy]/g, (c) => {\n    const r = (Math.random() * 16) | 0;\n    return (c === 'x' ? r : (r & 0x3) | 0x8).toString(16);\n  });\n}\n\n");
    s.push_str("export default function () {\n");
    for (path, r) in requests {
        let mut full = path.clone();
        full.push(r.name.clone());
        let label = full.join(" / ");
        s.push_str(&format!("  // {label}\n"));
        if r.protocol == Protocol::Sse {
            s.push_str("  // an SSE request: k6 has no SSE client; skipped\n\n");
            continue;
        }
        let (url, headers) = target(r);
        if matches!(
            r.protocol,
            Protocol::Socketio | Protocol::Stomp | Protocol::Mqtt
        ) {
            let line = super::export_layers::sockpit_line(r, &url, &headers, &sockpit_flags(r))
                .unwrap_or_default();
            s.push_str(&super::export_layers::k6_block(r, &line).unwrap_or_default());
            continue;
        }
        if let Some(note) = auth_note(r) {
            s.push_str(&format!("  // {note}\n"));
        }
        for note in k6_transport_notes(r) {
            s.push_str(&format!("  // {note}\n"));
        }
        s.push_str("  {\n");
        s.push_str(&format!("    const url = {};\n", js(&url)));
        s.push_str("    const params = { headers: {");
        let hs: Vec<String> = headers
            .iter()
            .map(|(k, v)| format!(" {}: {}", serde_json::Value::from(k.as_str()), js(v)))
            .collect();
        s.push_str(&hs.join(","));
        s.push_str(if hs.is_empty() { "}" } else { " }" });
        if !r.subprotocols.is_empty() {
            s.push_str(&format!(
                ", subprotocols: [{}]",
                r.subprotocols
                    .iter()
                    .map(|p| js(p))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        s.push_str(" };\n");
        if r.protocol == Protocol::Graphql {
            s.push_str(&super::export_layers::k6_block(r, "").unwrap_or_default());
            s.push_str("  }\n\n");
            continue;
        }
        s.push_str("    const received = [];\n");
        s.push_str("    const res = ws.connect(url, params, function (socket) {\n");
        s.push_str("      socket.on('open', function () {\n");
        let mut at: u64 = 0;
        for m in &r.messages {
            at += m.delay_ms.unwrap_or(0);
            let send = match binary_b64(m) {
                None => format!("socket.send({});", js(&m.body)),
                Some(Ok(b64)) => format!(
                    "socket.sendBinary(encoding.b64decode({}));",
                    serde_json::Value::from(b64)
                ),
                Some(Err(why)) => format!("// message '{}': {why}", m.name),
            };
            if at == 0 {
                s.push_str(&format!("        {send}\n"));
            } else {
                s.push_str(&format!(
                    "        socket.setTimeout(function () {{ {send} }}, {at});\n"
                ));
            }
        }
        let timeout = r.settings.timeout_ms.unwrap_or(10_000).max(at + 1000);
        s.push_str(&format!(
            "        socket.setTimeout(function () {{ socket.close(); }}, {timeout});\n"
        ));
        s.push_str("      });\n");
        s.push_str("      socket.on('message', function (data) { received.push(data); });\n");
        s.push_str("    });\n");
        s.push_str(&format!(
            "    check(res, {{ {}: (r) => r && r.status === 101 }});\n",
            serde_json::Value::from(format!("{label}: connected"))
        ));
        for a in &r.assertions {
            let cond = match a {
                super::model::Assertion::Contains { value, event: None } => Some(format!(
                    "received.some((m) => m.includes({}))",
                    serde_json::Value::from(value.as_str())
                )),
                super::model::Assertion::Equals { value, event: None } => Some(format!(
                    "received.some((m) => m === {})",
                    serde_json::Value::from(value.as_str())
                )),
                super::model::Assertion::Matches {
                    pattern,
                    event: None,
                } => Some(format!(
                    "received.some((m) => new RegExp({}).test(m))",
                    serde_json::Value::from(pattern.as_str())
                )),
                super::model::Assertion::Count {
                    min, event: None, ..
                } => Some(format!("received.length >= {min}")),
                _ => None,
            };
            match cond {
                Some(cond) => s.push_str(&format!(
                    "    check(received, {{ {}: () => {cond} }});\n",
                    serde_json::Value::from(format!("{label}: {}", a.describe()))
                )),
                None => s.push_str(&format!("    // not checked in k6: {}\n", a.describe())),
            }
        }
        s.push_str("  }\n\n");
    }
    s.push_str("}\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collection::model::{Item, Settings};

    fn collection(protocol: Protocol, proxy: &str) -> Collection {
        Collection {
            name: "C".into(),
            items: vec![Item::Request(Box::new(Request {
                name: "R".into(),
                protocol,
                url: "wss://example.com/".into(),
                settings: Settings {
                    ca_file: Some("certs/ca.pem".into()),
                    insecure: Some(true),
                    proxy: Some(proxy.into()),
                    deflate_params: Some("client_no_context_takeover".into()),
                    ..Settings::default()
                },
                ..Request::default()
            }))],
            ..Collection::default()
        }
    }

    #[test]
    fn transport_settings_become_each_tools_flags() {
        let http = collection(Protocol::Websocket, "http://{{proxy_host}}:3128");
        let curl = export(&http, ExportFormat::Curl, None);
        assert!(
            curl.contains(
                " --cacert \"certs/ca.pem\" --insecure --proxy \"http://${proxy_host}:3128\" --proxytunnel \"wss://example.com/\""
            ),
            "{curl}"
        );
        let wscat = export(&http, ExportFormat::Wscat, None);
        assert!(
            wscat.contains(
                " --ca \"certs/ca.pem\" --no-check --proxy \"http://${proxy_host}:3128\""
            ),
            "{wscat}"
        );
        let websocat = export(&http, ExportFormat::Websocat, None);
        assert!(
            websocat.contains("websocat --insecure \"wss://"),
            "{websocat}"
        );
        assert!(
            websocat.contains("# settings.ca_file: websocat has no option"),
            "{websocat}"
        );
        assert!(
            websocat.contains("# settings.proxy: websocat takes only SOCKS5"),
            "{websocat}"
        );

        let socks = collection(Protocol::Websocket, "socks5h://me:{{pw}}@127.0.0.1:1080");
        let websocat = export(&socks, ExportFormat::Websocat, None);
        assert!(
            websocat.contains(" --socks5 \"127.0.0.1:1080\""),
            "{websocat}"
        );
        assert!(websocat.contains("credentials are not part"), "{websocat}");
        let wscat = export(&socks, ExportFormat::Wscat, None);
        assert!(!wscat.contains("--proxy"), "{wscat}");
        assert!(
            wscat.contains("# settings.proxy: wscat takes only HTTP"),
            "{wscat}"
        );

        let k6 = export(&http, ExportFormat::K6, None);
        assert!(k6.contains("insecureSkipTLSVerify"), "{k6}");
        assert!(k6.contains("HTTPS_PROXY"), "{k6}");

        // SSE is shown as curl: a plain proxy there, no tunnel.
        let sse = export(
            &collection(Protocol::Sse, "http://p:3128"),
            ExportFormat::Curl,
            None,
        );
        assert!(sse.contains(" --proxy \"http://p:3128\" \"wss://"), "{sse}");
        assert!(!sse.contains("--proxytunnel"), "{sse}");
    }

    #[test]
    fn a_literal_proxy_password_never_reaches_a_command() {
        let c = collection(Protocol::Websocket, "http://me:hunter2@proxy:3128");
        for f in [
            ExportFormat::K6,
            ExportFormat::Wscat,
            ExportFormat::Websocat,
            ExportFormat::Curl,
        ] {
            let text = export(&c, f, None);
            assert!(!text.contains("hunter2"), "{f:?}:\n{text}");
        }
    }
}
