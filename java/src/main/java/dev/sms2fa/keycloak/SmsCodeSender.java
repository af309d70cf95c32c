package dev.sms2fa.keycloak;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
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
import org.keycloak.urls.UrlType;
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
import dev.sms2fa.keycloak.bridge.Sms2faException;
import dev.sms2fa.keycloak.bridge.ValidateConfigResult;
import dev.sms2fa.keycloak.credential.SmsPhoneNumberCredentialModel;

/**
 * Sends the first code of a login or a new one, under the send rules: the resend cooldown and the
 * sends per login (checked by the native library against the challenge state), the per-user hourly
 * limit (rate slots in {@link SmsClaims}), one SMS per send number however often the form is
 * submitted (send claims, held for the whole login), and no SMS to a user who is locked out by
 * brute-force detection.
 *
 * <p>A successful send stores the state, records it as the challenge's newest send, and responds
 * with a redirect to the same step (post/redirect/get), so that a reload repeats a GET that sends
 * nothing.
 */
final class SmsCodeSender {

    /**
     * Starts of the {@link GatewayConfigException} messages of the native library for failures
     * before any HTTP request reached a gateway: the HTTP client or its TLS settings could not be
     * set up, or the TLS handshake failed.
     */
    static final List<String> NOT_SENT_MESSAGE_STARTS = List.of(
            "the TLS settings for ", "the HTTP client cannot be set up", "the TLS connection to ");
    /** Separator in a message of the native library that names the failures of both devices. */
    static final String SECOND_DEVICE_SEPARATOR = "; the second device then failed: ";

    private static final Logger LOG = Logger.getLogger(SmsCodeSender.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int LOGIN_ID_BYTES = 16;

    private final ConfigWarningLog configWarnings = new ConfigWarningLog();

    /** Settings and inputs of one send, checked before anything is claimed. */
    private record Prepared(String configJson, SmsExecutionConfig config, String phoneNumber, KeyWrapper key) {
    }

    /**
     * The claims that one send attempt has taken so far. Each is released only while the attempt
     * cannot have sent anything, so that a retry can take the same send number and the hourly
     * limit counts only attempts that may have reached a gateway.
     */
    private static final class AttemptClaims {

        private final SmsClaims claims;
        private String sendPart;
        private int sendNumber;
        private String rateSlotKey;
        private boolean delivered;

        AttemptClaims(SmsClaims claims) {
            this.claims = claims;
        }

        void tookSend(String sendPart, int sendNumber) {
            this.sendPart = sendPart;
            this.sendNumber = sendNumber;
        }

        void tookRateSlot(String rateSlotKey) {
            this.rateSlotKey = rateSlotKey;
        }

        /** Marks the SMS as sent, after which the release methods do nothing. */
        void delivered() {
            delivered = true;
        }

        void releaseSend() {
            if (!delivered && sendPart != null) {
                claims.releaseSend(sendPart, sendNumber);
            }
        }

        void releaseRateSlot() {
            if (!delivered && rateSlotKey != null) {
                claims.releaseRateSlot(rateSlotKey);
            }
        }

        void releaseAll() {
            releaseSend();
            releaseRateSlot();
        }
    }

    /**
     * Sends a code and renders the response.
     *
     * @param previousState the login's current state for a new code, or null for its first send
     */
    void sendCode(SmsStep context, String previousState) {
        AttemptClaims attempt = new AttemptClaims(SmsAuthenticator.claims(context));
        try {
            sendCode(context, previousState, attempt);
        } catch (RuntimeException e) {
            attempt.releaseAll();
            LOG.errorf(e, "Bug while sending an SMS code for user '%s' in realm '%s', execution '%s'",
                    context.getUser().getId(), context.getRealm().getName(), context.stepId());
            SmsAuthenticator.unavailable(context, Errors.GENERIC_AUTHENTICATION_ERROR);
        }
    }

    /**
     * Checks the send rules, claims the send and sends. {@code attempt} records the claims as they
     * are taken, so that the caller can release them after an unexpected exception.
     */
    private void sendCode(SmsStep context, String previousState, AttemptClaims attempt) {
        Prepared prepared = prepare(context, previousState);
        if (prepared == null) {
            return;
        }

        long nowMillis = Time.currentTimeMillis();
        AuthenticationSessionModel authSession = context.getAuthenticationSession();
        DescribeChallengeResult previous = null;
        SmsCodeView previousView = null;
        String claimPart;
        int sendNumber;
        if (previousState == null) {
            String blockNote = authSession.getAuthNote(SmsAuthenticator.NOTE_SEND_BLOCKED);
            SmsSendBlock block = SmsSendBlock.fromNote(blockNote);
            if (blockNote != null && block.showsCodePage() && nowMillis < block.retryAtMillis()) {
                // The page of a refused first send shows a resend cooldown like the page of a sent
                // code, and this enforces it the same way: the page again, no send.
                context.challenge(SmsLoginForm.codePage(context,
                        block.codeView(authSession.getAuthNote(SmsAuthenticator.NOTE_MASKED_PHONE), nowMillis),
                        null, null));
                return;
            }
            claimPart = firstSendClaimPart(authSession);
            sendNumber = 1;
        } else {
            SmsAuthenticator.Current current = SmsAuthenticator.resolve(context, previousState, nowMillis);
            if (current == null) {
                return;
            }
            previous = current.challenge();
            previousView = SmsAuthenticator.view(context, previous, nowMillis);
            if (current.repaired()) {
                // The request read a state that a newer send replaced, so it sends nothing and shows
                // the newest code, whose own cooldown applies.
                context.challenge(SmsLoginForm.codePage(context, previousView, null, null));
                return;
            }
            if (previous.sendsLeft() <= 0 || nowMillis < previous.nextSendAtMillis()) {
                // Too early, or no sends left: the page shows the wait or the restart link again.
                context.challenge(SmsLoginForm.codePage(context, previousView, null, null));
                return;
            }
            claimPart = previous.challengeId();
            sendNumber = previous.sendNumber() + 1;
        }

        RealmModel realm = context.getRealm();
        UserModel user = context.getUser();
        SmsClaims claims = SmsAuthenticator.claims(context);
        long loginLifespan = SmsAuthenticator.loginClaimLifespanSeconds(realm);
        if (!claims.claimSend(claimPart, sendNumber, loginLifespan)) {
            showParallelSend(context, previousView, prepared);
            return;
        }
        attempt.tookSend(claimPart, sendNumber);
        SmsClaims.RateClaim rateSlot = claims.claimRateSlot(realm.getId(), user.getId(),
                prepared.config().maxSendsPerHour(), nowMillis);
        if (!rateSlot.claimed()) {
            attempt.releaseSend();
            refuseRateLimited(context, previousView, prepared, rateSlot.retryAfterMinutes(), nowMillis);
            return;
        }
        attempt.tookRateSlot(rateSlot.key());

        String resultJson = callSendCode(context, prepared, previousState, previousView, nowMillis, attempt);
        if (resultJson == null) {
            return;
        }
        attempt.delivered();
        SendCodeResult result = parseSendResult(context, resultJson);
        if (result != null) {
            sent(context, result, prepared, previous, claimPart, loginLifespan, nowMillis);
        }
    }

    /**
     * Checks the config, the phone number, the lockout and the HMAC key. Renders the response and
     * returns null when one of them rules out a send.
     */
    private Prepared prepare(SmsStep context, String previousState) {
        RealmModel realm = context.getRealm();
        String executionId = context.stepId();

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
            configJson = JsonSerialization.writeValueAsString(
                    SmsRealmConfig.resolveSecrets(context.getSession(), rawConfig));
            ValidateConfigResult validated = ValidateConfigResult.fromJson(NativeBridge.validateConfig(configJson));
            configWarnings.logOnce(realm.getName(), executionId, configModel.getId(), rawConfig,
                    validated.warnings());
            config = SmsExecutionConfig.fromNormalized(validated.config());
        } catch (InvalidConfigException e) {
            logInvalidConfig(context, e.getField(), e.getMessage());
            SmsAuthenticator.unavailable(context, Errors.INVALID_CONFIG);
            return null;
        } catch (SmsRealmConfig.UnresolvedSecretException e) {
            logInvalidConfig(context, e.getField(), e.getMessage());
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

        Optional<String> phoneNumber = context.phoneNumber();
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
     * Calls the native sendCode and handles its exceptions. Returns the result JSON, or null after
     * rendering the response when no code was sent. A failure releases the send claim, so that a
     * retry can claim the same send number. It keeps the rate slot when the request may have
     * reached a gateway, because every attempt at a gateway counts against the hourly limit.
     */
    private String callSendCode(SmsStep context, Prepared prepared, String previousState,
                                SmsCodeView previousView, long nowMillis, AttemptClaims attempt) {
        RealmModel realm = context.getRealm();
        UserModel user = context.getUser();
        String originHost = prepared.config().originBoundLine() ? originHost(context.getSession()) : null;
        try {
            return NativeBridge.sendCode(prepared.configJson(), prepared.key().getSecretKey().getEncoded(),
                    prepared.phoneNumber(), smsTextTemplate(context), realmDisplayName(realm), originHost,
                    previousState, nowMillis);
        } catch (GatewayConfigException | GatewayRejectedException | GatewayUnavailableException e) {
            attempt.releaseSend();
            if (!mayHaveReachedGateway(e)) {
                attempt.releaseRateSlot();
            }
            sendFailed(context, e, prepared, previousState == null, nowMillis);
        } catch (SendNotAllowedException e) {
            // The page allowed the send a moment ago; the state decides, so show its wait.
            attempt.releaseAll();
            SmsCodeView view = previousView == null ? firstSendView(context, prepared) : previousView;
            context.challenge(SmsLoginForm.codePage(context, view.waitingAtLeast(e.getRetryAfterSeconds()), null,
                    null));
        } catch (InvalidConfigException e) {
            attempt.releaseAll();
            logInvalidConfig(context, e.getField(), e.getMessage());
            SmsAuthenticator.unavailable(context, Errors.INVALID_CONFIG);
        } catch (InvalidPhoneNumberException e) {
            attempt.releaseAll();
            LOG.warnf("The phone number %s of user '%s' in realm '%s' is invalid (%s): %s",
                    maskPhone(prepared.phoneNumber()), user.getId(), realm.getName(), e.getReason(), e.getMessage());
            SmsAuthenticator.unavailable(context, SmsEvents.ERROR_SMS_SEND_FAILED);
        } catch (InvalidChallengeException e) {
            attempt.releaseAll();
            SmsAuthenticator.restartForInvalidState(context, e);
        } catch (NativeLibraryException e) {
            attempt.releaseAll();
            SmsAuthenticator.libraryUnavailable(context, e);
        } catch (NativePanicError e) {
            attempt.releaseAll();
            logSendBug(context, e);
        } catch (IllegalStateException e) {
            // The library failed in a way that does not tell whether a request left, so the rate slot stays.
            attempt.releaseSend();
            logSendBug(context, e);
        }
        return null;
    }

    private static void logSendBug(SmsStep context, Throwable e) {
        LOG.errorf(e, "Bug while sending the SMS code for user '%s' in realm '%s', execution '%s'",
                context.getUser().getId(), context.getRealm().getName(), context.stepId());
        SmsAuthenticator.unavailable(context, Errors.GENERIC_AUTHENTICATION_ERROR);
    }

    /**
     * Parses the result of a send that succeeded; null after rendering the response when it does
     * not parse. The SMS went out, so the claims stay.
     */
    private static SendCodeResult parseSendResult(SmsStep context, String resultJson) {
        try {
            return SendCodeResult.fromJson(resultJson);
        } catch (IllegalStateException e) {
            LOG.errorf(e, "Bug: the SMS code for user '%s' in realm '%s', execution '%s', was sent but the result"
                    + " does not parse", context.getUser().getId(), context.getRealm().getName(),
                    context.stepId());
            SmsAuthenticator.unavailable(context, Errors.GENERIC_AUTHENTICATION_ERROR);
            return null;
        }
    }

    /**
     * Returns whether a failed send may have reached a gateway, which keeps its hourly rate slot.
     * A rejected or unavailable gateway may have. A configuration error may have unless its message
     * shows a failure before the HTTP request for every device it names.
     */
    static boolean mayHaveReachedGateway(Sms2faException e) {
        if (!(e instanceof GatewayConfigException)) {
            return true;
        }
        String message = e.getMessage() == null ? "" : e.getMessage();
        // NOTE: this reads the message texts of the native library (gateway/mod.rs). A message
        // that matches none of NOT_SENT_MESSAGE_STARTS keeps the slot, the safe side.
        for (String deviceFailure : message.split(SECOND_DEVICE_SEPARATOR, -1)) {
            if (NOT_SENT_MESSAGE_STARTS.stream().noneMatch(deviceFailure::startsWith)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Returns the host of Keycloak's frontend URL, from the realm's frontend URL or the configured
     * hostname, for the origin-bound line. Unlike the request's Host header, a client or proxy cannot set it.
     */
    static String originHost(KeycloakSession session) {
        String host = session.getContext().getUri(UrlType.FRONTEND).getBaseUri().getHost();
        return host == null ? "" : host;
    }

    private static void sent(SmsStep context, SendCodeResult result, Prepared prepared,
                             DescribeChallengeResult previous, String claimPart, long loginLifespan,
                             long nowMillis) {
        RealmModel realm = context.getRealm();
        UserModel user = context.getUser();
        AuthenticationSessionModel authSession = context.getAuthenticationSession();
        String deviceUrl = result.simulated() ? "" : result.deviceUrl();
        authSession.setAuthNote(SmsAuthenticator.NOTE_STATE, result.state());
        authSession.setAuthNote(SmsAuthenticator.NOTE_MASKED_PHONE, result.maskedPhone());
        authSession.setAuthNote(SmsAuthenticator.NOTE_KEY_ID, prepared.key().getKid());
        authSession.removeAuthNote(SmsAuthenticator.NOTE_SEND_BLOCKED);
        // The details of the last send go on the LOGIN event that ends a successful login. A LOGIN
        // success here, before the login completes, would mislead audits that count LOGIN events.
        authSession.setAuthNote(SmsAuthenticator.NOTE_MESSAGE_ID, result.messageId());
        authSession.setAuthNote(SmsAuthenticator.NOTE_DEVICE_URL, deviceUrl);
        authSession.setAuthNote(SmsAuthenticator.NOTE_SENT_PHONE, prepared.phoneNumber());
        context.codeSent(result.maskedPhone(), result.messageId(), deviceUrl, result.sendNumber());

        // The records let a request whose notes are stale or missing find this send; see SmsClaims.
        SmsClaims claims = SmsAuthenticator.claims(context);
        claims.recordIssued(result.challengeId(), new SmsClaims.Issued(result.sendNumber(), result.codeId(),
                result.state(), prepared.key().getKid(), result.maskedPhone(), result.messageId(), deviceUrl,
                prepared.phoneNumber()),
                loginLifespan);
        if (previous == null) {
            claims.recordFirstSend(claimPart, result.challengeId(), loginLifespan);
        }

        // The new code inherited the wrong attempts of the previous one, so their slots are taken.
        int inherited = result.attemptsUsed();
        if (previous != null) {
            int claimedByPrevious = claims.claimedGuesses(previous.codeId(), previous.maxAttempts());
            inherited = SmsClaims.inheritedGuesses(result.attemptsUsed(), claimedByPrevious, previous.maxAttempts());
        }
        claims.claimInheritedGuesses(result.codeId(), Math.min(inherited, result.maxAttempts()),
                SmsAuthenticator.codeClaimLifespanSeconds(result.expiresAtMillis(), nowMillis));

        if (result.simulated()) {
            LOG.infof("SMS suppressed (simulation mode): code %d of the login for user '%s' in realm '%s',"
                    + " execution '%s', was not sent to %s", result.sendNumber(), user.getId(), realm.getName(),
                    context.stepId(), result.maskedPhone());
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
    private static void sendFailed(SmsStep context, RuntimeException e, Prepared prepared,
                                   boolean firstSend, long nowMillis) {
        RealmModel realm = context.getRealm();
        UserModel user = context.getUser();
        String maskedPhone = maskPhone(prepared.phoneNumber());
        LOG.warnf("Failed to send the SMS code to %s for user '%s' in realm '%s', execution '%s': %s: %s",
                maskedPhone, user.getId(), realm.getName(), context.stepId(),
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
    private static void showSendBlocked(SmsStep context, SmsSendBlock block) {
        context.getAuthenticationSession().setAuthNote(SmsAuthenticator.NOTE_SEND_BLOCKED, block.toNote());
        context.challenge(Response.seeOther(context.getRefreshExecutionUrl()).build());
    }

    private static void refuseRateLimited(SmsStep context, SmsCodeView previousView,
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
     * Rejects a send to a user whom brute-force detection locked out. No SMS is sent, and the page
     * is the normal code page without an error, so that it does not reveal the lockout. After a
     * refused first send no code exists, so every code entered later gets the page of a wrong code.
     */
    private static void refuseLockedOut(SmsStep context, String previousState,
                                        SmsExecutionConfig config, String phoneNumber) {
        context.getEvent().clone().user(context.getUser()).error(Errors.USER_TEMPORARILY_DISABLED);
        SmsCodeView view;
        if (previousState == null) {
            long nowMillis = Time.currentTimeMillis();
            String maskedPhone = maskPhone(phoneNumber);
            SmsSendBlock block = SmsSendBlock.lockedOut(nowMillis, config.resendCooldownSeconds(),
                    config.maxSendsPerLogin() - 1, config.maxAttempts());
            AuthenticationSessionModel authSession = context.getAuthenticationSession();
            authSession.setAuthNote(SmsAuthenticator.NOTE_SEND_BLOCKED, block.toNote());
            authSession.setAuthNote(SmsAuthenticator.NOTE_MASKED_PHONE, maskedPhone);
            view = block.codeView(maskedPhone, nowMillis);
        } else {
            view = SmsAuthenticator.currentView(context, previousState);
            if (view == null) {
                return;
            }
        }
        context.challenge(SmsLoginForm.codePage(context, view, null, null));
    }

    /**
     * Responds to a request that lost the send claim to a parallel one, such as the second submit of
     * a double-clicked form. The parallel request sends the code and stores the state.
     */
    private static void showParallelSend(SmsStep context, SmsCodeView previousView,
                                         Prepared prepared) {
        if (previousView != null) {
            // The redirect shows the state stored by then, the new one once the parallel send is done.
            context.challenge(Response.seeOther(context.getRefreshExecutionUrl()).build());
            return;
        }
        // The first send has no state to show yet, and a redirect could come back here while the
        // parallel request is still sending, so the page shows the code input that the SMS will fill.
        // A code entered there finds the state once the parallel request has recorded it.
        context.challenge(SmsLoginForm.codePage(context, firstSendView(context, prepared), null, null));
    }

    /** Returns the view right after a first send, for pages shown before its state exists. */
    private static SmsCodeView firstSendView(SmsStep context, Prepared prepared) {
        SmsExecutionConfig config = prepared.config();
        return new SmsCodeView(maskPhone(prepared.phoneNumber()), true, null,
                Math.max(0, config.maxSendsPerLogin() - 1), config.resendCooldownSeconds());
    }

    /**
     * Returns a new random login id for {@link SmsAuthenticator#NOTE_LOGIN_ID}: 128 bits as hex.
     */
    static String newLoginId() {
        byte[] bytes = new byte[LOGIN_ID_BYTES];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /**
     * Returns the key part of the first send's claim and record, for the login id in the auth
     * note. A login id missing there, which only a parallel request's commit can cause, is set anew.
     */
    static String firstSendClaimPart(AuthenticationSessionModel authSession) {
        String loginId = authSession.getAuthNote(SmsAuthenticator.NOTE_LOGIN_ID);
        if (loginId == null) {
            loginId = newLoginId();
            authSession.setAuthNote(SmsAuthenticator.NOTE_LOGIN_ID, loginId);
        }
        return firstSendClaimPart(authSession, loginId);
    }

    static String firstSendClaimPart(AuthenticationSessionModel authSession, String loginId) {
        return firstSendClaimPart(authSession.getParentSession().getId(), authSession.getTabId(), loginId);
    }

    /**
     * Returns the key part of the first send's claim. It contains the auth session's root id and
     * tab id, which are the same for every request of a login in one browser tab, and the login id
     * that the step sets when it starts.
     *
     * <p>Why a login id from an auth note: a login restarted in the same tab keeps the root and tab
     * ids, but Keycloak clears the auth notes, so the restarted step gets a new login id and can send
     * again. The auth session's timestamp would not do, because Keycloak sets it anew in every
     * request, so two submits of one form can see different values. The step writes the login id
     * and redirects before it sends, so the GETs after a double-submitted form read the id that was
     * committed last and share one claim. The claim is released when the login succeeds, and
     * otherwise expires with the login's lifespan.
     *
     * <p>NOTE: if one submit of a double-submitted form commits only after the GET that followed
     * the other submit has sent the code, its commit replaces the notes with its own login id and
     * no state, and the next GET sends a second first code under that id.
     */
    static String firstSendClaimPart(String rootSessionId, String tabId, String loginId) {
        return rootSessionId + "." + tabId + "." + loginId;
    }

    /** Logs an invalid setting of the step's config with the field to change. */
    static void logInvalidConfig(SmsStep context, String field, String message) {
        LOG.errorf("Invalid configuration of the SMS authenticator execution '%s' in realm '%s', field '%s': %s",
                context.stepId(), context.getRealm().getName(), field, message);
    }

    /** Returns the realm's active HMAC key, which protects a new challenge state; logs why if there is none. */
    private static KeyWrapper activeKey(SmsStep context) {
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

    /** Masks a number for pages and logs; "" if the library fails, so that a page still renders. */
    static String maskPhone(String phoneNumber) {
        try {
            return NativeBridge.maskPhone(phoneNumber);
        } catch (NativePanicError | NativeLibraryException e) {
            LOG.errorf(e, "Bug while masking a phone number");
            return "";
        }
    }

    /**
     * Returns the SMS text pattern from the login theme in the user's locale, else English, else
     * the default. Enrolment uses its own text, and the login text where a theme lacks it.
     */
    private static String smsTextTemplate(SmsStep context) {
        KeycloakSession session = context.getSession();
        RealmModel realm = context.getRealm();
        try {
            Theme theme = session.theme().getTheme(Theme.Type.LOGIN);
            Locale locale = session.getContext().resolveLocale(context.getUser());
            List<String> keys = context.enrolment() ? List.of(SmsMessages.ENROL_SMS_TEXT, SmsMessages.SMS_TEXT)
                    : List.of(SmsMessages.SMS_TEXT);
            for (Locale candidate : Locale.ENGLISH.equals(locale) ? List.of(locale) : List.of(locale, Locale.ENGLISH)) {
                Properties messages = theme.getEnhancedMessages(realm, candidate);
                for (String key : keys) {
                    String template = messages.getProperty(key);
                    if (template != null) {
                        return template;
                    }
                }
            }
            return SmsMessages.DEFAULT_SMS_TEXT;
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
