package dev.sms2fa.keycloak;

import java.net.URI;
import java.util.Optional;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.keycloak.authentication.AuthenticationFlowContext;
import org.keycloak.authentication.AuthenticationFlowError;
import org.keycloak.common.ClientConnection;
import org.keycloak.events.EventBuilder;
import org.keycloak.forms.login.LoginFormsProvider;
import org.keycloak.http.HttpRequest;
import org.keycloak.models.AuthenticatorConfigModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.services.managers.BruteForceProtector;
import org.keycloak.sessions.AuthenticationSessionModel;

/**
 * The SMS step of a login: the number comes from the user's credential or, before the first SMS
 * login with it, from the provisioned-number attribute ({@link SmsPhoneNumbers}).
 */
final class LoginStep implements SmsStep {

    private final AuthenticationFlowContext context;

    LoginStep(AuthenticationFlowContext context) {
        this.context = context;
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
        return context.form();
    }

    @Override
    public URI getRefreshExecutionUrl() {
        return context.getRefreshExecutionUrl();
    }

    @Override
    public AuthenticatorConfigModel getAuthenticatorConfig() {
        return context.getAuthenticatorConfig();
    }

    @Override
    public String stepId() {
        return context.getExecution().getId();
    }

    @Override
    public Optional<String> phoneNumber() {
        return SmsPhoneNumbers.loginNumber(context.getSession(), context.getRealm(), context.getUser(),
                context.getAuthenticatorConfig());
    }

    @Override
    public boolean countsForBruteForce() {
        return true;
    }

    @Override
    public BruteForceProtector getProtector() {
        return context.getProtector();
    }

    @Override
    public boolean enrolment() {
        return false;
    }

    /** True when Keycloak offers the user more than this step, as its "Try another way" link does. */
    @Override
    public boolean hasOtherMethod() {
        return context.getAuthenticationSelections() != null && context.getAuthenticationSelections().size() > 1;
    }

    @Override
    public void codeSent(String maskedPhone, String messageId, String deviceUrl, int sendNumber) {
    }

    @Override
    public void challenge(Response response) {
        context.challenge(response);
    }

    @Override
    public void failureChallenge(AuthenticationFlowError error, Response response) {
        context.failureChallenge(error, response);
    }

    @Override
    public void resetFlow() {
        context.resetFlow();
    }

    /** Puts the code's details on the LOGIN event that ends the login. */
    @Override
    public void success(Verified verified) {
        verified.addTo(context.getEvent(), SmsEvents.SMS_EVENT_CODE_VERIFIED);
        SmsPhoneNumbers.confirmLoginNumber(context.getRealm(), context.getUser(), context.getAuthenticatorConfig(),
                context.getEvent(), verified);
        context.success();
    }
}
