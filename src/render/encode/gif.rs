//! GIF: one frame of quantized pixels, with key-colour transparency for
//! `gif-alpha`.

use std::borrow::Cow;

use image::RgbaImage;

use super::quantize::quantize;
use super::EncodeOptions;
use crate::render::modifier::PixelType;
use crate::render::Error;

pub(super) fn encode_gif(
    image: &RgbaImage,
    options: &EncodeOptions,
    pixel: PixelType,
    alpha: bool,
) -> Result<Vec<u8>, Error> {
    let (width, height) = image.dimensions();
    let (Ok(w), Ok(h)) = (u16::try_from(width), u16::try_from(height)) else {
        return Err(Error::Encode(format!("a {width}x{height} image is too large for GIF")));
    };
    let indexed = quantize(image, &options.quantize, alpha, pixel == PixelType::Gray);
    let palette: Vec<u8> = indexed.palette.iter().flatten().copied().collect();
    let gif_error = |e: gif::EncodingError| Error::Encode(e.to_string());
    let mut out = Vec::new();
    {
        let mut encoder = gif::Encoder::new(&mut out, w, h, &palette).map_err(gif_error)?;
        let frame = gif::Frame {
            width: w,
            height: h,
            transparent: indexed.transparent,
            buffer: Cow::Borrowed(&indexed.indices),
            ..gif::Frame::default()
        };
        encoder.write_frame(&frame).map_err(gif_error)?;
        encoder.into_inner().map_err(gif_error)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::encode::testing::*;
    use crate::render::modifier::{Format, Palette, Quantize};

    #[test]
    fn gif_with_forced_black_and_white_is_bitonal() {
        let mut o = options(Format::Gif);
        o.quantize = Quantize {
            palette: Palette::Adaptive,
            dither: false,
            colors: 2,
            forced: vec![[0, 0, 0], [255, 255, 255]],
        };
        let back = decoded(&encoded(&gradient(64, 48), &o));
        let colours = distinct(&back);
        assert!(colours.len() <= 2, "{colours:?}");
        assert!(
            colours
                .iter()
                .all(|c| *c == [0, 0, 0, 255] || *c == [255, 255, 255, 255]),
            "{colours:?}"
        );

        // The same with key-colour transparency: two colours plus the key.
        o.fmt.format = Format::GifAlpha;
        let back = decoded(&encoded(&with_hole(64, 48), &o));
        assert_eq!(back.get_pixel(3, 3)[3], 0);
        let opaque: Vec<_> = distinct(&back).into_iter().filter(|c| c[3] == 255).collect();
        assert!(
            opaque.len() <= 2 && opaque.iter().all(|c| c[0] == c[1] && c[1] == c[2]),
            "{opaque:?}"
        );
    }

    #[test]
    fn gray_gif_is_gray() {
        let back = decoded(&encoded(&gradient(64, 48), &with_type(Format::Gif, PixelType::Gray)));
        assert!(back.pixels().all(|p| p[0] == p[1] && p[1] == p[2]));
    }
}
