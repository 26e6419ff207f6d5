//! `getJobLogs`: the logs of the jobs that have started (running ones
//! included, without an `endDate`), by company and submitter, within a
//! window of start dates, sorted and cut to `numRows`. Without a sort, the
//! newest first.

use crate::catalog::{LogQuery, LOG_SORT_COLUMNS};
use crate::ips::contract::prelude::*;
use crate::ips::jobs::{self, records, LOG_READERS};
use crate::ips::types::JOB_LOG_ARRAY;
use crate::ips::value::{Params, Record, Value};
use crate::ips::{handler, Call, Error, Operation};

/// `getJobLogs`.
pub static OPERATION: Operation = Operation {
    name: "getJobLogs",
    since: Pre40,
    users: LOG_READERS,
    param: &[
        opt("companyHandle", STRING),
        opt("userHandle", STRING),
        opt("sortBy", STRING),
        opt("sortDirection", STRING),
        opt("startDate", DATE_TIME),
        opt("endDate", DATE_TIME),
        opt("numRows", INT),
    ],
    aliases: &[],
    ret: &[req("jobLogArray", of(&JOB_LOG_ARRAY))],
    handler: handler!(get_job_logs),
};

async fn get_job_logs(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    let Some(mut filter) = jobs::filter(call, &p).await? else {
        return Ok(Record::new().with_array("jobLogArray", Vec::new()));
    };
    filter.submit_user = p.text("userHandle").map(jobs::user_id).transpose()?;
    let (sort, descending) = match p.text("sortBy") {
        Some(field) => {
            let column = LOG_SORT_COLUMNS
                .iter()
                .find(|(name, _)| *name == field)
                .map(|(_, column)| *column)
                .ok_or_else(|| {
                    let names: Vec<&str> = LOG_SORT_COLUMNS.iter().map(|(n, _)| *n).collect();
                    Error::InvalidParameter(format!("sortBy must be one of {}, not '{field}'", names.join(", ")))
                })?;
            (column, jobs::descending(&p)?.unwrap_or(false))
        }
        None => ("j.started_at", jobs::descending(&p)?.unwrap_or(true)),
    };
    let limit = match p.integer("numRows")? {
        Some(n) if n < 0 => {
            return Err(Error::InvalidParameter(format!(
                "numRows must not be negative, not {n}"
            )))
        }
        other => other,
    };
    let query = LogQuery {
        filter,
        start: p
            .text("startDate")
            .map(|t| records::catalog_time("startDate", t))
            .transpose()?,
        end: p
            .text("endDate")
            .map(|t| records::catalog_time("endDate", t))
            .transpose()?,
        sort,
        descending,
        limit,
    };
    let logs = call.state.catalog.job_logs(query).await?;
    let items = logs.iter().map(|j| Value::Record(records::job_log(j))).collect();
    Ok(Record::new().with_array("jobLogArray", items))
}
