//! The catalog: companies, users, folders and assets in SQLite, and the
//! REST facades' own rows over them (`kameleoon`, `sharinpix`).
//!
//! This is the only module that contains SQL or names rusqlite. One worker
//! thread owns the connection; callers send it jobs and await the answer, so
//! no SQLite call ever runs on the async runtime. The worker drains the queue
//! in batches: the batch commits once, and only then are the answers
//! released. A caller therefore never hears of a write that is not committed,
//! and a burst of writes costs one commit. A job that fails leaves nothing
//! behind: a general job runs in its own savepoint, rolled back if it fails;
//! a job that writes with at most one statement, as its last step (a copy),
//! needs none, since SQLite undoes a failed statement by itself. The handle
//! counters live in the worker during a batch and are written back once,
//! just before the commit.

/// The columns `queries::asset_from_row` reads, as a literal so that whole
/// queries can be built with `concat!` rather than formatted on every call.
macro_rules! asset_columns {
    () => {
        "a.id, a.type_code, a.type_record_id, a.asset_type, a.company_id, f.path,
         a.name, a.width, a.height, a.format, a.byte_size, a.content_hash, a.url_modifier, a.url_post_modifier,
         a.trashed_at IS NOT NULL"
    };
}

mod assets;
mod cdn;
mod counters;
mod db;
mod folders;
mod image_fields;
mod job_leases;
mod job_model;
mod jobs;
mod kameleoon;
mod meta_conditions;
mod metadata;
mod model;
mod pg;
mod pg_schema;
mod pg_sql;
mod property_sets;
mod publish;
mod queries;
mod search;
mod sets;
mod sharinpix;
mod sharinpix_seed;
mod sharinpix_write;
mod trash;
mod upload_jobs;
mod worker;

use std::panic::{self, AssertUnwindSafe};
use std::path::Path;
use std::thread;

use db::Conn;
use tokio::sync::{mpsc, oneshot};
use worker::{run_worker, Deliver, Isolation, Job, Outcome, Run, Tx};

use crate::deadline;

pub use cdn::CdnInvalidation;
pub use folders::{CompanyRecord, FolderRow, UserProfile};
pub use image_fields::{ImageExtras, ImageFieldUpdate, ImageMap, ImageMapDef, Part, ZoomTarget, ZoomTargetDef};
pub use job_leases::JOB_LEASE;
pub use job_model::{
    log_stem, DetailQuery, DetailRow, JobCounts, JobEnd, JobFilter, JobRow, JobState, LogQuery, NewDetail, NewJob,
    LOG_SORT_COLUMNS,
};
pub use kameleoon::{
    KameleoonClient, KameleoonClone, KameleoonImage, KameleoonNewImage, KameleoonSeed, KameleoonUpload,
    SeedKameleoonClient, SeedKameleoonImage, SeedKameleoonSite,
};
pub use meta_conditions::{CompareOp, MetaCondition, MetaKey, MetaTest, Operand, SystemKey};
pub use metadata::{
    FieldChange, FieldKey, FieldWrite, MetadataField, MetadataValue, StoredValue, ValueWrite, ASSET_TYPES, FIELD_TYPES,
};
pub use model::{
    Asset, AssetDetail, CopyAsset, NewContent, SeedAsset, SeedCompany, SeedData, SeedUser, SetInfo, UserRecord,
};
pub use property_sets::{NewPropertySet, Owner, PropertySet, PropertySetSeed, PropertySetType};
pub use search::{AssetCondition, NumberOp, SearchQuery, SortField, TextField, TextOp, TrashFilter};
pub use sets::{Associated, NewDerived, NewSet, Related, RelatedProblem, SetChange, THUMB_TYPES};
pub use sharinpix::{SharinPixAlbum, SharinPixImage, SharinPixSecret};
pub use sharinpix_seed::{SeedSharinPixAlbum, SeedSharinPixImage, SeedSharinPixOrg, SharinPixSeed};
pub use sharinpix_write::{
    AlbumTarget, NewImageSource, SharinPixCopy, SharinPixImport, SharinPixNewImage, SharinPixUpload,
};

/// Catalog failures. The first group is internal; the second names the
/// business rule a request broke, for `ips` to turn into the right fault.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The database failed (SQLite, or PostgreSQL in SQLite's terms).
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The worker thread is gone (shutting down).
    #[error("the catalog is closed")]
    Closed,
    /// The request's deadline passed before its job started; nothing ran.
    #[error(transparent)]
    Busy(#[from] crate::deadline::Busy),
    /// A job panicked; its savepoint was rolled back.
    #[error("a catalog job panicked")]
    Panicked,
    /// The batch holding this job failed to commit; nothing it wrote stayed.
    #[error("commit failed: {0}")]
    CommitFailed(String),
    /// The database's schema is not one this build can use.
    #[error("catalog schema: {0}")]
    Schema(String),
    /// Seed data contradicts itself.
    #[error("invalid seed: {0}")]
    InvalidSeed(String),
    /// No company with that id.
    #[error("company not found")]
    CompanyNotFound,
    /// No asset with that handle in the company.
    #[error("asset not found")]
    AssetNotFound,
    /// The asset is in the trash, where only restoring or emptying it may
    /// change it.
    #[error("asset is in the trash")]
    AssetInTrash,
    /// A trash operation named an asset that is not in the trash.
    #[error("asset is not in the trash")]
    AssetNotInTrash,
    /// The asset exists but is not an Image.
    #[error("asset is a {0}, not an Image")]
    NotAnImage(String),
    /// No folder with that path in the company (or, creating one, no
    /// folder at its parent's path).
    #[error("folder not found")]
    FolderNotFound,
    /// The company already has a folder at that path.
    #[error("folder already exists")]
    FolderExists,
    /// The company's root folder cannot be deleted or renamed.
    #[error("the company root folder cannot be changed")]
    RootFolder,
    /// The asset is of another type than the operation works on.
    #[error("asset is a {found}, not {wanted}")]
    WrongType {
        /// Its type.
        found: String,
        /// What the operation wanted, with its article (`an ImageSet`).
        wanted: &'static str,
    },
    /// An asset a set, thumbnail or derived asset would name cannot be named.
    #[error("related asset refused: {0:?}")]
    Related(Related),
    /// The company already has an asset with that name.
    #[error("name already in use")]
    NameInUse,
    /// No metadata field by that name for that asset type in the company.
    #[error("metadata field not found")]
    MetadataFieldNotFound,
    /// The company already has a field by that name for that asset type.
    #[error("metadata field already exists")]
    MetadataFieldExists,
    /// The field applies to another asset type (the field's, the asset's).
    #[error("the metadata field is for {0} assets, not {1}")]
    MetadataFieldNotForType(String, String),
    /// The company has as many fields as it may.
    #[error("a company may have at most {0} metadata fields")]
    TooManyMetadataFields(i64),
    /// The source's bytes are not in the store.
    #[error("the source asset's bytes are missing from the store")]
    BlobMissing,
    /// The asset's bytes changed since the caller read them (a concurrent
    /// replacement), so a change computed from them would lose that one.
    #[error("the asset's bytes changed meanwhile")]
    ContentChanged,
    /// No job with that handle in the company.
    #[error("job not found")]
    JobNotFound,
    /// No zoom target or image map with that handle in the company (or
    /// not the image's).
    #[error("{0:?} not found")]
    PartNotFound(Part),
    /// The image has as many zoom targets or image maps as it may.
    #[error("an image may have at most {1} of {0:?}")]
    TooManyParts(Part, i64),
    /// A thumbnail asset that cannot be one, and why.
    #[error("thumbnail asset: {0}")]
    Thumbnail(Box<Error>),
    /// An upload request broke a rule; nothing of it was written.
    #[error("upload refused: {0:?}")]
    Upload(UploadRefusal),
}

/// A handle to the catalog; cheap to clone.
#[derive(Clone, Debug)]
pub struct Catalog {
    jobs: mpsc::Sender<Job>,
    /// This opening's name among the instances sharing the database: the
    /// runner its jobs are leased to.
    instance: std::sync::Arc<str>,
    /// Whether other instances may share the database (PostgreSQL).
    shared: bool,
}

/// Joins the worker thread once every `Catalog` handle is dropped, so the
/// database is closed (and the WAL checkpointed) before the process exits.
#[derive(Debug)]
pub struct Worker(thread::JoinHandle<()>);

impl Worker {
    /// Blocks until the worker has closed the database.
    pub fn join(self) {
        // A panicking worker already reported itself; nothing more to do.
        let _ = self.0.join();
    }
}

impl Catalog {
    fn new(jobs: mpsc::Sender<Job>, shared: bool) -> Catalog {
        static OPENED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let n = OPENED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Catalog {
            jobs,
            instance: format!("{}-{nanos:x}-{n}", std::process::id()).into(),
            shared,
        }
    }

    /// Whether other instances may share this catalog's database.
    pub fn is_shared(&self) -> bool {
        self.shared
    }

    /// Opens (creating if needed) the catalog file in WAL mode.
    pub fn open(path: &Path) -> Result<(Catalog, Worker), Error> {
        let conn = rusqlite::Connection::open(path)?;
        // WAL lets readers proceed during a write; NORMAL sync keeps every
        // commit across an application crash (only an OS crash may lose the
        // last ones), which is the durability an emulator needs.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        Self::start(conn)
    }

    /// A catalog that lives in memory only.
    pub fn open_in_memory() -> Result<(Catalog, Worker), Error> {
        Self::start(rusqlite::Connection::open_in_memory()?)
    }

    /// Opens a catalog on PostgreSQL (`postgres://…`), applying the schema
    /// if this version of it is not there yet. Any number of instances may
    /// open the same database.
    pub fn open_postgres(url: &str) -> Result<(Catalog, Worker), Error> {
        let (tx, rx) = mpsc::channel(4096);
        let (opened, is_open) = std::sync::mpsc::channel();
        let url = url.to_owned();
        // The blocking client must live off the async runtime: connect on
        // the worker's own thread.
        let handle = thread::Builder::new()
            .name("catalog".into())
            .spawn(move || match pg_schema::connect(&url) {
                Ok(pg) => {
                    let _ = opened.send(Ok(()));
                    run_worker(Conn::Pg(Box::new(std::cell::RefCell::new(pg))), rx);
                }
                Err(e) => {
                    let _ = opened.send(Err(e));
                }
            })
            .map_err(|_| Error::Closed)?;
        is_open.recv().map_err(|_| Error::Closed)??;
        Ok((Catalog::new(tx, true), Worker(handle)))
    }

    fn start(conn: rusqlite::Connection) -> Result<(Catalog, Worker), Error> {
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // Without the query planner stability guarantee, SQLite (built with
        // STAT4) marks parameters the planner looked at, and rusqlite's
        // statement cache clears the bindings of every statement it takes
        // back: together they expire the statement, so a cached statement was
        // parsed and planned afresh on every use. Every query here is keyed
        // by primary or unique keys, whose plan no bound value can improve.
        conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
        conn.execute_batch(include_str!("schema.sql"))?;
        conn.execute_batch(include_str!("kameleoon.sql"))?;
        conn.execute_batch(include_str!("sharinpix.sql"))?;
        conn.execute_batch(include_str!("metadata.sql"))?;
        conn.execute_batch(include_str!("image_fields.sql"))?;
        let conn = Conn::Lite(conn);
        queries::migrate(&conn)?;
        let (tx, rx) = mpsc::channel(4096);
        let handle = thread::Builder::new()
            .name("catalog".into())
            .spawn(move || run_worker(conn, rx))
            .map_err(|_| Error::Closed)?;
        Ok((Catalog::new(tx, false), Worker(handle)))
    }

    /// Runs `f` on the worker inside a savepoint. An `Err` rolls back what `f`
    /// wrote; an `Ok` is answered only after the batch commits.
    async fn call<T, F>(&self, f: F) -> Result<T, Error>
    where
        T: Send + 'static,
        F: FnOnce(&mut Tx<'_>) -> Result<T, Error> + Send + 'static,
    {
        self.submit(Isolation::Savepoint, f).await
    }

    /// Runs `f` on the worker without a savepoint. `f` must write with at
    /// most one statement, as its last step, so that an `Err` leaves nothing
    /// behind; an `Ok` is answered only after the batch commits.
    async fn call_single_statement<T, F>(&self, f: F) -> Result<T, Error>
    where
        T: Send + 'static,
        F: FnOnce(&mut Tx<'_>) -> Result<T, Error> + Send + 'static,
    {
        self.submit(Isolation::SingleStatement, f).await
    }

    async fn submit<T, F>(&self, isolation: Isolation, f: F) -> Result<T, Error>
    where
        T: Send + 'static,
        F: FnOnce(&mut Tx<'_>) -> Result<T, Error> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        let until = deadline::until();
        let run: Run = Box::new(move |t: &mut Tx<'_>| {
            // A job that queued longer than its caller's patience is not
            // run: its caller is answered "busy", which must mean nothing
            // was done. Once started, a job runs to its end.
            let result = if deadline::passed(until) {
                Ok(Err(Error::Busy(deadline::Busy)))
            } else {
                panic::catch_unwind(AssertUnwindSafe(|| f(t)))
            };
            let (outcome, result) = match result {
                Ok(Ok(v)) => (Outcome::Done, Ok(v)),
                Ok(Err(e)) => (Outcome::Failed, Err(e)),
                Err(_) => (Outcome::Panicked, Err(Error::Panicked)),
            };
            let deliver: Deliver = Box::new(move |committed| {
                let answer = match committed {
                    Ok(()) => result,
                    Err(msg) => Err(Error::CommitFailed(msg)),
                };
                // The caller may have gone away (client disconnected).
                let _ = tx.send(answer);
            });
            (outcome, deliver)
        });
        deadline::wait(self.jobs.send(Job { isolation, run }))
            .await?
            .map_err(|_| Error::Closed)?;
        rx.await.map_err(|_| Error::Closed)?
    }

    /// Whether the catalog holds no company at all (so a seed may be applied).
    pub async fn is_empty(&self) -> Result<bool, Error> {
        self.call_single_statement(|t| queries::is_empty(t.conn)).await
    }

    /// Loads `seed` into an empty catalog, all or nothing; says whether it
    /// did. A catalog that is not empty (another instance sharing it seeded
    /// it first) is left as it is.
    pub async fn apply_seed(&self, seed: SeedData) -> Result<bool, Error> {
        self.call(move |t| {
            // Instances starting together on an empty shared catalog: one
            // seeds it, the others wait here and then find it seeded.
            t.conn.lock_ids()?;
            if !queries::is_empty(t.conn)? {
                return Ok(false);
            }
            queries::apply_seed(t, &seed).map(|()| true)
        })
        .await
    }

    /// Looks a user up by login e-mail (case-insensitively).
    pub async fn user_by_email(&self, email: String) -> Result<Option<UserRecord>, Error> {
        self.call_single_statement(move |t| queries::user_by_email(t.conn, &email))
            .await
    }

    /// Copies an asset's catalog entry under a new name, sharing its bytes.
    ///
    /// `blob_present` is asked, inside the transaction, whether the source's
    /// bytes are still in the store, so a row is never added for bytes that
    /// are gone.
    pub async fn copy_asset<P>(&self, req: CopyAsset, blob_present: P) -> Result<Asset, Error>
    where
        P: FnOnce(&str) -> bool + Send + 'static,
    {
        self.call_single_statement(move |t| queries::copy_asset(t, &req, blob_present))
            .await
    }

    /// Removes a blob from the store (through `remove`) unless some asset
    /// names it. Runs on the worker, so no copy naming the blob can commit
    /// between the check and the removal; the removal itself waits for the
    /// batch's commit, since a failed commit would bring back a deleted row
    /// that names the blob.
    pub async fn release_blob<R>(&self, hash: String, remove: R) -> Result<(), Error>
    where
        R: FnOnce(&str) + Send + 'static,
    {
        self.call(move |t| {
            // A set names no bytes: its empty key is no stored file.
            if !hash.is_empty() && !queries::blob_referenced(t.conn, &hash)? {
                t.after_commit.push(Box::new(move || remove(&hash)));
            }
            Ok(())
        })
        .await
    }

    /// Fetches an asset by company name and asset name, both exact (Image
    /// Serving URLs are case-sensitive).
    pub async fn asset_by_name(&self, company: String, name: String) -> Result<Option<Asset>, Error> {
        self.call(move |t| queries::asset_by_name(t.conn, &company, &name))
            .await
    }

    /// Fetches an asset by handle within a company.
    pub async fn asset(&self, company_id: i64, handle: crate::handles::AssetHandle) -> Result<Asset, Error> {
        self.call_single_statement(move |t| queries::asset(t.conn, company_id, handle))
            .await
    }

    /// Which database the catalog is on (`sqlite`, `postgres`), once a
    /// statement has gone through it: `/_emulator/health`'s check.
    pub async fn ping(&self) -> Result<&'static str, Error> {
        self.call_single_statement(|t| {
            t.conn.query_row("SELECT 1", (), |r| r.get::<_, i64>(0))?;
            Ok(match t.conn.engine() {
                db::Engine::Sqlite => "sqlite",
                db::Engine::Postgres => "postgres",
            })
        })
        .await
    }

    /// Number of assets in the catalog.
    pub async fn count_assets(&self) -> Result<u64, Error> {
        self.call_single_statement(|t| queries::count_assets(t.conn)).await
    }

    /// Every content hash some asset names, sorted and deduplicated.
    pub async fn referenced_blobs(&self) -> Result<Vec<String>, Error> {
        self.call_single_statement(|t| queries::referenced_blobs(t.conn)).await
    }
}

/// Emulator controls: putting the catalog back to a seed, and sweeping the
/// store against what the catalog names.
impl Catalog {
    /// Empties every table (assets, folders, memberships, users, companies,
    /// handle counters) and loads `seed`, in one job: all or nothing, and no
    /// other job sees the catalog in between. The seed's blobs must already be
    /// in the store.
    pub async fn reset(&self, seed: SeedData) -> Result<(), Error> {
        self.call(move |t| queries::reset(t, &seed)).await
    }

    /// Runs `sweep` on the worker with every content hash some asset names.
    /// While it runs no other job can commit, so a blob it finds unnamed
    /// stays unnamed until it returns; renderings not yet named are the
    /// store's pins' to protect.
    pub async fn sweep_blobs<S, R>(&self, sweep: S) -> Result<R, Error>
    where
        S: FnOnce(&std::collections::BTreeSet<String>) -> R + Send + 'static,
        R: Send + 'static,
    {
        self.call_single_statement(move |t| {
            let referenced = queries::referenced_blobs(t.conn)?.into_iter().collect();
            Ok(sweep(&referenced))
        })
        .await
    }
}

pub use model::{UploadAssets, UploadJobRef, UploadOptions, UploadOutcome, UploadRefusal, UploadTarget};
pub use publish::{PublishOutcome, PublishScope};

impl Catalog {
    /// Records one upload servlet request, all or nothing: starts or
    /// continues its job, adds each file as a new Image asset (handles from
    /// the same counters as copies) or, when the job overwrites, points the
    /// existing asset of that name at the new bytes keeping its handle, and
    /// ends the job if asked. Runs in a savepoint, so a refused file leaves
    /// no asset, no job and no consumed handle behind.
    pub async fn upload_assets(&self, req: UploadAssets) -> Result<UploadOutcome, Error> {
        self.call(move |t| queries::upload_assets(t, &req)).await
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn a_job_that_queued_past_its_callers_patience_is_not_run() {
        let (catalog, _worker) = Catalog::open_in_memory().expect("open");
        let passed = Duration::ZERO;
        let seed = SeedData {
            companies: vec![SeedCompany {
                id: 6,
                name: "A".into(),
                root_path: "A/".into(),
                expires: None,
                folders: vec![],
                metadata_fields: Vec::new(),
            }],
            ..SeedData::default()
        };
        let refused = deadline::scope(passed, catalog.apply_seed(seed)).await;
        assert!(matches!(refused, Err(Error::Busy(_))), "{refused:?}");
        // Nothing was written; within its deadline, or with none, the same
        // catalog answers.
        let later = Duration::from_secs(30);
        assert!(deadline::scope(later, catalog.is_empty()).await.expect("answer"));
        assert!(catalog.is_empty().await.expect("answer"));
    }
}
