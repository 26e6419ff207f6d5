//! The `Folder` type and the permission sets a folder listing may carry.

use crate::ips::contract::prelude::*;
use crate::ips::folder_tree::FolderNode;
use crate::ips::value::Record;

use super::asset::PERMISSION_ARRAY;

/// `Folder`.
pub static FOLDER: Type = Type::new(
    "Folder",
    &[
        opt("folderHandle", STRING),
        opt("path", STRING),
        opt("lastModified", DATE_TIME).since(V2010_01_31),
        opt("childLastModified", DATE_TIME).since(V2010_01_31),
        opt("permissionSetHandle", STRING).since(V2012_02_14),
        opt("permissions", of(&PERMISSION_ARRAY)).until(V2012_02_14),
        opt("hasSubfolders", BOOLEAN),
        opt("subfolderArray", of(&FOLDER_ARRAY)),
    ],
);

/// `FolderArray`.
pub static FOLDER_ARRAY: Type = Type::new("FolderArray", &[many("items", of(&FOLDER))]);

/// `PermissionSet`.
pub static PERMISSION_SET: Type = Type::new(
    "PermissionSet",
    &[
        opt("permissionSetHandle", STRING),
        opt("permissionArray", of(&PERMISSION_ARRAY)),
    ],
);

/// `PermissionSetArray`.
pub static PERMISSION_SET_ARRAY: Type = Type::new("PermissionSetArray", &[many("items", of(&PERMISSION_SET))]);

/// A folder as `Folder` shows it (`subfolderArray` only in a tree).
pub fn folder(f: &FolderNode) -> Record {
    let record = Record::new()
        .with("folderHandle", f.path.as_str())
        .with("path", f.path.as_str())
        .with("lastModified", f.modified.as_str())
        .with("childLastModified", f.child_modified.as_str())
        .with_bool("hasSubfolders", f.has_subfolders);
    match &f.subfolders {
        Some(children) => record.with_array("subfolderArray", children.iter().map(|c| folder(c).into()).collect()),
        None => record,
    }
}
