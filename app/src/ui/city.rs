//! 城市与区域: the admins' page for the city's units, problem categories
//! and areas on the map.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::Loaded;

/// Admins: the city's units, problem categories (points, deadline, unit)
/// and areas (包街路段 and 网格) on the map, each with its form. An area is
/// pasted as GeoJSON, as drawn in any GIS tool or geojson.io.
#[component]
pub fn AdminCityPage() -> impl IntoView {
    use super::map::{AreaLayer, MapProps};
    use crate::api::{AddArea, AddCategory, AddUnit, EditCategory, admin_city};
    use leptos::server_fn::ServerFn;
    let data = Resource::new(|| (), |_| admin_city());
    let saved = use_query_map().read_untracked().get("saved");
    let error = crate::returned_error!(AddUnit, AddCategory, EditCategory, AddArea);
    view! {
        <Title text="城市与区域"/>
        <section class="card">
            <h1>"城市与区域"</h1>
            <p class="muted small">"责任单位、问题类别（积分、整改期限、负责单位）与包街路段、网格。每项修改都记入操作日志。"</p>
            {saved.map(|_| view! { <p class="saved" role="status" data-test-id="saved">"已保存。"</p> })}
            <super::FormError error=error/>
        </section>
        <Loaded data=data render=move |c| {
                let props = MapProps::new(&c.map, &[], 360.0);
                let unit_name = |id: i64| c.units.iter().find(|u| u.id == id).map(|u| u.name.clone()).unwrap_or_default();
                let unit_options = c.units.iter().map(|u| view! { <option value=u.id>{u.name.clone()}</option> }).collect_view();
                view! {
                    <section class="card" data-test-id="units">
                        <h2>"责任单位"</h2>
                        <p class="muted small">{c.units.iter().map(|u| u.name.clone()).collect::<Vec<_>>().join("、")}</p>
                        <form method="post" action=AddUnit::PATH class="stack">
                            <label>"新单位名称"<input name="name" required maxlength="50" data-test-id="unit-name"/></label>
                            <button type="submit" class="btn primary" data-test-id="add-unit">"添加单位"</button>
                        </form>
                    </section>
                    <section class="card" data-test-id="categories">
                        <h2>"问题类别"</h2>
                        <div class="table-wrap" tabindex="0" role="region" aria-label="问题类别表">
                            <table class="numbers">
                                <thead><tr><th>"类别"</th><th>"积分"</th><th>"期限"</th><th>"负责单位"</th></tr></thead>
                                <tbody>
                                    {c.categories.iter().map(|k| view! {
                                        <tr><td>{k.name.clone()}</td><td>{k.points}</td><td>{format!("{}天", k.sla_days)}</td>
                                            <td>{k.unit_id.map(unit_name).unwrap_or_else(|| "按地点".into())}</td></tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                        <details class="category-edits" data-test-id="category-edits">
                            <summary data-test-id="category-edits-open">{format!("修改已有类别（{}个）", c.categories.len())}</summary>
                            {c.categories.iter().map(|k| {
                                let unit_id = k.unit_id;
                                view! {
                                    <details class="edit">
                                        <summary data-test-id=format!("edit-category-{}", k.id)>{format!("修改“{}”", k.name)}</summary>
                                        <form method="post" action=EditCategory::PATH class="stack">
                                            <input type="hidden" name="id" value=k.id/>
                                            <label>"类别名称"<input name="name" required maxlength="30" value=k.name.clone()/></label>
                                            <label>"通过审核得积分"<input type="number" name="points" min="0" max="100" value=k.points inputmode="numeric"/></label>
                                            <label>"整改期限（天，之后交办的问题适用）"<input type="number" name="sla_days" min="1" max="90" value=k.sla_days inputmode="numeric" data-test-id="edit-sla"/></label>
                                            <label>"负责单位"<select name="unit_id">
                                                <option value="" selected=unit_id.is_none()>"按地点（路段、网格）"</option>
                                                {c.units.iter().map(|u| view! { <option value=u.id selected=unit_id == Some(u.id)>{u.name.clone()}</option> }).collect_view()}
                                            </select></label>
                                            <button type="submit" class="btn" data-test-id="save-category">"保存修改"</button>
                                        </form>
                                    </details>
                                }
                            }).collect_view()}
                        </details>
                        <form method="post" action=AddCategory::PATH class="stack">
                            <label>"类别名称"<input name="name" required maxlength="30" data-test-id="category-name"/></label>
                            <label>"通过审核得积分"<input type="number" name="points" min="0" value="5" inputmode="numeric"/></label>
                            <label>"整改期限（天）"<input type="number" name="sla_days" min="1" value="3" inputmode="numeric"/></label>
                            <label>"负责单位"<select name="unit_id"><option value="">"按地点（路段、网格）"</option>{unit_options.clone()}</select></label>
                            <button type="submit" class="btn primary" data-test-id="add-category">"添加类别"</button>
                        </form>
                    </section>
                    <section class="card" data-test-id="areas">
                        <h2>"包街路段与网格"</h2>
                        <figure class="map" data-test-id="area-map">
                            <svg viewBox=props.view.view_box() role="img" aria-label="路段与网格地图，点击可画新区域"
                                data-draw="area-form" data-view=props.view.data()>
                                <rect class="map-bg" width=props.view.width height=props.view.height/>
                                <AreaLayer layer=props.layer/>
                            </svg>
                            <figcaption class="muted small">"画新区域：在地图上依次点击边界上的点（网格至少3个点），或沿路段点出走向；下方的 GeoJSON 会自动填好。也可以直接粘贴 GeoJSON。"</figcaption>
                        </figure>
                        <div class="draw-tools" data-draw-tools="area-form" hidden>
                            <span class="muted small" data-draw-count data-test-id="draw-count">"还没有画点"</span>
                            <button type="button" class="btn small" data-draw-undo data-test-id="draw-undo">"撤销上一点"</button>
                            <button type="button" class="btn small" data-draw-clear data-test-id="draw-clear">"清除"</button>
                        </div>
                        <ul class="plain small">
                            {c.map.areas.iter().map(|a| view! {
                                <li>{a.name.clone()}" · "{if matches!(a.kind, crate::domain::AreaKind::Grid) { "网格" } else { "路段" }}
                                    " · "{unit_name(a.unit_id)}</li>
                            }).collect_view()}
                        </ul>
                        <form method="post" action=AddArea::PATH class="stack" id="area-form">
                            <label>"名称"<input name="name" required maxlength="50" data-test-id="area-name"/></label>
                            <label>"类型"<select name="kind" data-test-id="area-kind"><option value="grid">"网格（多边形）"</option><option value="segment">"包街路段（线或多边形）"</option></select></label>
                            <label>"责任单位"<select name="unit_id" required data-test-id="area-unit">{unit_options}</select></label>
                            <label>"GeoJSON（Polygon 或 LineString，经度在前）"
                                <textarea name="geojson" rows="5" required data-test-id="area-geojson"
                                    placeholder=r#"{"type":"Polygon","coordinates":[[[98.28,39.76],[98.30,39.76],[98.30,39.78],[98.28,39.76]]]}"#></textarea></label>
                            <label>"路段两侧范围（米，线段用）"<input type="number" name="buffer_m" min="1" max="500" placeholder="30" inputmode="numeric" data-test-id="area-buffer"/></label>
                            <button type="submit" class="btn primary" data-test-id="add-area">"添加区域"</button>
                        </form>
                    </section>
                }.into_any()
        }/>
        <SmsCeiling/>
        <PortalForm/>
    }
}

/// 主办单位: who runs the portal, as every page's footer says it.
#[component]
fn PortalForm() -> impl IntoView {
    use crate::api::{AdminSetPortal, get_portal};
    use leptos::server_fn::ServerFn;
    let data = Resource::new(|| (), |_| get_portal());
    let error = crate::returned_error!(AdminSetPortal);
    view! {
        <Loaded data render=move |p| view! {
            <section class="card" data-test-id="portal-form">
                <h2>"主办单位与页脚"</h2>
                <p class="muted small">"每个页面底部显示：主办单位、服务热线与备案号。"</p>
                <super::FormError error=error.clone()/>
                <form method="post" action=AdminSetPortal::PATH class="stack">
                    <label>"城市"<input name="city" required maxlength="20" value=p.city data-test-id="portal-city"/></label>
                    <label>"主办单位"<input name="office" required maxlength="60" value=p.office data-test-id="portal-office"/></label>
                    <label>"服务热线"<input name="hotline" required maxlength="20" inputmode="tel" value=p.hotline data-test-id="portal-hotline"/></label>
                    <label>"ICP备案号"<input name="filing" required maxlength="60" value=p.filing data-test-id="portal-filing"/></label>
                    <button type="submit" class="btn primary" data-test-id="portal-save">"保存"</button>
                </form>
            </section>
        }.into_any()/>
    }
}

/// 短信额度: today's sends and the city's daily ceiling (an SMS-bombing
/// script stops at it; every SMS costs the city money).
#[component]
fn SmsCeiling() -> impl IntoView {
    use crate::api::{AdminSetSmsBudget, admin_sms_budget};
    use leptos::server_fn::ServerFn;
    let data = Resource::new(|| (), |_| admin_sms_budget());
    let error = crate::returned_error!(AdminSetSmsBudget);
    view! {
        <Loaded data render=move |b| view! {
            <section class="card" data-test-id="sms-ceiling">
                <h2>"短信额度"</h2>
                <p class="muted small" data-test-id="sms-sent-today">
                    {format!("今日已发送 {} 条，每日上限 {} 条。达到上限后当天不再发送验证码。", b.sent_today, b.daily_ceiling)}
                </p>
                <super::FormError error=error.clone()/>
                <form method="post" action=AdminSetSmsBudget::PATH class="stack">
                    <label>"每日短信上限（0 表示暂停发送）"
                        <input type="number" name="daily_ceiling" min="0" max="1000000" required value=b.daily_ceiling inputmode="numeric" data-test-id="sms-ceiling-input"/></label>
                    <button type="submit" class="btn primary" data-test-id="sms-ceiling-save">"保存"</button>
                </form>
            </section>
        }.into_any()/>
    }
}
