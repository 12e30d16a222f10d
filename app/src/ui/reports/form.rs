//! The island of 随手拍: the report form (photos, category, location with a
//! map pin, the duplicate hint, sending or keeping it offline). It posts to
//! the JSON API through `window.zhuomu` (public/zhuomu.js), which shrinks
//! photos in the browser before they travel. The staff consoles' upload and
//! redaction widgets are plain markup that zhuomu.js enhances, so the WASM
//! every citizen downloads does not carry them (docs/PERFORMANCE.md).

use leptos::prelude::*;
use serde::Deserialize;

use crate::domain::map::fixed;
use crate::domain::{FieldError, GeoPoint};
use crate::ui::map::{AreaLayer, MapProps};

/// A problem+json answer, as far as the form shows it.
#[derive(Debug, Clone, Default, Deserialize)]
struct Problem {
    #[serde(default)]
    detail: String,
    #[serde(default)]
    errors: Vec<FieldError>,
}

impl Problem {
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn from_reply(status: u16, body: &str) -> Problem {
        serde_json::from_str(body).unwrap_or_else(|_| Problem {
            detail: if status == 413 {
                "照片太大了，请换一张".into()
            } else {
                "提交失败，请稍后再试".into()
            },
            errors: vec![],
        })
    }

    fn field(&self, name: &str) -> Option<String> {
        self.errors
            .iter()
            .find(|e| e.field == name)
            .map(|e| e.message.clone())
    }
}

/// An open report near the chosen place (the duplicate hint).
#[derive(Debug, Clone, Deserialize, PartialEq)]
struct Hint {
    id: i64,
    description: String,
    status_label: String,
    #[serde(default)]
    distance_m: Option<f64>,
}

/// The id of a new report.
#[derive(Deserialize)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
struct Created {
    id: i64,
}

#[derive(Clone, Copy, PartialEq)]
enum Phase {
    Editing,
    Sending,
    /// Kept on the phone; sent when the network returns.
    Queued,
}

#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
fn location_refused_message(code: u16) -> &'static str {
    match code {
        1 => "您拒绝了定位授权。请在浏览器设置中允许定位，或直接在地图上点选位置。",
        3 => "定位超时，请到开阔处重试，或直接在地图上点选位置。",
        _ => "无法获取位置，请直接在地图上点选位置。",
    }
}

/// The map a finger taps to place (or correct) the pin. Dragging the pin,
/// the "you are here" dot and choosing a place from the list are
/// `public/zhuomu.js` (`enhancePin`): they end in a tap here (a `click` at
/// the new spot), so the bundle every citizen downloads stays small.
#[component]
fn PinMap(map: MapProps, pin: RwSignal<Option<GeoPoint>>) -> impl IntoView {
    let view = map.view;
    let on_click = move |ev: leptos::ev::MouseEvent| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let Some(svg) = ev
                .current_target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            else {
                return;
            };
            let rect = svg.get_bounding_client_rect();
            if rect.width() <= 0.0 || rect.height() <= 0.0 {
                return;
            }
            let x = (ev.client_x() as f64 - rect.left()) / rect.width() * view.width;
            let y = (ev.client_y() as f64 - rect.top()) / rect.height() * view.height;
            pin.set(Some(view.lon_lat(x, y)));
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    // One element that moves (a drag keeps hold of it), out of sight until
    // it has a place.
    let at = move || {
        pin.get()
            .filter(|p| view.contains(*p))
            .map(|p| view.xy(p.lon, p.lat))
            .unwrap_or((-99.0, -99.0))
    };
    view! {
        <svg class="map pick" viewBox=view.view_box() role="img" aria-label="点击地图选择问题位置，可拖动图钉"
            on:click=on_click data-view=map.data data-test-id="pin-map">
            <rect class="map-bg" width=view.width as i64 height=view.height as i64/>
            <AreaLayer layer=map.layer/>
            <circle class="pin mine" cx=move || at().0 as i64 cy=move || at().1 as i64 r="9"/>
        </svg>
    }
}

#[island]
pub fn ReportForm(
    categories: Vec<(i64, String)>,
    map: MapProps,
    chosen: Option<i64>,
    /// `<option value="lat_e6,lon_e6">` markup of the city's segments and
    /// grids, to choose the place from a list (keyboard, screen reader).
    places: String,
) -> impl IntoView {
    let camera = NodeRef::<leptos::html::Input>::new();
    let gallery = NodeRef::<leptos::html::Input>::new();
    let previews = RwSignal::new(Vec::<String>::new());
    let pin = RwSignal::new(None::<GeoPoint>);
    let locating = RwSignal::new(false);
    let location_note = RwSignal::new(None::<String>);
    let category = RwSignal::new(chosen);
    let hints = RwSignal::new(Vec::<Hint>::new());
    let problem = RwSignal::new(None::<Problem>);
    let phase = RwSignal::new(Phase::Editing);

    // Previews of every chosen photo, from both inputs.
    let show_photos = move || {
        #[cfg(feature = "hydrate")]
        {
            for url in previews.get_untracked() {
                let _ = web_sys::Url::revoke_object_url(&url);
            }
            let mut urls = vec![];
            for input in [camera.get_untracked(), gallery.get_untracked()]
                .into_iter()
                .flatten()
            {
                if let Some(files) = input.files() {
                    for i in 0..files.length() {
                        if let Some(f) = files.get(i)
                            && let Ok(u) = web_sys::Url::create_object_url_with_blob(&f)
                        {
                            urls.push(u);
                        }
                    }
                }
            }
            previews.set(urls);
        }
    };
    let on_photos = move |_| show_photos();
    // The page wakes this island after it has loaded: until then its
    // buttons are off, and what was chosen meanwhile (a photo, the
    // category) is read from the inputs once it wakes (effects run only in
    // the browser).
    let awake = RwSignal::new(false);
    let category_input = NodeRef::<leptos::html::Select>::new();
    Effect::new(move |_| {
        awake.set(true);
        show_photos();
        if let Some(c) = category_input.get_untracked() {
            category.set(c.value().parse().ok());
        }
    });

    let locate = move |_| {
        locating.set(true);
        location_note.set(None);
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            match crate::ui::js::locate().await {
                Ok((lat, lon)) => pin.set(Some(GeoPoint { lat, lon })),
                Err(code) => location_note.set(Some(location_refused_message(code).into())),
            }
            locating.set(false);
        });
    };

    // The duplicate hint follows the category and the pin. (What the pin
    // falls in is asked by `public/zhuomu.js`, `enhancePin`.)
    Effect::new(move |_| {
        let (Some(c), Some(p)) = (category.get(), pin.get()) else {
            hints.set(vec![]);
            return;
        };
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            let url = format!(
                "/api/v1/reports/nearby?category_id={c}&lat={}&lon={}",
                fixed(p.lat, 6),
                fixed(p.lon, 6)
            );
            let r = crate::ui::js::get(&url).await;
            if r.status == 200 {
                hints.set(serde_json::from_str(&r.body).unwrap_or_default());
            }
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = (c, p);
    });

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            if phase.get_untracked() == Phase::Sending {
                return;
            }
            let Some(form) = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok())
            else {
                return;
            };
            let mut local = vec![];
            let n = previews.get_untracked().len();
            if let Err(m) = crate::domain::report::photo_count(n) {
                local.push(FieldError::new("photo", m));
            }
            if category.get_untracked().is_none() {
                local.push(FieldError::new("category_id", "请选择问题类别"));
            }
            if pin.get_untracked().is_none() {
                local.push(FieldError::new("lat", "请定位或在地图上点选位置"));
            }
            if !local.is_empty() {
                problem.set(Some(Problem {
                    detail: "还有内容没有填好".into(),
                    errors: local,
                }));
                return;
            }
            problem.set(None);
            phase.set(Phase::Sending);
            leptos::task::spawn_local(async move {
                let r = crate::ui::js::send(&form, "/api/v1/reports").await;
                match r.status {
                    201 => {
                        let id = serde_json::from_str::<Created>(&r.body).ok().map(|c| c.id);
                        crate::ui::js::go(&match id {
                            Some(id) => format!("/reports/{id}?new=1"),
                            None => "/me/reports".into(),
                        });
                    }
                    0 => {
                        form.reset();
                        previews.set(vec![]);
                        pin.set(None);
                        phase.set(Phase::Queued);
                    }
                    status => {
                        problem.set(Some(Problem::from_reply(status, &r.body)));
                        phase.set(Phase::Editing);
                    }
                }
            });
        }
    };

    let field_error = move |name: &'static str| move || problem.get().and_then(|p| p.field(name));
    let lat_value = move || pin.get().map(|p| fixed(p.lat, 6)).unwrap_or_default();
    let lon_value = move || pin.get().map(|p| fixed(p.lon, 6)).unwrap_or_default();

    view! {
        <form class="report-form" on:submit=on_submit data-test-id="report-form" novalidate=true>
            <fieldset class="field">
                <legend>"照片（1–4张）"</legend>
                <div class="photo-buttons">
                    <label class="btn">
                        "拍照"
                        <input node_ref=camera type="file" name="photo" accept="image/*" capture="environment"
                            class="sr-only" on:change=on_photos data-test-id="input-camera"/>
                    </label>
                    <label class="btn">
                        "从相册选"
                        <input node_ref=gallery type="file" name="photo" accept="image/jpeg,image/png,image/webp" multiple=true
                            class="sr-only" on:change=on_photos data-test-id="input-photos"/>
                    </label>
                </div>
                <ul class="previews" data-test-id="previews">
                    {move || previews.get().into_iter().map(|src| view! { <li><img src=src alt="待上传的照片"/></li> }).collect_view()}
                </ul>
                <p class="field-hint">"上传前会自动压缩，省流量。"</p>
                <p class="field-error" role="alert" data-test-id="error-photo">{field_error("photo")}</p>
            </fieldset>

            <div class="field">
                <label for="f-category">"问题类别"</label>
                <select id="f-category" name="category_id" data-test-id="input-category" node_ref=category_input
                    on:change=move |ev| category.set(event_target_value(&ev).parse().ok())>
                    <option value="">"请选择"</option>
                    {categories.into_iter().map(|(id, name)| view! { <option value=id selected=chosen == Some(id)>{name}</option> }).collect_view()}
                </select>
                <p class="field-error" role="alert" data-test-id="error-category_id">{field_error("category_id")}</p>
            </div>

            <fieldset class="field">
                <legend>"位置"</legend>
                <button type="button" class="btn" on:click=locate disabled=move || locating.get() || !awake.get() data-test-id="locate">
                    {move || if locating.get() { "定位中…" } else { "使用我的位置" }}
                </button>
                <p class="field-hint" data-test-id="location">
                    {move || match pin.get() {
                        Some(p) => format!("已选位置 {}, {}（可点地图调整）", fixed(p.lat, 5), fixed(p.lon, 5)),
                        None => "可以定位，也可以直接点地图选择位置。".into(),
                    }}
                </p>
                <p class="field-hint" aria-live="polite" data-place-label="" data-test-id="place"></p>
                <p class="field-error" role="alert" data-test-id="location-note">{move || location_note.get()}</p>
                <PinMap map pin/>
                <label for="f-place">"或从列表选择路段、网格"</label>
                <select id="f-place" data-place-list="" inner_html=places data-test-id="input-place"></select>
                <input type="hidden" name="lat" prop:value=lat_value/>
                <input type="hidden" name="lon" prop:value=lon_value/>
                <p class="field-error" role="alert" data-test-id="error-lat">{field_error("lat")}</p>
                <label for="f-address">"地址（选填）"</label>
                <input id="f-address" name="address" type="text" maxlength="100" placeholder="如：新华南路与雄关东路交叉口"
                    data-test-id="input-address"/>
            </fieldset>

            {move || {
                let h = hints.get();
                (!h.is_empty()).then(|| view! {
                    <section class="hint" role="status" data-test-id="duplicate-hint">
                        <h2>"附近已有人报告了这个问题"</h2>
                        <p class="muted">"点“我也看到”即可收到进展，不必重复上报。"</p>
                        <ul>
                            {h.into_iter().map(|r| view! {
                                <li>
                                    <a href=format!("/reports/{}", r.id)>{format!("#{} {}", r.id, r.description)}</a>
                                    <span class="muted">{format!(" · {} · 约{}米", r.status_label, fixed(r.distance_m.unwrap_or(0.0), 0))}</span>
                                    <span data-seen=r.id></span>
                                </li>
                            }).collect_view()}
                        </ul>
                    </section>
                })
            }}

            <div class="field">
                <label for="f-description">"问题描述"</label>
                <textarea id="f-description" name="description" rows="3" maxlength="500" required=true
                    placeholder="发生了什么？" data-test-id="input-description"></textarea>
                <p class="field-error" role="alert" data-test-id="error-description">{field_error("description")}</p>
            </div>
            <label class="check"><input type="checkbox" name="show_name" value="true" data-test-id="input-show-name"/>"公开显示我的昵称（默认不公开）"</label>

            <p class="form-error" role="alert" data-test-id="form-error">
                {move || problem.get().filter(|p| p.errors.is_empty() || p.detail != "还有内容没有填好").map(|p| p.detail)}
            </p>
            {move || (phase.get() == Phase::Queued).then(|| view! {
                <p class="saved" role="status" data-test-id="queued">"网络不通：报告已保存在手机上，联网后会自动发送。"</p>
            })}
            <button type="submit" class="btn primary block" data-test-id="report-submit"
                disabled=move || phase.get() == Phase::Sending || !awake.get()>
                {move || if phase.get() == Phase::Sending { "提交中…" } else { "提交" }}
            </button>
        </form>
    }
}
