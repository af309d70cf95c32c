package dev.sms2fa.keycloak.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import org.junit.jupiter.api.Test;

class ExceptionsTest {

    @Test
    void sendNotAllowedKeepsFields() {
        SendNotAllowedException e = new SendNotAllowedException("A new code can be requested in 12 seconds.", 12,
                SendNotAllowedException.REASON_COOLDOWN);

        assertEquals("A new code can be requested in 12 seconds.", e.getMessage());
        assertEquals(12, e.getRetryAfterSeconds());
        assertEquals("cooldown", e.getReason());
        assertInstanceOf(Sms2faException.class, e);
    }

    @Test
    void invalidPhoneNumberKeepsReason() {
        InvalidPhoneNumberException e = new InvalidPhoneNumberException("Numbers of this country are not accepted.",
                InvalidPhoneNumberException.REASON_COUNTRY);

        assertEquals("country", e.getReason());
        assertEquals("Numbers of this country are not accepted.", e.getMessage());
    }

    @Test
    void invalidPhoneNumberDefaultReason() {
        assertEquals("invalid", new InvalidPhoneNumberException("Not a phone number.").getReason());
    }
}
