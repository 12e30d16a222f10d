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
    use crate::backend::{charts, stats};
    use crate::domain::ReportStatus;
    ssr::finish(
        async {
            let state = ssr::state()?;
            let overview = stats::overview(&state).await?;
            let detail = match ssr::current_user().await? {
                Some(u) if u.roles.can_moderate() => Some(stats::detail(&state, &u).await?),
                _ => None,
            };
            let r = &overview.reports;
            let statuses: Vec<(String, i64)> = ReportStatus::ALL
                .iter()
                .filter(|s| !matches!(s, ReportStatus::Duplicate))
                .map(|s| {
                    (
                        s.label().to_owned(),
                        r.by_status.get(s.as_str()).copied().unwrap_or(0),
                    )
                })
                .collect();
            let top: Vec<&crate::models::CategoryCount> = r.by_category.iter().take(6).collect();
            let weeks: Vec<String> = r.weekly.iter().map(|w| w.week[5..].to_owned()).collect();
            Ok(DashboardView {
                status_chart: charts::bars(
                    "问题状态",
                    &statuses.iter().map(|s| s.0.clone()).collect::<Vec<_>>(),
                    &statuses.iter().map(|s| s.1).collect::<Vec<_>>(),
                ),
                category_chart: charts::bars(
                    "问题类别",
                    &top.iter().map(|c| c.name.clone()).collect::<Vec<_>>(),
                    &top.iter().map(|c| c.count).collect::<Vec<_>>(),
                ),
                weekly_chart: charts::lines(
                    "近12周上报与销号",
                    &weeks,
                    &[
                        ("上报", r.weekly.iter().map(|w| w.reported).collect(), true),
                        ("销号", r.weekly.iter().map(|w| w.closed).collect(), false),
                    ],
                ),
                overview,
                detail,
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
