//! `deletePropertySet` (from 2008-01-15): deletes a set and its properties
//! in one catalog job. A set the caller may not reach is a 30001, as an
//! unknown one; its handle is not handed out again until a reset.

use crate::auth::UserType::*;
use crate::ips::contract::prelude::*;
use crate::ips::property_sets::reachable_set;
use crate::ips::value::{Params, Record};
use crate::ips::{handler, Call, Error, Operation};

/// `deletePropertySet`: the user types its page lists.
pub static OPERATION: Operation = Operation {
    name: "deletePropertySet",
    since: V2008_01_15,
    users: &[IpsAdmin, IpsCompanyAdmin, TrialSiteAdmin, ImagePortalAdmin],
    param: &[req("setHandle", STRING)],
    aliases: &[],
    ret: &[],
    handler: handler!(delete_property_set),
};

async fn delete_property_set(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    let raw = p.required("setHandle")?;
    let set = reachable_set(call, &raw).await?;
    if !call.state.catalog.delete_property_set(set.id).await? {
        return Err(Error::InvalidParameter(format!("Property set '{raw}' was not found")));
    }
    Ok(Record::new())
}
