//! The job rows the catalog hands out and takes in (see `jobs`).

/// Where a job is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobState {
    /// Waiting for its `execTime`.
    Scheduled,
    /// A scheduled job held by `pauseJob`: it will not start until resumed.
    Paused,
    /// Submitted, not started yet (waiting for a worker).
    New,
    /// Doing its work.
    Running,
    /// Held at its next step by `pauseJob` until `resumeJob`.
    Held,
    /// Ran to its end (some items may have failed).
    Done,
    /// Ended by an error that stopped the whole job, or by a shutdown.
    Failed,
    /// Ended by `stopJob` before its end.
    Stopped,
}

impl JobState {
    /// The stored text.
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Scheduled => "Scheduled",
            JobState::Paused => "Paused",
            JobState::New => "New",
            JobState::Running => "Running",
            JobState::Held => "Held",
            JobState::Done => "Done",
            JobState::Failed => "Failed",
            JobState::Stopped => "Stopped",
        }
    }

    pub(super) fn parse(s: &str) -> JobState {
        match s {
            "Scheduled" => JobState::Scheduled,
            "Paused" => JobState::Paused,
            "New" => JobState::New,
            "Running" => JobState::Running,
            "Held" => JobState::Held,
            "Done" => JobState::Done,
            "Stopped" => JobState::Stopped,
            _ => JobState::Failed,
        }
    }

    /// Whether the job has ended.
    pub fn ended(self) -> bool {
        matches!(self, JobState::Done | JobState::Failed | JobState::Stopped)
    }

    /// Whether the job waits for a time (or for `resumeJob`/`executeJob`)
    /// rather than for a worker.
    pub fn scheduled(self) -> bool {
        matches!(self, JobState::Scheduled | JobState::Paused)
    }
}

/// A job to record.
#[derive(Clone, Debug)]
pub struct NewJob {
    /// Its company.
    pub company_id: i64,
    /// Its kind (`ActiveJob/type`).
    pub kind: String,
    /// The name as submitted.
    pub original_name: String,
    /// `description`.
    pub description: String,
    /// `locale`.
    pub locale: Option<String>,
    /// The kind's parameters, as the `ips` layer wrote them.
    pub spec: String,
    /// `execTime`, when the job waits for it.
    pub exec_time: Option<String>,
    /// Who submitted it.
    pub submit_user: i64,
    /// `jobSubType` (publish jobs: `full`, `increment`…), else empty.
    pub sub_type: String,
}

/// Counters a job log reports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct JobCounts {
    /// Files that succeeded.
    pub success: i64,
    /// Files that failed.
    pub error: i64,
    /// Files with a warning.
    pub warning: i64,
    /// Files skipped as duplicates.
    pub duplicate: i64,
    /// Existing assets updated.
    pub update: i64,
    /// Files the job handled.
    pub total: i64,
}

/// A job row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobRow {
    /// Job id (last part of the handle).
    pub id: i64,
    /// Company id.
    pub company_id: i64,
    /// Kind.
    pub kind: String,
    /// Unique name.
    pub name: String,
    /// Name as submitted.
    pub original_name: String,
    /// `description`.
    pub description: String,
    /// `locale`.
    pub locale: Option<String>,
    /// The kind's parameters.
    pub spec: String,
    /// State.
    pub state: JobState,
    /// `jobSubType`.
    pub sub_type: String,
    /// `execTime`, if it waits or waited for one.
    pub exec_time: Option<String>,
    /// The submitter's login.
    pub submit_email: String,
    /// The submitter.
    pub submit_user: Option<i64>,
    /// Submitted.
    pub created_at: String,
    /// Started.
    pub started_at: Option<String>,
    /// Ended.
    pub ended_at: Option<String>,
    /// 0–100.
    pub progress: i64,
    /// What it is doing.
    pub progress_message: String,
    /// Last change of progress.
    pub updated_at: String,
    /// Counters.
    pub counts: JobCounts,
    /// Whether an error ended the whole job.
    pub fatal: bool,
    /// An upload servlet job: whether its files overwrite.
    pub overwrite: bool,
    /// An upload servlet job: whether `endJob` closed it.
    pub closed: bool,
    /// An export job: the stored archive's key.
    pub export_hash: Option<String>,
}

impl JobRow {
    /// The log type of the job as a whole (the first line of its log).
    pub fn begin_type(&self) -> String {
        format!("Begin{}", log_stem(&self.kind))
    }
}

/// The stem job log types are built on for a kind (`BeginUpload`,
/// `EndUploadUrls`…).
pub fn log_stem(kind: &str) -> &str {
    match kind {
        "UploadPost" => "Upload",
        "UrlUpload" => "UploadUrls",
        "ReprocessAssets" => "Reoptimize",
        other => other,
    }
}

/// A log line to add.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewDetail {
    /// Job log type.
    pub log_type: String,
    /// Message.
    pub message: String,
    /// The file or asset it concerns.
    pub asset_name: Option<String>,
    /// Its file type (`MasterImage`, `Zip`…).
    pub asset_type: Option<String>,
    /// Its asset's handle.
    pub asset_handle: Option<String>,
}

impl NewDetail {
    /// A line with a type and a message only.
    pub fn new(log_type: impl Into<String>, message: impl Into<String>) -> Self {
        NewDetail {
            log_type: log_type.into(),
            message: message.into(),
            ..NewDetail::default()
        }
    }

    /// The same line, about an asset.
    pub fn asset(mut self, name: impl Into<String>, kind: &str, handle: Option<String>) -> Self {
        self.asset_name = Some(name.into());
        self.asset_type = Some(kind.to_owned());
        self.asset_handle = handle;
        self
    }
}

/// A stored log line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DetailRow {
    /// The job.
    pub job_id: i64,
    /// The line.
    pub detail: NewDetail,
    /// When it was written.
    pub created_at: String,
}

/// Which jobs a listing wants.
#[derive(Clone, Debug, Default)]
pub struct JobFilter {
    /// Only these companies' (every company's when empty).
    pub companies: Vec<i64>,
    /// Only this job.
    pub id: Option<i64>,
    /// Only the job of this unique name.
    pub name: Option<String>,
    /// Only jobs submitted under this name.
    pub original_name: Option<String>,
    /// Only jobs this user submitted.
    pub submit_user: Option<i64>,
}

/// How a job-log listing is sorted and cut.
#[derive(Clone, Debug)]
pub struct LogQuery {
    /// Which jobs.
    pub filter: JobFilter,
    /// Started at or after.
    pub start: Option<String>,
    /// Started at or before.
    pub end: Option<String>,
    /// `ORDER BY` column, one of [`LOG_SORT_COLUMNS`]' values.
    pub sort: &'static str,
    /// Descending.
    pub descending: bool,
    /// At most this many.
    pub limit: Option<i64>,
}

/// `getJobLogs`' sort fields and the columns they order by.
pub const LOG_SORT_COLUMNS: &[(&str, &str)] = &[
    ("JobName", "j.name"),
    ("LogType", "j.kind"),
    ("StartDate", "j.started_at"),
    ("CompanyName", "c.name"),
    ("UserId", "u.email"),
    ("Email", "u.email"),
    ("FileErrorCount", "j.file_error"),
    ("FileWarningCount", "j.file_warning"),
    ("FileSuccessCount", "j.file_success"),
];

/// A page of one job's log lines.
#[derive(Clone, Debug)]
pub struct DetailQuery {
    /// The job.
    pub job_id: i64,
    /// Only these log types (all when empty).
    pub types: Vec<String>,
    /// Sort by log type rather than date.
    pub by_type: bool,
    /// Descending.
    pub descending: bool,
    /// Lines per page.
    pub per_page: i64,
    /// Page, from 1.
    pub page: i64,
}

/// How a job ends.
#[derive(Clone, Debug)]
pub struct JobEnd {
    /// Done, Failed or Stopped.
    pub state: JobState,
    /// The last log line(s).
    pub details: Vec<NewDetail>,
    /// A stored archive the log names (export jobs).
    pub export_hash: Option<String>,
}
