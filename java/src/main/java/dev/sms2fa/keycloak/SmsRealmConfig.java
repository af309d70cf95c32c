package dev.sms2fa.keycloak;

import java.io.IOException;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.jboss.logging.Logger;
import org.keycloak.models.AuthenticationExecutionModel;
import org.keycloak.models.AuthenticationFlowModel;
import org.keycloak.models.AuthenticatorConfigModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.util.JsonSerialization;
import org.keycloak.vault.VaultStringSecret;

import dev.sms2fa.keycloak.bridge.InvalidConfigException;
import dev.sms2fa.keycloak.bridge.NativeBridge;
import dev.sms2fa.keycloak.bridge.NativeLibraryException;
import dev.sms2fa.keycloak.bridge.NativeLibraryLoader;
import dev.sms2fa.keycloak.bridge.NativePanicError;
import dev.sms2fa.keycloak.bridge.ValidateConfigResult;

/**
 * Finds the config of a realm's {@value SmsAuthenticatorFactory#PROVIDER_ID} execution for the
 * places that run outside that execution: enrolment, Force 2FA and the admin's gateway check.
 *
 * <p>Disabled executions do not count. The choice, when a realm has several such executions: the
 * only one that has a config; else
 * the one whose config alias is {@value #PREFERRED_ALIAS}; else the one in the realm's browser flow;
 * else the first by flow alias and priority, with a warning. A realm without any config gets the
 * defaults, an empty map.
 */
public final class SmsRealmConfig {

    /** Config alias that the SMSEagle manual gives the execution, preferred when several exist. */
    public static final String PREFERRED_ALIAS = "sms-2fa";
    /** Prefix and suffix of a Keycloak vault reference, such as ${vault.smseagle_token}. */
    static final String VAULT_PREFIX = "${vault.";
    static final String VAULT_SUFFIX = "}";
    /** Config keys whose value may be a vault reference. */
    static final Set<String> SECRET_KEYS = Set.of(SmsConfigProperties.API_TOKEN);

    private static final Logger LOG = Logger.getLogger(SmsRealmConfig.class);
    /** Prefix of the session attribute that keeps a realm's {@link Found} for one request. */
    private static final String SESSION_ATTRIBUTE_PREFIX = "sms-2fa.realmConfig.";
    /** Realms whose ambiguous choice was logged, so the warning does not repeat at every login. */
    private static final Set<String> AMBIGUITY_LOGGED = ConcurrentHashMap.newKeySet();

    /**
     * The execution and config found.
     *
     * @param executionId the execution's id, or null when the realm has no such execution
     * @param config the execution's config, or null when it has none
     */
    public record Found(String executionId, AuthenticatorConfigModel config) {

        /** Returns the config map, empty when there is no config. */
        public Map<String, String> rawConfig() {
            Map<String, String> map = config == null ? null : config.getConfig();
            return map == null ? Map.of() : map;
        }

        /** Returns the config id, or "none" for logs and caches when there is no config. */
        public String configId() {
            return config == null ? "none" : config.getId();
        }

        /** Returns how log lines name the execution. */
        public String executionLabel() {
            return executionId == null ? "(none in this realm)" : executionId;
        }
    }

    private record Candidate(AuthenticationFlowModel flow, AuthenticationExecutionModel execution,
                             AuthenticatorConfigModel config) {
    }

    private SmsRealmConfig() {
    }

    /**
     * Returns the execution and config that settings outside a login come from, looked up once per
     * request, because a login reads them for every step that checks whether a user has a number.
     */
    public static Found find(KeycloakSession session, RealmModel realm) {
        String attribute = SESSION_ATTRIBUTE_PREFIX + realm.getId();
        Found cached = session.getAttribute(attribute, Found.class);
        if (cached != null) {
            return cached;
        }
        Found found = find(realm);
        session.setAttribute(attribute, found);
        return found;
    }

    /** Returns the execution and config that settings outside a login come from. */
    static Found find(RealmModel realm) {
        List<Candidate> candidates = realm.getAuthenticationFlowsStream()
                .flatMap(flow -> realm.getAuthenticationExecutionsStream(flow.getId())
                        .filter(execution -> SmsAuthenticatorFactory.PROVIDER_ID.equals(execution.getAuthenticator()))
                        // A disabled step's settings are left over, not in use.
                        .filter(execution -> !execution.isDisabled())
                        .map(execution -> new Candidate(flow, execution, configOf(realm, execution))))
                .sorted(Comparator.comparing((Candidate c) -> c.flow().getAlias())
                        .thenComparingInt(c -> c.execution().getPriority()))
                .toList();
        List<Candidate> configured = candidates.stream().filter(c -> c.config() != null).toList();
        if (configured.isEmpty()) {
            return new Found(candidates.isEmpty() ? null : candidates.get(0).execution().getId(), null);
        }
        if (configured.size() == 1) {
            return found(configured.get(0));
        }
        Optional<Candidate> aliased = configured.stream()
                .filter(c -> PREFERRED_ALIAS.equals(c.config().getAlias())).findFirst();
        if (aliased.isPresent()) {
            return found(aliased.get());
        }
        AuthenticationFlowModel browserFlow = realm.getBrowserFlow();
        Optional<Candidate> inBrowserFlow = browserFlow == null ? Optional.empty()
                : configured.stream().filter(c -> c.flow().getId().equals(browserFlow.getId())).findFirst();
        Candidate chosen = inBrowserFlow.orElse(configured.get(0));
        if (AMBIGUITY_LOGGED.add(realm.getId() + ":" + chosen.config().getId())) {
            LOG.warnf("Realm '%s' has %d configured SMS authenticator executions and none with the config alias"
                    + " '%s'; enrolment and the gateway check use config '%s' of execution '%s' in flow '%s'."
                    + " Name the config to use '%s'.", realm.getName(), configured.size(), PREFERRED_ALIAS,
                    chosen.config().getAlias(), chosen.execution().getId(), chosen.flow().getAlias(),
                    PREFERRED_ALIAS);
        }
        return found(chosen);
    }

    private static Found found(Candidate candidate) {
        return new Found(candidate.execution().getId(), candidate.config());
    }

    private static AuthenticatorConfigModel configOf(RealmModel realm, AuthenticationExecutionModel execution) {
        String configId = execution.getAuthenticatorConfig();
        return configId == null ? null : realm.getAuthenticatorConfigById(configId);
    }

    /**
     * Returns the config with vault references in secret fields replaced by the vault's value.
     * A value that is not a reference stays as it is.
     *
     * @throws UnresolvedSecretException when a reference names a secret the vault does not have
     */
    public static Map<String, String> resolveSecrets(KeycloakSession session, Map<String, String> rawConfig) {
        Map<String, String> resolved = null;
        for (String key : SECRET_KEYS) {
            String value = rawConfig.get(key);
            if (!isVaultReference(value)) {
                continue;
            }
            try (VaultStringSecret secret = session.vault().getStringSecret(value.trim())) {
                Optional<String> secretValue = secret.get();
                if (secretValue.isEmpty()) {
                    throw new UnresolvedSecretException(key, value.trim());
                }
                if (resolved == null) {
                    resolved = new HashMap<>(rawConfig);
                }
                resolved.put(key, secretValue.get());
            }
        }
        return resolved == null ? rawConfig : resolved;
    }

    static boolean isVaultReference(String value) {
        if (value == null) {
            return false;
        }
        String trimmed = value.trim();
        return trimmed.startsWith(VAULT_PREFIX) && trimmed.endsWith(VAULT_SUFFIX)
                && trimmed.length() > VAULT_PREFIX.length() + VAULT_SUFFIX.length();
    }

    /**
     * The phone settings of a config: its default region and allow-list, as the native library
     * reads them, which includes the netzbegruenung keys countrycode and countryCodeList. A config
     * that does not validate, such as one without a URL, falls back to its own two keys.
     *
     * @param defaultRegion ISO code or ""
     * @param allowedCountries comma-separated ISO codes or ""
     * @param uniqueNumbers whether enrolment rejects another user's number
     */
    public record PhoneSettings(String defaultRegion, String allowedCountries, boolean uniqueNumbers) {
    }

    /** Returns the phone settings of {@code rawConfig}; see {@link PhoneSettings}. */
    public static PhoneSettings phoneSettings(Map<String, String> rawConfig) {
        try {
            NativeLibraryLoader.ensureLoaded();
            Map<String, String> normalized = ValidateConfigResult.fromJson(
                    NativeBridge.validateConfig(JsonSerialization.writeValueAsString(rawConfig))).config();
            return new PhoneSettings(normalized.getOrDefault(SmsConfigProperties.DEFAULT_REGION, ""),
                    normalized.getOrDefault(SmsConfigProperties.ALLOWED_COUNTRIES, ""),
                    !"false".equals(normalized.get(SmsConfigProperties.UNIQUE_NUMBERS)));
        } catch (InvalidConfigException | NativeLibraryException e) {
            // The send path logs an invalid config with its field, and the loader a missing library.
            return rawPhoneSettings(rawConfig);
        } catch (IOException | IllegalStateException | NativePanicError e) {
            LOG.errorf(e, "Bug while reading the phone settings of an SMS authenticator config");
            return rawPhoneSettings(rawConfig);
        }
    }

    /** Returns the phone settings as written in the config; only an explicit false turns uniqueness off. */
    private static PhoneSettings rawPhoneSettings(Map<String, String> rawConfig) {
        return new PhoneSettings(trimmed(rawConfig.get(SmsConfigProperties.DEFAULT_REGION)),
                trimmed(rawConfig.get(SmsConfigProperties.ALLOWED_COUNTRIES)),
                !"false".equalsIgnoreCase(trimmed(rawConfig.get(SmsConfigProperties.UNIQUE_NUMBERS))));
    }

    private static String trimmed(String value) {
        return value == null ? "" : value.trim();
    }

    /** A vault reference in the config that the realm's vault cannot resolve. */
    public static final class UnresolvedSecretException extends RuntimeException {

        private final String field;

        UnresolvedSecretException(String field, String reference) {
            // The reference names the secret, not its value, so it may appear in logs.
            super("the vault has no secret for the reference " + reference + ". Check the vault settings of"
                    + " Keycloak (--vault and --vault-dir) and the file or entry name, which for the file vault is"
                    + " <realm>_<name> with each underscore of the name doubled");
            this.field = field;
        }

        public String getField() {
            return field;
        }
    }
}
