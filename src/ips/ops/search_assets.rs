//! `searchAssets`: the assets of a folder (the company root by default),
//! with or without its subfolders, matching system-field conditions, type
//! filters, trash and publish state, keywords, tag and metadata
//! conditions, one sorted page at a time, with the total number of
//! matches. Each group of conditions is combined by its own match mode,
//! and the groups by `conditionMatchMode`.

use crate::ips::contract::prelude::*;
use crate::ips::meta_search::{condition, conditions, tag_condition};
use crate::ips::metadata::company_fields;
use crate::ips::refusal::{folder_handle, Subject};
use crate::ips::search;
use crate::ips::types::{
    ASSET_ARRAY, EXCLUDE_BYPRODUCT_ARRAY, METADATA_CONDITION_ARRAY, STRING_ARRAY, SYSTEM_FIELD_CONDITION_ARRAY,
    TAG_CONDITION_ARRAY,
};
use crate::ips::value::{Params, Record};
use crate::ips::{company_for, folder_tree, handler, Call, Error, Operation, EVERYONE};

/// `searchAssets`.
pub static OPERATION: Operation = Operation {
    name: "searchAssets",
    since: Pre40,
    users: EVERYONE,
    param: &[
        req("companyHandle", STRING),
        opt("accessUserHandle", STRING),
        opt("accessGroupHandle", STRING),
        opt("folder", STRING),
        req("includeSubfolders", BOOLEAN),
        opt("publishState", STRING),
        opt("trashState", STRING).since(V2008_01_15),
        opt("conditionMatchMode", STRING),
        opt("keywordArray", of(&STRING_ARRAY)),
        opt("systemFieldMatchMode", STRING),
        opt("systemFieldConditionArray", of(&SYSTEM_FIELD_CONDITION_ARRAY)),
        opt("tagMatchMode", STRING).since(V2010_01_31),
        opt("tagConditionArray", of(&TAG_CONDITION_ARRAY)).since(V2010_01_31),
        opt("metadataMatchMode", STRING),
        opt("metadataConditionArray", of(&METADATA_CONDITION_ARRAY)),
        opt("assetTypeArray", of(&STRING_ARRAY)),
        opt("excludeAssetTypeArray", of(&STRING_ARRAY)).since(V2008_01_15),
        opt("assetSubTypeArray", of(&STRING_ARRAY)).since(V2009_07_31),
        opt("strictSubTypeCheck", BOOLEAN).since(V2009_07_31),
        opt("excludeByproducts", BOOLEAN).since(V2008_01_15),
        opt("excludeByproductArray", of(&EXCLUDE_BYPRODUCT_ARRAY)).since(V2009_07_31),
        opt("projectHandle", STRING),
        opt("recordsPerPage", INT),
        opt("resultsPage", INT),
        opt("sortBy", STRING),
        opt("sortDirection", STRING),
        opt("responseFieldArray", of(&STRING_ARRAY)),
        opt("excludeFieldArray", of(&STRING_ARRAY)),
    ],
    aliases: &[],
    ret: &[opt("totalRows", INT), opt("assetArray", of(&ASSET_ARRAY))],
    handler: handler!(search_assets),
};

/// Conditions on what the emulator does not keep (projects) and acting as
/// another user or group: refused, as ignoring them would return wrong
/// matches. The by-product filters need no refusal: the emulator makes no
/// by-products, so excluding them excludes nothing.
const UNSUPPORTED: &[&str] = &["accessUserHandle", "accessGroupHandle", "projectHandle"];

async fn search_assets(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    p.refuse(UNSUPPORTED)?;
    let raw_company = p.required("companyHandle")?;
    let company = company_for(call.principal, &raw_company)?;
    let root = folder_tree::root_of(call.state, company, &raw_company).await?;
    let folder = match p.text("folder") {
        None => root,
        Some(raw) => folder_handle(raw)?.0,
    };
    let Some(mut query) = search::query(&p, folder.clone())? else {
        return Ok(Record::new()
            .with_number("totalRows", 0)
            .with_array("assetArray", Vec::new()));
    };
    if p.has("metadataConditionArray") || p.has("tagConditionArray") {
        let fields = company_fields(call, company, &raw_company).await?;
        query.metadata = conditions(&p, "metadataConditionArray", |c| condition(&fields, company, c))?;
        query.tags = conditions(&p, "tagConditionArray", |c| tag_condition(&fields, company, c))?;
    }
    let (total, found) = call
        .state
        .catalog
        .search_assets(company.0, query)
        .await
        .map_err(|e| Subject::new(company, &raw_company).folder(&folder).refusal(e))?;
    Ok(Record::new()
        .with_number("totalRows", total)
        .with("assetArray", super::get_assets::asset_array(&found)))
}
