//! `getAssetJobLogs`: every job log line about one asset (its upload, its
//! updates, exports and reprocessing), oldest first.

use crate::ips::contract::prelude::*;
use crate::ips::jobs::{records, LOG_READERS};
use crate::ips::refusal::asset_handle;
use crate::ips::types::ASSET_JOB_LOG_ARRAY;
use crate::ips::value::{Params, Record, Value};
use crate::ips::{company_for, handler, Call, Error, Operation};

/// `getAssetJobLogs`.
pub static OPERATION: Operation = Operation {
    name: "getAssetJobLogs",
    since: V2008_01_15,
    users: LOG_READERS,
    param: &[req("companyHandle", STRING), req("assetHandle", STRING)],
    aliases: &[],
    ret: &[req("jobLogArray", of(&ASSET_JOB_LOG_ARRAY))],
    handler: handler!(get_asset_job_logs),
};

async fn get_asset_job_logs(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    let company = company_for(call.principal, &p.required("companyHandle")?)?;
    let raw = p.required("assetHandle")?;
    let handle = asset_handle(&raw)?;
    // Lines name assets by their long handle, whatever form the request
    // used; an asset in the trash still has its log.
    let asset = call
        .state
        .catalog
        .asset_in_any_state(company.0, handle)
        .await
        .map_err(|e| crate::ips::refusal::Subject::new(company, "").asset(&raw).refusal(e))?;
    let rows = call
        .state
        .catalog
        .asset_job_details(company.0, asset.handle().to_string())
        .await?;
    let items = rows
        .iter()
        .map(|(job, row)| Value::Record(records::asset_job_log(job, row)))
        .collect();
    Ok(Record::new().with_array("jobLogArray", items))
}
