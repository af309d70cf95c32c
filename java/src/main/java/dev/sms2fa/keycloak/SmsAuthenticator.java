package dev.sms2fa.keycloak;

import java.util.Set;

import jakarta.ws.rs.core.MultivaluedMap;
import org.jboss.logging.Logger;
import org.keycloak.authentication.AuthenticationFlowContext;
import org.keycloak.authentication.AuthenticationFlowError;
import org.keycloak.authentication.Authenticator;
import org.keycloak.authentication.CredentialValidator;
import org.keycloak.common.util.Time;
import org.keycloak.credential.CredentialProvider;
import org.keycloak.crypto.Algorithm;
import org.keycloak.crypto.KeyUse;
import org.keycloak.crypto.KeyWrapper;
import org.keycloak.events.Errors;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.utils.FormMessage;
import org.keycloak.services.managers.BruteForceProtector;
import org.keycloak.sessions.AuthenticationSessionModel;

import dev.sms2fa.keycloak.bridge.DescribeChallengeResult;
import dev.sms2fa.keycloak.bridge.InvalidChallengeException;
import dev.sms2fa.keycloak.bridge.NativeBridge;
import dev.sms2fa.keycloak.bridge.NativeLibraryException;
import dev.sms2fa.keycloak.bridge.NativeLibraryLoader;
import dev.sms2fa.keycloak.bridge.NativePanicError;
import dev.sms2fa.keycloak.bridge.VerifyCodeResult;
import dev.sms2fa.keycloak.credential.SmsPhoneNumberCredentialModel;
import dev.sms2fa.keycloak.credential.SmsPhoneNumberCredentialProvider;
import dev.sms2fa.keycloak.credential.SmsPhoneNumberCredentialProviderFactory;

/**
 * Second factor that sends a one-time code by SMS and verifies the code the user enters.
 *
 * <p>{@link #authenticate} sends the first code when the step starts and otherwise renders the
 * current state; {@link #action} verifies an entered code or, on "Send a new code", sends another
 * one through {@link SmsCodeSender}. The native library generates, formats, sends and verifies the
 * codes. The authentication session stores only the opaque, HMAC-protected challenge state that
 * the library returns, never a code. Claims in Keycloak's single-use object store
 * ({@link SmsClaims}) make each send, attempt and accepted code count once across requests and
 * cluster nodes.
 */
public class SmsAuthenticator implements Authenticator, CredentialValidator<SmsPhoneNumberCredentialProvider> {

    /** Auth note with the challenge state of the current code; it stays after a burn or expiry. */
    static final String NOTE_STATE = "sms-2fa.state";
    /** Auth note with the masked receiver number, for the form. */
    static final String NOTE_MASKED_PHONE = "sms-2fa.maskedPhone";
    /** Auth note with the id of the realm HMAC key that protects the state, so key rotation cannot break a login. */
    static final String NOTE_KEY_ID = "sms-2fa.keyId";
    /**
     * Auth note set while the login has no code because its first send failed or was refused;
     * see {@link SmsSendBlock}. A reload then shows that page again instead of sending.
     */
    static final String NOTE_SEND_BLOCKED = "sms-2fa.sendBlocked";
    /** Auth note with the gateway's message id of the last code sent, for the LOGIN event. */
    static final String NOTE_MESSAGE_ID = "sms-2fa.messageId";
    /** Auth note with scheme://host:port of the gateway that accepted the last code, empty in simulation mode. */
    static final String NOTE_DEVICE_URL = "sms-2fa.deviceUrl";

    static final String HMAC_ALGORITHM = Algorithm.HS512;
    /**
     * Brute-force category of a wrong code. Keycloak 26.6 and later count failures only for the
     * categories password, otp and recovery-authn-codes, and drop those of this authenticator's
     * reference category sms-phone-number, so the authenticator reports its failures as otp.
     */
    static final Set<String> BRUTE_FORCE_CATEGORIES = Set.of("otp");
    /** Seconds that the attempt and single-use claims of a code outlive the code, for clock skew between nodes. */
    static final long CODE_CLAIM_MARGIN_SECONDS = 60;

    private static final Logger LOG = Logger.getLogger(SmsAuthenticator.class);

    private final SmsCodeSender sender = new SmsCodeSender();

    @Override
    public void authenticate(AuthenticationFlowContext context) {
        AuthenticationSessionModel authSession = context.getAuthenticationSession();
        if (authSession.getAuthNote(NOTE_STATE) != null || authSession.getAuthNote(NOTE_SEND_BLOCKED) != null) {
            // A reload, "back", or a return through "try another way": show the current state and send nothing.
            showCurrentState(context);
            return;
        }
        sender.sendCode(context, null);
    }

    @Override
    public void action(AuthenticationFlowContext context) {
        AuthenticationSessionModel authSession = context.getAuthenticationSession();
        MultivaluedMap<String, String> formData = context.getHttpRequest().getDecodedFormParameters();
        String state = authSession.getAuthNote(NOTE_STATE);

        if (formData.containsKey(SmsLoginForm.FIELD_RESEND) || formData.containsKey(SmsLoginForm.FIELD_SEND_AGAIN)) {
            if (state == null) {
                // The retry button after a failed or refused first send.
                authSession.removeAuthNote(NOTE_SEND_BLOCKED);
            }
            sender.sendCode(context, state);
            return;
        }
        if (state == null) {
            // No code is stored: the first send failed or was refused, or a parallel request has
            // not stored its code yet. authenticate() shows the page of that state.
            authenticate(context);
            return;
        }

        String enteredCode = formData.getFirst(SmsLoginForm.FIELD_CODE);
        if (enteredCode == null) {
            // A GET of the form's action URL, or a form without the code input.
            showCurrentState(context);
            return;
        }
        verifyCode(context, state, enteredCode.trim());
    }

    private void verifyCode(AuthenticationFlowContext context, String state, String enteredCode) {
        KeyWrapper key = noteKey(context);
        if (key == null) {
            restartForLostKey(context);
            return;
        }
        long nowMillis = Time.currentTimeMillis();
        DescribeChallengeResult challenge = describe(context, state, key, nowMillis);
        if (challenge == null) {
            return;
        }
        SmsCodeView view = view(context, challenge, nowMillis);

        if (enteredCode.isEmpty()) {
            FormMessage missing = view.codeOpen() ? new FormMessage(SmsLoginForm.FIELD_CODE, SmsMessages.CODE_MISSING)
                    : null;
            context.challenge(SmsLoginForm.codePage(context, view, missing, null));
            return;
        }
        if (isLockedOut(context)) {
            // Like Keycloak's OTP form: no verification, and the page does not reveal the lockout.
            context.getEvent().user(context.getUser()).error(Errors.USER_TEMPORARILY_DISABLED);
            context.forceChallenge(SmsLoginForm.codePage(context, view,
                    new FormMessage(SmsLoginForm.FIELD_CODE, SmsMessages.CODE_REJECTED), null));
            return;
        }
        if (!view.codeOpen()) {
            codeFailure(context, view, null);
            return;
        }

        long claimLifespan = codeClaimLifespanSeconds(challenge.expiresAtMillis(), nowMillis);
        SmsClaims claims = claims(context);
        int attempt = claims.claimGuess(challenge.codeId(), challenge.maxAttempts(), claimLifespan);
        if (attempt == 0) {
            // Parallel requests took every attempt slot, so the code is burned without a comparison.
            codeFailure(context, view.closed(SmsCodeView.ClosedReason.BURNED), null);
            return;
        }

        VerifyCodeResult result = callVerifyCode(context, state, key, enteredCode, nowMillis, attempt);
        if (result == null) {
            return;
        }
        AuthenticationSessionModel authSession = context.getAuthenticationSession();
        switch (result.outcome()) {
            case ACCEPTED -> {
                if (!claims.claimUsed(result.codeId(), claimLifespan)) {
                    // A parallel request with the same code was accepted first; this one fails like a wrong code.
                    codeFailure(context, view, new FormMessage(SmsLoginForm.FIELD_CODE, SmsMessages.CODE_REJECTED),
                            SmsEvents.SMS_EVENT_CODE_REUSED);
                    return;
                }
                context.getEvent()
                        .detail(SmsEvents.DETAIL_SMS_EVENT, SmsEvents.SMS_EVENT_CODE_VERIFIED)
                        .detail(SmsEvents.DETAIL_MASKED_PHONE, view.maskedPhone())
                        .detail(SmsEvents.DETAIL_CODE_ID, result.codeId())
                        .detail(SmsEvents.DETAIL_MESSAGE_ID, authSession.getAuthNote(NOTE_MESSAGE_ID))
                        .detail(SmsEvents.DETAIL_DEVICE_URL, authSession.getAuthNote(NOTE_DEVICE_URL));
                clearNotes(authSession);
                RealmModel realm = context.getRealm();
                if (realm.isBruteForceProtected()) {
                    // Clears the otp failures that codeFailure reported; Keycloak clears only the others.
                    context.getProtector().successfulLogin(realm, context.getUser(), context.getConnection(),
                            context.getUriInfo(), BRUTE_FORCE_CATEGORIES);
                }
                context.success();
            }
            case WRONG -> {
                authSession.setAuthNote(NOTE_STATE, result.state());
                codeFailure(context, view, new FormMessage(SmsLoginForm.FIELD_CODE, SmsMessages.CODE_INVALID,
                        result.attemptsLeft()), SmsEvents.SMS_EVENT_CODE_WRONG);
            }
            case EXHAUSTED -> {
                authSession.setAuthNote(NOTE_STATE, result.state());
                codeFailure(context, view.closed(SmsCodeView.ClosedReason.BURNED), null);
            }
            case EXPIRED -> {
                authSession.setAuthNote(NOTE_STATE, result.state());
                codeFailure(context, view.closed(SmsCodeView.ClosedReason.EXPIRED), null);
            }
            default -> throw new IllegalStateException("Unhandled verification outcome " + result.outcome());
        }
    }

    /** Calls the native verifyCode; returns null after rendering the response when it fails. */
    private static VerifyCodeResult callVerifyCode(AuthenticationFlowContext context, String state, KeyWrapper key,
                                                   String enteredCode, long nowMillis, int attempt) {
        try {
            NativeLibraryLoader.ensureLoaded();
            return VerifyCodeResult.fromJson(NativeBridge.verifyCode(state, key.getSecretKey().getEncoded(),
                    enteredCode, nowMillis, attempt));
        } catch (InvalidChallengeException e) {
            restartForInvalidState(context, e);
        } catch (NativeLibraryException e) {
            libraryUnavailable(context, e);
        } catch (NativePanicError | IllegalStateException e) {
            LOG.errorf(e, "Bug while verifying the SMS code of user '%s' in realm '%s'", context.getUser().getId(),
                    context.getRealm().getName());
            unavailable(context, Errors.GENERIC_AUTHENTICATION_ERROR);
        }
        return null;
    }

    /** Rejects an entry at a closed (expired or burned) code with the view's explanation. */
    private static void codeFailure(AuthenticationFlowContext context, SmsCodeView view, FormMessage codeError) {
        String smsEvent = view.closedReason() == SmsCodeView.ClosedReason.EXPIRED
                ? SmsEvents.SMS_EVENT_CODE_EXPIRED : SmsEvents.SMS_EVENT_CODE_BURNED;
        codeFailure(context, view, codeError, smsEvent);
    }

    /**
     * Rejects a wrong, expired or burned code with the same status (a failure challenge of the code
     * page), an event, and a failure for brute-force detection. {@code codeError} null shows the
     * explanation of the closed view.
     */
    private static void codeFailure(AuthenticationFlowContext context, SmsCodeView view, FormMessage codeError,
                                    String smsEvent) {
        RealmModel realm = context.getRealm();
        UserModel user = context.getUser();
        boolean expired = SmsEvents.SMS_EVENT_CODE_EXPIRED.equals(smsEvent);

        context.getEvent().user(user)
                .detail(SmsEvents.DETAIL_SMS_EVENT, smsEvent)
                .detail(SmsEvents.DETAIL_MASKED_PHONE, view.maskedPhone())
                .error(expired ? Errors.EXPIRED_CODE : Errors.INVALID_USER_CREDENTIALS);
        if (realm.isBruteForceProtected()) {
            context.getProtector().failedLogin(realm, user, context.getConnection(), context.getUriInfo(),
                    BRUTE_FORCE_CATEGORIES);
        }
        context.failureChallenge(expired ? AuthenticationFlowError.EXPIRED_CODE
                        : AuthenticationFlowError.INVALID_CREDENTIALS,
                SmsLoginForm.codePage(context, view, codeError, null));
    }

    /** Renders the current state without sending: the code page, or the page of a blocked first send. */
    static void showCurrentState(AuthenticationFlowContext context) {
        AuthenticationSessionModel authSession = context.getAuthenticationSession();
        String state = authSession.getAuthNote(NOTE_STATE);
        if (state == null) {
            SmsSendBlock block = SmsSendBlock.fromNote(authSession.getAuthNote(NOTE_SEND_BLOCKED));
            context.challenge(SmsLoginForm.sendFailedPage(context, block.messageKey(),
                    block.messageArgument(Time.currentTimeMillis())));
            return;
        }
        SmsCodeView view = currentView(context, state);
        if (view != null) {
            context.challenge(SmsLoginForm.codePage(context, view, null, null));
        }
    }

    /** Returns the view of a stored state; null after rendering the response when the state cannot be read. */
    static SmsCodeView currentView(AuthenticationFlowContext context, String state) {
        KeyWrapper key = noteKey(context);
        if (key == null) {
            restartForLostKey(context);
            return null;
        }
        long nowMillis = Time.currentTimeMillis();
        DescribeChallengeResult challenge = describe(context, state, key, nowMillis);
        return challenge == null ? null : view(context, challenge, nowMillis);
    }

    static SmsCodeView view(AuthenticationFlowContext context, DescribeChallengeResult challenge, long nowMillis) {
        boolean burnedByClaims = !challenge.burned() && !challenge.expired()
                && claims(context).allGuessesClaimed(challenge.codeId(), challenge.maxAttempts());
        return SmsCodeView.of(challenge, context.getAuthenticationSession().getAuthNote(NOTE_MASKED_PHONE),
                burnedByClaims, nowMillis);
    }

    /** Describes a state; returns null after rendering the response when it cannot be read. */
    static DescribeChallengeResult describe(AuthenticationFlowContext context, String state, KeyWrapper key,
                                            long nowMillis) {
        try {
            NativeLibraryLoader.ensureLoaded();
            return DescribeChallengeResult.fromJson(
                    NativeBridge.describeChallenge(state, key.getSecretKey().getEncoded(), nowMillis));
        } catch (InvalidChallengeException e) {
            restartForInvalidState(context, e);
        } catch (NativeLibraryException e) {
            libraryUnavailable(context, e);
        } catch (NativePanicError | IllegalStateException e) {
            LOG.errorf(e, "Bug while reading the SMS challenge state of user '%s' in realm '%s'",
                    context.getUser().getId(), context.getRealm().getName());
            unavailable(context, Errors.GENERIC_AUTHENTICATION_ERROR);
        }
        return null;
    }

    /** Returns the HMAC key that protects the stored state, or null if it no longer exists. */
    static KeyWrapper noteKey(AuthenticationFlowContext context) {
        String keyId = context.getAuthenticationSession().getAuthNote(NOTE_KEY_ID);
        KeyWrapper key = keyId == null ? null
                : context.getSession().keys().getKey(context.getRealm(), keyId, KeyUse.SIG, HMAC_ALGORITHM);
        return key == null || key.getSecretKey() == null ? null : key;
    }

    /** Returns whether brute-force detection has locked the user out, temporarily or permanently. */
    static boolean isLockedOut(AuthenticationFlowContext context) {
        RealmModel realm = context.getRealm();
        if (!realm.isBruteForceProtected()) {
            return false;
        }
        BruteForceProtector protector = context.getProtector();
        KeycloakSession session = context.getSession();
        UserModel user = context.getUser();
        return protector.isTemporarilyDisabled(session, realm, user)
                || protector.isPermanentlyLockedOut(session, realm, user);
    }

    static SmsClaims claims(AuthenticationFlowContext context) {
        return new SmsClaims(context.getSession().singleUseObjects());
    }

    /** Returns the lifespan of the attempt and single-use claims of a code that expires at {@code expiresAtMillis}. */
    static long codeClaimLifespanSeconds(long expiresAtMillis, long nowMillis) {
        return SmsCodeView.secondsUntil(expiresAtMillis, nowMillis) + CODE_CLAIM_MARGIN_SECONDS;
    }

    static void restartForLostKey(AuthenticationFlowContext context) {
        LOG.warnf("The %s key '%s' that protects the SMS challenge of user '%s' in realm '%s' no longer exists;"
                + " restarting the login", HMAC_ALGORITHM, context.getAuthenticationSession().getAuthNote(NOTE_KEY_ID),
                context.getUser().getId(), context.getRealm().getName());
        clearNotes(context.getAuthenticationSession());
        context.resetFlow();
    }

    static void restartForInvalidState(AuthenticationFlowContext context, InvalidChallengeException e) {
        LOG.warnf("Invalid SMS challenge state for user '%s' in realm '%s', restarting the login: %s",
                context.getUser().getId(), context.getRealm().getName(), e.getMessage());
        clearNotes(context.getAuthenticationSession());
        context.resetFlow();
    }

    static void libraryUnavailable(AuthenticationFlowContext context, NativeLibraryException e) {
        // NativeLibraryLoader logged the cause with its stack trace when loading failed.
        LOG.warnf("SMS authentication for user '%s' in realm '%s' is unavailable: %s", context.getUser().getId(),
                context.getRealm().getName(), e.getMessage());
        unavailable(context, Errors.GENERIC_AUTHENTICATION_ERROR);
    }

    static void unavailable(AuthenticationFlowContext context, String eventError) {
        context.getEvent().clone().user(context.getUser()).error(eventError);
        context.challenge(SmsLoginForm.unavailablePage(context));
    }

    private static void clearNotes(AuthenticationSessionModel authSession) {
        authSession.removeAuthNote(NOTE_STATE);
        authSession.removeAuthNote(NOTE_MASKED_PHONE);
        authSession.removeAuthNote(NOTE_KEY_ID);
        authSession.removeAuthNote(NOTE_SEND_BLOCKED);
        authSession.removeAuthNote(NOTE_MESSAGE_ID);
        authSession.removeAuthNote(NOTE_DEVICE_URL);
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
