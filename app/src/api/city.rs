//! The admin's city: units, categories and areas.

use leptos::prelude::*;

use crate::error::AppError;
#[allow(unused_imports)]
use crate::models::*;

#[cfg(feature = "ssr")]
use super::ssr;

/// The city's areas, ready to draw.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct CityMap {
    pub areas: Vec<crate::models::Area>,
    /// The base map under the areas, when the city has one configured.
    #[serde(default)]
    pub tiles: Option<crate::domain::map::TileSource>,
}

#[cfg(feature = "ssr")]
pub(super) async fn city_map(state: &crate::backend::AppState) -> Result<CityMap, AppError> {
    Ok(CityMap {
        areas: crate::backend::city::list_areas(state).await?,
        tiles: state.config.map_tiles.clone(),
    })
}

#[server(prefix = "/api/fn", endpoint = "units")]
pub async fn get_units() -> Result<Vec<crate::models::Unit>, AppError> {
    ssr::finish(crate::backend::city::list_units(&ssr::state()?).await)
}

/// The admin's city page: units, categories, and the areas on the map.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct CityAdminView {
    pub units: Vec<crate::models::Unit>,
    pub categories: Vec<crate::models::Category>,
    pub map: CityMap,
}

#[server(prefix = "/api/fn", endpoint = "admin_city")]
pub async fn admin_city() -> Result<CityAdminView, AppError> {
    use crate::backend::city;
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            me.require_admin()?;
            let state = ssr::state()?;
            Ok(CityAdminView {
                units: city::list_units(&state).await?,
                categories: city::list_categories(&state).await?,
                map: city_map(&state).await?,
            })
        }
        .await,
    )
}

/// Admin: today's SMS sends against the city's daily ceiling.
#[server(prefix = "/api/fn", endpoint = "admin_sms_budget")]
pub async fn admin_sms_budget() -> Result<SmsBudget, AppError> {
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            crate::backend::identity::budget(&ssr::state()?, &me).await
        }
        .await,
    )
}

/// Admin: the city's daily SMS ceiling (each SMS costs money; 0 stops all).
#[server(prefix = "/api/fn", endpoint = "admin_set_sms_budget")]
pub async fn admin_set_sms_budget(daily_ceiling: String) -> Result<(), AppError> {
    use crate::backend::identity::{SmsBudgetInput, set_budget};
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            let daily_ceiling = ssr::required_number(
                "daily_ceiling",
                &daily_ceiling,
                "应为整数",
                "请填写每日短信上限",
            )?;
            set_budget(&ssr::state()?, &me, SmsBudgetInput { daily_ceiling }).await?;
            leptos_axum::redirect("/admin/city?saved=sms");
            Ok(())
        }
        .await,
    )
}

/// Who runs the portal, for every page's footer.
#[server(prefix = "/api/fn", endpoint = "portal")]
pub async fn get_portal() -> Result<PortalProfile, AppError> {
    ssr::finish(crate::backend::city::portal(&ssr::state()?).await)
}

/// Admin: who runs the portal (主办单位, hotline, filing number).
#[server(prefix = "/api/fn", endpoint = "admin_set_portal")]
pub async fn admin_set_portal(
    city: String,
    office: String,
    hotline: String,
    filing: String,
) -> Result<(), AppError> {
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            let input = crate::backend::city::PortalInput {
                city,
                office,
                hotline,
                filing,
            };
            crate::backend::city::set_portal(
                &ssr::state()?,
                crate::backend::auth::Actor::Person(&me),
                input,
                false,
            )
            .await?;
            leptos_axum::redirect("/admin/city?saved=portal");
            Ok(())
        }
        .await,
    )
}

#[server(prefix = "/api/fn", endpoint = "add_unit")]
pub async fn add_unit(name: String) -> Result<(), AppError> {
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            let input = crate::backend::city::UnitInput { name };
            crate::backend::city::create_unit(
                &ssr::state()?,
                crate::backend::auth::Actor::Person(&me),
                input,
            )
            .await?;
            leptos_axum::redirect("/admin/city?saved=unit");
            Ok(())
        }
        .await,
    )
}

/// A category's fields as a form sends them.
#[cfg(feature = "ssr")]
fn category_form(
    name: String,
    points: &str,
    sla_days: &str,
    unit_id: Option<&str>,
) -> Result<crate::backend::city::CategoryInput, AppError> {
    Ok(crate::backend::city::CategoryInput {
        name,
        points: ssr::required_number("points", points, "请填写整数", "请填写积分")?,
        sla_days: ssr::required_number("sla_days", sla_days, "请填写整数", "请填写整改期限")?,
        unit_id: ssr::form_number("unit_id", unit_id, "请填写整数")?,
    })
}

#[server(prefix = "/api/fn", endpoint = "add_category")]
pub async fn add_category(
    name: String,
    points: String,
    sla_days: String,
    unit_id: Option<String>,
) -> Result<(), AppError> {
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            let input = category_form(name, &points, &sla_days, unit_id.as_deref())?;
            crate::backend::city::create_category(
                &ssr::state()?,
                crate::backend::auth::Actor::Person(&me),
                input,
            )
            .await?;
            leptos_axum::redirect("/admin/city?saved=category");
            Ok(())
        }
        .await,
    )
}

/// An admin changes a category from 城市与区域.
#[server(prefix = "/api/fn", endpoint = "edit_category")]
pub async fn edit_category(
    id: i64,
    name: String,
    points: String,
    sla_days: String,
    unit_id: Option<String>,
) -> Result<(), AppError> {
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            let input = category_form(name, &points, &sla_days, unit_id.as_deref())?;
            crate::backend::city::update_category(&ssr::state()?, &me, id, input).await?;
            leptos_axum::redirect("/admin/city?saved=category");
            Ok(())
        }
        .await,
    )
}

/// A segment or grid from pasted GeoJSON (a Polygon, or a LineString with a
/// buffer for a street).
#[server(prefix = "/api/fn", endpoint = "add_area")]
pub async fn add_area(
    name: String,
    kind: String,
    unit_id: String,
    geojson: String,
    buffer_m: Option<String>,
) -> Result<(), AppError> {
    ssr::finish(
        async {
            let me = ssr::require_user().await?;
            me.require_admin()?;
            let (polygon, line) = crate::domain::geo::pasted_geojson(&geojson)
                .map_err(|e| AppError::field("geojson", e))?;
            let buffer_m = ssr::form_number("buffer_m", buffer_m.as_deref(), "请填写米数")?;
            let input = crate::backend::city::AreaInput {
                name,
                kind,
                unit_id: ssr::required_number("unit_id", &unit_id, "请填写整数", "请选择责任单位")?,
                polygon,
                line,
                buffer_m,
            };
            crate::backend::city::create_area(
                &ssr::state()?,
                crate::backend::auth::Actor::Person(&me),
                input,
            )
            .await?;
            leptos_axum::redirect("/admin/city?saved=area");
            Ok(())
        }
        .await,
    )
}
