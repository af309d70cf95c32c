package dev.sms2fa.keycloak.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class NativeResultsTest {

    @Test
    void sendCodeResultParsed() {
        SendCodeResult result = SendCodeResult.fromJson(
                "{\"state\":\"v1.abc\",\"messageId\":\"1821\",\"maskedPhone\":\"+48******200\",\"expiresAtMillis\":123}");

        assertEquals("v1.abc", result.state());
        assertEquals("1821", result.messageId());
        assertEquals("+48******200", result.maskedPhone());
        assertEquals(123L, result.expiresAtMillis());
    }

    @Test
    void sendCodeResultNumericMessageId() {
        SendCodeResult result = SendCodeResult.fromJson(
                "{\"state\":\"s\",\"messageId\":1821,\"maskedPhone\":\"+48******200\",\"expiresAtMillis\":1}");
        assertEquals("1821", result.messageId());
    }

    @Test
    void sendCodeResultToStringOmitsState() {
        SendCodeResult result = new SendCodeResult("secret-state", "1", "+48******200", 1);
        assertFalse(result.toString().contains("secret-state"), result.toString());
    }

    @Test
    void sendCodeResultMissingStateRejected() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> SendCodeResult.fromJson("{\"maskedPhone\":\"+48******200\",\"expiresAtMillis\":1}"));
        assertEquals("The native sendCode result has no string field 'state'", e.getMessage());
    }

    @Test
    void sendCodeResultInvalidJsonRejected() {
        assertThrows(IllegalStateException.class, () -> SendCodeResult.fromJson("not json"));
        assertThrows(IllegalStateException.class, () -> SendCodeResult.fromJson("[1]"));
    }

    @Test
    void verifyCodeResultOutcomes() {
        assertEquals(VerifyCodeResult.Outcome.ACCEPTED, verify("accepted").outcome());
        assertEquals(VerifyCodeResult.Outcome.WRONG, verify("wrong").outcome());
        assertEquals(VerifyCodeResult.Outcome.EXPIRED, verify("expired").outcome());
        assertEquals(VerifyCodeResult.Outcome.EXHAUSTED, verify("exhausted").outcome());
    }

    @Test
    void verifyCodeResultFields() {
        VerifyCodeResult result = verify("wrong");
        assertEquals("next", result.state());
        assertEquals(4, result.attemptsLeft());
    }

    @Test
    void verifyCodeResultUnknownOutcomeRejected() {
        assertThrows(IllegalStateException.class, () -> verify("maybe"));
    }

    private static VerifyCodeResult verify(String outcome) {
        return VerifyCodeResult.fromJson("{\"outcome\":\"" + outcome + "\",\"state\":\"next\",\"attemptsLeft\":4}");
    }
}
