//! The web app. Pages are server components rendered to HTML; only the
//! parts that must react in the browser are `#[island]`s (see `islands`).

mod accounts;
mod campaigns;
mod city;
mod dashboard;
mod gifts;
mod home;
mod icons;
pub mod islands;
#[cfg(feature = "hydrate")]
mod js;
pub mod map;
mod ops;
mod points;
pub mod reports;
#[cfg(feature = "hydrate")]
mod submit;
mod volunteer;

use leptos::prelude::*;
use leptos_meta::{Meta, Title, provide_meta_context};
use leptos_router::components::{A, Route, Router, Routes};
use leptos_router::hooks::use_location;
use leptos_router::path;

use crate::error::AppError;

pub fn shell(options: LeptosOptions) -> impl IntoView {
    let body_class = if large_font() { "font-large" } else { "" };
    // The stylesheet travels inside the page, so the first paint needs one
    // round trip, not two (LCP on slow 4G, docs/PERFORMANCE.md); without a
    // built site (tests) the page links it.
    let style = match page_css(&options) {
        Some(css) => view! { <style inner_html=css></style> }.into_any(),
        None => view! { <link rel="stylesheet" id="leptos" href="/pkg/zhuomu.css"/> }.into_any(),
    };
    view! {
        <!DOCTYPE html>
        <html lang="zh-CN">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover"/>
                <meta name="theme-color" content="#b3261e"/>
                {style}
                <link rel="icon" type="image/svg+xml" href="/favicon.svg"/>
                <link rel="manifest" href="/manifest.webmanifest"/>
                <script src="/zhuomu.js" defer=true></script>
                {staff_page().then(|| view! { <script src="/staff.js" defer=true></script> })}
                <IslandScripts options/>
                <leptos_meta::MetaTags/>
            </head>
            <body class=body_class>
                <App/>
            </body>
        </html>
    }
}

/// The built stylesheet (`site/pkg/<name>.css`, minified by the build), read
/// once per process in a release build and at every page in development.
/// `None` without a built site, or if the text could end the `<style>`.
fn page_css(options: &LeptosOptions) -> Option<std::sync::Arc<str>> {
    #[cfg(feature = "ssr")]
    {
        use std::sync::{Arc, OnceLock};
        let read = || {
            let path = format!(
                "{}/{}/{}.css",
                options.site_root, options.site_pkg_dir, options.output_name
            );
            std::fs::read_to_string(path)
                .ok()
                .filter(|css| !css.contains("</"))
                .map(Arc::<str>::from)
        };
        if options.env != leptos::config::Env::PROD {
            return read();
        }
        static CSS: OnceLock<Option<Arc<str>>> = OnceLock::new();
        CSS.get_or_init(read).clone()
    }
    #[cfg(not(feature = "ssr"))]
    {
        let _ = options;
        None
    }
}

/// Wakes the islands, as leptos' `HydrationScripts` does, but only once
/// the page has loaded (or after 3 s, should a map tile hold the load
/// event): the WASM (~140 KB) then does not share a slow
/// link with what the first screen needs (its preload did, and held LCP
/// near 2 s on slow 4G). The JS glue is still hinted, at low priority. The
/// walk is leptos 0.8's: each `<leptos-island>` in document order gets its
/// `_island_` function, after the children callback of the nearest
/// `<leptos-children>` around it. Then `<html data-awake>` says so (the
/// browser tests wait for it).
#[component]
fn IslandScripts(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(sc) = Owner::current_shared_context() {
        sc.set_is_hydrating(false);
    }
    let nonce = leptos::nonce::use_nonce();
    let pkg = format!("/{}/{}", options.site_pkg_dir, options.output_name);
    let script = format!(
        "((js, wasm) => {{\
const parents = [];\
const wake = async (el, mod) => {{\
const f = mod[el.dataset.component];\
if (!f) return console.warn('no island function', el.dataset.component);\
const cb = parents[parents.length - 1]; if (cb) cb();\
const r = f(el); if (r && r.then) await r;\
}};\
const walk = async (node, mod) => {{\
const tag = node.tagName.toLowerCase();\
if (tag === 'leptos-island') await wake(node, mod);\
const kids = tag === 'leptos-children';\
if (kids) parents.push(node.$$on_hydrate);\
for (const c of node.children) await walk(c, mod);\
if (kids) parents.pop();\
}};\
const start = () => import(js).then(mod => mod.default({{ module_or_path: wasm }}).then(async () => {{ mod.hydrate(); await walk(document.body, mod); document.documentElement.setAttribute('data-awake', ''); }}));\
let started = false;\
const idle = () => {{ if (started) return; started = true; 'requestIdleCallback' in window ? requestIdleCallback(start) : start(); }};\
if (document.readyState === 'complete') idle(); else {{ addEventListener('load', idle, {{ once: true }}); setTimeout(idle, 3000); }}\
}})({js:?}, {wasm:?});",
        js = format!("{pkg}.js"),
        // Named as leptos names it: `_bg` unless the build named the output.
        wasm = if option_env!("LEPTOS_OUTPUT_NAME").is_some() {
            format!("{pkg}.wasm")
        } else {
            format!("{pkg}_bg.wasm")
        },
    );
    view! {
        <link rel="modulepreload" href=format!("{pkg}.js") crossorigin=nonce.clone() fetchpriority="low"/>
        <script type="module" nonce=nonce>{script}</script>
    }
}

/// The staff consoles (`/admin/…`, `/manage/…`) load `public/staff.js` too;
/// a citizen's page does not.
fn staff_page() -> bool {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>().is_some_and(|p| {
            let path = p.uri.path();
            path.starts_with("/admin/") || path.starts_with("/manage/")
        })
    }
    #[cfg(not(feature = "ssr"))]
    {
        false
    }
}

/// Large-font mode (适老化) is a cookie, read while rendering on the server.
pub fn large_font() -> bool {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .and_then(|p| crate::backend::auth::cookie_value(&p.headers, crate::api::FONT_COOKIE))
            .is_some_and(|v| v == "large")
    }
    #[cfg(not(feature = "ssr"))]
    {
        false
    }
}

/// Sets the HTTP status of the page being rendered (404, 403, …).
pub fn set_status(code: u16) {
    #[cfg(feature = "ssr")]
    if let (Some(opts), Ok(status)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::StatusCode::from_u16(code),
    ) {
        opts.set_status(status);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = code;
}

/// Every page's `<title>`. leptos_meta writes the text into the head as it
/// is, and titles carry what citizens typed (nominee names, post names), so
/// it is escaped here, once for all pages.
fn page_title(t: String) -> String {
    let t = if t.is_empty() {
        "啄木 · 文明嘉峪关".to_owned()
    } else {
        format!("{t} · 啄木")
    };
    html_escape::encode_text(&t).into_owned()
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title formatter=page_title/>
        <Meta name="description" content="嘉峪关文明城市创建市民平台：随手拍、志愿服务、啄木积分、雄关好人"/>
        <Router>
            <a class="skip" href="#main">"跳到正文"</a>
            <header class="topbar">
                <a href="/" class="brand">
                    <span class="brand-mark" aria-hidden="true">"啄"</span>
                    <span class="brand-text">"啄木 · 文明嘉峪关"</span>
                </a>
            </header>
            <main id="main" class="page">
                <Routes fallback=|| view! { <NotFound/> }>
                    <Route path=path!("/") view=home::HomePage/>
                    <Route path=path!("/report") view=reports::ReportPage/>
                    <Route path=path!("/reports") view=reports::ReportsPage/>
                    <Route path=path!("/reports/:id") view=reports::ReportDetailPage/>
                    <Route path=path!("/me/reports") view=reports::MyReportsPage/>
                    <Route path=path!("/me/messages") view=reports::MessagesPage/>
                    <Route path=path!("/manage/review") view=reports::manage::ReviewPage/>
                    <Route path=path!("/manage/verify") view=reports::manage::VerifyPage/>
                    <Route path=path!("/manage/unit") view=reports::manage::UnitPage/>
                    <Route path=path!("/volunteer") view=volunteer::VolunteerPage/>
                    <Route path=path!("/volunteer/posts/:id") view=volunteer::PostPage/>
                    <Route path=path!("/volunteer/stars") view=volunteer::StarsPage/>
                    <Route path=path!("/manage/shifts") view=volunteer::staff::ShiftsDayPage/>
                    <Route path=path!("/manage/shifts/:id") view=volunteer::staff::AttendancePage/>
                    <Route path=path!("/admin/posts") view=volunteer::staff::AdminPostsPage/>
                    <Route path=path!("/admin/posts/:id") view=volunteer::staff::AdminPostPage/>
                    <Route path=path!("/campaigns") view=campaigns::CampaignsPage/>
                    <Route path=path!("/campaigns/:id") view=campaigns::CampaignPage/>
                    <Route path=path!("/campaigns/:id/nominate") view=campaigns::NominatePage/>
                    <Route path=path!("/campaigns/:id/results") view=campaigns::ResultsPage/>
                    <Route path=path!("/nominations/:id") view=campaigns::NominationPage/>
                    <Route path=path!("/honors") view=campaigns::HonorsPage/>
                    <Route path=path!("/manage/nominations") view=campaigns::NominationQueuePage/>
                    <Route path=path!("/admin/campaigns") view=campaigns::AdminCampaignsPage/>
                    <Route path=path!("/dashboard") view=dashboard::DashboardPage/>
                    <Route path=path!("/dashboard/units") view=dashboard::TongbaoPage/>
                    <Route path=path!("/mailbox") view=ops::MailboxPage/>
                    <Route path=path!("/manage/suggestions") view=ops::SuggestionInboxPage/>
                    <Route path=path!("/admin/audit") view=ops::AuditPage/>
                    <Route path=path!("/points") view=points::PointsPage/>
                    <Route path=path!("/gifts") view=gifts::ShopPage/>
                    <Route path=path!("/me/redemptions") view=gifts::RedemptionsPage/>
                    <Route path=path!("/manage/fulfil") view=gifts::FulfilPage/>
                    <Route path=path!("/admin/gifts") view=gifts::AdminGiftsPage/>
                    <Route path=path!("/admin/points") view=points::AdminPointsPage/>
                    <Route path=path!("/me") view=accounts::MePage/>
                    <Route path=path!("/login") view=accounts::LoginPage/>
                    <Route path=path!("/register") view=accounts::RegisterPage/>
                    <Route path=path!("/privacy") view=accounts::PrivacyPage/>
                    <Route path=path!("/me/privacy") view=accounts::MePrivacyPage/>
                    <Route path=path!("/reset") view=accounts::ResetPage/>
                    <Route path=path!("/admin/users") view=accounts::AdminUsersPage/>
                    <Route path=path!("/admin/city") view=city::AdminCityPage/>
                    <Route path=path!("/admin/apikeys") view=accounts::AdminApiKeysPage/>
                </Routes>
            </main>
            <PortalFooter/>
            <TabBar/>
        </Router>
    }
}

/// Who runs the portal, on every page: 主办单位, the hotline to call, the
/// ICP filing number linked to the national registry (what a Chinese public
/// website must show), and the privacy policy. Parts the city has not set
/// are left out.
#[component]
fn PortalFooter() -> impl IntoView {
    let profile = Resource::new(|| (), |_| crate::api::get_portal());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let p = profile.await.unwrap_or_default();
                let tel = p.hotline.replace(' ', "");
                view! {
                    <footer class="site-footer" data-test-id="portal-footer">
                        {(!p.office.is_empty()).then(|| view! { <p>"主办单位："{p.office.clone()}</p> })}
                        {(!p.hotline.is_empty()).then(|| view! {
                            <p>"服务热线："<a href=format!("tel:{tel}") data-test-id="portal-hotline-link">{p.hotline.clone()}</a></p>
                        })}
                        <p>
                            {(!p.filing.is_empty()).then(|| view! {
                                <a href="https://beian.miit.gov.cn/" rel="noopener">{p.filing.clone()}</a>" · "
                            })}
                            <a href="/privacy">"隐私政策"</a>
                        </p>
                    </footer>
                }
            })}
        </Suspense>
    }
}

/// (path, label, test id, icon) of one tab.
type Tab = (&'static str, &'static str, &'static str, fn() -> AnyView);

/// The staff consoles' own tabs: 审核 · 督查 · 出勤 · 信箱 for moderators,
/// 任务 · 核销 for unit staff (each page still checks who may use it).
fn staff_tabs(path: &str) -> Option<Vec<Tab>> {
    if !path.starts_with("/manage/") {
        return None;
    }
    let me: Tab = ("/me", "我的", "tab-me", || icons::person().into_any());
    Some(
        if path.starts_with("/manage/unit") || path.starts_with("/manage/fulfil") {
            vec![
                ("/manage/unit", "任务", "tab-unit", || {
                    icons::list().into_any()
                }),
                ("/manage/fulfil", "核销", "tab-fulfil", || {
                    icons::check().into_any()
                }),
                me,
            ]
        } else {
            vec![
                ("/manage/review", "审核", "tab-review", || {
                    icons::list().into_any()
                }),
                ("/manage/verify", "督查", "tab-verify", || {
                    icons::check().into_any()
                }),
                ("/manage/shifts", "出勤", "tab-shifts", || {
                    icons::clock().into_any()
                }),
                ("/manage/suggestions", "信箱", "tab-mailbox", || {
                    icons::mail().into_any()
                }),
                me,
            ]
        },
    )
}

#[component]
fn TabBar() -> impl IntoView {
    let location = use_location();
    let path = location.pathname.get_untracked();
    let staff = staff_tabs(&path);
    let label = if staff.is_some() {
        "工作台导航"
    } else {
        "主导航"
    };
    let tabs: Vec<Tab> = staff.unwrap_or_else(|| {
        vec![
            ("/", "首页", "tab-home", || icons::home().into_any()),
            ("/report", "随手拍", "tab-report", || {
                icons::camera().into_any()
            }),
            ("/volunteer", "志愿", "tab-volunteer", || {
                icons::heart().into_any()
            }),
            ("/points", "积分", "tab-points", || {
                icons::coin().into_any()
            }),
            ("/me", "我的", "tab-me", || icons::person().into_any()),
        ]
    });
    view! {
        <nav class="tabbar" aria-label=label>
            {tabs
                .into_iter()
                .map(|(href, label, id, icon)| {
                    let active = if href == "/" { path == "/" } else { path.starts_with(href) };
                    view! {
                        <A href=href attr:class=if active { "tab active" } else { "tab" }
                            attr:aria-current=active.then_some("page") attr:data-test-id=id>
                            {icon()}
                            <span>{label}</span>
                        </A>
                    }
                })
                .collect_view()}
        </nav>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    set_status(404);
    view! {
        <Title text="页面不存在"/>
        <section class="card empty" data-test-id="not-found">
            <h1>"页面不存在"</h1>
            <p>"您要找的页面不存在或已被移除。"</p>
            <a class="btn primary" href="/">"回到首页"</a>
        </section>
    }
}

/// The error a plain form post (no JavaScript) came back with, from the
/// first of the given server functions that has one in the URL.
#[macro_export]
macro_rules! returned_error {
    ($($action:ty),+ $(,)?) => {
        None$(.or_else(|| {
            leptos::prelude::ServerAction::<$action>::new()
                .value()
                .get_untracked()
                .and_then(Result::err)
        }))+
    };
}

/// A refused form's answer in words: the field messages when it names
/// fields (a plain form has no field to show them beside), else the error.
#[component]
pub fn FormError(error: Option<AppError>) -> impl IntoView {
    error.map(|e| {
        let text = e.form_message(&[]).unwrap_or_else(|| e.to_string());
        view! { <p class="form-error" role="alert" data-test-id="form-error">{text}</p> }
    })
}

/// The one loading/error wrapper of the pages: "加载中…" while `data`
/// loads, the error (`fail`) when it failed, else `render` of what came.
#[component]
pub fn Loaded<T, R>(data: Resource<Result<T, AppError>>, render: R) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    R: Fn(T) -> AnyView + Clone + Send + Sync + 'static,
{
    view! {
        <Suspense fallback=|| view! { <p class="loading">"加载中…"</p> }>
            {move || {
                let render = render.clone();
                Suspend::new(async move {
                    match data.await {
                        Ok(v) => render(v),
                        Err(e) => fail(e),
                    }
                })
            }}
        </Suspense>
    }
}

/// A page that could not load: the error in words, with its HTTP status
/// when it is one a person should see (not signed in, not allowed, gone).
pub fn fail(e: AppError) -> AnyView {
    if matches!(
        e,
        AppError::NotFound | AppError::Forbidden | AppError::Unauthenticated
    ) {
        set_status(e.status());
    }
    view! { <ErrorNote error=e/> }.into_any()
}

/// The one error view of the app: a failed load shows what went wrong in
/// words a citizen understands, never internals.
#[component]
pub fn ErrorNote(error: AppError) -> impl IntoView {
    view! {
        <section class="card error" role="alert" data-test-id="error">
            // Bad input names what to fix (e.g. a date in the address).
            <p>{error.form_message(&[]).unwrap_or_else(|| error.to_string())}</p>
        </section>
    }
}

/// Previous / next links for a paged list. `href` is the page's address
/// with its query so far (ending in `?` or `&`); `page=N` is appended.
#[component]
pub fn Pager(href: String, page: i64, per_page: i64, total: i64) -> impl IntoView {
    let pages = ((total + per_page - 1) / per_page.max(1)).max(1);
    (pages > 1).then(|| {
        view! {
            <nav class="pager" aria-label="翻页">
                {(page > 1).then(|| view! { <a href=format!("{href}page={}", page - 1) data-test-id="prev-page">"← 上一页"</a> })}
                <span class="muted">{format!("第{page}/{pages}页")}</span>
                {(page < pages).then(|| view! { <a href=format!("{href}page={}", page + 1) data-test-id="next-page">"下一页 →"</a> })}
            </nav>
        }
    })
}
