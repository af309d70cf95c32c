package dev.sms2fa.keycloak.credential;

import org.keycloak.credential.CredentialProviderFactory;
import org.keycloak.models.KeycloakSession;

/**
 * Registers the provider of the netzbegruenung plugin's credential type
 * {@value SmsPhoneNumberCredentialModel#LEGACY_TYPE}, so that Keycloak keeps listing and removing
 * such credentials after that plugin is gone. The SMS step reads them like its own type.
 */
public class LegacyMobileNumberCredentialProviderFactory
        implements CredentialProviderFactory<SmsPhoneNumberCredentialProvider> {

    public static final String PROVIDER_ID = SmsPhoneNumberCredentialModel.LEGACY_TYPE;

    @Override
    public String getId() {
        return PROVIDER_ID;
    }

    @Override
    public SmsPhoneNumberCredentialProvider create(KeycloakSession session) {
        return new SmsPhoneNumberCredentialProvider(session, SmsPhoneNumberCredentialModel.LEGACY_TYPE);
    }
}
