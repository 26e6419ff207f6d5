//! `updatePropertySet` (from 2008-01-15): writes a set's properties. With
//! `replaceProperties` true the set holds exactly the given ones; otherwise
//! (the default, the page being silent) they are merged: a name the set has
//! takes the new value, a new name is added after the others, and names not
//! given keep theirs. A set the caller may not reach is a 30001, as an
//! unknown one.

use crate::ips::contract::prelude::*;
use crate::ips::property_sets::{properties, reachable_set};
use crate::ips::types::property_sets::PROPERTY_ARRAY;
use crate::ips::value::{Params, Record};
use crate::ips::{handler, Call, Error, Operation, EVERYONE};

/// `updatePropertySet`: every user type its page lists. The page calls
/// `replaceProperties` an `xsd:string`; the WSDLs, an `xsd:boolean`.
pub static OPERATION: Operation = Operation {
    name: "updatePropertySet",
    since: V2008_01_15,
    users: EVERYONE,
    param: &[
        req("setHandle", STRING),
        opt("replaceProperties", BOOLEAN),
        req("propertyArray", of(&PROPERTY_ARRAY)),
    ],
    aliases: &[],
    ret: &[],
    handler: handler!(update_property_set),
};

async fn update_property_set(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    let raw = p.required("setHandle")?;
    let set = reachable_set(call, &raw).await?;
    let replace = p.boolean("replaceProperties")?.unwrap_or(false);
    let pairs = properties(&p)?;
    if !call.state.catalog.update_property_set(set.id, pairs, replace).await? {
        // Deleted since it was looked up.
        return Err(Error::InvalidParameter(format!("Property set '{raw}' was not found")));
    }
    Ok(Record::new())
}
