//! Metadata in requests and replies: field handles, asset and field types,
//! values checked against their field's type and converted for the
//! catalog, and the `MetadataField` and `Metadata` records.
//!
//! A field's handle is `m|<company id>|<TYPE>|<name>`, its asset type in
//! capitals (`ALL` for a field of every type, asset type `Asset`), as
//! Adobe's examples show (`m|21|IMAGE|createMetadataField`); the pre-4.0
//! form `<company id>|<TYPE>|<name>` (`47|ALL|Resolution`) is read too.
//! Renaming a field changes its handle, which is why `updateMetadataField`
//! answers one.

use crate::catalog::{
    FieldKey, FieldWrite, MetadataField, MetadataValue, StoredValue, ValueWrite, ASSET_TYPES, FIELD_TYPES,
};
use crate::clock;
use crate::handles::CompanyHandle;

use crate::auth::UserType;

use super::refusal::Subject;
use super::value::{Params, Record, Value};
use super::{Call, Error};

/// Longest field name accepted: names are keys of every search.
pub const MAX_FIELD_NAME: usize = 255;

/// Most values (and tags) one update may set.
pub const MAX_VALUES: usize = 100;

/// Longest value accepted, in bytes.
pub const MAX_VALUE_BYTES: usize = 4096;

/// The asset type as the API spells it, whatever the case it was sent in.
pub fn asset_type(raw: &str) -> Result<&'static str, Error> {
    ASSET_TYPES
        .iter()
        .find(|t| t.eq_ignore_ascii_case(raw))
        .copied()
        .ok_or_else(|| Error::InvalidParameter(format!("'{raw}' is not an asset type")))
}

/// The field type as the API spells it.
pub fn field_type(raw: &str) -> Result<&'static str, Error> {
    FIELD_TYPES
        .iter()
        .find(|t| t.eq_ignore_ascii_case(raw))
        .copied()
        .ok_or_else(|| {
            Error::InvalidParameter(format!(
                "'{raw}' is not a metadata field type (one of {})",
                FIELD_TYPES.join(", ")
            ))
        })
}

/// A new field's name: not empty, not too long, no `|` (handles are split
/// on it).
pub fn field_name(raw: &str) -> Result<String, Error> {
    let name = raw.trim();
    if name.is_empty() || name.len() > MAX_FIELD_NAME || name.contains('|') || name.chars().any(char::is_control) {
        return Err(Error::InvalidParameter(format!(
            "'{raw}' is not a metadata field name: 1 to {MAX_FIELD_NAME} characters, without '|' or control characters"
        )));
    }
    Ok(name.to_owned())
}

/// A field's handle.
pub fn handle(f: &MetadataField) -> String {
    let kind = if f.asset_type == "Asset" {
        "ALL".to_owned()
    } else {
        f.asset_type.to_ascii_uppercase()
    };
    format!("m|{}|{kind}|{}", f.company_id, f.name)
}

/// The field a handle names in `company`: its key, or a 30001 fault naming
/// the handle (also for another company's handle).
pub fn field_key(company: CompanyHandle, raw: &str) -> Result<FieldKey, Error> {
    let bad = || Error::InvalidParameter(format!("Invalid metadata field handle '{raw}'"));
    let rest = raw.strip_prefix("m|").unwrap_or(raw);
    let mut parts = rest.splitn(3, '|');
    let (Some(id), Some(kind), Some(name)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad());
    };
    if id.parse::<i64>().ok() != Some(company.0) || name.is_empty() {
        return Err(bad());
    }
    let asset_type = if kind.eq_ignore_ascii_case("ALL") {
        "Asset"
    } else {
        asset_type(kind).map_err(|_| bad())?
    };
    Ok(FieldKey {
        asset_type: asset_type.to_owned(),
        name: name.to_owned(),
    })
}

/// The user types that may read metadata (the pages of `getMetadataFields`,
/// `getUniqueMetadataValues`, `searchAssetsByMetadata`).
pub const READERS: &[UserType] = &[
    UserType::IpsUser,
    UserType::IpsAdmin,
    UserType::IpsCompanyAdmin,
    UserType::ImagePortalAdmin,
    UserType::ImagePortalUser,
    UserType::ImagePortalContrib,
    UserType::ImagePortalContribUser,
];

/// The user types that may change fields (`updateMetadataField`,
/// `deleteMetadataField`).
pub const FIELD_ADMINS: &[UserType] = &[
    UserType::IpsAdmin,
    UserType::IpsCompanyAdmin,
    UserType::ImagePortalAdmin,
];

/// The field `raw` (a handle sent in `company`'s request, sent as
/// `raw_company`) as the catalog has it.
pub async fn resolve(
    call: &Call<'_>,
    company: CompanyHandle,
    raw_company: &str,
    raw: &str,
) -> Result<MetadataField, Error> {
    let key = field_key(company, raw)?;
    call.state
        .catalog
        .metadata_field(company.0, key)
        .await
        .map_err(|e| Subject::new(company, raw_company).field(raw).refusal(e))
}

/// Every field of the company, for requests that name several.
pub async fn company_fields(
    call: &Call<'_>,
    company: CompanyHandle,
    raw_company: &str,
) -> Result<Vec<MetadataField>, Error> {
    call.state
        .catalog
        .metadata_fields(company.0, None)
        .await
        .map_err(|e| Subject::new(company, raw_company).refusal(e))
}

/// The field of `fields` a handle names.
pub fn find<'a>(fields: &'a [MetadataField], company: CompanyHandle, raw: &str) -> Result<&'a MetadataField, Error> {
    let key = field_key(company, raw)?;
    fields
        .iter()
        .find(|f| f.asset_type.eq_ignore_ascii_case(&key.asset_type) && f.name.eq_ignore_ascii_case(&key.name))
        .ok_or_else(|| Error::InvalidParameter(format!("Metadata field '{raw}' was not found in company '{company}'")))
}

/// Writes one asset's values, all or nothing; an empty reply.
pub async fn write_one(
    call: &Call<'_>,
    subject: Subject<'_>,
    company: CompanyHandle,
    asset: crate::handles::AssetHandle,
    writes: Vec<FieldWrite>,
) -> Result<Record, Error> {
    let mut results = call
        .state
        .catalog
        .write_asset_metadata(company.0, vec![(asset, writes)], call.principal.user_id)
        .await
        .map_err(|e| subject.refusal(e))?;
    match results.pop() {
        Some(Ok(())) => Ok(Record::new()),
        Some(Err(e)) => Err(subject.refusal(e)),
        None => Err(Error::Task),
    }
}

/// An `updateArray`'s writes; a failure names the field handle it is about.
pub fn writes(
    fields: &[MetadataField],
    company: CompanyHandle,
    updates: &[Params],
) -> Result<Vec<FieldWrite>, (String, Error)> {
    if updates.len() > MAX_VALUES {
        let e = Error::InvalidParameter(format!(
            "'updateArray' holds {} updates; at most {MAX_VALUES} are accepted",
            updates.len()
        ));
        return Err((String::new(), e));
    }
    updates
        .iter()
        .map(|u| {
            let raw = u.string("fieldHandle").unwrap_or_default();
            let write = find(fields, company, &raw).and_then(|f| {
                Ok(FieldWrite {
                    field_id: f.id,
                    asset_type: f.asset_type.clone(),
                    write: write(f, u)?,
                })
            });
            write.map_err(|e| (raw, e))
        })
        .collect()
}

/// A `MetadataField` record.
pub fn field_record(f: &MetadataField) -> Record {
    Record::new()
        .with("fieldHandle", handle(f))
        .with("name", f.name.as_str())
        .with("type", f.field_type.as_str())
        .with("defaultValue", f.default_value.as_str())
        .with_bool("isRequired", false)
        .with_bool("isUserDefined", true)
        .with_bool("isHidden", f.hidden)
        .with_bool("isEnforced", f.enforced)
        .with_opt("initialTagValue", f.initial_tag_value.as_deref())
}

fn is_tag(field_type: &str) -> bool {
    field_type.ends_with("Tag")
}

fn is_multi(field_type: &str) -> bool {
    field_type.starts_with("Multi")
}

/// The closed dictionary of a fixed-tag field: `True`/`False` for
/// `BooleanTag`, the comma-separated `initialTagValue` for the others.
fn dictionary(f: &MetadataField) -> Option<Vec<String>> {
    match f.field_type.as_str() {
        "BooleanTag" => Some(vec!["True".into(), "False".into()]),
        "SingleFixedTag" | "MultiFixedTag" => Some(
            f.initial_tag_value
                .as_deref()
                .unwrap_or("")
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
        ),
        _ => None,
    }
}

/// One value of field `f` as stored: checked against the type when the
/// field is enforced, or a fixed dictionary's; otherwise kept as text, with
/// its number when it reads as one.
pub fn stored(f: &MetadataField, raw: &str) -> Result<StoredValue, Error> {
    if raw.len() > MAX_VALUE_BYTES || raw.contains('\0') {
        return Err(Error::InvalidParameter(format!(
            "A value of metadata field '{}' is longer than {MAX_VALUE_BYTES} bytes or holds a NUL",
            f.name
        )));
    }
    let bad = |what: &str| {
        Error::InvalidParameter(format!(
            "'{raw}' is not {what}, as metadata field '{}' of type {} needs",
            f.name, f.field_type
        ))
    };
    if let Some(words) = dictionary(f) {
        let Some(word) = words.iter().find(|w| w.eq_ignore_ascii_case(raw)) else {
            return Err(bad("one of its tag values"));
        };
        return Ok(StoredValue {
            text: word.clone(),
            num: None,
        });
    }
    let text = raw.to_owned();
    let typed = match f.field_type.as_str() {
        "Boolean" => match raw.trim().to_ascii_lowercase().as_str() {
            "true" | "1" => Some(("true".to_owned(), 1.0)),
            "false" | "0" => Some(("false".to_owned(), 0.0)),
            _ => None,
        },
        "Int" => raw.trim().parse::<i64>().ok().map(|n| (n.to_string(), n as f64)),
        "Float" => raw
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .map(|n| (raw.trim().to_owned(), n)),
        "Date" => {
            return match clock::parse_date_time(raw.trim()) {
                Some(t) => Ok(StoredValue {
                    text: clock::utc_millis(t),
                    num: None,
                }),
                None if f.enforced => Err(bad("an xsd:dateTime")),
                None => Ok(StoredValue { text, num: None }),
            }
        }
        _ => {
            return Ok(StoredValue { text, num: None });
        }
    };
    match typed {
        Some((text, num)) => Ok(StoredValue { text, num: Some(num) }),
        None if f.enforced => Err(bad(match f.field_type.as_str() {
            "Boolean" => "a boolean",
            "Int" => "an integer",
            _ => "a number",
        })),
        None => Ok(StoredValue { text, num: None }),
    }
}

/// One `MetadataUpdate` for field `f` as the catalog's write. An empty
/// `value` clears the field.
pub fn write(f: &MetadataField, u: &Params) -> Result<ValueWrite, Error> {
    let tags = |name: &str| -> Result<Option<Vec<StoredValue>>, Error> {
        let Some(values) = u.strings(name) else {
            return Ok(None);
        };
        if values.len() > MAX_VALUES {
            return Err(Error::InvalidParameter(format!(
                "'{name}' holds {} values; at most {MAX_VALUES} are accepted",
                values.len()
            )));
        }
        values.iter().map(|v| stored(f, v)).collect::<Result<_, _>>().map(Some)
    };
    let tag_arrays = ["addTagValueArray", "setTagValueArray", "deleteTagValueArray"];
    if tag_arrays.iter().any(|n| u.has(n)) {
        if !is_tag(&f.field_type) {
            return Err(Error::InvalidParameter(format!(
                "Metadata field '{}' is of type {}, not a tag field: tag value arrays do not apply",
                f.name, f.field_type
            )));
        }
        let single = !is_multi(&f.field_type);
        let write = if let Some(set) = tags("setTagValueArray")? {
            ValueWrite::Set(set)
        } else if let Some(add) = tags("addTagValueArray")? {
            ValueWrite::Add(add)
        } else {
            let removed = tags("deleteTagValueArray")?.unwrap_or_default();
            ValueWrite::Remove(removed.into_iter().map(|v| v.text).collect())
        };
        if single && matches!(&write, ValueWrite::Set(v) | ValueWrite::Add(v) if v.len() > 1) {
            return Err(Error::InvalidParameter(format!(
                "Metadata field '{}' of type {} holds one value",
                f.name, f.field_type
            )));
        }
        // A single-valued tag field's added value replaces the one it had.
        return Ok(match write {
            ValueWrite::Add(v) if single => ValueWrite::Set(v),
            other => other,
        });
    }
    let raw = typed_text(u)?.ok_or(Error::MissingParameter("value"))?;
    if raw.is_empty() {
        return Ok(ValueWrite::Set(Vec::new()));
    }
    Ok(ValueWrite::Set(vec![stored(f, &raw)?]))
}

/// The value an update (or condition) gives as text: `value`, or one of the
/// typed values written as text.
fn typed_text(u: &Params) -> Result<Option<String>, Error> {
    if let Some(v) = u.string("value") {
        return Ok(Some(v));
    }
    if let Some(b) = u.boolean("boolVal")? {
        return Ok(Some(b.to_string()));
    }
    if let Some(n) = u.integer("longVal")? {
        return Ok(Some(n.to_string()));
    }
    Ok(u.string("doubleVal").or_else(|| u.string("dateVal")))
}

/// `Asset/metadataArray`'s items: each field's value, typed as the version
/// can show it (tags also as `valueArray` from 2013-02-15).
pub fn metadata_items(values: &[MetadataValue]) -> Vec<Value> {
    values.iter().map(|v| metadata_record(v).into()).collect()
}

fn metadata_record(v: &MetadataValue) -> Record {
    let joined = v.values.join(",");
    let first = v.values.first().map(String::as_str).unwrap_or("");
    let mut r = Record::new()
        .with("name", v.field.as_str())
        .with("value", joined.as_str());
    match v.field_type.as_str() {
        "Boolean" if matches!(first, "true" | "false") => r = r.with("boolVal", first),
        "Int" if first.parse::<i64>().is_ok() => r = r.with("longVal", first),
        "Float" if first.parse::<f64>().is_ok_and(f64::is_finite) => r = r.with("doubleVal", first),
        "Date" if clock::parse_date_time(first).is_some() => r = r.with("dateVal", first),
        _ => {}
    }
    if is_tag(&v.field_type) {
        r = r.with_array("valueArray", v.values.iter().map(|s| Value::from(s.as_str())).collect());
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(field_type: &str, enforced: bool) -> MetadataField {
        MetadataField {
            id: 1,
            company_id: 6,
            asset_type: "Image".into(),
            name: "Season".into(),
            field_type: field_type.into(),
            default_value: String::new(),
            hidden: false,
            enforced,
            initial_tag_value: Some("Spring, Summer".into()),
        }
    }

    #[test]
    fn handles_round_trip_and_name_their_company() {
        let f = field("String", false);
        assert_eq!(handle(&f), "m|6|IMAGE|Season");
        let key = field_key(CompanyHandle(6), "m|6|IMAGE|Season").expect("valid");
        assert_eq!((key.asset_type.as_str(), key.name.as_str()), ("Image", "Season"));
        let all = field_key(CompanyHandle(6), "6|ALL|Resolution").expect("pre-4.0 form");
        assert_eq!(all.asset_type, "Asset");
        for bad in ["m|21|IMAGE|Season", "m|6|NOPE|x", "m|6|IMAGE|", "Season", ""] {
            assert!(field_key(CompanyHandle(6), bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn values_are_checked_against_enforced_types() {
        assert_eq!(stored(&field("Int", true), " 42").expect("int").num, Some(42.0));
        assert!(stored(&field("Int", true), "4.2").is_err());
        assert_eq!(stored(&field("Int", false), "4.2").expect("kept").num, None);
        assert_eq!(stored(&field("Boolean", true), "TRUE").expect("bool").text, "true");
        assert!(stored(&field("Float", true), "NaN").is_err());
        assert_eq!(
            stored(&field("Date", true), "2014-07-25T22:13:45-05:00")
                .expect("date")
                .text,
            "2014-07-26T03:13:45.000Z"
        );
        assert_eq!(
            stored(&field("SingleFixedTag", false), "summer").expect("tag").text,
            "Summer"
        );
        assert!(stored(&field("SingleFixedTag", false), "Winter").is_err());
        assert!(stored(&field("String", false), &"x".repeat(MAX_VALUE_BYTES + 1)).is_err());
    }

    #[test]
    fn names_and_types_are_checked() {
        assert_eq!(field_type("int").expect("known"), "Int");
        assert!(field_type("Integer").is_err());
        assert_eq!(asset_type("image").expect("known"), "Image");
        assert!(field_name("a|b").is_err());
        assert!(field_name("  ").is_err());
        assert_eq!(field_name(" dc.rights ").expect("valid"), "dc.rights");
    }
}
