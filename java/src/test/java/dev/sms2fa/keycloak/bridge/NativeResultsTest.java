package dev.sms2fa.keycloak.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class NativeResultsTest {

    private static final String SEND_JSON = "{\"state\":\"v2.abc\",\"challengeId\":\"c1\",\"codeId\":\"k1\","
            + "\"sendNumber\":2,\"sendsLeft\":1,\"nextSendAtMillis\":1060000,\"expiresAtMillis\":1300000,"
            + "\"attemptsUsed\":3,\"maxAttempts\":5,\"messageId\":\"1821\",\"maskedPhone\":\"+48******200\","
            + "\"simulated\":false,\"deviceUrl\":\"https://127.0.0.1:8443\"}";

    private static final String DESCRIBE_JSON = "{\"challengeId\":\"c1\",\"codeId\":\"k1\",\"sendNumber\":1,"
            + "\"sendsLeft\":2,\"nextSendAtMillis\":1030000,\"expiresAtMillis\":1300000,\"attemptsUsed\":5,"
            + "\"maxAttempts\":5,\"burned\":true,\"expired\":false}";

    @Test
    void sendCodeResultParsed() {
        SendCodeResult result = SendCodeResult.fromJson(SEND_JSON);

        assertEquals("v2.abc", result.state());
        assertEquals("c1", result.challengeId());
        assertEquals("k1", result.codeId());
        assertEquals(2, result.sendNumber());
        assertEquals(1, result.sendsLeft());
        assertEquals(1_060_000L, result.nextSendAtMillis());
        assertEquals(1_300_000L, result.expiresAtMillis());
        assertEquals(3, result.attemptsUsed());
        assertEquals(5, result.maxAttempts());
        assertEquals("1821", result.messageId());
        assertEquals("+48******200", result.maskedPhone());
        assertFalse(result.simulated());
        assertEquals("https://127.0.0.1:8443", result.deviceUrl());
    }

    @Test
    void sendCodeResultNumericMessageId() {
        SendCodeResult result = SendCodeResult.fromJson(SEND_JSON.replace("\"1821\"", "1821"));
        assertEquals("1821", result.messageId());
    }

    @Test
    void sendCodeResultSimulated() {
        SendCodeResult result = SendCodeResult.fromJson(SEND_JSON.replace("\"simulated\":false", "\"simulated\":true")
                .replace("\"https://127.0.0.1:8443\"", "\"\"").replace("\"1821\"", "\"simulated\""));

        assertTrue(result.simulated());
        assertEquals("simulated", result.messageId());
        assertEquals("", result.deviceUrl());
    }

    @Test
    void sendCodeResultToStringOmitsState() {
        SendCodeResult result = SendCodeResult.fromJson(SEND_JSON.replace("v2.abc", "secret-state"));
        assertFalse(result.toString().contains("secret-state"), result.toString());
    }

    @Test
    void sendCodeResultMissingStateRejected() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> SendCodeResult.fromJson(SEND_JSON.replace("\"state\"", "\"other\"")));
        assertEquals("The native sendCode result has no string field 'state'", e.getMessage());
    }

    @Test
    void sendCodeResultMistypedFieldRejected() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> SendCodeResult.fromJson(SEND_JSON.replace("\"sendNumber\":2", "\"sendNumber\":\"2\"")));
        assertEquals("The native sendCode result has no integer field 'sendNumber'", e.getMessage());

        assertThrows(IllegalStateException.class,
                () -> SendCodeResult.fromJson(SEND_JSON.replace("\"simulated\":false", "\"simulated\":\"no\"")));
    }

    @Test
    void sendCodeResultInvalidJsonRejected() {
        assertThrows(IllegalStateException.class, () -> SendCodeResult.fromJson("not json"));
        assertThrows(IllegalStateException.class, () -> SendCodeResult.fromJson("[1]"));
    }

    @Test
    void describeChallengeResultParsed() {
        DescribeChallengeResult result = DescribeChallengeResult.fromJson(DESCRIBE_JSON);

        assertEquals("c1", result.challengeId());
        assertEquals("k1", result.codeId());
        assertEquals(1, result.sendNumber());
        assertEquals(2, result.sendsLeft());
        assertEquals(1_030_000L, result.nextSendAtMillis());
        assertEquals(1_300_000L, result.expiresAtMillis());
        assertEquals(5, result.attemptsUsed());
        assertEquals(5, result.maxAttempts());
        assertTrue(result.burned());
        assertFalse(result.expired());
    }

    @Test
    void describeChallengeResultMissingFlagRejected() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> DescribeChallengeResult.fromJson(DESCRIBE_JSON.replace(",\"expired\":false", "")));
        assertEquals("The native describeChallenge result has no boolean field 'expired'", e.getMessage());
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
        assertEquals("k1", result.codeId());
    }

    @Test
    void verifyCodeResultToStringOmitsState() {
        assertFalse(verify("wrong").toString().contains("next"), verify("wrong").toString());
    }

    @Test
    void verifyCodeResultUnknownOutcomeRejected() {
        assertThrows(IllegalStateException.class, () -> verify("maybe"));
    }

    @Test
    void verifyCodeResultMissingCodeIdRejected() {
        assertThrows(IllegalStateException.class,
                () -> VerifyCodeResult.fromJson("{\"outcome\":\"wrong\",\"state\":\"next\",\"attemptsLeft\":4}"));
    }

    @Test
    void validateConfigResultParsed() {
        ValidateConfigResult result = ValidateConfigResult.fromJson("{\"config\":{\"apiurl\":\"http://127.0.0.1/x\","
                + "\"ttl\":\"300\"},\"warnings\":[\"tlsSkipVerify: certificates are not verified\"]}");

        assertEquals(Map.of("apiurl", "http://127.0.0.1/x", "ttl", "300"), result.config());
        assertEquals(List.of("tlsSkipVerify: certificates are not verified"), result.warnings());
    }

    @Test
    void validateConfigResultNoWarnings() {
        ValidateConfigResult result = ValidateConfigResult.fromJson("{\"config\":{},\"warnings\":[]}");

        assertTrue(result.config().isEmpty());
        assertTrue(result.warnings().isEmpty());
    }

    @Test
    void validateConfigResultToStringOmitsValues() {
        ValidateConfigResult result = ValidateConfigResult.fromJson(
                "{\"config\":{\"apitoken\":\"secret-token\"},\"warnings\":[]}");
        assertFalse(result.toString().contains("secret-token"), result.toString());
    }

    @Test
    void validateConfigResultNonStringValueRejected() {
        assertThrows(IllegalStateException.class,
                () -> ValidateConfigResult.fromJson("{\"config\":{\"ttl\":300},\"warnings\":[]}"));
        assertThrows(IllegalStateException.class,
                () -> ValidateConfigResult.fromJson("{\"config\":{},\"warnings\":\"none\"}"));
        assertThrows(IllegalStateException.class,
                () -> ValidateConfigResult.fromJson("{\"warnings\":[]}"));
    }

    private static VerifyCodeResult verify(String outcome) {
        return VerifyCodeResult.fromJson("{\"outcome\":\"" + outcome
                + "\",\"state\":\"next\",\"attemptsLeft\":4,\"codeId\":\"k1\"}");
    }
}
