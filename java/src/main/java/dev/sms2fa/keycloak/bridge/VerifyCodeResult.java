package dev.sms2fa.keycloak.bridge;

import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Result of {@link NativeBridge#verifyCode}.
 *
 * @param outcome whether the code was accepted and, if not, why
 * @param state the updated challenge state; store it in place of the old one unless the outcome
 *        is {@link Outcome#ACCEPTED}
 * @param attemptsLeft how many more wrong codes the state accepts
 * @param codeId id of the code that the entry was checked against (hex)
 */
public record VerifyCodeResult(Outcome outcome, String state, int attemptsLeft, String codeId) {

    private static final String FUNCTION = "verifyCode";

    /** Outcome of one verification. */
    public enum Outcome {
        /** The code matches; the state is consumed. */
        ACCEPTED,
        /** The code does not match and attempts are left. */
        WRONG,
        /** The code validity has passed; the entry was not compared. */
        EXPIRED,
        /** The code is burned: this wrong entry used the last attempt, or none was left. */
        EXHAUSTED
    }

    /**
     * Parses the JSON that {@link NativeBridge#verifyCode} returns.
     *
     * @throws IllegalStateException if a field is missing or unknown, which is a bug in the native library
     */
    public static VerifyCodeResult fromJson(String json) {
        JsonNode node = NativeResults.parseObject(FUNCTION, json);
        String outcomeText = NativeResults.requireText(FUNCTION, node, "outcome");
        Outcome outcome;
        try {
            outcome = Outcome.valueOf(outcomeText.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(
                    "The native verifyCode returned the unknown outcome '" + outcomeText + "'", e);
        }
        return new VerifyCodeResult(
                outcome,
                NativeResults.requireText(FUNCTION, node, "state"),
                NativeResults.requireInt(FUNCTION, node, "attemptsLeft"),
                NativeResults.requireText(FUNCTION, node, "codeId"));
    }

    /** Omits the state. */
    @Override
    public String toString() {
        return "VerifyCodeResult[outcome=" + outcome + ", attemptsLeft=" + attemptsLeft + ", codeId=" + codeId + "]";
    }
}
