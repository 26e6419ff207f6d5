//! `getScheduledJobs`: the jobs waiting for their `execTime` (paused ones
//! included, with trigger state `Paused`).

use crate::catalog::JobState;
use crate::ips::contract::prelude::*;
use crate::ips::jobs::{self, records, JOB_USERS};
use crate::ips::types::SCHEDULED_JOB_ARRAY;
use crate::ips::value::{Params, Record, Value};
use crate::ips::{handler, Call, Error, Operation};

/// `getScheduledJobs`.
pub static OPERATION: Operation = Operation {
    name: "getScheduledJobs",
    since: Pre40,
    users: JOB_USERS,
    param: &[
        opt("companyHandle", STRING),
        opt("jobHandle", STRING),
        opt("originalName", STRING),
    ],
    aliases: &[],
    ret: &[req("jobArray", of(&SCHEDULED_JOB_ARRAY))],
    handler: handler!(get_scheduled_jobs),
};

const WAITING: &[JobState] = &[JobState::Scheduled, JobState::Paused];

async fn get_scheduled_jobs(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    let found = match jobs::filter(call, &p).await? {
        Some(filter) => call.state.catalog.jobs_in(filter, WAITING).await?,
        None => Vec::new(),
    };
    let items = found.iter().map(|j| Value::Record(records::scheduled_job(j))).collect();
    Ok(Record::new().with_array("jobArray", items))
}
