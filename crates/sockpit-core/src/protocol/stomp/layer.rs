//! [`StompLayer`]: the STOMP client state machine (handshake, heart-beats, subscriptions,
//! receipts, the receive buffer) over the pure codec in [`super::frame`].

use std::time::{Duration, Instant};

use bytes::Bytes;

use super::frame::{self, Frame, Item, Version};
use super::{AckMode, AckRef, StompAction, StompEvent, StompIntent, StompOptions};
use crate::protocol::{LayerOutput, ProtocolLayer};
use crate::util::fmt_duration;
use crate::ws::{DataKind, Direction, SessionEvent, UpgradeReport, WsError};

type Out = LayerOutput<StompEvent>;

/// Commands a STOMP server sends.
const SERVER_COMMANDS: [&str; 4] = ["CONNECTED", "MESSAGE", "RECEIPT", "ERROR"];

#[derive(Debug, Clone)]
struct Sub {
    id: String,
    destination: String,
    ack: AckMode,
    headers: Vec<(String, String)>,
}

#[derive(Debug)]
struct Pending {
    id: String,
    command: String,
    since: Instant,
    deadline: Instant,
    /// The subscription whose `SUBSCRIBE` asked for it (asked again on a re-subscribe).
    sub: Option<String>,
}

/// The STOMP layer. See the module docs.
pub struct StompLayer {
    opts: StompOptions,
    /// A WebSocket connection is open (CONNECT sent).
    open: bool,
    /// The version `CONNECTED` named; `None` until then.
    version: Option<Version>,
    connected_deadline: Option<Instant>,
    buf: Vec<u8>,
    queue: Vec<StompIntent>,
    subs: Vec<Sub>,
    receipts: Vec<Pending>,
    next_sub: u64,
    next_receipt: u64,
    opens: u32,
    send_every: Option<Duration>,
    expect_every: Option<Duration>,
    last_sent: Instant,
    last_received: Instant,
    /// The receipt id of our `DISCONNECT`.
    disconnecting: Option<String>,
}

impl StompLayer {
    pub fn new(opts: StompOptions) -> StompLayer {
        let now = Instant::now();
        StompLayer {
            opts,
            open: false,
            version: None,
            connected_deadline: None,
            buf: Vec::new(),
            queue: Vec::new(),
            subs: Vec::new(),
            receipts: Vec::new(),
            next_sub: 0,
            next_receipt: 0,
            opens: 0,
            send_every: None,
            expect_every: None,
            last_sent: now,
            last_received: now,
            disconnecting: None,
        }
    }

    /// Active subscriptions' ids.
    pub fn subscriptions(&self) -> Vec<String> {
        self.subs.iter().map(|s| s.id.clone()).collect()
    }

    fn versions(&self) -> Vec<Version> {
        if self.opts.versions.is_empty() {
            Version::ALL.to_vec()
        } else {
            self.opts.versions.clone()
        }
    }

    /// Serializes and sends `frame` (text when it is UTF-8, binary otherwise).
    fn emit(&mut self, frame: Frame, now: Instant, out: &mut Out) {
        let version = self.version.unwrap_or(Version::V12);
        let bytes = frame::serialize(&frame, version);
        match String::from_utf8(bytes) {
            Ok(text) => out.send_text(text),
            Err(e) => out.send_binary(Bytes::from(e.into_bytes())),
        }
        self.last_sent = now;
        out.event(StompEvent::Frame {
            dir: Direction::Out,
            frame,
        });
    }

    fn connect_frame(&self) -> Frame {
        let command = if self.opts.stomp_command {
            "STOMP"
        } else {
            "CONNECT"
        };
        let versions: Vec<&str> = self.versions().iter().map(|v| v.as_str()).collect();
        let mut f = Frame::new(command).header("accept-version", versions.join(","));
        if let Some(h) = &self.opts.host {
            f = f.header("host", h.clone());
        }
        if let Some(l) = &self.opts.login {
            f = f.header("login", l.clone());
        }
        if let Some(p) = &self.opts.passcode {
            f = f.header("passcode", p.clone());
        }
        let (cx, cy) = self.opts.heartbeat;
        f = f.header("heart-beat", format!("{cx},{cy}"));
        f.headers.extend(self.opts.headers.iter().cloned());
        f
    }

    fn wait_receipt(&mut self, id: &str, command: &str, sub: Option<String>, now: Instant) {
        self.receipts.retain(|p| p.id != id);
        self.receipts.push(Pending {
            id: id.to_string(),
            command: command.to_string(),
            since: now,
            deadline: now + self.opts.receipt_timeout,
            sub,
        });
    }

    /// Builds the frame of `action` for the version spoken, or says why it cannot be sent.
    fn build(&mut self, action: &StompAction, version: Version) -> Result<Frame, String> {
        let f = match action {
            StompAction::Subscribe {
                id,
                destination,
                ack,
                headers,
            } => {
                let id = id.clone().unwrap_or_else(|| self.fresh_sub_id());
                let mut f = Frame::new("SUBSCRIBE")
                    .header("id", id)
                    .header("destination", destination.clone())
                    .header("ack", ack.as_str());
                f.headers.extend(headers.iter().cloned());
                f
            }
            StompAction::Unsubscribe { id } => Frame::new("UNSUBSCRIBE").header("id", id.clone()),
            StompAction::Send {
                destination,
                headers,
                body,
            } => {
                let mut f = Frame::new("SEND").header("destination", destination.clone());
                f.headers.extend(
                    headers
                        .iter()
                        .filter(|(k, _)| k != "content-length")
                        .cloned(),
                );
                f.headers
                    .push(("content-length".into(), body.len().to_string()));
                f.body = body.to_vec();
                f
            }
            StompAction::Ack {
                message,
                transaction,
            }
            | StompAction::Nack {
                message,
                transaction,
            } => {
                let nack = matches!(action, StompAction::Nack { .. });
                if nack && version == Version::V10 {
                    return Err("NACK does not exist in STOMP 1.0".into());
                }
                let mut f = Frame::new(if nack { "NACK" } else { "ACK" });
                f = ack_headers(f, message, version)?;
                if let Some(t) = transaction {
                    f = f.header("transaction", t.clone());
                }
                f
            }
            StompAction::Begin { transaction } => {
                Frame::new("BEGIN").header("transaction", transaction.clone())
            }
            StompAction::Commit { transaction } => {
                Frame::new("COMMIT").header("transaction", transaction.clone())
            }
            StompAction::Abort { transaction } => {
                Frame::new("ABORT").header("transaction", transaction.clone())
            }
            StompAction::Disconnect => Frame::new("DISCONNECT"),
        };
        for (k, v) in &f.headers {
            if let Some(why) = frame::unwritable(&f.command, k, v, version) {
                return Err(why);
            }
        }
        Ok(f)
    }

    fn fresh_sub_id(&mut self) -> String {
        loop {
            let id = format!("sub-{}", self.next_sub);
            self.next_sub += 1;
            if !self.subs.iter().any(|s| s.id == id) {
                return id;
            }
        }
    }

    /// Sends an intent now (the session is CONNECTED).
    fn perform(&mut self, intent: StompIntent, now: Instant, out: &mut Out) {
        let version = self.version.unwrap_or(Version::V12);
        let mut f = match self.build(&intent.action, version) {
            Ok(f) => f,
            Err(why) => {
                out.error("stomp.unsupported", format!("not sent: {why}"));
                return;
            }
        };
        let mut receipt = intent.receipt;
        if let StompAction::Disconnect = intent.action {
            let id = receipt.unwrap_or_else(|| {
                self.next_receipt += 1;
                format!("disconnect-{}", self.next_receipt)
            });
            self.disconnecting = Some(id.clone());
            receipt = Some(id);
        }
        let mut sub_id = None;
        match &intent.action {
            StompAction::Subscribe {
                destination,
                ack,
                headers,
                ..
            } => {
                let id = f.get("id").unwrap_or_default().to_string();
                self.subs.retain(|s| s.id != id);
                self.subs.push(Sub {
                    id: id.clone(),
                    destination: destination.clone(),
                    ack: *ack,
                    headers: headers.clone(),
                });
                sub_id = Some(id);
            }
            StompAction::Unsubscribe { id } => self.subs.retain(|s| &s.id != id),
            _ => {}
        }
        if let Some(r) = &receipt {
            f = f.header("receipt", r.clone());
            self.wait_receipt(r, &f.command, sub_id, now);
            out.event(StompEvent::ReceiptWaiting {
                id: r.clone(),
                command: f.command.clone(),
            });
        }
        self.emit(f, now, out);
    }

    fn on_frame(&mut self, f: Frame, now: Instant, out: &mut Out) {
        if !SERVER_COMMANDS.contains(&f.command.as_str()) {
            out.error(
                "stomp.unknown_command",
                format!(
                    "the server sent a '{}' frame, which is not a STOMP server command \
                     (CONNECTED, MESSAGE, RECEIPT, ERROR); ignored",
                    f.command
                ),
            );
            return;
        }
        let command = f.command.clone();
        let connected = self.version.is_some();
        match command.as_str() {
            "CONNECTED" if connected => {
                out.error("stomp.unexpected", "a second CONNECTED frame; ignored");
            }
            "CONNECTED" => self.on_connected(f, now, out),
            "ERROR" => self.on_error(f, out),
            _ if !connected => {
                out.error(
                    "stomp.unexpected",
                    format!("a {command} frame before CONNECTED; ignored"),
                );
            }
            "RECEIPT" => {
                let id = f.get("receipt-id").map(str::to_string);
                out.event(StompEvent::Frame {
                    dir: Direction::In,
                    frame: f,
                });
                match id {
                    Some(id) => self.receipt_arrived(&id, now, out),
                    None => out.error("stomp.bad_header", "a RECEIPT without receipt-id"),
                }
            }
            _ => out.event(StompEvent::Frame {
                dir: Direction::In,
                frame: f,
            }),
        }
    }

    fn receipt_arrived(&mut self, id: &str, now: Instant, out: &mut Out) {
        let Some(i) = self.receipts.iter().position(|p| p.id == id) else {
            out.error(
                "stomp.unexpected",
                format!("a RECEIPT for '{id}', which no frame asked for"),
            );
            return;
        };
        let p = self.receipts.remove(i);
        out.event(StompEvent::Receipt {
            id: p.id,
            command: p.command,
            waited: now.saturating_duration_since(p.since),
        });
        if self.disconnecting.as_deref() == Some(id) {
            out.close = Some((1000, String::new()));
        }
    }

    fn on_connected(&mut self, f: Frame, now: Instant, out: &mut Out) {
        let version = match f.get("version") {
            None => Version::V10,
            Some(v) => match Version::parse(v) {
                Some(v) => v,
                None => {
                    out.error(
                        "stomp.unsupported",
                        format!(
                            "the broker answered CONNECTED with version '{v}'; speaking 1.2 rules"
                        ),
                    );
                    Version::V12
                }
            },
        };
        self.version = Some(version);
        self.connected_deadline = None;
        // heart-beat: ours cx,cy against the broker's sx,sy.
        let (cx, cy) = self.opts.heartbeat;
        let (sx, sy) = f
            .get("heart-beat")
            .and_then(|h| {
                let (a, b) = h.split_once(',')?;
                Some((a.trim().parse::<u64>().ok()?, b.trim().parse::<u64>().ok()?))
            })
            .unwrap_or((0, 0));
        let every = |a: u64, b: u64| (a > 0 && b > 0).then(|| Duration::from_millis(a.max(b)));
        self.send_every = every(cx, sy);
        self.expect_every = every(sx, cy);
        self.last_received = now;
        out.event(StompEvent::Connected {
            version,
            server: f.get("server").map(str::to_string),
            session: f.get("session").map(str::to_string),
            send_every: self.send_every.unwrap_or_default(),
            expect_every: self.expect_every.unwrap_or_default(),
        });
        out.event(StompEvent::Frame {
            dir: Direction::In,
            frame: f,
        });
        if self.opens > 1 && !self.subs.is_empty() {
            let subs = self.subs.clone();
            let mut ids = Vec::new();
            for s in subs {
                let receipt = self
                    .receipts
                    .iter()
                    .find(|p| p.sub.as_deref() == Some(&s.id))
                    .map(|p| p.id.clone());
                let intent = StompIntent {
                    action: StompAction::Subscribe {
                        id: Some(s.id.clone()),
                        destination: s.destination,
                        ack: s.ack,
                        headers: s.headers,
                    },
                    receipt,
                };
                self.perform(intent, now, out);
                ids.push(s.id);
            }
            out.event(StompEvent::Resubscribed { ids });
        }
        for intent in std::mem::take(&mut self.queue) {
            self.perform(intent, now, out);
        }
    }

    fn on_error(&mut self, f: Frame, out: &mut Out) {
        let message = f.get("message").unwrap_or("").to_string();
        let body = String::from_utf8_lossy(&f.body).trim().to_string();
        let mut words = message.clone();
        if !body.is_empty() && body != message {
            if !words.is_empty() {
                words.push_str(": ");
            }
            words.push_str(&body);
        }
        if words.is_empty() {
            words = "(no message)".into();
        }
        if let Some(id) = f.get("receipt-id") {
            self.receipts.retain(|p| p.id != id);
        }
        out.event(StompEvent::Frame {
            dir: Direction::In,
            frame: f,
        });
        if self.version.is_none() {
            self.connected_deadline = None;
            out.error(
                "stomp.refused",
                format!("the broker refused the connection: {words}"),
            );
            out.close = Some((1000, "STOMP ERROR".into()));
        } else {
            out.error("stomp.error", format!("the broker sent ERROR: {words}"));
        }
    }
}

fn ack_headers(mut f: Frame, m: &AckRef, version: Version) -> Result<Frame, String> {
    let need = |v: &Option<String>, name: &str| {
        v.clone().ok_or_else(|| {
            format!(
                "{} in STOMP {version} needs the message's '{name}' header",
                f.command
            )
        })
    };
    match version {
        Version::V12 => {
            let id = need(&m.ack, "ack")?;
            f = f.header("id", id);
        }
        Version::V11 => {
            let mid = need(&m.message_id, "message-id")?;
            let sub = need(&m.subscription, "subscription")?;
            f = f.header("message-id", mid).header("subscription", sub);
        }
        Version::V10 => {
            let mid = need(&m.message_id, "message-id")?;
            f = f.header("message-id", mid);
        }
    }
    Ok(f)
}

impl ProtocolLayer for StompLayer {
    type Intent = StompIntent;
    type Event = StompEvent;

    fn subprotocols(&self) -> Vec<String> {
        self.versions()
            .iter()
            .map(|v| v.subprotocol().to_string())
            .collect()
    }

    fn on_session(&mut self, event: &SessionEvent, _now: Instant, out: &mut Out) {
        if let SessionEvent::Error { error, .. } = event {
            if let WsError::SubprotocolNotAccepted { .. } = error.as_ref() {
                out.error(
                    "stomp.no_subprotocol",
                    format!(
                        "the server selected no STOMP subprotocol (offered {}): it is not a \
                         STOMP-over-WebSocket endpoint",
                        self.subprotocols().join(", ")
                    ),
                );
            }
        }
    }

    fn on_open(&mut self, _report: &UpgradeReport, now: Instant, out: &mut Out) {
        self.opens += 1;
        self.open = true;
        self.version = None;
        self.buf.clear();
        self.last_received = now;
        self.connected_deadline = Some(now + self.opts.connected_timeout);
        let f = self.connect_frame();
        if let Some(why) = f
            .headers
            .iter()
            .find_map(|(k, v)| frame::unwritable(&f.command, k, v, Version::V12))
        {
            out.error("stomp.bad_header", format!("CONNECT not sent: {why}"));
            out.close = Some((1000, String::new()));
            return;
        }
        self.emit(f, now, out);
    }

    fn on_message(&mut self, _kind: DataKind, data: &Bytes, now: Instant, out: &mut Out) {
        if !self.open {
            return;
        }
        self.last_received = now;
        // A partial frame with no content-length followed by a message that starts a new frame:
        // the partial one lacked its NUL.
        if !self.buf.is_empty() && frame::starts_like_frame(data) && !has_content_length(&self.buf)
        {
            out.error(
                "stomp.malformed_frame",
                format!(
                    "a frame without its NUL terminator (dropped): {}",
                    frame::quote(&self.buf)
                ),
            );
            self.buf.clear();
        }
        // EOLs after a frame's NUL are allowed; only a message of EOLs alone is a heart-beat.
        let only_eols = data.iter().all(|&b| b == b'\n' || b == b'\r');
        if only_eols && self.buf.is_empty() {
            out.event(StompEvent::Heartbeat { dir: Direction::In });
            return;
        }
        self.buf.extend_from_slice(data);
        let version = self.version.unwrap_or(Version::V12);
        let mut pos = 0;
        while let Some((item, used)) = frame::parse(&self.buf[pos..], version) {
            pos += used.max(1);
            match item {
                Ok(Item::Heartbeat) => {}
                Ok(Item::Frame(f)) => self.on_frame(f, now, out),
                Err(e) => out.error(e.code, e.message),
            }
            if pos >= self.buf.len() {
                break;
            }
        }
        self.buf.drain(..pos.min(self.buf.len()));
        if self.buf.len() > self.opts.max_frame {
            out.error(
                "stomp.malformed_frame",
                format!(
                    "{} bytes without a complete frame (more than {}); dropped",
                    self.buf.len(),
                    self.opts.max_frame
                ),
            );
            self.buf.clear();
        }
    }

    fn on_intent(&mut self, intent: StompIntent, now: Instant, out: &mut Out) {
        // Before CONNECTED (a DISCONNECT too: it goes after what was queued before it).
        if self.version.is_some() {
            self.perform(intent, now, out);
        } else {
            self.queue.push(intent);
        }
    }

    fn on_close(&mut self, _now: Instant, out: &mut Out) {
        if !self.open {
            return;
        }
        self.open = false;
        self.version = None;
        self.connected_deadline = None;
        self.send_every = None;
        self.expect_every = None;
        if !self.buf.is_empty() {
            out.error(
                "stomp.truncated",
                format!(
                    "the connection ended mid-frame: {}",
                    frame::quote(&self.buf)
                ),
            );
            self.buf.clear();
        }
        let lost: Vec<Pending> = {
            let (keep, lost) = std::mem::take(&mut self.receipts)
                .into_iter()
                .partition(|p| p.sub.is_some());
            self.receipts = keep;
            lost
        };
        for p in lost {
            if self.disconnecting.as_deref() == Some(&p.id) {
                continue;
            }
            out.error(
                "stomp.receipt_lost",
                format!(
                    "the connection ended before the RECEIPT for '{}' ({}) arrived",
                    p.id, p.command
                ),
            );
        }
    }

    fn next_deadline(&self) -> Option<Instant> {
        let mut d = self.connected_deadline;
        let mut at = |t: Instant| d = Some(d.map_or(t, |d| d.min(t)));
        if self.version.is_some() {
            if let Some(e) = self.send_every {
                at(self.last_sent + e);
            }
            if let Some(e) = self.expect_every {
                at(self.last_received + e * 2);
            }
        }
        for p in &self.receipts {
            at(p.deadline);
        }
        d
    }

    fn on_timer(&mut self, now: Instant, out: &mut Out) {
        if let Some(d) = self.connected_deadline {
            if now >= d && self.version.is_none() {
                self.connected_deadline = None;
                out.error(
                    "stomp.no_connected",
                    format!(
                        "no CONNECTED within {} of CONNECT: the server accepted the WebSocket \
                         but never answered the STOMP handshake",
                        fmt_duration(self.opts.connected_timeout)
                    ),
                );
                out.close = Some((1000, "no CONNECTED".into()));
            }
        }
        if self.version.is_some() {
            if let Some(e) = self.send_every {
                if now >= self.last_sent + e {
                    out.send_text("\n");
                    self.last_sent = now;
                    out.event(StompEvent::Heartbeat {
                        dir: Direction::Out,
                    });
                }
            }
            if let Some(e) = self.expect_every {
                if now >= self.last_received + e * 2 {
                    let silent = now.saturating_duration_since(self.last_received);
                    self.expect_every = None;
                    self.send_every = None;
                    let why = format!(
                        "missed heart-beat: nothing from the broker for {} (agreed every {})",
                        fmt_duration(silent),
                        fmt_duration(e)
                    );
                    out.error("stomp.heartbeat_missed", why.clone());
                    out.drop = Some(why);
                }
            }
        }
        let (due, keep): (Vec<Pending>, Vec<Pending>) = std::mem::take(&mut self.receipts)
            .into_iter()
            .partition(|p| now >= p.deadline);
        self.receipts = keep;
        for p in due {
            out.error(
                "stomp.receipt_timeout",
                format!(
                    "no RECEIPT for receipt id '{}' ({}) within {}",
                    p.id,
                    p.command,
                    fmt_duration(self.opts.receipt_timeout)
                ),
            );
            if self.disconnecting.as_deref() == Some(&p.id) {
                out.close = Some((1000, String::new()));
            }
        }
    }
}

/// Whether the header block of a partial frame names a content-length.
fn has_content_length(partial: &[u8]) -> bool {
    let end = partial
        .windows(2)
        .position(|w| w == b"\n\n")
        .unwrap_or(partial.len());
    partial[..end]
        .split(|&b| b == b'\n')
        .any(|l| l.starts_with(b"content-length:"))
}
