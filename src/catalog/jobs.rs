//! Jobs and their logs: what `submitJob` starts, what `getActiveJobs`,
//! `getScheduledJobs` and the job-log operations read, and the upload
//! servlet's jobs, which share the table so that their handles and logs are
//! one series.
//!
//! The catalog keeps a job's state, counters and log lines; what a job does
//! is the `ips` layer's. A job's kind-specific parameters are kept as the
//! text the caller gives (`spec`), opaque here.

use super::db::{Conn, Row};
use rusqlite::{params, OptionalExtension};

use super::job_model::{
    DetailQuery, DetailRow, JobCounts, JobEnd, JobFilter, JobRow, JobState, LogQuery, NewDetail, NewJob,
};
use super::queries::timestamp;
use super::{Catalog, Error, Tx};

const JOB_COLUMNS: &str = "j.id, j.company_id, j.kind, j.name, j.original_name, j.description, j.locale, j.spec,
    j.state, j.sub_type, j.exec_time, COALESCE(u.email, ''), j.created_at, j.started_at, j.ended_at, j.progress,
    j.progress_message, j.updated_at, j.file_success, j.file_error, j.file_warning, j.file_duplicate,
    j.file_update, j.file_total, j.fatal, j.overwrite, j.closed, j.export_hash, j.created_by";

const JOB_FROM: &str = "FROM jobs j JOIN companies c ON c.id = j.company_id LEFT JOIN users u ON u.id = j.created_by";

fn job_from_row(r: &Row<'_>) -> rusqlite::Result<JobRow> {
    Ok(JobRow {
        id: r.get(0)?,
        company_id: r.get(1)?,
        kind: r.get(2)?,
        name: r.get(3)?,
        original_name: r.get(4)?,
        description: r.get(5)?,
        locale: r.get(6)?,
        spec: r.get(7)?,
        state: JobState::parse(&r.get::<_, String>(8)?),
        sub_type: r.get(9)?,
        exec_time: r.get(10)?,
        submit_email: r.get(11)?,
        created_at: r.get(12)?,
        started_at: r.get(13)?,
        ended_at: r.get(14)?,
        progress: r.get(15)?,
        progress_message: r.get(16)?,
        updated_at: r.get(17)?,
        counts: JobCounts {
            success: r.get(18)?,
            error: r.get(19)?,
            warning: r.get(20)?,
            duplicate: r.get(21)?,
            update: r.get(22)?,
            total: r.get(23)?,
        },
        fatal: r.get(24)?,
        overwrite: r.get(25)?,
        closed: r.get(26)?,
        export_hash: r.get(27)?,
        submit_user: r.get(28)?,
    })
}

pub(super) fn now() -> String {
    timestamp(std::time::SystemTime::now())
}

/// The job `id`, whatever its company.
fn job_by_id(conn: &Conn, id: i64) -> Result<Option<JobRow>, Error> {
    let sql = format!("SELECT {JOB_COLUMNS} {JOB_FROM} WHERE j.id = ?1");
    Ok(conn.prepare_cached(&sql)?.query_row([id], job_from_row).optional()?)
}

/// The job `id` of `company_id`.
pub(super) fn job(conn: &Conn, company_id: i64, id: i64) -> Result<Option<JobRow>, Error> {
    let sql = format!("SELECT {JOB_COLUMNS} {JOB_FROM} WHERE j.id = ?1 AND j.company_id = ?2");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row(params![id, company_id], job_from_row)
        .optional()?)
}

pub(super) fn insert_job(conn: &Conn, job: &NewJob, state: JobState) -> Result<i64, Error> {
    let at = now();
    conn.prepare_cached(
        "INSERT INTO jobs (company_id, kind, name, original_name, description, locale, spec, state, sub_type,
                           exec_time, created_by, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)
         RETURNING id",
    )?
    .query_row(
        params![
            job.company_id,
            job.kind,
            job.original_name,
            job.description,
            job.locale,
            job.spec,
            state.as_str(),
            job.sub_type,
            job.exec_time,
            job.submit_user,
            at
        ],
        |r| r.get(0),
    )
    .map_err(Error::from)
}

/// Adds log lines to a job and counts them into its counters as `counts`
/// says.
pub(super) fn add_details(conn: &Conn, job_id: i64, details: &[NewDetail]) -> Result<(), Error> {
    let at = now();
    let mut insert = conn.prepare_cached(
        "INSERT INTO job_log_details (job_id, log_type, message, asset_name, asset_type, asset_handle, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for d in details {
        insert.execute(params![
            job_id,
            d.log_type,
            d.message,
            d.asset_name,
            d.asset_type,
            d.asset_handle,
            at
        ])?;
    }
    Ok(())
}

/// Adds `delta` to a job's counters.
pub(super) fn count(conn: &Conn, job_id: i64, delta: JobCounts) -> Result<(), Error> {
    conn.prepare_cached(
        "UPDATE jobs SET file_success = file_success + ?2, file_error = file_error + ?3,
                         file_warning = file_warning + ?4, file_duplicate = file_duplicate + ?5,
                         file_update = file_update + ?6, file_total = file_total + ?7
         WHERE id = ?1",
    )?
    .execute(params![
        job_id,
        delta.success,
        delta.error,
        delta.warning,
        delta.duplicate,
        delta.update,
        delta.total
    ])?;
    Ok(())
}

/// Marks every job a previous process left unfinished as failed (returns
/// their ids); upload servlet jobs stay open for their next request.
fn filter_sql(filter: &JobFilter, args: &mut Vec<rusqlite::types::Value>) -> String {
    use rusqlite::types::Value;
    let mut sql = String::new();
    if filter.companies.is_empty() {
        return sql + &rest_of_filter(filter, args);
    }
    let marks: Vec<String> = filter
        .companies
        .iter()
        .map(|c| {
            args.push(Value::Integer(*c));
            format!("?{}", args.len())
        })
        .collect();
    sql.push_str(&format!(" AND j.company_id IN ({})", marks.join(", ")));
    sql + &rest_of_filter(filter, args)
}

fn rest_of_filter(filter: &JobFilter, args: &mut Vec<rusqlite::types::Value>) -> String {
    use rusqlite::types::Value;
    let mut sql = String::new();
    if let Some(id) = filter.id {
        args.push(Value::Integer(id));
        sql.push_str(&format!(" AND j.id = ?{}", args.len()));
    }
    if let Some(name) = &filter.name {
        args.push(Value::Text(name.clone()));
        sql.push_str(&format!(" AND j.name = ?{}", args.len()));
    }
    if let Some(name) = &filter.original_name {
        args.push(Value::Text(name.clone()));
        sql.push_str(&format!(" AND j.original_name = ?{}", args.len()));
    }
    if let Some(user) = filter.submit_user {
        args.push(Value::Integer(user));
        sql.push_str(&format!(" AND j.created_by = ?{}", args.len()));
    }
    sql
}

/// Jobs matching `filter` in the given states, oldest first.
pub(super) fn jobs_in(conn: &Conn, filter: &JobFilter, states: &[JobState]) -> Result<Vec<JobRow>, Error> {
    let mut args = Vec::new();
    let mut sql = format!("SELECT {JOB_COLUMNS} {JOB_FROM} WHERE 1 = 1");
    sql.push_str(&filter_sql(filter, &mut args));
    let states: Vec<String> = states.iter().map(|s| format!("'{}'", s.as_str())).collect();
    sql.push_str(&format!(" AND j.state IN ({}) ORDER BY j.id", states.join(", ")));
    let rows = conn
        .prepare(&sql)?
        .query_map(super::db::params_from_iter(args), job_from_row)?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// Job logs: every job that has started, as `q` asks.
pub(super) fn logs(conn: &Conn, q: &LogQuery) -> Result<Vec<JobRow>, Error> {
    use rusqlite::types::Value;
    let mut args = Vec::new();
    let mut sql = format!("SELECT {JOB_COLUMNS} {JOB_FROM} WHERE j.started_at IS NOT NULL");
    sql.push_str(&filter_sql(&q.filter, &mut args));
    if let Some(start) = &q.start {
        args.push(Value::Text(start.clone()));
        sql.push_str(&format!(" AND j.started_at >= ?{}", args.len()));
    }
    if let Some(end) = &q.end {
        args.push(Value::Text(end.clone()));
        sql.push_str(&format!(" AND j.started_at <= ?{}", args.len()));
    }
    let direction = if q.descending { "DESC" } else { "ASC" };
    // `sort` is one of LOG_SORT_COLUMNS' constants, never caller text.
    sql.push_str(&format!(" ORDER BY {} {direction}, j.id {direction}", q.sort));
    if let Some(limit) = q.limit {
        args.push(Value::Integer(limit));
        sql.push_str(&format!(" LIMIT ?{}", args.len()));
    }
    let rows = conn
        .prepare(&sql)?
        .query_map(super::db::params_from_iter(args), job_from_row)?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// A page of a job's log lines, and how many lines match in all.
pub(super) fn details(conn: &Conn, q: &DetailQuery) -> Result<(Vec<DetailRow>, i64), Error> {
    use rusqlite::types::Value;
    let mut args = vec![Value::Integer(q.job_id)];
    let mut sql = String::from(" FROM job_log_details WHERE job_id = ?1");
    if !q.types.is_empty() {
        let marks: Vec<String> = q
            .types
            .iter()
            .map(|t| {
                args.push(Value::Text(t.clone()));
                format!("?{}", args.len())
            })
            .collect();
        sql.push_str(&format!(" AND log_type IN ({})", marks.join(", ")));
    }
    let total: i64 = conn.query_row(
        &format!("SELECT count(*){sql}"),
        super::db::params_from_iter(args.clone()),
        |r| r.get(0),
    )?;
    let direction = if q.descending { "DESC" } else { "ASC" };
    let order = if q.by_type {
        format!("log_type {direction}, id {direction}")
    } else {
        format!("id {direction}")
    };
    args.push(Value::Integer(q.per_page));
    args.push(Value::Integer((q.page - 1).saturating_mul(q.per_page)));
    let n = args.len();
    let select = format!(
        "SELECT job_id, log_type, message, asset_name, asset_type, asset_handle, created_at{sql}
         ORDER BY {order} LIMIT ?{} OFFSET ?{n}",
        n - 1
    );
    let rows = conn
        .prepare(&select)?
        .query_map(super::db::params_from_iter(args), detail_from_row)?
        .collect::<Result<_, _>>()?;
    Ok((rows, total))
}

fn detail_from_row(r: &Row<'_>) -> rusqlite::Result<DetailRow> {
    Ok(DetailRow {
        job_id: r.get(0)?,
        detail: NewDetail {
            log_type: r.get(1)?,
            message: r.get(2)?,
            asset_name: r.get(3)?,
            asset_type: r.get(4)?,
            asset_handle: r.get(5)?,
        },
        created_at: r.get(6)?,
    })
}

/// Every log line about an asset (by handle), with its job, oldest first.
pub(super) fn asset_details(conn: &Conn, company_id: i64, handle: &str) -> Result<Vec<(JobRow, DetailRow)>, Error> {
    let sql = format!(
        "SELECT {JOB_COLUMNS}, d.job_id, d.log_type, d.message, d.asset_name, d.asset_type, d.asset_handle,
                d.created_at
         {JOB_FROM} JOIN job_log_details d ON d.job_id = j.id
         WHERE j.company_id = ?1 AND d.asset_handle = ?2 ORDER BY d.id"
    );
    let rows = conn
        .prepare(&sql)?
        .query_map(params![company_id, handle], |r| {
            let job = job_from_row(r)?;
            let detail = DetailRow {
                job_id: r.get(29)?,
                detail: NewDetail {
                    log_type: r.get(30)?,
                    message: r.get(31)?,
                    asset_name: r.get(32)?,
                    asset_type: r.get(33)?,
                    asset_handle: r.get(34)?,
                },
                created_at: r.get(35)?,
            };
            Ok((job, detail))
        })?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// Moves a job from one of `from` to `to`; whether it was in one of them.
fn transition(conn: &Conn, id: i64, from: &[JobState], to: JobState) -> Result<bool, Error> {
    let states: Vec<String> = from.iter().map(|s| format!("'{}'", s.as_str())).collect();
    let at = now();
    let sql = format!(
        "UPDATE jobs SET state = ?2, updated_at = ?3 WHERE id = ?1 AND state IN ({})",
        states.join(", ")
    );
    Ok(conn.execute(&sql, params![id, to.as_str(), at])? == 1)
}

impl Catalog {
    /// Records a submitted job: scheduled when it has an `execTime`, else
    /// new (waiting for a worker). Returns the job as stored.
    pub async fn submit_job(&self, job: NewJob) -> Result<JobRow, Error> {
        let me = self.instance.clone();
        self.call(move |t: &mut Tx<'_>| {
            if !super::queries::company_exists(t.conn, job.company_id)? {
                return Err(Error::CompanyNotFound);
            }
            let state = if job.exec_time.is_some() {
                JobState::Scheduled
            } else {
                JobState::New
            };
            let id = insert_job(t.conn, &job, state)?;
            super::job_leases::claim(t.conn, id, &me)?;
            // The unique name: the submitted one and the job's id (Scene7
            // appends a timestamp; an id keeps the names of a replayed
            // sequence the same).
            t.conn
                .prepare_cached("UPDATE jobs SET name = original_name || '-' || id WHERE id = ?1")?
                .execute([id])?;
            self::job(t.conn, job.company_id, id)?.ok_or(Error::JobNotFound)
        })
        .await
    }

    /// The job `id` of `company_id`.
    pub async fn job(&self, company_id: i64, id: i64) -> Result<JobRow, Error> {
        self.call_single_statement(move |t| self::job(t.conn, company_id, id)?.ok_or(Error::JobNotFound))
            .await
    }

    /// Jobs matching `filter` in one of `states`.
    pub async fn jobs_in(&self, filter: JobFilter, states: &'static [JobState]) -> Result<Vec<JobRow>, Error> {
        self.call_single_statement(move |t| jobs_in(t.conn, &filter, states))
            .await
    }

    /// Starts a job that was new: Running. `Ok(None)` if it is no longer
    /// new (stopped or deleted meanwhile).
    pub async fn start_job(&self, id: i64) -> Result<Option<JobRow>, Error> {
        let me = self.instance.clone();
        self.call(move |t| {
            // Of instances racing for a job (a scheduled one every instance
            // armed), the one whose transition changes the row runs it.
            if !transition(t.conn, id, &[JobState::New], JobState::Running)? {
                return Ok(None);
            }
            super::job_leases::claim(t.conn, id, &me)?;
            let at = now();
            t.conn
                .prepare_cached("UPDATE jobs SET started_at = ?2, updated_at = ?2 WHERE id = ?1")?
                .execute(params![id, at])?;
            job_by_id(t.conn, id)
        })
        .await
    }

    /// Records a step of a running job: log lines, counters, progress.
    pub async fn job_step(
        &self,
        id: i64,
        details: Vec<NewDetail>,
        delta: JobCounts,
        progress: (i64, String),
    ) -> Result<(), Error> {
        self.call(move |t| {
            add_details(t.conn, id, &details)?;
            count(t.conn, id, delta)?;
            let at = now();
            t.conn
                .prepare_cached("UPDATE jobs SET progress = ?2, progress_message = ?3, updated_at = ?4 WHERE id = ?1")?
                .execute(params![id, progress.0, progress.1, at])?;
            Ok(())
        })
        .await
    }

    /// Adds log lines and counts to a job without touching its state or
    /// progress (what happens after its end, such as its completion
    /// notice).
    pub async fn job_note(&self, id: i64, details: Vec<NewDetail>, delta: JobCounts) -> Result<(), Error> {
        self.call(move |t| {
            add_details(t.conn, id, &details)?;
            count(t.conn, id, delta)
        })
        .await
    }

    /// Ends a job that has not ended yet; `false` if it already had.
    pub async fn end_job(&self, id: i64, end: JobEnd) -> Result<bool, Error> {
        self.call(move |t| {
            let open = [JobState::New, JobState::Running, JobState::Held];
            if !transition(t.conn, id, &open, end.state)? {
                return Ok(false);
            }
            let at = now();
            let fatal = end.state == JobState::Failed;
            t.conn
                .prepare_cached(
                    "UPDATE jobs SET ended_at = ?2, updated_at = ?2, fatal = ?3, export_hash = ?4,
                                     progress = CASE WHEN ?5 THEN 100 ELSE progress END
                     WHERE id = ?1",
                )?
                .execute(params![id, at, fatal, end.export_hash, end.state == JobState::Done])?;
            add_details(t.conn, id, &end.details)?;
            Ok(true)
        })
        .await
    }

    /// Moves a job between states (`stopJob`, `pauseJob`, `resumeJob`,
    /// `executeJob`); `Ok(false)` when it is in none of `from`.
    pub async fn move_job(
        &self,
        company_id: i64,
        id: i64,
        from: &'static [JobState],
        to: JobState,
    ) -> Result<bool, Error> {
        let me = self.instance.clone();
        self.call(move |t| {
            if self::job(t.conn, company_id, id)?.is_none() {
                return Err(Error::JobNotFound);
            }
            let moved = transition(t.conn, id, from, to)?;
            if moved && to == JobState::New {
                // The instance that moved it runs it: a lease from when it
                // was submitted would have run out long ago.
                super::job_leases::claim(t.conn, id, &me)?;
            }
            Ok(moved)
        })
        .await
    }

    /// Deletes a job that has not started (`deleteJob`); `Ok(false)` when
    /// it has.
    pub async fn delete_job(&self, company_id: i64, id: i64) -> Result<bool, Error> {
        self.call(move |t| {
            let Some(job) = self::job(t.conn, company_id, id)? else {
                return Err(Error::JobNotFound);
            };
            if !(job.state.scheduled() || job.state == JobState::New) {
                return Ok(false);
            }
            t.conn.execute("DELETE FROM job_log_details WHERE job_id = ?1", [id])?;
            t.conn.execute("DELETE FROM jobs WHERE id = ?1", [id])?;
            Ok(true)
        })
        .await
    }

    /// Job logs as `q` asks.
    pub async fn job_logs(&self, q: LogQuery) -> Result<Vec<JobRow>, Error> {
        self.call_single_statement(move |t| logs(t.conn, &q)).await
    }

    /// A page of a job's log lines and the number matching.
    pub async fn job_details(&self, q: DetailQuery) -> Result<(Vec<DetailRow>, i64), Error> {
        self.call_single_statement(move |t| details(t.conn, &q)).await
    }

    /// Every log line about an asset, with its job.
    pub async fn asset_job_details(&self, company_id: i64, handle: String) -> Result<Vec<(JobRow, DetailRow)>, Error> {
        self.call_single_statement(move |t| asset_details(t.conn, company_id, &handle))
            .await
    }
}

impl Catalog {
    /// A job by id alone (its archive's URL carries no company).
    pub async fn job_any(&self, id: i64) -> Result<Option<JobRow>, Error> {
        self.call_single_statement(move |t| job_by_id(t.conn, id)).await
    }

    /// Sets an image's information to what its file really is (a
    /// reprocess), unless its file was replaced since it was probed.
    pub async fn refresh_image(
        &self,
        company_id: i64,
        id: i64,
        content_hash: String,
        info: (u32, u32, String, u64),
    ) -> Result<super::Asset, Error> {
        self.call(move |t| {
            let (width, height, format, size) = info;
            let changed = t.conn.execute(
                "UPDATE assets SET width = ?3, height = ?4, format = ?5, byte_size = ?6
                 WHERE id = ?1 AND company_id = ?2 AND content_hash = ?7 AND trashed_at IS NULL",
                params![id, company_id, width, height, format, size as i64, content_hash],
            )?;
            if changed == 0 {
                return Err(Error::ContentChanged);
            }
            let handle = crate::handles::AssetHandle::parse(&format!("a|{id}")).ok_or(Error::AssetNotFound)?;
            super::queries::asset(t.conn, company_id, handle)
        })
        .await
    }
}

#[cfg(test)]
#[path = "jobs_tests.rs"]
mod tests;
