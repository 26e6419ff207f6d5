//! `pauseJob`: holds a scheduled job's trigger, or a running job before its next item (see `ips::jobs::control`).

use crate::ips::contract::prelude::*;
use crate::ips::jobs::{self, control, JOB_USERS};
use crate::ips::value::{Params, Record};
use crate::ips::{handler, Call, Error, Operation};

/// `pauseJob`.
pub static OPERATION: Operation = Operation {
    name: "pauseJob",
    since: Pre40,
    users: JOB_USERS,
    param: &[req("companyHandle", STRING), req("jobHandle", STRING)],
    aliases: &[],
    ret: &[],
    handler: handler!(pause_job),
};

async fn pause_job(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    let (_, job) = jobs::named(call, &p).await?;
    control::pause(call.state, &job).await?;
    Ok(Record::new())
}
