package dev.sms2fa.keycloak;

import java.util.Map;
import java.util.Optional;

import jakarta.ws.rs.core.MultivaluedMap;
import org.jboss.logging.Logger;
import org.keycloak.authentication.InitiatedActionSupport;
import org.keycloak.authentication.RequiredActionContext;
import org.keycloak.authentication.RequiredActionProvider;
import org.keycloak.events.Details;
import org.keycloak.events.Errors;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.utils.FormMessage;
import org.keycloak.sessions.AuthenticationSessionModel;

import dev.sms2fa.keycloak.bridge.InvalidConfigException;
import dev.sms2fa.keycloak.bridge.InvalidPhoneNumberException;
import dev.sms2fa.keycloak.bridge.NativeBridge;
import dev.sms2fa.keycloak.bridge.NativeLibraryException;
import dev.sms2fa.keycloak.bridge.NativeLibraryLoader;
import dev.sms2fa.keycloak.bridge.NativePanicError;

/**
 * Enrolment and change of the user's number: the user picks a country and enters a number, gets a
 * code at that number, and the number is stored only after the right code, under the send,
 * attempt and resend rules of the login step. Changing the number keeps the credential id.
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

    private final SmsAuthenticator codeStep = new SmsAuthenticator();

    @Override
    public InitiatedActionSupport initiatedActionSupport() {
        return InitiatedActionSupport.SUPPORTED;
    }

    @Override
    public void evaluateTriggers(RequiredActionContext context) {
        RealmModel realm = context.getRealm();
        UserModel user = context.getUser();
        SmsRealmConfig.Found found = SmsRealmConfig.find(realm);
        Map<String, String> config = found.rawConfig();
        if (!Boolean.parseBoolean(config.getOrDefault(SmsConfigProperties.FORCE_SECOND_FACTOR, "false").trim())) {
            return;
        }
        AuthenticationSessionModel authSession = context.getAuthenticationSession();
        boolean pending = authSession.getRequiredActions().contains(SmsEnrolmentActionFactory.PROVIDER_ID)
                || user.getRequiredActionsStream().anyMatch(SmsEnrolmentActionFactory.PROVIDER_ID::equals);
        if (pending || SmsPhoneNumbers.hasSecondFactor(realm, user) || SmsPhoneNumbers.isExempt(realm, user, config)) {
            return;
        }
        LOG.debugf("Force 2FA: user '%s' in realm '%s' has no second factor and must add a phone number",
                user.getId(), realm.getName());
        // For this login only: a user who gets a second factor some other way is not asked again.
        authSession.addRequiredAction(SmsEnrolmentActionFactory.PROVIDER_ID);
    }

    @Override
    public void requiredActionChallenge(RequiredActionContext context) {
        SmsRealmConfig.Found found = SmsRealmConfig.find(context.getRealm());
        EnrolmentStep step = new EnrolmentStep(context, found);
        if (step.phoneNumber().isEmpty()) {
            context.challenge(SmsLoginForm.numberPage(step, found, null));
            return;
        }
        codeStep.authenticate(step);
    }

    @Override
    public void processAction(RequiredActionContext context) {
        SmsRealmConfig.Found found = SmsRealmConfig.find(context.getRealm());
        EnrolmentStep step = new EnrolmentStep(context, found);
        MultivaluedMap<String, String> form = context.getHttpRequest().getDecodedFormParameters();
        if (form.containsKey(FIELD_CHANGE_NUMBER)) {
            EnrolmentStep.clear(context.getAuthenticationSession());
            context.challenge(SmsLoginForm.numberPage(step, found, null));
            return;
        }
        if (form.containsKey(FIELD_PHONE)) {
            submitNumber(context, step, found, form.getFirst(FIELD_PHONE), form.getFirst(FIELD_COUNTRY));
            return;
        }
        if (step.phoneNumber().isEmpty()) {
            // A code form of an enrolment that was reset meanwhile, such as in another tab.
            context.challenge(SmsLoginForm.numberPage(step, found, null));
            return;
        }
        codeStep.action(step);
    }

    /**
     * Checks the entered number and starts its confirmation. The number is stored in an auth note
     * only; the code step's redirect sends the code in the GET that follows, whose claim makes a
     * double-submitted form send one SMS.
     */
    private void submitNumber(RequiredActionContext context, EnrolmentStep step, SmsRealmConfig.Found found,
                              String input, String country) {
        RealmModel realm = context.getRealm();
        UserModel user = context.getUser();
        Map<String, String> config = found.rawConfig();
        if (input == null || input.isBlank()) {
            context.challenge(SmsLoginForm.numberPage(step, found,
                    new FormMessage(FIELD_PHONE, SmsMessages.NUMBER_MISSING)));
            return;
        }
        SmsRealmConfig.PhoneSettings settings = SmsRealmConfig.phoneSettings(config);
        String phone;
        try {
            NativeLibraryLoader.ensureLoaded();
            // The list's choice, or none ("+ ..."), where a number without country code is refused.
            String region = country == null || !country.matches("[A-Za-z]{2}") ? "" : country;
            phone = NativeBridge.normalizePhone(input, region, settings.allowedCountries());
        } catch (InvalidPhoneNumberException e) {
            refuseNumber(context, step, found, e.getReason(), numberMessage(e.getReason()));
            return;
        } catch (InvalidConfigException e) {
            LOG.errorf("Invalid configuration of the SMS authenticator execution '%s' in realm '%s', field '%s': %s",
                    found.executionLabel(), realm.getName(), e.getField(), e.getMessage());
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

        if (settings.uniqueNumbers()) {
            Optional<String> owner = SmsPhoneNumbers.otherOwner(context.getSession(), realm, user, phone);
            if (owner.isPresent()) {
                LOG.infof("User '%s' in realm '%s' entered the number %s, which user '%s' already has; refused"
                        + " because '%s' is on", user.getId(), realm.getName(), SmsCodeSender.maskPhone(phone),
                        owner.get(), SmsConfigProperties.UNIQUE_NUMBERS);
                refuseNumber(context, step, found, "in_use", SmsMessages.NUMBER_IN_USE);
                return;
            }
        }

        AuthenticationSessionModel authSession = context.getAuthenticationSession();
        EnrolmentStep.clear(authSession);
        authSession.setAuthNote(EnrolmentStep.NOTE_PENDING_PHONE, phone);
        // Starts the code step: it sets a new login id and redirects to the GET that sends.
        codeStep.authenticate(step);
    }

    private static void refuseNumber(RequiredActionContext context, EnrolmentStep step, SmsRealmConfig.Found found,
                                     String reason, String messageKey) {
        context.getEvent().clone().user(context.getUser())
                .detail(SmsEvents.DETAIL_SMS_EVENT, SmsEvents.SMS_EVENT_NUMBER_REFUSED)
                .detail(Details.REASON, reason)
                .error(SmsEvents.ERROR_SMS_NUMBER_REFUSED);
        context.challenge(SmsLoginForm.numberPage(step, found, new FormMessage(FIELD_PHONE, messageKey)));
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
