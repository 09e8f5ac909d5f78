//! From a rendered saved request to what the engines take: `ConnectConfig`, `SseConfig` and the
//! bytes of each saved message.

use std::path::{Path, PathBuf};
use std::time::Duration;

use bytes::Bytes;

use super::RunError;
use crate::collection::model::{Request, SavedMessage};
use crate::net::{ProxyConfig, TlsOptions};
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

fn invalid_setting(r: &Request, field: &str, reason: impl std::fmt::Display) -> RunError {
    RunError::Request {
        request: r.name.clone(),
        code: "run.invalid_settings",
        message: format!("settings.{field}: {reason}"),
    }
}

/// `settings.ca_file`, `insecure` and `proxy` onto the engine's options, as `sockpit connect`
/// maps `--cacert`, `--insecure` and `--proxy` (the same parser).
fn tls_and_proxy(
    r: &Request,
    base_dir: &Path,
    tls: &mut TlsOptions,
    proxy: &mut Option<ProxyConfig>,
) -> Result<(), RunError> {
    let s = &r.settings;
    if let Some(ca) = s
        .ca_file
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        let ca = Path::new(ca);
        tls.extra_ca_files.push(if ca.is_absolute() {
            ca.to_path_buf()
        } else {
            base_dir.join(ca)
        });
    }
    tls.skip_verify |= s.insecure == Some(true);
    if let Some(p) = s.proxy.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        *proxy = Some(ProxyConfig::parse(p).map_err(|e| invalid_setting(r, "proxy", e))?);
    }
    Ok(())
}

/// `base_dir` resolves a client certificate's and the CA file's paths.
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
    } else if let Some(d) = s.deflate_params.as_deref().filter(|d| !d.trim().is_empty()) {
        cfg.deflate = Some(
            crate::ws::deflate_params::parse_deflate_params(d)
                .map_err(|e| invalid_setting(r, "deflate_params", e))?,
        );
    }
    tls_and_proxy(r, base_dir, &mut cfg.tls, &mut cfg.proxy)?;
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

/// `base_dir` resolves a client certificate's and the CA file's paths. `deflate_params` is a
/// WebSocket setting and does not apply.
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
    tls_and_proxy(r, base_dir, &mut cfg.tls, &mut cfg.proxy)?;
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
    crate::message::encode_message(m.kind, &m.body, base_dir, codec).map_err(|e| match e {
        crate::payload::PayloadError::NoProtoType => {
            bad("a protobuf message needs settings.proto with schemas and a send_type".into())
        }
        crate::payload::PayloadError::InvalidJson(e) => bad(format!("not valid JSON ({e})")),
        e => bad(e.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collection::model::{Collection, Item, Variable};
    use crate::collection::model::{Protocol, Settings};
    use crate::net::ProxyKind;
    use crate::template::Vars;

    fn request(settings: Settings) -> Request {
        Request {
            name: "R".into(),
            url: "wss://example.com/".into(),
            settings,
            ..Request::default()
        }
    }

    #[test]
    fn transport_settings_map_like_the_connect_flags() {
        let r = request(Settings {
            ca_file: Some("certs/ca.pem".into()),
            insecure: Some(true),
            proxy: Some("socks5h://u:p@127.0.0.1:1081".into()),
            deflate_params: Some("client_no_context_takeover; server_max_window_bits=10".into()),
            ..Settings::default()
        });
        let cfg = ws_config(&r, Path::new("/coll")).unwrap();
        assert_eq!(
            cfg.tls.extra_ca_files,
            vec![PathBuf::from("/coll/certs/ca.pem")]
        );
        assert!(cfg.tls.skip_verify);
        let proxy = cfg.proxy.expect("proxy");
        assert_eq!(proxy.kind, ProxyKind::Socks5h);
        assert_eq!((proxy.host.as_str(), proxy.port), ("127.0.0.1", 1081));
        assert_eq!(proxy.auth, Some(("u".into(), "p".into())));
        let d = cfg.deflate.expect("deflate offered");
        assert!(d.client_no_context_takeover);
        assert_eq!(d.server_max_window_bits, Some(10));

        // deflate: false wins over its parameters; an absolute CA path is kept.
        let mut r = r;
        r.settings.deflate = Some(false);
        r.settings.ca_file = Some("/etc/ca.pem".into());
        r.settings.insecure = Some(false);
        let cfg = ws_config(&r, Path::new("/coll")).unwrap();
        assert!(cfg.deflate.is_none());
        assert!(!cfg.tls.skip_verify);
        assert_eq!(cfg.tls.extra_ca_files, vec![PathBuf::from("/etc/ca.pem")]);

        // Without the settings nothing changes.
        let plain = ws_config(&request(Settings::default()), Path::new("/coll")).unwrap();
        assert!(plain.proxy.is_none() && plain.tls.extra_ca_files.is_empty());
        assert_eq!(plain.deflate, ConnectConfig::new("ws://x/").deflate);

        let mut sse = request(Settings {
            ca_file: Some("ca.pem".into()),
            proxy: Some("http://127.0.0.1:3128".into()),
            ..Settings::default()
        });
        sse.protocol = Protocol::Sse;
        sse.url = "https://example.com/events".into();
        let cfg = sse_config(&sse, Path::new("/coll")).unwrap();
        assert_eq!(cfg.tls.extra_ca_files, vec![PathBuf::from("/coll/ca.pem")]);
        assert_eq!(cfg.proxy.expect("proxy").kind, ProxyKind::HttpConnect);
    }

    #[test]
    fn a_proxy_left_as_the_export_placeholder_is_refused_as_a_secret() {
        let r = request(Settings {
            proxy: Some(crate::collection::share::SECRET_PLACEHOLDER.into()),
            ..Settings::default()
        });
        let e = ws_config(&r, Path::new(".")).unwrap_err();
        assert_eq!(e.code(), "run.secret_placeholder");
        assert!(e.to_string().contains("proxy"), "{e}");
    }

    #[test]
    fn rendered_settings_are_checked_when_built() {
        let c = Collection {
            name: "C".into(),
            variables: vec![
                Variable::plain("proxy", "ftp://x"),
                Variable::plain("dir", "certs"),
            ],
            items: vec![Item::Request(Box::new(request(Settings {
                ca_file: Some("{{dir}}/ca.pem".into()),
                proxy: Some("{{proxy}}".into()),
                ..Settings::default()
            })))],
            ..Collection::default()
        };
        let vars = Vars::for_collection(&c, None, &[], &[]).unwrap();
        let Item::Request(r) = &c.items[0] else {
            unreachable!()
        };
        let rendered = vars.render_request(r).unwrap();
        assert_eq!(rendered.settings.ca_file.as_deref(), Some("certs/ca.pem"));
        assert_eq!(rendered.settings.proxy.as_deref(), Some("ftp://x"));
        let e = ws_config(&rendered, Path::new(".")).unwrap_err();
        assert_eq!(e.code(), "run.invalid_settings");
        let msg = e.to_string();
        assert!(msg.contains("request 'R'"), "{msg}");
        assert!(msg.contains("settings.proxy"), "{msg}");
        assert!(msg.contains("'ftp'"), "{msg}");
    }
}
