package dev.sms2fa.keycloak;

import java.io.IOException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.keycloak.authentication.AuthenticationFlowContext;
import org.keycloak.authentication.AuthenticationFlowError;
import org.keycloak.authentication.Authenticator;
import org.keycloak.authentication.CredentialValidator;
import org.keycloak.common.util.Time;
import org.keycloak.credential.CredentialModel;
import org.keycloak.credential.CredentialProvider;
import org.keycloak.crypto.Algorithm;
import org.keycloak.crypto.KeyUse;
import org.keycloak.crypto.KeyWrapper;
import org.keycloak.events.Details;
import org.keycloak.events.Errors;
import org.keycloak.models.AuthenticatorConfigModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.utils.FormMessage;
import org.keycloak.sessions.AuthenticationSessionModel;
import org.keycloak.theme.Theme;
import org.keycloak.util.JsonSerialization;

import dev.sms2fa.keycloak.bridge.GatewayConfigException;
import dev.sms2fa.keycloak.bridge.GatewayRejectedException;
import dev.sms2fa.keycloak.bridge.GatewayUnavailableException;
import dev.sms2fa.keycloak.bridge.InvalidChallengeException;
import dev.sms2fa.keycloak.bridge.InvalidConfigException;
import dev.sms2fa.keycloak.bridge.InvalidPhoneNumberException;
import dev.sms2fa.keycloak.bridge.NativeBridge;
import dev.sms2fa.keycloak.bridge.NativeLibraryException;
import dev.sms2fa.keycloak.bridge.NativeLibraryLoader;
import dev.sms2fa.keycloak.bridge.NativePanicError;
import dev.sms2fa.keycloak.bridge.SendCodeResult;
import dev.sms2fa.keycloak.bridge.VerifyCodeResult;
import dev.sms2fa.keycloak.credential.SmsPhoneNumberCredentialModel;
import dev.sms2fa.keycloak.credential.SmsPhoneNumberCredentialProvider;
import dev.sms2fa.keycloak.credential.SmsPhoneNumberCredentialProviderFactory;

/**
 * Second factor that sends a one-time code by SMS and verifies the code the user enters.
 *
 * <p>{@link #authenticate} sends one code per authentication session and renders the form;
 * {@link #action} verifies the entered code. The native library generates, formats, sends and
 * verifies the code. The authentication session stores only the opaque, HMAC-protected challenge
 * state that the library returns, never the code.
 */
public class SmsAuthenticator implements Authenticator, CredentialValidator<SmsPhoneNumberCredentialProvider> {

    /** Auth note with the challenge state of the code that was sent. */
    static final String NOTE_STATE = "sms-2fa.state";
    /** Auth note with the masked receiver number, for the form. */
    static final String NOTE_MASKED_PHONE = "sms-2fa.maskedPhone";
    /** Auth note with the id of the realm HMAC key that protects the state, so key rotation cannot break a login. */
    static final String NOTE_KEY_ID = "sms-2fa.keyId";
    /**
     * Auth note set when the code has expired or was entered wrong too often; its value is the
     * message key that explains why. While it is set, no new code is sent until the login restarts.
     */
    static final String NOTE_CLOSED = "sms-2fa.closed";

    /** Event error for a code that could not be sent. */
    static final String EVENT_ERROR_SMS_SEND_FAILED = "sms_send_failed";

    private static final String HMAC_ALGORITHM = Algorithm.HS512;

    private static final Logger LOG = Logger.getLogger(SmsAuthenticator.class);

    @Override
    public void authenticate(AuthenticationFlowContext context) {
        AuthenticationSessionModel authSession = context.getAuthenticationSession();

        // A reload, or a return through "try another way", must never send a second SMS.
        if (authSession.getAuthNote(NOTE_STATE) != null) {
            context.challenge(SmsLoginForm.codePage(context, authSession.getAuthNote(NOTE_MASKED_PHONE), null));
            return;
        }
        String closedMessage = authSession.getAuthNote(NOTE_CLOSED);
        if (closedMessage != null) {
            context.challenge(SmsLoginForm.closedPage(context, closedMessage));
            return;
        }

        sendCode(context);
    }

    @Override
    public void action(AuthenticationFlowContext context) {
        AuthenticationSessionModel authSession = context.getAuthenticationSession();
        String state = authSession.getAuthNote(NOTE_STATE);
        if (state == null) {
            // No code is pending: the last send failed (the page offers a retry) or the code is closed.
            authenticate(context);
            return;
        }

        String maskedPhone = authSession.getAuthNote(NOTE_MASKED_PHONE);
        MultivaluedMap<String, String> formData = context.getHttpRequest().getDecodedFormParameters();
        String enteredCode = formData.getFirst(SmsLoginForm.FIELD_CODE);
        if (enteredCode == null || enteredCode.isBlank()) {
            context.challenge(SmsLoginForm.codePage(context, maskedPhone,
                    new FormMessage(SmsLoginForm.FIELD_CODE, SmsMessages.CODE_MISSING)));
            return;
        }

        RealmModel realm = context.getRealm();
        UserModel user = context.getUser();
        if (realm.isBruteForceProtected()
                && context.getProtector().isTemporarilyDisabled(context.getSession(), realm, user)) {
            // Like Keycloak's OTP form: no verification, and the page does not reveal the lockout.
            context.getEvent().user(user).error(Errors.USER_TEMPORARILY_DISABLED);
            context.forceChallenge(SmsLoginForm.codePage(context, maskedPhone,
                    new FormMessage(SmsLoginForm.FIELD_CODE, SmsMessages.CODE_REJECTED)));
            return;
        }

        verifyCode(context, state, maskedPhone, enteredCode.trim());
    }

    private void sendCode(AuthenticationFlowContext context) {
        RealmModel realm = context.getRealm();
        UserModel user = context.getUser();
        String executionId = context.getExecution().getId();

        Map<String, String> config = executionConfig(context);
        if (config == null) {
            LOG.errorf("The SMS authenticator execution '%s' in realm '%s' has no configuration. Open the"
                    + " authentication flow in the admin console and configure the execution.", executionId,
                    realm.getName());
            unavailable(context, Errors.INVALID_CONFIG);
            return;
        }

        Optional<String> phoneNumber = phoneNumber(context);
        if (phoneNumber.isEmpty()) {
            unavailable(context, Errors.CREDENTIAL_NOT_FOUND);
            return;
        }

        KeyWrapper key = context.getSession().keys().getActiveKey(realm, KeyUse.SIG, HMAC_ALGORITHM);
        if (key == null || key.getSecretKey() == null) {
            LOG.errorf("Realm '%s' has no active %s key, which protects the SMS challenge state. Add an"
                    + " hmac-generated key provider with algorithm %s to the realm.", realm.getName(),
                    HMAC_ALGORITHM, HMAC_ALGORITHM);
            unavailable(context, Errors.INVALID_CONFIG);
            return;
        }

        SendCodeResult result;
        try {
            NativeLibraryLoader.ensureLoaded();
            String json = NativeBridge.sendCode(JsonSerialization.writeValueAsString(config),
                    key.getSecretKey().getEncoded(), phoneNumber.get(), smsTextTemplate(context),
                    realmDisplayName(realm), Time.currentTimeMillis());
            result = SendCodeResult.fromJson(json);
        } catch (InvalidConfigException e) {
            LOG.errorf("Invalid configuration of the SMS authenticator execution '%s' in realm '%s', field"
                    + " '%s': %s", executionId, realm.getName(), e.getField(), e.getMessage());
            unavailable(context, Errors.INVALID_CONFIG);
            return;
        } catch (GatewayConfigException | GatewayRejectedException | GatewayUnavailableException e) {
            LOG.warnf("Failed to send the SMS code for user '%s' in realm '%s', execution '%s': %s: %s",
                    user.getId(), realm.getName(), executionId, e.getClass().getSimpleName(), e.getMessage());
            sendEventError(context, EVENT_ERROR_SMS_SEND_FAILED, e);
            context.challenge(SmsLoginForm.sendFailedPage(context));
            return;
        } catch (InvalidPhoneNumberException e) {
            LOG.warnf("The phone number of user '%s' in realm '%s' is invalid: %s", user.getId(), realm.getName(),
                    e.getMessage());
            sendEventError(context, EVENT_ERROR_SMS_SEND_FAILED, e);
            context.challenge(SmsLoginForm.unavailablePage(context));
            return;
        } catch (NativeLibraryException e) {
            // NativeLibraryLoader logged the cause with its stack trace when loading failed.
            LOG.warnf("SMS authentication for user '%s' in realm '%s' is unavailable: %s", user.getId(),
                    realm.getName(), e.getMessage());
            unavailable(context, Errors.GENERIC_AUTHENTICATION_ERROR);
            return;
        } catch (NativePanicError | IllegalStateException | IOException e) {
            LOG.errorf(e, "Bug while sending the SMS code for user '%s' in realm '%s', execution '%s'",
                    user.getId(), realm.getName(), executionId);
            unavailable(context, Errors.GENERIC_AUTHENTICATION_ERROR);
            return;
        }

        AuthenticationSessionModel authSession = context.getAuthenticationSession();
        authSession.setAuthNote(NOTE_STATE, result.state());
        authSession.setAuthNote(NOTE_MASKED_PHONE, result.maskedPhone());
        authSession.setAuthNote(NOTE_KEY_ID, key.getKid());
        LOG.debugf("Sent an SMS code to %s for user '%s' in realm '%s', gateway message id '%s'",
                result.maskedPhone(), user.getId(), realm.getName(), result.messageId());

        // Post/redirect/get: the browser follows the redirect with a GET of this execution, and
        // authenticate() renders the form for the code just sent. A reload then repeats that GET
        // instead of re-submitting the password form, for which Keycloak shows "Page has expired".
        context.challenge(Response.seeOther(context.getRefreshExecutionUrl()).build());
    }

    private void verifyCode(AuthenticationFlowContext context, String state, String maskedPhone, String enteredCode) {
        RealmModel realm = context.getRealm();
        UserModel user = context.getUser();
        AuthenticationSessionModel authSession = context.getAuthenticationSession();

        String keyId = authSession.getAuthNote(NOTE_KEY_ID);
        KeyWrapper key = keyId == null ? null
                : context.getSession().keys().getKey(realm, keyId, KeyUse.SIG, HMAC_ALGORITHM);
        if (key == null || key.getSecretKey() == null) {
            LOG.warnf("The %s key '%s' that protects the SMS challenge of user '%s' in realm '%s' no longer"
                    + " exists; restarting the login", HMAC_ALGORITHM, keyId, user.getId(), realm.getName());
            clearNotes(authSession);
            context.resetFlow();
            return;
        }

        VerifyCodeResult result;
        try {
            NativeLibraryLoader.ensureLoaded();
            result = VerifyCodeResult.fromJson(NativeBridge.verifyCode(state, key.getSecretKey().getEncoded(),
                    enteredCode, Time.currentTimeMillis()));
        } catch (InvalidChallengeException e) {
            LOG.warnf("Invalid SMS challenge state for user '%s' in realm '%s', restarting the login: %s",
                    user.getId(), realm.getName(), e.getMessage());
            clearNotes(authSession);
            context.resetFlow();
            return;
        } catch (NativeLibraryException e) {
            LOG.warnf("SMS authentication for user '%s' in realm '%s' is unavailable: %s", user.getId(),
                    realm.getName(), e.getMessage());
            unavailable(context, Errors.GENERIC_AUTHENTICATION_ERROR);
            return;
        } catch (NativePanicError | IllegalStateException e) {
            LOG.errorf(e, "Bug while verifying the SMS code of user '%s' in realm '%s'", user.getId(),
                    realm.getName());
            unavailable(context, Errors.GENERIC_AUTHENTICATION_ERROR);
            return;
        }

        switch (result.outcome()) {
            case ACCEPTED:
                clearNotes(authSession);
                context.success();
                break;
            case WRONG:
                authSession.setAuthNote(NOTE_STATE, result.state());
                context.getEvent().user(user).error(Errors.INVALID_USER_CREDENTIALS);
                context.failureChallenge(AuthenticationFlowError.INVALID_CREDENTIALS,
                        SmsLoginForm.codePage(context, maskedPhone, new FormMessage(SmsLoginForm.FIELD_CODE,
                                SmsMessages.CODE_INVALID, result.attemptsLeft())));
                break;
            case EXPIRED:
                close(authSession, SmsMessages.CODE_EXPIRED);
                context.getEvent().user(user).error(Errors.EXPIRED_CODE);
                context.failureChallenge(AuthenticationFlowError.EXPIRED_CODE,
                        SmsLoginForm.closedPage(context, SmsMessages.CODE_EXPIRED));
                break;
            case EXHAUSTED:
                close(authSession, SmsMessages.CODE_EXHAUSTED);
                context.getEvent().user(user).error(Errors.INVALID_USER_CREDENTIALS);
                context.failureChallenge(AuthenticationFlowError.INVALID_CREDENTIALS,
                        SmsLoginForm.closedPage(context, SmsMessages.CODE_EXHAUSTED));
                break;
            default:
                throw new IllegalStateException("Unhandled verification outcome " + result.outcome());
        }
    }

    /** Returns the execution's config map, or null if the execution has none. */
    private static Map<String, String> executionConfig(AuthenticationFlowContext context) {
        AuthenticatorConfigModel model = context.getAuthenticatorConfig();
        if (model == null || model.getConfig() == null || model.getConfig().isEmpty()) {
            return null;
        }
        return model.getConfig();
    }

    /** Reads the phone number from the user's first sms-phone-number credential; logs why if there is none. */
    private Optional<String> phoneNumber(AuthenticationFlowContext context) {
        UserModel user = context.getUser();
        Optional<CredentialModel> stored = getCredentials(context.getSession(), context.getRealm(), user)
                .stream().findFirst();
        if (stored.isEmpty()) {
            LOG.warnf("User '%s' in realm '%s' has no %s credential", user.getId(), context.getRealm().getName(),
                    SmsPhoneNumberCredentialModel.TYPE);
            return Optional.empty();
        }
        try {
            return Optional.of(SmsPhoneNumberCredentialModel.createFromCredentialModel(stored.get()).getPhoneNumber());
        } catch (IllegalArgumentException e) {
            LOG.warnf("User '%s' in realm '%s': %s", user.getId(), context.getRealm().getName(), e.getMessage());
            return Optional.empty();
        }
    }

    /** Returns the SMS text pattern from the login theme in the user's locale, else English, else the default. */
    private static String smsTextTemplate(AuthenticationFlowContext context) {
        KeycloakSession session = context.getSession();
        RealmModel realm = context.getRealm();
        try {
            Theme theme = session.theme().getTheme(Theme.Type.LOGIN);
            Locale locale = session.getContext().resolveLocale(context.getUser());
            String template = theme.getEnhancedMessages(realm, locale).getProperty(SmsMessages.SMS_TEXT);
            if (template == null && !Locale.ENGLISH.equals(locale)) {
                template = theme.getEnhancedMessages(realm, Locale.ENGLISH).getProperty(SmsMessages.SMS_TEXT);
            }
            return template != null ? template : SmsMessages.DEFAULT_SMS_TEXT;
        } catch (IOException e) {
            LOG.warnf("Failed to read the message bundle of the login theme in realm '%s', using the default SMS"
                    + " text: %s", realm.getName(), e);
            return SmsMessages.DEFAULT_SMS_TEXT;
        }
    }

    private static String realmDisplayName(RealmModel realm) {
        String displayName = realm.getDisplayName();
        return displayName == null || displayName.isBlank() ? realm.getName() : displayName;
    }

    private static void unavailable(AuthenticationFlowContext context, String eventError) {
        context.getEvent().clone().user(context.getUser()).error(eventError);
        context.challenge(SmsLoginForm.unavailablePage(context));
    }

    private static void sendEventError(AuthenticationFlowContext context, String eventError, Exception e) {
        context.getEvent().clone().user(context.getUser())
                .detail(Details.REASON, e.getClass().getSimpleName())
                .error(eventError);
    }

    private static void close(AuthenticationSessionModel authSession, String messageKey) {
        clearNotes(authSession);
        authSession.setAuthNote(NOTE_CLOSED, messageKey);
    }

    private static void clearNotes(AuthenticationSessionModel authSession) {
        authSession.removeAuthNote(NOTE_STATE);
        authSession.removeAuthNote(NOTE_MASKED_PHONE);
        authSession.removeAuthNote(NOTE_KEY_ID);
        authSession.removeAuthNote(NOTE_CLOSED);
    }

    @Override
    public boolean requiresUser() {
        return true;
    }

    @Override
    public boolean configuredFor(KeycloakSession session, RealmModel realm, UserModel user) {
        return user.credentialManager().isConfiguredFor(SmsPhoneNumberCredentialModel.TYPE);
    }

    @Override
    public void setRequiredActions(KeycloakSession session, RealmModel realm, UserModel user) {
        // NOTE: no enrolment required action exists yet, so a user without a phone number cannot be
        // asked to add one. isUserSetupAllowed() is false, so Keycloak does not call this.
    }

    @Override
    public SmsPhoneNumberCredentialProvider getCredentialProvider(KeycloakSession session) {
        return (SmsPhoneNumberCredentialProvider) session.getProvider(CredentialProvider.class,
                SmsPhoneNumberCredentialProviderFactory.PROVIDER_ID);
    }

    @Override
    public void close() {
    }
}
