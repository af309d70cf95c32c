package dev.sms2fa.keycloak.bridge;

import java.io.IOException;

import com.fasterxml.jackson.databind.JsonNode;
import org.keycloak.util.JsonSerialization;

/** Reads the JSON objects that the native library returns. */
final class NativeResults {

    private NativeResults() {
    }

    static JsonNode parseObject(String function, String json) {
        JsonNode node;
        try {
            node = JsonSerialization.mapper.readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException("The native " + function + " returned invalid JSON: " + e.getMessage(), e);
        }
        if (node == null || !node.isObject()) {
            throw new IllegalStateException("The native " + function + " returned JSON that is not an object");
        }
        return node;
    }

    static String requireText(String function, JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw new IllegalStateException("The native " + function + " result has no string field '" + field + "'");
        }
        return value.asText();
    }

    static long requireLong(String function, JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.canConvertToLong()) {
            throw new IllegalStateException("The native " + function + " result has no integer field '" + field + "'");
        }
        return value.asLong();
    }
}
