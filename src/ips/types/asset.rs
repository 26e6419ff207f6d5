//! The `Asset` type and what it holds of its own: `ImageInfo`, metadata,
//! permissions, zoom targets, masks and image maps.
//!
//! An image asset is the one kind the emulator stores; the other kinds'
//! `…Info` types are declared in `infos` so that every version's `Asset`
//! is the whole type.

use crate::catalog::AssetDetail;
use crate::ips::contract::prelude::*;
use crate::ips::value::Record;

use super::common::STRING_ARRAY;
use super::infos::*;

/// `Asset`.
pub static ASSET: Type = Type::new(
    "Asset",
    &[
        opt("assetHandle", STRING),
        opt("type", STRING),
        opt("subType", STRING).since(V2009_07_31),
        opt("name", STRING),
        opt("fileName", STRING).since(V2012_02_14),
        opt("folder", STRING),
        opt("folderHandle", STRING),
        opt("readyForPublish", BOOLEAN),
        opt("trashState", STRING).since(V2008_09_10),
        opt("projects", STRING),
        opt("ipsImageUrl", STRING),
        opt("created", DATE_TIME),
        opt("createUser", STRING),
        opt("lastModified", DATE_TIME),
        opt("lastModifyUser", STRING),
        opt("metadataArray", of(&METADATA_ARRAY)),
        opt("imageInfo", of(&IMAGE_INFO)),
        opt("layerViewInfo", of(&LAYER_VIEW_INFO)).since(V2008_01_15),
        opt("templateInfo", of(&TEMPLATE_INFO)),
        opt("watermarkInfo", of(&WATERMARK_INFO)),
        opt("renderSceneInfo", of(&RENDER_SCENE_INFO)),
        opt("vignetteInfo", of(&VIGNETTE_INFO)),
        opt("cabinetInfo", of(&CABINET_INFO)),
        opt("windowCoveringInfo", of(&WINDOW_COVERING_INFO)),
        opt("iccProfileInfo", of(&ICC_PROFILE_INFO)),
        opt("fontInfo", of(&FONT_INFO)),
        opt("xslInfo", of(&XSL_INFO)),
        opt("viewerPresetInfo", of(&VIEWER_PRESET_INFO)).since(V2008_01_15),
        opt("viewerSwfInfo", of(&VIEWER_SWF_INFO)),
        opt("xmlInfo", of(&XML_INFO)),
        opt("svgInfo", of(&SVG_INFO)),
        opt("fxgInfo", of(&FXG_INFO)).since(V2013_02_15),
        opt("pdfSettingsInfo", of(&PDF_SETTINGS_INFO)).since(V2008_09_10),
        opt("zipInfo", of(&ZIP_INFO)),
        opt("videoInfo", of(&VIDEO_INFO)),
        opt("acoInfo", of(&ACO_INFO)),
        opt("pdfInfo", of(&PDF_INFO)),
        opt("psdInfo", of(&PSD_INFO)),
        opt("flashInfo", of(&FLASH_INFO)),
        opt("inDesignInfo", of(&IN_DESIGN_INFO)),
        opt("postScriptInfo", of(&POST_SCRIPT_INFO)).since(V2008_01_15),
        opt("illustratorInfo", of(&ILLUSTRATOR_INFO)).since(V2008_01_15),
        opt("wordInfo", of(&WORD_INFO)).since(V2008_01_15),
        opt("excelInfo", of(&EXCEL_INFO)).since(V2008_01_15),
        opt("powerPointInfo", of(&POWER_POINT_INFO)).since(V2008_01_15),
        opt("rtfInfo", of(&RTF_INFO)).since(V2008_09_10),
        opt("maskInfo", of(&MASK_INFO)).since(V2008_01_15),
        opt("premiereExpressRemixInfo", of(&PREMIERE_EXPRESS_REMIX_INFO)).since(V2008_09_10),
        opt("cuePointInfo", of(&CUE_POINT_INFO)).since(V2008_09_10),
        opt("audioInfo", of(&AUDIO_INFO)).since(V2008_09_10),
        opt("assetSetInfo", of(&ASSET_SET_INFO)).since(V2009_07_31),
        opt("masterVideoInfo", of(&MASTER_VIDEO_INFO)).since(V2009_07_31),
        opt("animatedGifInfo", of(&ANIMATED_GIF_INFO)).since(V2012_02_14),
        opt("swcInfo", of(&SWC_INFO)).since(V2012_02_14),
        opt("cssInfo", of(&CSS_INFO)).since(V2012_02_14),
        opt("javascriptInfo", of(&JAVASCRIPT_INFO)).since(V2012_02_14),
        opt("videoCaptionInfo", of(&VIDEO_CAPTION_INFO)).since(V2014_04_03),
        opt("permissions", of(&PERMISSION_ARRAY)),
    ],
);

/// `AssetArray`.
pub static ASSET_ARRAY: Type = Type::new("AssetArray", &[many("items", of(&ASSET))]);

/// `ImageInfo`.
pub static IMAGE_INFO: Type = Type::new(
    "ImageInfo",
    &[
        opt("originalPath", STRING),
        opt("originalFile", STRING),
        opt("optimizedPath", STRING),
        opt("optimizedFile", STRING),
        opt("maskPath", STRING),
        opt("maskFile", STRING),
        opt("width", INT),
        opt("height", INT),
        opt("fileSize", INT).until(V2013_02_15),
        opt("fileSize", LONG).since(V2013_02_15),
        opt("resolution", DOUBLE),
        opt("sku", STRING),
        opt("description", STRING),
        opt("comments", STRING),
        opt("userData", STRING),
        opt("anchorX", INT),
        opt("anchorY", INT),
        opt("urlModifier", STRING),
        opt("urlPostApplyModifier", STRING),
        opt("zoomTargets", of(&ZOOM_TARGET_ARRAY)),
        opt("masks", of(&MASK_ARRAY)),
        opt("imageMaps", of(&IMAGE_MAP_ARRAY)),
    ],
);

/// `Metadata`.
pub static METADATA: Type = Type::new(
    "Metadata",
    &[
        req("name", STRING),
        req("value", STRING),
        opt("boolVal", BOOLEAN).since(V2008_01_15),
        opt("longVal", LONG).since(V2008_01_15),
        opt("doubleVal", DOUBLE).since(V2008_01_15),
        opt("dateVal", DATE_TIME).since(V2008_01_15),
        opt("valueArray", of(&STRING_ARRAY)).since(V2013_02_15),
    ],
);

/// `MetadataArray`.
pub static METADATA_ARRAY: Type = Type::new("MetadataArray", &[many("items", of(&METADATA))]);

/// `Permission`.
pub static PERMISSION: Type = Type::new(
    "Permission",
    &[
        req("groupHandle", STRING).until(V2013_02_15),
        opt("groupHandle", STRING).since(V2013_02_15),
        req("groupName", STRING).until(V2013_02_15),
        opt("groupName", STRING).since(V2013_02_15),
        req("permissionType", STRING).until(V2013_02_15),
        opt("permissionType", STRING).since(V2013_02_15),
        req("isAllowed", BOOLEAN).until(V2013_02_15),
        opt("isAllowed", BOOLEAN).since(V2013_02_15),
        req("isOverride", BOOLEAN).until(V2013_02_15),
        opt("isOverride", BOOLEAN).since(V2013_02_15),
    ],
);

/// `PermissionArray`.
pub static PERMISSION_ARRAY: Type = Type::new("PermissionArray", &[many("items", of(&PERMISSION))]);

/// `ZoomTarget`.
pub static ZOOM_TARGET: Type = Type::new(
    "ZoomTarget",
    &[
        opt("zoomTargetHandle", STRING),
        opt("name", STRING),
        opt("xPosition", INT),
        opt("yPosition", INT),
        opt("width", INT),
        opt("height", INT),
        opt("userData", STRING),
        opt("position", INT).since(V2013_02_15),
        opt("lastModified", DATE_TIME),
    ],
);

/// `ZoomTargetArray`.
pub static ZOOM_TARGET_ARRAY: Type = Type::new("ZoomTargetArray", &[many("items", of(&ZOOM_TARGET))]);

/// `Mask`.
pub static MASK: Type = Type::new(
    "Mask",
    &[
        opt("maskHandle", STRING),
        opt("name", STRING),
        opt("maskPath", STRING),
        opt("maskFile", STRING),
        opt("lastModified", DATE_TIME),
    ],
);

/// `MaskArray`.
pub static MASK_ARRAY: Type = Type::new("MaskArray", &[many("items", of(&MASK))]);

/// `ImageMap`.
pub static IMAGE_MAP: Type = Type::new(
    "ImageMap",
    &[
        opt("imageMapHandle", STRING),
        opt("name", STRING),
        opt("region", STRING),
        opt("action", STRING),
        opt("shapeType", STRING),
        opt("position", INT),
        opt("enabled", BOOLEAN).since(V2008_01_15),
        opt("lastModified", DATE_TIME),
    ],
);

/// `ImageMapArray`.
pub static IMAGE_MAP_ARRAY: Type = Type::new("ImageMapArray", &[many("items", of(&IMAGE_MAP))]);

/// The file name an asset's bytes have: its name and its format's usual
/// extension.
pub fn file_name(d: &AssetDetail) -> String {
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

/// `%`-encodes what a URL path segment cannot hold as it is.
pub(crate) fn path_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `Asset/trashState`: `InTrash` once deleted, `NotInTrash` until then
/// (an emptied asset is gone, so `InEmptiedTrash` is never shown).
pub fn trash_state(a: &crate::catalog::Asset) -> &'static str {
    if a.in_trash {
        "InTrash"
    } else {
        "NotInTrash"
    }
}

/// Whether `version`'s `Asset` shows its trash state: a client of a version
/// without the field could not tell an asset in the trash from a live one.
pub fn shows_trash_state(version: Version) -> bool {
    ASSET.fields_in(version).any(|f| f.name == "trashState")
}

/// The Image Serving URL of the asset, relative to the service's host.
pub fn image_url(d: &AssetDetail) -> String {
    format!("/is/image/{}/{}", path_segment(&d.company), path_segment(&d.asset.name))
}

/// An asset as `Asset` shows it, with the fields of every version
/// (each version's reply keeps its own). Values the catalog does not keep
/// are the documented neutral ones: no projects or masks.
pub fn asset(d: &AssetDetail) -> Record {
    let a = &d.asset;
    let record = Record::new()
        .with("assetHandle", a.handle().to_string())
        .with("type", a.asset_type.as_str())
        .with("name", a.name.as_str())
        .with("fileName", file_name(d))
        .with("folder", a.folder.as_str())
        .with("folderHandle", a.folder.as_str())
        .with_bool("readyForPublish", d.ready_for_publish)
        .with("trashState", trash_state(&d.asset))
        .with("projects", "")
        .with("ipsImageUrl", image_url(d))
        .with("created", d.created.as_str())
        .with("createUser", d.create_user.as_str())
        .with("lastModified", d.modified.as_str())
        .with("lastModifyUser", d.modify_user.as_str())
        .with_array("metadataArray", crate::ips::metadata::metadata_items(&d.metadata));
    with_kind(record, d)
}

/// `record` with what the asset shows of its own kind. An Image, and the
/// `AdjustedView` derived from one (an image with its own modifiers), show
/// `imageInfo`; a `LayerView` shows its modifiers in `layerViewInfo`; an
/// `AssetSet` its `subType` and definition; an image set (`ImageSet`,
/// `SpinSet`) no info of its own (the `imageSetInfo` the 4.2 log removes is
/// in no contract).
fn with_kind(record: Record, d: &AssetDetail) -> Record {
    let a = &d.asset;
    match a.asset_type.as_str() {
        "LayerView" => record.with(
            "layerViewInfo",
            Record::new()
                .with("url", image_url(d))
                .with("urlModifier", a.url_modifier.as_str())
                .with("urlPostApplyModifier", a.url_post_modifier.as_str()),
        ),
        "ImageSet" | "SpinSet" => record,
        "AssetSet" => {
            let (sub_type, definition) = d.set.as_ref().map_or(("", ""), |s| {
                (s.sub_type.as_str(), s.definition.as_deref().unwrap_or(""))
            });
            record
                .with("subType", sub_type)
                .with("assetSetInfo", Record::new().with("setDefinition", definition))
        }
        _ => record.with("imageInfo", image_info(d)),
    }
}

/// `ImageInfo`: where the image came from, its size, its stored modifiers,
/// and the fields, zoom targets and image maps set on it. It has no
/// optimized copy, mask or product data (sku, description, comments: no
/// operation sets them); the anchor is the centre until one is set, as
/// Scene7 sets it by default, and the resolution `0.0`.
fn image_info(d: &AssetDetail) -> Record {
    use crate::ips::image_fields as fields;
    let (a, x) = (&d.asset, &d.image);
    Record::new()
        .with("originalPath", a.folder.as_str())
        .with("originalFile", file_name(d))
        .with("optimizedPath", "")
        .with("optimizedFile", "")
        .with("maskPath", "")
        .with("maskFile", "")
        .with_opt("width", a.width.map(|w| w.to_string()))
        .with_opt("height", a.height.map(|h| h.to_string()))
        .with_number("fileSize", a.byte_size)
        .with("resolution", fields::resolution(x.resolution))
        .with("sku", "")
        .with("description", "")
        .with("comments", "")
        .with("userData", x.user_data.as_str())
        .with_opt(
            "anchorX",
            x.anchor_x.or(a.width.map(|w| i64::from(w / 2))).map(|v| v.to_string()),
        )
        .with_opt(
            "anchorY",
            x.anchor_y.or(a.height.map(|h| i64::from(h / 2))).map(|v| v.to_string()),
        )
        .with("urlModifier", a.url_modifier.as_str())
        .with("urlPostApplyModifier", a.url_post_modifier.as_str())
        .with_array("zoomTargets", fields::zoom_target_items(&x.zoom_targets))
        .with_array("masks", Vec::new())
        .with_array("imageMaps", fields::image_map_items(&x.image_maps))
}
