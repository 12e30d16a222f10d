//! Photos are stored before the transaction that refers to them (a slow
//! upload never holds a database lock), so every failure after storing
//! must delete them again: `store_all` cleans up its own partial work, and
//! `unless_ok` cleans up after the caller's transaction.

use super::super::AppState;
use super::{StoredPhoto, Upload};
use crate::backend::auth::CurrentUser;
use crate::error::AppError;

/// The public address of a stored photo.
pub fn photo_url(key: &str) -> String {
    format!("/photos/{key}")
}

/// The per-person upload limit (with ZHUOMU_RATE_LIMITS; in the database,
/// so across servers): one hit per request that carries photos, counted
/// before any is decoded.
pub async fn allow(state: &AppState, actor: &CurrentUser, photos: usize) -> Result<(), AppError> {
    use crate::backend::limits;
    if photos == 0 || !state.config.rate_limits {
        return Ok(());
    }
    let staff = actor.roles.can_moderate() || actor.roles.has(crate::domain::Role::UnitStaff);
    let limit = if staff {
        limits::UPLOADS_PER_STAFF
    } else {
        limits::UPLOADS_PER_PERSON
    };
    limits::check(state, limit, &actor.id.to_string()).await
}

pub async fn store_all(
    state: &AppState,
    uploads: Vec<Upload>,
    field: &str,
) -> Result<Vec<StoredPhoto>, AppError> {
    let mut stored = Vec::with_capacity(uploads.len());
    for upload in uploads {
        let processed = match state.photos.process(upload).await {
            Ok(p) => p,
            Err(e) => {
                forget(state, &stored).await;
                return Err(e.into_app_error(field));
            }
        };
        match state.photos.put(processed).await {
            Ok(s) => stored.push(s),
            Err(e) => {
                forget(state, &stored).await;
                return Err(e);
            }
        }
    }
    Ok(stored)
}

pub async fn forget(state: &AppState, stored: &[StoredPhoto]) {
    let keys: Vec<String> = stored
        .iter()
        .flat_map(|s| [s.key.clone(), s.thumb_key.clone()])
        .collect();
    state.photos.delete(&keys).await;
}

/// Passes `result` on; when it is an error, the photos stored for it are
/// deleted first (nothing refers to them).
pub async fn unless_ok<T>(
    state: &AppState,
    stored: &[StoredPhoto],
    result: Result<T, AppError>,
) -> Result<T, AppError> {
    if result.is_err() {
        forget(state, stored).await;
    }
    result
}
