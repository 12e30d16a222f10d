use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::fail;
use crate::api::{AdminSetRoles, admin_users, get_units};
use crate::domain::Role;
use crate::models::{Unit, User};

/// Admins grant roles: moderator, unit staff (with their unit), admin.
#[component]
pub fn AdminUsersPage() -> impl IntoView {
    let query = use_query_map();
    let phone = move || query.read().get("phone").filter(|p| !p.is_empty());
    let saved = query
        .read_untracked()
        .get("saved")
        .and_then(|s| s.parse::<i64>().ok());
    let users = Resource::new(phone, admin_users);
    let units = Resource::new(|| (), |_| get_units());
    let set_roles = ServerAction::<AdminSetRoles>::new();
    let saved_error = set_roles.value().get_untracked().and_then(Result::err);
    view! {
        <Title text="用户与角色"/>
        <section class="card">
            <h1>"用户与角色"</h1>
            <form method="get" action="/admin/users" class="search" role="search">
                <label for="q-phone" class="sr-only">"手机号"</label>
                <input id="q-phone" name="phone" type="tel" inputmode="tel" placeholder="按手机号查找"
                    value=phone() data-test-id="admin-phone"/>
                <button type="submit" class="btn">"查找"</button>
            </form>
            {saved_error.map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })}
        </section>
        <Suspense fallback=|| view! { <p class="loading">"加载中…"</p> }>
            {move || Suspend::new(async move {
                let units = units.await.unwrap_or_default();
                match users.await {
                    Err(e) => fail(e),
                    Ok(page) if page.items.is_empty() => view! { <p class="card muted">"没有找到用户。"</p> }.into_any(),
                    Ok(page) => page
                        .items
                        .into_iter()
                        .map(|u| view! { <UserRoles saved=saved == Some(u.id) user=u units=units.clone()/> })
                        .collect_view()
                        .into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn UserRoles(user: User, units: Vec<Unit>, saved: bool) -> impl IntoView {
    let roles = user.roles.clone();
    let has = move |r: Role| roles.contains(&r);
    let action = ServerAction::<AdminSetRoles>::new();
    let unit_id = user.unit_id;
    let phone = use_query_map()
        .read_untracked()
        .get("phone")
        .unwrap_or_default();
    view! {
        <section class="card user-roles" data-test-id=format!("user-{}", user.id)>
            <h2>{user.display_name.clone()} <small class="muted">{user.phone_masked.clone()}</small></h2>
            {saved.then(|| view! { <p class="saved" role="status" data-test-id="saved">"角色已保存。该用户需要重新登录后生效。"</p> })}
            <ActionForm action=action>
                <input type="hidden" name="user_id" value=user.id/>
                <input type="hidden" name="phone" value=phone.clone()/>
                <label class="check"><input type="checkbox" name="moderator" checked=has(Role::Moderator)/>"创城办审核员"</label>
                <label class="check"><input type="checkbox" name="admin" checked=has(Role::Admin)/>"管理员"</label>
                <label class="check"><input type="checkbox" name="unit_staff" checked=has(Role::UnitStaff)/>"责任单位人员"</label>
                <label class="select">"所属单位"
                    <select name="unit_id">
                        <option value="" selected=unit_id.is_none()>"（无）"</option>
                        {units.into_iter().map(|u| view! {
                            <option value=u.id selected=unit_id == Some(u.id)>{u.name}</option>
                        }).collect_view()}
                    </select>
                </label>
                <button type="submit" class="btn primary">"保存角色"</button>
            </ActionForm>
        </section>
    }
}

/// Admins: the city's units, problem categories (points, deadline, unit)
/// and areas (包街路段 and 网格) on the map, each with its form. An area is
/// pasted as GeoJSON, as drawn in any GIS tool or geojson.io.
#[component]
pub fn AdminCityPage() -> impl IntoView {
    use super::map::{AreaLayer, MapProps};
    use crate::api::{AddArea, AddCategory, AddUnit, admin_city};
    use leptos::server_fn::ServerFn;
    let data = Resource::new(|| (), |_| admin_city());
    let saved = use_query_map().read_untracked().get("saved");
    let error = crate::returned_error!(AddUnit, AddCategory, AddArea);
    view! {
        <Title text="城市与区域"/>
        <section class="card">
            <h1>"城市与区域"</h1>
            <p class="muted small">"责任单位、问题类别（积分、整改期限、负责单位）与包街路段、网格。每项修改都记入操作日志。"</p>
            {saved.map(|_| view! { <p class="saved" role="status" data-test-id="saved">"已保存。"</p> })}
            <super::FormError error=error/>
        </section>
        <Suspense fallback=|| view! { <p class="loading">"加载中…"</p> }>
            {move || Suspend::new(async move {
                let c = match data.await {
                    Ok(c) => c,
                    Err(e) => return fail(e),
                };
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
                        <div class="table-wrap">
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
                        <figure class="map">
                            <svg viewBox=props.view.view_box() role="img" aria-label="路段与网格地图">
                                <rect class="map-bg" width=props.view.width height=props.view.height/>
                                <AreaLayer layer=props.layer/>
                            </svg>
                        </figure>
                        <ul class="plain small">
                            {c.map.areas.iter().map(|a| view! {
                                <li>{a.name.clone()}" · "{if matches!(a.kind, crate::domain::AreaKind::Grid) { "网格" } else { "路段" }}
                                    " · "{unit_name(a.unit_id)}</li>
                            }).collect_view()}
                        </ul>
                        <form method="post" action=AddArea::PATH class="stack">
                            <label>"名称"<input name="name" required maxlength="50" data-test-id="area-name"/></label>
                            <label>"类型"<select name="kind"><option value="grid">"网格（多边形）"</option><option value="segment">"包街路段（线或多边形）"</option></select></label>
                            <label>"责任单位"<select name="unit_id" required data-test-id="area-unit">{unit_options}</select></label>
                            <label>"GeoJSON（Polygon 或 LineString，经度在前）"
                                <textarea name="geojson" rows="5" required data-test-id="area-geojson"
                                    placeholder=r#"{"type":"Polygon","coordinates":[[[98.28,39.76],[98.30,39.76],[98.30,39.78],[98.28,39.76]]]}"#></textarea></label>
                            <label>"路段两侧范围（米，线段用）"<input type="number" name="buffer_m" min="1" max="500" placeholder="30" inputmode="numeric"/></label>
                            <button type="submit" class="btn primary" data-test-id="add-area">"添加区域"</button>
                        </form>
                    </section>
                }.into_any()
            })}
        </Suspense>
    }
}
