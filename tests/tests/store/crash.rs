//! Crash safety: a writer process saving requests in a loop is killed with SIGKILL at random
//! moments, over and over; after each kill every save it acknowledged is in the database and
//! `PRAGMA integrity_check` says ok.

use std::collections::HashSet;
use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use sockpit_core::store::{Store, DB_FILE};

const KILLS: usize = 110;

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

#[test]
fn every_acknowledged_save_survives_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let seed = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    let mut rng = Rng(seed);
    let mut acknowledged: HashSet<u64> = HashSet::new();
    let mut next: u64 = 0;
    let mut kills_mid_write = 0;
    let started = Instant::now();
    for round in 0..KILLS {
        let mut child = Command::new(env!("CARGO_BIN_EXE_store_writer"))
            .arg(dir.path())
            .arg(next.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Anywhere from before the store is open to well into the save loop.
        std::thread::sleep(Duration::from_micros(rng.next() % 40_000));
        child.kill().unwrap(); // SIGKILL
        let status = child.wait().unwrap();
        let mut out = String::new();
        child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut out)
            .unwrap();
        let mut err = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        assert!(
            err.is_empty(),
            "round {round} (seed {seed}): writer failed: {err}"
        );
        if status.code().is_none() {
            kills_mid_write += 1;
        }
        for line in out.lines() {
            let n: u64 = line
                .strip_prefix("saved ")
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("unexpected line {line:?}"));
            acknowledged.insert(n);
            next = next.max(n + 1);
        }
        // Leave room for saves that committed after the last line was printed.
        next += 1000;

        let store = Store::open_in(dir.path()).unwrap();
        assert_eq!(
            store.integrity_check().unwrap(),
            "ok",
            "round {round} (seed {seed})"
        );
        drop(store);
        let raw = rusqlite::Connection::open(dir.path().join(DB_FILE)).unwrap();
        let mut stmt = raw.prepare("SELECT name FROM requests").unwrap();
        let names: HashSet<u64> = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .unwrap()
            .map(|n| n.unwrap().trim_start_matches("save ").parse().unwrap())
            .collect();
        let missing: Vec<&u64> = acknowledged.difference(&names).collect();
        assert!(
            missing.is_empty(),
            "round {round} (seed {seed}): acknowledged saves lost: {missing:?}"
        );
        let orphans: i64 = raw
            .query_row(
                "SELECT count(*) FROM saved_messages m LEFT JOIN requests r ON r.id = m.request_id WHERE r.id IS NULL",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(orphans, 0, "round {round}: messages without their request");
    }
    assert_eq!(kills_mid_write, KILLS, "every round ended by SIGKILL");
    assert!(
        acknowledged.len() > 200,
        "the writer got to write: {}",
        acknowledged.len()
    );
    eprintln!(
        "{KILLS} SIGKILLs, {} acknowledged saves all present, integrity ok ({:.1} s, seed {seed})",
        acknowledged.len(),
        started.elapsed().as_secs_f64()
    );
}
