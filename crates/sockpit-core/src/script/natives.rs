//! The Rust side of `sp`: the native functions the prelude calls, each turning a call into a
//! [`ScriptAction`] (or answering from the session's variables).

use std::rc::Rc;

use bytes::Bytes;
use rquickjs::{Ctx, Exception, Function, Object};

use super::engine::{Shared, CHAI_FILE, PRELUDE_FILE};
use super::{Hook, ScriptAction, ScriptError, ScriptTest, VarScope};
use crate::ws::{close_code_is_sendable, Outgoing};

/// The Rust side of `sp`: each function turns a call into an action.
pub(super) fn natives<'js>(ctx: &Ctx<'js>, shared: &Rc<Shared>) -> rquickjs::Result<Object<'js>> {
    let n = Object::new(ctx.clone())?;
    n.set("chaiFile", CHAI_FILE)?;
    n.set("preludeFile", PRELUDE_FILE)?;
    let s = shared.clone();
    n.set(
        "sendText",
        Function::new(ctx.clone(), move |t: String| {
            s.push(ScriptAction::Send(Outgoing::Text(t)))
        })?,
    )?;
    let s = shared.clone();
    n.set(
        "sendBinary",
        Function::new(ctx.clone(), move |b: Vec<u8>| {
            s.push(ScriptAction::Send(Outgoing::Binary(Bytes::from(b))))
        })?,
    )?;
    let s = shared.clone();
    n.set(
        "close",
        Function::new(
            ctx.clone(),
            move |ctx: Ctx<'js>, code: f64, reason: String| -> rquickjs::Result<()> {
                let valid = code.fract() == 0.0
                    && (0.0..=65535.0).contains(&code)
                    && close_code_is_sendable(code as u16);
                if !valid {
                    return Err(Exception::throw_range(
                        &ctx,
                        &format!("sp.close({code}): a close code is 1000, 1001, 1002, 1003, 1007-1014 or 3000-4999"),
                    ));
                }
                if reason.len() > 123 {
                    return Err(Exception::throw_range(
                        &ctx,
                        "sp.close(code, reason): the reason may be at most 123 bytes",
                    ));
                }
                s.push(ScriptAction::Close {
                    code: code as u16,
                    reason,
                });
                Ok(())
            },
        )?,
    )?;
    let s = shared.clone();
    n.set(
        "log",
        Function::new(ctx.clone(), move |text: String| {
            s.push(ScriptAction::Log {
                hook: s.hook.get(),
                text,
            })
        })?,
    )?;
    let s = shared.clone();
    n.set(
        "varGet",
        Function::new(ctx.clone(), move |name: String| {
            s.vars.borrow().get(&name).cloned()
        })?,
    )?;
    let s = shared.clone();
    n.set(
        "varSet",
        Function::new(
            ctx.clone(),
            move |name: String, value: String, scope: String| {
                s.vars.borrow_mut().insert(name.clone(), value.clone());
                let scope = if scope == "environment" {
                    VarScope::Environment
                } else {
                    VarScope::Run
                };
                s.push(ScriptAction::SetVar { name, value, scope })
            },
        )?,
    )?;
    let s = shared.clone();
    n.set(
        "test",
        Function::new(
            ctx.clone(),
            move |name: String, passed: bool, message: String, line: u32| {
                s.push(ScriptAction::Test(ScriptTest {
                    hook: s.hook.get(),
                    name,
                    passed,
                    message,
                    line,
                }))
            },
        )?,
    )?;
    let s = shared.clone();
    n.set(
        "emit",
        Function::new(ctx.clone(), move |event: String, args: String| {
            let args = serde_json::from_str(&args).unwrap_or_default();
            s.push(ScriptAction::Emit { event, args })
        })?,
    )?;
    let s = shared.clone();
    n.set(
        "publishText",
        Function::new(ctx.clone(), move |topic: String, payload: String| {
            s.push(ScriptAction::Publish {
                topic,
                payload: Bytes::from(payload),
            })
        })?,
    )?;
    let s = shared.clone();
    n.set(
        "publishBinary",
        Function::new(ctx.clone(), move |topic: String, payload: Vec<u8>| {
            s.push(ScriptAction::Publish {
                topic,
                payload: Bytes::from(payload),
            })
        })?,
    )?;
    n.set(
        "utf8",
        Function::new(ctx.clone(), |b: Vec<u8>| {
            String::from_utf8_lossy(&b).into_owned()
        })?,
    )?;
    let s = shared.clone();
    n.set(
        "rejected",
        Function::new(
            ctx.clone(),
            move |hook: String, message: String, stack: String, line: u32| {
                s.push(ScriptAction::Error(ScriptError::Exception {
                    origin: s.origin.clone(),
                    hook: Hook::parse(&hook).unwrap_or(Hook::OnMessage),
                    line,
                    message: format!("{message} (in a promise)"),
                    stack,
                }))
            },
        )?,
    )?;
    Ok(n)
}
