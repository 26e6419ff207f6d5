//! `getActiveJobs`: the jobs that are running or waiting for a worker (and,
//! with `includeWaitingJobs`, those waiting for their time), filtered by
//! job handle or submitted name; upload servlet jobs count while open.

use crate::catalog::JobState;
use crate::ips::contract::prelude::*;
use crate::ips::jobs::{self, records, JOB_USERS};
use crate::ips::types::ACTIVE_JOB_ARRAY;
use crate::ips::value::{Params, Record, Value};
use crate::ips::{handler, Call, Error, Operation};

/// `getActiveJobs`.
pub static OPERATION: Operation = Operation {
    name: "getActiveJobs",
    since: Pre40,
    users: JOB_USERS,
    param: &[
        opt("companyHandle", STRING),
        opt("jobHandle", STRING),
        opt("originalName", STRING),
        opt("includeWaitingJobs", BOOLEAN).since(V2014_04_03),
    ],
    aliases: &[],
    ret: &[req("jobArray", of(&ACTIVE_JOB_ARRAY))],
    handler: handler!(get_active_jobs),
};

const ACTIVE: &[JobState] = &[JobState::New, JobState::Running, JobState::Held];
const WITH_WAITING: &[JobState] = &[
    JobState::New,
    JobState::Running,
    JobState::Held,
    JobState::Scheduled,
    JobState::Paused,
];

async fn get_active_jobs(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    let filter = jobs::filter(call, &p).await?;
    let states = if p.boolean("includeWaitingJobs")?.unwrap_or(false) {
        WITH_WAITING
    } else {
        ACTIVE
    };
    let found = match filter {
        Some(filter) => call.state.catalog.jobs_in(filter, states).await?,
        None => Vec::new(),
    };
    let items = found.iter().map(|j| Value::Record(records::active_job(j))).collect();
    Ok(Record::new().with_array("jobArray", items))
}
