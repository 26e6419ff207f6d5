//! `searchAssetsByMetadata`: the company's assets matching `filters` (the
//! `searchAssets` filters in one `SearchFilter`; without a folder, the
//! whole company) and metadata conditions on system keys and user-defined
//! fields, combined by `metadataConditionMatchMode`, one sorted page at a
//! time, as asset summaries with the total number of matches.
//!
//! `sortBy` takes `searchAssets`' names (`Name`, `Created`, `Modified`,
//! `AssetType`, `FileSize`) or the matching search keys (`name`,
//! `created_at`, `modified_at`, `type`).

use crate::ips::contract::prelude::*;
use crate::ips::meta_search::{condition, conditions, summary};
use crate::ips::metadata::{company_fields, READERS};
use crate::ips::refusal::{folder_handle, Subject};
use crate::ips::search;
use crate::ips::types::metadata::ASSET_SUMMARY_ARRAY;
use crate::ips::types::{METADATA_CONDITION_ARRAY, SEARCH_FILTER, STRING_ARRAY};
use crate::ips::value::{Params, Record, Value};
use crate::ips::{company_for, folder_tree, handler, Call, Error, Operation};

/// `searchAssetsByMetadata`: from 2010-01-31 (the 4.5 log adds it, and
/// its `filters` and sorting; Adobe's example is in that namespace).
pub static OPERATION: Operation = Operation {
    name: "searchAssetsByMetadata",
    since: V2010_01_31,
    users: READERS,
    param: &[
        req("companyHandle", STRING),
        opt("filters", of(&SEARCH_FILTER)),
        opt("metadataConditionArray", of(&METADATA_CONDITION_ARRAY)),
        opt("metadataConditionMatchMode", STRING),
        opt("responseMetadataArray", of(&STRING_ARRAY)),
        opt("recordsPerPage", INT),
        opt("resultsPage", INT),
        opt("sortBy", STRING),
        opt("sortDirection", STRING),
    ],
    aliases: &[],
    ret: &[
        req("totalRows", INT),
        req("assetSummaryArray", of(&ASSET_SUMMARY_ARRAY)),
    ],
    handler: handler!(search_assets_by_metadata),
};

/// What `searchAssets` reads from its top level that this operation
/// takes from `filters` or its own parameters.
const PAGING: &[&str] = &["recordsPerPage", "resultsPage", "sortDirection"];

/// The `sortBy` search keys, as `searchAssets`' names.
const SORT_KEYS: &[(&str, &str)] = &[
    ("name", "Name"),
    ("created_at", "Created"),
    ("modified_at", "Modified"),
    ("type", "AssetType"),
];

async fn search_assets_by_metadata(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    let raw_company = p.required("companyHandle")?;
    let company = company_for(call.principal, &raw_company)?;
    let filters = p.record("filters").unwrap_or_default();
    if filters.has("projectHandle") {
        return Err(Error::InvalidParameter(
            "filters/projectHandle: projects are not kept by this emulator".into(),
        ));
    }
    let root = folder_tree::root_of(call.state, company, &raw_company).await?;
    let folder = match filters.text("folder").filter(|f| !f.is_empty()) {
        None => root,
        Some(raw) => folder_handle(raw)?.0,
    };
    let mut merged = filters.into_record();
    if merged.get("includeSubfolders").is_none() {
        merged.push("includeSubfolders", "true");
    }
    for name in PAGING {
        if let Some(v) = p.string(name) {
            merged.push(name, v);
        }
    }
    if let Some(sort) = p.text("sortBy") {
        let by = SORT_KEYS
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(sort))
            .map_or(sort, |(_, n)| n);
        merged.push("sortBy", by.to_owned());
    }
    let all = match p.text("metadataConditionMatchMode") {
        None | Some("MatchAll") => true,
        Some("MatchAny") => false,
        Some(other) => {
            return Err(Error::InvalidParameter(format!(
                "metadataConditionMatchMode must be MatchAll or MatchAny, not '{other}'"
            )))
        }
    };
    let fields = company_fields(call, company, &raw_company).await?;
    let metadata = conditions(&p, "metadataConditionArray", |c| condition(&fields, company, c))?;
    let Some(mut query) = search::query(&Params::from(merged), folder.clone())? else {
        return Ok(Record::new()
            .with_number("totalRows", 0)
            .with_array("assetSummaryArray", Vec::new()));
    };
    query.metadata = metadata;
    query.metadata_match_all = all;
    let (total, found) = call
        .state
        .catalog
        .search_assets(company.0, query)
        .await
        .map_err(|e| Subject::new(company, &raw_company).folder(&folder).refusal(e))?;
    let response = p.strings("responseMetadataArray").unwrap_or_default();
    let summaries: Vec<Value> = found.iter().map(|d| summary(d, &response).into()).collect();
    Ok(Record::new()
        .with_number("totalRows", total)
        .with_array("assetSummaryArray", summaries))
}
