//! Photos: decoded with limits, turned upright, shrunk, re-encoded (so no
//! EXIF — GPS, camera — survives), thumbnailed, and kept behind one interface
//! (`object_store`): a local folder by default, S3-compatible storage by
//! configuration. Names are generated here; nothing a client sends becomes a
//! file name.

mod access;
mod cleanup;
mod pipeline;
mod storage;

use std::io::Cursor;
use std::sync::Arc;

use bytes::Bytes;
use fast_image_resize as fir;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use object_store::path::Path as StorePath;
use object_store::{ObjectStore, ObjectStoreExt};
use rand::RngCore;

use crate::domain::Redaction;
use crate::error::AppError;

pub use access::*;
pub use cleanup::*;
pub use pipeline::*;
pub use storage::*;

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
