package dev.sms2fa.keycloak.credential;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;

import org.junit.jupiter.api.Test;
import org.keycloak.credential.CredentialModel;
import org.keycloak.credential.CredentialTypeMetadata;
import org.keycloak.models.KeycloakContext;
import org.keycloak.models.KeycloakSession;

class SmsPhoneNumberCredentialModelTest {

    @Test
    void createFromPhoneNumberStoresJson() {
        SmsPhoneNumberCredentialModel model = SmsPhoneNumberCredentialModel.createFromPhoneNumber("+48500100200");

        assertEquals("sms-phone-number", model.getType());
        assertEquals("{\"phoneNumber\":\"+48500100200\"}", model.getCredentialData());
        assertEquals("{}", model.getSecretData());
        assertNotNull(model.getCreatedDate());
        assertEquals("+48500100200", model.getPhoneNumber());
    }

    @Test
    void createFromCredentialModelReadsPhone() {
        CredentialModel stored = new CredentialModel();
        stored.setId("cred-1");
        stored.setType(SmsPhoneNumberCredentialModel.TYPE);
        stored.setUserLabel("work phone");
        stored.setCreatedDate(1700000000000L);
        stored.setCredentialData("{\"phoneNumber\":\"+48500100200\",\"addedLater\":true}");
        stored.setSecretData("{}");

        SmsPhoneNumberCredentialModel model = SmsPhoneNumberCredentialModel.createFromCredentialModel(stored);

        assertEquals("+48500100200", model.getPhoneNumber());
        assertEquals("cred-1", model.getId());
        assertEquals("work phone", model.getUserLabel());
        assertEquals(1700000000000L, model.getCreatedDate());
    }

    @Test
    void missingPhoneNumberRejected() {
        CredentialModel stored = new CredentialModel();
        stored.setId("cred-2");
        stored.setCredentialData("{}");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SmsPhoneNumberCredentialModel.createFromCredentialModel(stored));
        assertEquals("The sms-phone-number credential 'cred-2' has no phoneNumber", e.getMessage());
    }

    @Test
    void malformedDataRejected() {
        CredentialModel stored = new CredentialModel();
        stored.setId("cred-3");
        stored.setCredentialData("not json");

        assertThrows(IllegalArgumentException.class,
                () -> SmsPhoneNumberCredentialModel.createFromCredentialModel(stored));
    }

    @Test
    void providerMetadataIsTwoFactor() {
        SmsPhoneNumberCredentialProvider provider = new SmsPhoneNumberCredentialProvider(sessionWithoutRealm());
        CredentialTypeMetadata metadata = provider.getCredentialTypeMetadata(null);

        assertEquals("sms-phone-number", metadata.getType());
        assertEquals(CredentialTypeMetadata.Category.TWO_FACTOR, metadata.getCategory());
        assertEquals("sms-phone-number-display-name", metadata.getDisplayName());
        assertEquals("sms-phone-number-help-text", metadata.getHelpText());
        assertNull(metadata.getCreateAction());
    }

    /**
     * Returns a session whose context has no realm. CredentialTypeMetadata's builder then cannot
     * look up the realm's delete_credential action and only logs a warning.
     */
    private static KeycloakSession sessionWithoutRealm() {
        KeycloakContext context = (KeycloakContext) Proxy.newProxyInstance(KeycloakContext.class.getClassLoader(),
                new Class<?>[] {KeycloakContext.class}, (proxy, method, args) -> null);
        return (KeycloakSession) Proxy.newProxyInstance(KeycloakSession.class.getClassLoader(),
                new Class<?>[] {KeycloakSession.class},
                (proxy, method, args) -> method.getName().equals("getContext") ? context : null);
    }

    @Test
    void providerSupportsOnlyItsType() {
        SmsPhoneNumberCredentialProvider provider = new SmsPhoneNumberCredentialProvider(null);
        assertEquals("sms-phone-number", provider.getType());
        assertTrue(provider.supportsCredentialType("sms-phone-number"));
        assertFalse(provider.supportsCredentialType("otp"));
        assertEquals("sms-phone-number", new SmsPhoneNumberCredentialProviderFactory().getId());
    }
}
