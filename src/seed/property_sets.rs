//! The property set part of a seed: types (a company's, or global) and
//! sets of name-value pairs owned by a seeded company, each checked against
//! the seed's companies and types.

use serde::Deserialize;

use super::{company_id, Error};
use crate::catalog::{Owner, PropertySet, PropertySetSeed, PropertySetType, SeedData};

/// The property types Adobe's `PropertySetType` page lists.
const PROPERTY_TYPES: [&str; 3] = ["UserProperty", "CompanyProperty", "UserCompanyProperty"];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct TypeEntry {
    /// `pt|<id>`.
    handle: String,
    /// The company (handle) the type belongs to; none: a global type.
    #[serde(default)]
    company: Option<String>,
    name: String,
    /// One of [`PROPERTY_TYPES`].
    property_type: String,
    #[serde(default)]
    allow_multiple: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SetEntry {
    /// `ps|<id>`.
    handle: String,
    /// The type's handle.
    #[serde(rename = "type")]
    type_handle: String,
    /// The owning company's handle.
    owner: String,
    #[serde(default)]
    properties: Vec<PropertyEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PropertyEntry {
    name: String,
    value: String,
}

fn id(handle: &str, prefix: &str) -> Result<i64, Error> {
    handle
        .strip_prefix(prefix)
        .and_then(|d| d.parse().ok())
        .filter(|n: &i64| *n > 0)
        .ok_or_else(|| Error::Invalid(format!("bad handle {handle}, expected {prefix}<id>")))
}

/// The seed's types and sets, checked against its companies.
pub(super) fn property_sets(types: &[TypeEntry], sets: &[SetEntry], data: &SeedData) -> Result<PropertySetSeed, Error> {
    let seeded = |company: i64| data.companies.iter().any(|c| c.id == company);
    let mut seed = PropertySetSeed::default();
    for t in types {
        let company_id = t.company.as_deref().map(company_id).transpose()?;
        if company_id.is_some_and(|c| !seeded(c)) || !PROPERTY_TYPES.contains(&t.property_type.as_str()) {
            return Err(Error::Invalid(format!(
                "property set type {}: an unknown company, or a property type not one of {PROPERTY_TYPES:?}",
                t.name
            )));
        }
        seed.types.push(PropertySetType {
            id: id(&t.handle, "pt|")?,
            company_id,
            name: t.name.clone(),
            property_type: t.property_type.clone(),
            allow_multiple: t.allow_multiple,
        });
    }
    for s in sets {
        let type_id = id(&s.type_handle, "pt|")?;
        let owner = company_id(&s.owner)?;
        if !seed.types.iter().any(|t| t.id == type_id) || !seeded(owner) {
            return Err(Error::Invalid(format!(
                "property set {}: type {} or owner {} is not in the seed",
                s.handle, s.type_handle, s.owner
            )));
        }
        seed.sets.push(PropertySet {
            id: id(&s.handle, "ps|")?,
            type_id,
            primary: Owner::Company(owner),
            secondary: None,
            properties: s.properties.iter().map(|p| (p.name.clone(), p.value.clone())).collect(),
        });
    }
    Ok(seed)
}
