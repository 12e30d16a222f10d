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
