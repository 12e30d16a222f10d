//! The web app's doors to 退回, 改派, 督办 and 我也看到 (forms that work
//! without script). Thin: find the caller, call `backend::reports`, redirect.

use leptos::prelude::*;

use crate::error::AppError;

#[cfg(feature = "ssr")]
use super::ssr;

/// 退回 from the unit's console.
#[server(prefix = "/api/fn", endpoint = "return_report")]
pub async fn return_report(id: i64, reason: String) -> Result<(), AppError> {
    use crate::backend::reports::{self, ReturnInput};
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            reports::send_back(&ssr::state()?, &me, id, ReturnInput { reason }).await?;
            leptos_axum::redirect(&format!("/manage/unit?done={id}"));
            Ok(())
        }
        .await,
    )
}

/// 改派 (or refusing the return: the same unit) from the review console.
#[server(prefix = "/api/fn", endpoint = "reassign")]
pub async fn reassign_report(
    id: i64,
    unit_id: String,
    deadline_days: Option<String>,
    note: Option<String>,
) -> Result<(), AppError> {
    use crate::backend::reports::{self, ReassignInput};
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            let input = ReassignInput {
                unit_id: ssr::required_number("unit_id", &unit_id, "请选择单位", "请选择单位")?,
                deadline_days: ssr::form_number(
                    "deadline_days",
                    deadline_days.as_deref(),
                    "请填写数字",
                )?,
                note,
            };
            reports::reassign(&ssr::state()?, &me, id, input).await?;
            leptos_axum::redirect(&format!("/manage/review?done={id}"));
            Ok(())
        }
        .await,
    )
}

/// 督办 from a report's page.
#[server(prefix = "/api/fn", endpoint = "urge")]
pub async fn urge_report(id: i64, note: String) -> Result<(), AppError> {
    use crate::backend::reports::{self, UrgeInput};
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            reports::urge(&ssr::state()?, &me, id, UrgeInput { note }).await?;
            leptos_axum::redirect(&format!("/reports/{id}"));
            Ok(())
        }
        .await,
    )
}

/// 我也看到 from a report's page or the form's duplicate hint; back to
/// `back` when it is a local path (the form), else to the report.
#[server(prefix = "/api/fn", endpoint = "seen")]
pub async fn seen_report(id: i64, back: Option<String>) -> Result<(), AppError> {
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            crate::backend::reports::seen(&ssr::state()?, &me, id).await?;
            let to = back
                .as_deref()
                .and_then(crate::domain::local_path)
                .map(|p| p.to_owned())
                .unwrap_or_else(|| format!("/reports/{id}?seen=1"));
            leptos_axum::redirect(&to);
            Ok(())
        }
        .await,
    )
}
