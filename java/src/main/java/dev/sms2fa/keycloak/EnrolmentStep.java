package dev.sms2fa.keycloak;

import java.net.URI;
import java.util.Optional;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.logging.Logger;
import org.keycloak.authentication.AuthenticationFlowError;
import org.keycloak.authentication.RequiredActionContext;
import org.keycloak.common.ClientConnection;
import org.keycloak.credential.CredentialModel;
import org.keycloak.events.Details;
import org.keycloak.events.EventBuilder;
import org.keycloak.events.EventType;
import org.keycloak.forms.login.LoginFormsProvider;
import org.keycloak.http.HttpRequest;
import org.keycloak.models.AuthenticatorConfigModel;
import org.keycloak.models.Constants;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.services.managers.BruteForceProtector;
import org.keycloak.services.resources.LoginActionsService;
import org.keycloak.sessions.AuthenticationSessionModel;

import dev.sms2fa.keycloak.credential.SmsPhoneNumberCredentialModel;

/**
 * The confirmation of a new number in enrolment ({@link SmsEnrolmentAction}): the code goes to the
 * number the user entered, which is kept in an auth note until the right code stores it. Wrong
 * codes do not count for brute-force detection, because the user has already logged in.
 */
final class EnrolmentStep implements SmsStep {

    /** Auth note with the E.164 number that the user entered and that the codes go to. */
    static final String NOTE_PENDING_PHONE = "sms-2fa.enrol.phone";

    private static final Logger LOG = Logger.getLogger(EnrolmentStep.class);

    private final RequiredActionContext context;
    private final SmsRealmConfig.Found found;

    EnrolmentStep(RequiredActionContext context, SmsRealmConfig.Found found) {
        this.context = context;
        this.found = found;
    }

    @Override
    public KeycloakSession getSession() {
        return context.getSession();
    }

    @Override
    public RealmModel getRealm() {
        return context.getRealm();
    }

    @Override
    public UserModel getUser() {
        return context.getUser();
    }

    @Override
    public AuthenticationSessionModel getAuthenticationSession() {
        return context.getAuthenticationSession();
    }

    @Override
    public EventBuilder getEvent() {
        return context.getEvent();
    }

    @Override
    public ClientConnection getConnection() {
        return context.getConnection();
    }

    @Override
    public UriInfo getUriInfo() {
        return context.getUriInfo();
    }

    @Override
    public HttpRequest getHttpRequest() {
        return context.getHttpRequest();
    }

    @Override
    public LoginFormsProvider form() {
        return context.form().setAttribute(SmsLoginForm.ATTRIBUTE_ENROLMENT, true);
    }

    /** Returns the GET URL of the required action, which Keycloak itself redirects to for a pending action. */
    @Override
    public URI getRefreshExecutionUrl() {
        AuthenticationSessionModel authSession = context.getAuthenticationSession();
        return LoginActionsService.requiredActionProcessor(context.getUriInfo())
                .queryParam(Constants.EXECUTION, SmsEnrolmentActionFactory.PROVIDER_ID)
                .queryParam(Constants.CLIENT_ID, authSession.getClient().getClientId())
                .queryParam(Constants.TAB_ID, authSession.getTabId())
                .build(context.getRealm().getName());
    }

    @Override
    public AuthenticatorConfigModel getAuthenticatorConfig() {
        return found.config();
    }

    @Override
    public String stepId() {
        return SmsEnrolmentActionFactory.PROVIDER_ID + " with the config of execution " + found.executionLabel();
    }

    @Override
    public Optional<String> phoneNumber() {
        return Optional.ofNullable(context.getAuthenticationSession().getAuthNote(NOTE_PENDING_PHONE));
    }

    @Override
    public boolean countsForBruteForce() {
        return false;
    }

    @Override
    public BruteForceProtector getProtector() {
        return context.getSession().getProvider(BruteForceProtector.class);
    }

    @Override
    public boolean enrolment() {
        return true;
    }

    @Override
    public boolean hasOtherMethod() {
        return false;
    }

    @Override
    public void codeSent(String maskedPhone, String messageId, String deviceUrl, int sendNumber) {
        context.getEvent().clone()
                .detail(SmsEvents.DETAIL_SMS_EVENT, SmsEvents.SMS_EVENT_CODE_SENT)
                .detail(SmsEvents.DETAIL_MASKED_PHONE, maskedPhone)
                .detail(SmsEvents.DETAIL_MESSAGE_ID, messageId)
                .detail(SmsEvents.DETAIL_DEVICE_URL, deviceUrl)
                .success();
    }

    @Override
    public void challenge(Response response) {
        context.challenge(response);
    }

    @Override
    public void failureChallenge(AuthenticationFlowError error, Response response) {
        context.challenge(response);
    }

    @Override
    public void resetFlow() {
        clear(context.getAuthenticationSession());
        context.challenge(SmsLoginForm.numberPage(this, found));
    }

    /**
     * Stores the number that the accepted code went to: in place of the stored one, so the
     * credential id stays, or as a new credential. Records UPDATE_CREDENTIAL with the code's
     * details. The required action's own event builder gets none of them, because Keycloak reuses
     * it for the LOGIN event of the login.
     *
     * <p>The uniqueness rule is checked here, after the code proved that the user has the phone, so
     * that the rejection cannot tell anyone else that the number belongs to a user.
     */
    @Override
    public void success(Verified verified) {
        AuthenticationSessionModel authSession = context.getAuthenticationSession();
        UserModel user = context.getUser();
        RealmModel realm = context.getRealm();
        String phone = verified.phone();

        if (phone == null || phone.isEmpty()) {
            // Only a state from before this version lacks the number; the user enters it again.
            LOG.warnf("The accepted enrolment code of user '%s' in realm '%s' has no number on record; asking for"
                    + " the number again", user.getId(), realm.getName());
            resetFlow();
            return;
        }
        if (SmsRealmConfig.phoneSettings(found.rawConfig()).uniqueNumbers()) {
            Optional<String> owner = SmsPhoneNumbers.otherOwner(context.getSession(), realm, user, phone);
            if (owner.isPresent()) {
                LOG.infof("User '%s' in realm '%s' confirmed the number %s, which user '%s' already has; rejected"
                        + " because '%s' is on", user.getId(), realm.getName(), verified.maskedPhone(), owner.get(),
                        SmsConfigProperties.UNIQUE_NUMBERS);
                clear(authSession);
                SmsEnrolmentAction.rejectNumber(context, this, found, "in_use", SmsMessages.NUMBER_IN_USE);
                return;
            }
        }

        Optional<CredentialModel> existing = SmsPhoneNumbers.storedCredential(user);
        CredentialModel stored = SmsPhoneNumbers.store(realm, user, existing.orElse(null), phone);
        String smsEvent = existing.isPresent() ? SmsEvents.SMS_EVENT_NUMBER_CHANGED : SmsEvents.SMS_EVENT_ENROLLED;
        verified.addTo(context.getEvent().clone().event(EventType.UPDATE_CREDENTIAL), smsEvent)
                .detail(Details.CREDENTIAL_TYPE, SmsPhoneNumberCredentialModel.TYPE)
                .detail(Details.CREDENTIAL_ID, stored.getId())
                .success();
        LOG.infof("User '%s' in realm '%s' confirmed the number %s (%s), credential '%s'", user.getId(),
                realm.getName(), verified.maskedPhone(), smsEvent, stored.getId());
        clear(authSession);
        context.success();
    }

    /** Removes the enrolment's notes and those of its code. */
    static void clear(AuthenticationSessionModel authSession) {
        authSession.removeAuthNote(NOTE_PENDING_PHONE);
        SmsAuthenticator.clearNotes(authSession);
    }
}
