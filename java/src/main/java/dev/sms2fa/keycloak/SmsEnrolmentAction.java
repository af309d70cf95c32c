package dev.sms2fa.keycloak;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.ws.rs.core.MultivaluedMap;
import org.jboss.logging.Logger;
import org.keycloak.authentication.InitiatedActionSupport;
import org.keycloak.authentication.RequiredActionContext;
import org.keycloak.authentication.RequiredActionProvider;
import org.keycloak.common.util.Time;
import org.keycloak.events.Details;
import org.keycloak.events.Errors;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.RequiredActionProviderModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.utils.FormMessage;
import org.keycloak.sessions.AuthenticationSessionModel;

import dev.sms2fa.keycloak.bridge.DescribeChallengeResult;
import dev.sms2fa.keycloak.bridge.InvalidConfigException;
import dev.sms2fa.keycloak.bridge.InvalidPhoneNumberException;
import dev.sms2fa.keycloak.bridge.NativeBridge;
import dev.sms2fa.keycloak.bridge.NativeLibraryException;
import dev.sms2fa.keycloak.bridge.NativeLibraryLoader;
import dev.sms2fa.keycloak.bridge.NativePanicError;

/**
 * Enrolment and change of the user's number. The user picks a country, enters a number and gets a
 * code at that number. The number is stored only after the right code, under the send, attempt and
 * resend rules of the login step. Changing the number keeps the credential id.
 *
 * <p>Also applies Force 2FA in {@link #evaluateTriggers}: a user without any second factor, who
 * has no exempt role, gets this action for the current login. Settings come from the realm's
 * {@code sms-2fa} execution ({@link SmsRealmConfig}).
 */
public class SmsEnrolmentAction implements RequiredActionProvider {

    /** Form field of the number page with the entered number. */
    static final String FIELD_PHONE = "phoneNumber";
    /** Form field of the number page with the region for a number without a country code. */
    static final String FIELD_COUNTRY = "country";
    /** Form field of the code page that goes back to the number page. */
    static final String FIELD_CHANGE_NUMBER = "changeNumber";

    private static final Logger LOG = Logger.getLogger(SmsEnrolmentAction.class);
    /** Realms and configs whose Force 2FA warning was logged, so it does not repeat at every login. */
    private static final Set<String> FORCE_WARNINGS_LOGGED = ConcurrentHashMap.newKeySet();

    private final SmsAuthenticator codeStep = new SmsAuthenticator();

    @Override
    public InitiatedActionSupport initiatedActionSupport() {
        return InitiatedActionSupport.SUPPORTED;
    }

    /** Removes the enrolment's notes when the user cancels an enrolment that the account console started. */
    @Override
    public void initiatedActionCanceled(KeycloakSession session, AuthenticationSessionModel authSession) {
        EnrolmentStep.clear(authSession);
    }

    @Override
    public void evaluateTriggers(RequiredActionContext context) {
        RealmModel realm = context.getRealm();
        UserModel user = context.getUser();
        SmsRealmConfig.Found found = SmsRealmConfig.find(context.getSession(), realm);
        Map<String, String> config = found.rawConfig();
        if (!forcesSecondFactor(config)) {
            return;
        }
        AuthenticationSessionModel authSession = context.getAuthenticationSession();
        boolean pending = authSession.getRequiredActions().contains(SmsEnrolmentActionFactory.PROVIDER_ID)
                || user.getRequiredActionsStream().anyMatch(SmsEnrolmentActionFactory.PROVIDER_ID::equals);
        if (pending || SmsPhoneNumbers.hasSecondFactor(user, config) || SmsPhoneNumbers.isExempt(realm, user, config)) {
            return;
        }
        LOG.debugf("Force 2FA: user '%s' in realm '%s' has no second factor and must add a phone number",
                user.getId(), realm.getName());
        // For this login only: a user who gets a second factor some other way is not asked again.
        authSession.addRequiredAction(SmsEnrolmentActionFactory.PROVIDER_ID);
    }

    /**
     * Logs a warning, once per realm and config, when Force 2FA is on but this required action is
     * not enabled: its evaluateTriggers, which applies Force 2FA, then never runs.
     */
    static void warnIfForceCannotWork(RealmModel realm, SmsRealmConfig.Found found) {
        if (!forcesSecondFactor(found.rawConfig())) {
            return;
        }
        RequiredActionProviderModel action =
                realm.getRequiredActionProviderByAlias(SmsEnrolmentActionFactory.PROVIDER_ID);
        if ((action == null || !action.isEnabled())
                && FORCE_WARNINGS_LOGGED.add(realm.getId() + ":" + found.configId())) {
            LOG.warnf("Force 2FA is on in the SMS authenticator config of execution '%s' in realm '%s', but the"
                    + " required action '%s' is not enabled, so users without a second factor are not asked for"
                    + " a number. Enable \"Phone number for SMS codes\" under Authentication, Required actions.",
                    found.executionLabel(), realm.getName(), SmsEnrolmentActionFactory.PROVIDER_ID);
        }
    }

    /** Returns whether a config has Force 2FA on. */
    private static boolean forcesSecondFactor(Map<String, String> config) {
        return Boolean.parseBoolean(config.getOrDefault(SmsConfigProperties.FORCE_SECOND_FACTOR, "false").trim());
    }

    @Override
    public void requiredActionChallenge(RequiredActionContext context) {
        SmsRealmConfig.Found found = SmsRealmConfig.find(context.getSession(), context.getRealm());
        EnrolmentStep step = new EnrolmentStep(context, found);
        if (step.phoneNumber().isEmpty()) {
            context.challenge(SmsLoginForm.numberPage(step, found));
            return;
        }
        codeStep.authenticate(step);
    }

    @Override
    public void processAction(RequiredActionContext context) {
        SmsRealmConfig.Found found = SmsRealmConfig.find(context.getSession(), context.getRealm());
        EnrolmentStep step = new EnrolmentStep(context, found);
        MultivaluedMap<String, String> form = context.getHttpRequest().getDecodedFormParameters();
        if (form.containsKey(FIELD_CHANGE_NUMBER)) {
            // The code stays valid, so the limits go on counting when another number is entered.
            context.challenge(SmsLoginForm.numberPage(step, found));
            return;
        }
        if (form.containsKey(FIELD_PHONE)) {
            submitNumber(context, step, found, form.getFirst(FIELD_PHONE), form.getFirst(FIELD_COUNTRY));
            return;
        }
        if (step.phoneNumber().isEmpty()) {
            // A code form of an enrolment that was reset meanwhile, such as in another tab.
            context.challenge(SmsLoginForm.numberPage(step, found));
            return;
        }
        codeStep.action(step);
    }

    /**
     * Checks the entered number and sends it a code. Until the right code, the number is kept in
     * an auth note only.
     */
    private void submitNumber(RequiredActionContext context, EnrolmentStep step, SmsRealmConfig.Found found,
                              String input, String country) {
        RealmModel realm = context.getRealm();
        UserModel user = context.getUser();
        Map<String, String> config = found.rawConfig();
        if (input == null || input.isBlank()) {
            context.challenge(SmsLoginForm.numberPage(step, found,
                    new FormMessage(FIELD_PHONE, SmsMessages.NUMBER_MISSING), null));
            return;
        }
        SmsRealmConfig.PhoneSettings settings = SmsRealmConfig.phoneSettings(config);
        String phone;
        try {
            NativeLibraryLoader.ensureLoaded();
            // The list's choice, or none ("+ ..."), where a number without country code is rejected.
            // Without a list on the page (a broken allow-list) the default region applies.
            String region = "";
            if (country == null) {
                region = settings.defaultRegion();
            } else if (country.matches("[A-Za-z]{2}")) {
                region = country;
            }
            phone = NativeBridge.normalizePhone(input, region, settings.allowedCountries());
        } catch (InvalidPhoneNumberException e) {
            rejectNumber(context, step, found, e.getReason(), numberMessage(e.getReason()));
            return;
        } catch (InvalidConfigException e) {
            SmsCodeSender.logInvalidConfig(step, e.getField(), e.getMessage());
            SmsAuthenticator.unavailable(step, Errors.INVALID_CONFIG);
            return;
        } catch (NativeLibraryException e) {
            LOG.warnf("Enrolment of an SMS number for user '%s' in realm '%s' is unavailable: %s", user.getId(),
                    realm.getName(), e.getMessage());
            SmsAuthenticator.unavailable(step, Errors.GENERIC_AUTHENTICATION_ERROR);
            return;
        } catch (NativePanicError e) {
            LOG.errorf(e, "Bug while normalizing the number entered by user '%s' in realm '%s'", user.getId(),
                    realm.getName());
            SmsAuthenticator.unavailable(step, Errors.GENERIC_AUTHENTICATION_ERROR);
            return;
        }

        AuthenticationSessionModel authSession = context.getAuthenticationSession();
        String state = SmsAuthenticator.currentState(step);
        if (state == null) {
            // The first number of this enrolment: the code step sets a login id and redirects to
            // the GET that sends, whose claim makes a double-submitted form send one SMS.
            EnrolmentStep.clear(authSession);
            authSession.setAuthNote(EnrolmentStep.NOTE_PENDING_PHONE, phone);
            codeStep.authenticate(step);
            return;
        }
        // A code was sent already: the new number gets the next send of the same login, so the
        // cooldown, the sends per login and the inherited attempts still apply.
        long nowMillis = Time.currentTimeMillis();
        SmsAuthenticator.Current current = SmsAuthenticator.resolve(step, state, nowMillis);
        if (current == null) {
            return;
        }
        DescribeChallengeResult challenge = current.challenge();
        if (challenge.sendsLeft() <= 0) {
            context.challenge(SmsLoginForm.numberPage(step, found,
                    new FormMessage(FIELD_PHONE, SmsMessages.NO_SENDS_LEFT), null));
            return;
        }
        if (nowMillis < challenge.nextSendAtMillis()) {
            // Information, not an error: the number is fine and can be sent to after the wait.
            context.challenge(SmsLoginForm.numberPage(step, found, null, new FormMessage(null,
                    SmsMessages.RESEND_WAIT, SmsCodeView.secondsUntil(challenge.nextSendAtMillis(), nowMillis))));
            return;
        }
        authSession.setAuthNote(EnrolmentStep.NOTE_PENDING_PHONE, phone);
        codeStep.sendAgain(step, current.state());
    }

    /** Records why a number was rejected and shows the number page with the message. */
    static void rejectNumber(RequiredActionContext context, EnrolmentStep step, SmsRealmConfig.Found found,
                             String reason, String messageKey) {
        context.getEvent().clone().user(context.getUser())
                .detail(SmsEvents.DETAIL_SMS_EVENT, SmsEvents.SMS_EVENT_NUMBER_REJECTED)
                .detail(Details.REASON, reason)
                .error(SmsEvents.ERROR_SMS_NUMBER_REJECTED);
        context.challenge(SmsLoginForm.numberPage(step, found, new FormMessage(FIELD_PHONE, messageKey), null));
    }

    /** Returns the message key for a rejection reason of {@code normalizePhone}. */
    static String numberMessage(String reason) {
        return switch (reason == null ? "" : reason) {
            case "type" -> SmsMessages.NUMBER_TYPE;
            case "country" -> SmsMessages.NUMBER_COUNTRY;
            default -> SmsMessages.NUMBER_INVALID;
        };
    }

    @Override
    public void close() {
    }
}
