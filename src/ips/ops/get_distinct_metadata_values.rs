//! `getDistinctMetadataValues`: like `getUniqueMetadataValues`, with how
//! many live assets hold each value. `metadataKey` names a field as
//! `searchAssetsByMetadata` does (`custom_attributes.<name>`, or its
//! handle); the emulator reads no XMP, so XMP keys are refused.

use crate::ips::contract::prelude::*;
use crate::ips::meta_search::field_for_key;
use crate::ips::metadata::{company_fields, READERS};
use crate::ips::refusal::Subject;
use crate::ips::types::metadata::VALUE_COUNT_ARRAY;
use crate::ips::value::{Params, Record, Value};
use crate::ips::{company_for, handler, Call, Error, Operation};

/// `getDistinctMetadataValues`: from 2010-01-31 (the 4.5 log adds it).
pub static OPERATION: Operation = Operation {
    name: "getDistinctMetadataValues",
    since: V2010_01_31,
    users: READERS,
    param: &[req("companyHandle", STRING), req("metadataKey", STRING)],
    aliases: &[],
    ret: &[req("valueArray", of(&VALUE_COUNT_ARRAY))],
    handler: handler!(get_distinct_metadata_values),
};

async fn get_distinct_metadata_values(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    let raw_company = p.required("companyHandle")?;
    let company = company_for(call.principal, &raw_company)?;
    let fields = company_fields(call, company, &raw_company).await?;
    let field = field_for_key(&fields, company, &p.required("metadataKey")?)?;
    let counts = call
        .state
        .catalog
        .metadata_value_counts(company.0, field.id)
        .await
        .map_err(|e| Subject::new(company, &raw_company).refusal(e))?;
    let items = counts
        .into_iter()
        .map(|(value, count)| Value::from(Record::new().with("value", value).with_number("count", count)))
        .collect();
    Ok(Record::new().with_array("valueArray", items))
}
