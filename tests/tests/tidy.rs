//! The repository's house rules (`sockpit_tests::tidy`): each runs on the real tree, which must
//! be clean, and on a fixture under `tests/fixtures/tidy/<rule>/` that breaks it, to prove the rule
//! can fail and says where.

use std::path::{Path, PathBuf};

use sockpit_tests::tidy::{self, Violation};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate is inside the repository")
        .to_path_buf()
}

fn fixture(rule: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/tidy")
        .join(rule)
}

#[track_caller]
fn assert_clean(violations: Vec<Violation>) {
    assert!(
        violations.is_empty(),
        "{} violation(s):\n{}",
        violations.len(),
        tidy::render(&violations)
    );
}

/// The violations as `file:line [rule]`, to compare with what a fixture breaks.
fn places(violations: &[Violation]) -> Vec<String> {
    violations
        .iter()
        .map(|v| match v.line {
            Some(line) => format!("{}:{line} [{}]", v.file, v.rule),
            None => format!("{} [{}]", v.file, v.rule),
        })
        .collect()
}

#[test]
fn core_has_no_face_dependencies() {
    assert_clean(tidy::core_dependencies(&repo()));
}

#[test]
fn core_dependencies_rule_fails_on_its_fixture() {
    let v = tidy::core_dependencies(&fixture("core-dependencies"));
    let file = "crates/sockpit-core/Cargo.toml";
    assert_eq!(
        places(&v),
        [7, 10, 12].map(|l| format!("{file}:{l} [core-dependencies]")),
        "{}",
        tidy::render(&v)
    );
    assert!(v[0].message.contains("`tauri`"), "{}", v[0]);
    assert!(v[2].message.contains("`axum`"), "{}", v[2]);
}

#[test]
fn ui_reaches_tauri_only_through_ipc() {
    assert_clean(tidy::ui_tauri_imports(&repo()));
}

#[test]
fn ui_tauri_imports_rule_fails_on_its_fixture() {
    let v = tidy::ui_tauri_imports(&fixture("ui-tauri-imports"));
    let file = "ui/src/features/log/Log.tsx";
    assert_eq!(
        places(&v),
        [2, 6].map(|l| format!("{file}:{l} [ui-tauri-imports]")),
        "{}",
        tidy::render(&v)
    );
    assert!(v[0].message.contains("ui/src/ipc"), "{}", v[0]);
}

#[test]
fn tauri_commands_are_async() {
    assert_clean(tidy::async_commands(&repo()));
}

#[test]
fn async_commands_rule_fails_on_its_fixture() {
    let v = tidy::async_commands(&fixture("async-commands"));
    let file = "src-tauri/src/commands.rs";
    assert_eq!(
        places(&v),
        [10, 14].map(|l| format!("{file}:{l} [async-commands]")),
        "{}",
        tidy::render(&v)
    );
    assert!(v[0].message.contains("`sync_one`"), "{}", v[0]);
    assert!(v[1].message.contains("`sync_two`"), "{}", v[1]);
}

#[test]
fn every_rust_file_starts_with_a_module_doc() {
    assert_clean(tidy::module_docs(&repo()));
}

#[test]
fn module_docs_rule_fails_on_its_fixture() {
    let v = tidy::module_docs(&fixture("module-docs"));
    assert_eq!(
        places(&v),
        [
            "crates/demo/src/bad.rs:1 [module-docs]",
            "src-tauri/src/main.rs:2 [module-docs]",
        ],
        "{}",
        tidy::render(&v)
    );
}

#[test]
fn no_file_is_too_long() {
    let longest = tidy::longest_files(&repo(), 5);
    eprintln!("longest non-test files: {longest:?}");
    assert_clean(tidy::file_length(&repo()));
}

#[test]
fn file_length_rule_fails_on_its_fixture() {
    let v = tidy::file_length(&fixture("file-length"));
    assert_eq!(
        places(&v),
        ["crates/demo/src/long.rs [file-length]"],
        "{}",
        tidy::render(&v)
    );
    assert!(v[0].message.starts_with("801 lines"), "{}", v[0]);
}

#[test]
fn core_modules_point_one_way() {
    assert_clean(tidy::module_direction(&repo()));
}

#[test]
fn core_modules_have_no_cycles() {
    assert_clean(tidy::module_cycles(&repo()));
}

#[test]
fn module_direction_rule_fails_on_its_fixture() {
    let v = tidy::module_direction(&fixture("module-direction"));
    let src = "crates/sockpit-core/src";
    assert_eq!(
        places(&v),
        [
            format!("{src}/auth/mod.rs:4 [module-direction]"),
            format!("{src}/net/mod.rs:3 [module-direction]"),
            format!("{src}/net/tls.rs:2 [module-direction]"),
        ],
        "{}",
        tidy::render(&v)
    );
    assert!(v[1].message.contains("`net` uses `crate::ws`"), "{}", v[1]);
    assert!(
        v[2].message.contains("`net` uses `crate::auth`"),
        "{}",
        v[2]
    );
}

#[test]
fn module_cycles_rule_fails_on_its_fixture() {
    let v = tidy::module_cycles(&fixture("module-direction"));
    let text = tidy::render(&v);
    assert_eq!(v.len(), 2, "{text}");
    assert!(v[0].message.contains("{auth, net, ws}"), "{text}");
    assert!(v[1].message.contains("{secrets, store}"), "{text}");
    assert!(
        v[1].message
            .contains("secrets -> store (crates/sockpit-core/src/secrets/mod.rs:2)"),
        "{text}"
    );
}
