package dev.sms2fa.keycloak;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.jboss.logging.Logger;

/**
 * Logs the warnings of {@code NativeBridge.validateConfig} at WARN once per distinct execution
 * config, so that a risky setting such as skipped TLS verification shows up in the log without
 * repeating at every login.
 */
final class ConfigWarningLog {

    /** Distinct configs to remember; past this the set starts over, so a warning may repeat. */
    static final int MAX_REMEMBERED = 1000;

    private static final Logger LOG = Logger.getLogger(ConfigWarningLog.class);

    private final Set<String> logged = ConcurrentHashMap.newKeySet();

    /**
     * Logs each warning, unless this config (same id and same content) had its warnings logged before.
     *
     * @return whether the warnings were logged now
     */
    boolean logOnce(String realmName, String executionId, String configId, Map<String, String> config,
                    List<String> warnings) {
        if (warnings.isEmpty() || !firstTime(configId, config)) {
            return false;
        }
        for (String warning : warnings) {
            LOG.warnf("Insecure setting in the SMS authenticator configuration of execution '%s' in realm '%s': %s",
                    executionId, realmName, warning);
        }
        return true;
    }

    /** Returns true on the first call with this config id and this content. */
    boolean firstTime(String configId, Map<String, String> config) {
        if (logged.size() >= MAX_REMEMBERED) {
            logged.clear();
        }
        // A hash of the content, so that the set contains no config values, the API secret among them.
        return logged.add(configId + ":" + Objects.hashCode(config));
    }
}
