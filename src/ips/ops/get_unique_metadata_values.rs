//! `getUniqueMetadataValues`: the distinct values the company's live
//! assets hold for a field, in value order (a field's default, shown by
//! assets without a value, is not among them: it is no asset's value).

use crate::ips::contract::prelude::*;
use crate::ips::metadata::{resolve, READERS};
use crate::ips::refusal::Subject;
use crate::ips::types::STRING_ARRAY;
use crate::ips::value::{Params, Record, Value};
use crate::ips::{company_for, handler, Call, Error, Operation};

/// `getUniqueMetadataValues`: pre-4.0 (3.7 added it).
pub static OPERATION: Operation = Operation {
    name: "getUniqueMetadataValues",
    since: Pre40,
    users: READERS,
    param: &[req("companyHandle", STRING), req("fieldHandle", STRING)],
    aliases: &[],
    ret: &[req("values", of(&STRING_ARRAY))],
    handler: handler!(get_unique_metadata_values),
};

async fn get_unique_metadata_values(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    let raw_company = p.required("companyHandle")?;
    let company = company_for(call.principal, &raw_company)?;
    let field = resolve(call, company, &raw_company, &p.required("fieldHandle")?).await?;
    let counts = call
        .state
        .catalog
        .metadata_value_counts(company.0, field.id)
        .await
        .map_err(|e| Subject::new(company, &raw_company).refusal(e))?;
    Ok(Record::new().with_array("values", counts.into_iter().map(|(v, _)| Value::from(v)).collect()))
}
