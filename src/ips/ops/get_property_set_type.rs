//! `getPropertySetType` (from 2008-01-15): a property set type by name.
//! With a company, the company's type of that name, else the global one
//! (the page makes the company optional "because a property set type can
//! belong to multiple companies"); without, the global one. Names compare
//! exactly; no type of that name is a 30001.

use crate::ips::contract::prelude::*;
use crate::ips::property_sets::optional_company;
use crate::ips::types::property_sets::{property_set_type, PROPERTY_SET_TYPE};
use crate::ips::value::{Params, Record};
use crate::ips::{handler, Call, Error, Operation, EVERYONE};

/// `getPropertySetType`: every user type its page lists.
pub static OPERATION: Operation = Operation {
    name: "getPropertySetType",
    since: V2008_01_15,
    users: EVERYONE,
    param: &[opt("companyHandle", STRING), req("name", STRING)],
    aliases: &[],
    ret: &[req("type", of(&PROPERTY_SET_TYPE))],
    handler: handler!(get_property_set_type),
};

async fn get_property_set_type(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    let company = optional_company(call, &p).await?;
    let name = p.required("name")?;
    let catalog = &call.state.catalog;
    let own = match company {
        Some(c) => catalog.property_set_type_named(Some(c.0), name.clone()).await?,
        None => None,
    };
    let found = match own {
        Some(t) => Some(t),
        None => catalog.property_set_type_named(None, name.clone()).await?,
    };
    let found = found.ok_or_else(|| Error::InvalidParameter(format!("Property set type '{name}' was not found")))?;
    Ok(Record::new().with("type", property_set_type(&found)))
}
