//! Sending a form from an island without the server-function client: the
//! form's own fields, URL-encoded, to its own `action` (a server function
//! endpoint), asking for JSON. The same form without JavaScript is a plain
//! post. Keeping the server-function client (and the URL and query-string
//! crates it brings) out of the WASM halves the bundle.

use crate::error::AppError;

/// What came back.
pub enum Outcome {
    /// Succeeded and the server asked the browser to go somewhere.
    Redirect(String),
    /// Succeeded.
    Done,
    Failed(AppError),
}

pub async fn submit(form: web_sys::HtmlFormElement) -> Outcome {
    let action = form.action();
    match web_sys::FormData::new_with_form(&form)
        .and_then(|data| web_sys::UrlSearchParams::new_with_str_sequence_sequence(&data))
    {
        Ok(body) => post(&action, body).await,
        Err(_) => Outcome::Failed(AppError::Network),
    }
}

async fn post(url: &str, body: web_sys::UrlSearchParams) -> Outcome {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;

    async fn send(
        url: &str,
        body: web_sys::UrlSearchParams,
    ) -> Result<Outcome, wasm_bindgen::JsValue> {
        let headers = web_sys::Headers::new()?;
        headers.set("Content-Type", "application/x-www-form-urlencoded")?;
        headers.set("Accept", "application/json")?;
        let init = web_sys::RequestInit::new();
        init.set_method("POST");
        init.set_headers(&headers);
        init.set_body(&body);
        init.set_credentials(web_sys::RequestCredentials::SameOrigin);
        let window = web_sys::window().ok_or("no window")?;
        let response: web_sys::Response =
            JsFuture::from(window.fetch_with_str_and_init(url, &init))
                .await?
                .dyn_into()?;
        if response.ok() {
            let to = response.headers().get("location")?;
            return Ok(match to {
                Some(to) if response.headers().has("serverfnredirect")? => Outcome::Redirect(to),
                _ => Outcome::Done,
            });
        }
        let text = JsFuture::from(response.text()?)
            .await?
            .as_string()
            .unwrap_or_default();
        Ok(Outcome::Failed(AppError::from_response_body(
            text.as_bytes(),
        )))
    }

    send(url, body)
        .await
        .unwrap_or(Outcome::Failed(AppError::Network))
}

/// Goes to `to` with a full page load (the next page is server-rendered).
pub fn go(to: &str) {
    if let Some(w) = web_sys::window() {
        let _ = w.location().assign(to);
    }
}
