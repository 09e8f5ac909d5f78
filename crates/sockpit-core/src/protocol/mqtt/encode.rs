//! [`encode`]: a packet model back into MQTT 3.1.1 or 5.0 bytes (the inverse of `decode`).

use super::codec::{
    write_bin, write_u16, write_varint, CodecError, Packet, Version, MAX_REMAINING,
};
use super::props;

/// The bytes of `p` for `version` (properties are left out in 3.1.1).
pub fn encode(p: &Packet, version: Version) -> Result<Vec<u8>, CodecError> {
    let v5 = version == Version::V5;
    let mut b = Vec::new();
    let first: u8 = match p {
        Packet::Connect(c) => {
            write_bin(&mut b, b"MQTT", "")?;
            b.push(c.version.level());
            let mut flags = 0u8;
            if c.clean {
                flags |= 2;
            }
            if let Some(w) = &c.will {
                flags |= 4 | (w.qos & 3) << 3;
                if w.retain {
                    flags |= 0x20;
                }
            }
            if c.password.is_some() {
                flags |= 0x40;
            }
            if c.username.is_some() {
                flags |= 0x80;
            }
            b.push(flags);
            write_u16(&mut b, c.keep_alive);
            let cv5 = c.version == Version::V5;
            if cv5 {
                props::write(&mut b, &c.props)?;
            }
            write_bin(&mut b, c.client_id.as_bytes(), "the client id")?;
            if let Some(w) = &c.will {
                if cv5 {
                    props::write(&mut b, &w.props)?;
                }
                write_bin(&mut b, w.topic.as_bytes(), "the will topic")?;
                write_bin(&mut b, &w.payload, "the will payload")?;
            }
            if let Some(u) = &c.username {
                write_bin(&mut b, u.as_bytes(), "the user name")?;
            }
            if let Some(pw) = &c.password {
                write_bin(&mut b, pw, "the password")?;
            }
            0x10
        }
        Packet::ConnAck {
            session_present,
            code,
            props,
        } => {
            b.push(u8::from(*session_present));
            b.push(*code);
            if v5 {
                props::write(&mut b, props)?;
            }
            0x20
        }
        Packet::Publish(p) => {
            write_bin(&mut b, p.topic.as_bytes(), "the topic")?;
            if p.qos > 0 {
                write_u16(&mut b, p.pkid);
            }
            if v5 {
                props::write(&mut b, &p.props)?;
            }
            b.extend_from_slice(&p.payload);
            0x30 | u8::from(p.dup) << 3 | (p.qos & 3) << 1 | u8::from(p.retain)
        }
        Packet::PubAck(a) | Packet::PubRec(a) | Packet::PubRel(a) | Packet::PubComp(a) => {
            write_u16(&mut b, a.pkid);
            if v5 && (a.code != 0 || !a.props.is_empty()) {
                b.push(a.code);
                if !a.props.is_empty() {
                    props::write(&mut b, &a.props)?;
                }
            }
            match p {
                Packet::PubAck(_) => 0x40,
                Packet::PubRec(_) => 0x50,
                Packet::PubRel(_) => 0x62,
                _ => 0x70,
            }
        }
        Packet::Subscribe {
            pkid,
            filters,
            props,
        } => {
            write_u16(&mut b, *pkid);
            if v5 {
                props::write(&mut b, props)?;
            }
            for f in filters {
                write_bin(&mut b, f.filter.as_bytes(), "a topic filter")?;
                let mut o = f.qos & 3;
                if v5 {
                    o |= u8::from(f.no_local) << 2
                        | u8::from(f.retain_as_published) << 3
                        | (f.retain_handling & 3) << 4;
                }
                b.push(o);
            }
            0x82
        }
        Packet::SubAck { pkid, codes, props } | Packet::UnsubAck { pkid, codes, props } => {
            write_u16(&mut b, *pkid);
            if v5 {
                props::write(&mut b, props)?;
                b.extend_from_slice(codes);
            } else if matches!(p, Packet::SubAck { .. }) {
                b.extend_from_slice(codes);
            }
            if matches!(p, Packet::SubAck { .. }) {
                0x90
            } else {
                0xb0
            }
        }
        Packet::Unsubscribe {
            pkid,
            filters,
            props,
        } => {
            write_u16(&mut b, *pkid);
            if v5 {
                props::write(&mut b, props)?;
            }
            for f in filters {
                write_bin(&mut b, f.as_bytes(), "a topic filter")?;
            }
            0xa2
        }
        Packet::PingReq => 0xc0,
        Packet::PingResp => 0xd0,
        Packet::Disconnect { code, props } | Packet::Auth { code, props } => {
            if v5 && (*code != 0 || !props.is_empty() || matches!(p, Packet::Auth { .. })) {
                b.push(*code);
                props::write(&mut b, props)?;
            }
            if matches!(p, Packet::Disconnect { .. }) {
                0xe0
            } else {
                0xf0
            }
        }
    };
    if b.len() > MAX_REMAINING {
        return Err(CodecError {
            code: "mqtt.packet_too_large",
            message: format!(
                "a {} of {} bytes: MQTT packets hold at most {MAX_REMAINING}",
                p.name().to_uppercase(),
                b.len()
            ),
        });
    }
    let mut out = Vec::with_capacity(b.len() + 5);
    out.push(first);
    write_varint(&mut out, b.len());
    out.extend_from_slice(&b);
    Ok(out)
}
