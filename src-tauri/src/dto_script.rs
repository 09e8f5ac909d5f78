//! DTOs of the Scripts tab and the Tests panel (a request's JavaScript hooks, their syntax errors
//! and `test()` results), exported to TypeScript with ts-rs like `dto.rs`.

use serde::{Deserialize, Serialize};
use sockpit_core::app::ScriptDiagnostic;
use sockpit_core::collection::model::Scripts;
use sockpit_core::script::ScriptTest;
use ts_rs::TS;

/// A request's hooks, each a JavaScript function body with `sp` in scope (empty for none).
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS, PartialEq, Eq)]
#[serde(default)]
pub struct ScriptsDto {
    pub before_connect: String,
    pub on_open: String,
    pub on_message: String,
    pub on_close: String,
    pub after: String,
}

impl ScriptsDto {
    pub fn to_model(&self) -> Scripts {
        let hook = |s: &String| Some(s.clone()).filter(|s| !s.trim().is_empty());
        Scripts {
            before_connect: hook(&self.before_connect),
            on_open: hook(&self.on_open),
            on_message: hook(&self.on_message),
            on_close: hook(&self.on_close),
            after: hook(&self.after),
        }
    }

    pub fn of_model(s: &Scripts) -> ScriptsDto {
        let hook = |s: &Option<String>| s.clone().unwrap_or_default();
        ScriptsDto {
            before_connect: hook(&s.before_connect),
            on_open: hook(&s.on_open),
            on_message: hook(&s.on_message),
            on_close: hook(&s.on_close),
            after: hook(&s.after),
        }
    }
}

/// A syntax error in one hook: the editor underlines `line`/`column` of that hook's body.
#[derive(Debug, Clone, Serialize, TS, PartialEq, Eq)]
pub struct ScriptDiagnosticDto {
    pub hook: String,
    pub code: String,
    pub message: String,
    /// 1-based; 0 when unknown.
    pub line: u32,
    pub column: u32,
}

impl From<ScriptDiagnostic> for ScriptDiagnosticDto {
    fn from(d: ScriptDiagnostic) -> Self {
        ScriptDiagnosticDto {
            hook: d.hook,
            code: d.code,
            message: d.message,
            line: d.line,
            column: d.column,
        }
    }
}

/// One `test()` result, for the Tests panel.
#[derive(Debug, Clone, Serialize, TS, PartialEq, Eq)]
pub struct ScriptTestDto {
    pub hook: String,
    pub name: String,
    pub passed: bool,
    /// The assertion's message when it failed.
    pub message: String,
    pub line: u32,
}

impl From<&ScriptTest> for ScriptTestDto {
    fn from(t: &ScriptTest) -> Self {
        ScriptTestDto {
            hook: t.hook.as_str().to_string(),
            name: t.name.clone(),
            passed: t.passed,
            message: t.message.clone(),
            line: t.line,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dto::tests::check;

    #[test]
    fn script_bindings_are_up_to_date() {
        let mut failures = Vec::new();
        check::<ScriptsDto>(&mut failures);
        check::<ScriptDiagnosticDto>(&mut failures);
        check::<ScriptTestDto>(&mut failures);
        assert!(
            failures.is_empty(),
            "TypeScript bindings drifted (run `make bindings`): {failures:?}"
        );
    }

    #[test]
    fn blank_hooks_are_none_and_round_trip() {
        let dto = ScriptsDto {
            on_open: "sp.send('hi')".into(),
            on_message: "  \n".into(),
            ..ScriptsDto::default()
        };
        let model = dto.to_model();
        assert_eq!(model.on_open.as_deref(), Some("sp.send('hi')"));
        assert_eq!(model.on_message, None);
        assert_eq!(
            ScriptsDto::of_model(&model).on_open,
            "sp.send('hi')".to_string()
        );
    }
}
