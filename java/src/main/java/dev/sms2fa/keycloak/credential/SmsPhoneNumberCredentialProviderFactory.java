package dev.sms2fa.keycloak.credential;

import org.keycloak.credential.CredentialProviderFactory;
import org.keycloak.models.KeycloakSession;

/** Registers {@link SmsPhoneNumberCredentialProvider} under the credential type as its id. */
public class SmsPhoneNumberCredentialProviderFactory
        implements CredentialProviderFactory<SmsPhoneNumberCredentialProvider> {

    public static final String PROVIDER_ID = SmsPhoneNumberCredentialModel.TYPE;

    @Override
    public String getId() {
        return PROVIDER_ID;
    }

    @Override
    public SmsPhoneNumberCredentialProvider create(KeycloakSession session) {
        return new SmsPhoneNumberCredentialProvider(session);
    }
}
