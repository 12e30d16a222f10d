//! The interactive parts. Each island is small and takes serializable props;
//! everything else on a page is plain server-rendered HTML.

use leptos::prelude::*;

use crate::domain::{DisplayName, Password, Phone};

/// A form field that checks its value with the same domain parser the server
/// uses, as soon as the person leaves the field. Without JavaScript it is a
/// plain input, and the server's answer (`error`) shows after submitting.
#[island]
pub fn LiveField(
    /// The form field name.
    name: String,
    label: String,
    /// `phone`, `new_password`, `password` or `display_name`.
    kind: String,
    /// The server's message for this field, if the last submit failed.
    error: Option<String>,
    #[prop(optional)] hint: Option<String>,
) -> impl IntoView {
    let (message, set_message) = signal(error);
    let check_kind = kind.clone();
    let check = move |v: &str| -> Option<String> {
        match check_kind.as_str() {
            "phone" => Phone::parse(v).err(),
            "new_password" => Password::parse(v).err(),
            "display_name" => DisplayName::parse(v).err(),
            _ => (v.is_empty()).then(|| "请输入密码".to_owned()),
        }
    };
    let check_on_input = check.clone();
    let (input_type, autocomplete, inputmode) = match kind.as_str() {
        "phone" => ("tel", "tel", Some("tel")),
        "new_password" => ("password", "new-password", None),
        "password" => ("password", "current-password", None),
        _ => ("text", "nickname", None),
    };
    let id = format!("f-{name}");
    let err_id = format!("{id}-err");
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <input
                id=id
                name=name.clone()
                type=input_type
                autocomplete=autocomplete
                inputmode=inputmode
                required=true
                aria-invalid=move || message.get().is_some().to_string()
                aria-describedby=err_id.clone()
                data-test-id=format!("input-{name}")
                on:blur=move |ev| set_message.set(check(&event_target_value(&ev)))
                on:input=move |ev| {
                    // Clear a message once the value is right; don't nag while typing.
                    if message.get_untracked().is_some() && check_on_input(&event_target_value(&ev)).is_none() {
                        set_message.set(None);
                    }
                }
            />
            {hint.map(|h| view! { <p class="field-hint">{h}</p> })}
            <p class="field-error" id=err_id role="alert" data-test-id=format!("error-{name}")>
                {move || message.get()}
            </p>
        </div>
    }
}
