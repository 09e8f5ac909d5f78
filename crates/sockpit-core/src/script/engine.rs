//! The script thread: one QuickJS runtime per session, fed inputs in order, answering with actions.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use std::time::{Duration, Instant};

use rquickjs::context::EvalOptions;
use rquickjs::{
    CatchResultExt, CaughtError, Context, Ctx, Function, Object, Runtime, TypedArray, Value,
};
use tokio::sync::{mpsc, oneshot};

use super::{
    Hook, HookSet, ScriptAction, ScriptError, ScriptInput, ScriptMessage, ScriptOptions,
    ScriptProgram, ScriptSource,
};
use crate::ws::{DataKind, Direction};

pub(super) const CHAI_FILE: &str = "chai.js";
pub(super) const PRELUDE_FILE: &str = "sockpit-prelude.js";
/// The file name a hook file's frames carry in stacks (errors name the real path beside it).
const SCRIPT_FILE: &str = "script.js";
const CHAI: &str = include_str!("vendor/chai-4.5.0.js");
const PRELUDE: &str = include_str!("prelude.js");

/// What the native functions share: the way out, and the session's variables.
pub(super) struct Shared {
    pub(super) origin: String,
    pub(super) actions: mpsc::Sender<ScriptAction>,
    pub(super) vars: RefCell<HashMap<String, String>>,
    pub(super) hook: Cell<Hook>,
}

impl Shared {
    pub(super) fn push(&self, a: ScriptAction) {
        // The host drains actions while it feeds inputs, so this wait always ends.
        let _ = self.actions.blocking_send(a);
    }
}

struct Limits {
    time: Duration,
    memory_mib: usize,
    deadline: Rc<Cell<Option<Instant>>>,
}

pub(super) fn run(
    program: ScriptProgram,
    options: ScriptOptions,
    ready: oneshot::Sender<Result<HookSet, ScriptError>>,
    mut input: mpsc::Receiver<Vec<ScriptInput>>,
    actions: mpsc::Sender<ScriptAction>,
    progress: std::sync::Arc<super::Progress>,
) {
    let origin = program.origin.clone();
    let engine_error = |e: rquickjs::Error| ScriptError::Engine {
        origin: origin.clone(),
        message: format!("the JavaScript engine failed to start: {e}"),
    };
    let rt = match Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            let _ = ready.send(Err(engine_error(e)));
            return;
        }
    };
    rt.set_memory_limit(options.memory_limit);
    rt.set_max_stack_size(1 << 20);
    let deadline: Rc<Cell<Option<Instant>>> = Rc::default();
    let watched = deadline.clone();
    rt.set_interrupt_handler(Some(Box::new(move || {
        watched.get().is_some_and(|d| Instant::now() >= d)
    })));
    let context = match Context::full(&rt) {
        Ok(c) => c,
        Err(e) => {
            let _ = ready.send(Err(engine_error(e)));
            return;
        }
    };
    let shared = Rc::new(Shared {
        origin: origin.clone(),
        actions,
        vars: RefCell::new(options.vars.clone()),
        hook: Cell::new(Hook::BeforeConnect),
    });
    let limits = Limits {
        time: options.time_limit,
        memory_mib: options.memory_limit >> 20,
        deadline,
    };
    context.with(|ctx| {
        let session = match Session::setup(&ctx, &program, &options, &shared, limits) {
            Ok(s) => s,
            Err(e) => {
                let _ = ready.send(Err(e));
                return;
            }
        };
        let _ = ready.send(Ok(session.set));
        while let Some(batch) = input.blocking_recv() {
            for i in batch {
                session.handle(&ctx, i);
            }
            progress.batch_done();
        }
    });
}

/// Compiles without running: each hook body, or the whole file wrapped in a function.
pub(super) fn check_syntax(program: &ScriptProgram) -> Result<(), ScriptError> {
    let engine = |e: rquickjs::Error| ScriptError::Engine {
        origin: program.origin.clone(),
        message: format!("the JavaScript engine failed to start: {e}"),
    };
    let rt = Runtime::new().map_err(engine)?;
    let context = Context::full(&rt).map_err(engine)?;
    context.with(|ctx| match &program.source {
        ScriptSource::File(text) => {
            let wrapped = format!("(function(){{{text}\n}})");
            compile(&ctx, &program.origin, SCRIPT_FILE, &wrapped).map(|_| ())
        }
        ScriptSource::Hooks(hooks) => {
            for (hook, body) in hooks {
                compile_hook(&ctx, &program.origin, *hook, body)?;
            }
            Ok(())
        }
    })
}

/// Compiles one hook body into a function named after the hook. The wrapper opens on the body's
/// first line, so line numbers are the body's own; an error past its end (an unclosed bracket)
/// is put on its last line.
fn compile_hook<'js>(
    ctx: &Ctx<'js>,
    origin: &str,
    hook: Hook,
    body: &str,
) -> Result<Value<'js>, ScriptError> {
    let source = format!("(function {}(sp) {{{body}\n}})", hook.as_str());
    compile(ctx, origin, hook.as_str(), &source).map_err(|mut e| {
        let last = body.lines().count().max(1) as u32;
        if let ScriptError::Syntax { line, column, .. } = &mut e {
            if *line > last {
                *line = last;
                *column = body
                    .lines()
                    .last()
                    .map_or(1, |l| l.chars().count() as u32 + 1);
            }
        }
        e
    })
}

fn eval_options(file: &str) -> EvalOptions {
    let mut o = EvalOptions::default();
    o.global = true;
    o.strict = false;
    o.filename = Some(file.to_string());
    o
}

/// Evaluates source, turning an exception into a syntax error (or, at the top level of a hook
/// file, an uncaught exception) that names the origin, line and column.
fn compile<'js>(
    ctx: &Ctx<'js>,
    origin: &str,
    file: &str,
    source: &str,
) -> Result<Value<'js>, ScriptError> {
    ctx.eval_with_options::<Value, _>(source, eval_options(file))
        .catch(ctx)
        .map_err(|e| {
            let (name, message, stack) = caught_parts(&e);
            let (line, column) = position_in(&stack, file);
            if name == "SyntaxError" {
                ScriptError::Syntax {
                    origin: origin.to_string(),
                    line,
                    column,
                    message,
                }
            } else {
                ScriptError::Exception {
                    origin: origin.to_string(),
                    hook: Hook::BeforeConnect,
                    line,
                    message: format!("{name}: {message} (at the top level)"),
                    stack,
                }
            }
        })
}

fn caught_parts(e: &CaughtError<'_>) -> (String, String, String) {
    match e {
        CaughtError::Exception(x) => {
            let name = x
                .as_object()
                .get::<_, Option<String>>("name")
                .ok()
                .flatten()
                .unwrap_or_else(|| "Error".into());
            (
                name,
                x.message().unwrap_or_default(),
                x.stack().unwrap_or_default(),
            )
        }
        CaughtError::Value(v) => ("Error".into(), format!("{v:?}"), String::new()),
        CaughtError::Error(e) => ("Error".into(), e.to_string(), String::new()),
    }
}

/// The first `file:line:col` of `file` in a QuickJS stack.
fn position_in(stack: &str, file: &str) -> (u32, u32) {
    let needle = format!("{file}:");
    for frame in stack.lines() {
        if let Some(i) = frame.find(&needle) {
            let rest = &frame[i + needle.len()..];
            let mut nums = rest
                .split(|c: char| !c.is_ascii_digit())
                .filter(|s| !s.is_empty())
                .map(|s| s.parse::<u32>().unwrap_or(0));
            let line = nums.next().unwrap_or(0);
            let col = nums.next().unwrap_or(0);
            return (line, col);
        }
    }
    (0, 0)
}

struct Session<'js> {
    origin: String,
    set: HookSet,
    hooks: HashMap<Hook, Function<'js>>,
    call: Function<'js>,
    message: Function<'js>,
    sp: Object<'js>,
    shared: Rc<Shared>,
    limits: Limits,
}

impl<'js> Session<'js> {
    fn setup(
        ctx: &Ctx<'js>,
        program: &ScriptProgram,
        options: &ScriptOptions,
        shared: &Rc<Shared>,
        limits: Limits,
    ) -> Result<Self, ScriptError> {
        let origin = program.origin.clone();
        let engine = |what: &str, e: rquickjs::Error| ScriptError::Engine {
            origin: origin.clone(),
            message: format!("{what}: {e}"),
        };
        let chai = format!(
            "(function(){{var module={{exports:{{}}}};var exports=module.exports;\n{CHAI}\nglobalThis.chai=module.exports;}})();"
        );
        compile(ctx, &origin, CHAI_FILE, &chai)?;
        let native =
            super::natives::natives(ctx, shared).map_err(|e| engine("setting up sp", e))?;
        let prelude: Function = compile(ctx, &origin, PRELUDE_FILE, PRELUDE)?
            .into_function()
            .ok_or_else(|| engine("the prelude", rquickjs::Error::Unknown))?;
        prelude
            .call::<_, ()>((native, options.layer.as_str()))
            .map_err(|e| engine("the prelude", e))?;
        let globals = ctx.globals();
        let sp_api: Object = globals.get("__sp").map_err(|e| engine("the prelude", e))?;
        let sp: Object = globals.get("sp").map_err(|e| engine("the prelude", e))?;

        let mut hooks = HashMap::new();
        limits.deadline.set(Some(Instant::now() + limits.time));
        let compiled = match &program.source {
            ScriptSource::File(text) => compile(ctx, &origin, SCRIPT_FILE, text).map(|_| {
                for h in Hook::ALL {
                    let f = globals
                        .get::<_, Option<Function>>(h.function_name())
                        .ok()
                        .flatten()
                        .or_else(|| {
                            globals
                                .get::<_, Option<Function>>(h.as_str())
                                .ok()
                                .flatten()
                        });
                    if let Some(f) = f {
                        hooks.insert(h, f);
                    }
                }
            }),
            ScriptSource::Hooks(bodies) => {
                let mut r = Ok(());
                for (h, body) in bodies.iter().filter(|(_, b)| !b.trim().is_empty()) {
                    match compile_hook(ctx, &origin, *h, body) {
                        Ok(v) => {
                            if let Some(f) = v.into_function() {
                                hooks.insert(*h, f);
                            }
                        }
                        Err(e) => {
                            r = Err(e);
                            break;
                        }
                    }
                }
                r
            }
        };
        limits.deadline.set(None);
        compiled?;
        let mut set = HookSet::default();
        for h in hooks.keys() {
            set.insert(*h);
        }
        if set.has(Hook::After) {
            let keep: Function = sp_api
                .get("keepMessages")
                .map_err(|e| engine("the prelude", e))?;
            keep.call::<_, ()>(())
                .map_err(|e| engine("the prelude", e))?;
        }
        Ok(Session {
            origin: origin.clone(),
            set,
            hooks,
            call: sp_api.get("call").map_err(|e| engine("the prelude", e))?,
            message: sp_api
                .get("message")
                .map_err(|e| engine("the prelude", e))?,
            sp,
            shared: shared.clone(),
            limits,
        })
    }

    fn handle(&self, ctx: &Ctx<'js>, input: ScriptInput) {
        match input {
            ScriptInput::BeforeConnect => self.hook(ctx, Hook::BeforeConnect),
            ScriptInput::Open { t_ms } => {
                let _ = self.sp.set("opened_ms", t_ms);
                self.hook(ctx, Hook::OnOpen)
            }
            ScriptInput::Message(m) => self.deliver(ctx, m),
            ScriptInput::Close { t_ms, code, reason } => {
                if let Ok(o) = Object::new(ctx.clone()) {
                    let _ = o.set("code", code);
                    let _ = o.set("reason", reason);
                    let _ = o.set("t_ms", t_ms);
                    let _ = self.sp.set("closed", o);
                }
                self.hook(ctx, Hook::OnClose)
            }
            ScriptInput::After => self.hook(ctx, Hook::After),
        }
    }

    fn hook(&self, ctx: &Ctx<'js>, hook: Hook) {
        if let Some(f) = self.hooks.get(&hook) {
            self.invoke(ctx, hook, || {
                self.call.call::<_, Value>((hook.as_str(), f.clone()))
            });
        }
    }

    fn deliver(&self, ctx: &Ctx<'js>, m: ScriptMessage) {
        let on_message = self.hooks.get(&Hook::OnMessage);
        if on_message.is_none() && !self.set.has(Hook::After) {
            return;
        }
        let size = m.data.len();
        let data: Value = match m.kind {
            DataKind::Text => {
                match rquickjs::String::from_str(ctx.clone(), &String::from_utf8_lossy(&m.data)) {
                    Ok(s) => s.into_value(),
                    Err(_) => return,
                }
            }
            DataKind::Binary => match TypedArray::<u8>::new(ctx.clone(), m.data.to_vec()) {
                Ok(a) => a.into_value(),
                Err(_) => return,
            },
        };
        let dir = match m.dir {
            Direction::In => "in",
            Direction::Out => "out",
        };
        self.invoke(ctx, Hook::OnMessage, || {
            self.message.call::<_, Value>((
                on_message.cloned(),
                dir,
                m.kind.as_str(),
                data,
                size,
                m.t_ms,
                m.decoded,
            ))
        });
    }

    /// Runs one call under the time limit and reports what it threw.
    fn invoke(&self, ctx: &Ctx<'js>, hook: Hook, f: impl FnOnce() -> rquickjs::Result<Value<'js>>) {
        self.shared.hook.set(hook);
        let deadline = Instant::now() + self.limits.time;
        self.limits.deadline.set(Some(deadline));
        let r = f().catch(ctx);
        // Promise callbacks (async hooks) run now, under the same limit.
        while ctx.execute_pending_job() {}
        let timed_out = Instant::now() >= deadline;
        self.limits.deadline.set(None);
        let error = match r {
            Ok(v) => match v.into_object() {
                // `__sp.call` caught it: {message, stack, line}.
                Some(o) => {
                    let message: String = o.get("message").unwrap_or_default();
                    let stack: String = o.get("stack").unwrap_or_default();
                    let line: u32 = o.get("line").unwrap_or(0);
                    Some(self.classify(hook, false, message, stack, line))
                }
                None => None,
            },
            Err(e) => {
                let (name, message, stack) = caught_parts(&e);
                let line = user_line(&stack, hook);
                Some(self.classify(hook, timed_out, format!("{name}: {message}"), stack, line))
            }
        };
        if let Some(e) = error {
            self.shared.push(ScriptAction::Error(e));
        }
    }

    fn classify(
        &self,
        hook: Hook,
        timed_out: bool,
        message: String,
        stack: String,
        line: u32,
    ) -> ScriptError {
        let origin = self.origin.clone();
        if timed_out || message.ends_with("interrupted") {
            ScriptError::Timeout {
                origin,
                hook,
                limit_ms: self.limits.time.as_millis() as u64,
                line,
            }
        } else if message.contains("out of memory") {
            ScriptError::Memory {
                origin,
                hook,
                limit_mib: self.limits.memory_mib,
                line,
            }
        } else {
            ScriptError::Exception {
                origin,
                hook,
                line,
                message,
                stack,
            }
        }
    }
}

/// The line of the user's code in a stack: hook bodies are files named after their hook.
fn user_line(stack: &str, hook: Hook) -> u32 {
    let (line, _) = position_in(stack, SCRIPT_FILE);
    if line > 0 {
        return line;
    }
    position_in(stack, hook.as_str()).0
}
