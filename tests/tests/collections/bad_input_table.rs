//! `docs/bad-input.md` is executable: every CLI row marked `table` runs against the real binary
//! (exit status, `--json` error code, message fragment), every other row names a test that must
//! exist and mention the row's code or message, and every subcommand of `sockpit --help` (and of
//! `proto`, `secret`) has a row. The table is the source; nothing generates it, so nothing drifts.

// Helper fns of an integration test are test code too (rust-clippy#11119).
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;
use sockpit_tests::sockpit;

const LIMIT: Duration = Duration::from_secs(30);

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// One row of a table in `docs/bad-input.md`.
#[derive(Debug)]
struct Row {
    line: usize,
    section: String,
    input: String,
    exit: String,
    code: String,
    message: String,
    proof: String,
}

/// Cells of a markdown table row; `\|` is a literal bar.
fn cells(line: &str) -> Vec<String> {
    let inner = line.trim().trim_start_matches('|').trim_end_matches('|');
    let mut out = vec![String::new()];
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                out.last_mut().unwrap().push('|');
                chars.next();
            }
            '|' => out.push(String::new()),
            c => out.last_mut().unwrap().push(c),
        }
    }
    out.iter().map(|c| c.trim().to_string()).collect()
}

/// The text inside one pair of backticks, or the cell as is.
fn unquote(cell: &str) -> &str {
    cell.strip_prefix('`')
        .and_then(|c| c.strip_suffix('`'))
        .unwrap_or(cell)
}

/// The checked part of a message cell: all of it when it is one code span, else its first code
/// span (the window's cells describe more than they quote), else the cell.
fn fragment(cell: &str) -> &str {
    if cell.len() > 1 && cell.starts_with('`') && cell.ends_with('`') {
        return &cell[1..cell.len() - 1];
    }
    cell.split('`').nth(1).unwrap_or(cell)
}

fn rows() -> Vec<Row> {
    let text = std::fs::read_to_string(repo().join("docs/bad-input.md")).unwrap();
    let mut section = String::new();
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if let Some(h) = line.strip_prefix("## ") {
            section = h.trim().to_string();
            continue;
        }
        if !line.starts_with('|') || line.starts_with("| Input") || line.starts_with("|--") {
            continue;
        }
        let c = cells(line);
        assert_eq!(c.len(), 5, "docs/bad-input.md:{}: five cells", i + 1);
        out.push(Row {
            line: i + 1,
            section: section.clone(),
            input: c[0].clone(),
            exit: c[1].clone(),
            code: unquote(&c[2]).to_string(),
            message: fragment(&c[3]).to_string(),
            proof: c[4].clone(),
        });
    }
    out
}

/// Shell-like words: whitespace separates, single quotes keep text as is.
fn words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur: Option<String> = None;
    let mut quoted = false;
    for c in s.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                cur.get_or_insert_with(String::new);
            }
            c if c.is_whitespace() && !quoted => {
                if let Some(w) = cur.take() {
                    out.push(w);
                }
            }
            c => cur.get_or_insert_with(String::new).push(c),
        }
    }
    out.extend(cur);
    out
}

/// Files the CLI rows may name as `{dir}/NAME`.
fn fixtures(dir: &Path) {
    let files: [(&str, &str); 4] = [
        ("empty.json", "{}"),
        (
            "cut.sockpit.json",
            "{\"sockpit\": 1, \"name\": \"x\", \"requ",
        ),
        (
            "bad.proto",
            "syntax = \"proto3\";\nmessage A { int32 x = 1 }\n",
        ),
        (
            "ok.proto",
            "syntax = \"proto3\";\nmessage A { int32 x = 1; }\n",
        ),
    ];
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
}

/// Runs one `table` row; returns what was wrong, if anything.
async fn check_cli(row: &Row) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    fixtures(dir.path());
    let d = dir.path().to_str().unwrap();
    let root = repo();
    // A port something already listens on, held until the row has run.
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let busy_port = busy.local_addr().unwrap().port().to_string();
    let input = fragment(&row.input)
        .replace("{busy}", &busy_port)
        .replace("{dir}", d)
        .replace("{repo}", root.to_str().unwrap());
    let mut argv = words(&input);
    if argv.first().map(String::as_str) != Some("sockpit") {
        return Some("the input is not a `sockpit ...` command".into());
    }
    argv.remove(0);
    let data = format!("{d}/data");
    let mut args: Vec<&str> = vec!["--data-dir", &data];
    args.extend(argv.iter().map(String::as_str));
    let out = sockpit(&args, None, LIMIT).await;
    let mut wrong = Vec::new();
    if out.status.to_string() != row.exit {
        wrong.push(format!("exit {} (the table says {})", out.status, row.exit));
    }
    if !out.stderr.contains(&row.message) {
        wrong.push(format!("stderr lacks {:?}", row.message));
    }
    if out.stderr.contains("panicked") {
        wrong.push("it panicked".into());
    }
    if row.code != "—" {
        let found = out.stdout.lines().any(|l| {
            serde_json::from_str::<Value>(l).is_ok_and(|v| v["code"] == row.code.as_str())
        });
        if !found {
            wrong.push(format!("no `--json` line with code {}", row.code));
        }
    }
    (!wrong.is_empty()).then(|| {
        format!(
            "{}\n  stdout: {}\n  stderr: {}",
            wrong.join("; "),
            out.stdout,
            out.stderr
        )
    })
}

/// A proof other than `table`: `path::name`, the file holding a test named `name` (a Rust fn or a
/// JS test title) that mentions the row's code (or, without one, its message).
fn check_reference(row: &Row) -> Option<String> {
    let proof = unquote(&row.proof);
    let Some((path, name)) = proof.split_once("::") else {
        return Some(format!(
            "proof {proof:?} is neither `table` nor `path::test`"
        ));
    };
    let Ok(text) = std::fs::read_to_string(repo().join(path)) else {
        return Some(format!("no file {path}"));
    };
    let named = if path.ends_with(".rs") {
        text.contains(&format!("fn {name}("))
    } else {
        let title = name.trim_matches('"');
        text.contains(&format!("\"{title}\""))
    };
    if !named {
        return Some(format!("{path} has no test {name}"));
    }
    let mention = if row.code == "—" {
        &row.message
    } else {
        &row.code
    };
    (!text.contains(mention.as_str())).then(|| format!("{path} never mentions {mention:?}"))
}

/// Subcommand names from a `--help` text's `Commands:` list (without `help`).
async fn subcommands(args: &[&str]) -> Vec<String> {
    let out = sockpit(args, None, LIMIT).await;
    out.stdout
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(String::from)
        .collect()
}

#[tokio::test]
async fn every_row_of_docs_bad_input_holds() {
    let rows = rows();
    assert!(rows.len() > 40, "only {} rows", rows.len());
    let mut failures = Vec::new();
    for row in &rows {
        let wrong = if row.proof == "table" {
            if row.section != "CLI" {
                Some("only CLI rows can be run by the table".into())
            } else {
                check_cli(row).await
            }
        } else {
            check_reference(row)
        };
        if let Some(w) = wrong {
            failures.push(format!("docs/bad-input.md:{} {}: {w}", row.line, row.input));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn every_subcommand_has_a_row() {
    let rows = rows();
    let inputs: Vec<Vec<String>> = rows
        .iter()
        .filter(|r| r.section == "CLI")
        .map(|r| words(fragment(&r.input)))
        .collect();
    let mut missing = Vec::new();
    for top in subcommands(&["--help"]).await {
        if !inputs.iter().any(|w| w.get(1) == Some(&top)) {
            missing.push(top.clone());
        }
        if top == "proto" || top == "secret" {
            for sub in subcommands(&[&top, "--help"]).await {
                if !inputs
                    .iter()
                    .any(|w| w.get(1) == Some(&top) && w.get(2) == Some(&sub))
                {
                    missing.push(format!("{top} {sub}"));
                }
            }
        }
    }
    assert!(missing.is_empty(), "no row for: {missing:?}");
    assert!(subcommands(&["--help"]).await.len() >= 14);
}

/// `sockpit connect URL | head -1`: the reader goes away while messages still arrive. The process
/// ends on SIGPIPE (as `cat` does) or cleanly, never with a panic in `println!` (exit 101).
#[tokio::test]
async fn a_closed_stdout_ends_quietly() {
    use std::os::unix::process::ExitStatusExt;
    use tokio::io::AsyncBufReadExt;
    let mock = sockpit_mock::MockServer::start("127.0.0.1", 0)
        .await
        .unwrap();
    let url = format!("{}/flood?n=1000000&size=16", mock.ws_url());
    let mut child = tokio::process::Command::new(sockpit_tests::sockpit_bin())
        .args(["connect", &url])
        .env_remove("RUST_LOG")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    assert!(
        lines.next_line().await.unwrap().is_some(),
        "a first message"
    );
    drop(lines);
    let out = tokio::time::timeout(LIMIT, child.wait_with_output())
        .await
        .expect("it ends")
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        out.status.signal() == Some(13) || out.status.code().is_some_and(|c| c != 101),
        "{:?} {stderr}",
        out.status
    );
}

#[test]
fn the_parsers_of_the_table() {
    assert_eq!(
        cells("| `a \\| b` | 2 | — | x | table |"),
        ["`a | b`", "2", "—", "x", "table"]
    );
    assert_eq!(
        words("sockpit secret set 'bad name' --value ''"),
        ["sockpit", "secret", "set", "bad name", "--value", ""]
    );
}
