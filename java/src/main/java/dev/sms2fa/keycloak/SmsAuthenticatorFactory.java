package dev.sms2fa.keycloak;

import java.util.List;

import org.keycloak.Config;
import org.keycloak.authentication.Authenticator;
import org.keycloak.authentication.AuthenticatorFactory;
import org.keycloak.models.AuthenticationExecutionModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.provider.ProviderConfigProperty;

import dev.sms2fa.keycloak.bridge.NativeLibraryException;
import dev.sms2fa.keycloak.bridge.NativeLibraryLoader;
import dev.sms2fa.keycloak.credential.SmsPhoneNumberCredentialModel;

/** Registers {@link SmsAuthenticator} as the authentication execution {@value #PROVIDER_ID}. */
public class SmsAuthenticatorFactory implements AuthenticatorFactory {

    public static final String PROVIDER_ID = "sms-2fa";

    private static final AuthenticationExecutionModel.Requirement[] REQUIREMENT_CHOICES = {
            AuthenticationExecutionModel.Requirement.REQUIRED,
            AuthenticationExecutionModel.Requirement.ALTERNATIVE,
            AuthenticationExecutionModel.Requirement.DISABLED,
    };

    private static final SmsAuthenticator SINGLETON = new SmsAuthenticator();

    @Override
    public String getId() {
        return PROVIDER_ID;
    }

    @Override
    public String getDisplayType() {
        return "SMS Authentication (2FA)";
    }

    @Override
    public String getHelpText() {
        return "Sends a one-time code by SMS to the user's phone number and asks for it. Users add their number"
                + " with the required action \"Phone number for SMS codes\" (mobile_number_config).";
    }

    @Override
    public String getReferenceCategory() {
        return SmsPhoneNumberCredentialModel.TYPE;
    }

    @Override
    public boolean isConfigurable() {
        return true;
    }

    @Override
    public AuthenticationExecutionModel.Requirement[] getRequirementChoices() {
        return REQUIREMENT_CHOICES.clone();
    }

    /** A REQUIRED execution sends a user without a number to the enrolment required action. */
    @Override
    public boolean isUserSetupAllowed() {
        return true;
    }

    @Override
    public List<ProviderConfigProperty> getConfigProperties() {
        return SmsConfigProperties.list();
    }

    @Override
    public Authenticator create(KeycloakSession session) {
        return SINGLETON;
    }

    @Override
    public void init(Config.Scope config) {
    }

    /**
     * Loads the native library at server start, so a broken installation shows up in the log
     * before the first login. A failure does not stop the server: the authenticator then shows
     * users an error page that offers another method.
     */
    @Override
    public void postInit(KeycloakSessionFactory factory) {
        try {
            NativeLibraryLoader.ensureLoaded();
        } catch (NativeLibraryException e) {
            // NativeLibraryLoader has logged the failure.
        }
    }

    @Override
    public void close() {
    }
}
