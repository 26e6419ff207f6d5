//! The upload servlet's jobs in the `jobs` table: starting one, finding it
//! again by its handle, closing it (`endJob`), and logging each request's
//! files, all inside the upload request's own catalog job.

use super::db::Conn;
use rusqlite::{params, OptionalExtension};

use super::job_model::{JobCounts, JobState, NewDetail, NewJob};
use super::jobs::{add_details, count, insert_job, now};
use super::{Error, UploadOptions};

/// Starts an upload servlet job (running until `endJob`).
pub(super) fn start_upload_job(
    conn: &Conn,
    company_id: i64,
    name: &str,
    options: &UploadOptions,
    user: i64,
) -> Result<i64, Error> {
    let job = NewJob {
        company_id,
        kind: "UploadPost".into(),
        original_name: name.to_owned(),
        description: String::new(),
        locale: None,
        spec: String::new(),
        exec_time: None,
        submit_user: user,
        sub_type: String::new(),
    };
    let id = insert_job(conn, &job, JobState::Running)?;
    let at = now();
    conn.prepare_cached(
        "UPDATE jobs SET overwrite = ?2, ready_for_publish = ?3, preserve_publish_state = ?4, started_at = ?5
         WHERE id = ?1",
    )?
    .execute(params![
        id,
        options.overwrite,
        options.ready_for_publish,
        options.preserve_publish_state,
        at
    ])?;
    add_details(
        conn,
        id,
        &[
            NewDetail::new("BeginUpload", "Upload has begun!"),
            NewDetail::new("OriginalJobName", name),
        ],
    )?;
    Ok(id)
}

/// An upload servlet job by id: (name, closed, the options it started with).
pub(super) fn upload_job(
    conn: &Conn,
    company_id: i64,
    id: i64,
) -> Result<Option<(String, bool, UploadOptions)>, Error> {
    Ok(conn
        .prepare_cached(
            "SELECT name, closed, overwrite, ready_for_publish, preserve_publish_state
             FROM jobs WHERE id = ?1 AND company_id = ?2 AND kind = 'UploadPost'",
        )?
        .query_row(params![id, company_id], |r| {
            let options = UploadOptions {
                overwrite: r.get(2)?,
                ready_for_publish: r.get(3)?,
                preserve_publish_state: r.get(4)?,
            };
            Ok((r.get(0)?, r.get(1)?, options))
        })
        .optional()?)
}

/// Closes an upload servlet job (`endJob`).
pub(super) fn close_upload_job(conn: &Conn, id: i64) -> Result<(), Error> {
    let at = now();
    conn.prepare_cached(
        "UPDATE jobs SET closed = 1, state = 'Done', progress = 100, ended_at = ?2, updated_at = ?2 WHERE id = ?1",
    )?
    .execute(params![id, at])?;
    add_details(conn, id, &[NewDetail::new("EndUpload", "Upload has ended.")])
}

/// Logs an upload request's files: `UploadSuccess` for a new asset,
/// `FileUpdated` for one overwritten in place (ids in `updated`).
pub(super) fn log_uploads(conn: &Conn, job_id: i64, assets: &[super::Asset], updated: &[i64]) -> Result<(), Error> {
    let mut delta = JobCounts::default();
    let details: Vec<NewDetail> = assets
        .iter()
        .map(|a| {
            let path = format!("{}{}", a.folder, a.name);
            delta.total += 1;
            let line = if updated.contains(&a.id) {
                delta.update += 1;
                NewDetail::new("FileUpdated", format!("{path} was updated in IPS"))
            } else {
                delta.success += 1;
                NewDetail::new("UploadSuccess", format!("{path} was processed into IPS"))
            };
            line.asset(a.name.clone(), "MasterImage", Some(a.handle().to_string()))
        })
        .collect();
    add_details(conn, job_id, &details)?;
    count(conn, job_id, delta)
}
