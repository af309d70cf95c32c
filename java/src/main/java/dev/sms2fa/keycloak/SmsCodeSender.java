package dev.sms2fa.keycloak;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.keycloak.authentication.AuthenticationFlowContext;
import org.keycloak.common.util.Environment;
import org.keycloak.common.util.Time;
import org.keycloak.credential.CredentialModel;
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

import dev.sms2fa.keycloak.bridge.DescribeChallengeResult;
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
import dev.sms2fa.keycloak.bridge.SendNotAllowedException;
import dev.sms2fa.keycloak.bridge.ValidateConfigResult;
import dev.sms2fa.keycloak.credential.SmsPhoneNumberCredentialModel;

/**
 * Sends the first code of a login or a new one, under the send rules: the resend cooldown and the
 * sends per login (checked by the native library against the challenge state), the per-user hourly
 * limit (rate slots in {@link SmsClaims}), one SMS per send number however often the form is
 * submitted (send claims), and no SMS to a user who is locked out by brute-force detection.
 *
 * <p>A successful send stores the state and responds with a redirect to the same step
 * (post/redirect/get), so that a reload repeats a GET that sends nothing.
 */
final class SmsCodeSender {

    /**
     * Lifespan of a send claim. It only has to outlast the request that sends: two devices with
     * the maximum connect (2 s) and request (10 s) timeouts take 24 s.
     */
    static final long SEND_CLAIM_LIFESPAN_SECONDS = 120;
    /** Query parameter of Keycloak's login-actions URLs with the single-use code of the form. */
    static final String SESSION_CODE_PARAMETER = "session_code";

    private static final Logger LOG = Logger.getLogger(SmsCodeSender.class);

    private final ConfigWarningLog configWarnings = new ConfigWarningLog();

    /** Settings and inputs of one send, checked before anything is claimed. */
    private record Prepared(String configJson, SmsExecutionConfig config, String phoneNumber, KeyWrapper key) {
    }

    /**
     * Sends a code and renders the response.
     *
     * @param previousState the login's current state for a new code, or null for its first send
     */
    void sendCode(AuthenticationFlowContext context, String previousState) {
        Prepared prepared = prepare(context, previousState);
        if (prepared == null) {
            return;
        }

        long nowMillis = Time.currentTimeMillis();
        SmsCodeView previousView = null;
        String claimPart;
        int sendNumber;
        if (previousState == null) {
            claimPart = firstSendClaimPart(context);
            sendNumber = 1;
        } else {
            DescribeChallengeResult previous = SmsAuthenticator.describe(context, previousState, prepared.key(),
                    nowMillis);
            if (previous == null) {
                return;
            }
            previousView = SmsAuthenticator.view(context, previous, nowMillis);
            if (previous.sendsLeft() <= 0 || nowMillis < previous.nextSendAtMillis()) {
                // Too early, or no sends left: the page shows the wait or the restart link again.
                context.challenge(SmsLoginForm.codePage(context, previousView, null, null));
                return;
            }
            claimPart = previous.challengeId();
            sendNumber = previous.sendNumber() + 1;
        }

        SmsClaims claims = SmsAuthenticator.claims(context);
        if (!claims.claimSend(claimPart, sendNumber, SEND_CLAIM_LIFESPAN_SECONDS)) {
            showParallelSend(context, previousView, prepared);
            return;
        }
        RealmModel realm = context.getRealm();
        UserModel user = context.getUser();
        SmsClaims.RateClaim rateSlot = claims.claimRateSlot(realm.getId(), user.getId(),
                prepared.config().maxSendsPerHour(), nowMillis);
        if (!rateSlot.claimed()) {
            claims.releaseSend(claimPart, sendNumber);
            refuseRateLimited(context, previousView, prepared, rateSlot.retryAfterMinutes(), nowMillis);
            return;
        }

        SendCodeResult result = callSendCode(context, prepared, previousState, previousView, nowMillis,
                () -> claims.releaseSend(claimPart, sendNumber), () -> claims.releaseRateSlot(rateSlot.key()));
        if (result != null) {
            sent(context, result, prepared, nowMillis);
        }
    }

    /**
     * Checks the config, the phone number, the lockout and the HMAC key. Renders the response and
     * returns null when one of them rules out a send.
     */
    private Prepared prepare(AuthenticationFlowContext context, String previousState) {
        RealmModel realm = context.getRealm();
        String executionId = context.getExecution().getId();

        AuthenticatorConfigModel configModel = context.getAuthenticatorConfig();
        Map<String, String> rawConfig = configModel == null ? null : configModel.getConfig();
        if (rawConfig == null || rawConfig.isEmpty()) {
            LOG.errorf("The SMS authenticator execution '%s' in realm '%s' has no configuration. Open the"
                    + " authentication flow in the admin console and configure the execution.", executionId,
                    realm.getName());
            SmsAuthenticator.unavailable(context, Errors.INVALID_CONFIG);
            return null;
        }

        String configJson;
        SmsExecutionConfig config;
        try {
            NativeLibraryLoader.ensureLoaded();
            configJson = JsonSerialization.writeValueAsString(rawConfig);
            ValidateConfigResult validated = ValidateConfigResult.fromJson(NativeBridge.validateConfig(configJson));
            configWarnings.logOnce(realm.getName(), executionId, configModel.getId(), rawConfig,
                    validated.warnings());
            config = SmsExecutionConfig.fromNormalized(validated.config());
        } catch (InvalidConfigException e) {
            logInvalidConfig(context, e);
            SmsAuthenticator.unavailable(context, Errors.INVALID_CONFIG);
            return null;
        } catch (NativeLibraryException e) {
            SmsAuthenticator.libraryUnavailable(context, e);
            return null;
        } catch (NativePanicError | IllegalStateException | IOException e) {
            LOG.errorf(e, "Bug while validating the configuration of the SMS authenticator execution '%s' in"
                    + " realm '%s'", executionId, realm.getName());
            SmsAuthenticator.unavailable(context, Errors.GENERIC_AUTHENTICATION_ERROR);
            return null;
        }

        if (config.simulation() && !Environment.isDevMode()) {
            LOG.errorf("The SMS authenticator execution '%s' in realm '%s' has simulation mode on (field '%s'),"
                    + " which is refused because Keycloak runs in production mode: users would get no SMS."
                    + " Set '%s' to false, or run Keycloak with kc.sh start-dev for development.", executionId,
                    realm.getName(), SmsConfigProperties.SIMULATION, SmsConfigProperties.SIMULATION);
            SmsAuthenticator.unavailable(context, Errors.INVALID_CONFIG);
            return null;
        }

        Optional<String> phoneNumber = phoneNumber(context);
        if (phoneNumber.isEmpty()) {
            SmsAuthenticator.unavailable(context, Errors.CREDENTIAL_NOT_FOUND);
            return null;
        }

        if (SmsAuthenticator.isLockedOut(context)) {
            refuseLockedOut(context, previousState, config, phoneNumber.get());
            return null;
        }

        KeyWrapper key = previousState == null ? activeKey(context) : SmsAuthenticator.noteKey(context);
        if (key == null) {
            if (previousState == null) {
                SmsAuthenticator.unavailable(context, Errors.INVALID_CONFIG);
            } else {
                SmsAuthenticator.restartForLostKey(context);
            }
            return null;
        }
        return new Prepared(configJson, config, phoneNumber.get(), key);
    }

    /**
     * Calls the native sendCode and handles its exceptions. Returns null after rendering the
     * response when no code was sent. Each {@code release} frees a claim: the send claim after every
     * failure, so that a retry can claim the same send number, and the rate slot only when no
     * gateway was contacted, because every attempt at a gateway counts against the hourly limit.
     */
    private SendCodeResult callSendCode(AuthenticationFlowContext context, Prepared prepared, String previousState,
                                        SmsCodeView previousView, long nowMillis, Runnable releaseSend,
                                        Runnable releaseRateSlot) {
        RealmModel realm = context.getRealm();
        UserModel user = context.getUser();
        String originHost = prepared.config().originBoundLine() ? context.getUriInfo().getBaseUri().getHost() : null;
        try {
            return SendCodeResult.fromJson(NativeBridge.sendCode(prepared.configJson(),
                    prepared.key().getSecretKey().getEncoded(), prepared.phoneNumber(), smsTextTemplate(context),
                    realmDisplayName(realm), originHost, previousState, nowMillis));
        } catch (GatewayConfigException | GatewayRejectedException | GatewayUnavailableException e) {
            releaseSend.run();
            sendFailed(context, e, prepared, previousState == null, nowMillis);
            return null;
        } catch (SendNotAllowedException e) {
            // The page allowed the send a moment ago; the state decides, so show its wait.
            releaseSend.run();
            releaseRateSlot.run();
            SmsCodeView view = previousView == null ? firstSendView(context, prepared) : previousView;
            context.challenge(SmsLoginForm.codePage(context, view.waitingAtLeast(e.getRetryAfterSeconds()), null,
                    null));
            return null;
        } catch (InvalidConfigException e) {
            releaseSend.run();
            releaseRateSlot.run();
            logInvalidConfig(context, e);
            SmsAuthenticator.unavailable(context, Errors.INVALID_CONFIG);
            return null;
        } catch (InvalidPhoneNumberException e) {
            releaseSend.run();
            releaseRateSlot.run();
            LOG.warnf("The phone number %s of user '%s' in realm '%s' is invalid (%s): %s",
                    maskPhone(prepared.phoneNumber()), user.getId(), realm.getName(), e.getReason(), e.getMessage());
            SmsAuthenticator.unavailable(context, SmsEvents.ERROR_SMS_SEND_FAILED);
            return null;
        } catch (InvalidChallengeException e) {
            releaseSend.run();
            releaseRateSlot.run();
            SmsAuthenticator.restartForInvalidState(context, e);
            return null;
        } catch (NativeLibraryException e) {
            releaseSend.run();
            releaseRateSlot.run();
            SmsAuthenticator.libraryUnavailable(context, e);
            return null;
        } catch (NativePanicError | IllegalStateException e) {
            releaseSend.run();
            LOG.errorf(e, "Bug while sending the SMS code for user '%s' in realm '%s', execution '%s'",
                    user.getId(), realm.getName(), context.getExecution().getId());
            SmsAuthenticator.unavailable(context, Errors.GENERIC_AUTHENTICATION_ERROR);
            return null;
        }
    }

    private static void sent(AuthenticationFlowContext context, SendCodeResult result, Prepared prepared,
                             long nowMillis) {
        RealmModel realm = context.getRealm();
        UserModel user = context.getUser();
        AuthenticationSessionModel authSession = context.getAuthenticationSession();
        authSession.setAuthNote(SmsAuthenticator.NOTE_STATE, result.state());
        authSession.setAuthNote(SmsAuthenticator.NOTE_MASKED_PHONE, result.maskedPhone());
        authSession.setAuthNote(SmsAuthenticator.NOTE_KEY_ID, prepared.key().getKid());
        authSession.removeAuthNote(SmsAuthenticator.NOTE_SEND_BLOCKED);

        // The new code inherited the wrong attempts of the previous one, so their slots are taken.
        SmsAuthenticator.claims(context).claimInheritedGuesses(result.codeId(), result.attemptsUsed(),
                SmsAuthenticator.codeClaimLifespanSeconds(result.expiresAtMillis(), nowMillis));

        // The details of the last send go on the LOGIN event that ends a successful login. A LOGIN
        // success here, before the login completes, would mislead audits that count LOGIN events.
        authSession.setAuthNote(SmsAuthenticator.NOTE_MESSAGE_ID, result.messageId());
        authSession.setAuthNote(SmsAuthenticator.NOTE_DEVICE_URL, result.simulated() ? "" : result.deviceUrl());

        if (result.simulated()) {
            LOG.infof("SMS suppressed (simulation mode): code %d of the login for user '%s' in realm '%s',"
                    + " execution '%s', was not sent to %s", result.sendNumber(), user.getId(), realm.getName(),
                    context.getExecution().getId(), result.maskedPhone());
        } else {
            LOG.debugf("Sent SMS code %d of the login to %s for user '%s' in realm '%s' through %s, gateway"
                    + " message id '%s'", result.sendNumber(), result.maskedPhone(), user.getId(), realm.getName(),
                    result.deviceUrl(), result.messageId());
        }

        // Post/redirect/get: the browser follows the redirect with a GET of this execution, and
        // authenticate() renders the form for the code just sent. A reload then repeats that GET
        // instead of re-submitting the previous form.
        context.challenge(Response.seeOther(context.getRefreshExecutionUrl()).build());
    }

    /** Logs the gateway failure once, records it as an event and shows the retry page. */
    private static void sendFailed(AuthenticationFlowContext context, RuntimeException e, Prepared prepared,
                                   boolean firstSend, long nowMillis) {
        RealmModel realm = context.getRealm();
        UserModel user = context.getUser();
        String maskedPhone = maskPhone(prepared.phoneNumber());
        LOG.warnf("Failed to send the SMS code to %s for user '%s' in realm '%s', execution '%s': %s: %s",
                maskedPhone, user.getId(), realm.getName(), context.getExecution().getId(),
                e.getClass().getSimpleName(), e.getMessage());
        context.getEvent().clone().user(user)
                .detail(SmsEvents.DETAIL_SMS_EVENT, SmsEvents.SMS_EVENT_SEND_FAILED)
                .detail(SmsEvents.DETAIL_MASKED_PHONE, maskedPhone)
                .detail(Details.REASON, e.getClass().getSimpleName())
                .error(SmsEvents.ERROR_SMS_SEND_FAILED);

        // NOTE: the wait is advice only. The retry button works at once, and the hourly rate slots
        // bound how often a user can retry.
        int waitSeconds = prepared.config().resendCooldownSeconds();
        if (firstSend) {
            showSendBlocked(context, SmsSendBlock.sendFailed(nowMillis, waitSeconds));
        } else {
            // The stored state still contains the previous code, which a GET of this step shows.
            context.challenge(SmsLoginForm.sendFailedPage(context, SmsMessages.SEND_FAILED, waitSeconds));
        }
    }

    /**
     * Stores why the first send delivered no code and redirects to this step, whose GET shows the
     * retry page from the note (post/redirect/get, so that a reload sends nothing).
     */
    private static void showSendBlocked(AuthenticationFlowContext context, SmsSendBlock block) {
        context.getAuthenticationSession().setAuthNote(SmsAuthenticator.NOTE_SEND_BLOCKED, block.toNote());
        context.challenge(Response.seeOther(context.getRefreshExecutionUrl()).build());
    }

    private static void refuseRateLimited(AuthenticationFlowContext context, SmsCodeView previousView,
                                          Prepared prepared, long retryAfterMinutes, long nowMillis) {
        RealmModel realm = context.getRealm();
        UserModel user = context.getUser();
        LOG.infof("User '%s' in realm '%s' reached the limit of %d SMS per hour; no SMS sent, the next is possible"
                + " in %d minutes", user.getId(), realm.getName(), prepared.config().maxSendsPerHour(),
                retryAfterMinutes);
        context.getEvent().clone().user(user)
                .detail(SmsEvents.DETAIL_SMS_EVENT, SmsEvents.SMS_EVENT_SEND_LIMITED)
                .detail(SmsEvents.DETAIL_MASKED_PHONE, maskPhone(prepared.phoneNumber()))
                .error(SmsEvents.ERROR_SMS_SEND_LIMITED);

        if (previousView == null) {
            showSendBlocked(context, SmsSendBlock.limitReached(nowMillis, retryAfterMinutes));
        } else {
            context.challenge(SmsLoginForm.codePage(context, previousView, null,
                    new FormMessage(null, SmsMessages.SEND_LIMIT_REACHED, retryAfterMinutes)));
        }
    }

    /**
     * Rejects a send to a user whom brute-force detection locked out. No SMS is sent, and the code
     * page shows the error of a wrong code, so that it does not reveal the lockout.
     */
    private static void refuseLockedOut(AuthenticationFlowContext context, String previousState,
                                        SmsExecutionConfig config, String phoneNumber) {
        context.getEvent().user(context.getUser()).error(Errors.USER_TEMPORARILY_DISABLED);
        SmsCodeView view;
        if (previousState == null) {
            view = new SmsCodeView(maskPhone(phoneNumber), true, null, Math.max(0, config.maxSendsPerLogin() - 1),
                    config.resendCooldownSeconds());
        } else {
            view = SmsAuthenticator.currentView(context, previousState);
            if (view == null) {
                return;
            }
        }
        context.challenge(SmsLoginForm.codePage(context, view,
                new FormMessage(SmsLoginForm.FIELD_CODE, SmsMessages.CODE_REJECTED), null));
    }

    /**
     * Responds to a request that lost the send claim to a parallel one, such as the second submit of
     * a double-clicked form. The parallel request sends the code and stores the state.
     */
    private static void showParallelSend(AuthenticationFlowContext context, SmsCodeView previousView,
                                         Prepared prepared) {
        if (previousView != null) {
            // The redirect shows the state stored by then, the new one once the parallel send is done.
            context.challenge(Response.seeOther(context.getRefreshExecutionUrl()).build());
            return;
        }
        // The first send has no state to show yet, and a redirect could come back here while the
        // parallel request is still sending, so the page shows the code input that the SMS will fill.
        context.challenge(SmsLoginForm.codePage(context, firstSendView(context, prepared), null, null));
    }

    /** Returns the view right after a first send, for pages shown before its state exists. */
    private static SmsCodeView firstSendView(AuthenticationFlowContext context, Prepared prepared) {
        SmsExecutionConfig config = prepared.config();
        return new SmsCodeView(maskPhone(prepared.phoneNumber()), true, null,
                Math.max(0, config.maxSendsPerLogin() - 1), config.resendCooldownSeconds());
    }

    /**
     * Returns the key part of the first send's claim: the auth session's root id and tab id, plus
     * a hash of the form's single-use session code when the request has one. Keycloak clears the
     * auth notes when the login restarts in the same tab, and the session code then differs, so a
     * restarted login gets a new claim, while a double submit of one form shares it.
     */
    static String firstSendClaimPart(AuthenticationFlowContext context) {
        AuthenticationSessionModel authSession = context.getAuthenticationSession();
        String sessionCode = context.getUriInfo().getQueryParameters().getFirst(SESSION_CODE_PARAMETER);
        return firstSendClaimPart(authSession.getParentSession().getId(), authSession.getTabId(), sessionCode);
    }

    static String firstSendClaimPart(String rootSessionId, String tabId, String sessionCode) {
        String part = rootSessionId + "." + tabId;
        if (sessionCode == null || sessionCode.isEmpty()) {
            // NOTE: a step entered by a GET has no session code, so a login restarted in the same tab
            // within SEND_CLAIM_LIFESPAN_SECONDS finds this claim taken. Its page then sends nothing
            // until the user presses "Send a new code", whose POST has a session code.
            return part;
        }
        return part + "." + sha256Hex(sessionCode).substring(0, 32);
    }

    private static String sha256Hex(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every Java platform provides SHA-256", e);
        }
    }

    private static void logInvalidConfig(AuthenticationFlowContext context, InvalidConfigException e) {
        LOG.errorf("Invalid configuration of the SMS authenticator execution '%s' in realm '%s', field '%s': %s",
                context.getExecution().getId(), context.getRealm().getName(), e.getField(), e.getMessage());
    }

    /** Returns the realm's active HMAC key, which protects a new challenge state; logs why if there is none. */
    private static KeyWrapper activeKey(AuthenticationFlowContext context) {
        RealmModel realm = context.getRealm();
        KeyWrapper key = context.getSession().keys().getActiveKey(realm, KeyUse.SIG, SmsAuthenticator.HMAC_ALGORITHM);
        if (key == null || key.getSecretKey() == null) {
            LOG.errorf("Realm '%s' has no active %s key, which protects the SMS challenge state. Add an"
                    + " hmac-generated key provider with algorithm %s to the realm.", realm.getName(),
                    SmsAuthenticator.HMAC_ALGORITHM, SmsAuthenticator.HMAC_ALGORITHM);
            return null;
        }
        return key;
    }

    /** Reads the phone number from the user's first sms-phone-number credential; logs why if there is none. */
    private static Optional<String> phoneNumber(AuthenticationFlowContext context) {
        UserModel user = context.getUser();
        Optional<CredentialModel> stored = user.credentialManager()
                .getStoredCredentialsByTypeStream(SmsPhoneNumberCredentialModel.TYPE)
                .findFirst();
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

    /** Masks a number for pages and logs; "" if the library fails, so that a page still renders. */
    static String maskPhone(String phoneNumber) {
        try {
            return NativeBridge.maskPhone(phoneNumber);
        } catch (NativePanicError | NativeLibraryException e) {
            LOG.errorf(e, "Bug while masking a phone number");
            return "";
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
}
