package dev.sms2fa.keycloak.bridge;

import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Result of {@link NativeBridge#verifyCode}.
 *
 * @param outcome whether the code was accepted and, if not, why
 * @param state the updated challenge state; store it for the next attempt unless the outcome is
 *        {@link Outcome#ACCEPTED}
 * @param attemptsLeft how many more wrong codes the state accepts
 */
public record VerifyCodeResult(Outcome outcome, String state, int attemptsLeft) {

    /** Outcome of one verification. */
    public enum Outcome {
        /** The code matches; the state is consumed. */
        ACCEPTED,
        /** The code does not match and attempts are left. */
        WRONG,
        /** The code validity has passed. */
        EXPIRED,
        /** The maximum number of wrong attempts has been reached. */
        EXHAUSTED
    }

    /**
     * Parses the JSON that {@link NativeBridge#verifyCode} returns.
     *
     * @throws IllegalStateException if a field is missing or unknown, which is a bug in the native library
     */
    public static VerifyCodeResult fromJson(String json) {
        JsonNode node = NativeResults.parseObject("verifyCode", json);
        String outcomeText = NativeResults.requireText("verifyCode", node, "outcome");
        Outcome outcome;
        try {
            outcome = Outcome.valueOf(outcomeText.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(
                    "The native verifyCode returned the unknown outcome '" + outcomeText + "'", e);
        }
        JsonNode state = node.get("state");
        JsonNode attemptsLeft = node.get("attemptsLeft");
        return new VerifyCodeResult(
                outcome,
                state == null || state.isNull() ? "" : state.asText(),
                attemptsLeft != null && attemptsLeft.canConvertToInt() ? attemptsLeft.asInt() : 0);
    }

    /** Omits the state. */
    @Override
    public String toString() {
        return "VerifyCodeResult[outcome=" + outcome + ", attemptsLeft=" + attemptsLeft + "]";
    }
}
