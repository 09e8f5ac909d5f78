//! An in-memory OS credential store for the command tests, installed through keyring's builder
//! hook: entries live in a process-wide map, and every call can be made to stall.

use std::any::Any;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use keyring::credential::{Credential, CredentialApi, CredentialBuilderApi};

/// Values by (service, account).
type Entries = HashMap<(String, String), Vec<u8>>;

fn map() -> &'static Mutex<Entries> {
    static M: OnceLock<Mutex<Entries>> = OnceLock::new();
    M.get_or_init(Default::default)
}

fn entries() -> std::sync::MutexGuard<'static, Entries> {
    map().lock().unwrap_or_else(|p| p.into_inner())
}

/// Every value stored now (not every test file asks).
#[allow(dead_code)]
pub fn values() -> Vec<String> {
    entries()
        .values()
        .map(|v| String::from_utf8_lossy(v).into_owned())
        .collect()
}

struct Builder {
    stall: Duration,
}

struct Entry {
    key: (String, String),
    stall: Duration,
}

impl CredentialApi for Entry {
    fn set_secret(&self, secret: &[u8]) -> keyring::Result<()> {
        std::thread::sleep(self.stall);
        entries().insert(self.key.clone(), secret.to_vec());
        Ok(())
    }

    fn get_secret(&self) -> keyring::Result<Vec<u8>> {
        std::thread::sleep(self.stall);
        entries()
            .get(&self.key)
            .cloned()
            .ok_or(keyring::Error::NoEntry)
    }

    fn delete_credential(&self) -> keyring::Result<()> {
        std::thread::sleep(self.stall);
        entries()
            .remove(&self.key)
            .map(|_| ())
            .ok_or(keyring::Error::NoEntry)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

impl CredentialBuilderApi for Builder {
    fn build(
        &self,
        _target: Option<&str>,
        service: &str,
        user: &str,
    ) -> keyring::Result<Box<Credential>> {
        Ok(Box::new(Entry {
            key: (service.to_string(), user.to_string()),
            stall: self.stall,
        }))
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// Makes the in-memory store the OS credential store of this process, each call taking `stall`.
pub fn install(stall: Duration) {
    keyring::set_default_credential_builder(Box::new(Builder { stall }));
}
