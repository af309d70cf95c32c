package dev.sms2fa.keycloak.admin;

import java.io.IOException;

import com.fasterxml.jackson.databind.JsonNode;
import org.keycloak.util.JsonSerialization;

/**
 * Body of {@code POST /admin/realms/{realm}/sms-2fa/gateway-check}.
 *
 * @param phoneNumber the test recipient as the administrator typed it, or null to skip the send check
 * @param send whether to send a real test SMS instead of a validate-only request
 * @param executionId the sms-2fa execution whose config to check, or null for the realm's usual one
 */
record GatewayCheckRequest(String phoneNumber, boolean send, String executionId) {

    static final String PHONE_NUMBER = "phoneNumber";
    static final String SEND = "send";
    static final String EXECUTION_ID = "executionId";

    /**
     * Parses the request body. An empty body is a request with every field unset.
     *
     * @throws IllegalArgumentException with a message for the administrator when the body is not
     *         a JSON object or a field has the wrong type
     */
    static GatewayCheckRequest parse(String body) {
        if (body == null || body.isBlank()) {
            return new GatewayCheckRequest(null, false, null);
        }

        JsonNode node;
        try {
            node = JsonSerialization.mapper.readTree(body);
        } catch (IOException e) {
            throw new IllegalArgumentException("The request body is not valid JSON. Send an object such as"
                    + " {\"phoneNumber\": \"+48500100200\", \"send\": false}.");
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("The request body must be a JSON object such as"
                    + " {\"phoneNumber\": \"+48500100200\", \"send\": false}.");
        }

        String phoneNumber = optionalText(node, PHONE_NUMBER);
        if (phoneNumber != null && phoneNumber.isBlank()) {
            phoneNumber = null;
        }

        JsonNode send = node.get(SEND);
        if (send != null && !send.isNull() && !send.isBoolean()) {
            throw new IllegalArgumentException("The field '" + SEND + "' must be true or false.");
        }
        boolean sendValue = send != null && send.asBoolean(false);
        if (sendValue && phoneNumber == null) {
            throw new IllegalArgumentException("The field '" + SEND + "' is true but no '" + PHONE_NUMBER
                    + "' is given. Give the number that gets the test SMS.");
        }

        String executionId = optionalText(node, EXECUTION_ID);
        if (executionId != null && executionId.isBlank()) {
            executionId = null;
        }
        return new GatewayCheckRequest(phoneNumber, sendValue, executionId);
    }

    private static String optionalText(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new IllegalArgumentException("The field '" + field + "' must be a string.");
        }
        return value.asText();
    }

    /** Omits the phone number, which must not reach a log. */
    @Override
    public String toString() {
        return "GatewayCheckRequest[phoneNumber=" + (phoneNumber == null ? "none" : "given") + ", send=" + send
                + ", executionId=" + executionId + "]";
    }
}
