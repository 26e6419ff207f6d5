//! Metadata conditions in requests (`searchAssetsByMetadata`'s and
//! `searchAssets`' `metadataConditionArray`, `searchAssets`'
//! `tagConditionArray`) as catalog conditions, and the `AssetSummary`
//! records `searchAssetsByMetadata` answers with.
//!
//! A condition's `fieldHandle` is a metadata search key: a system key of
//! Adobe's list (`asset_id`, `name`, `folder_path`, `type`, `file_name`,
//! `created_at`, `created_by`, `modified_at`, `modified_by`), a user-defined
//! field as `custom_attributes.<name>`, or a field's handle. Keys of what
//! the emulator does not keep (`description`, `comment`, `user_data`,
//! `sku`, XMP keys such as `dc.rights`) are refused rather than matched
//! against nothing.

use crate::catalog::{AssetDetail, CompareOp, MetaCondition, MetaKey, MetaTest, MetadataField, Operand, SystemKey};
use crate::clock;
use crate::handles::CompanyHandle;

use super::metadata::{find, MAX_VALUES};
use super::search::text_op;
use super::value::{Params, Record, Value};
use super::Error;

/// Most conditions one request may combine.
pub const MAX_CONDITIONS: usize = 100;

const SYSTEM_KEYS: &[(&str, SystemKey)] = &[
    ("asset_id", SystemKey::AssetId),
    ("name", SystemKey::Name),
    ("folder_path", SystemKey::FolderPath),
    ("type", SystemKey::Type),
    ("file_name", SystemKey::FileName),
    ("created_at", SystemKey::CreatedAt),
    ("created_by", SystemKey::CreatedBy),
    ("modified_at", SystemKey::ModifiedAt),
    ("modified_by", SystemKey::ModifiedBy),
];

/// Keys Adobe lists that name what the emulator does not keep.
const UNKEPT_KEYS: &[&str] = &["description", "comment", "user_data", "sku"];

/// The user-defined field a key names: `custom_attributes.<name>` or a
/// field handle.
pub fn field_for_key<'a>(
    fields: &'a [MetadataField],
    company: CompanyHandle,
    raw: &str,
) -> Result<&'a MetadataField, Error> {
    if let Some(name) = raw.strip_prefix("custom_attributes.") {
        // A name may be defined for several asset types: the field of
        // every type first, then the others in the catalog's order.
        return fields
            .iter()
            .filter(|f| f.name.eq_ignore_ascii_case(name))
            .min_by_key(|f| f.asset_type != "Asset")
            .ok_or_else(|| {
                Error::InvalidParameter(format!("No metadata field is named '{name}' in company '{company}'"))
            });
    }
    if raw.contains('|') {
        return find(fields, company, raw);
    }
    Err(Error::InvalidParameter(format!(
        "'{raw}' is not a metadata search key this emulator keeps: a system key ({}), \
         custom_attributes.<field name>, or a field handle",
        SYSTEM_KEYS.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(", ")
    )))
}

/// What a key names.
fn key(fields: &[MetadataField], company: CompanyHandle, raw: &str) -> Result<(MetaKey, Kind), Error> {
    if let Some((_, k)) = SYSTEM_KEYS.iter().find(|(name, _)| name.eq_ignore_ascii_case(raw)) {
        let kind = match k {
            SystemKey::AssetId => Kind::Number,
            SystemKey::CreatedAt | SystemKey::ModifiedAt => Kind::Time,
            _ => Kind::Text,
        };
        return Ok((MetaKey::System(*k), kind));
    }
    if UNKEPT_KEYS.iter().any(|k| k.eq_ignore_ascii_case(raw)) {
        return Err(Error::InvalidParameter(format!(
            "The metadata search key '{raw}' is not kept by this emulator"
        )));
    }
    let f = field_for_key(fields, company, raw)?;
    let kind = match f.field_type.as_str() {
        "Int" | "Float" | "Boolean" => Kind::Number,
        "Date" => Kind::Time,
        _ => Kind::Text,
    };
    let key = MetaKey::Field {
        id: f.id,
        asset_type: f.asset_type.clone(),
        default: Some(f.default_value.clone()).filter(|d| !d.is_empty()),
    };
    Ok((key, kind))
}

/// How a key's values compare in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Text,
    Number,
    Time,
}

pub(crate) fn compare_op(raw: &str) -> Option<CompareOp> {
    Some(match raw {
        "Equals" => CompareOp::Equals,
        "NotEquals" => CompareOp::NotEquals,
        "LessThan" => CompareOp::LessThan,
        "LessThanEquals" => CompareOp::LessThanEquals,
        "GreaterThan" => CompareOp::GreaterThan,
        "GreaterThanEquals" => CompareOp::GreaterThanEquals,
        "Between" => CompareOp::Between,
        "NotBetween" => CompareOp::NotBetween,
        _ => return None,
    })
}

/// One `MetadataCondition`.
pub fn condition(fields: &[MetadataField], company: CompanyHandle, c: &Params) -> Result<MetaCondition, Error> {
    let raw_key = c.text("fieldHandle").unwrap_or_default();
    let op = c.text("op").unwrap_or_default();
    let bad = |why: String| Error::InvalidParameter(format!("metadataCondition {raw_key}/{op}: {why}"));
    let (key, kind) = key(fields, company, raw_key)?;
    let case_sensitive = c.boolean("caseSensitive")?.unwrap_or(false);
    if let Some(values) = c.strings("values") {
        if op != "Equals" {
            return Err(bad("'values' is compared with Equals only".into()));
        }
        value_list(&values).map_err(bad)?;
        return Ok(MetaCondition {
            key,
            test: MetaTest::AnyOf(values),
        });
    }
    let typed = [
        "boolVal",
        "longVal",
        "minLong",
        "doubleVal",
        "minDouble",
        "dateVal",
        "minDate",
    ]
    .iter()
    .any(|n| c.has(n));
    if !typed {
        let op = text_op(op).ok_or_else(|| bad(format!("'{op}' is not a string operator")))?;
        let value = c.string("value").ok_or_else(|| bad("a value is required".into()))?;
        let test = MetaTest::Text {
            op,
            value,
            case_sensitive,
        };
        return Ok(MetaCondition { key, test });
    }
    let op = compare_op(op).ok_or_else(|| bad(format!("'{op}' is not a comparison operator")))?;
    let ranged = matches!(op, CompareOp::Between | CompareOp::NotBetween);
    let (lo, hi) = operands(c, kind, ranged).map_err(bad)?;
    Ok(MetaCondition {
        key,
        test: MetaTest::Compare(op, lo, hi),
    })
}

/// A typed condition's operands, as the key's kind compares them.
fn operands(c: &Params, kind: Kind, ranged: bool) -> Result<(Operand, Option<Operand>), String> {
    let number = |name: &str| -> Result<Option<f64>, String> {
        match c.text(name) {
            None => Ok(None),
            Some("true") if name == "boolVal" => Ok(Some(1.0)),
            Some("false") if name == "boolVal" => Ok(Some(0.0)),
            Some(t) => t
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|n| n.is_finite())
                .map(Some)
                .ok_or_else(|| format!("{name} '{t}' is not a number")),
        }
    };
    let time = |name: &str| -> Result<Option<Operand>, String> {
        c.text(name)
            .map(|t| {
                clock::parse_date_time(t)
                    .map(|t| Operand::Time(clock::utc_millis(t)))
                    .ok_or_else(|| format!("{name} '{t}' is not an xsd:dateTime"))
            })
            .transpose()
    };
    let required = |v: Option<Operand>, name: &str| v.ok_or_else(|| format!("{name} is required"));
    match (kind, ranged) {
        (Kind::Time, false) => Ok((required(time("dateVal")?, "dateVal")?, None)),
        (Kind::Time, true) => Ok((
            required(time("minDate")?, "minDate")?,
            Some(required(time("maxDate")?, "maxDate")?),
        )),
        (Kind::Number, false) => {
            let v = number("longVal")?.or(number("doubleVal")?).or(number("boolVal")?);
            Ok((required(v.map(Operand::Number), "longVal, doubleVal or boolVal")?, None))
        }
        (Kind::Number, true) => {
            let lo = number("minLong")?.or(number("minDouble")?).map(Operand::Number);
            let hi = number("maxLong")?.or(number("maxDouble")?).map(Operand::Number);
            Ok((
                required(lo, "minLong or minDouble")?,
                Some(required(hi, "maxLong or maxDouble")?),
            ))
        }
        (Kind::Text, _) => Err("typed values do not apply to a text key".into()),
    }
}

/// One `TagCondition`: `Matches` with `value`, `MatchesAny` or `MatchesAll`
/// with `valueArray`, on a tag field.
pub fn tag_condition(fields: &[MetadataField], company: CompanyHandle, c: &Params) -> Result<MetaCondition, Error> {
    let raw_key = c.text("fieldHandle").unwrap_or_default();
    let op = c.text("op").unwrap_or_default();
    let bad = |why: &str| Error::InvalidParameter(format!("tagCondition {raw_key}/{op}: {why}"));
    let field = field_for_key(fields, company, raw_key)?;
    if !field.field_type.ends_with("Tag") {
        return Err(bad("the field is not a tag field"));
    }
    if let Some(values) = c.strings("valueArray") {
        value_list(&values).map_err(|why| bad(&why))?;
    }
    let test = match (op, c.string("value"), c.strings("valueArray")) {
        ("Matches", Some(v), None) => MetaTest::AnyOf(vec![v]),
        ("MatchesAny", None, Some(vs)) => MetaTest::AnyOf(vs),
        ("MatchesAll", None, Some(vs)) => MetaTest::AllOf(vs),
        _ => {
            return Err(bad(
                "op must be Matches with a value, or MatchesAny or MatchesAll with a valueArray",
            ))
        }
    };
    let key = MetaKey::Field {
        id: field.id,
        asset_type: field.asset_type.clone(),
        default: None,
    };
    Ok(MetaCondition { key, test })
}

/// A condition's list of values: 1 to `MAX_VALUES` (each one more term of
/// the query).
fn value_list(values: &[String]) -> Result<(), String> {
    if values.is_empty() || values.len() > MAX_VALUES {
        return Err(format!(
            "a value list holds 1 to {MAX_VALUES} values, not {}",
            values.len()
        ));
    }
    Ok(())
}

/// The conditions of array `name`, within the cap.
pub fn conditions<F>(p: &Params, name: &str, each: F) -> Result<Vec<MetaCondition>, Error>
where
    F: Fn(&Params) -> Result<MetaCondition, Error>,
{
    let items = p.items(name).unwrap_or_default();
    if items.len() > MAX_CONDITIONS {
        return Err(Error::InvalidParameter(format!(
            "'{name}' holds {} items; at most {MAX_CONDITIONS} are accepted",
            items.len()
        )));
    }
    items.iter().map(each).collect()
}

/// A system key's value for an asset, for `responseMetadataArray`.
fn system_value(d: &AssetDetail, key: SystemKey) -> String {
    let a = &d.asset;
    match key {
        SystemKey::AssetId => a.id.to_string(),
        SystemKey::Name => a.name.clone(),
        SystemKey::FolderPath => a.folder.clone(),
        SystemKey::Type => a.asset_type.clone(),
        SystemKey::FileName => super::types::asset::file_name(d),
        SystemKey::CreatedAt => d.created.clone(),
        SystemKey::CreatedBy => d.create_user.clone(),
        SystemKey::ModifiedAt => d.modified.clone(),
        SystemKey::ModifiedBy => d.modify_user.clone(),
    }
}

/// An `AssetSummary`. Its `metadataArray` holds the system keys of
/// `response` that the asset has; user-defined fields are left out, as
/// Adobe's page says the service does (`getAssets` shows them).
pub fn summary(d: &AssetDetail, response: &[String]) -> Record {
    let a = &d.asset;
    let metadata: Vec<Value> = response
        .iter()
        .filter_map(|k| {
            let (name, key) = SYSTEM_KEYS.iter().find(|(name, _)| name.eq_ignore_ascii_case(k))?;
            Some(
                Record::new()
                    .with("name", *name)
                    .with("value", system_value(d, *key))
                    .into(),
            )
        })
        .collect();
    let record = Record::new()
        .with("assetHandle", a.handle().to_string())
        .with("type", a.asset_type.as_str())
        .with("name", a.name.as_str())
        .with("folder", a.folder.as_str())
        .with("filename", super::types::asset::file_name(d))
        .with("created", d.created.as_str())
        .with("createUser", d.create_user.as_str())
        .with("lastModified", d.modified.as_str())
        .with("lastModifyUser", d.modify_user.as_str());
    if metadata.is_empty() {
        record
    } else {
        record.with_array("metadataArray", metadata)
    }
}
