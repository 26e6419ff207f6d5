//! The `…Info` types of the asset kinds the emulator does not store (layer
//! views, templates, videos, documents, fonts…). They are part of every
//! version's `Asset` type, so they are declared exactly; no reply fills
//! them.

use crate::ips::contract::prelude::*;

/// The fields of a kind the pre-4.0 contract already had: where its file
/// is, and (from 4.0) its size.
const FILE_SINCE_PRE40: &[Field] = &[
    opt("originalPath", STRING),
    opt("originalFile", STRING),
    opt("fileSize", LONG).since(V2008_01_15),
];

/// The fields of a kind added since 4.0: where its file is, and its size.
const FILE: &[Field] = &[
    opt("originalPath", STRING),
    opt("originalFile", STRING),
    opt("fileSize", LONG),
];

/// The fields of a kind with an image made from its file (pre-4.0 on).
const FILE_AND_IMAGE: &[Field] = &[
    opt("originalPath", STRING),
    opt("originalFile", STRING),
    opt("fileSize", LONG).since(V2008_01_15),
    opt("imagePath", STRING),
    opt("imageFile", STRING),
    opt("optimizedPath", STRING),
    opt("optimizedFile", STRING),
];

/// The fields of a template or watermark: its URL and (from 4.0) its
/// modifiers.
const VIEW: &[Field] = &[
    opt("url", STRING),
    opt("urlModifier", STRING).since(V2008_01_15),
    opt("urlPostApplyModifier", STRING).since(V2008_01_15),
];

/// `AcoInfo`.
pub static ACO_INFO: Type = Type::new("AcoInfo", FILE_SINCE_PRE40);

/// `AnimatedGifInfo`.
pub static ANIMATED_GIF_INFO: Type = Type::new(
    "AnimatedGifInfo",
    &[
        opt("originalPath", STRING),
        opt("originalFile", STRING),
        opt("fileSize", LONG),
        opt("optimizedPath", STRING),
        opt("optimizedFile", STRING),
    ],
);

/// `AssetSetInfo`.
pub static ASSET_SET_INFO: Type = Type::new("AssetSetInfo", &[opt("setDefinition", STRING)]);

/// `AudioInfo`.
pub static AUDIO_INFO: Type = Type::new("AudioInfo", FILE);

/// `CabinetInfo`.
pub static CABINET_INFO: Type = Type::new("CabinetInfo", FILE_AND_IMAGE);

/// `CssInfo`.
pub static CSS_INFO: Type = Type::new("CssInfo", FILE);

/// `CuePointInfo`.
pub static CUE_POINT_INFO: Type = Type::new("CuePointInfo", FILE);

/// `ExcelInfo`.
pub static EXCEL_INFO: Type = Type::new("ExcelInfo", FILE);

/// `FlashInfo`.
pub static FLASH_INFO: Type = Type::new("FlashInfo", FILE_SINCE_PRE40);

/// `FontInfo`.
pub static FONT_INFO: Type = Type::new("FontInfo", FILE_SINCE_PRE40);

/// `FxgInfo`.
pub static FXG_INFO: Type = Type::new("FxgInfo", FILE);

/// `IccProfileInfo`.
pub static ICC_PROFILE_INFO: Type = Type::new("IccProfileInfo", FILE_SINCE_PRE40);

/// `IllustratorInfo`.
pub static ILLUSTRATOR_INFO: Type = Type::new("IllustratorInfo", FILE);

/// `InDesignInfo`.
pub static IN_DESIGN_INFO: Type = Type::new("InDesignInfo", FILE_SINCE_PRE40);

/// `JavascriptInfo`.
pub static JAVASCRIPT_INFO: Type = Type::new("JavascriptInfo", FILE);

/// `LayerViewInfo`.
pub static LAYER_VIEW_INFO: Type = Type::new(
    "LayerViewInfo",
    &[
        opt("url", STRING),
        opt("urlModifier", STRING),
        opt("urlPostApplyModifier", STRING),
    ],
);

/// `MaskInfo`.
pub static MASK_INFO: Type = Type::new("MaskInfo", &[opt("maskPath", STRING), opt("maskFile", STRING)]);

/// `MasterVideoInfo`.
pub static MASTER_VIDEO_INFO: Type = Type::new("MasterVideoInfo", FILE);

/// `PdfInfo`.
pub static PDF_INFO: Type = Type::new("PdfInfo", FILE_SINCE_PRE40);

/// `PdfSettingsInfo`.
pub static PDF_SETTINGS_INFO: Type = Type::new("PdfSettingsInfo", FILE);

/// `PostScriptInfo`.
pub static POST_SCRIPT_INFO: Type = Type::new("PostScriptInfo", FILE);

/// `PowerPointInfo`.
pub static POWER_POINT_INFO: Type = Type::new("PowerPointInfo", FILE);

/// `PremiereExpressRemixInfo`.
pub static PREMIERE_EXPRESS_REMIX_INFO: Type = Type::new("PremiereExpressRemixInfo", FILE);

/// `PsdInfo`.
pub static PSD_INFO: Type = Type::new(
    "PsdInfo",
    &[
        opt("originalPath", STRING),
        opt("originalFile", STRING),
        opt("fileSize", LONG).since(V2008_01_15),
        opt("optimizedPath", STRING).since(V2012_02_14),
        opt("optimizedFile", STRING).since(V2012_02_14),
    ],
);

/// `RTFInfo`.
pub static RTF_INFO: Type = Type::new("RTFInfo", FILE);

/// `RenderSceneInfo`.
pub static RENDER_SCENE_INFO: Type = Type::new("RenderSceneInfo", &[opt("url", STRING)]);

/// `SvgInfo`.
pub static SVG_INFO: Type = Type::new("SvgInfo", FILE_SINCE_PRE40);

/// `SwcInfo`.
pub static SWC_INFO: Type = Type::new("SwcInfo", FILE);

/// `TemplateInfo`.
pub static TEMPLATE_INFO: Type = Type::new("TemplateInfo", VIEW);

/// `VideoCaptionInfo`.
pub static VIDEO_CAPTION_INFO: Type = Type::new("VideoCaptionInfo", FILE);

/// `VideoInfo`.
pub static VIDEO_INFO: Type = Type::new("VideoInfo", FILE_AND_IMAGE);

/// `ViewerPresetInfo`.
pub static VIEWER_PRESET_INFO: Type = Type::new(
    "ViewerPresetInfo",
    &[
        opt("type", STRING),
        opt("configSettingArray", of(&CONFIG_SETTING_ARRAY)),
    ],
);

/// `ConfigSetting`.
pub static CONFIG_SETTING: Type = Type::new(
    "ConfigSetting",
    &[req("name", STRING), opt("value", STRING), opt("handle", STRING)],
);

/// `ConfigSettingArray`.
pub static CONFIG_SETTING_ARRAY: Type = Type::new("ConfigSettingArray", &[many("items", of(&CONFIG_SETTING))]);

/// `ViewerSwfInfo`.
pub static VIEWER_SWF_INFO: Type = Type::new("ViewerSwfInfo", FILE_SINCE_PRE40);

/// `VignetteInfo`.
pub static VIGNETTE_INFO: Type = Type::new("VignetteInfo", FILE_AND_IMAGE);

/// `WatermarkInfo`.
pub static WATERMARK_INFO: Type = Type::new("WatermarkInfo", VIEW);

/// `WindowCoveringInfo`.
pub static WINDOW_COVERING_INFO: Type = Type::new("WindowCoveringInfo", FILE_AND_IMAGE);

/// `WordInfo`.
pub static WORD_INFO: Type = Type::new("WordInfo", FILE);

/// `XmlInfo`.
pub static XML_INFO: Type = Type::new("XmlInfo", FILE_SINCE_PRE40);

/// `XslInfo`.
pub static XSL_INFO: Type = Type::new("XslInfo", FILE_SINCE_PRE40);

/// `ZipInfo`.
pub static ZIP_INFO: Type = Type::new("ZipInfo", FILE_SINCE_PRE40);
