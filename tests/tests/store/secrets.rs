//! Local secret values: on this headless box (no Secret Service) they fall back to the local
//! database with a visible warning, are read back by `sockpit run`, and never appear in exports,
//! reports or `--json`; with a real Secret Service (gnome-keyring in a private D-Bus session) they
//! live in the OS credential store and not in the database, and a credential store that is gone
//! when a run needs it is a clear error naming the secret; they follow a renamed environment and
//! collection there (`secret_follow` renames as the window does), and a rename that cannot move
//! them without the store is refused.

// Helper fns of an integration test are test code too; clippy's allow-unwrap-in-tests only
// covers the #[test] fns here (rust-clippy#11119).
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Stdio;

use sockpit_mock::MockServer;
use sockpit_tests::headless::sockpit_headless;
use sockpit_tests::sockpit_bin;

const VALUE: &str = "demo-token";

/// A collection whose only request needs the secret `token` for first-message auth on the mock.
fn collection(ws: &str, token_value: Option<&str>) -> String {
    let value = token_value
        .map(|v| format!(r#", "value": "{v}""#))
        .unwrap_or_default();
    format!(
        r#"{{
  "sockpit": 1,
  "name": "Secret demo",
  "variables": [ {{ "name": "token", "secret": true{value} }} ],
  "environments": [ {{ "name": "ci", "variables": [ {{ "name": "ws", "value": "{ws}" }} ] }} ],
  "items": [
    {{ "type": "request", "name": "auth", "protocol": "websocket", "url": "{{{{ws}}}}/auth/first-message?probe={{{{token}}}}",
      "auth": {{ "type": "first_message", "message": "{{\"type\":\"auth\",\"token\":\"{{{{token}}}}\"}}",
                "ack": "/type=auth_ok" }},
      "messages": [ {{ "name": "m", "body": "hello" }} ],
      "assertions": [ {{ "type": "equals", "value": "hello" }} ] }}
  ]
}}
"#
    )
}

fn sql_one(db: &Path, sql: &str) -> Option<String> {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row(sql, [], |r| r.get::<_, Option<String>>(0))
        .unwrap_or(None)
}

fn expected_warning_start() -> &'static str {
    "sockpit: warning: no OS credential store (Secret Service unavailable: "
}

#[tokio::test]
async fn without_an_os_store_secrets_fall_back_to_the_database_with_a_warning() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let db = data.join("sockpit.db");
    let file = dir.path().join("secret-demo.sockpit.json");
    std::fs::write(&file, collection(&mock.ws_url(), None)).unwrap();
    let file = file.to_str().unwrap();

    // Set: the warning, on one line, names the fallback and the file to protect.
    let out = sockpit_headless(
        &["secret", "set", "token", "--collection", "Secret demo"],
        Some(format!("{VALUE}\n").as_bytes()),
        &data,
        &[],
    )
    .await;
    assert_eq!(out.status, 0, "{out:?}");
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{out:?}");
    assert!(
        lines[0].starts_with(expected_warning_start()),
        "{}",
        lines[0]
    );
    assert!(
        lines[0].ends_with(&format!(
            "); secrets are kept in the local database {} — protect that file",
            db.display()
        )),
        "{}",
        lines[0]
    );
    assert_eq!(
        out.stdout.trim(),
        "secret 'token' (collection 'Secret demo') saved in the local database"
    );
    // The value is in the fallback table (without its trailing newline), nowhere else.
    assert_eq!(
        sql_one(&db, "SELECT value FROM secrets WHERE scope = 'collection/Secret demo' AND name = 'token' AND backend = 'database'"),
        Some(VALUE.to_string())
    );

    // Status: the backend and the warning as JSON; names, never values.
    let out = sockpit_headless(&["secret", "status", "--json"], None, &data, &[]).await;
    assert_eq!(out.status, 0, "{out:?}");
    let v: serde_json::Value = serde_json::from_str(out.stdout.trim()).unwrap();
    assert_eq!(v["status"]["backend"], "database", "{v}");
    assert!(v["status"]["warning"]
        .as_str()
        .unwrap()
        .contains("protect that file"));
    assert_eq!(v["secrets"][0]["name"], "token");
    assert_eq!(v["secrets"][0]["scope"], "collection/Secret demo");
    assert!(!out.stdout.contains(VALUE), "{out:?}");
    let out = sockpit_headless(&["secret", "status"], None, &data, &[]).await;
    assert!(out.stdout.starts_with("backend: database ("), "{out:?}");

    // Run from the file: the secret is read back (the mock accepts only the right token).
    let out = sockpit_headless(
        &["run", file, "--env", "ci", "--reporter", "json"],
        None,
        &data,
        &[],
    )
    .await;
    assert_eq!(out.status, 0, "{out:?}");
    assert!(
        !out.stdout.contains(VALUE) && !out.stderr.contains(VALUE),
        "{out:?}"
    );
    assert_eq!(
        out.stderr.matches(expected_warning_start()).count(),
        1,
        "{out:?}"
    );

    // Import a hand-written file carrying a secret's value: the value moves out of the
    // collection's rows into the secret store; export and a stored run never show it.
    let carried = dir.path().join("carried.sockpit.json");
    std::fs::write(&carried, collection(&mock.ws_url(), Some(VALUE))).unwrap();
    let out = sockpit_headless(&["import", carried.to_str().unwrap()], None, &data, &[]).await;
    assert_eq!(out.status, 0, "{out:?}");
    assert!(out.stdout.contains("imported 'Secret demo'"), "{out:?}");
    assert_eq!(
        sql_one(
            &db,
            "SELECT count(*) || '' FROM variables WHERE value IS NOT NULL AND secret = 1"
        ),
        Some("0".into())
    );
    let out = sockpit_headless(&["export", "Secret demo"], None, &data, &[]).await;
    assert_eq!(out.status, 0, "{out:?}");
    assert!(!out.stdout.contains(VALUE), "{}", out.stdout);
    assert!(out.stdout.contains("$SOCKPIT_VAR_TOKEN"), "{}", out.stdout);
    let out = sockpit_headless(
        &["run", "Secret demo", "--env", "ci", "--reporter", "json"],
        None,
        &data,
        &[],
    )
    .await;
    assert_eq!(out.status, 0, "{out:?}");
    assert!(!out.stdout.contains(VALUE), "{out:?}");

    // History (the stored run above) never holds the secret, not even in a URL.
    let recorded = sql_one(
        &db,
        "SELECT count(*) || '' FROM history_connections WHERE url LIKE '%probe=***%'",
    );
    assert!(
        recorded.is_some_and(|n| n != "0"),
        "the URL is recorded, redacted"
    );
    assert_eq!(
        sql_one(
            &db,
            "SELECT count(*) || '' FROM history_connections WHERE url LIKE '%demo-token%'"
        ),
        Some("0".into())
    );

    // $SOCKPIT_VAR_TOKEN wins over the local value (a wrong one fails the run, unshown).
    let out = sockpit_headless(
        &["run", file, "--env", "ci", "--reporter", "json"],
        None,
        &data,
        &[("SOCKPIT_VAR_TOKEN", "env-wrong-9")],
    )
    .await;
    assert_eq!(out.status, 1, "{out:?}");
    assert!(!out.stdout.contains("env-wrong-9"), "{out:?}");

    // Removed: the run names the secret and how to set it again.
    let rm = ["secret", "rm", "token", "--collection", "Secret demo"];
    let out = sockpit_headless(&rm, None, &data, &[]).await;
    assert_eq!(out.status, 0, "{out:?}");
    let out = sockpit_headless(&rm, None, &data, &[]).await;
    assert_eq!(out.status, 2, "{out:?}");
    let out = sockpit_headless(&["run", file, "--env", "ci"], None, &data, &[]).await;
    assert_eq!(out.status, 1, "{out:?}");
    assert!(
        out.stderr
            .contains("sockpit secret set token --collection 'Secret demo'"),
        "{out:?}"
    );
    // An empty value is refused.
    let out = sockpit_headless(&["secret", "set", "x"], Some(b"\n"), &data, &[]).await;
    assert_eq!(out.status, 2, "{out:?}");
    assert!(out.stderr.contains("empty"), "{out:?}");
}

fn which(bin: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|p| p.join(bin).is_file()))
}

/// Runs `script` (sh) inside a private D-Bus session with gnome-keyring's Secret Service unlocked.
async fn in_keyring_session(home: &Path, data: &Path, script: &str) -> std::process::Output {
    let runtime = home.join("runtime");
    std::fs::create_dir_all(&runtime).unwrap();
    let full = format!(
        "printf 'sockpit-test' | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; {script}"
    );
    let out = tokio::process::Command::new("dbus-run-session")
        .args(["--", "sh", "-c", &full])
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("share"))
        .env("XDG_RUNTIME_DIR", &runtime)
        .env("SOCKPIT", sockpit_bin())
        .env("SOCKPIT_DATA_DIR", data)
        .env_remove("SOCKPIT_SECRET_BACKEND")
        .env_remove("SOCKPIT_VAR_TOKEN")
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .output();
    tokio::time::timeout(std::time::Duration::from_secs(90), out)
        .await
        .expect("the keyring session finished in time")
        .expect("dbus-run-session ran")
}

/// What the Secret Service tests start from, or None (SKIPPED) without the tools: the mock and
/// the temp dir to keep alive, a `home` and a `data` dir, the database in it, and the demo
/// collection file pointing at the mock.
async fn keyring_setup() -> Option<(
    (MockServer, tempfile::TempDir),
    std::path::PathBuf,
    std::path::PathBuf,
    std::path::PathBuf,
    std::path::PathBuf,
)> {
    if !secret_service_tools() {
        return None;
    }
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = dir.path().join("secret-demo.sockpit.json");
    std::fs::write(&file, collection(&mock.ws_url(), None)).unwrap();
    let home = dir.path().join("home");
    let db = data.join("sockpit.db");
    Some(((mock, dir), home, data, db, file))
}

/// Whether dbus-run-session and gnome-keyring-daemon are here for a real Secret Service; says
/// SKIPPED (and what to install) when not.
fn secret_service_tools() -> bool {
    for bin in ["dbus-run-session", "gnome-keyring-daemon"] {
        if !which(bin) {
            eprintln!(
                "SKIPPED: {bin} is not installed (Debian packages dbus and gnome-keyring; \
                 scripts/system-deps.sh installs them), so no real Secret Service can run here"
            );
            return false;
        }
    }
    true
}

#[tokio::test]
async fn with_a_secret_service_secrets_live_in_the_os_store_not_the_database() {
    let Some((_keep, home, data, _, file)) = keyring_setup().await else {
        return;
    };
    let script = format!(
        "printf '{VALUE}' | \"$SOCKPIT\" secret set token --collection 'Secret demo' && echo '==status' && \
         \"$SOCKPIT\" secret status --json && echo '==run' && \
         \"$SOCKPIT\" run '{}' --env ci --reporter json",
        file.display()
    );
    let out = in_keyring_session(&home, &data, &script).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.starts_with(
            "secret 'token' (collection 'Secret demo') saved in the OS credential store (Secret Service)"
        ),
        "{stdout}\n{stderr}"
    );
    assert!(!stderr.contains("no OS credential store"), "{stderr}");
    let status = stdout
        .split("==status\n")
        .nth(1)
        .and_then(|s| s.split("==run\n").next())
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(status.trim()).unwrap();
    assert_eq!(v["status"]["backend"], "keyring", "{v}");
    assert!(v["status"]["warning"].is_null(), "{v}");
    assert_eq!(v["secrets"][0]["backend"], "keyring", "{v}");
    let report: serde_json::Value =
        serde_json::from_str(stdout.split("==run\n").nth(1).unwrap()).unwrap();
    assert_eq!(report["passed"], true, "{report}");
    assert!(!stdout.contains(VALUE), "{stdout}");

    // The database only knows the secret exists; the value is not in any of its files.
    let db = data.join("sockpit.db");
    assert_eq!(
        sql_one(
            &db,
            "SELECT backend || ':' || coalesce(value, 'NULL') FROM secrets WHERE name = 'token'"
        ),
        Some("keyring:NULL".into())
    );
    for entry in std::fs::read_dir(&data).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        assert!(
            !bytes.windows(VALUE.len()).any(|w| w == VALUE.as_bytes()),
            "the value is in the data directory"
        );
    }

    // The credential store gone when a run needs it: a clear error naming the secret, no value.
    let out = sockpit_headless(
        &["run", file.to_str().unwrap(), "--env", "ci"],
        None,
        &data,
        &[],
    )
    .await;
    assert_eq!(out.status, 1, "{out:?}");
    let line = out
        .stderr
        .lines()
        .find(|l| l.starts_with("sockpit: error: "))
        .unwrap_or_default();
    assert!(
        line.contains("secret 'token' (collection 'Secret demo')")
            && line.contains("OS credential store (Secret Service)")
            && line.contains("unavailable now"),
        "{out:?}"
    );
    assert!(!out.stdout.contains(VALUE) && !out.stderr.contains(VALUE));

    // Back in a session: rm deletes it from the OS store too.
    let out = in_keyring_session(
        &home,
        &data,
        "\"$SOCKPIT\" secret rm token --collection 'Secret demo' && \"$SOCKPIT\" secret status",
    )
    .await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.contains("removed") && stdout.contains("no secrets set"),
        "{stdout}"
    );
}

#[tokio::test]
async fn import_moves_literal_credentials_into_the_secret_store() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = dir.path().join("literal.sockpit.json");
    // The token pasted literally into the first message, as a user exploring an API would.
    let text = collection(&mock.ws_url(), None)
        .replace("?probe={{token}}", "")
        .replace("{{token}}", VALUE)
        .replace("\"name\": \"Secret demo\"", "\"name\": \"Literal demo\"");
    assert!(text.contains(VALUE));
    std::fs::write(&file, text).unwrap();
    let out = sockpit_headless(&["import", file.to_str().unwrap()], None, &data, &[]).await;
    assert_eq!(out.status, 0, "{out:?}");
    assert!(
        out.stderr
            .contains("1 literal credential moved into secret variable: auth_auth_message"),
        "{out:?}"
    );
    let db = data.join("sockpit.db");
    assert_eq!(
        sql_one(&db, "SELECT auth FROM requests WHERE name = 'auth'"),
        Some(
            r#"{"type":"first_message","message":"{{auth_auth_message}}","ack":"/type=auth_ok"}"#
                .into()
        )
    );
    assert_eq!(
        sql_one(
            &db,
            "SELECT count(*) || '' FROM requests WHERE auth LIKE '%demo-token%'"
        ),
        Some("0".into())
    );
    // The stored collection still authenticates: the value comes back from the secret store.
    let out = sockpit_headless(
        &["run", "Literal demo", "--env", "ci", "--reporter", "json"],
        None,
        &data,
        &[],
    )
    .await;
    assert_eq!(out.status, 0, "{out:?}");
    assert!(!out.stdout.contains(VALUE), "{out:?}");
    let out = sockpit_headless(&["export", "Literal demo"], None, &data, &[]).await;
    assert!(!out.stdout.contains(VALUE), "{}", out.stdout);
    assert!(
        out.stdout.contains("{{auth_auth_message}}"),
        "{}",
        out.stdout
    );
}

/// Adds the index row of a secret kept in the OS store (as `secret set` writes it with one).
fn record_os_entry(db: &Path) {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.execute(
        "INSERT INTO secrets (scope, name, backend, value, updated_at) \
         VALUES ('collection/Secret demo', 'token', 'keyring', NULL, 0)",
        [],
    )
    .unwrap();
}

fn token_row(db: &Path) -> Option<String> {
    sql_one(
        db,
        "SELECT backend || ':' || coalesce(value, 'NULL') FROM secrets \
         WHERE scope = 'collection/Secret demo' AND name = 'token'",
    )
}

/// `secret rm` of a secret whose OS entry cannot be deleted now: exit 1, one line naming it and
/// what to do, and the row kept.
fn assert_rm_refused(out: &sockpit_tests::CliOutput) {
    assert_eq!(out.status, 1, "{out:?}");
    let line = out.one_error_line();
    assert!(
        line.contains("secret 'token' (collection 'Secret demo') was not removed")
            && line.contains("OS credential store (Secret Service)")
            && line.contains("start or unlock the store and remove it again"),
        "{line}"
    );
    assert!(!out.stdout.contains("removed"), "{out:?}");
}

#[tokio::test]
async fn without_the_os_store_a_secret_with_an_os_entry_stays_on_record() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let db = data.join("sockpit.db");
    let file = dir.path().join("secret-demo.sockpit.json");
    std::fs::write(&file, collection(&mock.ws_url(), None)).unwrap();
    let file = file.to_str().unwrap();
    // The database exists; `token` was stored in the Secret Service when it ran.
    let out = sockpit_headless(&["secret", "set", "other"], Some(b"o-v\n"), &data, &[]).await;
    assert_eq!(out.status, 0, "{out:?}");
    record_os_entry(&db);

    let rm = ["secret", "rm", "token", "--collection", "Secret demo"];
    let out = sockpit_headless(&rm, None, &data, &[]).await;
    assert_rm_refused(&out);
    assert_eq!(token_row(&db), Some("keyring:NULL".into()));

    // Set again without the store: the value goes to the database, the OS entry stays on record.
    let set = ["secret", "set", "token", "--collection", "Secret demo"];
    let out = sockpit_headless(&set, Some(format!("{VALUE}\n").as_bytes()), &data, &[]).await;
    assert_eq!(out.status, 0, "{out:?}");
    assert!(
        out.stdout.contains("saved in the local database"),
        "{out:?}"
    );
    assert_eq!(token_row(&db), Some(format!("keyring:{VALUE}")));
    let out = sockpit_headless(&["secret", "status", "--json"], None, &data, &[]).await;
    let v: serde_json::Value = serde_json::from_str(out.stdout.trim()).unwrap();
    let token = v["secrets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "token")
        .cloned()
        .unwrap();
    assert_eq!(token["backend"], "database", "{v}");
    // The new value is used (the mock accepts only the right token).
    let out = sockpit_headless(
        &["run", file, "--env", "ci", "--reporter", "json"],
        None,
        &data,
        &[],
    )
    .await;
    assert_eq!(out.status, 0, "{out:?}");
    let out = sockpit_headless(&rm, None, &data, &[]).await;
    assert_rm_refused(&out);
    assert_eq!(token_row(&db), Some(format!("keyring:{VALUE}")));
    // The store turned off on purpose says so.
    let out = sockpit_headless(&rm, None, &data, &[("SOCKPIT_SECRET_BACKEND", "database")]).await;
    assert_rm_refused(&out);
    assert!(
        out.stderr.contains("SOCKPIT_SECRET_BACKEND=database"),
        "{out:?}"
    );
    // A database secret is removed as before.
    let out = sockpit_headless(&["secret", "rm", "other"], None, &data, &[]).await;
    assert_eq!(out.status, 0, "{out:?}");
}

#[tokio::test]
async fn an_os_entry_set_again_or_removed_without_the_store_is_not_left_behind() {
    let Some((_keep, home, data, db, file)) = keyring_setup().await else {
        return;
    };
    let run = format!("\"$SOCKPIT\" run '{}' --env ci", file.display());

    // In the Secret Service: an old value, which the mock would refuse.
    let out = in_keyring_session(
        &home,
        &data,
        "printf 'old-wrong-1' | \"$SOCKPIT\" secret set token --collection 'Secret demo'",
    )
    .await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("OS credential store"), "{stdout}");
    assert_eq!(token_row(&db), Some("keyring:NULL".into()));

    // Without it: rm is refused, and a new value is kept in the database with the entry on record.
    let rm = ["secret", "rm", "token", "--collection", "Secret demo"];
    assert_rm_refused(&sockpit_headless(&rm, None, &data, &[]).await);
    let set = ["secret", "set", "token", "--collection", "Secret demo"];
    let out = sockpit_headless(&set, Some(VALUE.as_bytes()), &data, &[]).await;
    assert_eq!(out.status, 0, "{out:?}");
    assert_eq!(token_row(&db), Some(format!("keyring:{VALUE}")));

    // The store back: the newer value wins over the entry's old one, and rm deletes both.
    let out = in_keyring_session(
        &home,
        &data,
        &format!(
            "{run} >/dev/null && echo RUN-OK; \"$SOCKPIT\" secret rm token --collection 'Secret demo'"
        ),
    )
    .await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("RUN-OK")
            && stdout.contains("secret 'token' (collection 'Secret demo') removed"),
        "{stdout}\n{stderr}"
    );
    assert_eq!(token_row(&db), None);

    // The OS entry is gone: with its record back, the run finds no value (the old entry would be
    // sent and refused by the mock instead).
    record_os_entry(&db);
    let out = in_keyring_session(&home, &data, &run).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("sockpit secret set token --collection 'Secret demo'"),
        "{stderr}"
    );
}

#[tokio::test]
async fn import_moves_a_literal_beside_a_reference_into_the_secret_store() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = dir.path().join("mixed.sockpit.json");
    // A pasted token next to a variable in the same first message.
    let text = collection(&mock.ws_url(), None)
        .replace("?probe={{token}}", "")
        .replace(
            r#"\"token\":\"{{token}}\""#,
            &format!(r#"\"token\":\"{VALUE}\",\"user\":\"{{{{user}}}}\""#),
        )
        .replace(
            r#"{ "name": "token", "secret": true }"#,
            r#"{ "name": "user", "value": "alice" }"#,
        )
        .replace("\"name\": \"Secret demo\"", "\"name\": \"Mixed demo\"");
    assert!(text.contains(VALUE) && text.contains("{{user}}"), "{text}");
    std::fs::write(&file, text).unwrap();
    let out = sockpit_headless(&["import", file.to_str().unwrap()], None, &data, &[]).await;
    assert_eq!(out.status, 0, "{out:?}");
    assert!(
        out.stderr
            .contains("1 literal credential moved into secret variable: auth_auth_message"),
        "{out:?}"
    );
    let db = data.join("sockpit.db");
    assert_eq!(
        sql_one(
            &db,
            "SELECT count(*) || '' FROM requests WHERE auth LIKE '%demo-token%'"
        ),
        Some("0".into())
    );
    // The stored collection still authenticates: the moved value's {{user}} renders too.
    let out = sockpit_headless(
        &["run", "Mixed demo", "--env", "ci", "--reporter", "json"],
        None,
        &data,
        &[],
    )
    .await;
    assert_eq!(out.status, 0, "{out:?}");
    assert!(!out.stdout.contains(VALUE), "{out:?}");
    let out = sockpit_headless(&["export", "Mixed demo"], None, &data, &[]).await;
    assert!(!out.stdout.contains(VALUE), "{}", out.stdout);
    assert!(
        out.stdout.contains("{{auth_auth_message}}"),
        "{}",
        out.stdout
    );
}

/// Runs the `secret_follow` helper (a rename or delete through `SecretStore`, as the window does)
/// without a session bus, so without the Secret Service.
async fn secret_follow_headless(data: &Path, args: &[&str]) -> std::process::Output {
    let runtime = data.with_extension("runtime");
    std::fs::create_dir_all(&runtime).unwrap();
    tokio::process::Command::new(env!("CARGO_BIN_EXE_secret_follow"))
        .args(args)
        .env("SOCKPIT_DATA_DIR", data)
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env_remove("SOCKPIT_SECRET_BACKEND")
        .env("XDG_RUNTIME_DIR", &runtime)
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .output()
        .await
        .unwrap()
}

#[tokio::test]
async fn with_a_secret_service_secrets_follow_renames_and_a_rename_without_it_is_refused() {
    let Some((_keep, home, data, db, file)) = keyring_setup().await else {
        return;
    };
    let follow = env!("CARGO_BIN_EXE_secret_follow");

    // In the OS store: set the environment's secret, rename the environment, then the collection;
    // the run of the renamed collection and environment still finds the value.
    let script = format!(
        "\"$SOCKPIT\" import '{file}' >/dev/null && \
         printf '{VALUE}' | \"$SOCKPIT\" secret set token --collection 'Secret demo' --env ci && \
         '{follow}' rename-env 'Secret demo' ci staging && \
         '{follow}' rename-collection 'Secret demo' 'Renamed demo' && echo '==status' && \
         \"$SOCKPIT\" secret status --json && echo '==run' && \
         \"$SOCKPIT\" run 'Renamed demo' --env staging --reporter json",
        file = file.display()
    );
    let out = in_keyring_session(&home, &data, &script).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.starts_with("secret 'token' (environment 'ci' of collection 'Secret demo') saved in the OS credential store"),
        "{stdout}\n{stderr}"
    );
    assert!(!stderr.contains("warning"), "{stderr}");
    let status = stdout
        .split("==status\n")
        .nth(1)
        .and_then(|s| s.split("==run\n").next())
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(status.trim()).unwrap();
    assert_eq!(
        v["secrets"],
        serde_json::json!([{ "scope": "collection/Renamed demo/env/staging", "name": "token", "backend": "keyring" }]),
        "{v}"
    );
    let report: serde_json::Value =
        serde_json::from_str(stdout.split("==run\n").nth(1).unwrap()).unwrap();
    assert_eq!(report["passed"], true, "{report}\n{stderr}");

    // Without the OS store the entry cannot move: the rename is refused and nothing changes.
    let out =
        secret_follow_headless(&data, &["rename-env", "Renamed demo", "staging", "prod"]).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.starts_with("error: secret.store_unavailable: environment 'staging' of collection 'Renamed demo' was not renamed: secret 'token'")
            && stderr.contains("`sockpit secret set token --collection 'Renamed demo' --env staging`"),
        "{stderr}"
    );
    assert_eq!(
        sql_one(&db, "SELECT name FROM environments"),
        Some("staging".into())
    );
    assert_eq!(
        sql_one(&db, "SELECT scope || ':' || backend FROM secrets"),
        Some("collection/Renamed demo/env/staging:keyring".into())
    );

    // Back in a session: deleting the environment deletes its secret, OS entry and all.
    let script =
        format!("'{follow}' delete-env 'Renamed demo' staging && \"$SOCKPIT\" secret status");
    let out = in_keyring_session(&home, &data, &script).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("no secrets set"), "{stdout}");
    assert!(!stderr.contains("warning"), "{stderr}");
}
