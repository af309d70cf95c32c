package dev.sms2fa.keycloak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

class SmsExecutionConfigTest {

    @Test
    void readsNormalizedValues() {
        SmsExecutionConfig config = SmsExecutionConfig.fromNormalized(Map.of(
                "ttl", "120", "maxAttempts", "3", "resendCooldownSeconds", "0", "maxSendsPerLogin", "5",
                "maxSendsPerHour", "20", "originBoundLine", "true", "simulation", "true"));

        assertEquals(120, config.ttlSeconds());
        assertEquals(3, config.maxAttempts());
        assertEquals(0, config.resendCooldownSeconds());
        assertEquals(5, config.maxSendsPerLogin());
        assertEquals(20, config.maxSendsPerHour());
        assertTrue(config.originBoundLine());
        assertTrue(config.simulation());
    }

    @Test
    void missingKeysTakeDefaults() {
        SmsExecutionConfig config = SmsExecutionConfig.fromNormalized(Map.of());

        assertEquals(300, config.ttlSeconds());
        assertEquals(5, config.maxAttempts());
        assertEquals(30, config.resendCooldownSeconds());
        assertEquals(3, config.maxSendsPerLogin());
        assertEquals(10, config.maxSendsPerHour());
        assertFalse(config.originBoundLine());
        assertFalse(config.simulation());
    }

    @Test
    void unparsableNumberTakesDefault() {
        SmsExecutionConfig config = SmsExecutionConfig.fromNormalized(Map.of("maxSendsPerHour", "many"));

        assertEquals(10, config.maxSendsPerHour());
    }

    @Test
    void booleansIgnoreCase() {
        assertTrue(SmsExecutionConfig.fromNormalized(Map.of("simulation", "TRUE")).simulation());
        assertFalse(SmsExecutionConfig.fromNormalized(Map.of("simulation", "yes")).simulation());
    }
}
