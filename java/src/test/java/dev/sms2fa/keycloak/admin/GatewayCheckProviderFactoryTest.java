package dev.sms2fa.keycloak.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.keycloak.services.resources.admin.ext.AdminRealmResourceProviderFactory;

class GatewayCheckProviderFactoryTest {

    @Test
    void idIsResourcePath() {
        assertEquals("sms-2fa", new GatewayCheckProviderFactory().getId());
    }

    @Test
    void factoryIsRegisteredAsService() throws IOException {
        String name = "META-INF/services/" + AdminRealmResourceProviderFactory.class.getName();
        try (InputStream registration = getClass().getClassLoader().getResourceAsStream(name)) {
            assertTrue(registration != null, name + " is missing");
            String content = new String(registration.readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(content.lines().anyMatch(GatewayCheckProviderFactory.class.getName()::equals), content);
        }
    }
}
