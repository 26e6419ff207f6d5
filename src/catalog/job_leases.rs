//! Which instance runs a job: leases on a shared catalog, and failing the
//! jobs their runner left unfinished (at start-up, or when another
//! instance's lease runs out).

use rusqlite::params;

use super::db::Conn;
use super::jobs::{add_details, now};
use super::{Catalog, Error, NewDetail};

/// How long an instance's claim on its unfinished jobs lasts unrenewed.
/// Instances renew theirs a few times per lease (`Catalog::renew_job_leases`),
/// so a job whose lease ran out belongs to an instance that is gone.
pub const JOB_LEASE: std::time::Duration = std::time::Duration::from_secs(15);

fn epoch_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

fn lease_end() -> i64 {
    epoch_ms() + JOB_LEASE.as_millis() as i64
}

/// Leases job `id` to `runner`.
pub(super) fn claim(conn: &Conn, id: i64, runner: &str) -> Result<(), Error> {
    conn.prepare_cached("UPDATE jobs SET runner = ?2, lease_until = ?3 WHERE id = ?1")?
        .execute(params![id, runner, lease_end()])?;
    Ok(())
}

/// Which unfinished jobs count as interrupted.
#[derive(Clone, Copy)]
enum Orphans {
    /// Every one: nothing else runs jobs (SQLite's one process, at start).
    All,
    /// Those no live instance holds: another runner's, its lease run out.
    Unheld,
}

/// Marks interrupted jobs failed (each with a log line saying why) and
/// returns their ids. Upload servlet jobs are left: their requests, not a
/// task, carry them.
fn fail_interrupted(conn: &Conn, me: &str, which: Orphans) -> Result<Vec<i64>, Error> {
    let open = "state IN ('New', 'Running', 'Held') AND kind <> 'UploadPost'";
    let ids: Vec<i64> = match which {
        Orphans::All => conn
            .prepare(&format!("SELECT id FROM jobs WHERE {open} ORDER BY id"))?
            .query_map((), |r| r.get(0))?
            .collect::<Result<_, _>>()?,
        Orphans::Unheld => conn
            .prepare(&format!(
                "SELECT id FROM jobs WHERE {open} AND (runner IS NULL OR runner <> ?1)
                 AND (lease_until IS NULL OR lease_until < ?2) ORDER BY id"
            ))?
            .query_map(params![me, epoch_ms()], |r| r.get(0))?
            .collect::<Result<_, _>>()?,
    };
    let at = now();
    let mut failed = Vec::with_capacity(ids.len());
    for id in ids {
        // Checked again as the row is written: another instance may have
        // ended the job, or failed it, since it was read.
        let changed = conn.execute(
            &format!(
                "UPDATE jobs SET state = 'Failed', fatal = 1, ended_at = ?2, updated_at = ?2,
                                 progress_message = 'Interrupted by a shutdown'
                 WHERE id = ?1 AND {open} AND (?3 = 0 OR lease_until IS NULL OR lease_until < ?4)"
            ),
            params![id, at, matches!(which, Orphans::Unheld), epoch_ms()],
        )?;
        if changed == 0 {
            continue;
        }
        failed.push(id);
        add_details(
            conn,
            id,
            &[NewDetail::new(
                "FatalError",
                "The job was interrupted by a shutdown of the service before it ended; it did not finish.",
            )],
        )?;
    }
    Ok(failed)
}

impl Catalog {
    /// Marks the jobs a previous process left running as failed; their ids.
    pub async fn fail_interrupted_jobs(&self) -> Result<Vec<i64>, Error> {
        let me = self.instance.clone();
        self.call(move |t| {
            // On SQLite this process is the only one; on a shared database
            // other instances' jobs are theirs while their leases last.
            let which = match t.conn.engine() {
                super::db::Engine::Sqlite => Orphans::All,
                super::db::Engine::Postgres => Orphans::Unheld,
            };
            fail_interrupted(t.conn, &me, which)
        })
        .await
    }

    /// Fails the jobs of instances that stopped renewing their leases (on a
    /// shared catalog, another instance's crash), and returns their ids.
    pub async fn take_over_jobs(&self) -> Result<Vec<i64>, Error> {
        let me = self.instance.clone();
        self.call(move |t| fail_interrupted(t.conn, &me, Orphans::Unheld)).await
    }

    /// Extends the leases of this instance's unfinished jobs.
    pub async fn renew_job_leases(&self) -> Result<(), Error> {
        let me = self.instance.clone();
        self.call_single_statement(move |t| {
            t.conn
                .prepare_cached(
                    "UPDATE jobs SET lease_until = ?2 WHERE runner = ?1 AND state IN ('New', 'Running', 'Held')",
                )?
                .execute(params![&*me, lease_end()])?;
            Ok(())
        })
        .await
    }
}
