//! The OS credential store through the `keyring` crate. Every call runs on its own thread with a
//! deadline, so a credential store that hangs (a D-Bus activation that never answers, a locked
//! keychain waiting for a prompt) becomes an error instead of a frozen command. Error texts never
//! carry a secret (`keyring`'s `BadEncoding` holds the raw value; it is reported without it).

use std::sync::mpsc;
use std::time::Duration;

/// How long one credential store call may take.
const CALL_TIMEOUT: Duration = Duration::from_secs(8);
/// The probe's entry (written, read back and deleted).
const PROBE_ACCOUNT: &str = "sockpit-probe";

/// The OS store's name on this platform.
pub fn os_store_name() -> &'static str {
    if cfg!(target_os = "macos") {
        "Keychain"
    } else if cfg!(windows) {
        "Windows Credential Manager"
    } else {
        "Secret Service"
    }
}

fn describe(e: &keyring::Error) -> String {
    match e {
        keyring::Error::BadEncoding(_) => "the stored value is not UTF-8 text".into(),
        keyring::Error::PlatformFailure(inner) | keyring::Error::NoStorageAccess(inner) => {
            let s = inner.to_string();
            if s.is_empty() {
                e.to_string()
            } else {
                s
            }
        }
        other => other.to_string(),
    }
}

/// Runs `f` on a thread, giving up after [`CALL_TIMEOUT`].
fn call<T: Send + 'static>(
    what: &str,
    f: impl FnOnce() -> Result<T, String> + Send + 'static,
) -> Result<T, String> {
    let (tx, rx) = mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("sockpit-keyring".into())
        .spawn(move || {
            let _ = tx.send(f());
        });
    if let Err(e) = spawned {
        return Err(format!(
            "cannot start a thread for the credential store: {e}"
        ));
    }
    match rx.recv_timeout(CALL_TIMEOUT) {
        Ok(r) => r,
        Err(_) => Err(format!(
            "no answer to {what} within {} s",
            CALL_TIMEOUT.as_secs()
        )),
    }
}

fn entry(service: &str, account: &str) -> Result<keyring::Entry, String> {
    keyring::Entry::new(service, account).map_err(|e| describe(&e))
}

/// Writes, reads back and deletes a test entry; `Err` says why the store is not usable.
pub fn probe(service: &str) -> Result<(), String> {
    let service = service.to_string();
    call("the probe", move || {
        let e = entry(&service, PROBE_ACCOUNT)?;
        let token = format!("probe-{}", crate::template::uuid_v4());
        e.set_password(&token).map_err(|e| describe(&e))?;
        let back = e.get_password().map_err(|e| describe(&e))?;
        let _ = e.delete_credential();
        if back != token {
            return Err("a test entry read back differently than it was written".into());
        }
        Ok(())
    })
}

pub fn set(service: &str, account: &str, value: &str) -> Result<(), String> {
    let (service, account, value) = (service.to_string(), account.to_string(), value.to_string());
    call("storing a secret", move || {
        entry(&service, &account)?
            .set_password(&value)
            .map_err(|e| describe(&e))
    })
}

/// The value, `None` when the store has no such entry.
pub fn get(service: &str, account: &str) -> Result<Option<String>, String> {
    let (service, account) = (service.to_string(), account.to_string());
    call("reading a secret", move || {
        match entry(&service, &account)?.get_password() {
            Ok(v) => Ok(Some(v)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(describe(&e)),
        }
    })
}

pub fn delete(service: &str, account: &str) -> Result<(), String> {
    let (service, account) = (service.to_string(), account.to_string());
    call("deleting a secret", move || {
        match entry(&service, &account)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(describe(&e)),
        }
    })
}
