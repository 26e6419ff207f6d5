//! `deleteJob`: removes a job that has not started (see `ips::jobs::control`).

use crate::ips::contract::prelude::*;
use crate::ips::jobs::{self, control, JOB_USERS};
use crate::ips::value::{Params, Record};
use crate::ips::{handler, Call, Error, Operation};

/// `deleteJob`.
pub static OPERATION: Operation = Operation {
    name: "deleteJob",
    since: Pre40,
    users: JOB_USERS,
    param: &[req("companyHandle", STRING), req("jobHandle", STRING)],
    aliases: &[],
    ret: &[],
    handler: handler!(delete_job),
};

async fn delete_job(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    let (_, job) = jobs::named(call, &p).await?;
    control::delete(call.state, &job).await?;
    Ok(Record::new())
}
