package dev.sms2fa.keycloak;

import java.util.List;
import java.util.Set;

import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.keycloak.authentication.AuthenticationFlowContext;
import org.keycloak.authentication.AuthenticationFlowError;
import org.keycloak.authentication.Authenticator;
import org.keycloak.authentication.CredentialValidator;
import org.keycloak.authentication.RequiredActionFactory;
import org.keycloak.authentication.RequiredActionProvider;
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
 * <p>{@link #authenticate} starts the step with a redirect to itself, sends the first code in the
 * GET that follows, and otherwise renders the current state; {@link #action} verifies an entered
 * code or, on "Send a new code" or "Try again", sends one through {@link SmsCodeSender}. The native library generates, formats, sends and verifies the
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
     * Auth note with a random id that the step sets when it starts. The first send's claim key
     * contains it, so a login restarted in the same tab, which Keycloak starts with no auth notes,
     * can send again.
     */
    static final String NOTE_LOGIN_ID = "sms-2fa.loginId";
    /**
     * Auth note set while the login has no code because its first send failed or was refused;
     * see {@link SmsSendBlock}. A reload then shows that page again instead of sending.
     */
    static final String NOTE_SEND_BLOCKED = "sms-2fa.sendBlocked";
    /** Auth note with the gateway's message id of the last code sent, for the LOGIN event. */
    static final String NOTE_MESSAGE_ID = "sms-2fa.messageId";
    /** Auth note with scheme://host:port of the gateway that accepted the last code, empty in simulation mode. */
    static final String NOTE_DEVICE_URL = "sms-2fa.deviceUrl";
    /**
     * Auth note with the E.164 number that the current code went to. A step that stores a number
     * after the right code stores this one, so the stored number is the one the code proved.
     */
    static final String NOTE_SENT_PHONE = "sms-2fa.sentPhone";

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

    /**
     * The challenge state that a request works with: the state note, or the state of the newest
     * send when the note was stale.
     *
     * @param repaired whether the note was stale and this request restored the newest state, so
     *        the request's form was made for a code that no longer counts
     */
    record Current(String state, KeyWrapper key, DescribeChallengeResult challenge, boolean repaired) {

        /** Omits the state. */
        @Override
        public String toString() {
            return "Current[challengeId=" + challenge.challengeId() + ", sendNumber=" + challenge.sendNumber()
                    + ", repaired=" + repaired + "]";
        }
    }

    @Override
    public void authenticate(AuthenticationFlowContext context) {
        authenticate(new LoginStep(context));
    }

    @Override
    public void action(AuthenticationFlowContext context) {
        action(new LoginStep(context));
    }

    /** Starts the step, or shows its current state after a reload. */
    void authenticate(SmsStep context) {
        AuthenticationSessionModel authSession = context.getAuthenticationSession();
        if (currentState(context) != null || authSession.getAuthNote(NOTE_SEND_BLOCKED) != null) {
            // A reload, "back", or a return through "try another way": show the current state and send nothing.
            showCurrentState(context);
            return;
        }
        if (authSession.getAuthNote(NOTE_LOGIN_ID) == null) {
            // The step starts. The login id goes into the first send's claim key, and the send
            // happens in the GET that follows this redirect, so that the GETs after a
            // double-submitted form read the login id committed last and share one claim.
            authSession.setAuthNote(NOTE_LOGIN_ID, SmsCodeSender.newLoginId());
            context.challenge(Response.seeOther(context.getRefreshExecutionUrl()).build());
            return;
        }
        // The GET after the redirect above. The first send's claim makes a repeated GET send nothing.
        sender.sendCode(context, null);
    }

    /** Sends the next code of the step's login after the caller has checked its cooldown and limit. */
    void sendAgain(SmsStep context, String state) {
        sender.sendCode(context, state);
    }

    /** Handles a submitted form of the step: an entered code, "Send a new code" or "Try again". */
    void action(SmsStep context) {
        MultivaluedMap<String, String> formData = context.getHttpRequest().getDecodedFormParameters();
        String state = currentState(context);

        if (formData.containsKey(SmsLoginForm.FIELD_RESEND) || formData.containsKey(SmsLoginForm.FIELD_SEND_AGAIN)) {
            // The only requests of action() that send. Without a state this retries the login's first
            // send after it failed or was refused, and its claim lets only one request send it.
            sender.sendCode(context, state);
            return;
        }

        String enteredCode = formData.getFirst(SmsLoginForm.FIELD_CODE);
        if (state == null) {
            // No code exists: the first send failed or was refused, or a parallel request is still
            // sending it. Nothing is sent here.
            rejectWithoutCode(context, enteredCode);
            return;
        }
        if (enteredCode == null) {
            // A GET of the form's action URL, or a form without the code input.
            showCurrentState(context);
            return;
        }
        try {
            verifyCode(context, state, enteredCode.trim());
        } catch (RuntimeException e) {
            // The attempt slot, if one was claimed, stays taken: an attempt counts before the comparison.
            LOG.errorf(e, "Bug while verifying the SMS code of user '%s' in realm '%s', execution '%s'",
                    context.getUser().getId(), context.getRealm().getName(), context.stepId());
            unavailable(context, Errors.GENERIC_AUTHENTICATION_ERROR);
        }
    }

    private void verifyCode(SmsStep context, String state, String enteredCode) {
        long nowMillis = Time.currentTimeMillis();
        Current current = resolve(context, state, nowMillis);
        if (current == null) {
            return;
        }
        DescribeChallengeResult challenge = current.challenge();
        SmsCodeView view = view(context, challenge, nowMillis);
        if (current.repaired()) {
            // The form belonged to a code that a newer send replaced. Nothing is compared, and the
            // page shows the newest code.
            context.challenge(SmsLoginForm.codePage(context, view, null, null));
            return;
        }

        if (enteredCode.isEmpty()) {
            FormMessage missing = view.codeOpen() ? new FormMessage(SmsLoginForm.FIELD_CODE, SmsMessages.CODE_MISSING)
                    : null;
            context.challenge(SmsLoginForm.codePage(context, view, missing, null));
            return;
        }
        SmsClaims claims = claims(context);
        if (isLockedOut(context)) {
            // Like Keycloak's OTP form: no verification. The page is the one of a wrong code with
            // the attempts left unchanged, so it does not reveal the lockout.
            FormMessage wrong = view.codeOpen() ? wrongCodeMessage(attemptsLeft(claims, challenge)) : null;
            rejectLockedOut(context, view, wrong);
            return;
        }
        if (!view.codeOpen()) {
            codeFailure(context, view, null);
            return;
        }

        long claimLifespan = codeClaimLifespanSeconds(challenge.expiresAtMillis(), nowMillis);
        int attempt = claims.claimGuess(challenge.codeId(), challenge.maxAttempts(), claimLifespan);
        if (attempt == 0) {
            // Parallel requests took every attempt slot, so the code is burned without a comparison.
            codeFailure(context, view.closed(SmsCodeView.ClosedReason.BURNED), null);
            return;
        }

        VerifyCodeResult result = callVerifyCode(context, current.state(), current.key(), enteredCode, nowMillis,
                attempt);
        if (result == null) {
            return;
        }
        // Checked again after the comparison: a send that started meanwhile makes this state old,
        // and writing it back would undo that send's state. The attempt slots keep the count.
        boolean writeBack = !noteSuperseded(claims, challenge);
        AuthenticationSessionModel authSession = context.getAuthenticationSession();
        switch (result.outcome()) {
            case ACCEPTED -> {
                if (!claims.claimUsed(result.codeId(), claimLifespan)) {
                    // A parallel request with the same code was accepted first. This one gets the
                    // page of a wrong code, but it is no guess, so brute-force detection does not count it.
                    reportCodeFailure(context, view, wrongCodeMessage(result.attemptsLeft()),
                            SmsEvents.SMS_EVENT_CODE_REUSED, false);
                    return;
                }
                accepted(context, view, result);
            }
            case WRONG -> {
                if (writeBack) {
                    authSession.setAuthNote(NOTE_STATE, result.state());
                }
                codeFailure(context, view, wrongCodeMessage(result.attemptsLeft()), SmsEvents.SMS_EVENT_CODE_WRONG);
            }
            case EXHAUSTED -> {
                if (writeBack) {
                    authSession.setAuthNote(NOTE_STATE, result.state());
                }
                codeFailure(context, view.closed(SmsCodeView.ClosedReason.BURNED), null);
            }
            case EXPIRED -> {
                if (writeBack) {
                    authSession.setAuthNote(NOTE_STATE, result.state());
                }
                codeFailure(context, view.closed(SmsCodeView.ClosedReason.EXPIRED), null);
            }
            default -> throw new IllegalStateException("Unhandled verification outcome " + result.outcome());
        }
    }

    private static void accepted(SmsStep context, SmsCodeView view, VerifyCodeResult result) {
        AuthenticationSessionModel authSession = context.getAuthenticationSession();
        SmsStep.Verified verified = new SmsStep.Verified(view.maskedPhone(), result.codeId(),
                authSession.getAuthNote(NOTE_MESSAGE_ID), authSession.getAuthNote(NOTE_DEVICE_URL),
                authSession.getAuthNote(NOTE_SENT_PHONE));
        String loginId = authSession.getAuthNote(NOTE_LOGIN_ID);
        if (loginId != null) {
            // The login ends here, so its first-send claim is no longer needed.
            claims(context).releaseSend(SmsCodeSender.firstSendClaimPart(authSession, loginId), 1);
        }
        clearNotes(authSession);
        RealmModel realm = context.getRealm();
        if (context.countsForBruteForce() && realm.isBruteForceProtected()) {
            // Clears the otp failures that codeFailure reported; Keycloak clears only the others.
            context.getProtector().successfulLogin(realm, context.getUser(), context.getConnection(),
                    context.getUriInfo(), BRUTE_FORCE_CATEGORIES);
        }
        context.success(verified);
    }

    /**
     * Responds to a code form submitted while the login has no code. After a first send that was
     * refused to a locked-out user, an entered code gets the page of a wrong code without a
     * comparison. Every other case shows the current page.
     */
    private static void rejectWithoutCode(SmsStep context, String enteredCode) {
        AuthenticationSessionModel authSession = context.getAuthenticationSession();
        String blockNote = authSession.getAuthNote(NOTE_SEND_BLOCKED);
        SmsSendBlock block = SmsSendBlock.fromNote(blockNote);
        if (blockNote == null || !block.showsCodePage() || enteredCode == null) {
            showCurrentState(context);
            return;
        }
        SmsCodeView view = block.codeView(authSession.getAuthNote(NOTE_MASKED_PHONE), Time.currentTimeMillis());
        if (enteredCode.isBlank()) {
            context.challenge(SmsLoginForm.codePage(context, view,
                    new FormMessage(SmsLoginForm.FIELD_CODE, SmsMessages.CODE_MISSING), null));
            return;
        }
        rejectLockedOut(context, view, wrongCodeMessage(block.maxAttempts()));
    }

    /**
     * Rejects an entered code without a comparison, with the page of a wrong code and no failure
     * for brute-force detection: Keycloak's OTP form does not count entries of a locked-out user either.
     */
    private static void rejectLockedOut(SmsStep context, SmsCodeView view, FormMessage codeError) {
        context.getEvent().user(context.getUser())
                .detail(SmsEvents.DETAIL_MASKED_PHONE, view.maskedPhone())
                .error(isLockedOut(context) ? Errors.USER_TEMPORARILY_DISABLED : Errors.INVALID_USER_CREDENTIALS);
        failureChallenge(context, view, codeError);
    }

    /** Calls the native verifyCode; returns null after rendering the response when it fails. */
    private static VerifyCodeResult callVerifyCode(SmsStep context, String state, KeyWrapper key,
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

    static FormMessage wrongCodeMessage(int attemptsLeft) {
        return new FormMessage(SmsLoginForm.FIELD_CODE, SmsMessages.CODE_INVALID, Math.max(0, attemptsLeft));
    }

    /**
     * Returns the attempts left at the current code: the maximum less the larger of the count in
     * the state and the attempt slots claimed, which parallel requests may have taken.
     */
    static int attemptsLeft(SmsClaims claims, DescribeChallengeResult challenge) {
        int used = Math.max(challenge.attemptsUsed(), claims.claimedGuesses(challenge.codeId(), challenge.maxAttempts()));
        return Math.max(0, challenge.maxAttempts() - used);
    }

    /** Rejects an entry at a closed (expired or burned) code with the view's explanation. */
    private static void codeFailure(SmsStep context, SmsCodeView view, FormMessage codeError) {
        String smsEvent = view.closedReason() == SmsCodeView.ClosedReason.EXPIRED
                ? SmsEvents.SMS_EVENT_CODE_EXPIRED : SmsEvents.SMS_EVENT_CODE_BURNED;
        codeFailure(context, view, codeError, smsEvent);
    }

    /** Rejects a wrong, expired or burned code and reports it to brute-force detection. */
    private static void codeFailure(SmsStep context, SmsCodeView view, FormMessage codeError,
                                    String smsEvent) {
        reportCodeFailure(context, view, codeError, smsEvent, true);
    }

    /**
     * Rejects a code with the same status as every code failure (a failure challenge of the code
     * page) and an event; {@code countFailure} also reports it to brute-force detection.
     * {@code codeError} null shows the explanation of a closed view.
     */
    private static void reportCodeFailure(SmsStep context, SmsCodeView view, FormMessage codeError,
                                          String smsEvent, boolean countFailure) {
        RealmModel realm = context.getRealm();
        UserModel user = context.getUser();
        boolean expired = SmsEvents.SMS_EVENT_CODE_EXPIRED.equals(smsEvent);

        context.getEvent().user(user)
                .detail(SmsEvents.DETAIL_SMS_EVENT, smsEvent)
                .detail(SmsEvents.DETAIL_MASKED_PHONE, view.maskedPhone())
                .error(expired ? Errors.EXPIRED_CODE : Errors.INVALID_USER_CREDENTIALS);
        if (countFailure && context.countsForBruteForce() && realm.isBruteForceProtected()) {
            context.getProtector().failedLogin(realm, user, context.getConnection(), context.getUriInfo(),
                    BRUTE_FORCE_CATEGORIES);
        }
        failureChallenge(context, view, codeError);
    }

    private static void failureChallenge(SmsStep context, SmsCodeView view, FormMessage codeError) {
        boolean expired = view.closedReason() == SmsCodeView.ClosedReason.EXPIRED;
        context.failureChallenge(expired ? AuthenticationFlowError.EXPIRED_CODE
                        : AuthenticationFlowError.INVALID_CREDENTIALS,
                SmsLoginForm.codePage(context, view, codeError, null));
    }

    /** Renders the current state without sending: the code page, or the page of a blocked first send. */
    static void showCurrentState(SmsStep context) {
        AuthenticationSessionModel authSession = context.getAuthenticationSession();
        String state = currentState(context);
        long nowMillis = Time.currentTimeMillis();
        if (state == null) {
            SmsSendBlock block = SmsSendBlock.fromNote(authSession.getAuthNote(NOTE_SEND_BLOCKED));
            if (block.showsCodePage()) {
                context.challenge(SmsLoginForm.codePage(context,
                        block.codeView(authSession.getAuthNote(NOTE_MASKED_PHONE), nowMillis), null, null));
            } else {
                context.challenge(SmsLoginForm.sendFailedPage(context, block.messageKey(),
                        block.messageArgument(nowMillis)));
            }
            return;
        }
        Current current = resolve(context, state, nowMillis);
        if (current != null) {
            context.challenge(SmsLoginForm.codePage(context, view(context, current.challenge(), nowMillis), null,
                    null));
        }
    }

    /** Returns the view of a stored state; null after rendering the response when the state cannot be read. */
    static SmsCodeView currentView(SmsStep context, String state) {
        long nowMillis = Time.currentTimeMillis();
        Current current = resolve(context, state, nowMillis);
        return current == null ? null : view(context, current.challenge(), nowMillis);
    }

    static SmsCodeView view(SmsStep context, DescribeChallengeResult challenge, long nowMillis) {
        boolean burnedByClaims = !challenge.burned() && !challenge.expired()
                && claims(context).allGuessesClaimed(challenge.codeId(), challenge.maxAttempts());
        return SmsCodeView.of(challenge, context.getAuthenticationSession().getAuthNote(NOTE_MASKED_PHONE),
                burnedByClaims, nowMillis);
    }

    /**
     * Returns the state note. When it is missing but the login's first send is recorded, which
     * happens when a parallel request that read the session before that send committed last,
     * restores the notes of the newest send and returns its state. Returns null when the login
     * has no code.
     */
    static String currentState(SmsStep context) {
        AuthenticationSessionModel authSession = context.getAuthenticationSession();
        String state = authSession.getAuthNote(NOTE_STATE);
        String loginId = authSession.getAuthNote(NOTE_LOGIN_ID);
        if (state != null || loginId == null) {
            return state;
        }
        SmsClaims claims = claims(context);
        String challengeId = claims.firstSendChallenge(SmsCodeSender.firstSendClaimPart(authSession, loginId));
        SmsClaims.Issued issued = challengeId == null ? null : claims.issued(challengeId);
        if (issued == null) {
            return null;
        }
        LOG.debugf("Restored the SMS challenge state of send %d for user '%s' in realm '%s', which a parallel"
                + " request had removed", issued.sendNumber(), context.getUser().getId(), context.getRealm().getName());
        restoreNotes(authSession, issued);
        return issued.state();
    }

    /**
     * Describes a state and checks it against the record of the challenge's newest send. A stale
     * state, written back by a request that read the session before that send, is replaced by the
     * newest one in the notes. Returns null after rendering the response when a state cannot be read.
     */
    static Current resolve(SmsStep context, String state, long nowMillis) {
        KeyWrapper key = noteKey(context);
        if (key == null) {
            restartForLostKey(context);
            return null;
        }
        DescribeChallengeResult challenge = describe(context, state, key, nowMillis);
        if (challenge == null) {
            return null;
        }
        SmsClaims.Issued newest = claims(context).issued(challenge.challengeId());
        if (newest == null || !newest.supersedes(challenge.sendNumber(), challenge.codeId())) {
            return new Current(state, key, challenge, false);
        }

        LOG.debugf("The SMS challenge state of user '%s' in realm '%s' was from send %d, but send %d is the newest;"
                + " restoring it", context.getUser().getId(), context.getRealm().getName(), challenge.sendNumber(),
                newest.sendNumber());
        restoreNotes(context.getAuthenticationSession(), newest);
        KeyWrapper newestKey = noteKey(context);
        if (newestKey == null) {
            restartForLostKey(context);
            return null;
        }
        DescribeChallengeResult newestChallenge = describe(context, newest.state(), newestKey, nowMillis);
        return newestChallenge == null ? null : new Current(newest.state(), newestKey, newestChallenge, true);
    }

    /**
     * Returns whether a send after the one that produced {@code challenge} has been recorded or
     * claimed. A state of that challenge is then old and must not be written back over the notes.
     */
    static boolean noteSuperseded(SmsClaims claims, DescribeChallengeResult challenge) {
        SmsClaims.Issued newest = claims.issued(challenge.challengeId());
        if (newest != null && newest.supersedes(challenge.sendNumber(), challenge.codeId())) {
            return true;
        }
        return claims.sendClaimed(challenge.challengeId(), challenge.sendNumber() + 1);
    }

    private static void restoreNotes(AuthenticationSessionModel authSession, SmsClaims.Issued issued) {
        authSession.setAuthNote(NOTE_STATE, issued.state());
        authSession.setAuthNote(NOTE_KEY_ID, issued.keyId());
        authSession.setAuthNote(NOTE_MASKED_PHONE, issued.maskedPhone());
        authSession.setAuthNote(NOTE_MESSAGE_ID, issued.messageId());
        authSession.setAuthNote(NOTE_DEVICE_URL, issued.deviceUrl());
        authSession.setAuthNote(NOTE_SENT_PHONE, issued.phone());
        authSession.removeAuthNote(NOTE_SEND_BLOCKED);
    }

    /** Describes a state; returns null after rendering the response when it cannot be read. */
    static DescribeChallengeResult describe(SmsStep context, String state, KeyWrapper key,
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
    static KeyWrapper noteKey(SmsStep context) {
        String keyId = context.getAuthenticationSession().getAuthNote(NOTE_KEY_ID);
        KeyWrapper key = keyId == null ? null
                : context.getSession().keys().getKey(context.getRealm(), keyId, KeyUse.SIG, HMAC_ALGORITHM);
        return key == null || key.getSecretKey() == null ? null : key;
    }

    /** Returns whether brute-force detection has locked the user out, temporarily or permanently. */
    static boolean isLockedOut(SmsStep context) {
        RealmModel realm = context.getRealm();
        if (!context.countsForBruteForce() || !realm.isBruteForceProtected()) {
            return false;
        }
        BruteForceProtector protector = context.getProtector();
        KeycloakSession session = context.getSession();
        UserModel user = context.getUser();
        return protector.isTemporarilyDisabled(session, realm, user)
                || protector.isPermanentlyLockedOut(session, realm, user);
    }

    static SmsClaims claims(SmsStep context) {
        return new SmsClaims(context.getSession().singleUseObjects());
    }

    /** Returns the lifespan of the attempt and single-use claims of a code that expires at {@code expiresAtMillis}. */
    static long codeClaimLifespanSeconds(long expiresAtMillis, long nowMillis) {
        return SmsCodeView.secondsUntil(expiresAtMillis, nowMillis) + CODE_CLAIM_MARGIN_SECONDS;
    }

    /** Returns the lifespan of the send claims and send records, which last for the whole login. */
    static long loginClaimLifespanSeconds(RealmModel realm) {
        return SmsClaims.loginClaimLifespanSeconds(realm.getAccessCodeLifespanLogin(),
                realm.getAccessCodeLifespanUserAction(), realm.getAccessCodeLifespan());
    }

    static void restartForLostKey(SmsStep context) {
        LOG.warnf("The %s key '%s' that protects the SMS challenge of user '%s' in realm '%s' no longer exists;"
                + " restarting the login", HMAC_ALGORITHM, context.getAuthenticationSession().getAuthNote(NOTE_KEY_ID),
                context.getUser().getId(), context.getRealm().getName());
        clearNotes(context.getAuthenticationSession());
        context.resetFlow();
    }

    static void restartForInvalidState(SmsStep context, InvalidChallengeException e) {
        LOG.warnf("Invalid SMS challenge state for user '%s' in realm '%s', restarting the login: %s",
                context.getUser().getId(), context.getRealm().getName(), e.getMessage());
        clearNotes(context.getAuthenticationSession());
        context.resetFlow();
    }

    static void libraryUnavailable(SmsStep context, NativeLibraryException e) {
        // NativeLibraryLoader logged the cause with its stack trace when loading failed.
        LOG.warnf("SMS authentication for user '%s' in realm '%s' is unavailable: %s", context.getUser().getId(),
                context.getRealm().getName(), e.getMessage());
        unavailable(context, Errors.GENERIC_AUTHENTICATION_ERROR);
    }

    static void unavailable(SmsStep context, String eventError) {
        context.getEvent().clone().user(context.getUser()).error(eventError);
        context.challenge(SmsLoginForm.unavailablePage(context));
    }

    static void clearNotes(AuthenticationSessionModel authSession) {
        authSession.removeAuthNote(NOTE_STATE);
        authSession.removeAuthNote(NOTE_MASKED_PHONE);
        authSession.removeAuthNote(NOTE_KEY_ID);
        authSession.removeAuthNote(NOTE_SEND_BLOCKED);
        authSession.removeAuthNote(NOTE_MESSAGE_ID);
        authSession.removeAuthNote(NOTE_DEVICE_URL);
        authSession.removeAuthNote(NOTE_SENT_PHONE);
        authSession.removeAuthNote(NOTE_LOGIN_ID);
    }

    @Override
    public boolean requiresUser() {
        return true;
    }

    /**
     * True when the user has a number: a credential of this plugin or of the netzbegruenung plugin,
     * or a value in the provisioned-number attribute of the realm's config.
     */
    @Override
    public boolean configuredFor(KeycloakSession session, RealmModel realm, UserModel user) {
        SmsRealmConfig.Found found = SmsRealmConfig.find(session, realm);
        SmsEnrolmentAction.warnIfForceCannotWork(realm, found);
        return SmsPhoneNumbers.hasNumber(user, found.rawConfig());
    }

    /**
     * Names the enrolment action, so that Keycloak checks that it is enabled before it sends a user
     * without a number there from a REQUIRED step. A disabled action then stops the login instead
     * of letting the user pass with the password alone.
     */
    @Override
    public List<RequiredActionFactory> getRequiredActions(KeycloakSession session) {
        return List.of((RequiredActionFactory) session.getKeycloakSessionFactory()
                .getProviderFactory(RequiredActionProvider.class, SmsEnrolmentActionFactory.PROVIDER_ID));
    }

    /** Asks a user without a number to add one, when the execution is REQUIRED and user setup is on. */
    @Override
    public void setRequiredActions(KeycloakSession session, RealmModel realm, UserModel user) {
        if (user.getRequiredActionsStream().noneMatch(SmsEnrolmentActionFactory.PROVIDER_ID::equals)) {
            user.addRequiredAction(SmsEnrolmentActionFactory.PROVIDER_ID);
        }
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
