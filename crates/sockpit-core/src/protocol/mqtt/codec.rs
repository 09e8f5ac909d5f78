//! The MQTT 3.1.1 / 5.0 packet codec: one model for both versions, [`decode`] a pure function over
//! bytes (it never panics, whatever it is given: the randomized test and the fuzz target call it),
//! [`encode`] its inverse. Properties are kept as a list in wire order, so a packet round-trips.

use bytes::Bytes;

use super::props::{self, Properties};

/// Largest remaining length MQTT can express (four length bytes).
pub const MAX_REMAINING: usize = 268_435_455;

/// The protocol level: 4 is MQTT 3.1.1, 5 is MQTT 5.0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    V311,
    V5,
}

impl Version {
    pub fn level(self) -> u8 {
        match self {
            Version::V311 => 4,
            Version::V5 => 5,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Version::V311 => "3.1.1",
            Version::V5 => "5",
        }
    }

    /// `3.1.1` (or `4`, `3`), `5` (or `5.0`).
    pub fn parse(s: &str) -> Option<Version> {
        match s {
            "3.1.1" | "3" | "4" | "311" => Some(Version::V311),
            "5" | "5.0" => Some(Version::V5),
            _ => None,
        }
    }
}

/// A codec failure with a stable code (`mqtt.malformed_packet`, `mqtt.packet_too_large`, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodecError {
    pub code: &'static str,
    pub message: String,
}

fn malformed(message: impl Into<String>) -> CodecError {
    CodecError {
        code: "mqtt.malformed_packet",
        message: message.into(),
    }
}

/// The will message of a CONNECT.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Will {
    pub topic: String,
    pub payload: Bytes,
    pub qos: u8,
    pub retain: bool,
    pub props: Properties,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connect {
    pub version: Version,
    pub client_id: String,
    /// Clean session (3.1.1) / clean start (5).
    pub clean: bool,
    pub keep_alive: u16,
    pub username: Option<String>,
    pub password: Option<Bytes>,
    pub will: Option<Will>,
    pub props: Properties,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publish {
    pub dup: bool,
    pub qos: u8,
    pub retain: bool,
    pub topic: String,
    /// 0 at QoS 0.
    pub pkid: u16,
    pub payload: Bytes,
    pub props: Properties,
}

/// One filter of a SUBSCRIBE, with the v5 options (ignored on the wire by 3.1.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubFilter {
    pub filter: String,
    pub qos: u8,
    pub no_local: bool,
    pub retain_as_published: bool,
    /// 0 send retained on subscribe, 1 only on a new subscription, 2 never.
    pub retain_handling: u8,
}

impl SubFilter {
    pub fn new(filter: impl Into<String>, qos: u8) -> SubFilter {
        SubFilter {
            filter: filter.into(),
            qos,
            no_local: false,
            retain_as_published: false,
            retain_handling: 0,
        }
    }
}

/// PUBACK, PUBREC, PUBREL, PUBCOMP: a packet id, and in v5 a reason code and properties.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ack {
    pub pkid: u16,
    pub code: u8,
    pub props: Properties,
}

impl Ack {
    pub fn new(pkid: u16) -> Ack {
        Ack {
            pkid,
            code: 0,
            props: Properties::default(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Packet {
    Connect(Box<Connect>),
    ConnAck {
        session_present: bool,
        /// The 3.1.1 return code or the v5 reason code.
        code: u8,
        props: Properties,
    },
    Publish(Publish),
    PubAck(Ack),
    PubRec(Ack),
    PubRel(Ack),
    PubComp(Ack),
    Subscribe {
        pkid: u16,
        filters: Vec<SubFilter>,
        props: Properties,
    },
    SubAck {
        pkid: u16,
        codes: Vec<u8>,
        props: Properties,
    },
    Unsubscribe {
        pkid: u16,
        filters: Vec<String>,
        props: Properties,
    },
    /// `codes` is empty in 3.1.1.
    UnsubAck {
        pkid: u16,
        codes: Vec<u8>,
        props: Properties,
    },
    PingReq,
    PingResp,
    Disconnect {
        code: u8,
        props: Properties,
    },
    Auth {
        code: u8,
        props: Properties,
    },
}

impl Packet {
    /// The lower-case name used in events and `--json` (`publish`, `connack`, ...).
    pub fn name(&self) -> &'static str {
        match self {
            Packet::Connect(_) => "connect",
            Packet::ConnAck { .. } => "connack",
            Packet::Publish(_) => "publish",
            Packet::PubAck(_) => "puback",
            Packet::PubRec(_) => "pubrec",
            Packet::PubRel(_) => "pubrel",
            Packet::PubComp(_) => "pubcomp",
            Packet::Subscribe { .. } => "subscribe",
            Packet::SubAck { .. } => "suback",
            Packet::Unsubscribe { .. } => "unsubscribe",
            Packet::UnsubAck { .. } => "unsuback",
            Packet::PingReq => "pingreq",
            Packet::PingResp => "pingresp",
            Packet::Disconnect { .. } => "disconnect",
            Packet::Auth { .. } => "auth",
        }
    }
}

/// A cursor over one packet's bytes; every read checks what is left.
pub(super) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(super) fn new(buf: &'a [u8]) -> Reader<'a> {
        Reader { buf, pos: 0 }
    }

    pub(super) fn left(&self) -> usize {
        self.buf.len() - self.pos
    }

    pub(super) fn bytes(&mut self, n: usize, what: &str) -> Result<&'a [u8], CodecError> {
        if self.left() < n {
            return Err(malformed(format!(
                "{what}: needs {n} byte(s), the packet has {} left",
                self.left()
            )));
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    pub(super) fn u8(&mut self, what: &str) -> Result<u8, CodecError> {
        Ok(self.bytes(1, what)?[0])
    }

    pub(super) fn u16(&mut self, what: &str) -> Result<u16, CodecError> {
        let b = self.bytes(2, what)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    pub(super) fn u32(&mut self, what: &str) -> Result<u32, CodecError> {
        let b = self.bytes(4, what)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    pub(super) fn varint(&mut self, what: &str) -> Result<u32, CodecError> {
        match read_varint(&self.buf[self.pos..]) {
            Ok(Some((v, n))) => {
                self.pos += n;
                Ok(v as u32)
            }
            Ok(None) => Err(malformed(format!("{what}: a variable byte integer is cut"))),
            Err(e) => Err(malformed(format!("{what}: {}", e.message))),
        }
    }

    pub(super) fn binary(&mut self, what: &str) -> Result<Bytes, CodecError> {
        let n = self.u16(what)? as usize;
        Ok(Bytes::copy_from_slice(self.bytes(n, what)?))
    }

    pub(super) fn string(&mut self, what: &str) -> Result<String, CodecError> {
        let n = self.u16(what)? as usize;
        let b = self.bytes(n, what)?;
        let s = std::str::from_utf8(b).map_err(|_| malformed(format!("{what} is not UTF-8")))?;
        if s.contains('\0') {
            return Err(malformed(format!("{what} contains U+0000")));
        }
        Ok(s.to_string())
    }

    pub(super) fn rest(&mut self) -> &'a [u8] {
        let s = &self.buf[self.pos..];
        self.pos = self.buf.len();
        s
    }
}

/// A variable byte integer at the start of `buf`: `Ok(None)` when more bytes are needed, an
/// error when it runs over four bytes.
pub fn read_varint(buf: &[u8]) -> Result<Option<(usize, usize)>, CodecError> {
    let mut value = 0usize;
    for i in 0..4 {
        let Some(&b) = buf.get(i) else {
            return Ok(None);
        };
        value |= ((b & 0x7f) as usize) << (7 * i);
        if b & 0x80 == 0 {
            return Ok(Some((value, i + 1)));
        }
    }
    if buf.len() > 4 {
        Err(malformed(
            "the remaining length runs over 4 bytes (the most MQTT allows): not an MQTT stream, \
             or a corrupt one",
        ))
    } else {
        Ok(None)
    }
}

pub(crate) fn write_varint(out: &mut Vec<u8>, mut v: usize) {
    loop {
        let mut b = (v % 128) as u8;
        v /= 128;
        if v > 0 {
            b |= 0x80;
        }
        out.push(b);
        if v == 0 {
            break;
        }
    }
}

pub(crate) fn write_u16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_be_bytes());
}

pub(crate) fn write_bin(out: &mut Vec<u8>, b: &[u8], what: &str) -> Result<(), CodecError> {
    let n = u16::try_from(b.len()).map_err(|_| CodecError {
        code: "mqtt.too_long",
        message: format!("{what} is {} bytes; MQTT allows 65535", b.len()),
    })?;
    write_u16(out, n);
    out.extend_from_slice(b);
    Ok(())
}

/// The first packet in `buf`: `Ok(None)` when `buf` holds only part of one, else the packet and
/// how many bytes it took. `max` bounds the packet's size (`mqtt.packet_too_large`).
pub fn decode(
    buf: &[u8],
    version: Version,
    max: usize,
) -> Result<Option<(Packet, usize)>, CodecError> {
    let Some(&first) = buf.first() else {
        return Ok(None);
    };
    let Some((len, n)) = read_varint(&buf[1..])? else {
        return Ok(None);
    };
    let total = 1 + n + len;
    if total > max {
        return Err(CodecError {
            code: "mqtt.packet_too_large",
            message: format!("a packet of {total} bytes, over the limit of {max}"),
        });
    }
    if buf.len() < total {
        return Ok(None);
    }
    let body = &buf[1 + n..total];
    let packet = decode_body(first, body, version)?;
    Ok(Some((packet, total)))
}

/// What a packet type's fixed-header flags must be (all but PUBLISH).
fn check_flags(first: u8, want: u8, name: &str) -> Result<(), CodecError> {
    if first & 0x0f != want {
        return Err(malformed(format!(
            "{name} with fixed-header flags {:#06b} (must be {want:#06b})",
            first & 0x0f
        )));
    }
    Ok(())
}

fn decode_body(first: u8, body: &[u8], v: Version) -> Result<Packet, CodecError> {
    let v5 = v == Version::V5;
    let mut r = Reader::new(body);
    let kind = first >> 4;
    let packet = match kind {
        1 => {
            check_flags(first, 0, "CONNECT")?;
            Packet::Connect(Box::new(decode_connect(&mut r)?))
        }
        2 => {
            check_flags(first, 0, "CONNACK")?;
            let flags = r.u8("CONNACK flags")?;
            if flags & 0xfe != 0 {
                return Err(malformed("CONNACK with reserved flag bits set"));
            }
            let code = r.u8("CONNACK return code")?;
            let props = if v5 && r.left() > 0 {
                props::read(&mut r, "CONNACK")?
            } else {
                Properties::default()
            };
            Packet::ConnAck {
                session_present: flags & 1 == 1,
                code,
                props,
            }
        }
        3 => Packet::Publish(decode_publish(first, &mut r, v5)?),
        4..=7 => {
            let (name, flags) = match kind {
                4 => ("PUBACK", 0),
                5 => ("PUBREC", 0),
                6 => ("PUBREL", 2),
                _ => ("PUBCOMP", 0),
            };
            check_flags(first, flags, name)?;
            let pkid = r.u16(name)?;
            let (code, props) = if v5 && r.left() > 0 {
                let code = r.u8(name)?;
                let props = if r.left() > 0 {
                    props::read(&mut r, name)?
                } else {
                    Properties::default()
                };
                (code, props)
            } else {
                (0, Properties::default())
            };
            let ack = Ack { pkid, code, props };
            match kind {
                4 => Packet::PubAck(ack),
                5 => Packet::PubRec(ack),
                6 => Packet::PubRel(ack),
                _ => Packet::PubComp(ack),
            }
        }
        8 => {
            check_flags(first, 2, "SUBSCRIBE")?;
            let pkid = r.u16("SUBSCRIBE packet id")?;
            let props = if v5 {
                props::read(&mut r, "SUBSCRIBE")?
            } else {
                Properties::default()
            };
            let mut filters = Vec::new();
            while r.left() > 0 {
                let filter = r.string("a SUBSCRIBE filter")?;
                let o = r.u8("SUBSCRIBE options")?;
                if o & 3 == 3 || (!v5 && o & 0xfc != 0) || o & 0xc0 != 0 || (o >> 4) & 3 == 3 {
                    return Err(malformed(format!(
                        "SUBSCRIBE options {o:#04x} for '{filter}'"
                    )));
                }
                filters.push(SubFilter {
                    filter,
                    qos: o & 3,
                    no_local: o & 4 != 0,
                    retain_as_published: o & 8 != 0,
                    retain_handling: (o >> 4) & 3,
                });
            }
            if filters.is_empty() {
                return Err(malformed("SUBSCRIBE without a filter"));
            }
            Packet::Subscribe {
                pkid,
                filters,
                props,
            }
        }
        9 | 11 => {
            let name = if kind == 9 { "SUBACK" } else { "UNSUBACK" };
            check_flags(first, 0, name)?;
            let pkid = r.u16(name)?;
            let props = if v5 {
                props::read(&mut r, name)?
            } else {
                Properties::default()
            };
            // A 3.1.1 UNSUBACK is its packet id alone (§3.11.1); more bytes are malformed below.
            let codes = if kind == 11 && !v5 {
                Vec::new()
            } else {
                r.rest().to_vec()
            };
            if kind == 9 {
                if codes.is_empty() {
                    return Err(malformed("SUBACK without a return code"));
                }
                Packet::SubAck { pkid, codes, props }
            } else {
                Packet::UnsubAck { pkid, codes, props }
            }
        }
        10 => {
            check_flags(first, 2, "UNSUBSCRIBE")?;
            let pkid = r.u16("UNSUBSCRIBE packet id")?;
            let props = if v5 {
                props::read(&mut r, "UNSUBSCRIBE")?
            } else {
                Properties::default()
            };
            let mut filters = Vec::new();
            while r.left() > 0 {
                filters.push(r.string("an UNSUBSCRIBE filter")?);
            }
            if filters.is_empty() {
                return Err(malformed("UNSUBSCRIBE without a filter"));
            }
            Packet::Unsubscribe {
                pkid,
                filters,
                props,
            }
        }
        12 | 13 => {
            check_flags(first, 0, if kind == 12 { "PINGREQ" } else { "PINGRESP" })?;
            if kind == 12 {
                Packet::PingReq
            } else {
                Packet::PingResp
            }
        }
        14 | 15 => {
            let name = if kind == 14 { "DISCONNECT" } else { "AUTH" };
            check_flags(first, 0, name)?;
            if kind == 15 && !v5 {
                return Err(malformed("AUTH is an MQTT 5 packet"));
            }
            let code = if v5 && r.left() > 0 { r.u8(name)? } else { 0 };
            let props = if v5 && r.left() > 0 {
                props::read(&mut r, name)?
            } else {
                Properties::default()
            };
            if kind == 14 {
                Packet::Disconnect { code, props }
            } else {
                Packet::Auth { code, props }
            }
        }
        _ => return Err(malformed("packet type 0 is reserved")),
    };
    if r.left() > 0 {
        return Err(malformed(format!(
            "{} has {} byte(s) past its end",
            packet.name().to_uppercase(),
            r.left()
        )));
    }
    Ok(packet)
}

fn decode_publish(first: u8, r: &mut Reader, v5: bool) -> Result<Publish, CodecError> {
    let qos = (first >> 1) & 3;
    if qos == 3 {
        return Err(malformed("PUBLISH with QoS 3"));
    }
    let topic = r.string("the PUBLISH topic")?;
    if topic.contains(['+', '#']) {
        return Err(malformed(format!(
            "PUBLISH to '{topic}': a topic name has no wildcards"
        )));
    }
    let pkid = if qos > 0 {
        let id = r.u16("the PUBLISH packet id")?;
        if id == 0 {
            return Err(malformed("PUBLISH with packet id 0"));
        }
        id
    } else {
        0
    };
    let props = if v5 {
        props::read(r, "PUBLISH")?
    } else {
        Properties::default()
    };
    Ok(Publish {
        dup: first & 8 != 0,
        qos,
        retain: first & 1 != 0,
        topic,
        pkid,
        payload: Bytes::copy_from_slice(r.rest()),
        props,
    })
}

fn decode_connect(r: &mut Reader) -> Result<Connect, CodecError> {
    let name = r.string("the protocol name")?;
    if name != "MQTT" && name != "MQIsdp" {
        return Err(malformed(format!("protocol name '{name}'")));
    }
    let version = match r.u8("the protocol level")? {
        3 | 4 => Version::V311,
        5 => Version::V5,
        l => return Err(malformed(format!("protocol level {l}"))),
    };
    let v5 = version == Version::V5;
    let flags = r.u8("CONNECT flags")?;
    if flags & 1 != 0 {
        return Err(malformed("CONNECT with the reserved flag set"));
    }
    let keep_alive = r.u16("keep alive")?;
    let props = if v5 {
        props::read(r, "CONNECT")?
    } else {
        Properties::default()
    };
    let client_id = r.string("the client id")?;
    let will = if flags & 4 != 0 {
        let props = if v5 {
            props::read(r, "the will")?
        } else {
            Properties::default()
        };
        let qos = (flags >> 3) & 3;
        if qos == 3 {
            return Err(malformed("will QoS 3"));
        }
        Some(Will {
            topic: r.string("the will topic")?,
            payload: r.binary("the will payload")?,
            qos,
            retain: flags & 0x20 != 0,
            props,
        })
    } else {
        None
    };
    let username = if flags & 0x80 != 0 {
        Some(r.string("the user name")?)
    } else {
        None
    };
    let password = if flags & 0x40 != 0 {
        Some(r.binary("the password")?)
    } else {
        None
    };
    Ok(Connect {
        version,
        client_id,
        clean: flags & 2 != 0,
        keep_alive,
        username,
        password,
        will,
        props,
    })
}
