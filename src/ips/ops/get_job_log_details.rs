//! `getJobLogDetails`: a job's log with a page of its lines, by job handle
//! or by submitted name (every job of that name), filtered by log type and
//! sorted by date or log type.

use crate::catalog::{DetailQuery, JobState};
use crate::ips::contract::prelude::*;
use crate::ips::jobs::{self, records, DETAIL_READERS};
use crate::ips::types::{JOB_LOG_ARRAY, STRING_ARRAY};
use crate::ips::value::{Params, Record, Value};
use crate::ips::{handler, Call, Error, Operation};

/// `getJobLogDetails`.
pub static OPERATION: Operation = Operation {
    name: "getJobLogDetails",
    since: Pre40,
    users: DETAIL_READERS,
    param: &[
        req("companyHandle", STRING),
        opt("jobHandle", STRING),
        opt("originalName", STRING),
        opt("logTypeArray", of(&STRING_ARRAY)),
        opt("recordsPerPage", INT),
        opt("resultsPage", INT),
        opt("sortBy", STRING),
        opt("sortDirection", STRING),
    ],
    aliases: &[],
    ret: &[req("jobLogArray", of(&JOB_LOG_ARRAY))],
    handler: handler!(get_job_log_details),
};

/// Lines per page, by default and at most (the reference page's figure).
const MAX_PER_PAGE: i64 = 1000;

const EVERY_STATE: &[JobState] = &[
    JobState::New,
    JobState::Running,
    JobState::Held,
    JobState::Done,
    JobState::Failed,
    JobState::Stopped,
];

async fn get_job_log_details(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    if !p.has("jobHandle") && !p.has("originalName") {
        return Err(Error::MissingParameter("jobHandle"));
    }
    let per_page = match p.integer("recordsPerPage")? {
        None => MAX_PER_PAGE,
        Some(n) if (1..=MAX_PER_PAGE).contains(&n) => n,
        Some(n) => {
            return Err(Error::InvalidParameter(format!(
                "recordsPerPage must be 1 to {MAX_PER_PAGE}, not {n}"
            )))
        }
    };
    let page = match p.integer("resultsPage")? {
        None => 1,
        Some(n) if n >= 1 => n,
        Some(n) => {
            return Err(Error::InvalidParameter(format!(
                "resultsPage must be at least 1, not {n}"
            )))
        }
    };
    let by_type = match p.text("sortBy") {
        None | Some("Date") => false,
        Some("LogType") => true,
        Some(other) => {
            return Err(Error::InvalidParameter(format!(
                "sortBy must be Date or LogType, not '{other}'"
            )))
        }
    };
    let descending = jobs::descending(&p)?.unwrap_or(false);
    let types = p.strings("logTypeArray").unwrap_or_default();
    let found = match jobs::filter(call, &p).await? {
        Some(filter) => call.state.catalog.jobs_in(filter, EVERY_STATE).await?,
        None => Vec::new(),
    };
    if found.is_empty() {
        let what = p
            .string("jobHandle")
            .or_else(|| p.string("originalName"))
            .unwrap_or_default();
        return Err(Error::InvalidParameter(format!("No job log was found for '{what}'")));
    }
    let mut items = Vec::with_capacity(found.len());
    for job in &found {
        let query = DetailQuery {
            job_id: job.id,
            types: types.clone(),
            by_type,
            descending,
            per_page,
            page,
        };
        let (lines, total) = call.state.catalog.job_details(query).await?;
        let details = lines.iter().map(|l| Value::Record(records::detail(l))).collect();
        let log = records::job_log(job)
            .with_number("detailTotalRows", total)
            .with_array("detailArray", details);
        items.push(Value::Record(log));
    }
    Ok(Record::new().with_array("jobLogArray", items))
}
