//! `submitJob`: records a job of one kind and starts it (or arms it for its
//! `execTime`); the reply is its handle, before any of its work is done.

use crate::catalog::NewJob;
use crate::ips::contract::prelude::*;
use crate::ips::jobs::{self, kinds, records, spec, SUBMITTERS};
use crate::ips::refusal::Subject;
use crate::ips::types::JOB_KIND_FIELDS;
use crate::ips::value::{Params, Record};
use crate::ips::{company_for, handler, Call, Error, Operation};

/// `submitJob`.
pub static OPERATION: Operation = Operation {
    name: "submitJob",
    since: Pre40,
    users: SUBMITTERS,
    param: fields![
        &[
            req("companyHandle", STRING),
            opt("userHandle", STRING),
            req("jobName", STRING),
            opt("locale", STRING).since(V2008_01_15),
            opt("execTime", DATE_TIME),
            opt("execSchedule", STRING),
            opt("description", STRING).since(V2008_01_15),
        ],
        JOB_KIND_FIELDS,
    ],
    aliases: &[],
    ret: &[req("jobHandle", STRING)],
    handler: handler!(submit_job),
};

/// Longest job name accepted, in bytes.
const MAX_JOB_NAME_BYTES: usize = 255;

async fn submit_job(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    let raw_company = p.required("companyHandle")?;
    let company = company_for(call.principal, &raw_company)?;
    let name = p.required("jobName")?;
    if name.is_empty() || name.len() > MAX_JOB_NAME_BYTES || name.chars().any(char::is_control) {
        return Err(Error::InvalidParameter(format!(
            "jobName must be 1 to {MAX_JOB_NAME_BYTES} bytes long with no control characters"
        )));
    }
    // Only e-mails go to userHandle, and the emulator sends none.
    p.refuse(&["userHandle"])?;
    if p.has("execSchedule") {
        return Err(Error::NotEmulated(
            "Recurring jobs (execSchedule) are not implemented by this emulator; give an execTime".into(),
        ));
    }
    let exec_time = p
        .text("execTime")
        .map(|raw| records::catalog_time("execTime", raw))
        .transpose()?;
    let (element, kind) = kinds::the_kind(&p)?;
    let work = kinds::work(element, &kind)?;
    kinds::callback(element, &kind)?;
    let sub_type = match work {
        kinds::Work::Publish { publish, .. } => publish.sub_type().to_owned(),
        _ => String::new(),
    };
    let job = NewJob {
        company_id: company.0,
        kind: kinds::type_of(element).to_owned(),
        original_name: name,
        description: p.string("description").unwrap_or_default(),
        locale: p.string("locale"),
        spec: spec::encode(element, &kind.into_record()),
        exec_time,
        submit_user: call.principal.user_id,
        sub_type,
    };
    let job = call
        .state
        .catalog
        .submit_job(job)
        .await
        .map_err(|e| Subject::new(company, &raw_company).refusal(e))?;
    if job.exec_time.is_some() {
        jobs::arm(call.state, &job);
    } else {
        jobs::spawn(call.state, job.id);
    }
    Ok(Record::new().with("jobHandle", jobs::handle(&job)))
}
