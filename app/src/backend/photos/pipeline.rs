//! The photo pipeline: decode with limits, turn upright, shrink, re-encode as
//! JPEG (no EXIF survives), thumbnail; QR codes and redaction on the same
//! decoder. Pure functions run on the photo thread (`storage::Worker`).

#[allow(unused_imports)]
use super::*;

const JPEG_QUALITY: u8 = 82;

/// A photo ready to store: the upright, shrunk JPEG and its thumbnail.
pub struct Processed {
    pub full: Vec<u8>,
    pub thumb: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// Why a photo was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum PhotoError {
    /// Not a JPEG, PNG or WebP, or not decodable (415).
    Unsupported,
    /// Declares more pixels than we decode (a decompression bomb) (422).
    TooLarge,
    /// The photo queue is full (503 `busy`, retry in a few seconds).
    Busy,
}

impl PhotoError {
    /// The application error for the form field `field`.
    pub fn into_app_error(self, field: &str) -> AppError {
        match self {
            PhotoError::Unsupported => AppError::UnsupportedMediaType,
            PhotoError::TooLarge => AppError::field(field, "照片尺寸过大，请缩小后再上传"),
            PhotoError::Busy => AppError::Busy { retry_after_s: 5 },
        }
    }
}

fn decode(bytes: &[u8]) -> Result<DynamicImage, PhotoError> {
    // The type comes from the bytes, never from the name or Content-Type.
    let format = image::guess_format(bytes).map_err(|_| PhotoError::Unsupported)?;
    if !matches!(
        format,
        ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP
    ) {
        return Err(PhotoError::Unsupported);
    }
    if format == ImageFormat::Jpeg
        && let Some(scaled) = decode_jpeg_scaled(bytes, FULL_SIDE)
    {
        return scaled;
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_DIMENSION);
    limits.max_image_height = Some(MAX_DIMENSION);
    limits.max_alloc = Some(MAX_DECODED_BYTES);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(limit_or_unsupported)?;
    if decoder.total_bytes() > MAX_DECODED_BYTES {
        return Err(PhotoError::TooLarge);
    }
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let image = DynamicImage::from_decoder(decoder).map_err(limit_or_unsupported)?;
    // Shrink first, then turn: the box is square, so the result is the same
    // and the rotation copies the small image, not the big one.
    let mut image = shrink(image, FULL_SIDE);
    image.apply_orientation(orientation);
    Ok(image)
}

/// A JPEG (every phone photo) decoded by libjpeg-turbo (`turbojpeg`, SIMD)
/// with DCT scaling straight to the smallest power-of-two size that still
/// covers the `side` box (1/2, 1/4 or 1/8): a 12 MP photo is decoded as
/// 2000 × 1500, 9 MB instead of 36, in about half the time of a pure-Rust
/// decoder. The headers (size, colour type, EXIF orientation) are read
/// first by `jpeg-decoder`, and the limits are those of the full image, so
/// a bomb is refused before any pixel is decoded. `None` for what this path
/// leaves to `image` (CMYK, 16-bit, or anything it cannot read: `image`
/// then gives the error).
fn decode_jpeg_scaled(bytes: &[u8], side: u32) -> Option<Result<DynamicImage, PhotoError>> {
    let mut d = jpeg_decoder::Decoder::new(Cursor::new(bytes));
    d.read_info().ok()?;
    let info = d.info()?;
    let (w, h) = (u32::from(info.width), u32::from(info.height));
    let (channels, format) = match info.pixel_format {
        jpeg_decoder::PixelFormat::L8 => (1, turbojpeg::PixelFormat::GRAY),
        jpeg_decoder::PixelFormat::RGB24 => (3, turbojpeg::PixelFormat::RGB),
        _ => return None,
    };
    if w > MAX_DIMENSION
        || h > MAX_DIMENSION
        || u64::from(w) * u64::from(h) * channels > MAX_DECODED_BYTES
    {
        return Some(Err(PhotoError::TooLarge));
    }
    let orientation = d
        .exif_data()
        .and_then(image::metadata::Orientation::from_exif_chunk)
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let scale = dct_scale(w, h, side);
    let mut decompressor = turbojpeg::Decompressor::new().ok()?;
    decompressor.set_scaling_factor(scale).ok()?;
    // A progressive JPEG of thousands of tiny scans is a CPU bomb; cameras
    // write at most a dozen.
    decompressor.set_scan_limit(500).ok()?;
    let header = decompressor.read_header(bytes).ok()?;
    if (header.width, header.height) != (w as usize, h as usize) {
        return None;
    }
    let header = header.scaled(scale);
    let pitch = header.width * channels as usize;
    let mut pixels = vec![0u8; pitch * header.height];
    let image = turbojpeg::Image {
        pixels: pixels.as_mut_slice(),
        width: header.width,
        pitch,
        height: header.height,
        format,
    };
    decompressor.decompress(bytes, image).ok()?;
    let (w, h) = (header.width as u32, header.height as u32);
    let image = if channels == 1 {
        DynamicImage::ImageLuma8(image::GrayImage::from_raw(w, h, pixels)?)
    } else {
        DynamicImage::ImageRgb8(image::RgbImage::from_raw(w, h, pixels)?)
    };
    let mut image = shrink(image, side);
    image.apply_orientation(orientation);
    Some(Ok(image))
}

/// The largest power-of-two reduction (1/8, 1/4, 1/2) whose result still
/// covers the `side` box; none for a photo already inside it.
fn dct_scale(w: u32, h: u32, side: u32) -> turbojpeg::ScalingFactor {
    let (tw, th) = if w > side || h > side {
        fitted(w, h, side)
    } else {
        (w, h)
    };
    [8, 4, 2]
        .into_iter()
        .map(|denom| turbojpeg::ScalingFactor::new(1, denom))
        .find(|f| f.scale(w as usize) >= tw as usize && f.scale(h as usize) >= th as usize)
        .unwrap_or(turbojpeg::ScalingFactor::ONE)
}

fn limit_or_unsupported(e: image::ImageError) -> PhotoError {
    match e {
        image::ImageError::Limits(_) => PhotoError::TooLarge,
        _ => PhotoError::Unsupported,
    }
}

/// Fits the image in a `side` × `side` box by area averaging (a box filter
/// the size of the scale), with `fast_image_resize`'s SIMD kernels: a 12 MP
/// photo shrinks in about 20 ms of a core, where `image`'s own thumbnail took
/// 100 ms.
fn shrink(image: DynamicImage, side: u32) -> DynamicImage {
    let (w, h) = (image.width(), image.height());
    if w <= side && h <= side {
        return image;
    }
    let (tw, th) = fitted(w, h, side);
    // The resizer's kernels take 8-bit pixels; other PNG depths are
    // narrowed first (JPEG and WebP decode to 8 bits already).
    let image = match image {
        DynamicImage::ImageLuma8(_) | DynamicImage::ImageRgb8(_) | DynamicImage::ImageRgba8(_) => {
            image
        }
        other if other.color().has_alpha() => DynamicImage::ImageRgba8(other.to_rgba8()),
        other => DynamicImage::ImageRgb8(other.to_rgb8()),
    };
    let mut small = DynamicImage::new(tw, th, image.color());
    let options =
        fir::ResizeOptions::new().resize_alg(fir::ResizeAlg::Convolution(fir::FilterType::Box));
    match fir::Resizer::new().resize(&image, &mut small, &options) {
        Ok(()) => small,
        // Cannot happen for the 8-bit types above; shrink the slow way
        // rather than refuse the photo.
        Err(_) => image.thumbnail(side, side),
    }
}

/// The size of a `w` × `h` image fitted in a `side` × `side` box, aspect
/// kept, at least one pixel each way.
fn fitted(w: u32, h: u32, side: u32) -> (u32, u32) {
    let scale = |a: u32, b: u32| {
        ((u64::from(a) * u64::from(side) + u64::from(b) / 2) / u64::from(b)).max(1) as u32
    };
    if w >= h {
        (side, scale(h, w))
    } else {
        (scale(w, h), side)
    }
}

/// JPEG at [`JPEG_QUALITY`], 4:2:0 as cameras write it (`jpeg-encoder`:
/// about 17 ms for 1600 × 1200, a quarter of `image`'s encoder, and a
/// smaller file). Only JFIF is written: no EXIF.
fn encode(image: &DynamicImage) -> Result<Vec<u8>, PhotoError> {
    let mut out = Vec::new();
    let (w, h) = (
        u16::try_from(image.width()).map_err(|_| PhotoError::TooLarge)?,
        u16::try_from(image.height()).map_err(|_| PhotoError::TooLarge)?,
    );
    let encoder = jpeg_encoder::Encoder::new(&mut out, JPEG_QUALITY);
    let written = match image {
        DynamicImage::ImageLuma8(luma) => {
            encoder.encode(luma.as_raw(), w, h, jpeg_encoder::ColorType::Luma)
        }
        DynamicImage::ImageRgb8(rgb) => {
            encoder.encode(rgb.as_raw(), w, h, jpeg_encoder::ColorType::Rgb)
        }
        other => encoder.encode(other.to_rgb8().as_raw(), w, h, jpeg_encoder::ColorType::Rgb),
    };
    written.map_err(|_| PhotoError::Unsupported)?;
    Ok(out)
}

fn finish(image: DynamicImage) -> Result<Processed, PhotoError> {
    let full = encode(&image)?;
    let (width, height) = (image.width(), image.height());
    let thumb = encode(&shrink(image, THUMB_SIDE))?;
    Ok(Processed {
        full,
        thumb,
        width,
        height,
    })
}

/// Decodes, orients, shrinks and re-encodes one uploaded photo. CPU-bound:
/// call it through [`Photos::process`].
pub fn process_blocking(bytes: &[u8]) -> Result<Processed, PhotoError> {
    finish(decode(bytes)?)
}

/// The texts of the QR codes in a photo (a staff phone's picture of a pickup
/// code), read with the same limits as any upload. The photo is shrunk to
/// 1600 px first, which keeps a code filling a fair part of the frame
/// readable and the work bounded.
pub fn read_qr_blocking(bytes: &[u8]) -> Result<Vec<String>, PhotoError> {
    let luma = decode(bytes)?.to_luma8();
    let (w, h) = (luma.width() as usize, luma.height() as usize);
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| {
        luma.get_pixel(x as u32, y as u32).0[0]
    });
    Ok(prepared
        .detect_grids()
        .into_iter()
        .filter_map(|g| g.decode().ok().map(|(_, text)| text))
        .collect())
}

/// Blacks out a rectangle of a stored photo (faces, number plates).
pub fn redact_blocking(stored: &[u8], r: Redaction) -> Result<Processed, PhotoError> {
    let mut image = decode(stored)?;
    let (x, y, w, h) = r.pixels(image.width(), image.height());
    let mut rgb = image.to_rgb8();
    for py in y..y + h {
        for px in x..x + w {
            rgb.put_pixel(px, py, image::Rgb([0, 0, 0]));
        }
    }
    image = DynamicImage::ImageRgb8(rgb);
    finish(image)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fitting_keeps_the_aspect_and_one_pixel() {
        assert_eq!(fitted(4000, 3000, 1600), (1600, 1200));
        assert_eq!(fitted(3000, 4000, 1600), (1200, 1600));
        assert_eq!(fitted(1600, 500, 400), (400, 125));
        assert_eq!(fitted(12_000, 3, 400), (400, 1));
        assert_eq!(fitted(3, 12_000, 400), (1, 400));
    }

    fn camera_jpeg(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(w, h, |x, _| {
            // Left half red, right half blue: which way is up stays visible.
            if x < w / 2 {
                image::Rgb([220, 20, 20])
            } else {
                image::Rgb([20, 20, 220])
            }
        });
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
            .encode_image(&img)
            .unwrap();
        out
    }

    /// A JPEG with an EXIF APP1 segment saying `orientation`.
    fn with_orientation(jpeg: &[u8], orientation: u16) -> Vec<u8> {
        let mut tiff = b"MM\0\x2a\0\0\0\x08\0\x01".to_vec();
        tiff.extend_from_slice(&[0x01, 0x12, 0, 3, 0, 0, 0, 1]);
        tiff.extend_from_slice(&orientation.to_be_bytes());
        tiff.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
        let mut app1 = b"Exif\0\0".to_vec();
        app1.extend_from_slice(&tiff);
        let mut out = jpeg[..2].to_vec();
        out.extend_from_slice(&[0xFF, 0xE1]);
        out.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
        out.extend_from_slice(&app1);
        out.extend_from_slice(&jpeg[2..]);
        out
    }

    #[test]
    fn camera_jpegs_are_decoded_small_and_turned_upright() {
        let jpeg = camera_jpeg(4000, 3000);
        // The DCT-scaled path takes it (not the full decode).
        assert!(matches!(decode_jpeg_scaled(&jpeg, FULL_SIDE), Some(Ok(_))));
        let p = process_blocking(&jpeg).unwrap();
        assert_eq!((p.width, p.height), (1600, 1200));
        let img = image::load_from_memory(&p.full).unwrap().to_rgb8();
        assert!(img.get_pixel(100, 600).0[0] > 150, "red on the left");
        assert!(img.get_pixel(1500, 600).0[2] > 150, "blue on the right");
        // Orientation 6 (the phone held upright): turned 90° clockwise, so
        // the red half is on top.
        let p = process_blocking(&with_orientation(&jpeg, 6)).unwrap();
        assert_eq!((p.width, p.height), (1200, 1600));
        let img = image::load_from_memory(&p.full).unwrap().to_rgb8();
        assert!(img.get_pixel(600, 100).0[0] > 150, "red on top");
        assert!(img.get_pixel(600, 1500).0[2] > 150, "blue below");
        // No EXIF survives.
        assert!(!p.full.windows(4).any(|w| w == b"Exif"));
        // Small JPEGs keep their size.
        let small = process_blocking(&camera_jpeg(640, 480)).unwrap();
        assert_eq!((small.width, small.height), (640, 480));
    }

    #[test]
    fn jpegs_are_decoded_at_the_smallest_scale_covering_the_box() {
        let scale = |w, h| {
            let f = dct_scale(w, h, FULL_SIDE);
            (f.num(), f.denom())
        };
        assert_eq!(scale(4000, 3000), (1, 2)); // 12 MP: 2000 × 1500
        assert_eq!(scale(3264, 2448), (1, 2)); // 8 MP: 1632 × 1224, still ≥ 1600
        assert_eq!(scale(8000, 6000), (1, 4)); // 48 MP: 2000 × 1500
        assert_eq!(scale(3000, 4000), (1, 2)); // upright
        assert_eq!(scale(3100, 2000), (1, 1)); // 1/2 would be 1550 < 1600
        assert_eq!(scale(1600, 1200), (1, 1)); // inside the box
        assert_eq!(scale(640, 480), (1, 1));
        // The fast path decodes a grey camera photo to that size too.
        let grey = image::GrayImage::from_fn(4000, 3000, |x, _| image::Luma([(x % 256) as u8]));
        let mut jpeg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90)
            .encode_image(&grey)
            .unwrap();
        let Some(Ok(img)) = decode_jpeg_scaled(&jpeg, FULL_SIDE) else {
            panic!("the grey JPEG fell back to the slow path");
        };
        assert_eq!(
            (img.width(), img.height(), img.color()),
            (1600, 1200, image::ColorType::L8)
        );
    }

    #[test]
    fn jpegs_over_the_decode_limit_are_refused_before_decoding() {
        // 26 MP: within 12,000 px a side but over 48 MiB decoded.
        let mut jpeg = camera_jpeg(64, 64);
        let sof = jpeg.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
        jpeg[sof + 5..sof + 7].copy_from_slice(&4400u16.to_be_bytes());
        jpeg[sof + 7..sof + 9].copy_from_slice(&6000u16.to_be_bytes());
        assert_eq!(process_blocking(&jpeg).err(), Some(PhotoError::TooLarge));
    }

    #[test]
    fn grey_and_transparent_photos_shrink_too() {
        for img in [
            DynamicImage::ImageLuma8(image::GrayImage::from_pixel(2000, 1000, image::Luma([90]))),
            DynamicImage::ImageRgba8(image::RgbaImage::from_pixel(
                1000,
                2000,
                image::Rgba([200, 10, 10, 255]),
            )),
            DynamicImage::ImageRgb16(image::ImageBuffer::from_pixel(
                1800,
                900,
                image::Rgb([65535u16, 0, 0]),
            )),
        ] {
            let mut bytes = Vec::new();
            img.write_to(&mut Cursor::new(&mut bytes), ImageFormat::Png)
                .unwrap();
            let p = process_blocking(&bytes).unwrap();
            assert_eq!(p.width.max(p.height), FULL_SIDE);
            let back = image::load_from_memory(&p.full).unwrap().to_rgb8();
            // The colour survives the shrink (area averaging of one colour).
            let px = back.get_pixel(back.width() / 2, back.height() / 2).0;
            let want = img.to_rgb8().get_pixel(0, 0).0;
            assert!(
                px.iter().zip(want).all(|(a, b)| a.abs_diff(b) < 12),
                "{px:?} vs {want:?}"
            );
        }
    }

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([x as u8, y as u8, 128]));
        let mut out = Vec::new();
        DynamicImage::ImageRgb8(img)
            .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
            .unwrap();
        out
    }

    #[test]
    fn photos_are_shrunk_and_reencoded_as_jpeg() {
        let p = process_blocking(&png(3200, 1000)).unwrap();
        assert_eq!((p.width, p.height), (1600, 500));
        assert_eq!(&p.full[..2], &[0xFF, 0xD8]);
        let thumb = image::load_from_memory(&p.thumb).unwrap();
        assert_eq!((thumb.width(), thumb.height()), (400, 125));
        let small = process_blocking(&png(300, 200)).unwrap();
        assert_eq!((small.width, small.height), (300, 200));
    }

    #[test]
    fn other_formats_and_garbage_are_unsupported() {
        assert_eq!(
            process_blocking(b"GIF89a\x01\x00\x01\x00").err(),
            Some(PhotoError::Unsupported)
        );
        assert_eq!(
            process_blocking(b"<svg></svg>").err(),
            Some(PhotoError::Unsupported)
        );
        let mut truncated = png(100, 100);
        truncated.truncate(60);
        assert_eq!(
            process_blocking(&truncated).err(),
            Some(PhotoError::Unsupported)
        );
    }

    #[test]
    fn redaction_blacks_out_the_rectangle() {
        let p = process_blocking(&png(400, 200)).unwrap();
        let r = Redaction {
            x: 0.5,
            y: 0.0,
            w: 0.5,
            h: 1.0,
        };
        let out = redact_blocking(&p.full, r).unwrap();
        let img = image::load_from_memory(&out.full).unwrap().to_rgb8();
        let dark = |x, y| img.get_pixel(x, y).0.iter().all(|&c| c < 16);
        assert!(dark(300, 100) && dark(399, 0));
        assert!(!dark(100, 100));
    }

    #[test]
    fn only_generated_keys_are_served() {
        let k = format!("p/{}.jpg", "a".repeat(32));
        assert!(is_photo_key(&k));
        assert!(is_photo_key(&format!("t/{}.jpg", "0".repeat(32))));
        for bad in [
            "p/../secret.jpg",
            "x/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.jpg",
            "p/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.jpg",
            "p/aaaa.jpg",
            "p/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.png",
            "",
        ] {
            assert!(!is_photo_key(bad), "{bad}");
        }
    }
}
