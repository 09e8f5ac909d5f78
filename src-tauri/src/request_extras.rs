//! The editor's TLS, proxy and deflate-parameter fields (`ExtrasDto`, edited in the Settings tab)
//! to and from the store model's `Settings`, where they are saved and where `sockpit run` reads
//! them. `extras` is the editor's only copy: the settings JSON it gets never carries these fields.

use sockpit_core::collection::model::Settings;

use crate::dto_store::ExtrasDto;

fn text(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

/// `settings` with the editor's extras in place (empty text and `insecure: false` are absent).
/// The extras win over any of these fields in the settings JSON.
pub fn with_extras(mut settings: Settings, x: &ExtrasDto) -> Settings {
    settings.ca_file = text(&x.ca_file);
    settings.insecure = x.insecure.then_some(true);
    settings.proxy = text(&x.proxy);
    settings.deflate_params = text(&x.deflate_params);
    settings
}

/// The extras a stored request's settings hold.
pub fn extras_of(s: &Settings) -> ExtrasDto {
    ExtrasDto {
        ca_file: s.ca_file.clone().unwrap_or_default(),
        insecure: s.insecure == Some(true),
        proxy: s.proxy.clone().unwrap_or_default(),
        deflate_params: s.deflate_params.clone().unwrap_or_default(),
    }
}

/// The settings without the fields the editor keeps in `extras`.
pub fn without_extras(s: &Settings) -> Settings {
    with_extras(s.clone(), &ExtrasDto::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_extras_leave_no_fields_and_full_ones_come_back() {
        let base = Settings {
            handshake_timeout_ms: Some(5),
            proxy: Some("http://stale:1".into()),
            ..Settings::default()
        };
        let empty = ExtrasDto {
            ca_file: "  ".into(),
            ..ExtrasDto::default()
        };
        let s = with_extras(base.clone(), &empty);
        assert_eq!(s.handshake_timeout_ms, Some(5));
        assert_eq!(
            (s.ca_file, s.insecure, s.proxy, s.deflate_params),
            (None, None, None, None)
        );

        let full = ExtrasDto {
            ca_file: "/etc/ca.pem".into(),
            insecure: true,
            proxy: "socks5h://{{proxy}}:1080".into(),
            deflate_params: "client_no_context_takeover".into(),
        };
        let s = with_extras(base, &full);
        assert_eq!(s.insecure, Some(true));
        assert_eq!(extras_of(&s), full);
        let rest = without_extras(&s);
        assert_eq!(rest.handshake_timeout_ms, Some(5));
        assert_eq!(extras_of(&rest), ExtrasDto::default());
    }
}
