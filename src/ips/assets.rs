//! Finding and changing assets: `getAssets`, `getAssetsByName`,
//! `searchAssets`, `renameAsset`, `moveAsset`, `moveAssets`, `deleteAsset`,
//! `deleteAssets`, `setUrlModifier`, `replaceImage`.
//!
//! Values arrive as sent; this module parses handles and search terms into
//! the catalog's types and turns the catalog's refusals into the faults a
//! caller can act on.

use std::sync::Arc;

use crate::app::AppState;
use crate::auth::Principal;
use crate::catalog::{self, AssetCondition, NumberOp, SearchQuery, SortField, TextField, TextOp};
use crate::handles::{AssetHandle, CompanyHandle, FolderHandle};

use super::copy_image::{check_name, render_copy};
use super::{company_for, release_blob, BatchOutcome, Error, Reply};

/// `getAssetsParam`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GetAssets {
    /// `companyHandle`.
    pub company: String,
    /// `assetHandleArray/items`.
    pub handles: Vec<String>,
}

/// `getAssetsByNameParam`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GetAssetsByName {
    /// `companyHandle`.
    pub company: String,
    /// `nameArray/items`.
    pub names: Vec<String>,
    /// `assetTypeArray/items` (empty: any type).
    pub types: Vec<String>,
    /// `excludeAssetTypeArray/items`.
    pub exclude_types: Vec<String>,
}

/// One `systemFieldConditionArray/items`, values as sent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SearchCondition {
    /// `field`.
    pub field: String,
    /// `op`.
    pub op: String,
    /// `value`.
    pub value: Option<String>,
    /// `longVal`.
    pub long_val: Option<String>,
    /// `minLong`.
    pub min_long: Option<String>,
    /// `maxLong`.
    pub max_long: Option<String>,
    /// Whether any of `dateVal`, `minDate`, `maxDate` was given.
    pub has_date: bool,
}

/// `searchAssetsParam`, values as sent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SearchAssets {
    /// `companyHandle`.
    pub company: String,
    /// `folder` (the company root if absent).
    pub folder: Option<String>,
    /// `includeSubfolders`.
    pub include_subfolders: String,
    /// `trashState`.
    pub trash_state: Option<String>,
    /// `conditionMatchMode`.
    pub condition_match_mode: Option<String>,
    /// `systemFieldMatchMode`.
    pub system_field_match_mode: Option<String>,
    /// `systemFieldConditionArray/items`.
    pub conditions: Vec<SearchCondition>,
    /// `assetTypeArray/items`.
    pub types: Vec<String>,
    /// `excludeAssetTypeArray/items`.
    pub exclude_types: Vec<String>,
    /// `recordsPerPage`.
    pub records_per_page: Option<String>,
    /// `resultsPage`.
    pub results_page: Option<String>,
    /// `sortBy`.
    pub sort_by: Option<String>,
    /// `sortDirection`.
    pub sort_direction: Option<String>,
}

/// `renameAssetParam`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenameAsset {
    /// `companyHandle`.
    pub company: String,
    /// `assetHandle`.
    pub asset: String,
    /// `newName`.
    pub new_name: String,
    /// `validateName`, as sent (names are unique in the emulator whatever
    /// it says).
    pub validate_name: String,
}

/// `moveAssetParam`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MoveAsset {
    /// `companyHandle`.
    pub company: String,
    /// `assetHandle`.
    pub asset: String,
    /// `folderHandle`: the destination.
    pub folder: String,
}

/// `moveAssetsParam`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MoveAssets {
    /// `companyHandle`.
    pub company: String,
    /// `assetMoveArray/items`: (asset handle, destination folder handle).
    pub moves: Vec<(String, String)>,
}

/// `deleteAssetParam`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeleteAsset {
    /// `companyHandle`.
    pub company: String,
    /// `assetHandle`.
    pub asset: String,
}

/// `deleteAssetsParam`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeleteAssets {
    /// `companyHandle`.
    pub company: String,
    /// `assetHandleArray/items`.
    pub assets: Vec<String>,
}

/// `setUrlModifierParam`: an absent field leaves the stored value alone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetUrlModifier {
    /// `companyHandle`.
    pub company: String,
    /// `assetHandle`.
    pub asset: String,
    /// `urlModifier`.
    pub url_modifier: Option<String>,
    /// `urlPostApplyModifier`.
    pub url_post_modifier: Option<String>,
}

/// `replaceImageParam`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplaceImage {
    /// `companyHandle`.
    pub company: String,
    /// `assetHandle`.
    pub asset: String,
    /// `urlModifier`: Image Serving commands that make the new image data.
    pub url_modifier: String,
}

/// Most rows one `searchAssets` page returns (the documented cap).
pub const MAX_RECORDS_PER_PAGE: u32 = 1000;

fn asset_handle(raw: &str) -> Result<AssetHandle, Error> {
    AssetHandle::parse(raw).ok_or_else(|| Error::InvalidParameter(format!("Invalid asset handle '{raw}'")))
}

fn folder_handle(raw: &str) -> Result<FolderHandle, Error> {
    FolderHandle::parse(raw).ok_or_else(|| Error::InvalidParameter(format!("Invalid folder handle '{raw}'")))
}

/// The catalog's refusals, as the caller's faults.
fn refusal(
    e: catalog::Error,
    company: &CompanyHandle,
    raw_company: &str,
    asset: &str,
    folder: &str,
    name: &str,
) -> Error {
    match e {
        catalog::Error::CompanyNotFound => Error::InvalidCompany(raw_company.to_owned()),
        catalog::Error::AssetNotFound => {
            Error::InvalidParameter(format!("Asset '{asset}' was not found in company '{company}'"))
        }
        catalog::Error::NotAnImage(kind) => {
            Error::InvalidParameter(format!("Asset '{asset}' is a {kind} asset, not an Image"))
        }
        catalog::Error::FolderNotFound => {
            Error::InvalidParameter(format!("Folder '{folder}' was not found in company '{company}'"))
        }
        catalog::Error::NameInUse => Error::NameInUse(name.to_owned()),
        other => Error::Catalog(other),
    }
}

/// A typed (`xsd:int`, `xsd:boolean`) value without the XML whitespace the
/// schema's whitespace rule discards around it.
fn typed(raw: &str) -> &str {
    raw.trim_matches([' ', '\t', '\n', '\r'])
}

/// `xsd:boolean`: `true`, `false`, `1`, `0`.
fn boolean(field: &str, raw: &str) -> Result<bool, Error> {
    match typed(raw) {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(Error::InvalidParameter(format!(
            "{field} must be true or false, not '{raw}'"
        ))),
    }
}

fn integer(field: &str, raw: &str) -> Result<i64, Error> {
    typed(raw)
        .parse()
        .map_err(|_| Error::InvalidParameter(format!("{field} must be an integer, not '{raw}'")))
}

pub(super) async fn get_assets(state: &Arc<AppState>, principal: &Principal, req: GetAssets) -> Result<Reply, Error> {
    let company = company_for(principal, &req.company)?;
    // A handle that cannot name an asset is one that names none here: the
    // reply simply leaves it out, as it does an unknown one.
    let handles = req.handles.iter().filter_map(|h| AssetHandle::parse(h)).collect();
    let found = state
        .catalog
        .asset_details(company.0, handles)
        .await
        .map_err(|e| refusal(e, &company, &req.company, "", "", ""))?;
    Ok(Reply::Assets(found))
}

pub(super) async fn get_assets_by_name(
    state: &Arc<AppState>,
    principal: &Principal,
    req: GetAssetsByName,
) -> Result<Reply, Error> {
    let company = company_for(principal, &req.company)?;
    let found = state
        .catalog
        .asset_details_by_name(company.0, req.names.clone())
        .await
        .map_err(|e| refusal(e, &company, &req.company, "", "", ""))?;
    let found = found
        .into_iter()
        .filter(|d| req.types.is_empty() || req.types.contains(&d.asset.asset_type))
        .filter(|d| !req.exclude_types.contains(&d.asset.asset_type))
        .collect();
    Ok(Reply::Assets(found))
}

/// The company's root folder: every path in it starts with the root path,
/// which is the first segment of any of its folders.
async fn root_folder(state: &Arc<AppState>, company: &CompanyHandle, raw: &str) -> Result<String, Error> {
    state
        .catalog
        .company_root(company.0)
        .await
        .map_err(|e| refusal(e, company, raw, "", "", ""))
}

fn text_op(raw: &str) -> Option<TextOp> {
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

/// One condition, refused if it names a field, operator or value type the
/// emulator cannot evaluate: ignoring it would return wrong matches.
fn condition(c: &SearchCondition) -> Result<AssetCondition, Error> {
    let bad = |why: String| Error::InvalidParameter(format!("systemFieldCondition {}/{}: {why}", c.field, c.op));
    let text_field = match c.field.as_str() {
        "Name" => Some(TextField::Name),
        "CreateUser" => Some(TextField::CreateUser),
        "LastModifyUser" => Some(TextField::LastModifyUser),
        "FileSize" => None,
        other => return Err(bad(format!("field '{other}' is not supported by this emulator"))),
    };
    if c.has_date {
        return Err(bad("date values are not supported by this emulator".into()));
    }
    if let Some(field) = text_field {
        let op = text_op(&c.op).ok_or_else(|| bad(format!("'{}' is not a string operator", c.op)))?;
        let value = c.value.clone().ok_or_else(|| bad("a value is required".into()))?;
        return Ok(AssetCondition::Text(field, op, value));
    }
    let long = |v: &Option<String>, name: &str| -> Result<i64, Error> {
        let raw = v.as_deref().ok_or_else(|| bad(format!("{name} is required")))?;
        integer(name, raw)
    };
    let single = || long(&c.long_val, "longVal");
    let range = || -> Result<(i64, i64), Error> { Ok((long(&c.min_long, "minLong")?, long(&c.max_long, "maxLong")?)) };
    let op = match c.op.as_str() {
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

fn match_mode(field: &str, raw: Option<&str>) -> Result<bool, Error> {
    match raw {
        None | Some("MatchAll") => Ok(true),
        Some("MatchAny") => Ok(false),
        Some(other) => Err(Error::InvalidParameter(format!(
            "{field} must be MatchAll or MatchAny, not '{other}'"
        ))),
    }
}

/// Checks and converts a search. Returns `None` when nothing can match
/// (a search of the trash, which the emulator does not keep).
fn search_query(req: &SearchAssets, folder: String) -> Result<Option<SearchQuery>, Error> {
    let include_subfolders = boolean("includeSubfolders", &req.include_subfolders)?;
    let in_trash = match req.trash_state.as_deref() {
        None | Some("NotInTrash") => false,
        Some("InTrash" | "InEmptiedTrash") => true,
        Some(other) => {
            return Err(Error::InvalidParameter(format!(
                "trashState must be NotInTrash, InTrash or InEmptiedTrash, not '{other}'"
            )))
        }
    };
    // conditionMatchMode is the older name of systemFieldMatchMode; given
    // both, they must agree.
    let a = match_mode("conditionMatchMode", req.condition_match_mode.as_deref())?;
    let b = match_mode("systemFieldMatchMode", req.system_field_match_mode.as_deref())?;
    let match_all = match (&req.condition_match_mode, &req.system_field_match_mode) {
        (Some(_), Some(_)) if a != b => {
            return Err(Error::InvalidParameter(
                "conditionMatchMode and systemFieldMatchMode disagree".into(),
            ))
        }
        (Some(_), None) => a,
        _ => b,
    };
    let conditions = req.conditions.iter().map(condition).collect::<Result<Vec<_>, _>>()?;
    let limit = match req.records_per_page.as_deref() {
        None => MAX_RECORDS_PER_PAGE,
        Some(raw) => match integer("recordsPerPage", raw)? {
            n if n < 1 => {
                return Err(Error::InvalidParameter(format!(
                    "recordsPerPage must be at least 1, not {n}"
                )))
            }
            n => u32::try_from(n).unwrap_or(u32::MAX).min(MAX_RECORDS_PER_PAGE),
        },
    };
    let page = match req.results_page.as_deref() {
        None => 1,
        Some(raw) => match integer("resultsPage", raw)? {
            n if n < 1 => {
                return Err(Error::InvalidParameter(format!(
                    "resultsPage must be at least 1, not {n}"
                )))
            }
            n => n as u64,
        },
    };
    let sort = match req.sort_by.as_deref() {
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
    let descending = match req.sort_direction.as_deref() {
        None | Some("Ascending") => false,
        Some("Descending") => true,
        Some(other) => {
            return Err(Error::InvalidParameter(format!(
                "sortDirection must be Ascending or Descending, not '{other}'"
            )))
        }
    };
    if in_trash {
        return Ok(None);
    }
    Ok(Some(SearchQuery {
        folder,
        include_subfolders,
        conditions,
        match_all,
        types: req.types.clone(),
        exclude_types: req.exclude_types.clone(),
        sort,
        descending,
        limit,
        offset: (page - 1).saturating_mul(u64::from(limit)),
    }))
}

pub(super) async fn search_assets(
    state: &Arc<AppState>,
    principal: &Principal,
    req: SearchAssets,
) -> Result<Reply, Error> {
    let company = company_for(principal, &req.company)?;
    let root = root_folder(state, &company, &req.company).await?;
    let folder = match &req.folder {
        None => root,
        Some(raw) => folder_handle(raw)?.0,
    };
    let Some(query) = search_query(&req, folder.clone())? else {
        return Ok(Reply::Search {
            total: 0,
            assets: Vec::new(),
        });
    };
    let (total, assets) = state
        .catalog
        .search_assets(company.0, query)
        .await
        .map_err(|e| refusal(e, &company, &req.company, "", &folder, ""))?;
    Ok(Reply::Search { total, assets })
}

pub(super) async fn rename_asset(
    state: &Arc<AppState>,
    principal: &Principal,
    req: RenameAsset,
) -> Result<Reply, Error> {
    let company = company_for(principal, &req.company)?;
    let handle = asset_handle(&req.asset)?;
    boolean("validateName", &req.validate_name)?;
    check_name(&req.new_name)?;
    state
        .catalog
        .rename_asset(company.0, handle, req.new_name.clone(), principal.user_id)
        .await
        .map_err(|e| refusal(e, &company, &req.company, &req.asset, "", &req.new_name))?;
    Ok(Reply::Empty)
}

pub(super) async fn move_asset(state: &Arc<AppState>, principal: &Principal, req: MoveAsset) -> Result<Reply, Error> {
    let company = company_for(principal, &req.company)?;
    let handle = asset_handle(&req.asset)?;
    let folder = folder_handle(&req.folder)?;
    state
        .catalog
        .move_asset(company.0, handle, folder.0.clone(), principal.user_id)
        .await
        .map_err(|e| refusal(e, &company, &req.company, &req.asset, &folder.0, ""))?;
    Ok(Reply::Empty)
}

pub(super) async fn move_assets(state: &Arc<AppState>, principal: &Principal, req: MoveAssets) -> Result<Reply, Error> {
    let company = company_for(principal, &req.company)?;
    // Items that cannot be parsed fail on their own, like any other item;
    // outcomes are reported in the order the items were sent.
    let mut slots: Vec<Option<Error>> = Vec::with_capacity(req.moves.len());
    let mut valid = Vec::new();
    for (asset, folder) in &req.moves {
        match (asset_handle(asset), folder_handle(folder)) {
            (Ok(a), Ok(f)) => {
                valid.push((a, f.0));
                slots.push(None);
            }
            (Err(e), _) | (_, Err(e)) => slots.push(Some(e)),
        }
    }
    let mut results = state
        .catalog
        .move_assets(company.0, valid, principal.user_id)
        .await
        .map_err(|e| refusal(e, &company, &req.company, "", "", ""))?
        .into_iter();
    let mut outcome = BatchOutcome::default();
    for ((asset, folder), slot) in req.moves.iter().zip(slots) {
        let error = match slot {
            Some(e) => Some(e),
            None => match results.next() {
                Some(Ok(())) => None,
                Some(Err(e)) => Some(refusal(e, &company, &req.company, asset, folder, "")),
                None => Some(Error::Task),
            },
        };
        match error {
            None => outcome.success += 1,
            Some(e) => outcome.errors.push((asset.clone(), e)),
        }
    }
    Ok(Reply::Batch(outcome))
}

pub(super) async fn delete_asset(
    state: &Arc<AppState>,
    principal: &Principal,
    req: DeleteAsset,
) -> Result<Reply, Error> {
    let company = company_for(principal, &req.company)?;
    let handle = asset_handle(&req.asset)?;
    let hash = state
        .catalog
        .delete_asset(company.0, handle)
        .await
        .map_err(|e| refusal(e, &company, &req.company, &req.asset, "", ""))?;
    release_blob(state, hash).await;
    Ok(Reply::Empty)
}

pub(super) async fn delete_assets(
    state: &Arc<AppState>,
    principal: &Principal,
    req: DeleteAssets,
) -> Result<Reply, Error> {
    let company = company_for(principal, &req.company)?;
    let mut slots: Vec<Option<Error>> = Vec::with_capacity(req.assets.len());
    let mut valid = Vec::new();
    for asset in &req.assets {
        match asset_handle(asset) {
            Ok(h) => {
                valid.push(h);
                slots.push(None);
            }
            Err(e) => slots.push(Some(e)),
        }
    }
    let mut results = state
        .catalog
        .delete_assets(company.0, valid)
        .await
        .map_err(|e| refusal(e, &company, &req.company, "", "", ""))?
        .into_iter();
    let mut outcome = BatchOutcome::default();
    for (asset, slot) in req.assets.iter().zip(slots) {
        let result = match slot {
            Some(e) => Err(e),
            None => match results.next() {
                Some(Ok(hash)) => Ok(hash),
                Some(Err(e)) => Err(refusal(e, &company, &req.company, asset, "", "")),
                None => Err(Error::Task),
            },
        };
        match result {
            Ok(hash) => {
                outcome.success += 1;
                release_blob(state, hash).await;
            }
            Err(e) => outcome.errors.push((asset.clone(), e)),
        }
    }
    Ok(Reply::Batch(outcome))
}

pub(super) async fn set_url_modifier(
    state: &Arc<AppState>,
    principal: &Principal,
    req: SetUrlModifier,
) -> Result<Reply, Error> {
    let company = company_for(principal, &req.company)?;
    let handle = asset_handle(&req.asset)?;
    // Stored as given, like the catalog fields they are: Image Serving reads
    // them when a request renders the asset, and refuses them then if they
    // are not commands it supports.
    state
        .catalog
        .set_url_modifier(
            company.0,
            handle,
            req.url_modifier.clone(),
            req.url_post_modifier.clone(),
            principal.user_id,
        )
        .await
        .map_err(|e| refusal(e, &company, &req.company, &req.asset, "", ""))?;
    Ok(Reply::Empty)
}

pub(super) async fn replace_image(
    state: &Arc<AppState>,
    principal: &Principal,
    req: ReplaceImage,
) -> Result<Reply, Error> {
    let company = company_for(principal, &req.company)?;
    let handle = asset_handle(&req.asset)?;
    let lookup = |e| refusal(e, &company, &req.company, &req.asset, "", "");
    if !req.url_modifier.trim_ascii().is_empty() {
        crate::render::modifier::parse(&req.url_modifier).map_err(crate::render::Error::from)?;
    }
    // A concurrent replacement between reading the asset and recording the
    // new bytes makes the catalog refuse (rather than lose it); the new
    // image is then made again from the bytes that replacement left.
    let mut attempts = 0;
    loop {
        attempts += 1;
        let asset = state.catalog.asset(company.0, handle).await.map_err(lookup)?;
        if asset.asset_type != "Image" {
            return Err(lookup(catalog::Error::NotAnImage(asset.asset_type)));
        }
        // No commands: the image data stays as it is.
        if req.url_modifier.trim_ascii().is_empty() {
            return Ok(Reply::AssetHandle(asset.handle().to_string()));
        }
        // The new data is the current image with the request's commands
        // only: the stored modifiers stay on the asset and apply when it is
        // served, so baking them in as well would apply them twice.
        let (content, pin) = render_copy(state, &asset, req.url_modifier.clone()).await?;
        let new_hash = content.content_hash.clone();
        let store = state.store.clone();
        let replaced = state
            .catalog
            .replace_content(
                company.0,
                handle,
                asset.content_hash.clone(),
                content,
                principal.user_id,
                move |h| store.contains(h),
            )
            .await;
        drop(pin);
        match replaced {
            Ok(old) => {
                if old != new_hash {
                    release_blob(state, old).await;
                }
                return Ok(Reply::AssetHandle(asset.handle().to_string()));
            }
            Err(e) => {
                release_blob(state, new_hash).await;
                if !(matches!(e, catalog::Error::ContentChanged) && attempts < 3) {
                    return Err(lookup(e));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn search(f: impl FnOnce(&mut SearchAssets)) -> Result<Option<SearchQuery>, Error> {
        let mut req = SearchAssets {
            company: "c|6".into(),
            include_subfolders: "true".into(),
            ..SearchAssets::default()
        };
        f(&mut req);
        search_query(&req, "ApiTestCo/".into())
    }

    #[test]
    fn search_defaults_and_paging() {
        let q = search(|_| {}).expect("valid").expect("not trash");
        assert!(q.include_subfolders && q.match_all && !q.descending);
        assert_eq!((q.sort, q.limit, q.offset), (SortField::Name, MAX_RECORDS_PER_PAGE, 0));
        let q = search(|r| {
            r.records_per_page = Some("2".into());
            r.results_page = Some("3".into());
            r.sort_by = Some("FileSize".into());
            r.sort_direction = Some("Descending".into());
        })
        .expect("valid")
        .expect("not trash");
        assert_eq!(
            (q.limit, q.offset, q.sort, q.descending),
            (2, 4, SortField::FileSize, true)
        );
        let q = search(|r| r.records_per_page = Some("5000".into()))
            .expect("valid")
            .expect("not trash");
        assert_eq!(q.limit, MAX_RECORDS_PER_PAGE);
        assert!(search(|r| r.trash_state = Some("InTrash".into()))
            .expect("valid")
            .is_none());
    }

    #[test]
    fn search_refuses_what_it_cannot_evaluate() {
        let refusals: [fn(&mut SearchAssets); 9] = [
            |r| r.include_subfolders = "yes".into(),
            |r| r.records_per_page = Some("0".into()),
            |r| r.results_page = Some("-1".into()),
            |r| r.sort_by = Some("Colour".into()),
            |r| r.trash_state = Some("Everywhere".into()),
            |r| {
                r.condition_match_mode = Some("MatchAll".into());
                r.system_field_match_mode = Some("MatchAny".into());
            },
            |r| {
                r.conditions.push(SearchCondition {
                    field: "Keywords".into(),
                    op: "Contains".into(),
                    value: Some("x".into()),
                    ..SearchCondition::default()
                })
            },
            |r| {
                r.conditions.push(SearchCondition {
                    field: "FileSize".into(),
                    op: "Between".into(),
                    min_long: Some("1".into()),
                    ..SearchCondition::default()
                })
            },
            |r| {
                r.conditions.push(SearchCondition {
                    field: "Name".into(),
                    op: "GreaterThan".into(),
                    value: Some("x".into()),
                    ..SearchCondition::default()
                })
            },
        ];
        for (i, f) in refusals.into_iter().enumerate() {
            assert!(
                matches!(search(f), Err(Error::InvalidParameter(_))),
                "case {i} was accepted"
            );
        }
    }

    #[test]
    fn search_conditions_convert() {
        let q = search(|r| {
            r.system_field_match_mode = Some("MatchAny".into());
            r.conditions.push(SearchCondition {
                field: "Name".into(),
                op: "StartsWith".into(),
                value: Some("Copy_".into()),
                ..SearchCondition::default()
            });
            r.conditions.push(SearchCondition {
                field: "FileSize".into(),
                op: "Between".into(),
                min_long: Some("10".into()),
                max_long: Some("20".into()),
                ..SearchCondition::default()
            });
        })
        .expect("valid")
        .expect("not trash");
        assert!(!q.match_all);
        assert_eq!(
            q.conditions,
            [
                AssetCondition::Text(TextField::Name, TextOp::StartsWith, "Copy_".into()),
                AssetCondition::FileSize(NumberOp::Between(10, 20)),
            ]
        );
    }
}
