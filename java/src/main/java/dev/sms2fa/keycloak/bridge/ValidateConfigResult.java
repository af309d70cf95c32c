package dev.sms2fa.keycloak.bridge;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Result of {@link NativeBridge#validateConfig}.
 *
 * @param config every configuration key with its effective value, defaults filled in
 * @param warnings texts for the administrator about risky but valid settings, each starting with
 *        the config key, for example {@code tlsSkipVerify}
 */
public record ValidateConfigResult(Map<String, String> config, List<String> warnings) {

    private static final String FUNCTION = "validateConfig";

    public ValidateConfigResult {
        config = Collections.unmodifiableMap(new LinkedHashMap<>(config));
        warnings = List.copyOf(warnings);
    }

    /**
     * Parses the JSON that {@link NativeBridge#validateConfig} returns.
     *
     * @throws IllegalStateException if a field is missing or mistyped, which is a bug in the native library
     */
    public static ValidateConfigResult fromJson(String json) {
        JsonNode node = NativeResults.parseObject(FUNCTION, json);
        return new ValidateConfigResult(
                NativeResults.requireStringMap(FUNCTION, node, "config"),
                NativeResults.requireStringList(FUNCTION, node, "warnings"));
    }

    /** Omits the config values, because the API secret is one of them. */
    @Override
    public String toString() {
        return "ValidateConfigResult[keys=" + config.keySet() + ", warnings=" + warnings + "]";
    }
}
