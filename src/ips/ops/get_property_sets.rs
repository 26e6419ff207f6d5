//! `getPropertySets` (from 2008-01-15): the sets of a type attached to an
//! owner. With a secondary owner, only the sets that have it; without, every
//! set of the primary owner, whatever its secondary owner. The type must be
//! global or the caller's company's, the owners ones the caller may reach
//! (`ips::property_sets`).

use crate::ips::contract::prelude::*;
use crate::ips::property_sets::{optional_owner, owner, visible_type};
use crate::ips::types::property_sets::{property_set, PROPERTY_SET_ARRAY};
use crate::ips::value::{Params, Record, Value};
use crate::ips::{handler, Call, Error, Operation, EVERYONE};

/// `getPropertySets`: every user type its page lists.
pub static OPERATION: Operation = Operation {
    name: "getPropertySets",
    since: V2008_01_15,
    users: EVERYONE,
    param: &[
        req("typeHandle", STRING),
        req("primaryOwnerHandle", STRING),
        opt("secondaryOwnerHandle", STRING),
    ],
    aliases: &[],
    ret: &[req("setArray", of(&PROPERTY_SET_ARRAY))],
    handler: handler!(get_property_sets),
};

async fn get_property_sets(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    let found = visible_type(call, &p.required("typeHandle")?).await?;
    let primary = owner(call, &p.required("primaryOwnerHandle")?).await?;
    let secondary = optional_owner(call, &p, "secondaryOwnerHandle").await?;
    let sets = call.state.catalog.property_sets(found.id, primary, secondary).await?;
    let items = sets.iter().map(|s| Value::Record(property_set(s))).collect();
    Ok(Record::new().with_array("setArray", items))
}
