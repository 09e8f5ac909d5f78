//! What can go wrong in a script, each naming the script, the hook and the line.

use super::Hook;

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum ScriptError {
    #[error("{origin}: syntax error at line {line}, column {column}: {message} (fix the script; nothing was connected)")]
    Syntax {
        origin: String,
        line: u32,
        column: u32,
        message: String,
    },
    #[error("script took longer than {limit_ms} ms in {hook}{} and was stopped (a loop that never ends?)", at(origin, *line))]
    Timeout {
        origin: String,
        hook: Hook,
        limit_ms: u64,
        line: u32,
    },
    #[error("script ran out of memory in {hook}{}: it may use at most {limit_mib} MiB", at(origin, *line))]
    Memory {
        origin: String,
        hook: Hook,
        limit_mib: usize,
        line: u32,
    },
    #[error("uncaught {message} in {hook}{}", at(origin, *line))]
    Exception {
        origin: String,
        hook: Hook,
        line: u32,
        message: String,
        stack: String,
    },
    #[error("{origin}: {message}")]
    Engine { origin: String, message: String },
    /// A hook file that cannot be read (`--script FILE.js`).
    #[error("cannot read the script {origin}: {message} (give the path of a .js file defining onOpen(sp), onMessage(sp) or onClose(sp))")]
    Read { origin: String, message: String },
    /// A hook file that defines none of the hook functions.
    #[error("the script {origin} defines none of beforeConnect, onOpen, onMessage, onClose or after: define at least one as a function taking sp")]
    NoHooks { origin: String },
}

fn at(origin: &str, line: u32) -> String {
    if line > 0 {
        format!(" ({origin}, line {line})")
    } else {
        format!(" ({origin})")
    }
}

impl ScriptError {
    pub fn code(&self) -> &'static str {
        match self {
            ScriptError::Syntax { .. } => "script.syntax",
            ScriptError::Timeout { .. } => "script.timeout",
            ScriptError::Memory { .. } => "script.memory",
            ScriptError::Exception { .. } => "script.exception",
            ScriptError::Engine { .. } => "script.engine",
            ScriptError::Read { .. } => "script.read",
            ScriptError::NoHooks { .. } => "script.no_hooks",
        }
    }

    /// The JavaScript stack of an uncaught exception (empty for other errors).
    pub fn stack(&self) -> &str {
        match self {
            ScriptError::Exception { stack, .. } => stack,
            _ => "",
        }
    }
}
