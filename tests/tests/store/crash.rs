//! Crash safety: a writer process (`store_writer`) making the window's and the CLI's kinds of
//! write (saves, imports with secrets, renames that move secrets, environments with secrets) while
//! it records a flooding session into history is killed with SIGKILL at random moments, 200 times
//! over. After each kill every write it acknowledged is in the database, `PRAGMA integrity_check`
//! says ok, no secret row is left without its collection or environment, the flood's history is a
//! gapless prefix of what was recorded, and the killed connection reads `interrupted`.

// Helper fns of an integration test are test code too; clippy's allow-unwrap-in-tests only
// covers the #[test] fns here (rust-clippy#11119).
#![allow(clippy::unwrap_used)]

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use rusqlite::Connection;
use sockpit_core::app::App;
use sockpit_core::store::{Store, DB_FILE};

const KILLS: usize = 200;

/// A small xorshift generator: random kill times without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// What the writer acknowledged, by kind.
#[derive(Default)]
struct Acked {
    saved: HashSet<u64>,
    imported: HashSet<u64>,
    renamed: HashSet<u64>,
    envs: HashSet<u64>,
}

impl Acked {
    /// Takes one line of the writer's output; returns the write's number.
    fn take(&mut self, line: &str) -> u64 {
        let (kind, n) = line
            .split_once(' ')
            .and_then(|(k, n)| Some((k, n.parse::<u64>().ok()?)))
            .unwrap_or_else(|| panic!("unexpected line {line:?}"));
        let set = match kind {
            "saved" => &mut self.saved,
            "imported" => &mut self.imported,
            "renamed" => &mut self.renamed,
            "env" => &mut self.envs,
            _ => panic!("unexpected line {line:?}"),
        };
        set.insert(n);
        n
    }
}

fn strings(raw: &Connection, sql: &str) -> Vec<String> {
    let mut stmt = raw.prepare(sql).unwrap();
    let rows = stmt.query_map([], |r| r.get::<_, String>(0)).unwrap();
    rows.map(|r| r.unwrap()).collect()
}

/// Every acknowledged write is there, and no secret row lacks its collection or environment.
fn check_writes(raw: &Connection, acked: &Acked, at: &str) {
    let requests: HashSet<String> = strings(raw, "SELECT name FROM requests")
        .into_iter()
        .collect();
    let lost: Vec<&u64> = acked
        .saved
        .iter()
        .filter(|n| !requests.contains(&format!("save {n}")))
        .collect();
    assert!(lost.is_empty(), "{at}: acknowledged saves lost: {lost:?}");

    let collections: HashSet<String> = strings(raw, "SELECT name FROM collections")
        .into_iter()
        .collect();
    let environments: HashSet<String> = strings(
        raw,
        "SELECT c.name || '/env/' || e.name FROM environments e JOIN collections c ON c.id = e.collection_id",
    )
    .into_iter()
    .collect();
    let mut secrets: HashMap<String, String> = HashMap::new();
    let mut stmt = raw
        .prepare("SELECT scope, name, backend, coalesce(value, '') FROM secrets")
        .unwrap();
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        })
        .unwrap();
    for row in rows {
        let (scope, name, backend, value) = row.unwrap();
        assert_eq!(backend, "database", "{at}: no Secret Service here");
        let c = scope
            .strip_prefix("collection/")
            .unwrap_or_else(|| panic!("{at}: a secret outside any collection: {scope:?}"));
        match c.rsplit_once("/env/") {
            Some(_) => assert!(
                environments.contains(c),
                "{at}: orphan secret row {scope:?}/{name}"
            ),
            None => assert!(
                collections.contains(c),
                "{at}: orphan secret row {scope:?}/{name}"
            ),
        }
        secrets.insert(format!("{scope}#{name}"), value);
    }

    for n in &acked.imported {
        let (old, new) = (format!("Import {n}"), format!("Renamed {n}"));
        let name = match (collections.contains(&old), collections.contains(&new)) {
            (true, false) if !acked.renamed.contains(n) => old,
            (false, true) => new,
            found => panic!("{at}: imported collection {n}: {found:?}"),
        };
        assert_eq!(
            secrets
                .get(&format!("collection/{name}#token"))
                .map(String::as_str),
            Some(format!("v-{n}").as_str()),
            "{at}: the secret of {name:?}"
        );
        let hello: i64 = raw
            .query_row(
                "SELECT count(*) FROM requests r JOIN collections c ON c.id = r.collection_id
                 WHERE c.name = ?1 AND r.name = ?2",
                [&name, &format!("hello {n}")],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(hello, 1, "{at}: the request of {name:?}");
    }
    for n in &acked.envs {
        assert_eq!(
            secrets
                .get(&format!("collection/Crash/env/env {n}#key"))
                .map(String::as_str),
            Some(format!("k-{n}").as_str()),
            "{at}: environment {n} and its secret"
        );
    }
    let orphans: i64 = raw
        .query_row(
            "SELECT count(*) FROM saved_messages m LEFT JOIN requests r ON r.id = m.request_id WHERE r.id IS NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(orphans, 0, "{at}: messages without their request");
}

/// The history connections above `after`: each a gapless prefix of the flood, each `interrupted`.
/// Returns the newest connection id and the flood rows seen.
fn check_history(dir: &Path, raw: &Connection, after: i64, at: &str) -> (i64, u64) {
    let mut stmt = raw
        .prepare("SELECT id FROM history_connections WHERE id > ?1 ORDER BY id")
        .unwrap();
    let ids: Vec<i64> = stmt
        .query_map([after], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    let outcomes: HashMap<i64, String> = App::new(dir)
        .history(500)
        .unwrap()
        .into_iter()
        .map(|h| (h.connection.id, h.outcome))
        .collect();
    let mut rows = 0;
    for &id in &ids {
        let mut stmt = raw
            .prepare(
                "SELECT seq, kind, data FROM history_events WHERE connection_id = ?1 ORDER BY seq",
            )
            .unwrap();
        let events = stmt
            .query_map([id], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<Vec<u8>>>(2)?,
                ))
            })
            .unwrap();
        let mut last_flood: Option<u64> = None;
        for (i, ev) in events.enumerate() {
            let (seq, kind, data) = ev.unwrap();
            assert_eq!(seq, i as i64, "{at}: connection {id}: a gap in history");
            if i == 0 {
                assert_eq!(kind, "open", "{at}: connection {id}");
                continue;
            }
            let text = String::from_utf8(data.unwrap_or_default()).unwrap();
            let k: u64 = text
                .strip_prefix("flood ")
                .and_then(|k| k.parse().ok())
                .unwrap_or_else(|| panic!("{at}: connection {id}: row {text:?}"));
            assert!(
                last_flood.is_none_or(|l| k > l),
                "{at}: connection {id}: flood {k} after {last_flood:?}"
            );
            last_flood = Some(k);
            rows += 1;
        }
        assert_eq!(
            outcomes.get(&id).map(String::as_str),
            Some("interrupted"),
            "{at}: connection {id} of a killed writer"
        );
    }
    (ids.last().copied().unwrap_or(after), rows)
}

#[test]
fn every_acknowledged_write_survives_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let runtime = dir.path().join("runtime");
    std::fs::create_dir_all(&runtime).unwrap();
    let data = dir.path().join("data");
    let seed = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    let mut rng = Rng(seed);
    let mut acked = Acked::default();
    let mut next: u64 = 0;
    let mut kills_mid_write = 0;
    let mut last_connection = 0;
    let mut flood_rows = 0;
    let started = Instant::now();
    for round in 0..KILLS {
        let at = format!("round {round} (seed {seed})");
        let mut child = Command::new(env!("CARGO_BIN_EXE_store_writer"))
            .arg(&data)
            .arg(next.to_string())
            // The database fallback of the secret store: no Secret Service on the bus.
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .env_remove("SOCKPIT_SECRET_BACKEND")
            .env("XDG_RUNTIME_DIR", &runtime)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Reads the writer's lines as they come, so that kills can land deep into its loop
        // however slowly it starts on a loaded machine.
        let mut stdout = child.stdout.take().unwrap();
        let (tx, lines) = std::sync::mpsc::channel::<String>();
        let reader = std::thread::spawn(move || {
            let mut buf = Vec::new();
            let mut byte = [0u8; 1];
            while let Ok(1) = stdout.read(&mut byte) {
                if byte[0] == b'\n' {
                    let _ = tx.send(String::from_utf8_lossy(&buf).into_owned());
                    buf.clear();
                } else {
                    buf.push(byte[0]);
                }
            }
        });
        let mut out: Vec<String> = Vec::new();
        if round % 5 == 0 {
            // Anywhere from before the store is open to its first writes.
            std::thread::sleep(Duration::from_micros(rng.next() % 20_000));
        } else {
            // After a random number of acknowledged writes, a moment into the next one.
            let target = 1 + (rng.next() % 16) as usize;
            while out.len() < target {
                match lines.recv_timeout(Duration::from_secs(20)) {
                    Ok(line) => out.push(line),
                    Err(e) => {
                        let _ = child.kill();
                        let _ = child.wait();
                        let mut err = String::new();
                        let _ = child.stderr.take().unwrap().read_to_string(&mut err);
                        panic!("{at}: the writer stopped writing ({e}): {err}; it wrote {out:?}")
                    }
                }
            }
            std::thread::sleep(Duration::from_micros(rng.next() % 3_000));
        }
        child.kill().unwrap(); // SIGKILL
        let status = child.wait().unwrap();
        reader.join().unwrap();
        out.extend(lines.try_iter());
        let mut err = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        assert!(err.is_empty(), "{at}: writer failed: {err}");
        if status.code().is_none() {
            kills_mid_write += 1;
        }
        for line in &out {
            let n = acked.take(line);
            next = next.max(n + 1);
        }
        // Leave room for writes that committed after the last line was printed.
        next += 1000;

        let store = Store::open_in(&data).unwrap();
        assert_eq!(store.integrity_check().unwrap(), "ok", "{at}");
        drop(store);
        let raw = Connection::open(data.join(DB_FILE)).unwrap();
        check_writes(&raw, &acked, &at);
        let (newest, rows) = check_history(&data, &raw, last_connection, &at);
        last_connection = newest;
        flood_rows += rows;
    }
    assert_eq!(kills_mid_write, KILLS, "every round ended by SIGKILL");
    let counts = [
        ("saves", acked.saved.len()),
        ("imports", acked.imported.len()),
        ("renames", acked.renamed.len()),
        ("environments", acked.envs.len()),
    ];
    for (kind, n) in counts {
        assert!(n >= 20, "the writer got to make {kind}: {n}");
    }
    assert!(
        flood_rows > 1000,
        "history recorded the flood: {flood_rows}"
    );
    eprintln!(
        "{KILLS} SIGKILLs; acknowledged and present: {counts:?}; {flood_rows} flood rows gapless; \
         integrity ok ({:.1} s, seed {seed})",
        started.elapsed().as_secs_f64()
    );
}
