//! `stopJob`, `pauseJob`, `resumeJob`, `deleteJob` and `executeJob`: moving
//! a job between its states, in the catalog and, for an active job, through
//! its controls.
//!
//! Stopping a scheduled job ends it without running. Pausing a scheduled
//! job holds its trigger (it does not start until
//! resumed); pausing a running job holds it before its next item (it shows
//! as `WaitingClient`). A request that does not fit the job's state (stopping
//! a job that has ended, resuming one that is not paused) is a 30001 saying
//! what state the job is in.

use std::sync::Arc;

use crate::app::AppState;
use crate::catalog::{JobRow, JobState};
use crate::ips::Error;

use super::{arm, handle, spawn};

const ACTIVE: &[JobState] = &[JobState::New, JobState::Running, JobState::Held];
const WAITING: &[JobState] = &[JobState::Scheduled, JobState::Paused];

fn wrong_state(job: &JobRow, wanted: &str) -> Error {
    let now = match job.state {
        JobState::Scheduled => "scheduled",
        JobState::Paused => "paused",
        JobState::New | JobState::Running => "running",
        JobState::Held => "paused while running",
        JobState::Done | JobState::Failed | JobState::Stopped => "ended",
    };
    Error::InvalidParameter(format!("Job '{}' is {now}; it cannot be {wanted}", handle(job)))
}

/// `stopJob`: an active job stops before its next item (the files of the
/// items done stay); a scheduled one ends without running.
pub async fn stop(state: &Arc<AppState>, job: &JobRow) -> Result<(), Error> {
    if WAITING.contains(&job.state) {
        return moved(state, job, WAITING, JobState::Stopped, "stopped").await;
    }
    if !ACTIVE.contains(&job.state) {
        return Err(wrong_state(job, "stopped"));
    }
    match state.tasks.get(job.id) {
        Some(control) => control.stop(),
        // Active in the catalog but not in this process: an upload servlet
        // job between its requests.
        None => {
            state
                .catalog
                .end_job(
                    job.id,
                    crate::catalog::JobEnd {
                        state: JobState::Stopped,
                        details: vec![crate::catalog::NewDetail::new("EndUpload", "The job was stopped")],
                        export_hash: None,
                    },
                )
                .await?;
        }
    }
    Ok(())
}

/// `pauseJob`.
pub async fn pause(state: &Arc<AppState>, job: &JobRow) -> Result<(), Error> {
    let company = job.company_id;
    match job.state {
        JobState::Scheduled => moved(state, job, &[JobState::Scheduled], JobState::Paused, "paused").await,
        JobState::Running | JobState::New => {
            let control = state.tasks.get(job.id).ok_or_else(|| wrong_state(job, "paused"))?;
            if !state.catalog.move_job(company, job.id, ACTIVE, JobState::Held).await? {
                return Err(wrong_state(job, "paused"));
            }
            control.set_held(true);
            Ok(())
        }
        _ => Err(wrong_state(job, "paused")),
    }
}

/// `resumeJob`.
pub async fn resume(state: &Arc<AppState>, job: &JobRow) -> Result<(), Error> {
    match job.state {
        JobState::Paused => {
            moved(state, job, &[JobState::Paused], JobState::Scheduled, "resumed").await?;
            arm(state, job);
            Ok(())
        }
        JobState::Held => {
            moved(state, job, &[JobState::Held], JobState::Running, "resumed").await?;
            if let Some(control) = state.tasks.get(job.id) {
                control.set_held(false);
            }
            Ok(())
        }
        _ => Err(wrong_state(job, "resumed")),
    }
}

/// `executeJob`: a scheduled (or paused) job runs now.
pub async fn execute(state: &Arc<AppState>, job: &JobRow) -> Result<(), Error> {
    moved(state, job, WAITING, JobState::New, "executed").await?;
    spawn(state, job.id);
    Ok(())
}

/// `deleteJob`: a job that has not started is removed; a running one must
/// be stopped first, and an ended one is kept as its log.
pub async fn delete(state: &Arc<AppState>, job: &JobRow) -> Result<(), Error> {
    if job.state == JobState::New && state.tasks.get(job.id).is_some() {
        return Err(wrong_state(job, "deleted (stop it first)"));
    }
    if !state.catalog.delete_job(job.company_id, job.id).await? {
        return Err(wrong_state(job, "deleted"));
    }
    Ok(())
}

async fn moved(
    state: &Arc<AppState>,
    job: &JobRow,
    from: &'static [JobState],
    to: JobState,
    wanted: &str,
) -> Result<(), Error> {
    if state.catalog.move_job(job.company_id, job.id, from, to).await? {
        Ok(())
    } else {
        Err(wrong_state(job, wanted))
    }
}
