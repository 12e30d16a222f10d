use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::islands::{LoginForm, RegisterForm};
use super::{ErrorNote, large_font};
use crate::api::{Login, Logout, Register, SetFont, get_me};
use crate::domain::Role;

#[component]
pub fn LoginPage() -> impl IntoView {
    // A plain form post that failed comes back with its error in the URL.
    let error = crate::returned_error!(Login);
    let next = use_query_map()
        .get_untracked()
        .get("next")
        .unwrap_or_default();
    view! {
        <Title text="登录"/>
        <section class="card form-card">
            <h1>"登录"</h1>
            <p class="muted">"用注册时的手机号和密码登录。"</p>
            <LoginForm next error/>
            <p class="switch">"还没有账号？" <a href="/register" data-test-id="to-register">"注册"</a></p>
        </section>
    }
}

#[component]
pub fn RegisterPage() -> impl IntoView {
    let error = crate::returned_error!(Register);
    view! {
        <Title text="注册"/>
        <section class="card form-card">
            <h1>"注册啄木账号"</h1>
            <p class="muted">"人人都是啄木鸟。注册后即可随手拍、报名志愿岗位、赚取啄木积分。"</p>
            <RegisterForm error/>
            <p class="switch">"已有账号？" <a href="/login" data-test-id="to-login">"登录"</a></p>
        </section>
    }
}

#[component]
pub fn MePage() -> impl IntoView {
    let me = Resource::new(|| (), |_| get_me());
    view! {
        <Title text="我的"/>
        <Suspense fallback=|| view! { <p class="loading">"加载中…"</p> }>
            {move || Suspend::new(async move {
                match me.await {
                    Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                    Ok(None) => view! { <Anonymous/> }.into_any(),
                    Ok(Some(user)) => {
                        let is_admin = user.roles.contains(&Role::Admin);
                        let is_moderator = is_admin || user.roles.contains(&Role::Moderator);
                        let is_unit = user.roles.contains(&Role::UnitStaff) && user.unit_id.is_some();
                        let roles = user.roles.iter().filter(|r| **r != Role::Citizen).map(|r| r.label()).collect::<Vec<_>>().join("、");
                        view! {
                            <section class="card profile" data-test-id="profile">
                                <div class="avatar" aria-hidden="true">{user.display_name.chars().next().map(String::from).unwrap_or_default()}</div>
                                <div>
                                    <h1 data-test-id="profile-name">{user.display_name.clone()}</h1>
                                    <p class="muted">{user.phone_masked.clone()}</p>
                                    {(!roles.is_empty()).then(|| view! { <p class="roles">{roles}</p> })}
                                </div>
                            </section>
                            <section class="card stats">
                                <a href="/points" class="stat">
                                    <strong data-test-id="profile-points">{user.points_balance}</strong>
                                    <span>"啄木积分"</span>
                                </a>
                                <div class="stat">
                                    <strong data-test-id="profile-level">{user.level_name.clone()}</strong>
                                    <span>"等级"</span>
                                </div>
                            </section>
                            <section class="card menu">
                                <a href="/me/reports" data-test-id="my-reports-link">"我的报告"</a>
                                <a href="/me/messages" data-test-id="messages-link">"消息"</a>
                                <a href="/mailbox" data-test-id="mailbox-link">"创城信箱"</a>
                            </section>
                            {(is_moderator || is_unit || is_admin).then(|| view! {
                                <section class="card menu" data-test-id="staff-menu">
                                    {is_moderator.then(|| view! { <a href="/manage/review" data-test-id="review-link">"随手拍审核"</a> })}
                                    {is_moderator.then(|| view! { <a href="/manage/verify" data-test-id="verify-link">"整改督查"</a> })}
                                    {is_moderator.then(|| view! { <a href="/manage/nominations" data-test-id="nominations-link">"好人推荐审核"</a> })}
                                    {is_moderator.then(|| view! { <a href="/manage/suggestions" data-test-id="suggestions-link">"创城信箱答复"</a> })}
                                    {is_moderator.then(|| view! { <a href="/dashboard/units" data-test-id="tongbao-menu-link">"月度通报"</a> })}
                                    {is_unit.then(|| view! { <a href="/manage/unit" data-test-id="unit-link">"本单位整改任务"</a> })}
                                    {(is_unit || is_admin).then(|| view! { <a href="/manage/fulfil" data-test-id="fulfil-link">"礼品领取核销"</a> })}
                                    {is_admin.then(|| view! { <a href="/admin/gifts" data-test-id="admin-gifts-link">"礼品管理"</a> })}
                                    {is_moderator.then(|| view! { <a href="/admin/points" data-test-id="admin-points-link">"积分调整与规则"</a> })}
                                    {is_moderator.then(|| view! { <a href="/manage/shifts" data-test-id="shifts-link">"志愿岗位出勤"</a> })}
                                    {is_admin.then(|| view! { <a href="/admin/posts" data-test-id="admin-posts-link">"志愿岗位与排班"</a> })}
                                    {is_admin.then(|| view! { <a href="/admin/campaigns" data-test-id="admin-campaigns-link">"好人评选管理"</a> })}
                                    {is_admin.then(|| view! { <a href="/admin/users" data-test-id="admin-users-link">"用户与角色管理"</a> })}
                                    {is_admin.then(|| view! { <a href="/admin/city" data-test-id="admin-city-link">"城市与区域"</a> })}
                                    {is_admin.then(|| view! { <a href="/admin/audit" data-test-id="audit-link">"操作日志"</a> })}
                                    {is_admin.then(|| view! { <a href="/admin/apikeys" data-test-id="apikeys-link">"开放接口（Open311）"</a> })}
                                </section>
                            })}
                            <FontSwitch/>
                            <section class="card">
                                <ActionForm action={ServerAction::<Logout>::new()} attr:data-test-id="logout-form">
                                    <button type="submit" class="btn block" data-test-id="logout">"退出登录"</button>
                                </ActionForm>
                            </section>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn Anonymous() -> impl IntoView {
    view! {
        <section class="card empty" data-test-id="anonymous">
            <h1>"我的"</h1>
            <p>"登录后查看积分、等级和我的随手拍。"</p>
            <div class="actions">
                <a class="btn primary" href="/login" data-test-id="go-login">"登录"</a>
                <a class="btn" href="/register" data-test-id="go-register">"注册"</a>
            </div>
        </section>
        <FontSwitch/>
    }
}

/// 适老化: a plain form, so it works without JavaScript too.
#[component]
fn FontSwitch() -> impl IntoView {
    let large = large_font();
    view! {
        <section class="card font-switch">
            <div>
                <h2>"大字模式"</h2>
                <p class="muted">{if large { "已开启：文字更大、按钮更大" } else { "为长辈放大文字和按钮" }}</p>
            </div>
            <ActionForm action={ServerAction::<SetFont>::new()} attr:data-test-id="font-form">
                <input type="hidden" name="large" value=(!large).to_string()/>
                <button type="submit" class="btn" aria-pressed=large.to_string() data-test-id="font-toggle">
                    {if large { "关闭" } else { "开启" }}
                </button>
            </ActionForm>
        </section>
    }
}
