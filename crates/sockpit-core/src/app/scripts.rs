//! A request's scripts in the window: syntax checks for the editor ([`check_scripts`]), and what
//! a scripted session ([`super::ScriptedSession`]) hands the face beside each batch: `sp.log`
//! lines, errors and `test()` results ([`ScriptEvent`]), pushed to the session log as `script` rows.

use serde::Serialize;

use super::scripted_session::StreamBatch;
use crate::collection::model::Scripts;
use crate::log::SessionLog;
use crate::script::{Hook, ScriptError, ScriptHost, ScriptProgram, ScriptTest};

/// A syntax error in one hook, where the editor underlines it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScriptDiagnostic {
    /// `before_connect`, `on_open`, `on_message`, `on_close` or `after`.
    pub hook: String,
    pub code: String,
    pub message: String,
    /// 1-based, in the hook's body (0 when unknown).
    pub line: u32,
    pub column: u32,
}

/// Checks each non-blank hook's syntax without running anything; one diagnostic per broken hook.
pub fn check_scripts(scripts: &Scripts) -> Vec<ScriptDiagnostic> {
    scripts
        .hooks()
        .into_iter()
        .filter_map(|(hook, body)| {
            let program = ScriptProgram::hooks("script", [(hook, body)].into_iter().collect());
            ScriptHost::check(&program)
                .err()
                .map(|e| diagnostic(hook, &e))
        })
        .collect()
}

pub(super) fn diagnostic(hook: Hook, e: &ScriptError) -> ScriptDiagnostic {
    let (line, column, message) = match e {
        ScriptError::Syntax {
            line,
            column,
            message,
            ..
        } => (*line, *column, message.clone()),
        other => (0, 0, other.to_string()),
    };
    ScriptDiagnostic {
        hook: hook.as_str().to_string(),
        code: e.code().to_string(),
        message,
        line,
        column,
    }
}

/// What a script reported, for the face: a log line or error (a `script` row) or a test result.
#[derive(Debug, Clone, PartialEq)]
pub enum ScriptEvent {
    Log {
        hook: Hook,
        text: String,
    },
    Error {
        code: &'static str,
        message: String,
    },
    Test(ScriptTest),
    /// Variables scripts set with scope `environment`, saved (or why not) as the session ended.
    Saved {
        text: String,
        saved: bool,
    },
}

impl ScriptEvent {
    /// The text of its `script` row in the session log; `None` for test results (the Tests panel
    /// shows them).
    pub fn row_text(&self) -> Option<String> {
        match self {
            ScriptEvent::Log { hook, text } => Some(format!("{hook}: {text}")),
            ScriptEvent::Error { code, message } => Some(format!("{code}: {message}")),
            ScriptEvent::Saved { text, .. } => Some(format!("vars: {text}")),
            ScriptEvent::Test(_) => None,
        }
    }
}

/// One batch of a scripted session: the session's events and what the script reported since.
#[derive(Debug, Default)]
pub struct ScriptedBatch {
    pub events: StreamBatch,
    pub script: Vec<ScriptEvent>,
    /// Session time (ns) of the newest event, for the script rows.
    pub t: u64,
}

impl ScriptedBatch {
    /// Adds the script's rows to the session log (after the batch's own events).
    pub fn push_rows(&self, log: &mut SessionLog) {
        for text in self.script.iter().filter_map(ScriptEvent::row_text) {
            log.push_script(self.t, &text);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_points_at_the_broken_hook_and_line() {
        let scripts = Scripts {
            on_open: Some("sp.send('hi')".into()),
            on_message: Some("let a = 1;\nlet b = ;\n".into()),
            ..Scripts::default()
        };
        let d = check_scripts(&scripts);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].hook, "on_message");
        assert_eq!(d[0].code, "script.syntax");
        assert_eq!(d[0].line, 2);
        assert!(d[0].column > 0);
        assert!(check_scripts(&Scripts::default()).is_empty());
    }

    #[test]
    fn script_rows_go_to_the_log_and_tests_do_not() {
        let batch = ScriptedBatch {
            events: StreamBatch::default(),
            script: vec![
                ScriptEvent::Log {
                    hook: Hook::OnOpen,
                    text: "hello".into(),
                },
                ScriptEvent::Test(ScriptTest {
                    hook: Hook::OnMessage,
                    name: "t".into(),
                    passed: true,
                    message: String::new(),
                    line: 0,
                }),
            ],
            t: 5,
        };
        let mut log = SessionLog::new();
        batch.push_rows(&mut log);
        assert_eq!(log.len(), 1);
        let row = log.get(0).expect("a row");
        assert_eq!(row.kind, crate::log::RowKind::Script);
        assert_eq!(row.data, b"on_open: hello");
    }
}
