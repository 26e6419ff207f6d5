//! `deleteMetadataField`: removes a field and, with it, every value assets
//! hold for it, in one catalog transaction.

use crate::ips::contract::prelude::*;
use crate::ips::metadata::{field_key, FIELD_ADMINS};
use crate::ips::refusal::Subject;
use crate::ips::value::{Params, Record};
use crate::ips::{company_for, handler, Call, Error, Operation};

/// `deleteMetadataField`: from 2008-01-15 (the 4.0 log implements it).
pub static OPERATION: Operation = Operation {
    name: "deleteMetadataField",
    since: V2008_01_15,
    users: FIELD_ADMINS,
    param: &[req("companyHandle", STRING), req("fieldHandle", STRING)],
    aliases: &[],
    ret: &[],
    handler: handler!(delete_metadata_field),
};

async fn delete_metadata_field(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    let raw_company = p.required("companyHandle")?;
    let company = company_for(call.principal, &raw_company)?;
    let raw_field = p.required("fieldHandle")?;
    let key = field_key(company, &raw_field)?;
    call.state
        .catalog
        .delete_metadata_field(company.0, key)
        .await
        .map_err(|e| Subject::new(company, &raw_company).field(&raw_field).refusal(e))?;
    Ok(Record::new())
}
