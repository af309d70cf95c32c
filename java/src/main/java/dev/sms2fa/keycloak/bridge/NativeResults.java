package dev.sms2fa.keycloak.bridge;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.keycloak.util.JsonSerialization;

/**
 * Reads the JSON objects that the native library returns. A missing or mistyped field is a bug in
 * the library, so every reader throws {@link IllegalStateException} naming the function and field.
 */
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

    /** Reads a string or number field as text, and a missing or null field as "". */
    static String optionalText(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? "" : value.asText();
    }

    static long requireLong(String function, JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isIntegralNumber() || !value.canConvertToLong()) {
            throw new IllegalStateException("The native " + function + " result has no integer field '" + field + "'");
        }
        return value.asLong();
    }

    static int requireInt(String function, JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isIntegralNumber() || !value.canConvertToInt()) {
            throw new IllegalStateException("The native " + function + " result has no integer field '" + field + "'");
        }
        return value.asInt();
    }

    static boolean requireBoolean(String function, JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isBoolean()) {
            throw new IllegalStateException("The native " + function + " result has no boolean field '" + field + "'");
        }
        return value.asBoolean();
    }

    /** Reads a JSON object of string values, keeping the order of its fields. */
    static Map<String, String> requireStringMap(String function, JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isObject()) {
            throw new IllegalStateException("The native " + function + " result has no object field '" + field + "'");
        }
        Map<String, String> map = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> entries = value.fields();
        while (entries.hasNext()) {
            Map.Entry<String, JsonNode> entry = entries.next();
            if (!entry.getValue().isTextual()) {
                throw new IllegalStateException("The native " + function + " result field '" + field + "."
                        + entry.getKey() + "' is not a string");
            }
            map.put(entry.getKey(), entry.getValue().asText());
        }
        return map;
    }

    static List<String> requireStringList(String function, JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isArray()) {
            throw new IllegalStateException("The native " + function + " result has no array field '" + field + "'");
        }
        List<String> list = new ArrayList<>();
        for (JsonNode item : value) {
            if (!item.isTextual()) {
                throw new IllegalStateException("The native " + function + " result array '" + field
                        + "' has an item that is not a string");
            }
            list.add(item.asText());
        }
        return list;
    }
}
