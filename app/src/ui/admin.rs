use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::fail;
use crate::api::{AdminSetRoles, admin_users, get_units};
use crate::domain::Role;
use crate::models::{Unit, User};

/// Admins find people by name or (masked) number, grant roles (moderator,
/// unit staff with their unit, admin) and disable or enable accounts.
#[component]
pub fn AdminUsersPage() -> impl IntoView {
    use crate::api::{AdminDisableUser, AdminEnableUser};
    let query = use_query_map();
    let param = move |k: &str| query.read().get(k).filter(|v| !v.trim().is_empty());
    // `phone` is the older spelling of `q` in links.
    let q = move || param("q").or_else(|| param("phone"));
    let role = move || param("role");
    let disabled = move || param("disabled").map(|v| v == "true" || v == "on");
    let saved = query
        .read_untracked()
        .get("saved")
        .and_then(|s| s.parse::<i64>().ok());
    let users = Resource::new(
        move || (q(), role(), disabled()),
        |(q, role, disabled)| admin_users(q, role, disabled),
    );
    let units = Resource::new(|| (), |_| get_units());
    let error = crate::returned_error!(AdminSetRoles, AdminDisableUser, AdminEnableUser);
    let role_now = role().unwrap_or_default();
    let role_option = move |value: &'static str, label: &'static str| {
        view! { <option value=value selected=role_now == value>{label}</option> }
    };
    view! {
        <Title text="用户与角色"/>
        <section class="card">
            <h1>"用户与角色"</h1>
            <form method="get" action="/admin/users" class="stack" role="search">
                <label>"姓名或手机号"
                    <input name="q" type="search" placeholder="如 张三、139****0004 或 0004"
                        value=q() maxlength="30" data-test-id="admin-user-q"/>
                </label>
                <label class="select">"角色"
                    <select name="role" data-test-id="admin-user-role">
                        {role_option("", "全部")}
                        {Role::ALL.into_iter().filter(|r| *r != Role::Citizen).map(|r| role_option(r.as_str(), r.label())).collect_view()}
                    </select>
                </label>
                <label class="check"><input type="checkbox" name="disabled" value="true" checked=disabled() == Some(true)/>"只看已停用账号"</label>
                <button type="submit" class="btn" data-test-id="admin-user-search">"查找"</button>
            </form>
            <super::FormError error=error/>
        </section>
        <Suspense fallback=|| view! { <p class="loading">"加载中…"</p> }>
            {move || Suspend::new(async move {
                let units = units.await.unwrap_or_default();
                match users.await {
                    Err(e @ crate::error::AppError::Invalid(_)) => view! {
                        <p class="card form-error" role="alert" data-test-id="search-error">{e.form_message(&[]).unwrap_or_default()}</p>
                    }.into_any(),
                    Err(e) => fail(e),
                    Ok(page) if page.items.is_empty() => view! { <p class="card muted" data-test-id="no-users">"没有找到用户。"</p> }.into_any(),
                    Ok(page) => view! {
                        <p class="muted small" data-test-id="users-found">{format!("共找到{}人", page.total)}
                            {(page.total > page.items.len() as i64).then(|| format!("，显示最新的{}人，请缩小范围", page.items.len()))}</p>
                        {page
                            .items
                            .into_iter()
                            .map(|u| view! { <UserCard saved=saved == Some(u.id) user=u units=units.clone()/> })
                            .collect_view()}
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn UserCard(user: User, units: Vec<Unit>, saved: bool) -> impl IntoView {
    use crate::api::{AdminDisableUser, AdminEnableUser};
    use leptos::server_fn::ServerFn;
    let roles = user.roles.clone();
    let has = move |r: Role| roles.contains(&r);
    let action = ServerAction::<AdminSetRoles>::new();
    let unit_id = user.unit_id;
    let unit_name = unit_id
        .and_then(|id| units.iter().find(|u| u.id == id))
        .map(|u| u.name.clone());
    let q = use_query_map()
        .read_untracked()
        .get("q")
        .or_else(|| use_query_map().read_untracked().get("phone"))
        .unwrap_or_default();
    // 市民 · 创城办审核员 · …: every role in its domain word, citizen first.
    let role_words = user
        .roles
        .iter()
        .map(|r| r.label())
        .collect::<Vec<_>>()
        .join(" · ");
    let id = user.id;
    let status_form = if user.disabled {
        view! {
            <form method="post" action=AdminEnableUser::PATH class="row">
                <input type="hidden" name="user_id" value=id/>
                <input type="hidden" name="q" value=q.clone()/>
                <button type="submit" class="btn" data-test-id="enable-user">"恢复账号"</button>
            </form>
        }
        .into_any()
    } else {
        view! {
        <details class="danger-zone">
            <summary data-test-id="disable-open">"停用账号"</summary>
            <form method="post" action=AdminDisableUser::PATH class="stack">
                <input type="hidden" name="user_id" value=id/>
                <input type="hidden" name="q" value=q.clone()/>
                <label>"停用原因（会记入操作日志）"
                    <input name="reason" required maxlength="200" placeholder="如：多次恶意举报" data-test-id="disable-reason"/></label>
                <p class="muted small">"停用后该用户无法登录，已登录的设备会立即退出。可以随时恢复。"</p>
                <button type="submit" class="btn danger" data-test-id="disable-user">"停用"</button>
            </form>
        </details>
    }.into_any()
    };
    view! {
        <section class="card user-roles" class:disabled=user.disabled data-test-id=format!("user-{id}")>
            <h2>{user.display_name.clone()} " " <small class="muted">{user.phone_masked.clone()}</small></h2>
            <p class="small">
                {role_words}
                {unit_name.map(|n| format!(" · {n}"))}
                {format!(" · {}积分", user.points_balance)}
            </p>
            {user.disabled.then(|| view! {
                <p class="badge-warn" data-test-id="disabled-note">"已停用"
                    {user.disabled_reason.clone().map(|r| format!("：{r}"))}</p>
            })}
            {saved.then(|| view! { <p class="saved" role="status" data-test-id="saved">"已保存。角色或状态改变后，该用户需要重新登录。"</p> })}
            <ActionForm action=action>
                <input type="hidden" name="user_id" value=id/>
                <input type="hidden" name="q" value=q.clone()/>
                <fieldset class="role-set">
                    <legend>"角色"</legend>
                    <label class="check"><input type="checkbox" name="moderator" checked=has(Role::Moderator)/>"创城办审核员"</label>
                    <label class="check"><input type="checkbox" name="admin" checked=has(Role::Admin)/>"管理员"</label>
                    <label class="check"><input type="checkbox" name="unit_staff" checked=has(Role::UnitStaff)/>"责任单位人员"</label>
                </fieldset>
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
            {status_form}
        </section>
    }
}

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
            })}
        </Suspense>
    }
}

/// Admins: 开放接口 — Open311 API keys for city systems (数字城管, 12345
/// hotlines) and apps. A new key is shown once; keys can be revoked.
#[component]
pub fn AdminApiKeysPage() -> impl IntoView {
    use crate::api::{AdminCreateApikey, AdminRevokeApikey, admin_apikeys};
    use leptos::server_fn::ServerFn;
    let data = Resource::new(|| (), |_| admin_apikeys());
    let error = crate::returned_error!(AdminCreateApikey, AdminRevokeApikey);
    let revoked = use_query_map().read_untracked().get("revoked");
    view! {
        <Title text="开放接口"/>
        <section class="card">
            <h1>"开放接口（Open311）"</h1>
            <p class="muted small">"数字城管、12345热线等系统按 Open311 GeoReport v2 标准读取问题、提交新问题。提交的问题和市民上报一样先进入审核。每个接入方一个密钥。"</p>
            {revoked.map(|_| view! { <p class="saved" role="status" data-test-id="saved">"密钥已停用，该接入方的提交会被拒绝。"</p> })}
            <super::FormError error=error/>
        </section>
        <Suspense fallback=|| view! { <p class="loading">"加载中…"</p> }>
            {move || Suspend::new(async move {
                let v = match data.await {
                    Ok(v) => v,
                    Err(e) => return fail(e),
                };
                view! {
                    {v.new_key.map(|k| view! {
                        <section class="card new-key" data-test-id="new-key-card">
                            <h2>"新密钥"</h2>
                            <p>"请现在复制并交给接入方。离开本页后不会再显示。"</p>
                            <p><code class="key" data-test-id="new-key">{k}</code></p>
                        </section>
                    })}
                    <section class="card">
                        <h2>"接入地址"</h2>
                        <p><code class="key" data-test-id="endpoint">{v.endpoint}</code></p>
                        <form method="post" action=AdminCreateApikey::PATH class="stack">
                            <label>"接入方名称（显示为上报人）"
                                <input name="name" required minlength="2" maxlength="20" placeholder="如：12345热线" data-test-id="apikey-name"/></label>
                            <button type="submit" class="btn primary" data-test-id="apikey-create">"签发密钥"</button>
                        </form>
                    </section>
                    <section class="card" data-test-id="apikeys">
                        <h2>"已签发的密钥"</h2>
                        {if v.keys.is_empty() {
                            view! { <p class="muted">"还没有签发密钥。"</p> }.into_any()
                        } else {
                            view! {
                                <ul class="plain">
                                    {v.keys.into_iter().map(|k| view! {
                                        <li class="apikey" data-test-id=format!("apikey-{}", k.id)>
                                            <strong>{k.name}</strong>" "<code>{format!("{}…", k.prefix)}</code>
                                            <br/><span class="muted small">{format!("{} 签发 · 已提交{}条", k.created_at.get(..10).unwrap_or(""), k.requests)}</span>
                                            {if k.revoked {
                                                view! { <span class="badge-warn">"已停用"</span> }.into_any()
                                            } else {
                                                view! {
                                                    <form method="post" action=AdminRevokeApikey::PATH class="inline">
                                                        <input type="hidden" name="id" value=k.id/>
                                                        <button type="submit" class="btn small" data-test-id="apikey-revoke">"停用"</button>
                                                    </form>
                                                }.into_any()
                                            }}
                                        </li>
                                    }).collect_view()}
                                </ul>
                            }.into_any()
                        }}
                    </section>
                }.into_any()
            })}
        </Suspense>
    }
}
