//! Job rows as the replies show them: `ActiveJob`, `ScheduledJob`,
//! `JobLog`, `JobLogDetail` and `AssetJobLog` records (each version keeps
//! the fields its type has), and the reasons job log lines give.

use std::time::SystemTime;

use crate::catalog::{DetailRow, JobRow, JobState};
use crate::handles::CompanyHandle;
use crate::ips::value::{Record, Value};
use crate::ips::Error;

use super::{handle, kinds, spec};

/// A client's `xsd:dateTime`.
pub fn parse_time(s: &str) -> Option<SystemTime> {
    crate::clock::parse_date_time(s)
}

/// A client's `xsd:dateTime` as the catalog writes times (so that they
/// compare as text); 30001 naming `field` if it is not one.
pub fn catalog_time(field: &str, raw: &str) -> Result<String, Error> {
    parse_time(raw)
        .map(crate::clock::utc_millis)
        .ok_or_else(|| Error::InvalidParameter(format!("{field} must be an xsd:dateTime, not '{raw}'")))
}

/// What a job log line says about a failed item: the caller-facing reason,
/// or a generic one for the emulator's own failures (logged in full).
pub fn reason(e: &Error) -> String {
    match e {
        Error::InvalidParameter(_)
        | Error::MissingParameter(_)
        | Error::NameInUse(_)
        | Error::FolderExists(_)
        | Error::NotEmulated(_) => e.to_string(),
        Error::Render(r) if r.is_client() => e.to_string(),
        Error::Memory(crate::memory::Refused::TooLarge { .. }) => e.to_string(),
        other => {
            tracing::error!(error = %other, "a job item failed");
            "The emulator could not process this item (see its log)".to_owned()
        }
    }
}

/// `ActiveJob/state` (the constants page's values; a job held by
/// `pauseJob` waits for its client).
fn active_state(state: JobState) -> &'static str {
    match state {
        JobState::New | JobState::Scheduled | JobState::Paused => "New",
        JobState::Running => "Running",
        JobState::Held => "WaitingClient",
        JobState::Done | JobState::Failed | JobState::Stopped => "Done",
    }
}

/// The fields `ActiveJob` and `ScheduledJob` share, and the echo of the
/// submitted kind.
fn job_common(job: &JobRow) -> Record {
    let mut r = Record::new()
        .with("companyHandle", CompanyHandle(job.company_id).to_string())
        .with("jobHandle", handle(job))
        .with("name", job.name.clone())
        .with("originalName", job.original_name.clone())
        .with("type", job.kind.clone())
        .with("submitUserEmail", job.submit_email.clone())
        .with_opt("locale", job.locale.clone())
        .with("description", job.description.clone());
    if let Some((field, spec)) = spec::decode(&job.spec, crate::ips::types::JOB_KIND_FIELDS) {
        r.push(field.name, spec);
    }
    r
}

/// Items the job's work has (URLs or assets), for its task progress.
fn items(job: &JobRow) -> i64 {
    let work = spec::decode(&job.spec, crate::ips::types::JOB_KIND_FIELDS)
        .and_then(|(field, record)| kinds::work(field.name, &record.into()).ok());
    match work {
        Some(kinds::Work::UploadUrls { urls, .. }) => urls.len() as i64,
        Some(kinds::Work::Export { assets, .. } | kinds::Work::Reprocess { assets }) => assets.len() as i64,
        _ => job.counts.total,
    }
}

/// An `ActiveJob`.
pub fn active_job(job: &JobRow) -> Record {
    let start = job.started_at.clone().unwrap_or_else(|| job.created_at.clone());
    let running = job.state == JobState::Running;
    let total = items(job).max(job.counts.total);
    let task = Record::new()
        .with("taskType", job.kind.clone())
        .with("taskState", if running { "Processing" } else { "New" })
        .with_number("numProcessed", job.counts.total)
        .with_number("numProcessing", i64::from(running && job.counts.total < total))
        .with_number("numPending", (total - job.counts.total - i64::from(running)).max(0))
        .with_number("progress", format!("{:.2}", job.progress as f64 / 100.0))
        .with("progressMessage", job.progress_message.clone())
        .with("lastProgressUpdate", job.updated_at.clone())
        .with_array("taskItemProgressArray", Vec::new());
    let mut r = job_common(job)
        .with("state", active_state(job.state))
        .with("serverName", "ips-emulator")
        .with("startDate", start)
        .with(
            "triggerTime",
            job.exec_time.clone().unwrap_or_else(|| job.created_at.clone()),
        )
        .with_number("totalSize", total)
        .with_number("progress", job.progress)
        .with("progressMessage", job.progress_message.clone())
        .with("lastProgressUpdate", job.updated_at.clone())
        .with_array("taskProgressArray", vec![Value::Record(task)]);
    if job.kind == "UploadPost" {
        // What the servlet's job was started with; the rest of its
        // required fields as a plain upload has them.
        let upload = Record::new()
            .with_bool("overwrite", job.overwrite)
            .with_bool("readyForPublish", true)
            .with_bool("createMask", false)
            .with("emailSetting", "None");
        r.push("uploadPostJob", upload);
    }
    r
}

/// A `ScheduledJob`.
pub fn scheduled_job(job: &JobRow) -> Record {
    job_common(job)
        .with_opt("nextFireTime", job.exec_time.clone())
        .with("timeZone", "UTC")
        .with(
            "triggerState",
            if job.state == JobState::Paused {
                "Paused"
            } else {
                "Normal"
            },
        )
}

/// A `JobLog`, without its details.
pub fn job_log(job: &JobRow) -> Record {
    let c = job.counts;
    Record::new()
        .with("companyHandle", CompanyHandle(job.company_id).to_string())
        .with("jobHandle", handle(job))
        .with("jobName", job.name.clone())
        .with("originalJobName", job.original_name.clone())
        .with("submitUserEmail", job.submit_email.clone())
        .with("logType", job.begin_type())
        .with("jobSubType", job.sub_type.clone())
        .with_opt("startDate", job.started_at.clone())
        .with_opt("endDate", job.ended_at.clone())
        .with("description", job.description.clone())
        .with_number("fileSuccessCount", c.success)
        .with_number("fileErrorCount", c.error)
        .with_number("fileWarningCount", c.warning)
        .with_number("fileDuplicateCount", c.duplicate)
        .with_number("fileUpdateCount", c.update)
        .with_number("totalFileCount", c.total)
        .with_number("transferSuccessCount", c.success + c.update)
        .with_number("transferErrorCount", c.error)
        .with_number("transferWarningCount", c.warning)
        .with_bool("fatalError", job.fatal)
}

/// A `JobLogDetail`.
pub fn detail(row: &DetailRow) -> Record {
    let d = &row.detail;
    Record::new()
        .with("logMessage", d.message.clone())
        .with("logType", d.log_type.clone())
        .with("dateCreated", row.created_at.clone())
        .with_opt("assetName", d.asset_name.clone())
        .with_opt("assetType", d.asset_type.clone())
        .with_opt("assetHandle", d.asset_handle.clone())
}

/// An `AssetJobLog`.
pub fn asset_job_log(job: &JobRow, row: &DetailRow) -> Record {
    Record::new()
        .with("jobHandle", handle(job))
        .with("jobName", job.name.clone())
        .with("logMessage", row.detail.message.clone())
        .with("logType", row.detail.log_type.clone())
        .with("submitUserEmail", job.submit_email.clone())
        .with("logDate", row.created_at.clone())
}
