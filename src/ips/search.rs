//! `searchAssets` requests as catalog queries: conditions, match modes,
//! type filters, paging and sorting, each checked and converted; whatever
//! the emulator cannot evaluate is refused rather than ignored, since
//! ignoring it would return wrong matches.

use crate::catalog::{AssetCondition, CompareOp, NumberOp, SearchQuery, SortField, TextField, TextOp, TrashFilter};
use crate::clock;

use super::meta_search::compare_op;

use super::ops::set_asset_publish_state::marked_for_publish;
use super::value::Params;
use super::Error;

/// Most rows one `searchAssets` page returns (the documented cap).
pub const MAX_RECORDS_PER_PAGE: u32 = 1000;

/// Most `systemFieldConditionArray` items one request may combine: each is
/// one more level of the query's expression tree, which SQLite bounds.
pub const MAX_CONDITIONS: usize = 100;

/// A string operator's name as the catalog's.
pub(crate) fn text_op(raw: &str) -> Option<TextOp> {
    Some(match raw {
        "Equals" => TextOp::Equals,
        "NotEquals" => TextOp::NotEquals,
        "Contains" => TextOp::Contains,
        "NotContains" => TextOp::NotContains,
        "StartsWith" => TextOp::StartsWith,
        "EndsWith" => TextOp::EndsWith,
        _ => return None,
    })
}

/// Typed comparison values the emulator's system fields never take.
const UNSUPPORTED_VALUES: &[(&str, &str)] = &[
    ("dateVal", "date"),
    ("minDate", "date"),
    ("maxDate", "date"),
    ("boolVal", "boolean"),
    ("doubleVal", "decimal"),
    ("minDouble", "decimal"),
    ("maxDouble", "decimal"),
];

/// One `SystemFieldCondition`.
pub(crate) fn condition(c: &Params) -> Result<AssetCondition, Error> {
    let field = c.text("field").unwrap_or_default();
    let op = c.text("op").unwrap_or_default();
    let bad = |why: String| Error::InvalidParameter(format!("systemFieldCondition {field}/{op}: {why}"));
    let text_field = match field {
        "Name" => Some(TextField::Name),
        "CreateUser" => Some(TextField::CreateUser),
        "LastModifyUser" => Some(TextField::LastModifyUser),
        "FileName" => Some(TextField::FileName),
        "UserData" => Some(TextField::UserData),
        "Sku" | "Description" | "Comments" => Some(TextField::Unset),
        "Created" => return created(c, op).map_err(bad),
        "FileSize" => None,
        other => return Err(bad(format!("field '{other}' is not supported by this emulator"))),
    };
    if let Some((_, kind)) = UNSUPPORTED_VALUES.iter().find(|(name, _)| c.has(name)) {
        return Err(bad(format!("{kind} values are not supported by this emulator")));
    }
    if let Some(field) = text_field {
        let op = text_op(op).ok_or_else(|| bad(format!("'{op}' is not a string operator")))?;
        let value = c.string("value").ok_or_else(|| bad("a value is required".into()))?;
        return Ok(AssetCondition::Text(field, op, value));
    }
    let long = |name: &'static str| -> Result<i64, Error> {
        c.integer(name)?.ok_or_else(|| bad(format!("{name} is required")))
    };
    // Before 4.0 a condition had only `value`, which is the number then.
    let single = || {
        if c.has("longVal") {
            long("longVal")
        } else {
            c.integer("value")?.ok_or_else(|| bad("longVal is required".into()))
        }
    };
    let range = || -> Result<(i64, i64), Error> { Ok((long("minLong")?, long("maxLong")?)) };
    let op = match op {
        "Equals" => NumberOp::Equals(single()?),
        "NotEquals" => NumberOp::NotEquals(single()?),
        "LessThan" => NumberOp::LessThan(single()?),
        "LessThanEquals" => NumberOp::LessThanEquals(single()?),
        "GreaterThan" => NumberOp::GreaterThan(single()?),
        "GreaterThanEquals" => NumberOp::GreaterThanEquals(single()?),
        "Between" => {
            let (lo, hi) = range()?;
            NumberOp::Between(lo, hi)
        }
        "NotBetween" => {
            let (lo, hi) = range()?;
            NumberOp::NotBetween(lo, hi)
        }
        other => return Err(bad(format!("'{other}' is not a numeric operator"))),
    };
    Ok(AssetCondition::FileSize(op))
}

/// A `Created` condition: `dateVal` with a comparison, or `minDate` and
/// `maxDate` with a range.
fn created(c: &Params, op: &str) -> Result<AssetCondition, String> {
    let time = |name: &str| -> Result<String, String> {
        let raw = c.text(name).ok_or_else(|| format!("{name} is required"))?;
        clock::parse_date_time(raw)
            .map(clock::utc_millis)
            .ok_or_else(|| format!("{name} '{raw}' is not an xsd:dateTime"))
    };
    let op = compare_op(op).ok_or_else(|| format!("'{op}' is not a date operator"))?;
    if matches!(op, CompareOp::Between | CompareOp::NotBetween) {
        Ok(AssetCondition::Created(op, time("minDate")?, Some(time("maxDate")?)))
    } else {
        Ok(AssetCondition::Created(op, time("dateVal")?, None))
    }
}

fn match_mode(field: &str, raw: Option<&str>) -> Result<bool, Error> {
    match raw {
        None | Some("MatchAll") => Ok(true),
        Some("MatchAny") => Ok(false),
        Some(other) => Err(Error::InvalidParameter(format!(
            "{field} must be MatchAll or MatchAny, not '{other}'"
        ))),
    }
}

/// How the system-field conditions combine: `systemFieldMatchMode`, or,
/// without it, `conditionMatchMode`, the one mode a pre-4.0 search had
/// (it also combines the groups of conditions with each other).
fn match_all(p: &Params) -> Result<bool, Error> {
    let older = match_mode("conditionMatchMode", p.text("conditionMatchMode"))?;
    match p.text("systemFieldMatchMode") {
        None => Ok(older),
        newer => match_mode("systemFieldMatchMode", newer),
    }
}

/// The assets a search of trash state `raw` looks at: `NotInTrash` (the
/// default) the live ones, `InTrash` those in the trash, `Any` (the
/// `SearchFilter` page's value) both; `None` for `InEmptiedTrash`, which
/// matches nothing, since emptying the trash removes assets at once.
fn trash_filter(raw: Option<&str>) -> Result<Option<TrashFilter>, Error> {
    match raw {
        None | Some("NotInTrash") => Ok(Some(TrashFilter::Live)),
        Some("InTrash") => Ok(Some(TrashFilter::Trashed)),
        Some("Any") => Ok(Some(TrashFilter::Any)),
        Some("InEmptiedTrash") => Ok(None),
        Some(other) => Err(Error::InvalidParameter(format!(
            "trashState must be NotInTrash, InTrash, InEmptiedTrash or Any, not '{other}'"
        ))),
    }
}

/// Whether a subtype filter lets assets without a subtype (every image)
/// through: only a strict check against a non-empty list does not.
pub(crate) fn subtypes_admit_none(p: &Params) -> Result<bool, Error> {
    let listed = p.strings("assetSubTypeArray").is_some_and(|s| !s.is_empty());
    Ok(!(listed && p.boolean("strictSubTypeCheck")?.unwrap_or(false)))
}

fn page_size(p: &Params) -> Result<u32, Error> {
    match p.integer("recordsPerPage")? {
        None => Ok(MAX_RECORDS_PER_PAGE),
        Some(n) if n < 1 => Err(Error::InvalidParameter(format!(
            "recordsPerPage must be at least 1, not {n}"
        ))),
        Some(n) => Ok(u32::try_from(n).unwrap_or(u32::MAX).min(MAX_RECORDS_PER_PAGE)),
    }
}

fn page(p: &Params) -> Result<u64, Error> {
    match p.integer("resultsPage")? {
        None => Ok(1),
        Some(n) if n < 1 => Err(Error::InvalidParameter(format!(
            "resultsPage must be at least 1, not {n}"
        ))),
        Some(n) => Ok(n as u64),
    }
}

fn sort(p: &Params) -> Result<(SortField, bool), Error> {
    let field = match p.text("sortBy") {
        None | Some("Name") => SortField::Name,
        Some("Created") => SortField::Created,
        Some("Modified") => SortField::Modified,
        Some("AssetType") => SortField::AssetType,
        Some("FileSize") => SortField::FileSize,
        Some(other) => {
            return Err(Error::InvalidParameter(format!(
                "sortBy must be Created, Modified, Name, AssetType or FileSize, not '{other}'"
            )))
        }
    };
    let descending = match p.text("sortDirection") {
        None | Some("Ascending") => false,
        Some("Descending") => true,
        Some(other) => {
            return Err(Error::InvalidParameter(format!(
                "sortDirection must be Ascending or Descending, not '{other}'"
            )))
        }
    };
    Ok((field, descending))
}

/// Checks and converts a search of `folder`. Returns `None` when nothing
/// can match (the emptied trash, or a subtype no image has).
pub(crate) fn query(p: &Params, folder: String) -> Result<Option<SearchQuery>, Error> {
    let include_subfolders = p.boolean("includeSubfolders")?.unwrap_or(false);
    let conditions = p.items("systemFieldConditionArray").unwrap_or_default();
    if conditions.len() > MAX_CONDITIONS {
        return Err(Error::InvalidParameter(format!(
            "'systemFieldConditionArray' holds {} items; at most {MAX_CONDITIONS} are accepted",
            conditions.len()
        )));
    }
    let match_all = match_all(p)?;
    let keywords = p.strings("keywordArray").unwrap_or_default();
    if keywords.len() > MAX_CONDITIONS {
        return Err(Error::InvalidParameter(format!(
            "'keywordArray' holds {} items; at most {MAX_CONDITIONS} are accepted",
            keywords.len()
        )));
    }
    let conditions = conditions.iter().map(condition).collect::<Result<Vec<_>, _>>()?;
    let limit = page_size(p)?;
    let page = page(p)?;
    let (sort, descending) = sort(p)?;
    let ready_for_publish = p.text("publishState").map(marked_for_publish).transpose()?;
    let Some(trash) = trash_filter(p.text("trashState"))? else {
        return Ok(None);
    };
    if !subtypes_admit_none(p)? {
        return Ok(None);
    }
    Ok(Some(SearchQuery {
        folder,
        include_subfolders,
        conditions,
        match_all,
        tags: Vec::new(),
        tags_match_all: match_mode("tagMatchMode", p.text("tagMatchMode"))?,
        metadata: Vec::new(),
        metadata_match_all: match_mode("metadataMatchMode", p.text("metadataMatchMode"))?,
        keywords,
        groups_match_all: match_mode("conditionMatchMode", p.text("conditionMatchMode"))?,
        types: p.strings("assetTypeArray").unwrap_or_default(),
        exclude_types: p.strings("excludeAssetTypeArray").unwrap_or_default(),
        ready_for_publish,
        trash,
        sort,
        descending,
        limit,
        offset: (page - 1).saturating_mul(u64::from(limit)),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ips::value::{Record, Value};

    fn condition_record(fields: &[(&'static str, &str)]) -> Value {
        fields.iter().fold(Record::new(), |r, (n, v)| r.with(n, *v)).into()
    }

    fn search(fields: &[(&'static str, &str)], conditions: Vec<Value>) -> Result<Option<SearchQuery>, Error> {
        let mut r = Record::new().with("companyHandle", "c|6");
        if !fields.iter().any(|(n, _)| *n == "includeSubfolders") {
            r.push("includeSubfolders", "true");
        }
        for (n, v) in fields {
            r.push(n, *v);
        }
        if !conditions.is_empty() {
            r = r.with_array("systemFieldConditionArray", conditions);
        }
        query(&Params::from(r), "ApiTestCo/".into())
    }

    #[test]
    fn defaults_and_paging() {
        let q = search(&[], vec![]).expect("valid").expect("can match");
        assert!(q.include_subfolders && q.match_all && !q.descending);
        assert_eq!((q.sort, q.limit, q.offset), (SortField::Name, MAX_RECORDS_PER_PAGE, 0));
        let q = search(
            &[
                ("recordsPerPage", "2"),
                ("resultsPage", "3"),
                ("sortBy", "FileSize"),
                ("sortDirection", "Descending"),
            ],
            vec![],
        )
        .expect("valid")
        .expect("can match");
        assert_eq!(
            (q.limit, q.offset, q.sort, q.descending),
            (2, 4, SortField::FileSize, true)
        );
        let q = search(&[("recordsPerPage", "5000")], vec![])
            .expect("valid")
            .expect("can match");
        assert_eq!(q.limit, MAX_RECORDS_PER_PAGE);
        for (state, trash) in [
            (None, Some(TrashFilter::Live)),
            (Some("NotInTrash"), Some(TrashFilter::Live)),
            (Some("InTrash"), Some(TrashFilter::Trashed)),
            (Some("Any"), Some(TrashFilter::Any)),
            (Some("InEmptiedTrash"), None),
        ] {
            let fields: Vec<_> = state.map(|s| ("trashState", s)).into_iter().collect();
            let q = search(&fields, vec![]).expect("valid");
            assert_eq!(q.map(|q| q.trash), trash, "{state:?}");
        }
        for (state, ready) in [
            (None, None),
            (Some("MarkedForPublish"), Some(true)),
            (Some("NotMarkedForPublish"), Some(false)),
        ] {
            let fields: Vec<_> = state.map(|s| ("publishState", s)).into_iter().collect();
            let q = search(&fields, vec![]).expect("valid").expect("can match");
            assert_eq!(q.ready_for_publish, ready, "{state:?}");
        }
    }

    #[test]
    fn refuses_what_it_cannot_evaluate() {
        type Case = (Vec<(&'static str, &'static str)>, Vec<Value>);
        let refusals: Vec<Case> = vec![
            (vec![("includeSubfolders", "yes")], vec![]),
            (vec![("recordsPerPage", "0")], vec![]),
            (vec![("resultsPage", "-1")], vec![]),
            (vec![("sortBy", "Colour")], vec![]),
            (vec![("trashState", "Everywhere")], vec![]),
            (vec![("publishState", "Maybe")], vec![]),
            (vec![("conditionMatchMode", "Sometimes")], vec![]),
            (
                vec![],
                vec![condition_record(&[
                    ("field", "Keywords"),
                    ("op", "Contains"),
                    ("value", "x"),
                ])],
            ),
            (
                vec![],
                vec![condition_record(&[
                    ("field", "FileSize"),
                    ("op", "Between"),
                    ("minLong", "1"),
                ])],
            ),
            (
                vec![],
                vec![condition_record(&[
                    ("field", "Name"),
                    ("op", "GreaterThan"),
                    ("value", "x"),
                ])],
            ),
            (
                vec![],
                vec![condition_record(&[
                    ("field", "Name"),
                    ("op", "Equals"),
                    ("dateVal", "2020-01-01T00:00:00Z"),
                ])],
            ),
        ];
        for (i, (fields, conditions)) in refusals.into_iter().enumerate() {
            let result = search(&fields, conditions);
            assert!(
                matches!(result, Err(Error::InvalidParameter(_))),
                "case {i} was accepted"
            );
        }
    }

    #[test]
    fn conditions_convert() {
        let q = search(
            &[("systemFieldMatchMode", "MatchAny")],
            vec![
                condition_record(&[("field", "Name"), ("op", "StartsWith"), ("value", "Copy_")]),
                condition_record(&[
                    ("field", "FileSize"),
                    ("op", "Between"),
                    ("minLong", "10"),
                    ("maxLong", "20"),
                ]),
                condition_record(&[("field", "FileSize"), ("op", "LessThan"), ("value", "99")]),
            ],
        )
        .expect("valid")
        .expect("can match");
        assert!(!q.match_all);
        assert_eq!(
            q.conditions,
            [
                AssetCondition::Text(TextField::Name, TextOp::StartsWith, "Copy_".into()),
                AssetCondition::FileSize(NumberOp::Between(10, 20)),
                AssetCondition::FileSize(NumberOp::LessThan(99)),
            ]
        );
    }

    #[test]
    fn strict_subtype_checks_exclude_images() {
        let strict = Record::new()
            .with_array("assetSubTypeArray", vec!["MediaSet".into()])
            .with("strictSubTypeCheck", "true");
        assert!(!subtypes_admit_none(&Params::from(strict)).expect("valid"));
        let lax = Record::new().with_array("assetSubTypeArray", vec!["MediaSet".into()]);
        assert!(subtypes_admit_none(&Params::from(lax)).expect("valid"));
    }
}
