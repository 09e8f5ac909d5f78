//! Scripts other clients wrote, mapped onto a request's hooks where their API maps: Bruno's
//! `script:pre-request`, `script:post-response` and `tests`, Kreya's `kreya.webSocket.*`
//! callbacks, and Postman-style `pm.test`/`pm.expect` wherever an importer meets them. A script
//! that uses something Sockpit has no equivalent for is kept as a commented block in its hook,
//! with a warning naming what did not map: nothing is dropped silently.

use super::Ctx;
use crate::collection::model::Scripts;

/// Lines of a block without their common indentation.
pub(super) fn dedent(lines: &[&str]) -> String {
    let indent = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    let body: Vec<&str> = lines
        .iter()
        .map(|l| l.get(indent..).unwrap_or("").trim_end())
        .collect();
    body.join("\n").trim_matches('\n').to_string()
}

/// `pm.test`/`pm.expect` (Postman) and `insomnia.test`/`insomnia.expect` are `test`/`expect` here.
fn postman_style(text: &str) -> String {
    text.replace("pm.test(", "test(")
        .replace("pm.expect(", "expect(")
        .replace("insomnia.test(", "test(")
        .replace("insomnia.expect(", "expect(")
}

/// Bruno's `bru` and `res` over `sp` (on one line, so the script keeps its line numbers).
const BRUNO_SHIM: &str = "const bru = {getVar: (n) => sp.vars.get(n), setVar: (n, v) => sp.vars.set(n, v), getEnvVar: (n) => sp.vars.get(n), setEnvVar: (n, v) => sp.vars.set(n, v, 'environment'), log: (...a) => sp.log(...a)}; const res = {getBody() { if (!sp.message) return undefined; try { return sp.message.json(); } catch (e) { return sp.message.text(); } }, get body() { return this.getBody(); }}; ";

/// Bruno calls with no meaning on a socket message (or no Sockpit equivalent yet).
const BRUNO_UNMAPPED: &[&str] = &[
    "req.",
    "res.getStatus",
    "res.status",
    "res.getHeader",
    "res.headers",
    "res.getResponseTime",
    "bru.sendRequest",
    "bru.runRequest",
    "bru.setNextRequest",
    "bru.getRequestVar",
    "bru.interpolate",
    "require(",
    "pm.",
];

/// Kreya's `kreya` object: WebSocket callbacks registered before connecting, run by the hooks.
const KREYA_SHIM: &str = "globalThis.__kreya = {message: [], completed: []}; const kreya = {webSocket: {onResponseMessage: (cb) => { globalThis.__kreya.message.push(cb); }, onCallCompleted: (cb) => { globalThis.__kreya.completed.push(cb); }}, test: (n, f) => test(n, f), trace: (...a) => sp.log(...a), variables: {get: (n) => sp.vars.get(n), set: (n, v) => sp.vars.set(n, v)}}; ";
const KREYA_ON_MESSAGE: &str =
    "for (const cb of globalThis.__kreya.message) cb({content: sp.message.text()});";
const KREYA_AFTER: &str = "for (const cb of globalThis.__kreya.completed) cb({status: {code: sp.closed ? sp.closed.code : 1005}, responseMessageCount: sp.messages.filter((m) => m.dir === 'in').length, durationMillis: 0});";
const KREYA_UNMAPPED: &[&str] = &[
    "kreya.grpc",
    "kreya.rest",
    "kreya.invokeOperation",
    "kreya.sleep",
    "require(",
    "import ",
    "pm.",
];

/// The script as a hook body, or (when it uses something unmapped) commented out.
fn map_or_comment(
    ctx: &mut Ctx,
    request: &str,
    what: &str,
    hook: &str,
    text: &str,
    shim: &str,
    unmapped: &[&str],
) -> String {
    let text = postman_style(text);
    let used = |p: &str| {
        text.lines()
            .any(|l| !l.trim_start().starts_with("//") && l.contains(p))
    };
    match unmapped.iter().find(|p| used(p)) {
        Some(p) => {
            ctx.warn(format!(
                "request '{request}': {what} uses {p}…, which Sockpit scripts do not have; it is kept as a comment in its {hook} script: rewrite it with sp (sp.message, sp.vars, sp.send)"
            ));
            let mut out =
                format!("// Imported {what}, not run: it uses {p}… (no Sockpit equivalent).\n");
            for line in text.lines() {
                out.push_str("// ");
                out.push_str(line);
                out.push('\n');
            }
            out.trim_end().to_string()
        }
        None => {
            ctx.warn(format!(
                "request '{request}': {what} became its {hook} script; run it once to check it"
            ));
            format!("{shim}{text}")
        }
    }
}

/// Bruno: pre-request → `before_connect`, post-response → `on_message` (`res` is each message),
/// tests → `after` (`res` is the last message).
pub(super) fn from_bruno(
    request: &str,
    pre_request: Option<&str>,
    post_response: Option<&str>,
    tests: Option<&str>,
    ctx: &mut Ctx,
) -> Scripts {
    let mut out = Scripts::default();
    let mut map = |what: &str, hook: &str, text: Option<&str>| {
        text.filter(|t| !t.trim().is_empty())
            .map(|t| map_or_comment(ctx, request, what, hook, t, BRUNO_SHIM, BRUNO_UNMAPPED))
    };
    out.before_connect = map("Bruno script:pre-request", "before_connect", pre_request);
    out.on_message = map("Bruno script:post-response", "on_message", post_response);
    out.after = map("Bruno tests", "after", tests);
    out
}

/// Kreya: the operation script runs before connecting and registers its callbacks;
/// `onResponseMessage` callbacks run on each message, `onCallCompleted` ones at the end.
pub(super) fn from_kreya(request: &str, text: &str, ctx: &mut Ctx) -> Scripts {
    // chai's expect is built in: its import line is not needed.
    let text: Vec<String> = text
        .lines()
        .map(|l| {
            let t = l.trim();
            if t.starts_with("import ") && (t.contains("'chai'") || t.contains("\"chai\"")) {
                format!("// {t} (chai's expect is built in)")
            } else {
                l.to_string()
            }
        })
        .collect();
    let text = text.join("\n");
    if text.trim().is_empty() {
        return Scripts::default();
    }
    let body = map_or_comment(
        ctx,
        request,
        "Kreya operation script",
        "before_connect",
        &text,
        KREYA_SHIM,
        KREYA_UNMAPPED,
    );
    let mapped = !body.starts_with("// Imported");
    Scripts {
        before_connect: Some(body),
        on_message: mapped.then(|| KREYA_ON_MESSAGE.to_string()),
        after: mapped.then(|| KREYA_AFTER.to_string()),
        ..Scripts::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::script::ScriptHost;

    fn ctx() -> Ctx<'static> {
        Ctx::for_tests()
    }

    #[test]
    fn bruno_scripts_map_onto_hooks_and_compile() {
        let mut c = ctx();
        let s = from_bruno(
            "Echo",
            Some("bru.setVar('n', 1);"),
            Some("const b = res.getBody();\nbru.setVar('last', b.id);"),
            Some("test('got one', function () {\n  expect(res.getBody().id).to.equal(1);\n});\npm.test('pm style', () => pm.expect(1).to.equal(1));"),
            &mut c,
        );
        assert!(s.on_message.as_deref().unwrap().starts_with(BRUNO_SHIM));
        let after = s.after.as_deref().unwrap();
        assert!(
            after.contains("test('pm style', () => expect(1)"),
            "{after}"
        );
        assert_eq!(c.warnings.len(), 3, "{:?}", c.warnings);
        ScriptHost::check(&s.program().unwrap()).unwrap();
    }

    #[test]
    fn an_unmapped_call_is_kept_as_a_comment_with_a_warning() {
        let mut c = ctx();
        let s = from_bruno(
            "Login",
            None,
            Some("expect(res.getStatus()).to.equal(200);"),
            None,
            &mut c,
        );
        let body = s.on_message.unwrap();
        assert!(
            body.starts_with(
                "// Imported Bruno script:post-response, not run: it uses res.getStatus…"
            ),
            "{body}"
        );
        assert!(
            body.contains("\n// expect(res.getStatus()).to.equal(200);"),
            "{body}"
        );
        assert!(
            c.warnings[0].contains("res.getStatus…, which Sockpit scripts do not have"),
            "{:?}",
            c.warnings
        );
    }

    #[test]
    fn kreya_callbacks_become_hooks() {
        let mut c = ctx();
        let s = from_kreya(
            "Chat",
            "import { expect } from 'chai';\nkreya.webSocket.onResponseMessage(r => {\n  kreya.test('says hi', () => expect(r.content).to.contain('hi'));\n});",
            &mut c,
        );
        assert!(s
            .before_connect
            .as_deref()
            .unwrap()
            .contains("// import { expect } from 'chai';"));
        assert_eq!(s.on_message.as_deref(), Some(KREYA_ON_MESSAGE));
        ScriptHost::check(&s.program().unwrap()).unwrap();
        let s = from_kreya("Grpc", "kreya.grpc.onResponse(r => {});", &mut ctx());
        assert!(s
            .before_connect
            .unwrap()
            .starts_with("// Imported Kreya operation script, not run"));
        assert!(s.on_message.is_none());
    }
}
