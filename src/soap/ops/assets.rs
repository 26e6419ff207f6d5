//! Wire shapes of the asset operations, and of the `Asset` type.

use super::super::fault::Fault;
use super::super::writer::Node;
use super::super::xml::Element;
use super::super::Error;
use super::{Decoded, FieldFilter, Params};
use crate::ips::{
    AssetDetail, BatchOutcome, DeleteAsset, DeleteAssets, GetAssets, GetAssetsByName, MoveAsset, MoveAssets, Operation,
    OperationKind, RenameAsset, ReplaceImage, SearchAssets, SearchCondition, SetUrlModifier,
};

const FILTER: [&str; 2] = ["responseFieldArray", "excludeFieldArray"];

/// Most `searchAssets` conditions one request may combine.
const MAX_CONDITIONS: usize = 100;

fn allowed<'a>(fields: &'a [&'a str], filtered: bool) -> Vec<&'a str> {
    let mut all = fields.to_vec();
    if filtered {
        all.extend(FILTER);
    }
    all
}

/// Decodes the Body element of an asset operation.
pub(super) fn decode(kind: OperationKind, param: &Element) -> Result<Decoded, Error> {
    let mut filter = FieldFilter::default();
    let operation = match kind {
        OperationKind::GetAssets => {
            let p = Params::new(param, &allowed(&["companyHandle", "assetHandleArray"], true))?;
            filter = p.field_filter()?;
            Operation::GetAssets(GetAssets {
                company: p.required("companyHandle")?,
                handles: p.required_strings("assetHandleArray")?,
            })
        }
        OperationKind::GetAssetsByName => {
            let p = Params::new(
                param,
                &allowed(
                    &["companyHandle", "nameArray", "assetTypeArray", "excludeAssetTypeArray"],
                    true,
                ),
            )?;
            filter = p.field_filter()?;
            Operation::GetAssetsByName(GetAssetsByName {
                company: p.required("companyHandle")?,
                names: p.required_strings("nameArray")?,
                types: p.strings("assetTypeArray")?.unwrap_or_default(),
                exclude_types: p.strings("excludeAssetTypeArray")?.unwrap_or_default(),
            })
        }
        OperationKind::SearchAssets => {
            let p = Params::new(
                param,
                &allowed(
                    &[
                        "companyHandle",
                        "folder",
                        "includeSubfolders",
                        "trashState",
                        "conditionMatchMode",
                        "systemFieldMatchMode",
                        "systemFieldConditionArray",
                        "assetTypeArray",
                        "excludeAssetTypeArray",
                        "recordsPerPage",
                        "resultsPage",
                        "sortBy",
                        "sortDirection",
                    ],
                    true,
                ),
            )?;
            filter = p.field_filter()?;
            let conditions = p.items("systemFieldConditionArray")?.unwrap_or_default();
            // Each condition is one more level of the query's expression
            // tree, which SQLite bounds.
            if conditions.len() > MAX_CONDITIONS {
                return Err(Error::InvalidValue(format!(
                    "'systemFieldConditionArray' holds {} items; at most {MAX_CONDITIONS} are accepted",
                    conditions.len()
                )));
            }
            let conditions = conditions.into_iter().map(condition).collect::<Result<Vec<_>, _>>()?;
            Operation::SearchAssets(SearchAssets {
                company: p.required("companyHandle")?,
                folder: p.text("folder")?,
                include_subfolders: p.required("includeSubfolders")?,
                trash_state: p.text("trashState")?,
                condition_match_mode: p.text("conditionMatchMode")?,
                system_field_match_mode: p.text("systemFieldMatchMode")?,
                conditions,
                types: p.strings("assetTypeArray")?.unwrap_or_default(),
                exclude_types: p.strings("excludeAssetTypeArray")?.unwrap_or_default(),
                records_per_page: p.text("recordsPerPage")?,
                results_page: p.text("resultsPage")?,
                sort_by: p.text("sortBy")?,
                sort_direction: p.text("sortDirection")?,
            })
        }
        OperationKind::RenameAsset => {
            // `renameFiles` is the pre-6.0 flag (still in Adobe's example);
            // it changes nothing here, but is read so it is not refused.
            let p = Params::new(
                param,
                &["companyHandle", "assetHandle", "newName", "validateName", "renameFiles"],
            )?;
            Operation::RenameAsset(RenameAsset {
                company: p.required("companyHandle")?,
                asset: p.required("assetHandle")?,
                new_name: p.required("newName")?,
                validate_name: p.required("validateName")?,
            })
        }
        OperationKind::MoveAsset => {
            let p = Params::new(param, &["companyHandle", "assetHandle", "folderHandle"])?;
            Operation::MoveAsset(MoveAsset {
                company: p.required("companyHandle")?,
                asset: p.required("assetHandle")?,
                folder: p.required("folderHandle")?,
            })
        }
        OperationKind::MoveAssets => {
            let p = Params::new(param, &["companyHandle", "assetMoveArray"])?;
            let moves = p
                .items("assetMoveArray")?
                .ok_or(Error::MissingParameter("assetMoveArray"))?
                .into_iter()
                .map(|item| {
                    let m = Params::new(item, &["assetHandle", "folderHandle"])?;
                    Ok((m.required("assetHandle")?, m.required("folderHandle")?))
                })
                .collect::<Result<Vec<_>, Error>>()?;
            Operation::MoveAssets(MoveAssets {
                company: p.required("companyHandle")?,
                moves,
            })
        }
        OperationKind::DeleteAsset => {
            let p = Params::new(param, &["companyHandle", "assetHandle"])?;
            Operation::DeleteAsset(DeleteAsset {
                company: p.required("companyHandle")?,
                asset: p.required("assetHandle")?,
            })
        }
        OperationKind::DeleteAssets => {
            let p = Params::new(param, &["companyHandle", "assetHandleArray"])?;
            Operation::DeleteAssets(DeleteAssets {
                company: p.required("companyHandle")?,
                assets: p.required_strings("assetHandleArray")?,
            })
        }
        OperationKind::SetUrlModifier => {
            let p = Params::new(
                param,
                &["companyHandle", "assetHandle", "urlModifier", "urlPostApplyModifier"],
            )?;
            Operation::SetUrlModifier(SetUrlModifier {
                company: p.required("companyHandle")?,
                asset: p.required("assetHandle")?,
                url_modifier: p.text("urlModifier")?,
                url_post_modifier: p.text("urlPostApplyModifier")?,
            })
        }
        OperationKind::ReplaceImage => {
            // `companyName` is the reference page's (wrong) name for
            // `companyHandle`, accepted as copyImage accepts it.
            let p = Params::new(param, &["companyHandle", "companyName", "assetHandle", "urlModifier"])?;
            let company = match (p.text("companyHandle")?, p.text("companyName")?) {
                (Some(_), Some(_)) => {
                    return Err(Error::Malformed("give companyHandle or companyName, not both".into()))
                }
                (Some(c), None) | (None, Some(c)) => c,
                (None, None) => return Err(Error::MissingParameter("companyHandle")),
            };
            Operation::ReplaceImage(ReplaceImage {
                company,
                asset: p.required("assetHandle")?,
                url_modifier: p.required("urlModifier")?,
            })
        }
        other => {
            return Err(Error::UnknownOperation(format!(
                "operation '{}' is not an asset operation",
                other.name()
            )))
        }
    };
    Ok(Decoded { operation, filter })
}

fn condition(item: &Element) -> Result<SearchCondition, Error> {
    let p = Params::new(
        item,
        &[
            "field", "op", "value", "longVal", "minLong", "maxLong", "dateVal", "minDate", "maxDate",
        ],
    )?;
    let has_date = ["dateVal", "minDate", "maxDate"]
        .into_iter()
        .map(|d| p.text(d))
        .collect::<Result<Vec<_>, _>>()?
        .iter()
        .any(Option::is_some);
    Ok(SearchCondition {
        field: p.required("field")?,
        op: p.required("op")?,
        value: p.text("value")?,
        long_val: p.text("longVal")?,
        min_long: p.text("minLong")?,
        max_long: p.text("maxLong")?,
        has_date,
    })
}

/// The file name an asset's bytes have: its name and its format's usual
/// extension.
fn file_name(d: &AssetDetail) -> String {
    let ext = match d.asset.format.as_deref() {
        Some("jpeg") => "jpg",
        Some("tiff") => "tif",
        Some(other) => other,
        None => "",
    };
    if ext.is_empty() {
        d.asset.name.clone()
    } else {
        format!("{}.{ext}", d.asset.name)
    }
}

/// One `Asset`: the fields every API version's `Asset` type has, in schema
/// order, so a strict stub for any version accepts it.
fn asset(name: &'static str, d: &AssetDetail) -> Node {
    let a = &d.asset;
    let mut info = vec![
        Node::text("originalPath", a.folder.as_str()),
        Node::text("originalFile", file_name(d)),
    ];
    if let Some(w) = a.width {
        info.push(Node::text("width", w.to_string()));
    }
    if let Some(h) = a.height {
        info.push(Node::text("height", h.to_string()));
    }
    info.push(Node::text("fileSize", a.byte_size.to_string()));
    info.push(Node::text("urlModifier", a.url_modifier.as_str()));
    info.push(Node::text("urlPostApplyModifier", a.url_post_modifier.as_str()));
    Node::parent(
        name,
        vec![
            Node::text("assetHandle", a.handle().to_string()),
            Node::text("type", a.asset_type.as_str()),
            Node::text("name", a.name.as_str()),
            Node::text("folder", a.folder.as_str()),
            Node::text("folderHandle", a.folder.as_str()),
            Node::text("created", d.created.as_str()),
            Node::text("createUser", d.create_user.as_str()),
            Node::text("lastModified", d.modified.as_str()),
            Node::text("lastModifyUser", d.modify_user.as_str()),
            Node::parent("imageInfo", info),
        ],
    )
}

/// `assetArray`, present (possibly empty) even when nothing matched, as
/// Scene7 answers.
pub(super) fn asset_array(list: &[AssetDetail]) -> Node {
    Node::parent("assetArray", list.iter().map(|d| asset("items", d)).collect())
}

/// The counts and details of a `moveAssets`/`deleteAssets` reply. The
/// detail arrays appear only when they have items.
pub(super) fn batch(outcome: &BatchOutcome) -> Vec<Node> {
    let mut out = vec![
        Node::text("successCount", outcome.success.to_string()),
        Node::text("warningCount", "0"),
        Node::text("errorCount", outcome.errors.len().to_string()),
    ];
    if !outcome.errors.is_empty() {
        let items = outcome
            .errors
            .iter()
            .map(|(handle, e)| {
                let fault = Fault::from_ips(e);
                let (code, reason) = fault.code_and_reason().unwrap_or((30000, "internal error"));
                Node::parent(
                    "items",
                    vec![
                        Node::text("assetHandle", handle.as_str()),
                        Node::text("code", code.to_string()),
                        Node::text("reason", reason),
                    ],
                )
            })
            .collect();
        out.push(Node::parent("errorDetailArray", items));
    }
    out
}
