package dev.sms2fa.keycloak;

import org.keycloak.Config;
import org.keycloak.authentication.RequiredActionFactory;
import org.keycloak.authentication.RequiredActionProvider;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;

import dev.sms2fa.keycloak.credential.SmsPhoneNumberCredentialProvider;

/**
 * Registers {@link SmsEnrolmentAction} as the required action {@value #PROVIDER_ID}, the id the
 * netzbegruenung SMS plugin uses, so that actions pending from that plugin carry over.
 */
public class SmsEnrolmentActionFactory implements RequiredActionFactory {

    public static final String PROVIDER_ID = SmsPhoneNumberCredentialProvider.ENROLMENT_ACTION;

    private static final SmsEnrolmentAction SINGLETON = new SmsEnrolmentAction();

    @Override
    public String getId() {
        return PROVIDER_ID;
    }

    @Override
    public String getDisplayText() {
        return "Phone number for SMS codes";
    }

    @Override
    public RequiredActionProvider create(KeycloakSession session) {
        return SINGLETON;
    }

    @Override
    public void init(Config.Scope config) {
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
    }

    @Override
    public void close() {
    }
}
