package dev.sms2fa.keycloak.bridge;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Result of {@link NativeBridge#sendCode}.
 *
 * @param state opaque challenge state to store in the authentication session and pass to
 *        {@link NativeBridge#verifyCode}
 * @param messageId the gateway's id of the queued message
 * @param maskedPhone the receiver number with the middle digits masked
 * @param expiresAtMillis when the code expires, in milliseconds since the epoch
 */
public record SendCodeResult(String state, String messageId, String maskedPhone, long expiresAtMillis) {

    /**
     * Parses the JSON that {@link NativeBridge#sendCode} returns.
     *
     * @throws IllegalStateException if a field is missing, which is a bug in the native library
     */
    public static SendCodeResult fromJson(String json) {
        JsonNode node = NativeResults.parseObject("sendCode", json);
        JsonNode messageId = node.get("messageId");
        return new SendCodeResult(
                NativeResults.requireText("sendCode", node, "state"),
                messageId == null || messageId.isNull() ? "" : messageId.asText(),
                NativeResults.requireText("sendCode", node, "maskedPhone"),
                NativeResults.requireLong("sendCode", node, "expiresAtMillis"));
    }

    /** Omits the state, which is the only secret-bearing field. */
    @Override
    public String toString() {
        return "SendCodeResult[messageId=" + messageId + ", maskedPhone=" + maskedPhone
                + ", expiresAtMillis=" + expiresAtMillis + "]";
    }
}
