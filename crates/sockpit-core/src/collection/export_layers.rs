//! Exports of Socket.IO, GraphQL, STOMP and MQTT requests: wscat, websocat and curl cannot speak
//! these protocols, so those formats get an honest comment and the `sockpit socketio` / `sockpit graphql`
//! line that does the same; k6 gets a GraphQL (graphql-transport-ws) scenario over `k6/ws`, and a
//! comment with that line for Socket.IO, which k6 has no client for.

use super::export::{js, sh};
use super::model::{Protocol, Request};

/// The `sockpit socketio|graphql` command line for a protocol request (`None` for others).
/// `url` and `headers` come after redaction; `transport` holds Sockpit's own TLS/proxy flags.
pub(super) fn sockpit_line(
    r: &Request,
    url: &str,
    headers: &[(String, String)],
    transport: &str,
) -> Option<String> {
    let mut cmd = match r.protocol {
        Protocol::Socketio => socketio_args(r, url),
        Protocol::Graphql => graphql_args(r, url),
        Protocol::Stomp => stomp_args(r, url),
        Protocol::Mqtt => mqtt_args(r, url),
        Protocol::Websocket | Protocol::Sse => return None,
    };
    for (k, v) in headers {
        cmd.push_str(&format!(" -H {}", sh(&format!("{k}: {v}"))));
    }
    cmd.push_str(transport);
    Some(cmd)
}

fn socketio_args(r: &Request, url: &str) -> String {
    let mut cmd = format!("sockpit socketio {}", sh(url));
    let s = r.settings.socketio.clone().unwrap_or_default();
    if let Some(p) = s.path.filter(|p| p != "/socket.io/") {
        cmd.push_str(&format!(" --path {}", sh(&p)));
    }
    for n in &s.namespaces {
        cmd.push_str(&format!(" --namespace {}", sh(n)));
    }
    if let Some(a) = &s.auth {
        cmd.push_str(&format!(" --auth {}", sh(a)));
    }
    if let Some(e) = s.eio {
        cmd.push_str(&format!(" --eio {e}"));
    }
    if let Some(t) = &s.transport {
        cmd.push_str(&format!(" --transport {}", sh(t)));
    }
    for m in &r.messages {
        let event = m.event.as_deref().unwrap_or("message");
        let args = if m.body.trim().is_empty() {
            "[]"
        } else {
            &m.body
        };
        cmd.push_str(&format!(" --emit {} {}", sh(event), sh(args)));
    }
    if r.messages.iter().any(|m| m.ack) {
        cmd.push_str(" --ack");
    }
    cmd
}

fn graphql_args(r: &Request, url: &str) -> String {
    let mut cmd = format!("sockpit graphql {}", sh(url));
    let s = r.settings.graphql.clone().unwrap_or_default();
    if let Some(p) = &s.subprotocol {
        cmd.push_str(&format!(" --subprotocol {}", sh(p)));
    }
    if let Some(i) = &s.init {
        cmd.push_str(&format!(" --init {}", sh(i)));
    }
    // The k-th --variables/--operation-name belongs to the k-th --query: pad with empty ones up to
    // the last operation that has one.
    let last_vars = r.messages.iter().rposition(|m| m.variables.is_some());
    let last_name = r.messages.iter().rposition(|m| m.operation_name.is_some());
    for (i, m) in r.messages.iter().enumerate() {
        cmd.push_str(&format!(" --query {}", sh(&m.body)));
        if last_vars.is_some_and(|l| i <= l) {
            cmd.push_str(&format!(
                " --variables {}",
                sh(m.variables.as_deref().unwrap_or("{}"))
            ));
        }
        if last_name.is_some_and(|l| i <= l) {
            cmd.push_str(&format!(
                " --operation-name {}",
                sh(m.operation_name.as_deref().unwrap_or(""))
            ));
        }
    }
    cmd
}

/// `sockpit stomp`: `--header` applies to every SEND there, so per-message headers are written
/// once each (the CLI cannot give two SENDs different headers).
fn stomp_args(r: &Request, url: &str) -> String {
    let mut cmd = format!("sockpit stomp {}", sh(url));
    let s = r.settings.stomp.clone().unwrap_or_default();
    for (flag, v) in [
        ("--stomp-version", &s.version),
        ("--login", &s.login),
        ("--passcode", &s.passcode),
        ("--vhost", &s.host),
        ("--heartbeat", &s.heartbeat),
    ] {
        if let Some(v) = v {
            cmd.push_str(&format!(" {flag} {}", sh(v)));
        }
    }
    for h in &s.connect_headers {
        cmd.push_str(&format!(" --connect-header {}", sh(h)));
    }
    for sub in &s.subscriptions {
        let dest = match &sub.ack {
            Some(a) => format!("{}:{a}", sub.destination),
            None => sub.destination.clone(),
        };
        cmd.push_str(&format!(" --subscribe {}", sh(&dest)));
    }
    let mut headers: Vec<&String> = Vec::new();
    for m in &r.messages {
        let dest = m.destination.as_deref().unwrap_or_default();
        cmd.push_str(&format!(" --send {} {}", sh(dest), sh(&m.body)));
        for h in &m.headers {
            if !headers.contains(&h) {
                headers.push(h);
            }
        }
    }
    for h in headers {
        cmd.push_str(&format!(" --header {}", sh(h)));
    }
    cmd
}

/// `sockpit mqtt`: `--qos`/`--retain` apply to every publish there; the highest QoS and any
/// retain are written.
fn mqtt_args(r: &Request, url: &str) -> String {
    let mut cmd = format!("sockpit mqtt {}", sh(url));
    let s = r.settings.mqtt.clone().unwrap_or_default();
    if let Some(v) = &s.version {
        cmd.push_str(&format!(" --mqtt-version {}", sh(v)));
    }
    for (flag, v) in [
        ("--mqtt-client-id", &s.client_id),
        ("--username", &s.username),
        ("--password", &s.password),
    ] {
        if let Some(v) = v {
            cmd.push_str(&format!(" {flag} {}", sh(v)));
        }
    }
    if s.clean_start == Some(false) {
        cmd.push_str(" --no-clean");
    }
    if let Some(k) = s.keepalive_s {
        cmd.push_str(&format!(" --keepalive {k}"));
    }
    if let Some(e) = s.session_expiry_s {
        cmd.push_str(&format!(" --session-expiry {e}"));
    }
    if let Some(w) = &s.will {
        cmd.push_str(&format!(
            " --will-topic {} --will-payload {}",
            sh(&w.topic),
            sh(&w.payload)
        ));
        if w.qos > 0 {
            cmd.push_str(&format!(" --will-qos {}", w.qos));
        }
        if w.retain {
            cmd.push_str(" --will-retain");
        }
    }
    for sub in &s.subscriptions {
        cmd.push_str(&format!(
            " --subscribe {}",
            sh(&format!("{}:{}", sub.filter, sub.qos))
        ));
    }
    for m in &r.messages {
        let topic = m.topic.as_deref().unwrap_or_default();
        cmd.push_str(&format!(" --publish {} {}", sh(topic), sh(&m.body)));
    }
    if let Some(q) = r
        .messages
        .iter()
        .filter_map(|m| m.qos)
        .max()
        .filter(|q| *q > 0)
    {
        cmd.push_str(&format!(" --qos {q}"));
    }
    if r.messages.iter().any(|m| m.retain) {
        cmd.push_str(" --retain");
    }
    cmd
}

/// The body of a k6 scenario block for a protocol request, or a comment when k6 cannot express
/// it. `url` and `params` are JavaScript expressions already written as `url` and `params`.
pub(super) fn k6_block(r: &Request, line: &str) -> Option<String> {
    match r.protocol {
        Protocol::Socketio => Some(format!(
            "  // a Socket.IO request: k6 has no Socket.IO client; with Sockpit's CLI:\n  //   {}\n\n",
            line.replace('\n', " ")
        )),
        Protocol::Graphql => Some(k6_graphql(r)),
        Protocol::Stomp | Protocol::Mqtt => Some(format!(
            "  // a {} request: k6 has no {} client; with Sockpit's CLI:\n  //   {}\n\n",
            r.protocol.as_str(),
            r.protocol.as_str().to_uppercase(),
            line.replace('\n', " ")
        )),
        Protocol::Websocket | Protocol::Sse => None,
    }
}

/// graphql-transport-ws spoken over `k6/ws`: `connection_init`, each operation on the ack, and
/// a check per operation that it produced a result; the socket closes when all have completed.
fn k6_graphql(r: &Request) -> String {
    let mut s = String::new();
    if r.settings
        .graphql
        .as_ref()
        .and_then(|g| g.subprotocol.as_deref())
        == Some("graphql-ws")
    {
        s.push_str("    // this request asks for the legacy graphql-ws protocol; the scenario speaks graphql-transport-ws\n");
    }
    let init = r
        .settings
        .graphql
        .as_ref()
        .and_then(|g| g.init.as_deref())
        .map(|i| format!("JSON.parse({})", js(i)))
        .unwrap_or_else(|| "{}".into());
    s.push_str("    params.headers['Sec-WebSocket-Protocol'] = 'graphql-transport-ws';\n");
    s.push_str("    const ops = [\n");
    for m in &r.messages {
        let vars = m
            .variables
            .as_deref()
            .map(|v| format!("JSON.parse({})", js(v)))
            .unwrap_or_else(|| "undefined".into());
        let name = m
            .operation_name
            .as_deref()
            .map(js)
            .unwrap_or_else(|| "undefined".into());
        s.push_str(&format!(
            "      {{ name: {}, query: {}, variables: {vars}, operationName: {name} }},\n",
            serde_json::Value::from(m.name.as_str()),
            js(&m.body)
        ));
    }
    s.push_str("    ];\n");
    s.push_str(&format!(
        "    const results = {{}};\n    let open = ops.length;\n    const res = ws.connect(url, params, (socket) => {{\n      socket.on('open', () => socket.send(JSON.stringify({{ type: 'connection_init', payload: {init} }})));\n"
    ));
    s.push_str("      socket.on('message', (raw) => {\n        const m = JSON.parse(raw);\n        if (m.type === 'connection_ack') {\n          ops.forEach((op, i) => socket.send(JSON.stringify({ id: String(i + 1), type: 'subscribe', payload: { query: op.query, variables: op.variables, operationName: op.operationName } })));\n          if (open === 0) socket.close();\n        } else if (m.type === 'ping') {\n          socket.send(JSON.stringify({ type: 'pong' }));\n        } else if (m.type === 'next' || m.type === 'error') {\n          const op = ops[Number(m.id) - 1];\n          if (op) results[op.name] = m.type === 'next' && !m.payload.errors;\n          if (m.type === 'error' && --open === 0) socket.close();\n        } else if (m.type === 'complete') {\n          if (--open === 0) socket.close();\n        }\n      });\n      socket.setTimeout(() => socket.close(), 10000);\n    });\n");
    s.push_str("    check(res, { 'status is 101': (r) => r && r.status === 101 });\n");
    s.push_str("    ops.forEach((op) => check(results, { [`${op.name} has a result`]: (r) => r[op.name] === true }));\n");
    s
}
