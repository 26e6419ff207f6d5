//! The wire shape of each operation: request element → `ips::Operation`,
//! `ips::Reply` → return element. Element names and order are the schema's
//! (`xsd/IpsApi-2008-01-15.xsd`).
//!
//! Requests are read strictly: a child the schema does not declare for the
//! operation, or one repeated, is refused (30003) rather than ignored, since
//! a misspelt optional field would otherwise silently change the meaning.

mod assets;
mod filter;
mod folders;

use super::envelope::Fields;
use super::writer::Node;
use super::xml::{Element, XSI};
use super::Error;
use crate::ips::{CopyImage, Operation, OperationKind, Reply};

pub use filter::FieldFilter;

/// `copyImageParam` children. `companyName` is the docs' own (wrong) name for
/// `companyHandle`; it is accepted as an alias.
const COPY_IMAGE_FIELDS: &[&str] = &[
    "companyHandle",
    "companyName",
    "assetHandle",
    "folderHandle",
    "name",
    "urlModifier",
];

/// Most items an array parameter may hold. Every array names things the
/// catalog looks up one by one, on its single worker; Scene7's own paging
/// cap is 1000 rows.
pub(super) const MAX_ITEMS: usize = 1000;

/// Most paths `responseFieldArray` or `excludeFieldArray` may hold, and the
/// longest path: each is matched against every element of the reply.
const MAX_FIELD_PATHS: usize = 100;
const MAX_FIELD_PATH_BYTES: usize = 255;

/// A request element's children, checked against the operation's list.
pub(super) struct Params<'e> {
    ns: &'e str,
    children: Vec<&'e Element>,
}

fn is_nil(e: &Element) -> bool {
    matches!(e.attr(Some(XSI), "nil"), Some("true" | "1"))
}

impl<'e> Params<'e> {
    /// Collects `param`'s children; each must be in the request's namespace
    /// and in `allowed`, and appear at most once. `xsi:nil` counts as absent.
    pub(super) fn new(param: &'e Element, allowed: &[&str]) -> Result<Self, Error> {
        let ns = param.ns.as_deref().unwrap_or_default();
        let mut children: Vec<&Element> = Vec::new();
        let mut seen: Vec<&str> = Vec::new();
        for child in &param.children {
            if child.ns.as_deref() != Some(ns) || !allowed.contains(&child.name.as_str()) {
                return Err(Error::UnexpectedElement(super::bounded(&child.qname())));
            }
            if seen.contains(&child.name.as_str()) {
                return Err(Error::Malformed(format!(
                    "element '{}' appears more than once",
                    child.name
                )));
            }
            seen.push(&child.name);
            if !is_nil(child) {
                children.push(child);
            }
        }
        Ok(Params { ns, children })
    }

    fn child(&self, name: &str) -> Option<&'e Element> {
        self.children.iter().copied().find(|c| c.name == name)
    }

    /// A text-only child's value.
    pub(super) fn text(&self, name: &str) -> Result<Option<String>, Error> {
        match self.child(name) {
            None => Ok(None),
            Some(c) if !c.children.is_empty() => Err(Error::Malformed(format!("element '{name}' must hold text only"))),
            Some(c) => Ok(Some(c.text.clone())),
        }
    }

    /// A required text-only child's value.
    pub(super) fn required(&self, name: &'static str) -> Result<String, Error> {
        self.text(name)?.ok_or(Error::MissingParameter(name))
    }

    /// The `items` of an array child, each checked to be an `items` element
    /// in the request's namespace; `None` when the array is absent.
    pub(super) fn items(&self, name: &str) -> Result<Option<Vec<&'e Element>>, Error> {
        let Some(array) = self.child(name) else {
            return Ok(None);
        };
        if !array.text.trim().is_empty() {
            return Err(Error::Malformed(format!("element '{name}' must hold items elements")));
        }
        if array.children.len() > MAX_ITEMS {
            return Err(Error::InvalidValue(format!(
                "'{name}' holds {} items; at most {MAX_ITEMS} are accepted",
                array.children.len()
            )));
        }
        let mut out = Vec::with_capacity(array.children.len());
        for item in &array.children {
            if item.ns.as_deref() != Some(self.ns) || item.name != "items" {
                return Err(Error::UnexpectedElement(super::bounded(&item.qname())));
            }
            if !is_nil(item) {
                out.push(item);
            }
        }
        Ok(Some(out))
    }

    /// A string array's values (`None` when absent).
    pub(super) fn strings(&self, name: &str) -> Result<Option<Vec<String>>, Error> {
        let Some(items) = self.items(name)? else {
            return Ok(None);
        };
        items
            .into_iter()
            .map(|i| {
                if i.children.is_empty() {
                    Ok(i.text.clone())
                } else {
                    Err(Error::Malformed(format!("'{name}' items must hold text only")))
                }
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    /// A required string array's values.
    pub(super) fn required_strings(&self, name: &'static str) -> Result<Vec<String>, Error> {
        self.strings(name)?.ok_or(Error::MissingParameter(name))
    }

    /// `responseFieldArray` / `excludeFieldArray`.
    pub(super) fn field_filter(&self) -> Result<FieldFilter, Error> {
        let paths = |name: &str| -> Result<Vec<String>, Error> {
            let paths = self.strings(name)?.unwrap_or_default();
            if paths.len() > MAX_FIELD_PATHS || paths.iter().any(|p| p.len() > MAX_FIELD_PATH_BYTES) {
                return Err(Error::InvalidValue(format!(
                    "'{name}' may hold at most {MAX_FIELD_PATHS} paths of at most {MAX_FIELD_PATH_BYTES} bytes"
                )));
            }
            Ok(paths)
        };
        Ok(FieldFilter::new(
            paths("responseFieldArray")?,
            paths("excludeFieldArray")?,
        ))
    }
}

/// A decoded request, with the reply fields the caller asked for.
pub struct Decoded {
    /// The operation.
    pub operation: Operation,
    /// `responseFieldArray`/`excludeFieldArray`, where the operation has them.
    pub filter: FieldFilter,
}

/// Decodes the Body element of an implemented operation.
pub fn decode(kind: OperationKind, param: &Element) -> Result<Decoded, Error> {
    let plain = |operation| {
        Ok(Decoded {
            operation,
            filter: FieldFilter::default(),
        })
    };
    match kind {
        OperationKind::CopyImage => plain(decode_copy_image(param)?),
        OperationKind::CheckLogin | OperationKind::GetCompanyInfo | OperationKind::GetUserInfo => {
            plain(folders::decode_identity(kind, param)?)
        }
        OperationKind::GetFolders
        | OperationKind::GetFolderTree
        | OperationKind::CreateFolder
        | OperationKind::DeleteFolder
        | OperationKind::RenameFolder => folders::decode(kind, param),
        // A servlet request arrives as form parts (`soap::upload`), never
        // as a Body element; `OperationKind::from_name` does not name it.
        OperationKind::UploadFile => Err(Error::UnknownOperation(
            "UploadFile is the upload servlet (POST /scene7/UploadFile), not a SOAP operation".into(),
        )),
        _ => assets::decode(kind, param),
    }
}

fn decode_copy_image(param: &Element) -> Result<Operation, Error> {
    let ns = param.ns.as_deref().unwrap_or_default();
    let f = Fields::collect(param, ns, Some(COPY_IMAGE_FIELDS))?;
    let company = match (f.get("companyHandle"), f.get("companyName")) {
        (Some(_), Some(_)) => return Err(Error::Malformed("give companyHandle or companyName, not both".into())),
        (Some(c), None) | (None, Some(c)) => c,
        (None, None) => return Err(Error::MissingParameter("companyHandle")),
    };
    Ok(Operation::CopyImage(CopyImage {
        company: company.to_owned(),
        asset: f.required("assetHandle")?.to_owned(),
        folder: f.required("folderHandle")?.to_owned(),
        name: f.required("name")?.to_owned(),
        url_modifier: f.required("urlModifier")?.to_owned(),
    }))
}

/// The return element's name.
fn return_name(kind: OperationKind) -> &'static str {
    use OperationKind::*;
    match kind {
        CopyImage => "copyImageReturn",
        CheckLogin => "checkLoginReturn",
        GetCompanyInfo => "getCompanyInfoReturn",
        GetUserInfo => "getUserInfoReturn",
        GetFolders => "getFoldersReturn",
        GetFolderTree => "getFolderTreeReturn",
        CreateFolder => "createFolderReturn",
        DeleteFolder => "deleteFolderReturn",
        RenameFolder => "renameFolderReturn",
        GetAssets => "getAssetsReturn",
        GetAssetsByName => "getAssetsByNameReturn",
        SearchAssets => "searchAssetsReturn",
        RenameAsset => "renameAssetReturn",
        MoveAsset => "moveAssetReturn",
        MoveAssets => "moveAssetsReturn",
        DeleteAsset => "deleteAssetReturn",
        DeleteAssets => "deleteAssetsReturn",
        SetUrlModifier => "setUrlModifierReturn",
        ReplaceImage => "replaceImageReturn",
        UploadFile => "uploadPostReturn",
    }
}

/// Encodes a reply as the operation's return element in namespace `ns`
/// (some types changed shape between API versions), keeping only the fields
/// `filter` lets through.
pub fn encode(kind: OperationKind, reply: &Reply, ns: &str, filter: &FieldFilter) -> Node {
    let children = match reply {
        Reply::Empty => Vec::new(),
        Reply::AssetHandle(h) => vec![Node::text("assetHandle", h.as_str())],
        Reply::LoginStatus(valid) => vec![Node::text("status", if *valid { "ValidLogin" } else { "InvalidLogin" })],
        Reply::Company(c) => vec![folders::company(c)],
        Reply::User(u) => vec![folders::user(u, ns)],
        Reply::FolderHandle(h) => vec![Node::text("folderHandle", h.as_str())],
        Reply::Folders(list) => vec![Node::parent(
            "folderArray",
            list.iter().map(|f| folders::folder("items", f)).collect(),
        )],
        Reply::FolderTree(root) => root.iter().map(|f| folders::folder("folders", f)).collect(),
        Reply::Assets(list) => vec![assets::asset_array(list)],
        Reply::Search { total, assets: list } => {
            vec![Node::text("totalRows", total.to_string()), assets::asset_array(list)]
        }
        Reply::Batch(outcome) => assets::batch(outcome),
        Reply::UploadJob(h) => vec![Node::text("jobHandle", h.as_str())],
    };
    filter.apply(Node::parent(return_name(kind), children))
}

#[cfg(test)]
mod tests {
    use super::super::xml;
    use super::*;

    fn param(body: &str) -> Element {
        let doc = format!("<p xmlns='urn:t' xmlns:xsi='{XSI}'>{body}</p>");
        xml::parse(&doc, 100, false).expect("well-formed")
    }

    #[test]
    fn params_are_strict() {
        let p = param("<a>1</a><list><items>x</items><items>y</items><items xsi:nil='true'/></list>");
        let params = Params::new(&p, &["a", "list", "b"]).expect("valid");
        assert_eq!(params.text("a").expect("text").as_deref(), Some("1"));
        assert_eq!(params.text("b").expect("absent"), None);
        assert_eq!(
            params.strings("list").expect("array"),
            Some(vec!["x".into(), "y".into()])
        );
        assert!(matches!(params.required("b"), Err(Error::MissingParameter("b"))));

        let unknown = param("<a>1</a><c/>");
        assert!(matches!(
            Params::new(&unknown, &["a"]),
            Err(Error::UnexpectedElement(_))
        ));
        let twice = param("<a>1</a><a>2</a>");
        assert!(matches!(Params::new(&twice, &["a"]), Err(Error::Malformed(_))));
        let foreign = param("<x:a xmlns:x='urn:other'>1</x:a>");
        assert!(matches!(
            Params::new(&foreign, &["a"]),
            Err(Error::UnexpectedElement(_))
        ));
        let bad_item = param("<list><item>x</item></list>");
        let params = Params::new(&bad_item, &["list"]).expect("valid");
        assert!(matches!(params.strings("list"), Err(Error::UnexpectedElement(_))));
        let nested = param("<a><b/></a>");
        let params = Params::new(&nested, &["a"]).expect("valid");
        assert!(params.text("a").is_err());
    }
}
