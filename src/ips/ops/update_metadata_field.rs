//! `updateMetadataField`: renames a field or changes its default, hidden
//! and enforced flags or initial tag value, and answers its handle — a new
//! one when the name changed, since handles hold the name. Values assets
//! hold are kept.

use crate::catalog::FieldChange;
use crate::ips::contract::prelude::*;
use crate::ips::metadata::{field_key, field_name, handle, FIELD_ADMINS};
use crate::ips::ops::create_metadata_field::check_default;
use crate::ips::refusal::Subject;
use crate::ips::value::{Params, Record};
use crate::ips::{company_for, handler, Call, Error, Operation};

/// `updateMetadataField`: from 2008-01-15, as `createMetadataField`.
pub static OPERATION: Operation = Operation {
    name: "updateMetadataField",
    since: V2008_01_15,
    users: FIELD_ADMINS,
    param: &[
        req("companyHandle", STRING),
        req("fieldHandle", STRING),
        opt("name", STRING),
        opt("defaultValue", STRING),
        opt("isHidden", BOOLEAN).since(V2010_01_31),
        opt("isEnforced", BOOLEAN).since(V2014_04_03),
        opt("initialTagValue", STRING).since(V2010_01_31),
    ],
    aliases: &[],
    ret: &[req("fieldHandle", STRING)],
    handler: handler!(update_metadata_field),
};

async fn update_metadata_field(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    let raw_company = p.required("companyHandle")?;
    let company = company_for(call.principal, &raw_company)?;
    let raw_field = p.required("fieldHandle")?;
    let key = field_key(company, &raw_field)?;
    let mut change = FieldChange {
        name: p.text("name").map(field_name).transpose()?,
        default_value: p.string("defaultValue"),
        hidden: p.boolean("isHidden")?,
        enforced: p.boolean("isEnforced")?,
        initial_tag_value: p.string("initialTagValue"),
    };
    let subject = Subject::new(company, &raw_company).field(&raw_field);
    let current = call
        .state
        .catalog
        .metadata_field(company.0, key.clone())
        .await
        .map_err(|e| subject.refusal(e))?;
    let mut after = current.clone();
    after.default_value = change.default_value.clone().unwrap_or(after.default_value);
    after.enforced = change.enforced.unwrap_or(after.enforced);
    let default = check_default(&after)?;
    if change.default_value.is_some() {
        change.default_value = Some(default);
    }
    let new_name = change.name.clone().unwrap_or_default();
    let updated = call
        .state
        .catalog
        .update_metadata_field(company.0, key, change)
        .await
        .map_err(|e| match e {
            crate::catalog::Error::MetadataFieldExists => {
                Subject::new(company, &raw_company).field(&new_name).refusal(e)
            }
            other => subject.refusal(other),
        })?;
    Ok(Record::new().with("fieldHandle", handle(&updated)))
}
