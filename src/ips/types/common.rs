//! Arrays of strings and handles, and the batch operations' items: an
//! asset move, and a per-asset failure.

use crate::ips::contract::prelude::*;

/// `StringArray`.
pub static STRING_ARRAY: Type = Type::new("StringArray", &[many("items", STRING)]);

/// `HandleArray`.
pub static HANDLE_ARRAY: Type = Type::new("HandleArray", &[many("items", STRING)]);

/// `AssetMove`.
pub static ASSET_MOVE: Type = Type::new("AssetMove", &[req("assetHandle", STRING), req("folderHandle", STRING)]);

/// `AssetMoveArray`.
pub static ASSET_MOVE_ARRAY: Type = Type::new("AssetMoveArray", &[many("items", of(&ASSET_MOVE))]);

/// `AssetOperationFault`.
pub static ASSET_OPERATION_FAULT: Type = Type::new(
    "AssetOperationFault",
    &[req("assetHandle", STRING), req("code", INT), req("reason", STRING)],
);

/// `AssetOperationFaultArray`.
pub static ASSET_OPERATION_FAULT_ARRAY: Type =
    Type::new("AssetOperationFaultArray", &[many("items", of(&ASSET_OPERATION_FAULT))]);
