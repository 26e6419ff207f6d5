//! Who is calling: credentials in, an authenticated `Principal` out.
//!
//! Passwords are stored as argon2id hashes (OWASP parameters). Verifying one
//! costs tens of milliseconds of CPU, so it runs on the blocking pool behind a
//! semaphore sized to the cores, and a successful verification is remembered
//! as a keyed SHA-256 digest of the credentials: the next request from the
//! same client costs one hash, not one argon2 run. An unknown user is verified
//! against a dummy hash, so the two failure cases take the same time and get
//! the same fault.

pub mod jwt;
mod user_type;

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::Argon2;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

pub use user_type::{UnknownUserType, UserType};

use crate::catalog::{self, Catalog};
use crate::cpu::Cpu;

/// Why a caller could not be authenticated.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No `authHeader`, HTTP Basic or legacy header carried a user.
    #[error("no credentials")]
    NoCredentials,
    /// Unknown user or wrong password (deliberately indistinguishable).
    #[error("invalid username/password")]
    InvalidCredentials,
    /// The catalog failed while looking the user up.
    #[error(transparent)]
    Catalog(catalog::Error),
    /// The stored record is unusable (bad hash or user type).
    #[error("user record is corrupt: {0}")]
    CorruptRecord(String),
    /// The hashing task failed to run.
    #[error("password check could not run")]
    Hashing,
    /// The request's deadline passed while it waited for the catalog or a
    /// CPU to check the password.
    #[error(transparent)]
    Busy(#[from] crate::deadline::Busy),
}

impl From<catalog::Error> for Error {
    fn from(e: catalog::Error) -> Self {
        match e {
            catalog::Error::Busy(b) => Error::Busy(b),
            other => Error::Catalog(other),
        }
    }
}

/// A user name and password, from whichever place the request carried them.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// IPS login (an e-mail address).
    pub user: String,
    /// The password, as sent.
    pub password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the password, not even in a debug log.
        f.debug_struct("Credentials")
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

/// An authenticated caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    /// User row id.
    pub user_id: i64,
    /// Login e-mail as stored.
    pub email: String,
    /// The user's IPS user type.
    pub user_type: UserType,
    /// Ids of the companies the user belongs to.
    pub companies: Vec<i64>,
}

/// Hashes a password for storage (argon2id, random salt). Blocking and slow.
pub fn hash_password(password: &str) -> Result<String, Error> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|_| Error::Hashing)
}

/// Checks a password against a stored hash. Blocking and slow.
fn verify_password(password: &str, stored: &str) -> Result<bool, Error> {
    let parsed = PasswordHash::new(stored).map_err(|e| Error::CorruptRecord(e.to_string()))?;
    Ok(Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

/// A hash of a password nobody has, to verify unknown users against.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_password("no user has this password").unwrap_or_default())
}

struct Verified {
    digest: [u8; 32],
    principal: Principal,
}

/// Remembered verifications, and how many times they were all forgotten.
#[derive(Default)]
struct Cache {
    /// By lower-cased login.
    entries: HashMap<String, Verified>,
    /// Bumped by [`Authenticator::forget_all`]: a verification that began
    /// under an older generation read users that may be gone, so it is not
    /// remembered.
    generation: u64,
}

/// A caller's place among those verifying the same credentials; leaving
/// (done, failed or cancelled) removes the entry once nobody else holds it.
struct Verifying<'a> {
    auth: &'a Authenticator,
    digest: [u8; 32],
    lock: Arc<tokio::sync::Mutex<()>>,
}

impl<'a> Verifying<'a> {
    fn enter(auth: &'a Authenticator, digest: [u8; 32]) -> Self {
        let mut verifying = auth.verifying.lock().unwrap_or_else(PoisonError::into_inner);
        let lock = verifying.entry(digest).or_default().clone();
        Verifying { auth, digest, lock }
    }
}

impl Drop for Verifying<'_> {
    fn drop(&mut self) {
        let mut verifying = self.auth.verifying.lock().unwrap_or_else(PoisonError::into_inner);
        // The map and this caller hold the last two references: nobody
        // else waits for these credentials.
        if Arc::strong_count(&self.lock) <= 2 {
            verifying.remove(&self.digest);
        }
    }
}

/// Authenticates requests against the catalog's users.
pub struct Authenticator {
    catalog: Catalog,
    hashing: Cpu,
    key: [u8; 16],
    verified: Mutex<Cache>,
    /// One lock per (login, password) digest being verified: a burst of
    /// requests with the same new credentials runs argon2 once, the rest
    /// wait for it and find the result remembered.
    verifying: Mutex<HashMap<[u8; 32], Arc<tokio::sync::Mutex<()>>>>,
    /// Password checks run so far (argon2 verifications).
    checks: AtomicU64,
}

impl std::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authenticator").finish_non_exhaustive()
    }
}

impl Authenticator {
    /// An authenticator whose argon2 work runs within `hashing`.
    pub fn new(catalog: Catalog, hashing: Cpu) -> Self {
        // The digest key only has to be unpredictable to other processes;
        // std's per-process random hasher keys are enough for that.
        let mut key = [0u8; 16];
        for chunk in key.chunks_mut(8) {
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_u8(0);
            chunk.copy_from_slice(&h.finish().to_le_bytes());
        }
        Authenticator {
            catalog,
            hashing,
            key,
            verified: Mutex::new(Cache::default()),
            verifying: Mutex::new(HashMap::new()),
            checks: AtomicU64::new(0),
        }
    }

    /// Forgets every remembered verification (after the users changed),
    /// including any still being verified against the old users.
    pub fn forget_all(&self) {
        let mut cache = self.verified.lock().unwrap_or_else(PoisonError::into_inner);
        cache.entries.clear();
        cache.generation += 1;
    }

    /// `lower_user` is `creds.user` lower-cased (the cache key), computed once
    /// by the caller.
    fn digest(&self, creds: &Credentials, lower_user: &str) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(self.key);
        h.update((creds.user.len() as u64).to_le_bytes());
        h.update(lower_user.as_bytes());
        h.update(creds.password.as_bytes());
        h.finalize().into()
    }

    /// Authenticates `creds`.
    ///
    /// # Errors
    /// `NoCredentials` for `None`; `InvalidCredentials` for an unknown user or
    /// a wrong password alike; internal errors otherwise.
    pub async fn authenticate(&self, creds: Option<Credentials>) -> Result<Principal, Error> {
        let creds = creds.ok_or(Error::NoCredentials)?;
        let key = creds.user.to_lowercase();
        let digest = self.digest(&creds, &key);
        if let Some(hit) = self.remembered(&key, &digest) {
            return Ok(hit);
        }
        let entry = Verifying::enter(self, digest);
        let _turn = crate::deadline::wait(entry.lock.lock()).await?;
        match self.remembered(&key, &digest) {
            Some(hit) => Ok(hit),
            None => self.verify(creds, key, digest).await,
        }
    }

    /// Checks a REST facade client's secret against its stored hash, within
    /// the CPU budget; an unknown client (`None`) is checked against a dummy
    /// hash, so both failures take the same time and answer the same.
    pub async fn check_secret(&self, stored: Option<String>, secret: String) -> Result<bool, Error> {
        let known = stored.is_some();
        let stored = stored.unwrap_or_else(|| dummy_hash().to_owned());
        Ok(self.check(secret, stored).await? && known)
    }

    /// One argon2 check, counted, within the CPU budget.
    async fn check(&self, password: String, stored: String) -> Result<bool, Error> {
        self.checks.fetch_add(1, Ordering::Relaxed);
        self.hashing
            .run(move || verify_password(&password, &stored))
            .await
            .map_err(|e| match e {
                crate::cpu::Interrupted::Busy(b) => Error::Busy(b),
                crate::cpu::Interrupted::Failed => Error::Hashing,
            })?
    }

    /// How many password checks (argon2 runs) have been made.
    pub fn checks(&self) -> u64 {
        self.checks.load(Ordering::Relaxed)
    }

    /// The principal remembered for `key` with these credentials.
    fn remembered(&self, key: &str, digest: &[u8; 32]) -> Option<Principal> {
        let cache = self.verified.lock().unwrap_or_else(PoisonError::into_inner);
        cache
            .entries
            .get(key)
            .filter(|hit| bool::from(hit.digest.ct_eq(digest)))
            .map(|hit| hit.principal.clone())
    }

    /// Checks the credentials against the catalog (argon2) and remembers
    /// a success.
    async fn verify(&self, creds: Credentials, key: String, digest: [u8; 32]) -> Result<Principal, Error> {
        let generation = self.verified.lock().unwrap_or_else(PoisonError::into_inner).generation;
        let record = self.catalog.user_by_email(creds.user.clone()).await?;
        let stored = record
            .as_ref()
            .map_or_else(|| dummy_hash().to_owned(), |r| r.password_hash.clone());
        let matches = self.check(creds.password, stored).await?;
        let record = match record {
            Some(r) if matches => r,
            _ => return Err(Error::InvalidCredentials),
        };
        let user_type = record
            .user_type
            .parse::<UserType>()
            .map_err(|e| Error::CorruptRecord(e.to_string()))?;
        let principal = Principal {
            user_id: record.id,
            email: record.email,
            user_type,
            companies: record.companies,
        };
        let mut cache = self.verified.lock().unwrap_or_else(PoisonError::into_inner);
        // The users were replaced while this verification ran: its answer
        // stands for this request, but must not outlive it.
        if cache.generation == generation {
            cache.entries.insert(
                key,
                Verified {
                    digest,
                    principal: principal.clone(),
                },
            );
        }
        Ok(principal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{SeedCompany, SeedData, SeedUser};

    async fn authenticator() -> Authenticator {
        let (catalog, _worker) = Catalog::open_in_memory().expect("open");
        let seed = SeedData {
            companies: vec![SeedCompany {
                id: 6,
                name: "A".into(),
                root_path: "A/".into(),
                expires: None,
                folders: vec![],
                metadata_fields: Vec::new(),
            }],
            users: vec![SeedUser {
                email: "ipsuser@ips.test".into(),
                password_hash: hash_password("p&ss<1>]]>").expect("hash"),
                user_type: "IpsUser".into(),
                first_name: String::new(),
                last_name: String::new(),
                companies: vec![6],
            }],
            ..SeedData::default()
        };
        catalog.apply_seed(seed).await.expect("seed");
        Authenticator::new(catalog, Cpu::new(2))
    }

    fn creds(user: &str, password: &str) -> Option<Credentials> {
        Some(Credentials {
            user: user.into(),
            password: password.into(),
        })
    }

    #[tokio::test]
    async fn right_password_authenticates_and_is_remembered() {
        let auth = authenticator().await;
        let p = auth
            .authenticate(creds("ipsuser@ips.test", "p&ss<1>]]>"))
            .await
            .expect("ok");
        assert_eq!((p.user_type, p.companies.as_slice()), (UserType::IpsUser, &[6][..]));
        assert!(auth
            .verified
            .lock()
            .expect("lock")
            .entries
            .contains_key("ipsuser@ips.test"));
        let again = auth
            .authenticate(creds("IpsUser@ips.test", "p&ss<1>]]>"))
            .await
            .expect("ok");
        assert_eq!(again, p);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_burst_with_the_same_new_credentials_checks_the_password_once() {
        let auth = Arc::new(authenticator().await);
        let tasks: Vec<_> = (0..32)
            .map(|_| {
                let auth = auth.clone();
                tokio::spawn(async move { auth.authenticate(creds("ipsuser@ips.test", "p&ss<1>]]>")).await })
            })
            .collect();
        for t in tasks {
            t.await.expect("task").expect("authenticated");
        }
        assert_eq!(auth.checks(), 1);
        assert!(auth.verifying.lock().expect("lock").is_empty());
        // Wrong passwords are not remembered: each attempt is checked.
        for _ in 0..2 {
            let wrong = auth.authenticate(creds("ipsuser@ips.test", "nope")).await;
            assert!(matches!(wrong, Err(Error::InvalidCredentials)));
        }
        assert_eq!(auth.checks(), 3);
        // A caller that goes away mid-check leaves no entry behind.
        let gone = tokio::time::timeout(
            std::time::Duration::from_millis(1),
            auth.authenticate(creds("ipsuser@ips.test", "abandoned")),
        )
        .await;
        assert!(gone.is_err(), "the check should outlast 1 ms");
        assert!(auth.verifying.lock().expect("lock").is_empty());
    }

    #[tokio::test]
    async fn forgetting_drops_entries_and_verifications_in_flight() {
        let auth = authenticator().await;
        auth.authenticate(creds("ipsuser@ips.test", "p&ss<1>]]>"))
            .await
            .expect("ok");
        auth.forget_all();
        assert!(auth.verified.lock().expect("lock").entries.is_empty());
        // A verification that started before a forget_all (simulated by
        // moving the generation on after the lookup) is not remembered.
        let racing = auth.authenticate(creds("ipsuser@ips.test", "p&ss<1>]]>"));
        tokio::pin!(racing);
        // Poll once so the lookup starts, then forget everything.
        assert!(futures_poll_once(racing.as_mut()).await.is_none());
        auth.forget_all();
        racing.await.expect("still answers this request");
        assert!(auth.verified.lock().expect("lock").entries.is_empty());
    }

    /// Polls a future once; `Some` if it finished.
    async fn futures_poll_once<F: std::future::Future + Unpin>(mut f: F) -> Option<F::Output> {
        std::future::poll_fn(|cx| {
            std::task::Poll::Ready(match std::pin::Pin::new(&mut f).poll(cx) {
                std::task::Poll::Ready(v) => Some(v),
                std::task::Poll::Pending => None,
            })
        })
        .await
    }

    #[tokio::test]
    async fn wrong_password_and_unknown_user_fail_alike() {
        let auth = authenticator().await;
        auth.authenticate(creds("ipsuser@ips.test", "p&ss<1>]]>"))
            .await
            .expect("prime the cache");
        for (u, p) in [
            ("ipsuser@ips.test", "wrong"),
            ("ipsuser@ips.test", "p&ss<1>]]> "),
            ("nobody@ips.test", "p&ss<1>]]>"),
            ("", ""),
        ] {
            let err = auth.authenticate(creds(u, p)).await.expect_err("refused");
            assert!(matches!(err, Error::InvalidCredentials), "{u}/{p}: {err:?}");
        }
        assert!(matches!(auth.authenticate(None).await, Err(Error::NoCredentials)));
    }

    #[test]
    fn hashes_are_argon2id_with_owasp_parameters() {
        let h = hash_password("x").expect("hash");
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify_password("x", &h).expect("verify"));
        assert!(!verify_password("y", &h).expect("verify"));
        assert!(format!(
            "{:?}",
            Credentials {
                user: "u".into(),
                password: "secret".into()
            }
        )
        .find("secret")
        .is_none());
    }
}
