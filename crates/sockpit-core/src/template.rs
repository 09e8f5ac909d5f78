//! `{{name}}` templating for URLs, params, headers, messages and auth fields.
//!
//! A name is looked up in layers, first match wins: overrides (`--var`), the active environment,
//! the collection's variables, then globals. A secret variable with no value on this machine takes
//! `$SOCKPIT_VAR_<NAME>` from the process environment (name upper-cased, other characters `_`),
//! which is how CI passes secrets. Values may themselves hold `{{...}}` (resolved up to
//! [`MAX_DEPTH`] levels deep; a cycle is an error). Dynamic values: `{{$uuid}}` (v4),
//! `{{$timestamp}}` (Unix seconds), `{{$isoTimestamp}}` (UTC, milliseconds), `{{$randomInt}}`
//! (0..=1000). An undefined variable is an error naming it, never an empty string.

use rand::Rng;

// Defined beside `Variable`, since the share format names it too; re-exported for callers here.
pub use crate::collection::model::secret_env_name;
use crate::collection::model::{Collection, Request, Variable};

/// Stand-ins that keep the auth step's own placeholders through rendering.
const TICKET_MARK: &str = "\u{1}sockpit-ticket\u{1}";
const TOKEN_MARK: &str = "\u{1}sockpit-access-token\u{1}";

/// How deep variables may refer to other variables.
pub const MAX_DEPTH: usize = 8;
/// How many variable references one render may resolve, and how long its result may grow: with
/// [`MAX_DEPTH`] levels, a few hundred bytes of variables that each use the next many times would
/// otherwise expand to gigabytes (a collection file from anyone can hold them).
pub const MAX_REFERENCES: usize = 100_000;
pub const MAX_RENDERED: usize = 16 << 20;

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum TemplateError {
    #[error("undefined variable '{name}' in {place}: define it in the environment, the collection's variables or globals, or pass --var {name}=VALUE")]
    Undefined { name: String, place: String },
    #[error("secret variable '{name}' (in {source_name}) has no value on this machine, needed by {place}: set it with `{command}` (the value is read from stdin) or set ${env}")]
    SecretMissing {
        name: String,
        source_name: String,
        env: String,
        place: String,
        /// The `sockpit secret set ...` command that gives it a value.
        command: String,
    },
    #[error("unclosed '{{{{' at character {at} in {place}: close it with '}}}}'")]
    Unclosed { at: usize, place: String },
    #[error("unknown dynamic value '{{{{${name}}}}}' in {place}: use $uuid, $timestamp, $isoTimestamp or $randomInt")]
    UnknownDynamic { name: String, place: String },
    #[error("variables refer to each other in a loop ({chain}) in {place}")]
    Cycle { chain: String, place: String },
    #[error("{place} expands past {refs} variable references or {mib} MiB: do variables use each other many times?", refs = MAX_REFERENCES, mib = MAX_RENDERED >> 20)]
    TooLarge { place: String },
    #[error("no environment named '{name}' in collection '{collection}' (it has: {available})")]
    UnknownEnvironment {
        name: String,
        collection: String,
        available: String,
    },
}

impl TemplateError {
    pub fn code(&self) -> &'static str {
        match self {
            TemplateError::Undefined { .. } => "template.undefined_variable",
            TemplateError::SecretMissing { .. } => "template.secret_missing",
            TemplateError::Unclosed { .. } => "template.unclosed",
            TemplateError::UnknownDynamic { .. } => "template.unknown_dynamic",
            TemplateError::Cycle { .. } => "template.cycle",
            TemplateError::TooLarge { .. } => "template.too_large",
            TemplateError::UnknownEnvironment { .. } => "template.unknown_environment",
        }
    }
}

#[derive(Debug, Clone)]
struct Layer {
    source: String,
    vars: Vec<Variable>,
    /// `--collection C [--env E]` for `sockpit secret set`, per layer.
    scope_args: String,
}

impl Layer {
    fn set_command(&self, name: &str) -> String {
        format!("sockpit secret set {}{}", shell_word(name), self.scope_args)
    }
}

fn shell_word(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/'))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// Variables in precedence order.
#[derive(Debug, Clone, Default)]
pub struct Vars {
    layers: Vec<Layer>,
}

impl Vars {
    pub fn new() -> Vars {
        Vars::default()
    }

    /// Adds a layer below the ones already added.
    pub fn push_layer(&mut self, source: impl Into<String>, vars: Vec<Variable>) {
        self.layers.push(Layer {
            source: source.into(),
            vars,
            scope_args: String::new(),
        });
    }

    /// Like [`Vars::push_layer`], for a layer whose secrets `sockpit secret set NAME SCOPE_ARGS`
    /// sets (` --collection C`, ` --collection C --env E`).
    fn push_scoped(&mut self, source: String, vars: Vec<Variable>, scope_args: String) {
        self.layers.push(Layer {
            source,
            vars,
            scope_args,
        });
    }

    /// Each variable's value as it renders (the highest layer wins), for scripts' `sp.vars`.
    pub fn values(&self) -> std::collections::HashMap<String, String> {
        let mut out = std::collections::HashMap::new();
        for v in self.layers.iter().rev().flat_map(|l| l.vars.iter()) {
            let value = if v.secret {
                std::env::var(secret_env_name(&v.name))
                    .ok()
                    .or(v.value.clone())
            } else {
                v.value.clone()
            };
            if let Some(value) = value {
                out.insert(v.name.clone(), value);
            }
        }
        out
    }

    /// Every secret value these variables can produce (local values and `$SOCKPIT_VAR_*`), for
    /// redacting reports and errors.
    pub fn secret_values(&self) -> Vec<String> {
        let mut out = Vec::new();
        for v in self
            .layers
            .iter()
            .flat_map(|l| l.vars.iter())
            .filter(|v| v.secret)
        {
            out.extend(v.value.clone());
            out.extend(std::env::var(secret_env_name(&v.name)).ok());
        }
        out.retain(|s| !s.is_empty());
        out.sort();
        out.dedup();
        out
    }

    /// The layers for running `collection`: `overrides`, environment `env`, the collection's
    /// variables, then `globals`.
    pub fn for_collection(
        collection: &Collection,
        env: Option<&str>,
        globals: &[Variable],
        overrides: &[(String, String)],
    ) -> Result<Vars, TemplateError> {
        let mut vars = Vars::new();
        if !overrides.is_empty() {
            vars.push_layer(
                "--var",
                overrides
                    .iter()
                    .map(|(k, v)| Variable::plain(k.clone(), v.clone()))
                    .collect(),
            );
        }
        if let Some(name) = env {
            let found = collection.environments.iter().find(|e| e.name == name);
            let Some(e) = found else {
                let names: Vec<&str> = collection
                    .environments
                    .iter()
                    .map(|e| e.name.as_str())
                    .collect();
                return Err(TemplateError::UnknownEnvironment {
                    name: name.into(),
                    collection: collection.name.clone(),
                    available: if names.is_empty() {
                        "no environments".into()
                    } else {
                        names.join(", ")
                    },
                });
            };
            vars.push_scoped(
                format!("environment '{name}'"),
                e.variables.clone(),
                format!(
                    " --collection {} --env {}",
                    shell_word(&collection.name),
                    shell_word(name)
                ),
            );
        }
        vars.push_scoped(
            format!("collection '{}'", collection.name),
            collection.variables.clone(),
            format!(" --collection {}", shell_word(&collection.name)),
        );
        vars.push_layer("globals", globals.to_vec());
        Ok(vars)
    }

    /// Renders `text`; `place` names the field in errors (`URL of request 'Echo'`).
    pub fn render(&self, text: &str, place: &str) -> Result<String, TemplateError> {
        self.render_depth(text, place, &mut Vec::new(), &mut 0)
    }

    /// `refs` counts the references resolved so far in this render.
    fn render_depth(
        &self,
        text: &str,
        place: &str,
        chain: &mut Vec<String>,
        refs: &mut usize,
    ) -> Result<String, TemplateError> {
        if !text.contains("{{") {
            return Ok(text.to_string());
        }
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        let mut offset = 0;
        while let Some(start) = rest.find("{{") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find("}}") else {
                return Err(TemplateError::Unclosed {
                    at: offset + start,
                    place: place.into(),
                });
            };
            let name = after[..end].trim();
            *refs += 1;
            if *refs > MAX_REFERENCES {
                return Err(TemplateError::TooLarge {
                    place: place.into(),
                });
            }
            out.push_str(&self.value_of(name, place, chain, refs)?);
            if out.len() > MAX_RENDERED {
                return Err(TemplateError::TooLarge {
                    place: place.into(),
                });
            }
            let consumed = start + 2 + end + 2;
            offset += consumed;
            rest = &rest[consumed..];
        }
        out.push_str(rest);
        Ok(out)
    }

    fn value_of(
        &self,
        name: &str,
        place: &str,
        chain: &mut Vec<String>,
        refs: &mut usize,
    ) -> Result<String, TemplateError> {
        if let Some(dynamic) = name.strip_prefix('$') {
            return dynamic_value(dynamic).ok_or_else(|| TemplateError::UnknownDynamic {
                name: dynamic.into(),
                place: place.into(),
            });
        }
        if chain.iter().any(|c| c == name) || chain.len() >= MAX_DEPTH {
            let mut c = chain.clone();
            c.push(name.into());
            return Err(TemplateError::Cycle {
                chain: c.join(" -> "),
                place: place.into(),
            });
        }
        for layer in &self.layers {
            let Some(var) = layer.vars.iter().rev().find(|v| v.name == name) else {
                continue;
            };
            let raw = match (&var.value, var.secret) {
                (Some(v), false) => v.clone(),
                (value, true) => {
                    let env = secret_env_name(name);
                    match std::env::var(&env).ok().or_else(|| value.clone()) {
                        Some(v) => v,
                        None => {
                            return Err(TemplateError::SecretMissing {
                                name: name.into(),
                                source_name: layer.source.clone(),
                                env,
                                place: place.into(),
                                command: layer.set_command(name),
                            })
                        }
                    }
                }
                // A plain variable without a value: an empty string, as the user left it.
                (None, false) => String::new(),
            };
            chain.push(name.into());
            let rendered = self.render_depth(&raw, place, chain, refs);
            chain.pop();
            return rendered;
        }
        Err(TemplateError::Undefined {
            name: name.into(),
            place: place.into(),
        })
    }

    /// Renders every templated field of a request (URL, params, headers, subprotocols, auth,
    /// SSE method and body, saved messages, heartbeat text, protocol settings).
    pub fn render_request(&self, r: &Request) -> Result<Request, TemplateError> {
        let place = |what: &str| format!("{what} of request '{}'", r.name);
        let mut out = r.clone();
        out.url = self.render(&r.url, &place("the URL"))?;
        for kv in out.params.iter_mut().chain(out.headers.iter_mut()) {
            kv.name = self.render(&kv.name, &place(&format!("'{}'", kv.name)))?;
            kv.value = self.render(&kv.value, &place(&format!("'{}'", kv.name)))?;
        }
        for p in &mut out.subprotocols {
            *p = self.render(p, &place("a subprotocol"))?;
        }
        if let Some(m) = &mut out.method {
            *m = self.render(m, &place("the method"))?;
        }
        if let Some(b) = &mut out.body {
            *b = self.render(b, &place("the body"))?;
        }
        out.auth = r.auth.map_fields(|f| {
            let place = place(&format!("{} ({})", f.name, r.auth.type_name()));
            if f.name.ends_with("message") {
                // `{{ticket}}` and `{{access_token}}` are filled in by the auth step on connect.
                let kept = f
                    .value
                    .replace("{{ticket}}", TICKET_MARK)
                    .replace("{{access_token}}", TOKEN_MARK);
                Ok(self
                    .render(&kept, &place)?
                    .replace(TICKET_MARK, "{{ticket}}")
                    .replace(TOKEN_MARK, "{{access_token}}"))
            } else {
                self.render(f.value, &place)
            }
        })?;
        for m in &mut out.messages {
            let at = place(&format!("message '{}'", m.name));
            m.body = self.render(&m.body, &at)?;
            for v in [
                &mut m.event,
                &mut m.namespace,
                &mut m.variables,
                &mut m.operation_name,
            ]
            .into_iter()
            .flatten()
            {
                *v = self.render(v, &at)?;
            }
            for v in m
                .destination
                .iter_mut()
                .chain(m.topic.iter_mut())
                .chain(m.headers.iter_mut())
            {
                *v = self.render(v, &at)?;
            }
            if let Some(p) = &mut m.properties {
                for v in [
                    &mut p.content_type,
                    &mut p.response_topic,
                    &mut p.correlation_data,
                ]
                .into_iter()
                .flatten()
                {
                    *v = self.render(v, &at)?;
                }
                for kv in &mut p.user {
                    kv.value = self.render(&kv.value, &at)?;
                }
            }
        }
        self.render_brokers(&mut out, &place)?;
        if let Some(sio) = &mut out.settings.socketio {
            let at = place("settings.socketio");
            for v in sio.path.iter_mut().chain(sio.auth.iter_mut()) {
                *v = self.render(v, &at)?;
            }
            for n in &mut sio.namespaces {
                *n = self.render(n, &at)?;
            }
        }
        if let Some(init) = out.settings.graphql.as_mut().and_then(|g| g.init.as_mut()) {
            *init = self.render(init, &place("settings.graphql.init"))?;
        }
        if let Some(h) = &mut out.settings.heartbeat {
            h.message = self.render(&h.message, &place("the heartbeat"))?;
        }
        let s = &mut out.settings;
        for (field, v) in [
            ("settings.ca_file", &mut s.ca_file),
            ("settings.proxy", &mut s.proxy),
            ("settings.deflate_params", &mut s.deflate_params),
        ] {
            if let Some(v) = v {
                *v = self.render(v, &place(field))?;
            }
        }
        Ok(out)
    }

    /// `settings.stomp` and `settings.mqtt`: credentials, host, client id, destinations, topics.
    fn render_brokers(
        &self,
        out: &mut Request,
        place: &dyn Fn(&str) -> String,
    ) -> Result<(), TemplateError> {
        if let Some(st) = &mut out.settings.stomp {
            let at = place("settings.stomp");
            for v in [
                &mut st.version,
                &mut st.login,
                &mut st.passcode,
                &mut st.host,
                &mut st.heartbeat,
            ]
            .into_iter()
            .flatten()
            .chain(st.connect_headers.iter_mut())
            {
                *v = self.render(v, &at)?;
            }
            for sub in &mut st.subscriptions {
                sub.destination = self.render(&sub.destination, &at)?;
                for v in sub.id.iter_mut().chain(sub.ack.iter_mut()) {
                    *v = self.render(v, &at)?;
                }
            }
        }
        if let Some(mq) = &mut out.settings.mqtt {
            let at = place("settings.mqtt");
            for v in [&mut mq.client_id, &mut mq.username, &mut mq.password]
                .into_iter()
                .flatten()
            {
                *v = self.render(v, &at)?;
            }
            if let Some(w) = &mut mq.will {
                w.topic = self.render(&w.topic, &at)?;
                w.payload = self.render(&w.payload, &at)?;
            }
            for sub in &mut mq.subscriptions {
                sub.filter = self.render(&sub.filter, &at)?;
            }
        }
        Ok(())
    }
}

/// `$uuid`, `$timestamp`, `$isoTimestamp`, `$randomInt`.
pub(crate) fn dynamic_value(name: &str) -> Option<String> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    Some(match name {
        "uuid" => uuid_v4(),
        "timestamp" => now.as_secs().to_string(),
        "isoTimestamp" => iso_timestamp(now.as_millis() as i64),
        "randomInt" => rand::rng().random_range(0..=1000u32).to_string(),
        _ => return None,
    })
}

/// A random (version 4) UUID.
pub fn uuid_v4() -> String {
    let mut b: [u8; 16] = rand::rng().random();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ` for Unix milliseconds.
pub fn iso_timestamp(unix_ms: i64) -> String {
    let secs = unix_ms.div_euclid(1000);
    let ms = unix_ms.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{ms:03}Z",
        sod / 3600,
        (sod / 60) % 60,
        sod % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> Vars {
        let mut v = Vars::new();
        v.push_layer("environment 'dev'", vec![Variable::plain("host", "dev:1")]);
        v.push_layer(
            "collection 'c'",
            vec![
                Variable::plain("host", "coll:2"),
                Variable::plain("path", "/echo"),
                Variable::plain("url", "ws://{{host}}{{path}}"),
                Variable::plain("a", "{{b}}"),
                Variable::plain("b", "{{a}}"),
            ],
        );
        v.push_layer(
            "globals",
            vec![
                Variable::plain("path", "/global"),
                Variable::plain("g", "G"),
            ],
        );
        v
    }

    #[test]
    fn layers_resolve_in_order_and_recursively() {
        let v = vars();
        assert_eq!(v.render("{{ host }}|{{g}}", "t").unwrap(), "dev:1|G");
        assert_eq!(v.render("{{url}}", "t").unwrap(), "ws://dev:1/echo");
        assert_eq!(v.render("no templates {", "t").unwrap(), "no templates {");
    }

    #[test]
    fn errors_name_the_problem() {
        let v = vars();
        let e = v
            .render("x {{nope}} y", "the URL of request 'R'")
            .unwrap_err();
        assert_eq!(e.code(), "template.undefined_variable");
        assert!(
            e.to_string().contains("'nope'") && e.to_string().contains("request 'R'"),
            "{e}"
        );
        assert_eq!(v.render("{{a}}", "t").unwrap_err().code(), "template.cycle");
        assert_eq!(
            v.render("ab {{host", "t").unwrap_err().code(),
            "template.unclosed"
        );
        assert_eq!(
            v.render("{{$nope}}", "t").unwrap_err().code(),
            "template.unknown_dynamic"
        );
    }

    #[test]
    fn secrets_come_from_the_process_environment() {
        let mut v = Vars::new();
        let secret = Variable {
            name: "api-token.x9".into(),
            value: None,
            secret: true,
            placeholder: None,
        };
        v.push_layer("environment 'ci'", vec![secret]);
        let e = v.render("{{api-token.x9}}", "t").unwrap_err();
        assert_eq!(e.code(), "template.secret_missing");
        assert!(e.to_string().contains("$SOCKPIT_VAR_API_TOKEN_X9"), "{e}");
    }

    #[test]
    fn auth_fields_render_but_keep_the_auth_steps_placeholders() {
        use crate::collection::auth::{Auth, FirstMessageSpec, TicketExtract};
        let c = Collection {
            name: "My API".into(),
            variables: vec![
                Variable::plain("http", "http://h"),
                Variable {
                    name: "token".into(),
                    value: Some("tok-1".into()),
                    secret: true,
                    placeholder: None,
                },
            ],
            ..Default::default()
        };
        let v = Vars::for_collection(&c, None, &[], &[]).unwrap();
        let r = Request {
            name: "R".into(),
            auth: Auth::Ticket {
                method: "POST".into(),
                url: "{{http}}/t".into(),
                headers: vec![],
                body: None,
                body_secret: false,
                extract: TicketExtract::default(),
                into: "message".into(),
                first_message: Some(FirstMessageSpec {
                    message: r#"{"t":"{{ticket}}","a":"{{access_token}}","k":"{{token}}"}"#.into(),
                    ack: "ok".into(),
                    timeout_ms: None,
                }),
            },
            ..Default::default()
        };
        let out = v.render_request(&r).unwrap();
        let Auth::Ticket {
            url, first_message, ..
        } = out.auth
        else {
            panic!("{:?}", out.auth)
        };
        assert_eq!(url, "http://h/t");
        assert_eq!(
            first_message.unwrap().message,
            r#"{"t":"{{ticket}}","a":"{{access_token}}","k":"tok-1"}"#
        );
        assert_eq!(v.secret_values(), vec!["tok-1".to_string()]);

        // A secret without a value names the command that sets it, quoted for the shell.
        let mut c = c;
        c.variables[1].value = None;
        let v = Vars::for_collection(&c, None, &[], &[]).unwrap();
        let e = v.render("{{token}}", "t").unwrap_err();
        assert!(
            e.to_string()
                .contains("`sockpit secret set token --collection 'My API'`"),
            "{e}"
        );
    }

    #[test]
    fn dynamic_values() {
        let v = Vars::new();
        let u = v.render("{{$uuid}}", "t").unwrap();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        let t: u64 = v.render("{{$timestamp}}", "t").unwrap().parse().unwrap();
        assert!(t > 1_700_000_000);
        let n: u32 = v.render("{{$randomInt}}", "t").unwrap().parse().unwrap();
        assert!(n <= 1000);
        assert!(v.render("{{$isoTimestamp}}", "t").unwrap().ends_with('Z'));
        assert_eq!(iso_timestamp(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso_timestamp(951_782_400_123), "2000-02-29T00:00:00.123Z");
        assert_eq!(iso_timestamp(1_795_000_000_000), "2026-11-18T11:06:40.000Z");
    }

    /// Found with the `template` fuzz target's input format: 7 levels of variables, each using the
    /// next 12 times, expanded a 500-byte file to 1.8 GB (a hang, then out of memory).
    #[test]
    fn a_variable_bomb_is_an_error_not_a_hang() {
        let mut vars = Vars::new();
        let names = ["a", "b", "c", "d", "e", "f", "g", "h"];
        let mut layer: Vec<Variable> = names
            .windows(2)
            .map(|w| Variable::plain(w[0], format!("{{{{{}}}}}", w[1]).repeat(12)))
            .collect();
        layer.push(Variable::plain("h", "x".repeat(50)));
        vars.push_layer("globals", layer.clone());
        let started = std::time::Instant::now();
        let e = vars.render("{{a}}", "message").unwrap_err();
        assert_eq!(e.code(), "template.too_large");
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
        // Empty values: no output to bound, the reference count stops it.
        layer.last_mut().unwrap().value = Some(String::new());
        let mut vars = Vars::new();
        vars.push_layer("globals", layer);
        assert_eq!(
            vars.render("{{a}}", "message").unwrap_err().code(),
            "template.too_large"
        );
        // Within the limits, references repeat freely.
        let mut vars = Vars::new();
        vars.push_layer(
            "globals",
            vec![
                Variable::plain("x", "ab"),
                Variable::plain("y", "{{x}}".repeat(1000)),
            ],
        );
        assert_eq!(vars.render("{{y}}{{y}}", "message").unwrap().len(), 4000);
    }
}
