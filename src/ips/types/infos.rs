//! The `…Info` types of the asset kinds the emulator does not store (layer
//! views, templates, videos, documents, fonts…). They are part of every
//! version's `Asset` type, so they are declared exactly; no reply fills
//! them.

use crate::ips::contract::prelude::*;

/// `AcoInfo`.
pub static ACO_INFO: Type = Type::new(
    "AcoInfo",
    &[
        opt("originalPath", STRING),
        opt("originalFile", STRING),
        opt("fileSize", LONG).since(V2008_01_15),
    ],
);

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
pub static AUDIO_INFO: Type = Type::new(
    "AudioInfo",
    &[
        opt("originalPath", STRING),
        opt("originalFile", STRING),
        opt("fileSize", LONG),
    ],
);

/// `CabinetInfo`.
pub static CABINET_INFO: Type = Type::new(
    "CabinetInfo",
    &[
        opt("originalPath", STRING),
        opt("originalFile", STRING),
        opt("fileSize", LONG).since(V2008_01_15),
        opt("imagePath", STRING),
        opt("imageFile", STRING),
        opt("optimizedPath", STRING),
        opt("optimizedFile", STRING),
    ],
);

/// `CssInfo`.
pub static CSS_INFO: Type = Type::new(
    "CssInfo",
    &[
        opt("originalPath", STRING),
        opt("originalFile", STRING),
        opt("fileSize", LONG),
    ],
);

/// `CuePointInfo`.
pub static CUE_POINT_INFO: Type = Type::new(
    "CuePointInfo",
    &[
        opt("originalPath", STRING),
        opt("originalFile", STRING),
        opt("fileSize", LONG),
    ],
);

/// `ExcelInfo`.
pub static EXCEL_INFO: Type = Type::new(
    "ExcelInfo",
    &[
        opt("originalPath", STRING),
        opt("originalFile", STRING),
        opt("fileSize", LONG),
    ],
);

/// `FlashInfo`.
pub static FLASH_INFO: Type = Type::new(
    "FlashInfo",
    &[
        opt("originalPath", STRING),
        opt("originalFile", STRING),
        opt("fileSize", LONG).since(V2008_01_15),
    ],
);

/// `FontInfo`.
pub static FONT_INFO: Type = Type::new(
    "FontInfo",
    &[
        opt("originalPath", STRING),
        opt("originalFile", STRING),
        opt("fileSize", LONG).since(V2008_01_15),
    ],
);

/// `FxgInfo`.
pub static FXG_INFO: Type = Type::new(
    "FxgInfo",
    &[
        opt("originalPath", STRING),
        opt("originalFile", STRING),
        opt("fileSize", LONG),
    ],
);

/// `IccProfileInfo`.
pub static ICC_PROFILE_INFO: Type = Type::new(
    "IccProfileInfo",
    &[
        opt("originalPath", STRING),
        opt("originalFile", STRING),
        opt("fileSize", LONG).since(V2008_01_15),
    ],
);

/// `IllustratorInfo`.
pub static ILLUSTRATOR_INFO: Type = Type::new(
    "IllustratorInfo",
    &[
        opt("originalPath", STRING),
        opt("originalFile", STRING),
        opt("fileSize", LONG),
    ],
);

/// `InDesignInfo`.
pub static IN_DESIGN_INFO: Type = Type::new(
    "InDesignInfo",
    &[
        opt("originalPath", STRING),
        opt("originalFile", STRING),
        opt("fileSize", LONG).since(V2008_01_15),
    ],
);

/// `JavascriptInfo`.
pub static JAVASCRIPT_INFO: Type = Type::new(
    "JavascriptInfo",
    &[
        opt("originalPath", STRING),
        opt("originalFile", STRING),
        opt("fileSize", LONG),
    ],
);

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
pub static MASTER_VIDEO_INFO: Type = Type::new(
    "MasterVideoInfo",
    &[
        opt("originalPath", STRING),
        opt("originalFile", STRING),
        opt("fileSize", LONG),
    ],
);

/// `PdfInfo`.
pub static PDF_INFO: Type = Type::new(
    "PdfInfo",
    &[
        opt("originalPath", STRING),
        opt("originalFile", STRING),
        opt("fileSize", LONG).since(V2008_01_15),
    ],
);

/// `PdfSettingsInfo`.
pub static PDF_SETTINGS_INFO: Type = Type::new(
    "PdfSettingsInfo",
    &[
        opt("originalPath", STRING),
        opt("originalFile", STRING),
        opt("fileSize", LONG),
    ],
);

/// `PostScriptInfo`.
pub static POST_SCRIPT_INFO: Type = Type::new(
    "PostScriptInfo",
    &[
        opt("originalPath", STRING),
        opt("originalFile", STRING),
        opt("fileSize", LONG),
    ],
);

/// `PowerPointInfo`.
pub static POWER_POINT_INFO: Type = Type::new(
    "PowerPointInfo",
    &[
        opt("originalPath", STRING),
        opt("originalFile", STRING),
        opt("fileSize", LONG),
    ],
);

/// `PremiereExpressRemixInfo`.
pub static PREMIERE_EXPRESS_REMIX_INFO: Type = Type::new(
    "PremiereExpressRemixInfo",
    &[
        opt("originalPath", STRING),
        opt("originalFile", STRING),
        opt("fileSize", LONG),
    ],
);

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
pub static RTF_INFO: Type = Type::new(
    "RTFInfo",
    &[
        opt("originalPath", STRING),
        opt("originalFile", STRING),
        opt("fileSize", LONG),
    ],
);

/// `RenderSceneInfo`.
pub static RENDER_SCENE_INFO: Type = Type::new("RenderSceneInfo", &[opt("url", STRING)]);

/// `SvgInfo`.
pub static SVG_INFO: Type = Type::new(
    "SvgInfo",
    &[
        opt("originalPath", STRING),
        opt("originalFile", STRING),
        opt("fileSize", LONG).since(V2008_01_15),
    ],
);

/// `SwcInfo`.
pub static SWC_INFO: Type = Type::new(
    "SwcInfo",
    &[
        opt("originalPath", STRING),
        opt("originalFile", STRING),
        opt("fileSize", LONG),
    ],
);

/// `TemplateInfo`.
pub static TEMPLATE_INFO: Type = Type::new(
    "TemplateInfo",
    &[
        opt("url", STRING),
        opt("urlModifier", STRING).since(V2008_01_15),
        opt("urlPostApplyModifier", STRING).since(V2008_01_15),
    ],
);

/// `VideoCaptionInfo`.
pub static VIDEO_CAPTION_INFO: Type = Type::new(
    "VideoCaptionInfo",
    &[
        opt("originalPath", STRING),
        opt("originalFile", STRING),
        opt("fileSize", LONG),
    ],
);

/// `VideoInfo`.
pub static VIDEO_INFO: Type = Type::new(
    "VideoInfo",
    &[
        opt("originalPath", STRING),
        opt("originalFile", STRING),
        opt("fileSize", LONG).since(V2008_01_15),
        opt("imagePath", STRING),
        opt("imageFile", STRING),
        opt("optimizedPath", STRING),
        opt("optimizedFile", STRING),
    ],
);

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
pub static VIEWER_SWF_INFO: Type = Type::new(
    "ViewerSwfInfo",
    &[
        opt("originalPath", STRING),
        opt("originalFile", STRING),
        opt("fileSize", LONG).since(V2008_01_15),
    ],
);

/// `VignetteInfo`.
pub static VIGNETTE_INFO: Type = Type::new(
    "VignetteInfo",
    &[
        opt("originalPath", STRING),
        opt("originalFile", STRING),
        opt("fileSize", LONG).since(V2008_01_15),
        opt("imagePath", STRING),
        opt("imageFile", STRING),
        opt("optimizedPath", STRING),
        opt("optimizedFile", STRING),
    ],
);

/// `WatermarkInfo`.
pub static WATERMARK_INFO: Type = Type::new(
    "WatermarkInfo",
    &[
        opt("url", STRING),
        opt("urlModifier", STRING).since(V2008_01_15),
        opt("urlPostApplyModifier", STRING).since(V2008_01_15),
    ],
);

/// `WindowCoveringInfo`.
pub static WINDOW_COVERING_INFO: Type = Type::new(
    "WindowCoveringInfo",
    &[
        opt("originalPath", STRING),
        opt("originalFile", STRING),
        opt("fileSize", LONG).since(V2008_01_15),
        opt("imagePath", STRING),
        opt("imageFile", STRING),
        opt("optimizedPath", STRING),
        opt("optimizedFile", STRING),
    ],
);

/// `WordInfo`.
pub static WORD_INFO: Type = Type::new(
    "WordInfo",
    &[
        opt("originalPath", STRING),
        opt("originalFile", STRING),
        opt("fileSize", LONG),
    ],
);

/// `XmlInfo`.
pub static XML_INFO: Type = Type::new(
    "XmlInfo",
    &[
        opt("originalPath", STRING),
        opt("originalFile", STRING),
        opt("fileSize", LONG).since(V2008_01_15),
    ],
);

/// `XslInfo`.
pub static XSL_INFO: Type = Type::new(
    "XslInfo",
    &[
        opt("originalPath", STRING),
        opt("originalFile", STRING),
        opt("fileSize", LONG).since(V2008_01_15),
    ],
);

/// `ZipInfo`.
pub static ZIP_INFO: Type = Type::new(
    "ZipInfo",
    &[
        opt("originalPath", STRING),
        opt("originalFile", STRING),
        opt("fileSize", LONG).since(V2008_01_15),
    ],
);
