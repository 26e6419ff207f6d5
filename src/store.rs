//! Image bytes, content-addressed by their SHA-256.
//!
//! The store owns the `store/` directory under the data dir (or a map in
//! memory with `--in-memory`). A blob is written as a temp file, fsynced, and
//! renamed into place, then the directory is fsynced: after `put` returns, the
//! bytes survive a crash, so the catalog may commit a row that names them.
//! Identical bytes are stored once; `copyImage` with no modifier only adds a
//! row that names the same blob. This module knows nothing of assets.

use std::collections::{HashMap, HashSet};
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use sha2::{Digest, Sha256};

/// Store failures. All of them are server-side faults.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading or writing a blob failed.
    #[error("store i/o on {what}: {source}")]
    Io {
        /// Which step failed (never a full path: these reach logs only).
        what: &'static str,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// A blob the catalog names is not in the store.
    #[error("blob {0} is missing from the store")]
    Missing(String),
}

impl Error {
    /// Whether this says that the blob `hash` was gone when read: a
    /// concurrent replacement or deletion released it after the caller read
    /// the row naming it, and reading the row again finds what replaced it.
    pub fn is_missing(&self, hash: &str) -> bool {
        matches!(self, Error::Missing(h) if h == hash)
    }
}

fn io_err(what: &'static str) -> impl FnOnce(io::Error) -> Error {
    move |source| Error::Io { what, source }
}

/// The hex SHA-256 of `bytes`: the blob's key.
pub fn content_hash(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut hex = String::with_capacity(64);
    for b in digest.iter() {
        hex.push_str(&format!("{b:02x}"));
    }
    hex
}

/// A handle to the blob store; cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    inner: Arc<Backend>,
    /// Blobs a request is about to name (see [`Store::pin`]), with counts.
    pins: Arc<Mutex<HashMap<String, usize>>>,
}

/// Keeps a blob from [`Store::remove_unpinned`] while it lives.
#[derive(Debug)]
pub struct Pin {
    hash: String,
    pins: Arc<Mutex<HashMap<String, usize>>>,
}

impl Drop for Pin {
    fn drop(&mut self) {
        let mut pins = self.pins.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(n) = pins.get_mut(&self.hash) {
            *n -= 1;
            if *n == 0 {
                pins.remove(&self.hash);
            }
        }
    }
}

#[derive(Debug)]
enum Backend {
    Disk {
        root: PathBuf,
        tmp_seq: AtomicU64,
        /// This opening's start time in nanoseconds, in temp file names.
        tmp_tag: u128,
        /// Shards whose entry in the root this process has made durable:
        /// until then every writer to a shard fsyncs the root itself, so
        /// none returns before the shard it wrote into survives an OS
        /// crash (whoever created the directory).
        durable_shards: Mutex<HashSet<String>>,
        /// When other instances share the directory: how old an unnamed
        /// file (or temp file) must be before this one removes it, since a
        /// younger one may be another instance's upload whose row is not
        /// committed yet. `None`: this process is the only one.
        grace: Option<Duration>,
    },
    Memory(Mutex<HashMap<String, Arc<[u8]>>>),
}

impl Store {
    /// Opens (creating if needed) the store under `root`, and removes temp
    /// files a crash may have left behind: they were never named by a row.
    pub fn open_dir(root: &Path) -> Result<Self, Error> {
        Self::open(root, None)
    }

    /// Opens a store directory other instances share (on one host, or a
    /// network file system): files younger than `grace` are never removed
    /// (see [`Store::remove_unpinned`]).
    pub fn open_shared_dir(root: &Path, grace: Duration) -> Result<Self, Error> {
        Self::open(root, Some(grace))
    }

    fn open(root: &Path, grace: Option<Duration>) -> Result<Self, Error> {
        fs::create_dir_all(root.join("tmp")).map_err(io_err("create store dir"))?;
        for entry in fs::read_dir(root.join("tmp")).map_err(io_err("list tmp dir"))? {
            let entry = entry.map_err(io_err("list tmp dir"))?;
            if !older_than(&entry.path(), grace) {
                continue;
            }
            match fs::remove_file(entry.path()) {
                // Another instance finished or removed it meanwhile.
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                other => other.map_err(io_err("remove stale temp file"))?,
            }
        }
        Ok(Store {
            inner: Arc::new(Backend::Disk {
                root: root.to_owned(),
                tmp_seq: AtomicU64::new(0),
                tmp_tag: std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_nanos()),
                durable_shards: Mutex::default(),
                grace,
            }),
            pins: Arc::default(),
        })
    }

    /// Where the store keeps its files (`files`, `memory`), once it has
    /// checked it can reach them: `/_emulator/health`'s check.
    pub fn probe(&self) -> Result<&'static str, Error> {
        match &*self.inner {
            Backend::Disk { root, .. } => {
                fs::read_dir(root.join("tmp")).map_err(io_err("list tmp dir"))?;
                Ok("files")
            }
            Backend::Memory(_) => Ok("memory"),
        }
    }

    /// A store that keeps everything in memory.
    pub fn in_memory() -> Self {
        Store {
            inner: Arc::new(Backend::Memory(Mutex::new(HashMap::new()))),
            pins: Arc::default(),
        }
    }

    /// Stores `bytes` durably and returns their content hash. Blocking.
    pub fn put(&self, bytes: &[u8]) -> Result<String, Error> {
        let hash = content_hash(bytes);
        match &*self.inner {
            Backend::Memory(map) => {
                let mut map = map.lock().unwrap_or_else(PoisonError::into_inner);
                map.entry(hash.clone()).or_insert_with(|| bytes.into());
            }
            Backend::Disk {
                root,
                tmp_seq,
                tmp_tag,
                durable_shards,
                grace,
            } => {
                let dest = blob_path(root, &hash);
                // In a shared directory an existing file is made young
                // again, so no other instance's sweep takes it before this
                // one's row names it.
                let kept = match grace {
                    Some(_) => touch(&dest),
                    None => dest.is_file(),
                };
                if !kept {
                    let seq = tmp_seq.fetch_add(1, Ordering::Relaxed);
                    // Instances on other hosts may share the directory
                    // and the process id (a container's 1): the name also
                    // carries this store's start time.
                    let tmp = root
                        .join("tmp")
                        .join(format!("{}-{}-{seq}", std::process::id(), tmp_tag));
                    let written = write_durably(&tmp, &dest, bytes, durable_shards);
                    if written.is_err() {
                        // Best effort: the temp file is never named by a row,
                        // and start-up sweeps the directory anyway.
                        let _ = fs::remove_file(&tmp);
                    }
                    written?;
                }
            }
        }
        Ok(hash)
    }

    /// Marks a blob as about to be named by a row: until the returned guard
    /// is dropped, [`Store::remove_unpinned`] leaves it alone. Take the pin
    /// before [`Store::put`], so that a blob that exists when `put` looks is
    /// still there when the row is written.
    pub fn pin(&self, hash: &str) -> Pin {
        *self
            .pins
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(hash.to_owned())
            .or_default() += 1;
        Pin {
            hash: hash.to_owned(),
            pins: self.pins.clone(),
        }
    }

    /// Removes a blob unless it is pinned; says whether it did. Blocking.
    pub fn remove_unpinned(&self, hash: &str) -> Result<bool, Error> {
        let pins = self.pins.lock().unwrap_or_else(PoisonError::into_inner);
        if pins.contains_key(hash) {
            return Ok(false);
        }
        if let Backend::Disk { root, grace, .. } = &*self.inner {
            if !older_than(&blob_path(root, hash), *grace) {
                return Ok(false);
            }
        }
        // Holding the lock across the removal keeps a new pin (and the put
        // after it) from slipping in between the check and the unlink.
        self.remove(hash).map(|()| true)
    }

    /// Reads a blob. Blocking.
    pub fn get(&self, hash: &str) -> Result<Arc<[u8]>, Error> {
        match &*self.inner {
            Backend::Memory(map) => map
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .get(hash)
                .cloned()
                .ok_or_else(|| Error::Missing(hash.to_owned())),
            Backend::Disk { root, .. } => match fs::read(blob_path(root, hash)) {
                Ok(bytes) => Ok(bytes.into()),
                Err(e) if e.kind() == io::ErrorKind::NotFound => Err(Error::Missing(hash.to_owned())),
                Err(e) => Err(io_err("read blob")(e)),
            },
        }
    }

    /// Whether the blob is present. Blocking (a `stat`). In a shared
    /// directory the file is made young again, as by [`Store::put`]: the
    /// caller is about to name it (a copy sharing its source's bytes), and
    /// another instance must not sweep it before that row commits.
    pub fn contains(&self, hash: &str) -> bool {
        match &*self.inner {
            Backend::Memory(map) => map.lock().unwrap_or_else(PoisonError::into_inner).contains_key(hash),
            Backend::Disk { root, grace: None, .. } => blob_path(root, hash).is_file(),
            Backend::Disk { root, .. } => touch(&blob_path(root, hash)),
        }
    }

    /// Removes a blob no row names any more. Blocking. Removing a blob that is
    /// already gone is not an error.
    pub fn remove(&self, hash: &str) -> Result<(), Error> {
        match &*self.inner {
            Backend::Memory(map) => {
                map.lock().unwrap_or_else(PoisonError::into_inner).remove(hash);
                Ok(())
            }
            Backend::Disk { root, .. } => match fs::remove_file(blob_path(root, hash)) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => Err(io_err("remove blob")(e)),
                _ => Ok(()),
            },
        }
    }

    /// Every blob hash in the store, sorted. Blocking; for start-up checks
    /// and tests.
    pub fn list(&self) -> Result<Vec<String>, Error> {
        let mut hashes = match &*self.inner {
            Backend::Memory(map) => map
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .keys()
                .cloned()
                .collect(),
            Backend::Disk { root, .. } => {
                let mut found = Vec::new();
                for shard in fs::read_dir(root).map_err(io_err("list store"))? {
                    let shard = shard.map_err(io_err("list store"))?;
                    let name = shard.file_name();
                    if name == "tmp" || !shard.path().is_dir() {
                        continue;
                    }
                    for blob in fs::read_dir(shard.path()).map_err(io_err("list shard"))? {
                        let blob = blob.map_err(io_err("list shard"))?;
                        if let Some(hash) = blob.file_name().to_str() {
                            found.push(hash.to_owned());
                        }
                    }
                }
                found
            }
        };
        hashes.sort();
        Ok(hashes)
    }
}

/// Sets the file's modification time to now; says whether the file exists.
fn touch(path: &Path) -> bool {
    File::options()
        .write(true)
        .open(path)
        .and_then(|f| f.set_modified(std::time::SystemTime::now()))
        .is_ok()
}

/// Whether the file at `path` was last written longer than `grace` ago
/// (always, without a grace period; never, when its age cannot be read).
fn older_than(path: &Path, grace: Option<Duration>) -> bool {
    let Some(grace) = grace else {
        return true;
    };
    fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|at| at.elapsed().ok())
        .is_some_and(|age| age >= grace)
}

/// `store/ab/abcdef…`: two-hex-digit shards keep directories small.
fn blob_path(root: &Path, hash: &str) -> PathBuf {
    let shard = hash.get(..2).unwrap_or("00");
    root.join(shard).join(hash)
}

fn write_durably(tmp: &Path, dest: &Path, bytes: &[u8], durable_shards: &Mutex<HashSet<String>>) -> Result<(), Error> {
    // A fresh name: never truncate a file another writer has open.
    let mut file = File::options()
        .write(true)
        .create_new(true)
        .open(tmp)
        .map_err(io_err("create temp file"))?;
    file.write_all(bytes).map_err(io_err("write temp file"))?;
    file.sync_all().map_err(io_err("fsync temp file"))?;
    drop(file);
    let shard = dest.parent().ok_or_else(|| Error::Missing(String::new()))?;
    let name = shard
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let known = durable_shards
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .contains(&name);
    if !known {
        fs::create_dir_all(shard).map_err(io_err("create shard dir"))?;
        // The shard's entry lives in the store's root: without this, an OS
        // crash could lose a new shard, and the blob with it, after a row
        // already names the blob.
        if let Some(root) = shard.parent() {
            File::open(root)
                .and_then(|dir| dir.sync_all())
                .map_err(io_err("fsync store dir"))?;
        }
        durable_shards
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(name);
    }
    fs::rename(tmp, dest).map_err(io_err("rename blob into place"))?;
    File::open(shard)
        .and_then(|dir| dir.sync_all())
        .map_err(io_err("fsync shard dir"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn both() -> Vec<(Store, Option<tempfile::TempDir>)> {
        let dir = tempfile::tempdir().expect("tempdir");
        let disk = Store::open_dir(dir.path()).expect("open");
        vec![(Store::in_memory(), None), (disk, Some(dir))]
    }

    #[test]
    fn a_shared_store_keeps_young_files_another_instance_may_be_naming() {
        let dir = tempfile::tempdir().expect("tempdir");
        fs::create_dir_all(dir.path().join("tmp")).expect("mkdir");
        fs::write(dir.path().join("tmp").join("77-0"), b"another instance's upload").expect("write");
        let shared = Store::open_shared_dir(dir.path(), Duration::from_secs(3600)).expect("open");
        assert_eq!(
            fs::read_dir(dir.path().join("tmp")).expect("tmp").count(),
            1,
            "a young temp file stays"
        );
        let hash = shared.put(b"bytes").expect("put");
        assert!(!shared.remove_unpinned(&hash).expect("remove"), "a young blob stays");
        assert!(shared.contains(&hash));
        let alone = Store::open_dir(dir.path()).expect("open");
        assert!(
            alone.remove_unpinned(&hash).expect("remove"),
            "alone, the same blob goes"
        );
        assert!(!alone.contains(&hash));
        assert_eq!(fs::read_dir(dir.path().join("tmp")).expect("tmp").count(), 0);
    }

    #[test]
    fn pinned_blobs_survive_remove_unpinned() {
        let store = Store::in_memory();
        let hash = store.put(b"rendered").expect("put");
        let pin = store.pin(&hash);
        let second = store.pin(&hash);
        store.remove_unpinned(&hash).expect("remove");
        assert!(store.contains(&hash), "pinned twice");
        drop(pin);
        store.remove_unpinned(&hash).expect("remove");
        assert!(store.contains(&hash), "still pinned once");
        drop(second);
        store.remove_unpinned(&hash).expect("remove");
        assert!(!store.contains(&hash));
    }

    #[test]
    fn put_get_remove_round_trip() {
        for (store, _dir) in both() {
            let hash = store.put(b"pixels").expect("put");
            assert_eq!(hash, content_hash(b"pixels"));
            assert_eq!(&*store.get(&hash).expect("get"), b"pixels");
            assert_eq!(store.put(b"pixels").expect("put again"), hash, "same bytes, same blob");
            assert_eq!(store.list().expect("list"), vec![hash.clone()]);
            store.remove(&hash).expect("remove");
            assert!(!store.contains(&hash));
            assert!(matches!(store.get(&hash), Err(Error::Missing(_))));
            store.remove(&hash).expect("removing twice is fine");
        }
    }

    #[test]
    fn failed_write_leaves_no_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open_dir(dir.path()).expect("open");
        let hash = content_hash(b"blocked");
        // A non-empty directory where the blob should go makes the rename fail.
        let dest = blob_path(dir.path(), &hash);
        fs::create_dir_all(dest.join("occupied")).expect("mkdir");
        assert!(store.put(b"blocked").is_err());
        assert_eq!(fs::read_dir(dir.path().join("tmp")).expect("tmp").count(), 0);
    }

    #[test]
    fn open_sweeps_stale_temp_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        fs::create_dir_all(dir.path().join("tmp")).expect("mkdir");
        fs::write(dir.path().join("tmp").join("123-0"), b"half").expect("write");
        Store::open_dir(dir.path()).expect("open");
        assert_eq!(fs::read_dir(dir.path().join("tmp")).expect("tmp").count(), 0);
    }
}
