//! The request types of the image field, thumbnail, zoom target and image
//! map operations (`batchSetImageFields`, `batchSetThumbAsset`,
//! `setZoomTargets`, `setImageMaps`), all from 2008-01-15 (the 4.0 log
//! adds those operations).

use crate::ips::contract::prelude::*;

/// `ImageFieldUpdate`.
pub static IMAGE_FIELD_UPDATE: Type = Type::new(
    "ImageFieldUpdate",
    &[
        req("assetHandle", STRING),
        opt("resolution", DOUBLE),
        opt("anchorX", INT),
        opt("anchorY", INT),
        opt("userData", STRING),
    ],
);

/// `ImageFieldUpdateArray`.
pub static IMAGE_FIELD_UPDATE_ARRAY: Type =
    Type::new("ImageFieldUpdateArray", &[many("items", of(&IMAGE_FIELD_UPDATE))]);

/// `ThumbAssetUpdate`.
pub static THUMB_ASSET_UPDATE: Type = Type::new(
    "ThumbAssetUpdate",
    &[req("assetHandle", STRING), opt("thumbAssetHandle", STRING)],
);

/// `ThumbAssetUpdateArray`.
pub static THUMB_ASSET_UPDATE_ARRAY: Type =
    Type::new("ThumbAssetUpdateArray", &[many("items", of(&THUMB_ASSET_UPDATE))]);

/// `ZoomTargetDefinition`.
pub static ZOOM_TARGET_DEFINITION: Type = Type::new(
    "ZoomTargetDefinition",
    &[
        req("name", STRING),
        req("xPosition", INT),
        req("yPosition", INT),
        req("width", INT),
        req("height", INT),
        opt("userData", STRING),
    ],
);

/// `ZoomTargetDefinitionArray`.
pub static ZOOM_TARGET_DEFINITION_ARRAY: Type = Type::new(
    "ZoomTargetDefinitionArray",
    &[many("items", of(&ZOOM_TARGET_DEFINITION))],
);

/// `ImageMapDefinition`.
pub static IMAGE_MAP_DEFINITION: Type = Type::new(
    "ImageMapDefinition",
    &[
        req("name", STRING),
        req("shapeType", STRING),
        req("region", STRING),
        req("action", STRING),
        req("enabled", BOOLEAN),
    ],
);

/// `ImageMapDefinitionArray`.
pub static IMAGE_MAP_DEFINITION_ARRAY: Type =
    Type::new("ImageMapDefinitionArray", &[many("items", of(&IMAGE_MAP_DEFINITION))]);
