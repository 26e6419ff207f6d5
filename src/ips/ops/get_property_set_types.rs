//! `getPropertySetTypes` (from 2008-01-15): the property set types of the
//! company, or the global ones when no company is given, as the page says;
//! a company's list does not repeat the global types. Client code looks for
//! the global `Adobe.SPS.ApplicationSetting` type this way, with no
//! company, to read the company's application settings (its CDN
//! invalidation template) through `getPropertySets`.

use crate::ips::contract::prelude::*;
use crate::ips::property_sets::optional_company;
use crate::ips::types::property_sets::{property_set_type, PROPERTY_SET_TYPE_ARRAY};
use crate::ips::value::{Params, Record, Value};
use crate::ips::{handler, Call, Error, Operation, EVERYONE};

/// `getPropertySetTypes`: every user type its page lists. Its examples are
/// in the 2008-01-15 namespace; the 4.0 log renames a field of
/// `PropertySetType`, a shape before 2008-01-15 that no contract records.
pub static OPERATION: Operation = Operation {
    name: "getPropertySetTypes",
    since: V2008_01_15,
    users: EVERYONE,
    param: &[opt("companyHandle", STRING)],
    aliases: &[],
    ret: &[req("typeArray", of(&PROPERTY_SET_TYPE_ARRAY))],
    handler: handler!(get_property_set_types),
};

async fn get_property_set_types(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    let company = optional_company(call, &p).await?;
    let types = call.state.catalog.property_set_types(company.map(|c| c.0)).await?;
    let items = types.iter().map(|t| Value::Record(property_set_type(t))).collect();
    Ok(Record::new().with_array("typeArray", items))
}
