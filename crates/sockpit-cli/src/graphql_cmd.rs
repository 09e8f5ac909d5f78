//! `sockpit graphql`: GraphQL operations over WebSocket (graphql-transport-ws or the legacy
//! graphql-ws), through core's `protocol::graphql` layer; results as JSON lines.

use std::cell::RefCell;
use std::collections::HashSet;
use std::io::Write;

use clap::Args;
use serde_json::{json, Value};
use sockpit_core::protocol::graphql::{
    GqlEvent, GqlIntent, GraphqlLayer, GraphqlOptions, Operation, Subprotocol,
};
use sockpit_core::protocol::{self, LayerEvent};
use sockpit_core::script::layered::GraphqlScripting;
use sockpit_core::script::ScriptLayer;

use crate::args::ConnectionArgs;
use crate::connect::{connection_config, secs, Usage};
use crate::exit;
use crate::interrupt::{self, Signal};
use crate::layer_out::{exit_status, line, usage, LayerOutputArgs};
use crate::layer_script::{self, LayerScriptArgs};
use crate::output::Printer;

pub const GRAPHQL_AFTER_HELP: &str = concat!(
    "\
Both subprotocols are offered (graphql-transport-ws first) and the one the server selects is spoken;
--subprotocol offers only one (use it for a legacy server that blindly picks the first offered).
The k-th --variables/--operation-name belongs to the k-th --query; operations get ids 1, 2, ...
Output: each result's payload as one JSON line; with --json one event per line: gql_next, gql_error,
gql_complete, gql_ack, gql_resubscribe (after a reconnect), open (with \"protocol\"), close, error.
Without -n the run ends when every operation has completed; -n N ends after N results or errors.
--script FILE.js: onMessage sees {type:'next'|'error'|'complete', id, operation, payload|errors}.
Exit status: 0 clean finish, 1 connection/protocol/GraphQL error (a missing connection_ack after
--ack-timeout included), 2 usage error, 3 timeout (--timeout), 130/143 interrupted.",
    signals_help!()
);

#[derive(Debug, Args)]
pub struct GraphqlArgs {
    /// ws:// or wss:// URL of the GraphQL endpoint.
    pub url: String,
    /// A GraphQL document to run (query, mutation or subscription; repeatable).
    #[arg(long = "query", value_name = "Q", required = true)]
    pub queries: Vec<String>,
    /// The variables of the matching --query, a JSON object (repeatable).
    #[arg(long = "variables", value_name = "JSON")]
    pub variables: Vec<String>,
    /// The operationName of the matching --query (repeatable).
    #[arg(long = "operation-name", value_name = "N")]
    pub operation_names: Vec<String>,
    /// The connection_init payload, JSON.
    #[arg(long, value_name = "JSON")]
    pub init: Option<String>,
    /// Offer only this subprotocol: graphql-transport-ws or graphql-ws (legacy).
    #[arg(long, value_name = "P", value_parser = ["graphql-transport-ws", "graphql-ws"])]
    pub subprotocol: Option<String>,
    /// Give up when no connection_ack arrives within SECS of connection_init (exit 1).
    #[arg(long, value_name = "SECS", default_value_t = 10.0)]
    pub ack_timeout: f64,
    #[command(flatten)]
    pub out: LayerOutputArgs,
    #[command(flatten)]
    pub script: LayerScriptArgs,
    #[command(flatten)]
    pub conn: ConnectionArgs,
}

fn json_arg(flag: &str, text: &str) -> Result<Value, Usage> {
    serde_json::from_str(text).map_err(|e| Usage(format!("{flag} is not valid JSON ({e}): {text}")))
}

fn operations(a: &GraphqlArgs) -> Result<Vec<Operation>, Usage> {
    if a.variables.len() > a.queries.len() || a.operation_names.len() > a.queries.len() {
        return Err(Usage(
            "more --variables or --operation-name than --query: the k-th belongs to the k-th --query"
                .into(),
        ));
    }
    let mut ops = Vec::new();
    for (i, q) in a.queries.iter().enumerate() {
        let mut op = Operation::new(q.clone());
        if let Some(v) = a.variables.get(i) {
            let v = json_arg("--variables", v)?;
            if !v.is_object() {
                return Err(Usage(format!("--variables must be a JSON object, got {v}")));
            }
            op.variables = Some(v);
        }
        op.operation_name = a.operation_names.get(i).cloned();
        ops.push(op);
    }
    Ok(ops)
}

fn prepare(
    a: &GraphqlArgs,
) -> Result<
    (
        sockpit_core::ws::ConnectConfig,
        GraphqlOptions,
        Vec<Operation>,
    ),
    Usage,
> {
    let ops = operations(a)?;
    let init_payload = a
        .init
        .as_deref()
        .map(|t| json_arg("--init", t))
        .transpose()?;
    let opts = GraphqlOptions {
        only: a.subprotocol.as_deref().and_then(Subprotocol::parse),
        init_payload,
        ack_timeout: secs("ack-timeout", a.ack_timeout)?,
    };
    let mut cfg = connection_config(&a.url, &a.conn)?;
    cfg.inspect_frames = a.out.raw_wanted();
    Ok((cfg, opts, ops))
}

/// How the run is going.
#[derive(Default)]
struct State {
    received: u64,
    /// Our operations not yet completed.
    running: HashSet<String>,
    closing: bool,
    ended: bool,
    /// The layer's first error (the root cause), a session failure, a GraphQL error.
    protocol_failure: Option<String>,
    session_failure: Option<(i32, String)>,
    gql_failure: Option<String>,
}

pub async fn run(a: GraphqlArgs) -> i32 {
    let prepared = prepare(&a).and_then(|p| Ok((p, a.out.time_limit()?)));
    let ((cfg, opts, ops), timeout) = match prepared {
        Ok(v) => v,
        Err(u) => return usage(u),
    };
    let mut printer = a.out.printer();
    let names = (1..=ops.len())
        .map(|i| {
            (
                i.to_string(),
                ops[i - 1].operation_name.clone().unwrap_or_default(),
            )
        })
        .collect();
    let (path, stop) = (a.script.script.as_ref(), a.script.script_stop_on_error);
    let scripting = GraphqlScripting { names };
    let mut script = match layer_script::start(
        path,
        stop,
        ScriptLayer::Graphql,
        scripting,
        &mut printer,
    )
    .await
    {
        Ok(s) => s,
        Err(msg) => return usage(Usage(msg)),
    };
    let mut h = protocol::spawn(GraphqlLayer::new(opts), cfg);
    let control = h.control();
    let mut st = State::default();
    for (i, op) in ops.into_iter().enumerate() {
        let id = (i + 1).to_string();
        st.running.insert(id.clone());
        if !control.intent(GqlIntent::Start { id: Some(id), op }).await {
            break;
        }
    }
    // The operations still running, for a signal's `complete`s (read between batches).
    let running = RefCell::new(st.running.clone());
    let run = async {
        while let Some(batch) =
            layer_script::next_batch(&mut h, script.as_mut(), &control, &mut printer).await
        {
            for ev in &batch {
                if handle(&mut printer, &mut st, &a, ev).is_err() {
                    st.ended = true; // stdout is gone
                }
            }
            running.borrow_mut().clone_from(&st.running);
            let _ = printer.flush();
            if let Some(s) = script.as_mut() {
                s.feed(s.inputs(&batch), &control, &mut printer).await;
            }
            let done = a.out.count_reached(st.received)
                || (a.out.count.is_none() && st.running.is_empty());
            if done && !st.closing && !st.ended {
                st.closing = true;
                let _ = control.intent(GqlIntent::Terminate).await;
            }
            if st.ended {
                break;
            }
        }
    };
    // A signal: `complete` for every running operation and the protocol's end (the layer closes
    // with the signal's code), else a close frame.
    let goodbye = |sig: Signal| {
        let (control, running) = (&control, &running);
        interrupt::goodbye_then_close(
            async move {
                control.close_as(sig.close_code(), sig.reason());
                let ids: Vec<String> = running.borrow().iter().cloned().collect();
                for id in ids {
                    let _ = control.intent(GqlIntent::Stop { id }).await;
                }
                let _ = control.intent(GqlIntent::Terminate).await;
            },
            control.close(sig.close_code(), sig.reason()),
        )
    };
    let ending = interrupt::drive(timeout, run, goodbye).await;
    // An `sp.close` ends the run as asked, with operations still running.
    st.closing |= script.as_ref().is_some_and(|s| s.closed);
    let scripted = layer_script::finish(script, &mut printer).await;
    if let Some(code) = a.out.cut_short(ending, timeout, &mut printer) {
        return code;
    }
    let _ = printer.flush();
    if !st.closing && !st.running.is_empty() && st.session_failure.is_none() {
        st.session_failure = Some((
            exit::FAILURE,
            format!(
                "the connection ended with {} operation(s) still running",
                st.running.len()
            ),
        ));
    }
    exit_status(
        st.protocol_failure
            .map(|m| (exit::FAILURE, m))
            .or(st.session_failure)
            .or(st.gql_failure.map(|m| (exit::FAILURE, m)))
            .or(scripted.err().map(|m| (exit::FAILURE, m))),
    )
}

fn handle<W: Write>(
    p: &mut Printer<W>,
    st: &mut State,
    a: &GraphqlArgs,
    ev: &LayerEvent<GqlEvent>,
) -> std::io::Result<()> {
    match ev {
        LayerEvent::Session(s) => {
            if a.out.session(p, &mut st.session_failure, s)? {
                st.ended = true;
            }
            Ok(())
        }
        LayerEvent::Error { t, error } => {
            st.protocol_failure
                .get_or_insert_with(|| error.message.clone());
            a.out.layer_error(p, *t, error.code(), &error.message)
        }
        LayerEvent::Protocol { t, event } => gql(p, st, a, *t, event),
    }
}

fn gql<W: Write>(
    p: &mut Printer<W>,
    st: &mut State,
    a: &GraphqlArgs,
    t: u64,
    ev: &GqlEvent,
) -> std::io::Result<()> {
    let counting = !a.out.count_reached(st.received);
    match ev {
        GqlEvent::Next { id, payload } => {
            if !counting {
                return Ok(());
            }
            st.received += 1;
            // The hot path: the payload's text as it came (made one line), no tree, no line
            // object; the --json line's fields in the order `json!` printed them (sorted).
            let o = &mut p.out;
            if a.out.json {
                o.write_all(br#"{"event":"gql_next","id":"#)?;
                serde_json::to_writer(&mut *o, id)?;
                o.write_all(br#","payload":"#)?;
                payload.write_compact(o)?;
                o.write_all(br#","t_ms":"#)?;
                serde_json::to_writer(&mut *o, &(t as f64 / 1e6))?;
                o.write_all(b"}\n")
            } else {
                payload.write_compact(o)?;
                o.write_all(b"\n")
            }
        }
        GqlEvent::Error {
            id,
            errors,
            terminal,
        } => {
            if *terminal {
                st.running.remove(id);
                if counting {
                    st.received += 1;
                }
            }
            let first = sockpit_core::protocol::graphql::first_message(errors);
            st.gql_failure
                .get_or_insert_with(|| format!("operation {id}: GraphQL error: {first}"));
            if a.out.json {
                line(
                    p,
                    t,
                    json!({"event": "gql_error", "id": id, "errors": errors, "terminal": terminal}),
                )
            } else if a.out.verbose {
                writeln!(p.notes, "sockpit: operation {id}: GraphQL error: {first}")
            } else {
                Ok(())
            }
        }
        GqlEvent::Complete { id } | GqlEvent::Stopped { id } => {
            st.running.remove(id);
            let by = if matches!(ev, GqlEvent::Complete { .. }) {
                "server"
            } else {
                "client"
            };
            if a.out.json {
                line(p, t, json!({"event": "gql_complete", "id": id, "by": by}))
            } else if a.out.verbose {
                writeln!(p.notes, "sockpit: operation {id} complete")
            } else {
                Ok(())
            }
        }
        GqlEvent::Resubscribed { ids } => {
            if a.out.json {
                line(p, t, json!({"event": "gql_resubscribe", "ids": ids}))
            } else {
                writeln!(
                    p.notes,
                    "sockpit: reconnected: re-subscribed operation(s) {}",
                    ids.join(", ")
                )
            }
        }
        other => {
            let (name, payload) = match other {
                GqlEvent::Selected { protocol } => ("gql_protocol", json!(protocol.as_str())),
                GqlEvent::Ack { payload } => ("gql_ack", json!(payload)),
                GqlEvent::Started { id } => ("gql_start", json!(id)),
                GqlEvent::Ping { payload } => ("gql_ping", json!(payload)),
                GqlEvent::Pong { payload } => ("gql_pong", json!(payload)),
                _ => ("gql_ka", Value::Null),
            };
            if a.out.json {
                line(p, t, json!({"event": name, "value": payload}))
            } else if a.out.verbose {
                writeln!(p.notes, "sockpit: {name} {payload}")
            } else {
                Ok(())
            }
        }
    }
}
