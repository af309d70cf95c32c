package dev.sms2fa.keycloak;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class ConfigWarningLogTest {

    private static final List<String> WARNINGS = List.of("tlsSkipVerify: TLS certificates are not verified");

    private final ConfigWarningLog log = new ConfigWarningLog();

    @Test
    void logsOncePerConfig() {
        Map<String, String> config = Map.of("apiurl", "https://127.0.0.1/api", "tlsSkipVerify", "true");

        assertTrue(log.logOnce("realm", "execution", "config-1", config, WARNINGS));
        assertFalse(log.logOnce("realm", "execution", "config-1", config, WARNINGS));
    }

    @Test
    void logsAgainAfterConfigChange() {
        log.logOnce("realm", "execution", "config-1", Map.of("tlsSkipVerify", "true"), WARNINGS);

        assertTrue(log.logOnce("realm", "execution", "config-1",
                Map.of("tlsSkipVerify", "true", "apiurl", "https://127.0.0.2/api"), WARNINGS));
    }

    @Test
    void logsPerConfigId() {
        Map<String, String> config = Map.of("tlsSkipVerify", "true");
        log.logOnce("realm", "execution", "config-1", config, WARNINGS);

        assertTrue(log.logOnce("realm", "execution", "config-2", config, WARNINGS));
    }

    @Test
    void noWarningsLogsNothing() {
        assertFalse(log.logOnce("realm", "execution", "config-1", Map.of(), List.of()));
    }

    @Test
    void configWithoutWarningsStillLogsLater() {
        Map<String, String> config = Map.of("tlsSkipVerify", "true");
        log.logOnce("realm", "execution", "config-1", config, List.of());

        assertTrue(log.logOnce("realm", "execution", "config-1", config, WARNINGS));
    }
}
