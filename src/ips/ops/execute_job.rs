//! `executeJob`: runs a scheduled job now (see `ips::jobs::control`).

use crate::ips::contract::prelude::*;
use crate::ips::jobs::{self, control, SUBMITTERS};
use crate::ips::value::{Params, Record};
use crate::ips::{handler, Call, Error, Operation};

/// `executeJob`.
pub static OPERATION: Operation = Operation {
    name: "executeJob",
    since: Pre40,
    users: SUBMITTERS,
    param: &[req("companyHandle", STRING), req("jobHandle", STRING)],
    aliases: &[],
    ret: &[],
    handler: handler!(execute_job),
};

async fn execute_job(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    let (_, job) = jobs::named(call, &p).await?;
    control::execute(call.state, &job).await?;
    Ok(Record::new())
}
