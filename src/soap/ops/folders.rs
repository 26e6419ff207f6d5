//! Wire shapes of the identity and folder operations, and of the `Company`,
//! `User` and `Folder` types.

use super::super::envelope::IPS_XSD;
use super::super::writer::Node;
use super::super::xml::Element;
use super::super::Error;
use super::{Decoded, FieldFilter, Params};
use crate::ips::{
    CheckLogin, CompanyInfo, CreateFolder, DeleteFolder, FolderNode, GetCompanyInfo, GetFolderTree, GetFolders,
    GetUserInfo, Operation, OperationKind, RenameFolder, UserInfo,
};

/// Decodes `checkLogin`, `getCompanyInfo` and `getUserInfo`.
pub(super) fn decode_identity(kind: OperationKind, param: &Element) -> Result<Operation, Error> {
    Ok(match kind {
        OperationKind::CheckLogin => {
            let p = Params::new(param, &["companyHandle", "email", "password"])?;
            Operation::CheckLogin(CheckLogin {
                company: p.text("companyHandle")?,
                email: p.required("email")?,
                password: p.required("password")?,
            })
        }
        OperationKind::GetCompanyInfo => {
            let p = Params::new(param, &["companyHandle", "companyName"])?;
            let (company, company_name) = (p.text("companyHandle")?, p.text("companyName")?);
            if company.is_none() && company_name.is_none() {
                return Err(Error::MissingParameter("companyHandle"));
            }
            Operation::GetCompanyInfo(GetCompanyInfo { company, company_name })
        }
        OperationKind::GetUserInfo => {
            let p = Params::new(param, &["userHandle", "email"])?;
            Operation::GetUserInfo(GetUserInfo {
                user: p.text("userHandle")?,
                email: p.text("email")?,
            })
        }
        other => {
            return Err(Error::UnknownOperation(format!(
                "operation '{}' is not an identity operation",
                other.name()
            )))
        }
    })
}

/// Decodes the folder operations.
pub(super) fn decode(kind: OperationKind, param: &Element) -> Result<Decoded, Error> {
    let mut filter = FieldFilter::default();
    let operation = match kind {
        OperationKind::GetFolders => {
            let p = Params::new(
                param,
                &["companyHandle", "folderPath", "responseFieldArray", "excludeFieldArray"],
            )?;
            filter = p.field_filter()?;
            Operation::GetFolders(GetFolders {
                company: p.required("companyHandle")?,
                folder_path: p.text("folderPath")?,
            })
        }
        OperationKind::GetFolderTree => {
            let p = Params::new(
                param,
                &[
                    "companyHandle",
                    "folderPath",
                    "depth",
                    "responseFieldArray",
                    "excludeFieldArray",
                ],
            )?;
            filter = p.field_filter()?;
            let raw = p.required("depth")?;
            // An xsd:int: XML whitespace around it is not part of the value.
            let depth = raw
                .trim_matches([' ', '\t', '\n', '\r'])
                .parse()
                .map_err(|_| Error::InvalidValue(format!("depth must be an integer, not '{raw}'")))?;
            Operation::GetFolderTree(GetFolderTree {
                company: p.required("companyHandle")?,
                folder_path: p.text("folderPath")?,
                depth,
            })
        }
        OperationKind::CreateFolder => {
            let p = Params::new(param, &["companyHandle", "folderPath"])?;
            Operation::CreateFolder(CreateFolder {
                company: p.required("companyHandle")?,
                folder_path: p.required("folderPath")?,
            })
        }
        OperationKind::DeleteFolder => {
            let p = Params::new(param, &["companyHandle", "folderHandle"])?;
            Operation::DeleteFolder(DeleteFolder {
                company: p.required("companyHandle")?,
                folder: p.required("folderHandle")?,
            })
        }
        OperationKind::RenameFolder => {
            let p = Params::new(param, &["companyHandle", "folderHandle", "folderName"])?;
            Operation::RenameFolder(RenameFolder {
                company: p.required("companyHandle")?,
                folder: p.required("folderHandle")?,
                name: p.required("folderName")?,
            })
        }
        other => {
            return Err(Error::UnknownOperation(format!(
                "operation '{}' is not a folder operation",
                other.name()
            )))
        }
    };
    Ok(Decoded { operation, filter })
}

/// `companyInfo` (a `Company`).
pub(super) fn company(c: &CompanyInfo) -> Node {
    Node::parent(
        "companyInfo",
        vec![
            Node::text("companyHandle", c.handle.to_string()),
            Node::text("name", c.name.as_str()),
            Node::text("rootPath", c.root_path.as_str()),
        ],
    )
}

/// How `User` looks in an API version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum UserShape {
    /// Up to 2011-11-04 (and the unversioned namespace): `role`.
    Role,
    /// 2012-02-14 to 2013-08-29 (IPS 6.x renamed it): `defaultRole`.
    DefaultRole,
    /// 2014-04-03 on: no role, `isIpsAdmin` after `isValid`.
    IsIpsAdmin,
}

fn user_shape(ns: &str) -> UserShape {
    let version = ns.strip_prefix(IPS_XSD).and_then(|v| v.strip_prefix('/')).unwrap_or("");
    // Versions are dates, so they order as strings.
    if version.is_empty() || version < "2012-02-14" {
        UserShape::Role
    } else if version < "2014-04-03" {
        UserShape::DefaultRole
    } else {
        UserShape::IsIpsAdmin
    }
}

/// `userInfo` (a `User`) in the shape of the request's API version.
pub(super) fn user(u: &UserInfo, ns: &str) -> Node {
    let mut fields = vec![
        Node::text("userHandle", u.handle()),
        Node::text("firstName", u.first_name.as_str()),
        Node::text("lastName", u.last_name.as_str()),
        Node::text("email", u.email.as_str()),
    ];
    match user_shape(ns) {
        UserShape::Role => {
            fields.push(Node::text("role", u.user_type.as_str()));
            fields.push(Node::text("isValid", "true"));
        }
        UserShape::DefaultRole => {
            fields.push(Node::text("defaultRole", u.user_type.as_str()));
            fields.push(Node::text("isValid", "true"));
        }
        UserShape::IsIpsAdmin => {
            fields.push(Node::text("isValid", "true"));
            fields.push(Node::text(
                "isIpsAdmin",
                if u.user_type == "IpsAdmin" { "true" } else { "false" },
            ));
        }
    }
    Node::parent("userInfo", fields)
}

/// A `Folder` named `name` (`items` in an array, `folders` as a tree root).
pub(super) fn folder(name: &'static str, f: &FolderNode) -> Node {
    let mut fields = vec![
        Node::text("folderHandle", f.path.as_str()),
        Node::text("path", f.path.as_str()),
        Node::text("hasSubfolders", if f.has_subfolders { "true" } else { "false" }),
    ];
    if let Some(children) = &f.subfolders {
        fields.push(Node::parent(
            "subfolderArray",
            children.iter().map(|c| folder("items", c)).collect(),
        ));
    }
    Node::parent(name, fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_shapes_follow_the_api_version() {
        let ns = |v: &str| format!("{IPS_XSD}/{v}");
        assert_eq!(user_shape(IPS_XSD), UserShape::Role);
        assert_eq!(user_shape(&ns("2008-01-15")), UserShape::Role);
        assert_eq!(user_shape(&ns("2011-11-04")), UserShape::Role);
        assert_eq!(user_shape(&ns("2013-02-15")), UserShape::DefaultRole);
        assert_eq!(user_shape(&ns("2014-04-03")), UserShape::IsIpsAdmin);
        assert_eq!(user_shape(&ns("2016-01-14-beta")), UserShape::IsIpsAdmin);
    }
}
