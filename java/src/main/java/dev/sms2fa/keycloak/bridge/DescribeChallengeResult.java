package dev.sms2fa.keycloak.bridge;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Result of {@link NativeBridge#describeChallenge}: the public fields of a challenge state.
 *
 * @param challengeId random id of the login's challenge, the same for every send of one login (hex)
 * @param codeId random id of the current code (hex)
 * @param sendNumber 1-based number of the send that delivered the current code
 * @param sendsLeft how many more sends the login allows
 * @param nextSendAtMillis earliest time of the next send, in milliseconds since the epoch, whether
 *        or not sends are left
 * @param expiresAtMillis when the current code expires, in milliseconds since the epoch
 * @param attemptsUsed wrong attempts counted against the current code, inherited ones included
 * @param maxAttempts wrong attempts that burn the code
 * @param burned whether the current code can no longer be accepted because its attempts are used up
 * @param expired whether the current code's validity has ended
 */
public record DescribeChallengeResult(String challengeId, String codeId, int sendNumber, int sendsLeft,
                                      long nextSendAtMillis, long expiresAtMillis, int attemptsUsed,
                                      int maxAttempts, boolean burned, boolean expired) {

    private static final String FUNCTION = "describeChallenge";

    /**
     * Parses the JSON that {@link NativeBridge#describeChallenge} returns.
     *
     * @throws IllegalStateException if a field is missing or mistyped, which is a bug in the native library
     */
    public static DescribeChallengeResult fromJson(String json) {
        JsonNode node = NativeResults.parseObject(FUNCTION, json);
        return new DescribeChallengeResult(
                NativeResults.requireText(FUNCTION, node, "challengeId"),
                NativeResults.requireText(FUNCTION, node, "codeId"),
                NativeResults.requireInt(FUNCTION, node, "sendNumber"),
                NativeResults.requireInt(FUNCTION, node, "sendsLeft"),
                NativeResults.requireLong(FUNCTION, node, "nextSendAtMillis"),
                NativeResults.requireLong(FUNCTION, node, "expiresAtMillis"),
                NativeResults.requireInt(FUNCTION, node, "attemptsUsed"),
                NativeResults.requireInt(FUNCTION, node, "maxAttempts"),
                NativeResults.requireBoolean(FUNCTION, node, "burned"),
                NativeResults.requireBoolean(FUNCTION, node, "expired"));
    }
}
