//! JNI entry points of `dev.sms2fa.keycloak.bridge.NativeBridge`. This is the only module that
//! uses the `jni` crate.
//!
//! Every entry point runs its body through [`run`], which catches panics and hands errors to
//! [`ThrowJavaException`]. That policy throws the Java exception that matches each error (see
//! [`exception_class`]) and `NativePanicError` for a panic.
//!
//! Native signatures (class `dev.sms2fa.keycloak.bridge.NativeBridge`, all static):
//!
//! ```text
//! String libraryVersion()
//! String buildInfo()
//! String validateConfig(String configJson)
//! String sendCode(String configJson, byte[] hmacKey, String phoneE164, String textTemplate,
//!                 String realmName, String originHost, String previousState, long nowMillis)
//! String describeChallenge(String state, byte[] hmacKey, long nowMillis)
//! String verifyCode(String state, byte[] hmacKey, String enteredCode, long nowMillis,
//!                   int attemptNumber)
//! String normalizePhone(String input, String defaultRegion, String allowedCountries)
//! String listCountries(String allowedCountries)
//! String checkGateway(String configJson, String phoneE164, boolean send)
//! String maskPhone(String phoneE164)
//! void panicForTest(String message)
//! ```
//!
//! `originHost`, `previousState` and the `phoneE164` of `checkGateway` may be null; every other
//! reference argument must not be.

use std::any::Any;
use std::cell::Cell;
use std::io::Write as _;
use std::panic::{self, AssertUnwindSafe, catch_unwind};
use std::sync::Once;

use jni::errors::ErrorPolicy;
use jni::objects::{JByteArray, JClass, JString, JThrowable, JValue};
use jni::strings::{JNIStr, JNIString};
use jni::sys::{jboolean, jint, jlong};
use jni::{Env, EnvUnowned, jni_sig, jni_str};
use serde::Serialize;

use crate::error::Error;
use crate::{phone, service};

/// Failure inside an entry point.
#[derive(Debug, thiserror::Error)]
enum BridgeError {
    #[error(transparent)]
    Core(#[from] Error),
    #[error("JNI call failed: {0}")]
    Jni(#[from] jni::errors::Error),
    #[error("argument {0} must not be null")]
    NullArgument(&'static str),
    #[error("cannot encode the result as JSON: {0}")]
    Json(#[from] serde_json::Error),
}

const INVALID_CONFIG_CLASS: &JNIStr = jni_str!("dev/sms2fa/keycloak/bridge/InvalidConfigException");
const INVALID_PHONE_CLASS: &JNIStr =
    jni_str!("dev/sms2fa/keycloak/bridge/InvalidPhoneNumberException");
const SEND_NOT_ALLOWED_CLASS: &JNIStr =
    jni_str!("dev/sms2fa/keycloak/bridge/SendNotAllowedException");
const PANIC_CLASS: &JNIStr = jni_str!("dev/sms2fa/keycloak/bridge/NativePanicError");
const FALLBACK_CLASS: &JNIStr = jni_str!("java/lang/RuntimeException");

/// Java exception class thrown for each error. Each is built with its `(String message)`
/// constructor, except `InvalidConfigException` `(String field, String message)`,
/// `InvalidPhoneNumberException` `(String message, String reason)` and
/// `SendNotAllowedException` `(String message, long retryAfterSeconds, String reason)`.
fn exception_class(error: &BridgeError) -> &'static JNIStr {
    match error {
        BridgeError::Core(Error::InvalidConfig { .. }) => INVALID_CONFIG_CLASS,
        BridgeError::Core(Error::InvalidPhoneNumber { .. }) => INVALID_PHONE_CLASS,
        BridgeError::Core(Error::SendNotAllowed { .. }) => SEND_NOT_ALLOWED_CLASS,
        BridgeError::Core(Error::InvalidChallenge(_)) => {
            jni_str!("dev/sms2fa/keycloak/bridge/InvalidChallengeException")
        }
        BridgeError::Core(Error::GatewayConfig(_)) => {
            jni_str!("dev/sms2fa/keycloak/bridge/GatewayConfigException")
        }
        BridgeError::Core(Error::GatewayRejected(_)) => {
            jni_str!("dev/sms2fa/keycloak/bridge/GatewayRejectedException")
        }
        BridgeError::Core(Error::GatewayUnavailable(_)) => {
            jni_str!("dev/sms2fa/keycloak/bridge/GatewayUnavailableException")
        }
        // A short key, a broken argument or a null argument is a bug in the Java caller.
        BridgeError::Core(Error::KeyTooShort { .. } | Error::InvalidArgument(_)) => {
            jni_str!("java/lang/IllegalArgumentException")
        }
        BridgeError::NullArgument(_) => jni_str!("java/lang/NullPointerException"),
        BridgeError::Core(Error::RandomUnavailable(_))
        | BridgeError::Jni(_)
        | BridgeError::Json(_) => jni_str!("java/lang/IllegalStateException"),
    }
}

/// Error policy that turns errors and panics into Java exceptions. An exception that is already
/// pending (thrown by a JNI call) is left as it is.
struct ThrowJavaException;

impl<T: Default> ErrorPolicy<T, BridgeError> for ThrowJavaException {
    type Captures<'unowned_env_local: 'native_method, 'native_method> = ();

    fn on_error<'unowned_env_local: 'native_method, 'native_method>(
        env: &mut Env<'unowned_env_local>,
        _captures: &mut (),
        error: BridgeError,
    ) -> jni::errors::Result<T> {
        if !env.exception_check() {
            let message = error.to_string();
            let thrown = match &error {
                BridgeError::Core(Error::InvalidConfig { field, .. }) => {
                    throw_invalid_config(env, field, &message)
                }
                BridgeError::Core(Error::InvalidPhoneNumber { reason, .. }) => {
                    throw_invalid_phone(env, &message, reason.as_str())
                }
                BridgeError::Core(Error::SendNotAllowed {
                    retry_after_seconds,
                    reason,
                    ..
                }) => throw_send_not_allowed(env, &message, *retry_after_seconds, reason.as_str()),
                _ => throw(env, exception_class(&error), &message),
            };
            throw_fallback_if_needed(env, thrown, &message);
        }
        Ok(T::default())
    }

    fn on_panic<'unowned_env_local: 'native_method, 'native_method>(
        env: &mut Env<'unowned_env_local>,
        _captures: &mut (),
        payload: Box<dyn Any + Send + 'static>,
    ) -> jni::errors::Result<T> {
        let message = panic_message(payload, take_panic_location());
        if !env.exception_check() {
            let thrown = throw(env, PANIC_CLASS, &message);
            throw_fallback_if_needed(env, thrown, &message);
        }
        Ok(T::default())
    }
}

/// Throws `class_name` with `message`. The class is found with JNI `FindClass`, which inside a
/// native method uses the class loader of `NativeBridge`, so it works under Keycloak's loaders.
fn throw(env: &mut Env, class_name: &JNIStr, message: &str) -> jni::errors::Result<()> {
    let class = env.find_class(class_name)?;
    env.throw_new(&class, JNIString::from(message))
}

fn throw_invalid_config(env: &mut Env, field: &str, message: &str) -> jni::errors::Result<()> {
    let class = env.find_class(INVALID_CONFIG_CLASS)?;
    let field = env.new_string(field)?;
    let message = env.new_string(message)?;
    let exception = env.new_object(
        &class,
        jni_sig!((field: JString, message: JString) -> void),
        &[JValue::from(&field), JValue::from(&message)],
    )?;
    let exception = env.cast_local::<JThrowable>(exception)?;
    env.throw(exception)
}

fn throw_invalid_phone(env: &mut Env, message: &str, reason: &str) -> jni::errors::Result<()> {
    let class = env.find_class(INVALID_PHONE_CLASS)?;
    let message = env.new_string(message)?;
    let reason = env.new_string(reason)?;
    let exception = env.new_object(
        &class,
        jni_sig!("(Ljava/lang/String;Ljava/lang/String;)V"),
        &[JValue::from(&message), JValue::from(&reason)],
    )?;
    let exception = env.cast_local::<JThrowable>(exception)?;
    env.throw(exception)
}

fn throw_send_not_allowed(
    env: &mut Env,
    message: &str,
    retry_after_seconds: u64,
    reason: &str,
) -> jni::errors::Result<()> {
    let class = env.find_class(SEND_NOT_ALLOWED_CLASS)?;
    let message = env.new_string(message)?;
    let reason = env.new_string(reason)?;
    // A cooldown wait is at most 600 s × 2^9 (about 3.6 days), far below i64::MAX seconds.
    let retry_after_seconds = jlong::try_from(retry_after_seconds).unwrap_or(jlong::MAX);
    let exception = env.new_object(
        &class,
        jni_sig!("(Ljava/lang/String;JLjava/lang/String;)V"),
        &[
            JValue::from(&message),
            JValue::Long(retry_after_seconds),
            JValue::from(&reason),
        ],
    )?;
    let exception = env.cast_local::<JThrowable>(exception)?;
    env.throw(exception)
}

/// Throws a `RuntimeException` when throwing the mapped class failed without leaving an
/// exception pending, for example because the class is missing from the class path.
fn throw_fallback_if_needed(env: &mut Env, thrown: jni::errors::Result<()>, message: &str) {
    // `throw_new` and `throw` report a successful throw as `Err(JavaException)`.
    if thrown.is_err() && !env.exception_check() {
        // Nothing more can be done if even this fails; the method then returns its default.
        let _ = throw(env, FALLBACK_CLASS, message);
    }
}

/// Payload of the panic that `panicForTest` raises. Its message is the only panic message passed
/// to Java, because the Java test chose it.
struct TestPanic(String);

thread_local! {
    /// `file:line` of the last panic on this thread, set by the panic hook and taken by
    /// [`ThrowJavaException::on_panic`] on the same thread.
    static PANIC_LOCATION: Cell<Option<String>> = const { Cell::new(None) };
}

/// Takes the location that the panic hook recorded for the current thread.
fn take_panic_location() -> Option<String> {
    PANIC_LOCATION.try_with(Cell::take).ok().flatten()
}

/// Builds the message of `NativePanicError`: the panic's location, never its payload, because a
/// panic message from this crate or a dependency could contain user input such as a phone
/// number. A [`TestPanic`] payload is the exception.
fn panic_message(payload: Box<dyn Any + Send + 'static>, location: Option<String>) -> String {
    let message = match payload.downcast_ref::<TestPanic>() {
        Some(TestPanic(text)) => text.clone(),
        None => format!(
            "panic in the native library at {}",
            location.as_deref().unwrap_or(UNKNOWN_LOCATION)
        ),
    };
    // Dropping a payload runs arbitrary Drop code, which may itself panic.
    if let Err(drop_panic) = catch_unwind(AssertUnwindSafe(|| drop(payload))) {
        std::mem::forget(drop_panic);
    }
    message
}

const UNKNOWN_LOCATION: &str = "an unknown location";

/// Runs the body of one entry point: panics are caught and errors become Java exceptions.
fn run<'local, T, F>(unowned_env: &mut EnvUnowned<'local>, body: F) -> T
where
    T: Default + 'local,
    F: FnOnce(&mut Env<'local>) -> Result<T, BridgeError>,
{
    install_panic_hook();
    unowned_env.with_env(body).resolve::<ThrowJavaException>()
}

/// Replaces the default panic hook, which prints the panic message to stderr and so into the
/// Keycloak log, with one that prints only the location and records it for the error policy. A
/// message from a dependency could contain user input such as a phone number, so it reaches
/// neither the log nor Java (except the message of `panicForTest`).
///
/// The hook belongs to the standard library linked into this shared library, so it does not affect
/// other Rust code in the JVM process.
fn install_panic_hook() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        panic::set_hook(Box::new(|info| {
            let location = info
                .location()
                .map(|location| format!("{}:{}", location.file(), location.line()));
            let location_text = location.as_deref().unwrap_or(UNKNOWN_LOCATION);
            // A failed write is ignored, because eprintln! would panic inside the hook and abort.
            let _ = writeln!(
                std::io::stderr(),
                "sms2fa: panic in the native library at {location_text}; its message is not printed"
            );
            // Fails only while the thread is being torn down, when no entry point runs on it.
            let _ = PANIC_LOCATION.try_with(|slot| slot.set(location));
        }));
    });
}

fn string_arg(env: &Env, value: &JString, name: &'static str) -> Result<String, BridgeError> {
    if value.is_null() {
        return Err(BridgeError::NullArgument(name));
    }
    Ok(value.try_to_string(env)?)
}

/// Reads a String argument that may be null.
fn optional_string_arg(env: &Env, value: &JString) -> Result<Option<String>, BridgeError> {
    if value.is_null() {
        return Ok(None);
    }
    Ok(Some(value.try_to_string(env)?))
}

fn bytes_arg(env: &Env, value: &JByteArray, name: &'static str) -> Result<Vec<u8>, BridgeError> {
    if value.is_null() {
        return Err(BridgeError::NullArgument(name));
    }
    Ok(env.convert_byte_array(value)?)
}

fn java_string<'local>(env: &mut Env<'local>, value: &str) -> Result<JString<'local>, BridgeError> {
    Ok(env.new_string(value)?)
}

fn java_json<'local>(
    env: &mut Env<'local>,
    value: &impl Serialize,
) -> Result<JString<'local>, BridgeError> {
    let json = serde_json::to_string(value)?;
    java_string(env, &json)
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_sms2fa_keycloak_bridge_NativeBridge_libraryVersion<'local>(
    mut unowned_env: EnvUnowned<'local>,
    _class: JClass<'local>,
) -> JString<'local> {
    run(&mut unowned_env, |env| {
        java_string(env, service::library_version())
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_sms2fa_keycloak_bridge_NativeBridge_buildInfo<'local>(
    mut unowned_env: EnvUnowned<'local>,
    _class: JClass<'local>,
) -> JString<'local> {
    run(&mut unowned_env, |env| {
        java_string(env, service::build_info())
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_sms2fa_keycloak_bridge_NativeBridge_validateConfig<'local>(
    mut unowned_env: EnvUnowned<'local>,
    _class: JClass<'local>,
    config_json: JString<'local>,
) -> JString<'local> {
    run(&mut unowned_env, |env| {
        let config_json = string_arg(env, &config_json, "configJson")?;
        let normalized = service::validate_config(&config_json)?;
        java_json(env, &normalized)
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_sms2fa_keycloak_bridge_NativeBridge_sendCode<'local>(
    mut unowned_env: EnvUnowned<'local>,
    _class: JClass<'local>,
    config_json: JString<'local>,
    hmac_key: JByteArray<'local>,
    phone_e164: JString<'local>,
    text_template: JString<'local>,
    realm_name: JString<'local>,
    origin_host: JString<'local>,
    previous_state: JString<'local>,
    now_millis: jlong,
) -> JString<'local> {
    run(&mut unowned_env, |env| {
        let config_json = string_arg(env, &config_json, "configJson")?;
        let hmac_key = bytes_arg(env, &hmac_key, "hmacKey")?;
        let phone = string_arg(env, &phone_e164, "phoneE164")?;
        let text_template = string_arg(env, &text_template, "textTemplate")?;
        let realm_name = string_arg(env, &realm_name, "realmName")?;
        let origin_host = optional_string_arg(env, &origin_host)?;
        let previous_state = optional_string_arg(env, &previous_state)?;
        let sent = service::send_code(
            &config_json,
            &hmac_key,
            &phone,
            &text_template,
            &realm_name,
            origin_host.as_deref(),
            previous_state.as_deref(),
            now_millis,
        )?;
        java_json(env, &sent)
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_sms2fa_keycloak_bridge_NativeBridge_describeChallenge<'local>(
    mut unowned_env: EnvUnowned<'local>,
    _class: JClass<'local>,
    state: JString<'local>,
    hmac_key: JByteArray<'local>,
    now_millis: jlong,
) -> JString<'local> {
    run(&mut unowned_env, |env| {
        let state = string_arg(env, &state, "state")?;
        let hmac_key = bytes_arg(env, &hmac_key, "hmacKey")?;
        let description = service::describe_challenge(&state, &hmac_key, now_millis)?;
        java_json(env, &description)
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_sms2fa_keycloak_bridge_NativeBridge_verifyCode<'local>(
    mut unowned_env: EnvUnowned<'local>,
    _class: JClass<'local>,
    state: JString<'local>,
    hmac_key: JByteArray<'local>,
    entered_code: JString<'local>,
    now_millis: jlong,
    attempt_number: jint,
) -> JString<'local> {
    run(&mut unowned_env, |env| {
        let state = string_arg(env, &state, "state")?;
        let hmac_key = bytes_arg(env, &hmac_key, "hmacKey")?;
        let entered_code = string_arg(env, &entered_code, "enteredCode")?;
        let verified =
            service::verify_code(&state, &hmac_key, &entered_code, now_millis, attempt_number)?;
        java_json(env, &verified)
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_sms2fa_keycloak_bridge_NativeBridge_normalizePhone<'local>(
    mut unowned_env: EnvUnowned<'local>,
    _class: JClass<'local>,
    input: JString<'local>,
    default_region: JString<'local>,
    allowed_countries: JString<'local>,
) -> JString<'local> {
    run(&mut unowned_env, |env| {
        let input = string_arg(env, &input, "input")?;
        let default_region = string_arg(env, &default_region, "defaultRegion")?;
        let allowed_countries = string_arg(env, &allowed_countries, "allowedCountries")?;
        let normalized = service::normalize_phone(&input, &default_region, &allowed_countries)?;
        java_string(env, &normalized)
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_sms2fa_keycloak_bridge_NativeBridge_listCountries<'local>(
    mut unowned_env: EnvUnowned<'local>,
    _class: JClass<'local>,
    allowed_countries: JString<'local>,
) -> JString<'local> {
    run(&mut unowned_env, |env| {
        let allowed_countries = string_arg(env, &allowed_countries, "allowedCountries")?;
        java_json(env, &phone::list_countries(&allowed_countries)?)
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_sms2fa_keycloak_bridge_NativeBridge_checkGateway<'local>(
    mut unowned_env: EnvUnowned<'local>,
    _class: JClass<'local>,
    config_json: JString<'local>,
    phone_e164: JString<'local>,
    send: jboolean,
) -> JString<'local> {
    run(&mut unowned_env, |env| {
        let config_json = string_arg(env, &config_json, "configJson")?;
        let phone = optional_string_arg(env, &phone_e164)?;
        let report = service::check_gateway(&config_json, phone.as_deref(), send)?;
        java_json(env, &report)
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_sms2fa_keycloak_bridge_NativeBridge_maskPhone<'local>(
    mut unowned_env: EnvUnowned<'local>,
    _class: JClass<'local>,
    phone_e164: JString<'local>,
) -> JString<'local> {
    run(&mut unowned_env, |env| {
        let phone = string_arg(env, &phone_e164, "phoneE164")?;
        java_string(env, &phone::mask_phone(&phone))
    })
}

/// Panics on purpose so Java tests can check that a panic arrives as `NativePanicError`. The
/// message is passed through to Java, unlike that of any other panic.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_sms2fa_keycloak_bridge_NativeBridge_panicForTest<'local>(
    mut unowned_env: EnvUnowned<'local>,
    _class: JClass<'local>,
    message: JString<'local>,
) {
    run(&mut unowned_env, |env| -> Result<(), BridgeError> {
        let message = string_arg(env, &message, "message")?;
        panic::panic_any(TestPanic(message));
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panic_message_names_location_only() {
        let payload: Box<dyn Any + Send> = Box::new(String::from("number +48500100200"));
        let message = panic_message(payload, Some("src/service.rs:42".to_owned()));
        assert_eq!(message, "panic in the native library at src/service.rs:42");

        let payload: Box<dyn Any + Send> = Box::new("code 123456");
        let message = panic_message(payload, None);
        assert_eq!(
            message,
            "panic in the native library at an unknown location"
        );
    }

    #[test]
    fn test_panic_message_is_passed_through() {
        let payload: Box<dyn Any + Send> = Box::new(TestPanic("Zażółć ✓".to_owned()));
        let message = panic_message(payload, Some("src/jni.rs:1".to_owned()));
        assert_eq!(message, "Zażółć ✓");
    }

    #[test]
    fn panic_location_is_taken_once() {
        PANIC_LOCATION.with(|slot| slot.set(Some("src/jni.rs:7".to_owned())));
        assert_eq!(take_panic_location().as_deref(), Some("src/jni.rs:7"));
        assert_eq!(take_panic_location(), None);
    }
}
