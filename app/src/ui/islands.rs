//! The interactive parts. Each island is small and takes serializable props;
//! everything else on a page is plain server-rendered HTML.
//!
//! Login and register are islands so that, with JavaScript, a refused submit
//! keeps what the person typed and shows the server's answer beside the field
//! without a reload (`submit.rs` sends it). Without JavaScript the same markup
//! is a plain form post: the server redirects back with the error, and the
//! page passes it in as the `error` prop.

use leptos::prelude::*;

use leptos::server_fn::ServerFn;

use crate::api::{Login, Register, ResetPassword, SendCode};
use crate::domain::{DisplayName, Password, Phone};
use crate::error::AppError;

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Phone,
    NewPassword,
    Password,
    DisplayName,
}

impl Kind {
    fn check(self, v: &str) -> Option<String> {
        match self {
            Kind::Phone => Phone::parse(v).err(),
            Kind::NewPassword => Password::parse(v).err(),
            Kind::DisplayName => DisplayName::parse(v).err(),
            Kind::Password => v.is_empty().then(|| "请输入密码".to_owned()),
        }
    }

    fn input(self) -> (&'static str, &'static str, Option<&'static str>) {
        match self {
            Kind::Phone => ("tel", "tel", Some("tel")),
            Kind::NewPassword => ("password", "new-password", None),
            Kind::Password => ("password", "current-password", None),
            Kind::DisplayName => ("text", "nickname", None),
        }
    }
}

/// One input with its label, hint and message. The message is the field's own
/// check (run with the server's parser when the field is left) or, until the
/// field is edited, the server's answer to the last submit.
#[component]
fn Field(
    name: &'static str,
    label: &'static str,
    kind: Kind,
    server: Signal<Option<String>>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional)] value: Option<String>,
) -> impl IntoView {
    let (local, set_local) = signal(None::<String>);
    let (edited, set_edited) = signal(false);
    // A new server answer is shown again even if the field was edited before.
    Effect::new(move |_| {
        server.track();
        set_edited.set(false);
    });
    let message = move || {
        local
            .get()
            .or_else(|| if edited.get() { None } else { server.get() })
    };
    let (input_type, autocomplete, inputmode) = kind.input();
    let id = format!("f-{name}");
    let err_id = format!("{id}-err");
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <input
                id=id
                name=name
                type=input_type
                autocomplete=autocomplete
                inputmode=inputmode
                value=value
                required=true
                aria-invalid=move || message().is_some().to_string()
                aria-describedby=err_id.clone()
                data-test-id=format!("input-{name}")
                on:blur=move |ev| set_local.set(kind.check(&event_target_value(&ev)))
                on:input=move |ev| {
                    set_edited.set(true);
                    // Clear a message once the value is right; don't nag while typing.
                    if local.get_untracked().is_some() && kind.check(&event_target_value(&ev)).is_none() {
                        set_local.set(None);
                    }
                }
            />
            {hint.map(|h| view! { <p class="field-hint">{h}</p> })}
            <p class="field-error" id=err_id role="alert" data-test-id=format!("error-{name}")>
                {message}
            </p>
        </div>
    }
}

fn field_signal(error: RwSignal<Option<AppError>>, field: &'static str) -> Signal<Option<String>> {
    Signal::derive(move || error.get().and_then(|e| e.field_message(field)))
}

/// A form that posts to the server function at `action`: by `fetch` when
/// this island is hydrated, as a plain post when it is not.
#[component]
fn EnhancedForm(
    action: &'static str,
    test_id: &'static str,
    error: RwSignal<Option<AppError>>,
    pending: RwSignal<bool>,
    children: Children,
) -> impl IntoView {
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            ev.prevent_default();
            let Some(form) = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok())
            else {
                return;
            };
            if pending.get_untracked() {
                return;
            }
            pending.set(true);
            leptos::task::spawn_local(async move {
                match super::submit::submit(form).await {
                    super::submit::Outcome::Redirect(to) => super::submit::go(&to),
                    super::submit::Outcome::Done => pending.set(false),
                    super::submit::Outcome::Failed(e) => {
                        error.set(Some(e));
                        pending.set(false);
                    }
                }
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, error, pending);
    };
    view! {
        <form method="post" action=action on:submit=on_submit data-test-id=test_id novalidate=true>
            {children()}
        </form>
    }
}

/// Enter in a field submits the form by its first submit button: this
/// invisible one, so that it is the form's own action and never 获取验证码.
#[component]
pub fn DefaultSubmit() -> impl IntoView {
    view! { <button type="submit" class="default-submit" tabindex="-1" aria-hidden="true"></button> }
}

/// The code and its 获取验证码 button. Server-rendered, also inside the
/// register island (as its children), so it adds nothing to the WASM.
/// Without JavaScript the button posts the form to `SendCode` (the page
/// comes back with the number and `sent=`, and `note` says where the code
/// went); with it, `public/zhuomu.js` sends only the number and counts the
/// button down.
#[component]
pub fn CodeRow(
    purpose: &'static str,
    error: Option<AppError>,
    note: Option<String>,
) -> impl IntoView {
    let message = error.and_then(|e| e.field_message("sms_code"));
    view! {
        <DefaultSubmit/>
        <div class="code-row">
            <div class="field">
                <label for="f-sms_code">"短信验证码"</label>
                <input id="f-sms_code" name="sms_code" type="text" autocomplete="one-time-code" inputmode="numeric"
                    maxlength="6" required=true aria-invalid=message.is_some().to_string()
                    aria-describedby="f-sms_code-err" data-test-id="input-sms_code"/>
                <p class="field-error" id="f-sms_code-err" role="alert" data-test-id="error-sms_code">{message}</p>
            </div>
            <button type="submit" class="btn code" formaction=SendCode::PATH formnovalidate=true
                name="purpose" value=purpose data-code=purpose data-test-id="send-code">
                "获取验证码"
            </button>
        </div>
        <p class="field-hint" role="status" data-test-id="code-sent">{note}</p>
    }
}

/// The number and [`CodeRow`], for the server-rendered forms.
#[component]
fn CodeFields(
    purpose: &'static str,
    error: RwSignal<Option<AppError>>,
    phone: String,
    note: Option<String>,
) -> impl IntoView {
    view! {
        <Field name="phone" label="手机号" kind=Kind::Phone server=field_signal(error, "phone") value=phone/>
        <CodeRow purpose error=error.get_untracked() note/>
    }
}

/// 密码登录: an island, so a refused password is answered in place.
#[island]
pub fn LoginForm(next: String, error: Option<AppError>) -> impl IntoView {
    let error = RwSignal::new(error);
    let pending = RwSignal::new(false);
    let general = move || {
        error
            .get()
            .and_then(|e| e.form_message(&["phone", "password"]))
    };
    view! {
        <EnhancedForm action=Login::PATH test_id="login-form" error pending>
            <input type="hidden" name="next" value=next/>
            <Field name="phone" label="手机号" kind=Kind::Phone server=field_signal(error, "phone")/>
            <Field name="password" label="密码" kind=Kind::Password server=field_signal(error, "password")/>
            <p class="form-error" role="alert" data-test-id="form-error">{general}</p>
            <button type="submit" class="btn primary block" data-test-id="login-submit" disabled=move || pending.get()>
                {move || if pending.get() { "登录中…" } else { "登录" }}
            </button>
        </EnhancedForm>
    }
}

/// 验证码登录: a server component (a plain form; `zhuomu.js` enhances its
/// code button), so it adds nothing to the WASM.
#[component]
pub fn CodeLoginForm(
    next: String,
    error: Option<AppError>,
    phone: String,
    note: Option<String>,
) -> impl IntoView {
    let error = RwSignal::new(error);
    let pending = RwSignal::new(false);
    view! {
        <LoginFields next error pending>
            <CodeFields purpose="login" error phone note/>
        </LoginFields>
    }
}

/// The code-login form around its fields: where it goes next, the general
/// message, the button (the password form spells this out in its island).
#[component]
fn LoginFields(
    next: String,
    error: RwSignal<Option<AppError>>,
    pending: RwSignal<bool>,
    children: Children,
) -> impl IntoView {
    let general = move || {
        error
            .get()
            .and_then(|e| e.form_message(&["phone", "password", "sms_code"]))
    };
    view! {
        <EnhancedForm action=Login::PATH test_id="login-form" error pending>
            <input type="hidden" name="next" value=next/>
            {children()}
            <p class="form-error" role="alert" data-test-id="form-error">{general}</p>
            <button type="submit" class="btn primary block" data-test-id="login-submit" disabled=move || pending.get()>
                {move || if pending.get() { "登录中…" } else { "登录" }}
            </button>
        </EnhancedForm>
    }
}

/// `children`: the code row ([`CodeRow`], server-rendered; none with
/// `ZHUOMU_VERIFY_PHONES=off`). A wrong code is answered in the form's
/// general message.
#[island]
pub fn RegisterForm(error: Option<AppError>, phone: String, children: Children) -> impl IntoView {
    let error = RwSignal::new(error);
    let pending = RwSignal::new(false);
    let general = move || {
        error
            .get()
            .and_then(|e| e.form_message(&["phone", "password", "display_name", "agree"]))
    };
    let agree_error = field_signal(error, "agree");
    view! {
        <EnhancedForm action=Register::PATH test_id="register-form" error pending>
            <Field name="phone" label="手机号" kind=Kind::Phone server=field_signal(error, "phone") value=phone/>
            {children()}
            <Field name="display_name" label="昵称" kind=Kind::DisplayName
                server=field_signal(error, "display_name") hint="公开显示的名字，最多20个字"/>
            <Field name="password" label="密码" kind=Kind::NewPassword
                server=field_signal(error, "password") hint="至少8个字符，不要用常见密码"/>
            <div class="field consent">
                <label>
                    <input type="checkbox" name="agree" value="on" data-test-id="input-agree"
                        aria-describedby="f-agree-err"/>
                    "我已阅读并同意" <a href="/privacy" target="_blank" data-test-id="privacy-link">"《隐私政策》"</a>
                </label>
                <p class="field-error" id="f-agree-err" role="alert" data-test-id="error-agree">{agree_error}</p>
            </div>
            <p class="form-error" role="alert" data-test-id="form-error">{general}</p>
            <button type="submit" class="btn primary block" data-test-id="register-submit" disabled=move || pending.get()>
                {move || if pending.get() { "注册中…" } else { "注册" }}
            </button>
        </EnhancedForm>
    }
}

/// 忘记密码: the number, a code sent for `reset`, a new password. A server
/// component (a plain form; `zhuomu.js` enhances its code button): no WASM.
#[component]
pub fn ResetForm(error: Option<AppError>, phone: String, note: Option<String>) -> impl IntoView {
    let error = RwSignal::new(error);
    let pending = RwSignal::new(false);
    let general = move || {
        error
            .get()
            .and_then(|e| e.form_message(&["phone", "sms_code", "new_password"]))
    };
    view! {
        <EnhancedForm action=ResetPassword::PATH test_id="reset-form" error pending>
            <CodeFields purpose="reset" error phone note/>
            <Field name="new_password" label="新密码" kind=Kind::NewPassword
                server=field_signal(error, "new_password") hint="至少8个字符，不要用常见密码"/>
            <p class="form-error" role="alert" data-test-id="form-error">{general}</p>
            <button type="submit" class="btn primary block" data-test-id="reset-submit" disabled=move || pending.get()>
                {move || if pending.get() { "提交中…" } else { "重置密码" }}
            </button>
        </EnhancedForm>
    }
}
