//! `deleteAssetMetadata` (2014-04-03): clears an asset's values for the
//! fields named, all or nothing. A field the asset holds no value for is
//! not an error; an unknown field handle is.

use crate::catalog::{FieldWrite, ValueWrite};
use crate::ips::contract::prelude::*;
use crate::ips::metadata::{company_fields, find, write_one, MAX_VALUES};
use crate::ips::refusal::{asset_handle, Subject};
use crate::ips::types::metadata::METADATA_DELETE_ARRAY;
use crate::ips::value::{Params, Record};
use crate::ips::{company_for, handler, Call, Error, Operation, WRITERS};

/// `deleteAssetMetadata`: new in 2014-04-03. Its page lists no user types;
/// those of `setAssetMetadata` are taken.
pub static OPERATION: Operation = Operation {
    name: "deleteAssetMetadata",
    since: V2014_04_03,
    users: WRITERS,
    param: &[
        req("companyHandle", STRING),
        req("assetHandle", STRING),
        req("deleteArray", of(&METADATA_DELETE_ARRAY)),
    ],
    aliases: &[],
    ret: &[],
    handler: handler!(delete_asset_metadata),
};

async fn delete_asset_metadata(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    let raw_company = p.required("companyHandle")?;
    let company = company_for(call.principal, &raw_company)?;
    let raw_asset = p.required("assetHandle")?;
    let asset = asset_handle(&raw_asset)?;
    let deletes = p.items("deleteArray").ok_or(Error::MissingParameter("deleteArray"))?;
    if deletes.len() > MAX_VALUES {
        return Err(Error::InvalidParameter(format!(
            "'deleteArray' holds {} items; at most {MAX_VALUES} are accepted",
            deletes.len()
        )));
    }
    let fields = company_fields(call, company, &raw_company).await?;
    let writes = deletes
        .iter()
        .map(|d| {
            let f = find(&fields, company, &d.string("fieldHandle").unwrap_or_default())?;
            Ok(FieldWrite {
                field_id: f.id,
                asset_type: f.asset_type.clone(),
                write: ValueWrite::Set(Vec::new()),
            })
        })
        .collect::<Result<Vec<_>, Error>>()?;
    let subject = Subject::new(company, &raw_company).asset(&raw_asset);
    write_one(call, subject, company, asset, writes).await
}
