//! The one mapping from the catalog's refusals to the faults a caller can
//! act on, and the parsing of the handles requests name things by.
//!
//! A refusal names what it is about (the company handle as sent, an asset
//! handle, a folder path, a name), so each operation says what it was
//! working on and gets the same reasons as every other operation.

use crate::catalog;
use crate::handles::{AssetHandle, CompanyHandle, FolderHandle};

use super::Error;

/// What an operation was working on when the catalog refused.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Subject<'a> {
    company: CompanyHandle,
    raw_company: &'a str,
    asset: &'a str,
    folder: &'a str,
    name: &'a str,
    field: &'a str,
}

impl<'a> Subject<'a> {
    /// Work in `company`, which the request named as `raw_company`.
    pub(crate) fn new(company: CompanyHandle, raw_company: &'a str) -> Self {
        Subject {
            company,
            raw_company,
            asset: "",
            folder: "",
            name: "",
            field: "",
        }
    }

    /// On the asset the request named as `asset`.
    pub(crate) fn asset(self, asset: &'a str) -> Self {
        Subject { asset, ..self }
    }

    /// On (or into) the folder at `folder`.
    pub(crate) fn folder(self, folder: &'a str) -> Self {
        Subject { folder, ..self }
    }

    /// On the metadata field the request named as `field` (a handle, or a
    /// new field's name).
    pub(crate) fn field(self, field: &'a str) -> Self {
        Subject { field, ..self }
    }

    /// Giving something the name `name`.
    pub(crate) fn name(self, name: &'a str) -> Self {
        Subject { name, ..self }
    }

    /// The catalog's refusal as the caller's fault; anything else the
    /// catalog reports is internal.
    pub(crate) fn refusal(self, e: catalog::Error) -> Error {
        let company = self.company;
        match e {
            catalog::Error::CompanyNotFound => Error::InvalidCompany(self.raw_company.to_owned()),
            catalog::Error::AssetNotFound => {
                Error::InvalidParameter(format!("Asset '{}' was not found in company '{company}'", self.asset))
            }
            catalog::Error::AssetInTrash => Error::InvalidParameter(format!("Asset '{}' is in the trash", self.asset)),
            catalog::Error::AssetNotInTrash => {
                Error::InvalidParameter(format!("Asset '{}' is not in the trash", self.asset))
            }
            catalog::Error::NotAnImage(kind) => {
                Error::InvalidParameter(format!("Asset '{}' is a {kind} asset, not an Image", self.asset))
            }
            catalog::Error::FolderNotFound => {
                Error::InvalidParameter(format!("Folder '{}' was not found in company '{company}'", self.folder))
            }
            catalog::Error::FolderExists => Error::FolderExists(self.folder.to_owned()),
            catalog::Error::RootFolder => Error::InvalidParameter(format!(
                "Folder '{}' is the root folder of company '{company}' and cannot be changed",
                self.folder
            )),
            catalog::Error::NameInUse => Error::NameInUse(self.name.to_owned()),
            catalog::Error::MetadataFieldNotFound => Error::InvalidParameter(format!(
                "Metadata field '{}' was not found in company '{company}'",
                self.field
            )),
            catalog::Error::MetadataFieldExists => Error::InvalidParameter(format!(
                "Metadata field '{}' already exists in company '{company}'",
                self.field
            )),
            catalog::Error::MetadataFieldNotForType(field_type, asset_type) => Error::InvalidParameter(format!(
                "Asset '{}' is a {asset_type} asset; a metadata field of the update is for {field_type} assets",
                self.asset
            )),
            catalog::Error::TooManyMetadataFields(max) => Error::InvalidParameter(format!(
                "Company '{company}' already has {max} metadata fields, the most it may have"
            )),
            catalog::Error::WrongType { found, wanted } => {
                Error::InvalidParameter(format!("Asset '{}' is a {found} asset, not {wanted}", self.asset))
            }
            catalog::Error::Related(r) => Error::InvalidParameter(related(&r, company)),
            other => Error::from(other),
        }
    }
}

/// Why an asset named beside the subject (a set's member, a thumbnail)
/// cannot be named, naming it by its handle.
fn related(r: &catalog::Related, company: CompanyHandle) -> String {
    let handle = r.handle;
    let role = r.role;
    match &r.problem {
        catalog::RelatedProblem::NotFound => {
            format!("The {role} asset '{handle}' was not found in company '{company}'")
        }
        catalog::RelatedProblem::InTrash => format!("The {role} asset '{handle}' is in the trash"),
        catalog::RelatedProblem::WrongType(kind) => {
            format!("The {role} asset '{handle}' is a {kind} asset, which cannot be a {role} here")
        }
        catalog::RelatedProblem::Itself => format!("The {role} asset '{handle}' is the set itself"),
    }
}

/// An asset handle in any of its forms.
pub(crate) fn asset_handle(raw: &str) -> Result<AssetHandle, Error> {
    AssetHandle::parse(raw).ok_or_else(|| Error::InvalidParameter(format!("Invalid asset handle '{raw}'")))
}

/// A folder handle in any of its forms.
pub(crate) fn folder_handle(raw: &str) -> Result<FolderHandle, Error> {
    FolderHandle::parse(raw).ok_or_else(|| Error::InvalidParameter(format!("Invalid folder handle '{raw}'")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_name_their_subject() {
        let s = Subject::new(CompanyHandle(6), "6")
            .asset("a|1")
            .folder("A/x/")
            .name("n");
        let reason = |e| s.refusal(e).to_string();
        assert_eq!(reason(catalog::Error::CompanyNotFound), "Invalid company handle '6'");
        assert_eq!(
            reason(catalog::Error::AssetNotFound),
            "Asset 'a|1' was not found in company 'c|6'"
        );
        assert_eq!(
            reason(catalog::Error::FolderNotFound),
            "Folder 'A/x/' was not found in company 'c|6'"
        );
        assert_eq!(reason(catalog::Error::AssetInTrash), "Asset 'a|1' is in the trash");
        assert_eq!(
            reason(catalog::Error::AssetNotInTrash),
            "Asset 'a|1' is not in the trash"
        );
        assert_eq!(reason(catalog::Error::NameInUse), "Asset ID 'n' is already in use.");
        assert_eq!(reason(catalog::Error::FolderExists), "Folder 'A/x/' already exists.");
        assert!(matches!(s.refusal(catalog::Error::Closed), Error::Catalog(_)));
        assert!(matches!(
            s.refusal(catalog::Error::Busy(crate::deadline::Busy)),
            Error::Busy(_)
        ));
        assert!(asset_handle("a|x").is_err() && folder_handle("").is_err());
        let member = |problem| {
            catalog::Error::Related(catalog::Related {
                role: "member",
                handle: AssetHandle::long(9, 1, 9),
                problem,
            })
        };
        assert_eq!(
            reason(member(catalog::RelatedProblem::NotFound)),
            "The member asset 'a|9|1|9' was not found in company 'c|6'"
        );
        assert_eq!(
            reason(member(catalog::RelatedProblem::WrongType("AssetSet".into()))),
            "The member asset 'a|9|1|9' is a AssetSet asset, which cannot be a member here"
        );
        let wrong = catalog::Error::WrongType {
            found: "Image".into(),
            wanted: "an ImageSet",
        };
        assert_eq!(reason(wrong), "Asset 'a|1' is a Image asset, not an ImageSet");
    }
}
