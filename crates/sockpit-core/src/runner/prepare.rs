//! From a rendered saved request to what the engines take: `ConnectConfig`, `SseConfig` and the
//! bytes of each saved message.

use std::path::{Path, PathBuf};
use std::time::Duration;

use bytes::Bytes;

use super::RunError;
use crate::collection::model::{MessageKind, Request, SavedMessage};
use crate::proto::framing::Framing;
use crate::proto::payload_codec::PayloadCodec;
use crate::proto::schema::Schema;
use crate::sse::SseConfig;
use crate::ws::{ConnectConfig, HeartbeatPolicy, Outgoing, PingPolicy, ReconnectPolicy};

/// Longest duration a collection may ask for (30 days); larger values are clamped, so that no
/// setting can overflow a clock.
pub const MAX_MS: u64 = 30 * 24 * 3600 * 1000;

pub(crate) fn ms(v: u64) -> Duration {
    Duration::from_millis(v.min(MAX_MS))
}

fn enabled(kvs: &[crate::collection::model::KeyValue]) -> Vec<(String, String)> {
    kvs.iter()
        .filter(|kv| kv.enabled)
        .map(|kv| (kv.name.clone(), kv.value.clone()))
        .collect()
}

/// `base_dir` resolves a client certificate's paths.
pub fn ws_config(r: &Request, base_dir: &Path) -> Result<ConnectConfig, RunError> {
    crate::ws::handshake::parse_target(&r.url, &[]).map_err(|e| RunError::Request {
        request: r.name.clone(),
        code: e.code(),
        message: e.to_string(),
    })?;
    let auth = super::auth::stored_auth(r, base_dir)?;
    let mut cfg = ConnectConfig::new(r.url.clone());
    cfg.query = enabled(&r.params);
    cfg.headers = enabled(&r.headers);
    cfg.auth = auth.config;
    cfg.tls.client_cert = auth.client_cert;
    cfg.subprotocols = r.subprotocols.clone();
    let s = &r.settings;
    if let Some(t) = s.handshake_timeout_ms {
        cfg.handshake_timeout = ms(t);
    }
    if s.deflate == Some(false) {
        cfg.deflate = None;
    }
    if let Some(m) = s.max_message_size {
        cfg.max_message_size = usize::try_from(m).unwrap_or(usize::MAX);
    }
    if let Some(rc) = &s.reconnect {
        cfg.reconnect = Some(ReconnectPolicy {
            base_delay: ms(rc.base_ms),
            max_delay: ms(rc.max_ms),
            max_retries: rc.max_retries,
        });
    }
    if let Some(p) = &s.ping {
        cfg.ping = Some(PingPolicy {
            interval: ms(p.interval_ms.max(1)),
            timeout: ms(p.timeout_ms),
        });
    }
    if let Some(h) = &s.heartbeat {
        cfg.heartbeat = Some(HeartbeatPolicy {
            interval: ms(h.interval_ms.max(1)),
            message: h.message.clone(),
            expect: h.expect.clone(),
            timeout: ms(h.timeout_ms),
        });
    }
    Ok(cfg)
}

/// `base_dir` resolves a client certificate's paths.
pub fn sse_config(r: &Request, base_dir: &Path) -> Result<SseConfig, RunError> {
    let auth = super::auth::stored_auth(r, base_dir)?;
    if let Some(a) = &auth.config {
        a.check_http_only().map_err(|e| RunError::Request {
            request: r.name.clone(),
            code: e.code(),
            message: e.to_string(),
        })?;
    }
    let mut cfg = SseConfig::new(r.url.clone());
    if let Some(m) = &r.method {
        cfg.method = m.clone();
    }
    cfg.body = r.body.clone().map(Bytes::from);
    cfg.query = enabled(&r.params);
    cfg.headers = enabled(&r.headers);
    cfg.auth = auth.config;
    cfg.tls.client_cert = auth.client_cert;
    if let Some(t) = r.settings.handshake_timeout_ms {
        cfg.connect_timeout = ms(t);
    }
    if let Some(rc) = &r.settings.reconnect {
        cfg.reconnect = Some(ReconnectPolicy {
            base_delay: ms(rc.base_ms),
            max_delay: ms(rc.max_ms),
            max_retries: rc.max_retries,
        });
    }
    Ok(cfg)
}

/// The request's protobuf codec (`settings.proto`), built once; `None` without protobuf settings.
pub fn codec(r: &Request, base_dir: &Path) -> Result<Option<PayloadCodec>, RunError> {
    let Some(p) = &r.settings.proto else {
        return Ok(None);
    };
    let bad = |reason: String| RunError::Request {
        request: r.name.clone(),
        code: "run.invalid_proto",
        message: format!("protobuf settings: {reason}"),
    };
    let resolve = |p: &String| -> PathBuf {
        let p = Path::new(p);
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            base_dir.join(p)
        }
    };
    let schemas: Vec<PathBuf> = p.schemas.iter().map(resolve).collect();
    let includes: Vec<PathBuf> = p.include.iter().map(resolve).collect();
    let schema = Schema::load(&schemas, &includes).map_err(|e| bad(e.to_string()))?;
    let framing = match &p.framing {
        Some(f) => f.parse::<Framing>().map_err(|e| bad(e.to_string()))?,
        None => Framing::default(),
    };
    PayloadCodec::new(
        schema,
        p.send_type.as_deref(),
        p.recv_type.as_deref(),
        framing,
    )
    .map(Some)
    .map_err(|e| bad(e.to_string()))
}

/// The message as it goes on the wire. `base_dir` resolves relative `file` paths and schemas.
pub fn outgoing(
    r: &Request,
    m: &SavedMessage,
    base_dir: &Path,
    codec: Option<&PayloadCodec>,
) -> Result<Outgoing, RunError> {
    let bad = |reason: String| RunError::Message {
        request: r.name.clone(),
        message: m.name.clone(),
        reason,
    };
    let resolve = |p: &str| -> PathBuf {
        let p = Path::new(p);
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            base_dir.join(p)
        }
    };
    Ok(match m.kind {
        MessageKind::Text => Outgoing::Text(m.body.clone()),
        MessageKind::Json => {
            serde_json::from_str::<serde_json::Value>(&m.body)
                .map_err(|e| bad(format!("not valid JSON ({e})")))?;
            Outgoing::Text(m.body.clone())
        }
        MessageKind::Hex => {
            Outgoing::Binary(crate::payload::parse_hex(&m.body).map_err(|e| bad(e.to_string()))?)
        }
        MessageKind::Base64 => {
            Outgoing::Binary(crate::payload::parse_base64(&m.body).map_err(|e| bad(e.to_string()))?)
        }
        MessageKind::File => Outgoing::Binary(
            crate::payload::read_file(&resolve(m.body.trim())).map_err(|e| bad(e.to_string()))?,
        ),
        MessageKind::Protobuf => {
            let Some(codec) = codec.filter(|c| c.encodes()) else {
                return Err(bad(
                    "a protobuf message needs settings.proto with schemas and a send_type".into(),
                ));
            };
            Outgoing::Binary(Bytes::from(
                codec.encode_json(&m.body).map_err(|e| bad(e.to_string()))?,
            ))
        }
    })
}
