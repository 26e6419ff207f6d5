//! The property set types: `PropertySetType`, `Property`, `PropertySet`,
//! their arrays, and `PermissionUpdate`, which `createPropertySet` takes;
//! with the records replies build from the catalog's rows.
//!
//! The operations start with 2008-01-15, where the 4.0 log renamed
//! `PropertySetType`'s `type` to `propertyType`, so every version here has
//! `propertyType`. `PropertySet/permissions` is from 2010-01-31 (the 4.5
//! list, as every field that list adds).

use super::asset::PERMISSION_ARRAY;
use crate::catalog::{PropertySet, PropertySetType};
use crate::handles::CompanyHandle;
use crate::ips::contract::prelude::*;
use crate::ips::value::{Record, Value};

/// `PropertySetType`.
pub static PROPERTY_SET_TYPE: Type = Type::new(
    "PropertySetType",
    &[
        req("typeHandle", STRING),
        opt("companyHandle", STRING),
        req("name", STRING),
        req("propertyType", STRING),
        req("allowMultiple", BOOLEAN),
    ],
);

/// `PropertySetTypeArray`.
pub static PROPERTY_SET_TYPE_ARRAY: Type = Type::new("PropertySetTypeArray", &[many("items", of(&PROPERTY_SET_TYPE))]);

/// `Property`.
pub static PROPERTY: Type = Type::new("Property", &[req("name", STRING), req("value", STRING)]);

/// `PropertyArray`.
pub static PROPERTY_ARRAY: Type = Type::new("PropertyArray", &[many("items", of(&PROPERTY))]);

/// `PropertySet`.
pub static PROPERTY_SET: Type = Type::new(
    "PropertySet",
    &[
        req("setHandle", STRING),
        req("typeHandle", STRING),
        req("propertyArray", of(&PROPERTY_ARRAY)),
        opt("permissions", of(&PERMISSION_ARRAY)).since(V2010_01_31),
    ],
);

/// `PropertySetArray`.
pub static PROPERTY_SET_ARRAY: Type = Type::new("PropertySetArray", &[many("items", of(&PROPERTY_SET))]);

/// `PermissionUpdate`.
pub static PERMISSION_UPDATE: Type = Type::new(
    "PermissionUpdate",
    &[
        req("groupHandle", STRING),
        req("permissionType", STRING),
        req("isAllowed", BOOLEAN),
        req("isOverride", BOOLEAN),
    ],
);

/// `PermissionUpdateArray`.
pub static PERMISSION_UPDATE_ARRAY: Type = Type::new("PermissionUpdateArray", &[many("items", of(&PERMISSION_UPDATE))]);

/// A type's handle, `pt|<id>` (Adobe's examples: `pt|1`, `pt|10801`).
pub fn type_handle(id: i64) -> String {
    format!("pt|{id}")
}

/// A set's handle, `ps|<id>` (Adobe's example: `ps|941`).
pub fn set_handle(id: i64) -> String {
    format!("ps|{id}")
}

/// A type as `PropertySetType` shows it; a global type has no company.
pub fn property_set_type(t: &PropertySetType) -> Record {
    Record::new()
        .with("typeHandle", type_handle(t.id))
        .with_opt("companyHandle", t.company_id.map(|c| CompanyHandle(c).to_string()))
        .with("name", t.name.as_str())
        .with("propertyType", t.property_type.as_str())
        .with_bool("allowMultiple", t.allow_multiple)
}

/// A set as `PropertySet` shows it: no permissions are kept.
pub fn property_set(s: &PropertySet) -> Record {
    let properties = s
        .properties
        .iter()
        .map(|(name, value)| Value::Record(Record::new().with("name", name.as_str()).with("value", value.as_str())))
        .collect();
    Record::new()
        .with("setHandle", set_handle(s.id))
        .with("typeHandle", type_handle(s.type_id))
        .with_array("propertyArray", properties)
}
