//! The wire shape of each operation: request element → `ips::Operation`,
//! `ips::Reply` → return element. Element names are the schema's.

use super::envelope::Fields;
use super::writer::Node;
use super::xml::Element;
use super::Error;
use crate::ips::{CopyImage, Operation, OperationKind, Reply};

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

/// Decodes the Body element of an implemented operation.
pub fn decode(kind: OperationKind, param: &Element) -> Result<Operation, Error> {
    let ns = param.ns.as_deref().unwrap_or_default();
    match kind {
        OperationKind::CopyImage => {
            let f = Fields::collect(param, ns, Some(COPY_IMAGE_FIELDS))?;
            let company = match (f.get("companyHandle"), f.get("companyName")) {
                (Some(_), Some(_)) => {
                    return Err(Error::Malformed("give companyHandle or companyName, not both".into()))
                }
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
        // A servlet request arrives as form parts (`soap::upload`), never
        // as a Body element; `OperationKind::from_name` does not name it.
        OperationKind::UploadFile => Err(Error::UnknownOperation(
            "UploadFile is the upload servlet (POST /scene7/UploadFile), not a SOAP operation".into(),
        )),
    }
}

/// Encodes a reply as its return element.
pub fn encode(reply: &Reply) -> Node {
    match reply {
        Reply::CopyImage { asset_handle } => Node::parent(
            "copyImageReturn",
            vec![Node::text("assetHandle", asset_handle.as_str())],
        ),
        Reply::Upload { job_handle } => {
            Node::parent("uploadPostReturn", vec![Node::text("jobHandle", job_handle.as_str())])
        }
    }
}
