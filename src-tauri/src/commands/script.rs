//! The Scripts tab's syntax checks: core's `check_scripts` on the edited hooks (one diagnostic per
//! broken hook, for the editor's lint) and `check_hook_file` on an attached hook file; the
//! attachment as core's `ScriptPlan` for the connect and subscribe commands.

use std::path::Path;

use sockpit_core::app::ScriptPlan;

use crate::dto::AppError;
use crate::dto_script::{ScriptDiagnosticDto, ScriptsDto};
use crate::state::off_thread;

#[tauri::command]
pub async fn script_check(scripts: ScriptsDto) -> Result<Vec<ScriptDiagnosticDto>, AppError> {
    off_thread(move || Ok::<_, AppError>(diagnostics(&scripts))).await
}

/// What is wrong with the hook file at `path` (nothing when it is whole: it compiles and defines
/// a hook); an unreadable file is a `script.read` error.
#[tauri::command]
pub async fn script_check_file(path: String) -> Result<Vec<ScriptDiagnosticDto>, AppError> {
    let layer = sockpit_core::script::ScriptLayer::Websocket;
    let found = sockpit_core::app::check_hook_file(Path::new(&path), layer).await?;
    Ok(found.into_iter().map(Into::into).collect())
}

/// What the Scripts tab attached beside the request's hooks: a hook file (blank is none) and
/// whether a script error closes the session.
pub(crate) fn script_plan(hook_file: Option<&str>, stop_on_error: Option<bool>) -> ScriptPlan {
    ScriptPlan {
        hook_file: hook_file
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(std::path::PathBuf::from),
        stop_on_error: stop_on_error.unwrap_or(false),
    }
}

fn diagnostics(scripts: &ScriptsDto) -> Vec<ScriptDiagnosticDto> {
    sockpit_core::app::check_scripts(&scripts.to_model())
        .into_iter()
        .map(Into::into)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_syntax_error_maps_to_its_hook_line_and_column() {
        let scripts = ScriptsDto {
            on_message: "test('echo', () => {\n  expect(1).to.equal(1)\n  let x = ;\n});".into(),
            on_open: "sp.send('hi')".into(),
            ..ScriptsDto::default()
        };
        let d = diagnostics(&scripts);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].hook, "on_message");
        assert_eq!(d[0].code, "script.syntax");
        assert_eq!(d[0].line, 3);
        assert!(d[0].column >= 1 && !d[0].message.is_empty(), "{d:?}");
        assert!(diagnostics(&ScriptsDto::default()).is_empty());
    }
}
