//! `createMetadataField`: defines a metadata field for an asset type (or
//! every type, `Asset`), unique by name within the type, and answers its
//! handle. A tag field takes no default, as its page says; a non-empty
//! default of an enforced field must be a valid value of its type.

use crate::auth::UserType::*;
use crate::catalog::MetadataField;
use crate::ips::contract::prelude::*;
use crate::ips::metadata::{asset_type, field_name, field_type, handle, stored};
use crate::ips::refusal::Subject;
use crate::ips::value::{Params, Record};
use crate::ips::{company_for, handler, Call, Error, Operation};

/// `createMetadataField`: from 2008-01-15 (4.0 added it, deprecating
/// `saveMetadataField`); `isHidden`, `isEnforced` and `initialTagValue`
/// came with 4.5. Its page lists `IpsAdmin` only.
pub static OPERATION: Operation = Operation {
    name: "createMetadataField",
    since: V2008_01_15,
    users: &[IpsAdmin],
    param: &[
        req("companyHandle", STRING),
        req("assetType", STRING),
        req("name", STRING),
        req("fieldType", STRING),
        opt("defaultValue", STRING),
        opt("isHidden", BOOLEAN).since(V2010_01_31),
        opt("isEnforced", BOOLEAN).since(V2014_04_03),
        opt("initialTagValue", STRING).since(V2010_01_31),
    ],
    aliases: &[],
    ret: &[req("fieldHandle", STRING)],
    handler: handler!(create_metadata_field),
};

async fn create_metadata_field(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    let raw_company = p.required("companyHandle")?;
    let company = company_for(call.principal, &raw_company)?;
    let field = new_field(&p, company.0)?;
    let created = call
        .state
        .catalog
        .create_metadata_field(company.0, field.clone())
        .await
        .map_err(|e| Subject::new(company, &raw_company).field(&field.name).refusal(e))?;
    Ok(Record::new().with("fieldHandle", handle(&created)))
}

/// The field a `createMetadataField` or `saveMetadataField` request
/// describes, checked.
pub(crate) fn new_field(p: &Params, company_id: i64) -> Result<MetadataField, Error> {
    let mut field = MetadataField {
        id: 0,
        company_id,
        asset_type: asset_type(&p.required("assetType")?)?.to_owned(),
        name: field_name(&p.required("name")?)?,
        field_type: field_type(&p.required("fieldType")?)?.to_owned(),
        default_value: p.string("defaultValue").unwrap_or_default(),
        hidden: p.boolean("isHidden")?.unwrap_or(false),
        enforced: p.boolean("isEnforced")?.unwrap_or(false),
        initial_tag_value: p.string("initialTagValue").filter(|s| !s.is_empty()),
    };
    field.default_value = check_default(&field)?;
    Ok(field)
}

/// A field's default must be a value the field would take; it is kept as
/// a value is (`true`, a time in UTC), so that searches judge it alike.
pub(crate) fn check_default(f: &MetadataField) -> Result<String, Error> {
    if f.default_value.is_empty() {
        return Ok(String::new());
    }
    if f.field_type.ends_with("Tag") {
        return Err(Error::InvalidParameter(format!(
            "Metadata field '{}' is a tag field ({}), which takes no default value",
            f.name, f.field_type
        )));
    }
    stored(f, &f.default_value).map(|v| v.text)
}
