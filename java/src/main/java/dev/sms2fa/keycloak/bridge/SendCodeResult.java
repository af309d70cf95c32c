package dev.sms2fa.keycloak.bridge;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Result of {@link NativeBridge#sendCode}.
 *
 * @param state opaque challenge state to store in the authentication session and pass to
 *        {@link NativeBridge#verifyCode}, {@link NativeBridge#describeChallenge} and the next send
 * @param challengeId random id of the login's challenge, the same for every send of one login (hex, not secret)
 * @param codeId random id of the code just sent (hex, not secret)
 * @param sendNumber 1-based number of this send within the login
 * @param sendsLeft how many more sends the login allows
 * @param nextSendAtMillis earliest time of the next send, in milliseconds since the epoch
 * @param expiresAtMillis when the code expires, in milliseconds since the epoch
 * @param attemptsUsed wrong attempts that the new code inherited from the previous one
 * @param maxAttempts wrong attempts that burn the code
 * @param messageId the gateway's id of the queued message, {@code simulated} in simulation mode
 * @param maskedPhone the receiver number with the middle digits masked
 * @param simulated whether simulation mode suppressed the SMS
 * @param deviceUrl {@code scheme://host:port} of the device that accepted the SMS, "" in simulation mode
 */
public record SendCodeResult(String state, String challengeId, String codeId, int sendNumber, int sendsLeft,
                             long nextSendAtMillis, long expiresAtMillis, int attemptsUsed, int maxAttempts,
                             String messageId, String maskedPhone, boolean simulated, String deviceUrl) {

    private static final String FUNCTION = "sendCode";

    /**
     * Parses the JSON that {@link NativeBridge#sendCode} returns.
     *
     * @throws IllegalStateException if a field is missing or mistyped, which is a bug in the native library
     */
    public static SendCodeResult fromJson(String json) {
        JsonNode node = NativeResults.parseObject(FUNCTION, json);
        return new SendCodeResult(
                NativeResults.requireText(FUNCTION, node, "state"),
                NativeResults.requireText(FUNCTION, node, "challengeId"),
                NativeResults.requireText(FUNCTION, node, "codeId"),
                NativeResults.requireInt(FUNCTION, node, "sendNumber"),
                NativeResults.requireInt(FUNCTION, node, "sendsLeft"),
                NativeResults.requireLong(FUNCTION, node, "nextSendAtMillis"),
                NativeResults.requireLong(FUNCTION, node, "expiresAtMillis"),
                NativeResults.requireInt(FUNCTION, node, "attemptsUsed"),
                NativeResults.requireInt(FUNCTION, node, "maxAttempts"),
                NativeResults.optionalText(node, "messageId"),
                NativeResults.requireText(FUNCTION, node, "maskedPhone"),
                NativeResults.requireBoolean(FUNCTION, node, "simulated"),
                NativeResults.optionalText(node, "deviceUrl"));
    }

    /** Omits the state, which is the only secret-bearing field. */
    @Override
    public String toString() {
        return "SendCodeResult[challengeId=" + challengeId + ", codeId=" + codeId + ", sendNumber=" + sendNumber
                + ", sendsLeft=" + sendsLeft + ", nextSendAtMillis=" + nextSendAtMillis
                + ", expiresAtMillis=" + expiresAtMillis + ", attemptsUsed=" + attemptsUsed
                + ", maxAttempts=" + maxAttempts + ", messageId=" + messageId + ", maskedPhone=" + maskedPhone
                + ", simulated=" + simulated + ", deviceUrl=" + deviceUrl + "]";
    }
}
