//! `saveMetadataField`: the pre-4.0 way to define a field, kept in every
//! version: without `fieldHandle` it creates the field, with one it
//! changes that field (its name, default and flags; its asset and field
//! types cannot change, so they must agree), answering the handle either
//! way.

use crate::auth::UserType::*;
use crate::catalog::FieldChange;
use crate::ips::contract::prelude::*;
use crate::ips::metadata::{field_key, handle};
use crate::ips::ops::create_metadata_field::new_field;
use crate::ips::refusal::Subject;
use crate::ips::value::{Params, Record};
use crate::ips::{company_for, handler, Call, Error, Operation};

/// `saveMetadataField`: pre-4.0, deprecated by 4.0 but in every WSDL.
pub static OPERATION: Operation = Operation {
    name: "saveMetadataField",
    since: Pre40,
    users: &[IpsUser, IpsAdmin, IpsCompanyAdmin, ImagePortalAdmin],
    param: &[
        req("companyHandle", STRING),
        opt("fieldHandle", STRING),
        req("assetType", STRING),
        req("name", STRING),
        req("fieldType", STRING),
        req("defaultValue", STRING),
        opt("isHidden", BOOLEAN).since(V2010_01_31),
        opt("isEnforced", BOOLEAN).since(V2014_04_03),
    ],
    aliases: &[],
    ret: &[req("fieldHandle", STRING)],
    handler: handler!(save_metadata_field),
};

async fn save_metadata_field(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    let raw_company = p.required("companyHandle")?;
    let company = company_for(call.principal, &raw_company)?;
    let field = new_field(&p, company.0)?;
    let subject = Subject::new(company, &raw_company);
    let Some(raw_field) = p.string("fieldHandle").filter(|h| !h.is_empty()) else {
        let created = call
            .state
            .catalog
            .create_metadata_field(company.0, field.clone())
            .await
            .map_err(|e| subject.field(&field.name).refusal(e))?;
        return Ok(Record::new().with("fieldHandle", handle(&created)));
    };
    let key = field_key(company, &raw_field)?;
    let current = call
        .state
        .catalog
        .metadata_field(company.0, key.clone())
        .await
        .map_err(|e| subject.field(&raw_field).refusal(e))?;
    if current.asset_type != field.asset_type || current.field_type != field.field_type {
        return Err(Error::InvalidParameter(format!(
            "Metadata field '{raw_field}' is a {} field of {} assets; its types cannot change",
            current.field_type, current.asset_type
        )));
    }
    let change = FieldChange {
        name: Some(field.name.clone()),
        default_value: Some(field.default_value),
        hidden: p.boolean("isHidden")?,
        enforced: p.boolean("isEnforced")?,
        initial_tag_value: None,
    };
    let updated = call
        .state
        .catalog
        .update_metadata_field(company.0, key, change)
        .await
        .map_err(|e| subject.field(&field.name).refusal(e))?;
    Ok(Record::new().with("fieldHandle", handle(&updated)))
}
