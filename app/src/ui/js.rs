//! The browser side of the islands that upload photos: thin bindings to
//! `window.zhuomu` (public/zhuomu.js), which shrinks photos, keeps an offline
//! outbox and asks for the location. Compiled for the browser only.

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = zhuomu, js_name = send)]
    fn zhuomu_send(form: &web_sys::HtmlFormElement, url: &str) -> js_sys::Promise;
    #[wasm_bindgen(js_namespace = zhuomu, js_name = get)]
    fn zhuomu_get(url: &str) -> js_sys::Promise;
    #[wasm_bindgen(js_namespace = zhuomu, js_name = locate)]
    fn zhuomu_locate() -> js_sys::Promise;
}

/// An HTTP answer; status 0 means the network failed (for `send`: the form
/// waits in the outbox).
pub struct Reply {
    pub status: u16,
    pub body: String,
}

async fn reply(p: js_sys::Promise) -> Reply {
    match JsFuture::from(p).await {
        Ok(v) => Reply {
            status: js_sys::Reflect::get(&v, &"status".into())
                .ok()
                .and_then(|s| s.as_f64())
                .unwrap_or(0.0) as u16,
            body: js_sys::Reflect::get(&v, &"body".into())
                .ok()
                .and_then(|s| s.as_string())
                .unwrap_or_default(),
        },
        Err(_) => Reply {
            status: 0,
            body: String::new(),
        },
    }
}

pub async fn send(form: &web_sys::HtmlFormElement, url: &str) -> Reply {
    reply(zhuomu_send(form, url)).await
}

pub async fn get(url: &str) -> Reply {
    reply(zhuomu_get(url)).await
}

/// (lat, lon), or the GeolocationPositionError code (1 refused, 2 not
/// available, 3 timed out).
pub async fn locate() -> Result<(f64, f64), u16> {
    match JsFuture::from(zhuomu_locate()).await {
        Ok(v) => {
            let arr = js_sys::Array::from(&v);
            match (arr.get(0).as_f64(), arr.get(1).as_f64()) {
                (Some(lat), Some(lon)) => Ok((lat, lon)),
                _ => Err(2),
            }
        }
        Err(code) => Err(code.as_f64().unwrap_or(2.0) as u16),
    }
}

pub fn go(to: &str) {
    if let Some(w) = web_sys::window() {
        let _ = w.location().assign(to);
    }
}
