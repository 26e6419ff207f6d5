//! TIFF: RGB, grey or CMYK with optional alpha, uncompressed, LZW or
//! deflate, and the print resolution.

use std::io::Cursor;

use image::RgbaImage;

use super::{cmyk_bytes, gray_bytes, rgb_bytes};
use crate::render::modifier::{Compression, PixelType};
use crate::render::Error;

/// Grey plus alpha, which the tiff crate has no colour type for.
struct GrayAlpha8;

impl tiff::encoder::colortype::ColorType for GrayAlpha8 {
    type Inner = u8;
    const TIFF_VALUE: tiff::tags::PhotometricInterpretation = tiff::tags::PhotometricInterpretation::BlackIsZero;
    const BITS_PER_SAMPLE: &'static [u16] = &[8, 8];
    const SAMPLE_FORMAT: &'static [tiff::tags::SampleFormat] = &[tiff::tags::SampleFormat::Uint; 2];

    /// Horizontal differencing (TIFF predictor 2), per channel.
    fn horizontal_predict(row: &[u8], result: &mut Vec<u8>) {
        let start = row.len().min(2);
        result.extend_from_slice(&row[..start]);
        result.extend(
            row.iter()
                .zip(&row[start..])
                .map(|(prev, current)| current.wrapping_sub(*prev)),
        );
    }
}

/// TIFF with 8-bit samples: RGB, grey or CMYK, plus unassociated alpha for
/// `tif-alpha`. Grey + alpha is valid TIFF (BlackIsZero, ExtraSamples = 2)
/// that libtiff reads, but the `tiff` crate, and so this emulator's own
/// decoder, does not.
pub(super) fn encode_tiff(
    image: &RgbaImage,
    pixel: PixelType,
    alpha: bool,
    compression: Option<Compression>,
    print_res: Option<u32>,
) -> Result<Vec<u8>, Error> {
    use tiff::encoder::colortype::{Gray8, CMYK8, CMYKA8, RGB8, RGBA8};
    use tiff::encoder::{Compression as TiffCompression, DeflateLevel, Predictor};

    let (compression, predictor) = match compression {
        None | Some(Compression::None) => (TiffCompression::Uncompressed, Predictor::None),
        // The horizontal predictor makes photos compress markedly better.
        Some(Compression::Lzw) => (TiffCompression::Lzw, Predictor::Horizontal),
        Some(Compression::Zip) => (TiffCompression::Deflate(DeflateLevel::Fast), Predictor::Horizontal),
        Some(other) => {
            return Err(Error::Encode(format!(
                "TIFF with {other:?} compression is not supported"
            )))
        }
    };
    let settings = TiffSettings {
        compression,
        predictor,
        alpha,
        print_res,
    };
    let (width, height) = image.dimensions();
    let raw = image.as_raw().as_slice();
    let written = match (pixel, alpha) {
        (PixelType::Rgb, false) => write_tiff::<RGB8>(&rgb_bytes(image, false), width, height, &settings),
        (PixelType::Rgb, true) => write_tiff::<RGBA8>(raw, width, height, &settings),
        (PixelType::Gray, false) => write_tiff::<Gray8>(&gray_bytes(image, false), width, height, &settings),
        (PixelType::Gray, true) => write_tiff::<GrayAlpha8>(&gray_bytes(image, true), width, height, &settings),
        (PixelType::Cmyk, false) => write_tiff::<CMYK8>(&cmyk_bytes(image, false, false), width, height, &settings),
        (PixelType::Cmyk, true) => write_tiff::<CMYKA8>(&cmyk_bytes(image, true, false), width, height, &settings),
    };
    written.map_err(|e| Error::Encode(e.to_string()))
}

struct TiffSettings {
    compression: tiff::encoder::Compression,
    predictor: tiff::encoder::Predictor,
    /// The last sample is unassociated alpha.
    alpha: bool,
    print_res: Option<u32>,
}

fn write_tiff<C: tiff::encoder::colortype::ColorType<Inner = u8>>(
    data: &[u8],
    width: u32,
    height: u32,
    settings: &TiffSettings,
) -> tiff::TiffResult<Vec<u8>> {
    use tiff::encoder::{Rational, TiffEncoder};
    use tiff::tags::{ExtraSamples, ResolutionUnit, Tag};

    let mut out = Cursor::new(Vec::new());
    {
        let mut encoder = TiffEncoder::new(&mut out)?
            .with_compression(settings.compression)
            .with_predictor(settings.predictor);
        let mut tiff_image = encoder.new_image::<C>(width, height)?;
        if settings.alpha {
            // The colour types with alpha count it as a plain fourth (fifth)
            // sample; TIFF wants it declared.
            tiff_image
                .encoder()
                .write_tag(Tag::ExtraSamples, ExtraSamples::UnassociatedAlpha.to_u16())?;
        }
        if let Some(dpi) = settings.print_res {
            let value = Rational { n: dpi, d: 1 };
            let directory = tiff_image.encoder();
            directory.write_tag(Tag::XResolution, value.clone())?;
            directory.write_tag(Tag::YResolution, value)?;
            directory.write_tag(Tag::ResolutionUnit, ResolutionUnit::Inch.to_u16())?;
        }
        tiff_image.write_data(data)?;
    }
    Ok(out.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::encode::encode;
    use crate::render::encode::testing::*;
    use crate::render::modifier::Format;

    #[test]
    fn tiff_compressions_and_pixel_types() {
        use tiff::decoder::{Decoder, DecodingResult};
        use tiff::tags::Tag;

        let image = with_hole(40, 30);
        for (compression, tag) in [(None, 1), (Some(Compression::Lzw), 5), (Some(Compression::Zip), 8)] {
            let mut o = options(Format::Tif);
            o.fmt.compression = compression;
            let bytes = encoded(&image, &o);
            let mut decoder = Decoder::new(Cursor::new(&bytes)).expect("tiff");
            assert_eq!(decoder.get_tag_u32(Tag::Compression).expect("tag"), tag);
            let back = decoded(&bytes);
            assert_eq!(back.get_pixel(20, 20), image.get_pixel(20, 20));
            assert_eq!(back.get_pixel(1, 1)[3], 255);

            o.fmt.format = Format::TifAlpha;
            assert_eq!(decoded(&encoded(&image, &o)), image, "{compression:?}");
        }

        let mut o = with_type(Format::Tif, PixelType::Cmyk);
        o.print_res = Some(300);
        let bytes = encoded(&gradient(40, 30), &o);
        let mut decoder = Decoder::new(Cursor::new(&bytes)).expect("tiff");
        assert_eq!(decoder.colortype().expect("type"), tiff::ColorType::CMYK(8));
        assert_eq!(decoder.get_tag_u32(Tag::ResolutionUnit).expect("unit"), 2);
        let DecodingResult::U8(samples) = decoder.read_image().expect("read") else {
            panic!("not 8-bit");
        };
        // White is no ink; the bottom-right corner is (255, 255, 255) here.
        assert_eq!(&samples[samples.len() - 4..], &[0, 0, 0, 0]);

        let gray = encoded(&image, &with_compression(Format::TifAlpha, Compression::Lzw));
        assert_eq!(decoded(&gray), image);
        // Grey + alpha: `image` cannot read it back (the tiff crate calls
        // it Multiband), so check the samples directly.
        let mut o = with_type(Format::TifAlpha, PixelType::Gray);
        o.fmt.compression = Some(Compression::Lzw);
        let bytes = encoded(&image, &o);
        let mut decoder = Decoder::new(Cursor::new(&bytes)).expect("tiff");
        assert_eq!(decoder.get_tag_u32(Tag::ExtraSamples).expect("extra"), 2);
        assert_eq!(
            decoder
                .get_tag_u32(Tag::PhotometricInterpretation)
                .expect("photometric"),
            1
        );
        let DecodingResult::U8(samples) = decoder.read_image().expect("read") else {
            panic!("not 8-bit");
        };
        assert_eq!(samples, gray_bytes(&image, true));

        assert!(matches!(
            encode(&image, &with_compression(Format::Tif, Compression::Jpeg)),
            Err(Error::Encode(_))
        ));
    }
}
