package dev.sms2fa.keycloak;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.keycloak.models.AuthenticationExecutionModel.Requirement;

class SmsAuthenticatorFactoryTest {

    private final SmsAuthenticatorFactory factory = new SmsAuthenticatorFactory();

    @Test
    void identity() {
        assertEquals("sms-2fa", factory.getId());
        assertEquals("SMS Authentication (2FA)", factory.getDisplayType());
        assertEquals("sms-phone-number", factory.getReferenceCategory());
        assertTrue(factory.isConfigurable());
        assertTrue(factory.isUserSetupAllowed());
        assertFalse(factory.getHelpText().isBlank());
    }

    @Test
    void requirementChoices() {
        assertArrayEquals(new Requirement[] {Requirement.REQUIRED, Requirement.ALTERNATIVE, Requirement.DISABLED},
                factory.getRequirementChoices());
    }

    @Test
    void configPropertiesAreTheSharedList() {
        assertEquals(SmsConfigProperties.list(), factory.getConfigProperties());
    }

    @Test
    void serviceFilesNameFactories() throws IOException {
        assertEquals(SmsAuthenticatorFactory.class.getName(),
                readResource("/META-INF/services/org.keycloak.authentication.AuthenticatorFactory"));
        assertEquals("dev.sms2fa.keycloak.credential.SmsPhoneNumberCredentialProviderFactory\n"
                + "dev.sms2fa.keycloak.credential.LegacyMobileNumberCredentialProviderFactory",
                readResource("/META-INF/services/org.keycloak.credential.CredentialProviderFactory"));
        assertEquals(SmsEnrolmentActionFactory.class.getName(),
                readResource("/META-INF/services/org.keycloak.authentication.RequiredActionFactory"));
        assertEquals("dev.sms2fa.keycloak.admin.GatewayCheckProviderFactory",
                readResource("/META-INF/services/org.keycloak.services.resources.admin.ext.AdminRealmResourceProviderFactory"));
    }

    private static String readResource(String name) throws IOException {
        try (InputStream in = SmsAuthenticatorFactoryTest.class.getResourceAsStream(name)) {
            assertNotNull(in, name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
    }
}
