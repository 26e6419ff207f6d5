//! `getAssetMetadataFields`: every metadata field of the company, grouped
//! by the asset type it is defined for (`Asset` first: the fields of every
//! type).

use crate::catalog::MetadataField;
use crate::ips::contract::prelude::*;
use crate::ips::metadata::{company_fields, field_record, READERS};
use crate::ips::types::metadata::ASSET_METADATA_FIELDS_ARRAY;
use crate::ips::value::{Params, Record, Value};
use crate::ips::{company_for, handler, Call, Error, Operation};

/// `getAssetMetadataFields`: from 2009-07-31 (the 4.4 log adds it).
pub static OPERATION: Operation = Operation {
    name: "getAssetMetadataFields",
    since: V2009_07_31,
    users: READERS,
    param: &[req("companyHandle", STRING)],
    aliases: &[],
    ret: &[req("assetFieldsArray", of(&ASSET_METADATA_FIELDS_ARRAY))],
    handler: handler!(get_asset_metadata_fields),
};

async fn get_asset_metadata_fields(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    let raw_company = p.required("companyHandle")?;
    let company = company_for(call.principal, &raw_company)?;
    let fields = company_fields(call, company, &raw_company).await?;
    let mut groups: Vec<(&str, Vec<&MetadataField>)> = Vec::new();
    for f in &fields {
        match groups.iter_mut().find(|(t, _)| *t == f.asset_type) {
            Some((_, list)) => list.push(f),
            None => groups.push((f.asset_type.as_str(), vec![f])),
        }
    }
    let items = groups
        .into_iter()
        .map(|(kind, list)| {
            Value::from(
                Record::new()
                    .with("assetType", kind)
                    .with_array("fieldArray", list.into_iter().map(|f| field_record(f).into()).collect()),
            )
        })
        .collect();
    Ok(Record::new().with_array("assetFieldsArray", items))
}
