//! The home page's figures, the 数据看板 and the monthly 通报.

use leptos::prelude::*;

use crate::error::AppError;
#[allow(unused_imports)]
use crate::models::*;

#[cfg(feature = "ssr")]
use super::ssr;

#[server(prefix = "/api/fn", endpoint = "overview")]
pub async fn get_overview() -> Result<CityOverview, AppError> {
    ssr::finish(crate::backend::city::overview(&ssr::state()?).await)
}

/// The dashboard: the public numbers with their charts (SVG drawn on the
/// server), and for staff the per-unit and per-area detail.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct DashboardView {
    pub overview: crate::models::StatsOverview,
    pub detail: Option<crate::models::StatsDetail>,
    pub status_chart: String,
    pub category_chart: String,
    pub weekly_chart: String,
}

#[server(prefix = "/api/fn", endpoint = "dashboard")]
pub async fn dashboard() -> Result<DashboardView, AppError> {
    use crate::backend::stats;
    ssr::finish(
        async {
            let state = ssr::state()?;
            // The public part is this minute's, drawn once for everyone.
            let (overview, charts) = stats::public_dashboard(&state).await?;
            let detail = match ssr::current_user().await? {
                Some(u) if u.roles.can_moderate() => Some(stats::detail(&state, &u).await?),
                _ => None,
            };
            Ok(DashboardView {
                overview: (*overview).clone(),
                detail,
                status_chart: charts.status.clone(),
                category_chart: charts.category.clone(),
                weekly_chart: charts.weekly.clone(),
            })
        }
        .await,
    )
}

/// The monthly 通报 page: a month's units ranked, with the months around.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct TongbaoView {
    pub month: String,
    pub prev: String,
    pub next: Option<String>,
    pub units: Vec<crate::models::UnitMonth>,
}

#[server(prefix = "/api/fn", endpoint = "tongbao")]
pub async fn tongbao(month: Option<String>) -> Result<TongbaoView, AppError> {
    ssr::finish(
        async {
            let state = ssr::state()?;
            let me = ssr::require_user().await?;
            let (month, units) =
                crate::backend::stats::units_month(&state, &me, month.as_deref()).await?;
            let (prev, next) = ssr::month_neighbours(&state, &month)?;
            Ok(TongbaoView {
                month,
                prev,
                next,
                units,
            })
        }
        .await,
    )
}
