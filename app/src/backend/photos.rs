//! Photos: decoded with limits, turned upright, shrunk, re-encoded (so no
//! EXIF — GPS, camera — survives), thumbnailed, and kept behind one interface
//! (`object_store`): a local folder by default, S3-compatible storage by
//! configuration. Names are generated here; nothing a client sends becomes a
//! file name.

use std::io::Cursor;
use std::sync::Arc;

use bytes::Bytes;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use object_store::path::Path as StorePath;
use object_store::{ObjectStore, ObjectStoreExt};
use rand::RngCore;

use crate::domain::Redaction;
use crate::error::AppError;

/// Longest side of the stored photo.
pub const FULL_SIDE: u32 = 1600;
/// Longest side of a thumbnail.
pub const THUMB_SIDE: u32 = 400;
/// Largest width or height a photo may declare.
pub const MAX_DIMENSION: u32 = 12_000;
/// Largest decoded image in memory (16 megapixels of RGB: every phone
/// camera's default; the browser shrinks photos to 1600 px before upload
/// anyway). One photo is decoded at a time per server, and uploads wait on
/// disk, not in memory (`Upload`), so a server's photo work stays near this
/// (measured by `server/benches/photo_memory.rs`).
pub const MAX_DECODED_BYTES: u64 = 48 * 1024 * 1024;
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
}

impl PhotoError {
    /// The application error for the form field `field`.
    pub fn into_app_error(self, field: &str) -> AppError {
        match self {
            PhotoError::Unsupported => AppError::UnsupportedMediaType,
            PhotoError::TooLarge => AppError::field(field, "照片尺寸过大，请缩小后再上传"),
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

fn limit_or_unsupported(e: image::ImageError) -> PhotoError {
    match e {
        image::ImageError::Limits(_) => PhotoError::TooLarge,
        _ => PhotoError::Unsupported,
    }
}

/// Fits the image in a `side` × `side` box by area averaging, which writes
/// the small image directly (a filtered resize would first build a
/// floating-point copy of the big one: 77 MB for a 12 MP photo).
fn shrink(image: DynamicImage, side: u32) -> DynamicImage {
    if image.width() > side || image.height() > side {
        image.thumbnail(side, side)
    } else {
        image
    }
}

fn encode(image: &DynamicImage) -> Result<Vec<u8>, PhotoError> {
    let rgb = image.to_rgb8();
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)
        .encode_image(&rgb)
        .map_err(|_| PhotoError::Unsupported)?;
    Ok(out)
}

fn finish(image: DynamicImage) -> Result<Processed, PhotoError> {
    let thumb = image.thumbnail(THUMB_SIDE, THUMB_SIDE);
    Ok(Processed {
        full: encode(&image)?,
        thumb: encode(&thumb)?,
        width: image.width(),
        height: image.height(),
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

/// An uploaded photo waiting in a temporary file (deleted when dropped), so
/// that many uploads at once cost disk, not memory.
#[derive(Debug)]
pub struct Upload {
    path: tempfile::TempPath,
}

impl Upload {
    /// Starts a spooled upload: the file to write the bytes to.
    pub fn create() -> std::io::Result<(tokio::fs::File, Upload)> {
        let (file, path) = tempfile::NamedTempFile::new()?.into_parts();
        Ok((tokio::fs::File::from_std(file), Upload { path }))
    }

    /// An upload of bytes already in memory (tests, seeds).
    pub fn from_bytes(bytes: &[u8]) -> std::io::Result<Upload> {
        let (mut file, path) = tempfile::NamedTempFile::new()?.into_parts();
        std::io::Write::write_all(&mut file, bytes)?;
        Ok(Upload { path })
    }
}

type Job = Box<dyn FnOnce() + Send>;

/// The one thread of a server that decodes and encodes photos. Photos are
/// processed one at a time, always on this thread, so the memory a decode
/// takes is reused by the next instead of piling up in the allocator arenas
/// of many blocking-pool threads (measured: 290 MiB peak on the pool, see
/// docs/PERFORMANCE.md).
struct Worker {
    jobs: std::sync::Mutex<std::sync::mpsc::Sender<Job>>,
}

impl Worker {
    fn start() -> Worker {
        let (tx, rx) = std::sync::mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("photos".into())
            .spawn(move || {
                for job in rx {
                    job();
                }
            })
            .expect("start the photo thread");
        Worker {
            jobs: std::sync::Mutex::new(tx),
        }
    }

    /// Runs `f` on the photo thread and waits for its answer.
    async fn run<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
        let (done, answer) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = done.send(f());
        });
        self.jobs.lock().ok()?.send(job).ok()?;
        answer.await.ok()
    }
}

/// Where photos live and how they are processed.
pub struct Photos {
    store: Arc<dyn ObjectStore>,
    worker: Worker,
}

/// Keys of a stored photo and its thumbnail.
#[derive(Debug, Clone)]
pub struct StoredPhoto {
    pub key: String,
    pub thumb_key: String,
    pub width: u32,
    pub height: u32,
}

impl Photos {
    pub fn new(store: Arc<dyn ObjectStore>) -> Self {
        Photos {
            store,
            worker: Worker::start(),
        }
    }

    /// A local folder (created if missing).
    pub fn local(dir: &std::path::Path) -> anyhow::Result<Self> {
        std::fs::create_dir_all(dir)
            .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", dir.display()))?;
        let fs = object_store::local::LocalFileSystem::new_with_prefix(dir)
            .map_err(|e| anyhow::anyhow!("photo folder {}: {e}", dir.display()))?;
        Ok(Self::new(Arc::new(fs)))
    }

    /// An S3-compatible bucket: what the settings leave out comes from the
    /// usual `AWS_*` variables. A plain-HTTP endpoint (a MinIO on the same
    /// network) is allowed when it is named explicitly.
    pub fn s3(s: &super::S3Settings) -> anyhow::Result<Self> {
        let mut b = object_store::aws::AmazonS3Builder::from_env().with_bucket_name(&s.bucket);
        if let Some(e) = &s.endpoint {
            b = b
                .with_endpoint(e)
                .with_allow_http(e.starts_with("http://"))
                .with_virtual_hosted_style_request(false);
        }
        if let Some(r) = &s.region {
            b = b.with_region(r);
        }
        if let Some(k) = &s.access_key_id {
            b = b.with_access_key_id(k);
        }
        if let Some(k) = &s.secret_access_key {
            b = b.with_secret_access_key(k);
        }
        let s3 = b
            .build()
            .map_err(|e| anyhow::anyhow!("S3 bucket {}: {e}", s.bucket))?;
        Ok(Self::new(Arc::new(s3)))
    }

    /// Processes an upload on the photo thread, one at a time: only then is
    /// it read into memory.
    pub async fn process(&self, upload: Upload) -> Result<Processed, PhotoError> {
        self.worker
            .run(move || {
                let bytes = std::fs::read(&upload.path).map_err(|_| PhotoError::Unsupported)?;
                process_blocking(&bytes)
            })
            .await
            .unwrap_or(Err(PhotoError::Unsupported))
    }

    /// Reads the QR codes in an upload on the photo thread.
    pub async fn read_qr(&self, upload: Upload) -> Result<Vec<String>, PhotoError> {
        self.worker
            .run(move || {
                let bytes = std::fs::read(&upload.path).map_err(|_| PhotoError::Unsupported)?;
                read_qr_blocking(&bytes)
            })
            .await
            .unwrap_or(Err(PhotoError::Unsupported))
    }

    /// Redacts a stored photo into new objects (new names, so no cache
    /// anywhere keeps the old picture under the name that is public).
    pub async fn redact(&self, key: &str, r: Redaction) -> Result<StoredPhoto, AppError> {
        let stored = self.get(key).await?.ok_or(AppError::NotFound)?;
        let processed = self
            .worker
            .run(move || redact_blocking(&stored, r))
            .await
            .ok_or(AppError::Internal)?
            .map_err(|_| AppError::Internal)?;
        self.put(processed).await
    }

    /// Stores a processed photo under fresh random names.
    pub async fn put(&self, p: Processed) -> Result<StoredPhoto, AppError> {
        let name = random_name();
        let key = format!("p/{name}.jpg");
        let thumb_key = format!("t/{name}.jpg");
        for (k, data) in [(&key, p.full), (&thumb_key, p.thumb)] {
            self.store
                .put(&StorePath::from(k.as_str()), data.into())
                .await
                .map_err(|e| {
                    tracing::error!(error = %e, "photo store write failed");
                    AppError::Internal
                })?;
        }
        Ok(StoredPhoto {
            key,
            thumb_key,
            width: p.width,
            height: p.height,
        })
    }

    /// The bytes of a stored object, `None` if there is no such object.
    pub async fn get(&self, key: &str) -> Result<Option<Bytes>, AppError> {
        if !is_photo_key(key) {
            return Ok(None);
        }
        match self.store.get(&StorePath::from(key)).await {
            Ok(r) => r.bytes().await.map(Some).map_err(|e| {
                tracing::error!(error = %e, "photo store read failed");
                AppError::Internal
            }),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => {
                tracing::error!(error = %e, "photo store read failed");
                Err(AppError::Internal)
            }
        }
    }

    /// Removes objects; a failure is logged, never fatal (an orphan file is
    /// harmless, a lost report is not).
    pub async fn delete(&self, keys: &[String]) {
        for k in keys {
            if let Err(e) = self.store.delete(&StorePath::from(k.as_str())).await {
                tracing::warn!(error = %e, "photo store delete failed");
            }
        }
    }
}

fn random_name() -> String {
    let mut b = [0u8; 16];
    rand::rng().fill_bytes(&mut b);
    hex::encode(b)
}

/// `p/<32 hex>.jpg` or `t/<32 hex>.jpg`: the only names ever served.
pub fn is_photo_key(key: &str) -> bool {
    let Some((dir, file)) = key.split_once('/') else {
        return false;
    };
    let Some(stem) = file.strip_suffix(".jpg") else {
        return false;
    };
    matches!(dir, "p" | "t")
        && stem.len() == 32
        && stem
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

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
