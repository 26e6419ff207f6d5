//! `getMetadataFields`: the company's metadata fields that apply to an
//! asset type — those defined for the type and those defined for every
//! type (`Asset`) — each with its handle, type and default. The emulator
//! has no system-defined fields, so every field is user-defined.

use crate::ips::contract::prelude::*;
use crate::ips::metadata::{asset_type, field_record, READERS};
use crate::ips::refusal::Subject;
use crate::ips::types::metadata::METADATA_FIELD_ARRAY;
use crate::ips::value::{Params, Record};
use crate::ips::{company_for, handler, Call, Error, Operation};

/// `getMetadataFields`: in the pre-4.0 contract.
pub static OPERATION: Operation = Operation {
    name: "getMetadataFields",
    since: Pre40,
    users: READERS,
    param: &[req("companyHandle", STRING), req("assetType", STRING)],
    aliases: &[],
    ret: &[req("fieldArray", of(&METADATA_FIELD_ARRAY))],
    handler: handler!(get_metadata_fields),
};

async fn get_metadata_fields(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    let raw_company = p.required("companyHandle")?;
    let company = company_for(call.principal, &raw_company)?;
    let kind = asset_type(&p.required("assetType")?)?;
    let fields = call
        .state
        .catalog
        .metadata_fields(company.0, Some(kind.to_owned()))
        .await
        .map_err(|e| Subject::new(company, &raw_company).refusal(e))?;
    Ok(Record::new().with_array("fieldArray", fields.iter().map(|f| field_record(f).into()).collect()))
}
