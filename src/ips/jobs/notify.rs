//! A job's completion notice: the `postHttpUrl` (uploads, reprocesses) or
//! `httpCompletionUrl` (publishes) it was submitted with is POSTed once,
//! after the job's end is recorded, so that a receiver that asks
//! `getJobLogs` on hearing it finds the job ended.
//!
//! Adobe documents the field ("URL to send a completion notice") but not
//! the notice's body; the emulator sends a JSON object with the job's
//! handle, names, type, final state and counts, the `JobLog` fields a
//! receiver would otherwise ask for. It goes through the one outbound
//! client, so its host must be allowed by `--fetch-allow` like a source
//! URL's. A notice that is refused or fails adds a `<stem>Warning` line
//! (and a warning) to the job's log; it never changes how the job ended.

use crate::app::AppState;
use crate::catalog::{JobCounts, JobRow, NewDetail};

use super::handle;

/// The notice's media type.
const CONTENT_TYPE: &str = "application/json";

/// POSTs job `job`'s completion notice to `url` and logs a failure.
pub(super) async fn send(state: &AppState, job: &JobRow, url: &str) {
    let why = if state.tasks.shutting_down() {
        "the service was shutting down".to_owned()
    } else {
        let ended = match state.catalog.job_any(job.id).await {
            Ok(Some(ended)) => ended,
            Ok(None) => return,
            Err(e) => {
                tracing::error!(job = job.id, error = %e, "could not read a job to notify of its end");
                return;
            }
        };
        match state.fetcher.post(url, CONTENT_TYPE, body(&ended).into()).await {
            Ok(status) => {
                tracing::info!(job = job.id, url, status, "completion notice posted");
                return;
            }
            Err(e) => e.to_string(),
        }
    };
    let stem = crate::catalog::log_stem(&job.kind);
    // The reason names the receiver as host:port; the URL itself is not
    // logged, since its query may hold a token.
    let line = NewDetail::new(
        format!("{stem}Warning"),
        format!("The completion notice was not delivered: {why}"),
    );
    let warning = JobCounts {
        warning: 1,
        ..JobCounts::default()
    };
    if let Err(e) = state.catalog.job_note(job.id, vec![line], warning).await {
        tracing::error!(job = job.id, error = %e, "could not log a failed completion notice");
    }
}

/// The notice: the ended job as a JSON object.
fn body(job: &JobRow) -> Vec<u8> {
    let c = job.counts;
    let notice = serde_json::json!({
        "jobHandle": handle(job),
        "jobName": job.name,
        "originalJobName": job.original_name,
        "type": job.kind,
        "state": job.state.as_str(),
        "startDate": job.started_at,
        "endDate": job.ended_at,
        "totalFileCount": c.total,
        "fileSuccessCount": c.success,
        "fileErrorCount": c.error,
        "fileWarningCount": c.warning,
        "fileDuplicateCount": c.duplicate,
        "fileUpdateCount": c.update,
    });
    notice.to_string().into_bytes()
}
