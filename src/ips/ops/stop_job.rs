//! `stopJob`: stops a running job before its next item (see `ips::jobs::control`).

use crate::ips::contract::prelude::*;
use crate::ips::jobs::{self, control, JOB_USERS};
use crate::ips::value::{Params, Record};
use crate::ips::{handler, Call, Error, Operation};

/// `stopJob`.
pub static OPERATION: Operation = Operation {
    name: "stopJob",
    since: Pre40,
    users: JOB_USERS,
    param: &[req("companyHandle", STRING), req("jobHandle", STRING)],
    aliases: &[],
    ret: &[],
    handler: handler!(stop_job),
};

async fn stop_job(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    let (_, job) = jobs::named(call, &p).await?;
    control::stop(call.state, &job).await?;
    Ok(Record::new())
}
