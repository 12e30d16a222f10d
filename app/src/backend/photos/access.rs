//! Who may see a stored photo: a report's photos follow the report (public
//! unless it waits for review or was turned down), a gift's picture is
//! public, a nominee's photo is public once the nomination is approved.
//! Answered from the tables that hold photo keys, so storage depends on no
//! feature module.

use super::super::AppState;
use super::super::auth::CurrentUser;
use crate::domain::ReportStatus;
use crate::error::AppError;

/// How a stored photo may be served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoAccess {
    /// Its report is public: anyone, cached for a year.
    Public,
    /// Its report awaits review (or was rejected or merged): only the
    /// reporter and moderators, never cached by anyone else.
    Private,
}

/// Who may see the photo stored under `key`; `NotFound` for everyone else
/// (existence is private too).
pub async fn photo_access(
    state: &AppState,
    key: &str,
    viewer: Option<&CurrentUser>,
) -> Result<PhotoAccess, AppError> {
    let row: Option<(String, i64)> = sqlx::query_as(
        "SELECT r.status, r.reporter_id FROM report_photos p JOIN reports r ON r.id = p.report_id \
         WHERE p.object_key = $1 OR p.thumb_key = $1",
    )
    .bind(key)
    .fetch_optional(&state.db.pool)
    .await?;
    let Some((status, reporter)) = row else {
        // A gift's picture in the shop is public.
        let gift: Option<(i64,)> = sqlx::query_as("SELECT id FROM gifts WHERE photo_key = $1")
            .bind(key)
            .fetch_optional(&state.db.pool)
            .await?;
        if gift.is_some() {
            return Ok(PhotoAccess::Public);
        }
        // A nominee's photo: public once the nomination is approved.
        let nominee: Option<(String, i64)> = sqlx::query_as(
            "SELECT status, nominator_id FROM nominations WHERE photo_key = $1 OR thumb_key = $1",
        )
        .bind(key)
        .fetch_optional(&state.db.pool)
        .await?;
        return match nominee.map(|(status, who)| (status == "approved", who)) {
            Some((true, _)) => Ok(PhotoAccess::Public),
            Some((false, nominator))
                if viewer.is_some_and(|v| v.id == nominator || v.roles.can_moderate()) =>
            {
                Ok(PhotoAccess::Private)
            }
            _ => Err(AppError::NotFound),
        };
    };
    if ReportStatus::parse(&status).is_ok_and(ReportStatus::is_public) {
        Ok(PhotoAccess::Public)
    } else if viewer.is_some_and(|v| v.id == reporter || v.roles.can_moderate()) {
        Ok(PhotoAccess::Private)
    } else {
        Err(AppError::NotFound)
    }
}
