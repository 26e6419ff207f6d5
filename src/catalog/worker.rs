//! The catalog worker: the thread that owns the database connection and
//! runs jobs in batches, one transaction per batch (group commit), each job
//! in a savepoint where it needs one, answering callers only once the batch
//! has committed.

use tokio::sync::mpsc;

use super::db::{self, Conn};
use super::{queries, Error};

/// How to answer a job's caller once the batch's commit is known.
pub(super) type Deliver = Box<dyn FnOnce(Result<(), String>) + Send>;

/// How a job ran.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Outcome {
    /// It succeeded; what it wrote stays.
    Done,
    /// It returned an error.
    Failed,
    /// It panicked (caught).
    Panicked,
}

/// How a job is kept from leaving half its work behind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Isolation {
    /// In its own savepoint, rolled back if the job fails or panics.
    Savepoint,
    /// None: the job writes with at most one statement, as its last step,
    /// and SQLite undoes a statement that fails. Should such a job still end
    /// in failure with rows changed (a panic after its write, or a job that
    /// breaks this rule), the whole batch is rolled back rather than commit
    /// what it began.
    SingleStatement,
}

/// Runs a job's closure and says how it ran.
pub(super) type Run = Box<dyn FnOnce(&mut Tx<'_>) -> (Outcome, Deliver) + Send>;

pub(super) struct Job {
    pub(super) isolation: Isolation,
    pub(super) run: Run,
}

/// The next asset id and image record id, as the batch has left them.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Counters {
    /// `(asset, image)`; `None` until the batch first needs them.
    next: Option<(i64, i64)>,
    /// Whether `next` is ahead of the `sequences` table.
    dirty: bool,
}

/// What a job works with: the connection, inside the batch's transaction,
/// and the handle counters. Reading the counters once per batch and writing
/// them back once before the commit, rather than updating `sequences` in
/// every copy, saves two statements and a journalled page per copy.
pub(super) struct Tx<'c> {
    pub(super) conn: &'c Conn,
    pub(super) counters: &'c mut Counters,
    /// Work to do only once the batch has committed (removing stored files
    /// the batch's deletions left unnamed): were the commit to fail, the
    /// rows naming those files would be back.
    pub(super) after_commit: &'c mut Vec<AfterCommit>,
}

/// A step run after the batch's commit, on the worker, before the next batch.
pub(super) type AfterCommit = Box<dyn FnOnce() + Send>;

impl Tx<'_> {
    /// The ids the next image asset gets. Nothing is taken until
    /// [`Tx::take_image_ids`].
    pub(super) fn next_image_ids(&mut self) -> Result<(i64, i64), Error> {
        if let Some(next) = self.counters.next {
            return Ok(next);
        }
        let next = queries::read_sequences(self.conn)?;
        self.counters.next = Some(next);
        Ok(next)
    }

    /// Marks the ids [`Tx::next_image_ids`] gave as used, once a row names
    /// them.
    pub(super) fn take_image_ids(&mut self) {
        self.take(1);
    }

    /// Marks the asset id [`Tx::next_image_ids`] gave as used, for an asset
    /// that is not an Image and so takes no image record id.
    pub(super) fn take_asset_id(&mut self) {
        self.take(0);
    }

    fn take(&mut self, images: i64) {
        if let Some((asset, image)) = self.counters.next {
            self.counters.next = Some((asset + 1, image + images));
            self.counters.dirty = true;
        }
    }

    /// Sets the counters outright (a seed does).
    pub(super) fn set_image_ids(&mut self, asset: i64, image: i64) {
        self.counters.next = Some((asset, image));
        self.counters.dirty = true;
    }
}

/// Largest number of jobs committed together.
pub(super) const MAX_BATCH: usize = 256;

pub(super) fn run_worker(conn: Conn, mut rx: mpsc::Receiver<Job>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = rx.blocking_recv() {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        run_batch(&conn, &mut batch);
    }
    // Dropping `conn` here closes the database and checkpoints the WAL.
}

pub(super) fn run_batch(conn: &Conn, batch: &mut Vec<Job>) {
    let begin = match conn.engine() {
        db::Engine::Sqlite => "BEGIN IMMEDIATE",
        // The counters and `next_rowid` read the latest committed rows
        // once their lock is taken: not a snapshot from before it.
        db::Engine::Postgres => "BEGIN ISOLATION LEVEL READ COMMITTED",
    };
    if let Err(e) = conn.reconnect_if_closed().and_then(|()| conn.execute_batch(begin)) {
        // Dropping a job drops its answer channel: its caller sees `Closed`
        // and answers with an internal fault. Nothing ran, nothing is lost.
        tracing::error!(error = %e, jobs = batch.len(), "catalog could not begin a transaction");
        batch.clear();
        return;
    }
    let mut counters = Counters::default();
    let mut after_commit: Vec<AfterCommit> = Vec::new();
    let mut poisoned = false;
    let mut delivers = Vec::with_capacity(batch.len());
    for job in batch.drain(..) {
        // PostgreSQL aborts the whole transaction on a failed statement:
        // there every job needs its savepoint.
        let isolated = job.isolation == Isolation::Savepoint || conn.engine() == db::Engine::Postgres;
        if isolated {
            if let Err(e) = exec_cached(conn, "SAVEPOINT job") {
                tracing::error!(error = %e, "catalog savepoint failed");
                continue;
            }
        }
        let before = counters;
        let steps_before = after_commit.len();
        let changes_before = conn.total_changes();
        let (outcome, deliver) = (job.run)(&mut Tx {
            conn,
            counters: &mut counters,
            after_commit: &mut after_commit,
        });
        if outcome != Outcome::Done {
            // A failed job consumes no handle and leaves nothing to do.
            counters = before;
            after_commit.truncate(steps_before);
        }
        if isolated {
            let end = if outcome == Outcome::Done {
                exec_cached(conn, "RELEASE job")
            } else {
                exec_cached(conn, "ROLLBACK TO job").and_then(|_| exec_cached(conn, "RELEASE job"))
            };
            if let Err(e) = end {
                // The transaction's state is unknown (PostgreSQL may have
                // aborted it): commit nothing rather than claim it.
                tracing::error!(error = %e, "catalog savepoint release failed");
                poisoned = true;
            }
        } else if outcome != Outcome::Done && conn.total_changes() != changes_before {
            poisoned = true;
        }
        delivers.push(deliver);
    }
    let committed = if poisoned {
        Err("a catalog job could not be undone alone (it failed after writing outside a savepoint, or its savepoint failed); its batch was rolled back".to_owned())
    } else {
        write_counters(conn, &counters)
            .and_then(|()| conn.execute_batch("COMMIT"))
            .map_err(|e| e.to_string())
    };
    if let Err(e) = &committed {
        tracing::error!(error = %e, "catalog commit failed");
        let _ = conn.execute_batch("ROLLBACK");
    } else {
        for step in after_commit {
            step();
        }
    }
    for deliver in delivers {
        deliver(committed.clone());
    }
}

/// Writes the counters back if the batch moved them.
fn write_counters(conn: &Conn, counters: &Counters) -> rusqlite::Result<()> {
    match counters.next {
        Some((asset, image)) if counters.dirty => queries::write_sequences(conn, asset, image),
        _ => Ok(()),
    }
}

/// Savepoint statements run twice per job: keep them prepared.
fn exec_cached(conn: &Conn, sql: &str) -> rusqlite::Result<()> {
    match conn.sqlite() {
        Some(c) => c.prepare_cached(sql)?.execute(()).map(drop),
        None => conn.execute_batch(sql),
    }
}
