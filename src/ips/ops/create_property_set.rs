//! `createPropertySet` (from 2008-01-15): a set of name-value pairs of a
//! type, attached to an owner (and a secondary owner). As the page says,
//! when the type does not allow several sets per owner, the owners' set of
//! the type is replaced: deleted with its properties, in the same catalog
//! job that creates the new one, which gets a new handle. Names must be
//! distinct. Permissions are not kept: a `permissionArray` (from
//! 2010-01-31) is refused (30001) rather than ignored.

use crate::auth::UserType::*;
use crate::catalog::NewPropertySet;
use crate::ips::contract::prelude::*;
use crate::ips::property_sets::{optional_owner, owner, properties, visible_type};
use crate::ips::types::property_sets::{set_handle, PERMISSION_UPDATE_ARRAY, PROPERTY_ARRAY};
use crate::ips::value::{Params, Record};
use crate::ips::{handler, Call, Error, Operation};

/// `createPropertySet`: the user types its page lists. `permissionArray`
/// from 2010-01-31, as the 4.5 list has it (the 6.0 log lists it again).
pub static OPERATION: Operation = Operation {
    name: "createPropertySet",
    since: V2008_01_15,
    users: &[IpsAdmin, IpsCompanyAdmin, TrialSiteAdmin, ImagePortalAdmin],
    param: &[
        req("typeHandle", STRING),
        req("primaryOwnerHandle", STRING),
        opt("secondaryOwnerHandle", STRING),
        req("propertyArray", of(&PROPERTY_ARRAY)),
        opt("permissionArray", of(&PERMISSION_UPDATE_ARRAY)).since(V2010_01_31),
    ],
    aliases: &[],
    ret: &[req("setHandle", STRING)],
    handler: handler!(create_property_set),
};

async fn create_property_set(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    p.refuse(&["permissionArray"])?;
    let found = visible_type(call, &p.required("typeHandle")?).await?;
    let raw_primary = p.required("primaryOwnerHandle")?;
    let primary = owner(call, &raw_primary).await?;
    let secondary = optional_owner(call, &p, "secondaryOwnerHandle").await?;
    let new = NewPropertySet {
        type_id: found.id,
        primary,
        secondary,
        properties: properties(&p)?,
    };
    let id = call.state.catalog.create_property_set(new).await?;
    Ok(Record::new().with("setHandle", set_handle(id)))
}
