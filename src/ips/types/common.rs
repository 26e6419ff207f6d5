//! Arrays of strings and handles, and the batch operations' items: an
//! asset move, a publish state update, and a per-asset failure.

use crate::ips::contract::prelude::*;

/// `StringArray`.
pub static STRING_ARRAY: Type = Type::new("StringArray", &[many("items", STRING)]);

/// `HandleArray`.
pub static HANDLE_ARRAY: Type = Type::new("HandleArray", &[many("items", STRING)]);

/// `AssetMove`.
pub static ASSET_MOVE: Type = Type::new("AssetMove", &[req("assetHandle", STRING), req("folderHandle", STRING)]);

/// `AssetMoveArray`.
pub static ASSET_MOVE_ARRAY: Type = Type::new("AssetMoveArray", &[many("items", of(&ASSET_MOVE))]);

/// `PublishStateUpdate`.
pub static PUBLISH_STATE_UPDATE: Type = Type::new(
    "PublishStateUpdate",
    &[req("assetHandle", STRING), req("publishState", STRING)],
);

/// `PublishStateUpdateArray`.
pub static PUBLISH_STATE_UPDATE_ARRAY: Type =
    Type::new("PublishStateUpdateArray", &[many("items", of(&PUBLISH_STATE_UPDATE))]);

/// `AssetOperationFault`.
pub static ASSET_OPERATION_FAULT: Type = Type::new(
    "AssetOperationFault",
    &[req("assetHandle", STRING), req("code", INT), req("reason", STRING)],
);

/// `AssetOperationFaultArray`.
pub static ASSET_OPERATION_FAULT_ARRAY: Type =
    Type::new("AssetOperationFaultArray", &[many("items", of(&ASSET_OPERATION_FAULT))]);

/// `UrlArray`: 1 to 1000 URLs.
pub static URL_ARRAY: Type = Type::new("UrlArray", &[between("items", STRING, 1, 1000)]);

/// `EmailArray`: 1 to 5 addresses.
pub static EMAIL_ARRAY: Type = Type::new("EmailArray", &[between("items", STRING, 1, 5)]);

/// `EmailConfirmation` (6.0 to 6.6): who a CDN purge's confirmation goes to.
pub static EMAIL_CONFIRMATION: Type = Type::new(
    "EmailConfirmation",
    &[req("ccOriginator", BOOLEAN), opt("ccOthersArray", of(&EMAIL_ARRAY))],
);

/// `OperationFault`.
pub static OPERATION_FAULT: Type = Type::new("OperationFault", &[req("code", INT), req("reason", STRING)]);

/// `OperationFaultArray`.
pub static OPERATION_FAULT_ARRAY: Type = Type::new("OperationFaultArray", &[many("items", of(&OPERATION_FAULT))]);
