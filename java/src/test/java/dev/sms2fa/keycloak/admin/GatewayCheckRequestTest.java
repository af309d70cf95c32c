package dev.sms2fa.keycloak.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GatewayCheckRequestTest {

    @Test
    void emptyBodyChecksWithoutNumber() {
        for (String body : new String[] {null, "", "  ", "{}"}) {
            GatewayCheckRequest request = GatewayCheckRequest.parse(body);
            assertNull(request.phoneNumber(), String.valueOf(body));
            assertFalse(request.send(), String.valueOf(body));
            assertNull(request.executionId(), String.valueOf(body));
        }
    }

    @Test
    void allFieldsRead() {
        GatewayCheckRequest request = GatewayCheckRequest.parse(
                "{\"phoneNumber\":\"+48 500 100 200\",\"send\":true,\"executionId\":\"abc\",\"other\":1}");
        assertEquals("+48 500 100 200", request.phoneNumber());
        assertTrue(request.send());
        assertEquals("abc", request.executionId());
    }

    @Test
    void blankFieldsCountAsUnset() {
        GatewayCheckRequest request = GatewayCheckRequest.parse(
                "{\"phoneNumber\":\" \",\"send\":null,\"executionId\":\"\"}");
        assertNull(request.phoneNumber());
        assertFalse(request.send());
        assertNull(request.executionId());
    }

    @Test
    void invalidBodiesRejected() {
        for (String body : new String[] {"not json", "[1]", "\"text\"", "{\"send\":\"true\"}",
                "{\"phoneNumber\":48500100200}", "{\"executionId\":{}}"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> GatewayCheckRequest.parse(body), body);
            assertFalse(e.getMessage().isBlank(), body);
        }
    }

    @Test
    void sendWithoutNumberRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GatewayCheckRequest.parse("{\"send\":true}"));
        assertTrue(e.getMessage().contains("phoneNumber"), e.getMessage());
    }

    @Test
    void toStringHidesNumber() {
        GatewayCheckRequest request = GatewayCheckRequest.parse("{\"phoneNumber\":\"+48500100200\"}");
        assertFalse(request.toString().contains("500100200"), request.toString());
    }
}
