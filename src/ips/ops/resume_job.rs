//! `resumeJob`: lets a paused job go on (see `ips::jobs::control`).

use crate::ips::contract::prelude::*;
use crate::ips::jobs::{self, control, JOB_USERS};
use crate::ips::value::{Params, Record};
use crate::ips::{handler, Call, Error, Operation};

/// `resumeJob`.
pub static OPERATION: Operation = Operation {
    name: "resumeJob",
    since: Pre40,
    users: JOB_USERS,
    param: &[req("companyHandle", STRING), req("jobHandle", STRING)],
    aliases: &[],
    ret: &[],
    handler: handler!(resume_job),
};

async fn resume_job(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    let (_, job) = jobs::named(call, &p).await?;
    control::resume(call.state, &job).await?;
    Ok(Record::new())
}
