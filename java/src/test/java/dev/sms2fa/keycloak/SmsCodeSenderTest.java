package dev.sms2fa.keycloak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SmsCodeSenderTest {

    @Test
    void firstSendClaimWithoutSessionCode() {
        assertEquals("root-1.tab-1", SmsCodeSender.firstSendClaimPart("root-1", "tab-1", null));
        assertEquals("root-1.tab-1", SmsCodeSender.firstSendClaimPart("root-1", "tab-1", ""));
    }

    @Test
    void firstSendClaimHashesSessionCode() {
        String part = SmsCodeSender.firstSendClaimPart("root-1", "tab-1", "session-code-1");

        assertTrue(part.startsWith("root-1.tab-1."), part);
        assertEquals("root-1.tab-1.".length() + 32, part.length(), part);
        assertFalse(part.contains("session-code-1"), part);
    }

    @Test
    void firstSendClaimSameForSameForm() {
        assertEquals(SmsCodeSender.firstSendClaimPart("root-1", "tab-1", "session-code-1"),
                SmsCodeSender.firstSendClaimPart("root-1", "tab-1", "session-code-1"));
    }

    @Test
    void firstSendClaimDiffersAfterRestart() {
        assertNotEquals(SmsCodeSender.firstSendClaimPart("root-1", "tab-1", "session-code-1"),
                SmsCodeSender.firstSendClaimPart("root-1", "tab-1", "session-code-2"));
    }
}
