//! 我的 and signing in (login, register, the large-font switch), and the
//! admins' consoles for people and roles (用户与角色) and Open311 keys
//! (开放接口).

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::islands::{CodeLoginForm, CodeRow, DefaultSubmit, LoginForm, RegisterForm, ResetForm};
use super::{FormError, Loaded, fail, large_font};
use crate::api::{
    AdminSetRoles, Login, Logout, Register, ResetPassword, SendCode, SetFont, admin_users, get_me,
    get_units, privacy_policy,
};

/// `?phone=` and `?sent=` of a page a code was asked for from (a plain form
/// post comes back with them).
fn code_query() -> (String, Option<String>) {
    let q = use_query_map().get_untracked();
    let phone = q
        .get("phone")
        .and_then(|p| crate::domain::Phone::parse(&p).ok());
    let note = phone
        .as_ref()
        .filter(|_| q.get("sent").is_some())
        .map(|p| format!("验证码已发送至{}，5分钟内有效", p.masked()));
    (
        phone.map(|p| p.as_str().to_owned()).unwrap_or_default(),
        note,
    )
}
use crate::domain::Role;
use crate::models::{Unit, User};

#[component]
pub fn LoginPage() -> impl IntoView {
    // A plain form post that failed comes back with its error in the URL.
    let error = crate::returned_error!(Login, SendCode);
    let q = use_query_map().get_untracked();
    let next = q.get("next").unwrap_or_default();
    let by_code = q.get("by").as_deref() == Some("code");
    let reset = q.get("reset").is_some();
    let (phone, note) = code_query();
    let (password_tab, code_tab) = if by_code {
        ("tab", "tab on")
    } else {
        ("tab on", "tab")
    };
    view! {
        <Title text="登录"/>
        <section class="card form-card">
            <h1>"登录"</h1>
            {reset.then(|| view! { <p class="saved" role="status" data-test-id="reset-done">"密码已重置，请用新密码登录。"</p> })}
            <nav class="tabs" aria-label="登录方式">
                <a class=password_tab href="/login" aria-current=(!by_code).then_some("page") data-test-id="login-by-password">"密码登录"</a>
                <a class=code_tab href="/login?by=code" aria-current=by_code.then_some("page") data-test-id="login-by-code">"验证码登录"</a>
            </nav>
            {if by_code {
                view! { <CodeLoginForm next error phone note/> }.into_any()
            } else {
                view! { <LoginForm next error/> }.into_any()
            }}
            <p class="switch">
                <a href="/reset" data-test-id="to-reset">"忘记密码"</a>" · 还没有账号？"
                <a href="/register" data-test-id="to-register">"注册"</a>
            </p>
        </section>
    }
}

#[component]
pub fn RegisterPage() -> impl IntoView {
    let error = crate::returned_error!(Register, SendCode);
    let (phone, note) = code_query();
    #[cfg(feature = "ssr")]
    let without_code =
        use_context::<crate::backend::AppState>().is_some_and(|s| !s.config.verify_phones);
    #[cfg(not(feature = "ssr"))]
    let without_code = false;
    view! {
        <Title text="注册"/>
        <section class="card form-card">
            <h1>"注册啄木账号"</h1>
            <p class="muted">"人人都是啄木鸟。注册后即可随手拍、报名志愿岗位、赚取啄木积分。"</p>
            <RegisterForm error=error.clone() phone>
                {(!without_code).then(|| view! { <CodeRow purpose="register" error=error.clone() note=note.clone()/> })}
            </RegisterForm>
            <p class="switch">"已有账号？" <a href="/login" data-test-id="to-login">"登录"</a></p>
        </section>
    }
}

/// 忘记密码: a code to the number, then a new password.
#[component]
pub fn ResetPage() -> impl IntoView {
    let error = crate::returned_error!(ResetPassword, SendCode);
    let (phone, note) = code_query();
    view! {
        <Title text="忘记密码"/>
        <section class="card form-card">
            <h1>"忘记密码"</h1>
            <p class="muted">"向注册的手机号发送验证码，设置新密码。之前登录的设备都会退出。"</p>
            <ResetForm error phone note/>
            <p class="switch"><a href="/login">"返回登录"</a></p>
        </section>
    }
}

/// 隐私政策: the city's policy, its version and date.
#[component]
pub fn PrivacyPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| privacy_policy());
    view! {
        <Title text="隐私政策"/>
        <Loaded data render=|p| view! {
            <article class="card policy" data-test-id="privacy-policy">
                <p class="muted small" data-test-id="privacy-version">
                    {format!("版本 {} · 更新于 {}", p.version, p.updated_at)}
                </p>
                <div inner_html=p.html></div>
            </article>
        }.into_any()/>
    }
}

#[component]
pub fn MePage() -> impl IntoView {
    let me = Resource::new(|| (), |_| get_me());
    view! {
        <Title text="我的"/>
        <Loaded data=me render=move |v| match v {
                    None => view! { <Anonymous/> }.into_any(),
                    Some(user) => {
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
                                <a href="/me/privacy" data-test-id="privacy-settings-link">"隐私与账号"</a>
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
        }/>
    }
}

/// 隐私与账号: the public name, the password, my data (download), and
/// deleting the account. Plain forms; they work without JavaScript.
#[component]
pub fn MePrivacyPage() -> impl IntoView {
    use crate::api::{ChangePassword, DeleteAccount, UpdateProfile};
    let me = Resource::new(|| (), |_| get_me());
    let q = use_query_map().get_untracked();
    let saved = q.get("saved");
    let code_sent = q.get("sent").as_deref() == Some("delete");
    let profile_error = crate::returned_error!(UpdateProfile);
    let password_error = crate::returned_error!(ChangePassword);
    let delete_error = crate::returned_error!(DeleteAccount, SendCode);
    view! {
        <Title text="隐私与账号"/>
        <Loaded data=me render=move |v| {
            let Some(user) = v else { return view! { <Anonymous/> }.into_any() };
            let saved = saved.clone();
            let (profile_error, password_error, delete_error) =
                (profile_error.clone(), password_error.clone(), delete_error.clone());
            view! {
                <section class="card">
                    <h1>"隐私与账号"</h1>
                    <p class="muted">
                        "您的报告默认不公开昵称，排行榜上显示为“"
                        {crate::domain::identity::public_name(&user.display_name, false)}
                        "”。" <a href="/privacy" data-test-id="privacy-link">"隐私政策"</a>
                        {user.privacy_version.clone().map(|v| format!("（您同意的版本：{v}）"))}
                    </p>
                </section>
                <section class="card">
                    <h2>"昵称与公开"</h2>
                    {(saved.as_deref() == Some("profile")).then(|| view! { <p class="saved" role="status" data-test-id="profile-saved">"已保存"</p> })}
                    <FormError error=profile_error/>
                    <ActionForm action={ServerAction::<UpdateProfile>::new()} attr:class="stack" attr:data-test-id="profile-form">
                        <label for="f-display_name">"昵称"</label>
                        <input id="f-display_name" name="display_name" value=user.display_name.clone() maxlength="20" required=true data-test-id="input-display_name"/>
                        <label class="check">
                            <input type="checkbox" name="show_name" value="on" checked=user.show_name data-test-id="input-show-name"/>
                            "在积分榜和志愿之星上显示我的昵称"
                        </label>
                        <button type="submit" class="btn" data-test-id="profile-submit">"保存"</button>
                    </ActionForm>
                </section>
                <section class="card">
                    <h2>"修改密码"</h2>
                    {(saved.as_deref() == Some("password")).then(|| view! { <p class="saved" role="status" data-test-id="password-saved">"密码已修改，其他设备已退出登录"</p> })}
                    <FormError error=password_error/>
                    <ActionForm action={ServerAction::<ChangePassword>::new()} attr:class="stack" attr:data-test-id="password-form">
                        <label for="f-old_password">"原密码"</label>
                        <input id="f-old_password" name="old_password" type="password" autocomplete="current-password" required=true data-test-id="input-old_password"/>
                        <label for="f-new_password">"新密码"</label>
                        <input id="f-new_password" name="new_password" type="password" autocomplete="new-password" required=true data-test-id="input-new_password"/>
                        <p class="field-hint">"至少8个字符，不要用常见密码"</p>
                        <button type="submit" class="btn" data-test-id="password-submit">"修改密码"</button>
                    </ActionForm>
                    <p class="switch"><a href="/reset">"忘记原密码？用短信验证码重置"</a></p>
                </section>
                <section class="card">
                    <h2>"我的数据"</h2>
                    <p class="muted">"下载平台保存的关于您的全部信息：账号、同意记录、报告和照片链接、积分流水、志愿时长、兑换、推荐、投票、建议和消息（JSON 文件）。"</p>
                    <a class="btn" href="/api/v1/me/export" download="zhuomu-my-data.json" data-test-id="export-link">"下载我的数据"</a>
                </section>
                <section class="card" data-test-id="delete-section">
                    <h2>"注销账号"</h2>
                    <p class="muted">
                        "注销立即生效，不能恢复：手机号和昵称被删除，所有设备退出登录，待领取的礼品取消（库存退回），未开始的志愿班次取消。"
                        "已提交的报告、投票和积分流水为公共记录保留，但不再与任何人关联。该手机号以后可以重新注册。"
                    </p>
                    <FormError error=delete_error/>
                    <ActionForm action={ServerAction::<DeleteAccount>::new()} attr:class="stack" attr:data-test-id="delete-form">
                        <DefaultSubmit/>
                        <label for="f-delete-password">"输入密码确认"</label>
                        <input id="f-delete-password" name="password" type="password" autocomplete="current-password" data-test-id="input-delete-password"/>
                        <p class="field-hint">"忘记密码？也可以用发到" {user.phone_masked.clone()} "的短信验证码："</p>
                        <div class="code-row">
                            <div class="field">
                                <label for="f-delete-code">"短信验证码"</label>
                                <input id="f-delete-code" name="sms_code" inputmode="numeric" autocomplete="one-time-code" maxlength="6" data-test-id="input-delete-code"/>
                            </div>
                            <button type="submit" class="btn code" formaction=SendCode::PATH formnovalidate=true
                                name="purpose" value="delete" data-test-id="send-delete-code">"获取验证码"</button>
                        </div>
                        {code_sent.then(|| view! { <p class="field-hint" role="status" data-test-id="delete-code-sent">{format!("验证码已发送至{}，5分钟内有效", user.phone_masked)}</p> })}
                        <button type="submit" class="btn danger block" data-test-id="delete-submit">"注销账号"</button>
                    </ActionForm>
                </section>
            }.into_any()
        }/>
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
pub fn FontSwitch() -> impl IntoView {
    let large = large_font();
    view! {
        <section class="card font-switch">
            <div>
                <h2>"长辈版"</h2>
                <p class="muted">{if large { "已开启：大字、大按钮、简洁首页" } else { "为长辈放大文字和按钮，首页只留常用功能" }}</p>
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
        <Loaded data=data render=move |v| {
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
        }/>
    }
}
