//! Jobs: `submitJob`'s work, run inside the process.
//!
//! A submitted job is recorded first (New, or Scheduled with an
//! `execTime`), then run by a task of its own: it waits for a worker slot
//! (as many as CPU permits; the heavy steps also take the CPU budget),
//! becomes Running, does its work item by item — each item's files and log
//! line committed together, so a job cut short leaves whole items only —
//! and ends Done, Stopped (`stopJob`) or Failed. A job is kept Running at
//! least `--job-hold`, so that a client's polling loop sees it. Jobs a
//! previous process left running are marked failed at start-up; scheduled
//! ones are armed again.

pub mod control;
mod export;
pub mod kinds;
mod notify;
mod publish;
pub mod records;
mod reprocess;
pub mod spec;
mod urls;
mod zip;

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use crate::app::AppState;
use crate::catalog::{JobCounts, JobEnd, JobRow, JobState, NewDetail};
use crate::handles::JobHandle;
use crate::tasks::{Control, Stopped};

pub use export::archive;
pub use kinds::Work;

use super::value::Params;
use super::{company_for, Call, Error};
use crate::auth::UserType;
use crate::handles::CompanyHandle;

/// Who may see and control jobs (the job operations' reference pages).
pub const JOB_USERS: &[UserType] = &[
    UserType::IpsAdmin,
    UserType::IpsCompanyAdmin,
    UserType::IpsUser,
    UserType::TrialSiteAdmin,
    UserType::TrialSiteUser,
    UserType::ImagePortalAdmin,
    UserType::ImagePortalContrib,
    UserType::ImagePortalContribUser,
];

/// Who may submit and run jobs: the same but IpsCompanyAdmin.
pub const SUBMITTERS: &[UserType] = &[
    UserType::IpsAdmin,
    UserType::IpsUser,
    UserType::TrialSiteAdmin,
    UserType::TrialSiteUser,
    UserType::ImagePortalAdmin,
    UserType::ImagePortalContrib,
    UserType::ImagePortalContribUser,
];

/// Who may read job logs: [`JOB_USERS`] and ImagePortalUser.
pub const LOG_READERS: &[UserType] = &[
    UserType::IpsAdmin,
    UserType::IpsCompanyAdmin,
    UserType::IpsUser,
    UserType::TrialSiteAdmin,
    UserType::TrialSiteUser,
    UserType::ImagePortalAdmin,
    UserType::ImagePortalUser,
    UserType::ImagePortalContrib,
    UserType::ImagePortalContribUser,
];

/// Who may read a job log's details: [`LOG_READERS`] but TrialSiteAdmin.
pub const DETAIL_READERS: &[UserType] = &[
    UserType::IpsAdmin,
    UserType::IpsCompanyAdmin,
    UserType::IpsUser,
    UserType::TrialSiteUser,
    UserType::ImagePortalAdmin,
    UserType::ImagePortalUser,
    UserType::ImagePortalContrib,
    UserType::ImagePortalContribUser,
];

/// The companies a listing covers: the `companyHandle` given (checked as
/// every operation checks it), else every company the caller belongs to.
pub fn companies(call: &Call<'_>, p: &Params) -> Result<Vec<i64>, Error> {
    match p.text("companyHandle") {
        Some(raw) => Ok(vec![company_for(call.principal, raw)?.0]),
        None => Ok(call.principal.companies.clone()),
    }
}

/// The jobs a listing asks for by `companyHandle`, `jobHandle` and
/// `originalName`; `None` when the handle names no job of those companies
/// (the listing is then empty, as it is for a name no job has).
pub async fn filter(call: &Call<'_>, p: &Params) -> Result<Option<crate::catalog::JobFilter>, Error> {
    let companies = companies(call, p)?;
    // No company means no job: an empty list would mean every company's.
    if companies.is_empty() {
        return Ok(None);
    }
    let (id, name) = match p.text("jobHandle") {
        Some(raw) => match JobHandle::parse(raw) {
            Some(h) if companies.contains(&h.company) => (Some(h.id), Some(h.name)),
            _ => return Ok(None),
        },
        None => (None, None),
    };
    Ok(Some(crate::catalog::JobFilter {
        companies,
        id,
        name,
        original_name: p.string("originalName"),
        submit_user: None,
    }))
}

/// The job a request names by `companyHandle` and `jobHandle`.
pub async fn named(call: &Call<'_>, p: &Params) -> Result<(CompanyHandle, JobRow), Error> {
    let company = company_for(call.principal, &p.required("companyHandle")?)?;
    let job = find(call.state, company.0, &p.required("jobHandle")?).await?;
    Ok((company, job))
}

/// What a job's work ended with.
pub(crate) struct Finished {
    /// Whether the job as a whole failed (no item could be done).
    failed: bool,
    /// Its last log lines.
    details: Vec<NewDetail>,
    /// An archive it stored (export jobs).
    export_hash: Option<String>,
}

/// One item's outcome: its log line and what it counts.
pub(crate) struct Step {
    detail: NewDetail,
    counts: JobCounts,
}

impl Step {
    fn ok(detail: NewDetail) -> Step {
        Step {
            detail,
            counts: JobCounts {
                success: 1,
                total: 1,
                ..JobCounts::default()
            },
        }
    }

    fn failed(detail: NewDetail) -> Step {
        Step {
            detail,
            counts: JobCounts {
                error: 1,
                total: 1,
                ..JobCounts::default()
            },
        }
    }
}

/// The handle of a job row.
pub fn handle(job: &JobRow) -> String {
    JobHandle {
        company: job.company_id,
        name: job.name.clone(),
        id: job.id,
    }
    .to_string()
}

/// The job a handle names, in `company_id`; 30001 if there is none.
pub async fn find(state: &AppState, company_id: i64, raw: &str) -> Result<JobRow, Error> {
    let missing = || Error::InvalidParameter(format!("Invalid job handle '{raw}'"));
    let parsed = JobHandle::parse(raw).ok_or_else(missing)?;
    if parsed.company != company_id {
        return Err(missing());
    }
    match state.catalog.job(company_id, parsed.id).await {
        Ok(job) if job.name == parsed.name => Ok(job),
        Ok(_) | Err(crate::catalog::Error::JobNotFound) => Err(missing()),
        Err(e) => Err(e.into()),
    }
}

/// Starts job `id` in a task of its own, unless it is already active.
pub fn spawn(state: &Arc<AppState>, id: i64) {
    let Some(control) = state.tasks.register(id) else {
        return;
    };
    let state = state.clone();
    tokio::spawn(async move {
        // Dropped when the task ends, a panic included, so that the job
        // never stays active (and `drain` never waits) for nothing.
        let _active = Active(state.clone(), id);
        if let Err(e) = run(&state, id, &control).await {
            tracing::error!(job = id, error = %e, "job failed to record its end");
        }
    });
}

/// A job's place among the active ones, given up when dropped.
struct Active(Arc<AppState>, i64);

impl Drop for Active {
    fn drop(&mut self) {
        self.0.tasks.finish(self.1);
    }
}

/// Arms a scheduled job: a task sleeps until its `execTime`, then starts it
/// if it is still scheduled (not paused, deleted or run by `executeJob`).
pub fn arm(state: &Arc<AppState>, job: &JobRow) {
    let wait = job
        .exec_time
        .as_deref()
        .and_then(records::parse_time)
        .and_then(|at| at.duration_since(SystemTime::now()).ok())
        .unwrap_or_default();
    let (id, company) = (job.id, job.company_id);
    let generation = state.tasks.generation();
    // A timer does not keep the service alive: it holds a weak reference.
    let weak = Arc::downgrade(state);
    tokio::spawn(async move {
        tokio::time::sleep(wait).await;
        let Some(state) = weak.upgrade() else {
            return;
        };
        if state.tasks.generation() != generation || state.tasks.shutting_down() {
            return;
        }
        match state
            .catalog
            .move_job(company, id, &[JobState::Scheduled], JobState::New)
            .await
        {
            Ok(true) => spawn(&state, id),
            Ok(false) | Err(crate::catalog::Error::JobNotFound) => {}
            Err(e) => tracing::error!(job = id, error = %e, "could not start a scheduled job"),
        }
    });
}

/// At start-up: marks the jobs a previous process left unfinished as
/// failed, and arms the scheduled ones.
pub async fn recover(state: &Arc<AppState>) -> Result<(), crate::catalog::Error> {
    let failed = state.catalog.fail_interrupted_jobs().await?;
    if !failed.is_empty() {
        tracing::warn!(jobs = ?failed, "jobs interrupted by the last shutdown were marked failed");
    }
    let every_company = crate::catalog::JobFilter::default();
    for job in state.catalog.jobs_in(every_company, &[JobState::Scheduled]).await? {
        arm(state, &job);
    }
    Ok(())
}

/// On a shared catalog: renews this instance's job leases a few times per
/// lease, and fails the jobs of instances whose leases ran out (they
/// stopped without ending them), as a restart fails its own.
pub fn watch_leases(state: &Arc<AppState>) {
    if !state.catalog.is_shared() {
        return;
    }
    let weak = Arc::downgrade(state);
    tokio::spawn(async move {
        let every = crate::catalog::JOB_LEASE / 3;
        loop {
            tokio::time::sleep(every).await;
            let Some(state) = weak.upgrade() else {
                return;
            };
            if state.tasks.shutting_down() {
                return;
            }
            if let Err(e) = state.catalog.renew_job_leases().await {
                tracing::warn!(error = %e, "could not renew job leases");
            }
            match state.catalog.take_over_jobs().await {
                Ok(ids) if !ids.is_empty() => {
                    tracing::warn!(jobs = ?ids, "jobs of an instance that stopped were marked failed")
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "could not look for other instances' interrupted jobs"),
            }
        }
    });
}

async fn run(state: &Arc<AppState>, id: i64, control: &Control) -> Result<(), Error> {
    let _slot = state.tasks.slot().await;
    let begun = Instant::now();
    let Some(job) = state.catalog.start_job(id).await? else {
        return Ok(());
    };
    let first = vec![
        NewDetail::new(job.begin_type(), format!("{} has begun", job.kind)),
        NewDetail::new("OriginalJobName", job.original_name.clone()),
        NewDetail::new("JobClient", "ips-emulator"),
    ];
    state
        .catalog
        .job_step(id, first, JobCounts::default(), (0, "Started".into()))
        .await?;
    let mut callback = None;
    let outcome = match spec::decode(&job.spec, crate::ips::types::JOB_KIND_FIELDS) {
        Some((field, record)) => {
            let params = record.into();
            callback = kinds::callback(field.name, &params).ok().flatten();
            match kinds::work(field.name, &params) {
                Ok(work) => perform(state, &job, work, control).await,
                Err(e) => Ok(fatal(&e.to_string())),
            }
        }
        None => Ok(fatal("The job's parameters could not be read")),
    };
    let held = hold(state, begun, control).await;
    let ended = state.catalog.end_job(id, ending(state, &job, outcome, held)).await?;
    if let (true, Some(url)) = (ended, callback) {
        notify::send(state, &job, &url).await;
    }
    Ok(())
}

/// How a job ends, from its work's outcome and its hold's.
fn ending(state: &AppState, job: &JobRow, outcome: Result<Finished, Stopped>, held: Result<(), Stopped>) -> JobEnd {
    let stem = crate::catalog::log_stem(&job.kind);
    match (outcome, held) {
        (Err(Stopped), _) | (_, Err(Stopped)) if state.tasks.shutting_down() => JobEnd {
            state: JobState::Failed,
            details: vec![NewDetail::new(
                "FatalError",
                "The job was interrupted by a shutdown of the service before it ended; it did not finish.",
            )],
            export_hash: None,
        },
        (Err(Stopped), _) | (_, Err(Stopped)) => JobEnd {
            state: JobState::Stopped,
            details: vec![NewDetail::new(format!("End{stem}"), "The job was stopped")],
            export_hash: None,
        },
        (Ok(finished), Ok(())) => {
            let mut details = finished.details;
            details.push(NewDetail::new(format!("End{stem}"), format!("{} has ended", job.kind)));
            JobEnd {
                state: if finished.failed {
                    JobState::Failed
                } else {
                    JobState::Done
                },
                details,
                export_hash: finished.export_hash,
            }
        }
    }
}

fn fatal(message: &str) -> Finished {
    Finished {
        failed: true,
        details: vec![NewDetail::new("FatalError", message)],
        export_hash: None,
    }
}

/// Keeps the job Running until `--job-hold` has passed since it began.
async fn hold(state: &AppState, begun: Instant, control: &Control) -> Result<(), Stopped> {
    let left = state.tasks.hold().saturating_sub(begun.elapsed());
    if left > Duration::ZERO {
        control.sleep(left).await?;
    }
    control.checkpoint().await
}

async fn perform(state: &Arc<AppState>, job: &JobRow, work: Work, control: &Control) -> Result<Finished, Stopped> {
    match work {
        Work::UploadUrls {
            urls,
            overwrite,
            ready_for_publish,
            then_publish,
        } => {
            let finished = urls::run(state, job, &urls, (overwrite, ready_for_publish), control).await?;
            match then_publish {
                Some(publish) if !finished.failed => publish::run(state, job, false, publish, control).await,
                _ => Ok(finished),
            }
        }
        Work::Publish { rendering, publish } => publish::run(state, job, rendering, publish, control).await,
        Work::Export { assets, convert } => export::run(state, job, &assets, convert.as_deref(), control).await,
        Work::Reprocess { assets } => reprocess::run(state, job, &assets, control).await,
    }
}

/// Records one item's step: its log line and counts (unless the item's own
/// catalog job wrote them), and the job's progress.
pub(crate) async fn record(state: &AppState, job: &JobRow, step: Option<Step>, done: usize, of: usize) {
    let progress = (done * 100 / of.max(1)) as i64;
    let message = format!("{done} of {of} items processed");
    let (details, counts) = step.map_or((Vec::new(), JobCounts::default()), |s| (vec![s.detail], s.counts));
    if let Err(e) = state
        .catalog
        .job_step(job.id, details, counts, (progress, message))
        .await
    {
        tracing::error!(job = job.id, error = %e, "could not record a job step");
    }
}

/// `sortDirection`: `Some(true)` for `Descending`.
pub fn descending(p: &Params) -> Result<Option<bool>, Error> {
    match p.text("sortDirection") {
        None => Ok(None),
        Some("Ascending") => Ok(Some(false)),
        Some("Descending") => Ok(Some(true)),
        Some(other) => Err(Error::InvalidParameter(format!(
            "sortDirection must be Ascending or Descending, not '{other}'"
        ))),
    }
}

/// The user id of a `userHandle` (`u|<id>|…`, or the pre-4.0 `<id>|…`).
pub fn user_id(raw: &str) -> Result<i64, Error> {
    crate::ips::ops::get_user_info::parse_user_handle(raw)
        .map(|(id, _)| id)
        .ok_or_else(|| Error::InvalidParameter(format!("Invalid user handle '{raw}'")))
}

/// Why a job could not work on an asset it names, for its log line: one in
/// the trash is left alone, as a publish leaves it. A failure of the
/// catalog itself is logged with its cause and named only as such, since
/// the job log carries no internal detail.
pub fn asset_refusal(e: crate::catalog::Error) -> String {
    match e {
        crate::catalog::Error::AssetInTrash => "is in the trash".to_owned(),
        crate::catalog::Error::AssetNotFound | crate::catalog::Error::CompanyNotFound => {
            "no such asset in the company".to_owned()
        }
        other => {
            tracing::error!(error = %other, "a job could not read an asset");
            "could not be read from the catalog".to_owned()
        }
    }
}
