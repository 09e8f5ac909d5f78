//! The WebSocket-vs-SSE compare, pure part: turning arrivals into comparable items, aligning the two
//! sides by key (a JSON pointer) or by order, and the summary (missing items, payload mismatches,
//! p50/p95/max arrival-time delta). [`super::compare_run`] feeds it from two live sessions.
//!
//! An SSE event is seen as `{"id":..,"type":..,"data":..}` (what the mock's `/feed` sends over
//! WebSocket), so a key like `/id` works on both sides. A key that is not found there is looked up
//! in the JSON inside `data` (on the SSE side, and on the WebSocket side when a message is such an
//! envelope), so `/n` works on `{"n":1}` payloads too. Payloads compare by their data: an
//! envelope's `data` string, else the whole message; equal as text or as JSON.

use std::collections::{HashMap, VecDeque};

use serde_json::Value;

use crate::ws::event::Nanos;

/// Which transport an arrival came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    Ws,
    Sse,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Ws => "ws",
            Side::Sse => "sse",
        }
    }
}

/// One received item, ready to align.
#[derive(Debug, Clone, PartialEq)]
pub struct Arrival {
    /// Nanoseconds since the compare started (both sides on one clock).
    pub t: Nanos,
    pub key: String,
    /// What the payload comparison looks at.
    pub payload: String,
}

/// Where the key comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyRule {
    /// The n-th item on one side pairs with the n-th on the other.
    Order,
    /// A JSON pointer (RFC 6901) into the payload; items without it fall back to their order.
    Pointer(String),
}

/// A paired or unpaired item, as the compare reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct CompareItem {
    pub key: String,
    pub ws_t: Option<Nanos>,
    pub sse_t: Option<Nanos>,
    /// `sse_t - ws_t` in nanoseconds (positive: SSE arrived later), when both arrived.
    pub delta: Option<i64>,
    /// Whether the payloads agree, when both arrived.
    pub payload_match: Option<bool>,
    pub ws_payload: Option<String>,
    pub sse_payload: Option<String>,
}

impl CompareItem {
    /// The side the item never arrived on, if any.
    pub fn missing_on(&self) -> Option<Side> {
        match (self.ws_t, self.sse_t) {
            (None, Some(_)) => Some(Side::Ws),
            (Some(_), None) => Some(Side::Sse),
            _ => None,
        }
    }
}

/// Totals and latency deltas over a whole compare.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CompareSummary {
    pub ws_items: u64,
    pub sse_items: u64,
    pub matched: u64,
    pub mismatched: u64,
    /// Items that arrived over SSE only.
    pub missing_on_ws: u64,
    /// Items that arrived over WebSocket only.
    pub missing_on_sse: u64,
    /// Percentiles of `sse_t - ws_t` over matched items, in nanoseconds (nearest rank).
    pub delta_p50: Option<i64>,
    pub delta_p95: Option<i64>,
    pub delta_max: Option<i64>,
    pub delta_min: Option<i64>,
}

/// A WebSocket text message as an arrival.
pub fn ws_arrival(t: Nanos, text: &str, index: u64, rule: &KeyRule) -> Arrival {
    let json: Option<Value> = serde_json::from_str(text).ok();
    let inner_data = json
        .as_ref()
        .and_then(|v| v.get("data"))
        .and_then(Value::as_str);
    let payload = inner_data.unwrap_or(text).to_string();
    let key = match rule {
        KeyRule::Order => None,
        KeyRule::Pointer(p) => json
            .as_ref()
            .and_then(|v| v.pointer(p))
            .map(key_string)
            .or_else(|| lookup_in_data(inner_data, p)),
    };
    Arrival {
        t,
        key: key.unwrap_or_else(|| format!("#{index}")),
        payload,
    }
}

/// An SSE event as an arrival.
pub fn sse_arrival(
    t: Nanos,
    id: &str,
    event_type: &str,
    data: &str,
    index: u64,
    rule: &KeyRule,
) -> Arrival {
    let key = match rule {
        KeyRule::Order => None,
        KeyRule::Pointer(p) => {
            let envelope = serde_json::json!({"id": id, "type": event_type, "data": data});
            envelope
                .pointer(p)
                .map(key_string)
                .or_else(|| lookup_in_data(Some(data), p))
        }
    };
    Arrival {
        t,
        key: key.unwrap_or_else(|| format!("#{index}")),
        payload: data.to_string(),
    }
}

fn lookup_in_data(data: Option<&str>, pointer: &str) -> Option<String> {
    let v: Value = serde_json::from_str(data?).ok()?;
    v.pointer(pointer).map(key_string)
}

fn key_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn payloads_match(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    match (
        serde_json::from_str::<Value>(a),
        serde_json::from_str::<Value>(b),
    ) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// Pairs arrivals from the two sides by key, first come first paired.
#[derive(Debug, Default)]
pub struct Aligner {
    waiting: HashMap<(Side, String), VecDeque<Arrival>>,
    /// Arrival order of the waiting items, to report the unpaired ones in order.
    order: Vec<(Side, String, Nanos)>,
    deltas: Vec<i64>,
    summary: CompareSummary,
}

impl Aligner {
    pub fn new() -> Aligner {
        Aligner::default()
    }

    /// Adds an arrival; returns the completed item when it pairs with one from the other side.
    pub fn push(&mut self, side: Side, arrival: Arrival) -> Option<CompareItem> {
        match side {
            Side::Ws => self.summary.ws_items += 1,
            Side::Sse => self.summary.sse_items += 1,
        }
        let other = match side {
            Side::Ws => Side::Sse,
            Side::Sse => Side::Ws,
        };
        let slot = (other, arrival.key.clone());
        let partner = self.waiting.get_mut(&slot).and_then(VecDeque::pop_front);
        if self.waiting.get(&slot).is_some_and(VecDeque::is_empty) {
            self.waiting.remove(&slot);
        }
        let Some(partner) = partner else {
            self.order.push((side, arrival.key.clone(), arrival.t));
            self.waiting
                .entry((side, arrival.key.clone()))
                .or_default()
                .push_back(arrival);
            return None;
        };
        let (ws, sse) = match side {
            Side::Ws => (arrival, partner),
            Side::Sse => (partner, arrival),
        };
        let delta = sse.t as i64 - ws.t as i64;
        let same = payloads_match(&ws.payload, &sse.payload);
        self.deltas.push(delta);
        self.summary.matched += 1;
        if !same {
            self.summary.mismatched += 1;
        }
        Some(CompareItem {
            key: ws.key,
            ws_t: Some(ws.t),
            sse_t: Some(sse.t),
            delta: Some(delta),
            payload_match: Some(same),
            ws_payload: Some(ws.payload),
            sse_payload: Some(sse.payload),
        })
    }

    /// Ends the compare: the items still waiting (missing on the other side), in arrival order,
    /// and the summary.
    pub fn finish(mut self) -> (Vec<CompareItem>, CompareSummary) {
        let mut unpaired = Vec::new();
        for (side, key, _) in std::mem::take(&mut self.order) {
            let Some(arrival) = self
                .waiting
                .get_mut(&(side, key))
                .and_then(VecDeque::pop_front)
            else {
                continue; // paired later
            };
            let (ws, sse) = match side {
                Side::Ws => (Some(arrival), None),
                Side::Sse => (None, Some(arrival)),
            };
            match side {
                Side::Ws => self.summary.missing_on_sse += 1,
                Side::Sse => self.summary.missing_on_ws += 1,
            }
            let key = ws.as_ref().or(sse.as_ref()).map(|a| a.key.clone());
            unpaired.push(CompareItem {
                key: key.unwrap_or_default(),
                ws_t: ws.as_ref().map(|a| a.t),
                sse_t: sse.as_ref().map(|a| a.t),
                delta: None,
                payload_match: None,
                ws_payload: ws.map(|a| a.payload),
                sse_payload: sse.map(|a| a.payload),
            });
        }
        let mut d = std::mem::take(&mut self.deltas);
        d.sort_unstable();
        let rank = |p: f64| -> Option<i64> {
            if d.is_empty() {
                return None;
            }
            let i = ((p * d.len() as f64).ceil() as usize).clamp(1, d.len()) - 1;
            Some(d[i])
        };
        self.summary.delta_p50 = rank(0.50);
        self.summary.delta_p95 = rank(0.95);
        self.summary.delta_max = d.last().copied();
        self.summary.delta_min = d.first().copied();
        (unpaired, self.summary)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ptr(p: &str) -> KeyRule {
        KeyRule::Pointer(p.into())
    }

    #[test]
    fn keys_come_from_the_envelope_or_the_data() {
        let ws = r#"{"id":"7","type":"tick","data":"{\"n\":7}"}"#;
        assert_eq!(ws_arrival(0, ws, 1, &ptr("/id")).key, "7");
        assert_eq!(ws_arrival(0, ws, 1, &ptr("/n")).key, "7");
        assert_eq!(ws_arrival(0, ws, 1, &ptr("/n")).payload, r#"{"n":7}"#);
        assert_eq!(ws_arrival(0, r#"{"n":7}"#, 1, &ptr("/n")).key, "7");
        assert_eq!(ws_arrival(0, "plain", 3, &ptr("/n")).key, "#3");
        assert_eq!(ws_arrival(0, ws, 4, &KeyRule::Order).key, "#4");
        let sse = sse_arrival(0, "7", "tick", r#"{"n":7}"#, 1, &ptr("/id"));
        assert_eq!(
            (sse.key.as_str(), sse.payload.as_str()),
            ("7", r#"{"n":7}"#)
        );
        assert_eq!(
            sse_arrival(0, "", "m", r#"{"n":7}"#, 1, &ptr("/n")).key,
            "7"
        );
        assert_eq!(sse_arrival(0, "", "m", "x", 2, &ptr("/n")).key, "#2");
    }

    #[test]
    fn aligns_by_key_and_reports_missing_mismatch_and_deltas() {
        let mut a = Aligner::new();
        let arr = |t: u64, key: &str, payload: &str| Arrival {
            t: t * 1_000_000,
            key: key.into(),
            payload: payload.into(),
        };
        assert_eq!(a.push(Side::Ws, arr(10, "1", "{\"n\":1}")), None);
        let item = a.push(Side::Sse, arr(13, "1", "{ \"n\": 1 }")).unwrap();
        assert_eq!(item.delta, Some(3_000_000));
        assert_eq!(item.payload_match, Some(true), "equal as JSON");
        let item = a.push(Side::Sse, arr(20, "2", "b")).map(|i| i.key);
        assert_eq!(item, None);
        let item = a.push(Side::Ws, arr(25, "2", "c")).unwrap();
        assert_eq!(
            (item.delta, item.payload_match),
            (Some(-5_000_000), Some(false))
        );
        a.push(Side::Ws, arr(30, "3", "x"));
        a.push(Side::Sse, arr(31, "4", "y"));
        let (unpaired, s) = a.finish();
        assert_eq!(unpaired.len(), 2);
        assert_eq!(unpaired[0].missing_on(), Some(Side::Sse));
        assert_eq!(unpaired[1].missing_on(), Some(Side::Ws));
        assert_eq!(
            (
                s.ws_items,
                s.sse_items,
                s.matched,
                s.mismatched,
                s.missing_on_ws,
                s.missing_on_sse
            ),
            (3, 3, 2, 1, 1, 1)
        );
        assert_eq!(s.delta_p50, Some(-5_000_000));
        assert_eq!(s.delta_p95, Some(3_000_000));
        assert_eq!(
            (s.delta_min, s.delta_max),
            (Some(-5_000_000), Some(3_000_000))
        );
    }

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let mut a = Aligner::new();
        for i in 1..=100u64 {
            let k = i.to_string();
            a.push(
                Side::Ws,
                Arrival {
                    t: 0,
                    key: k.clone(),
                    payload: String::new(),
                },
            );
            a.push(
                Side::Sse,
                Arrival {
                    t: i,
                    key: k,
                    payload: String::new(),
                },
            );
        }
        let (unpaired, s) = a.finish();
        assert!(unpaired.is_empty());
        assert_eq!(
            (s.delta_p50, s.delta_p95, s.delta_max),
            (Some(50), Some(95), Some(100))
        );
    }
}
