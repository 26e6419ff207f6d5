//! The contract's shared types, each declared once with the versions of its
//! fields, and the records replies build from the catalog's rows.
//!
//! The declarations follow Adobe's WSDLs for 2013-02-15 and 2014-04-03
//! exactly; for the versions before, the change logs, the pre-4.0 contract
//! and captured replies say which fields each version has (ARCHITECTURE.md,
//! "The contract per version").

pub mod asset;
pub mod common;
pub mod folder;
pub mod header;
pub mod identity;
pub mod infos;
pub mod search;

pub use asset::{ASSET, ASSET_ARRAY};
pub use common::{
    ASSET_MOVE_ARRAY, ASSET_OPERATION_FAULT_ARRAY, HANDLE_ARRAY, PUBLISH_STATE_UPDATE_ARRAY, STRING_ARRAY,
};
pub use folder::{FOLDER, FOLDER_ARRAY, PERMISSION_SET_ARRAY};
pub use identity::{COMPANY, USER};
pub use search::{
    EXCLUDE_BYPRODUCT_ARRAY, METADATA_CONDITION_ARRAY, SYSTEM_FIELD_CONDITION_ARRAY, TAG_CONDITION_ARRAY,
};
