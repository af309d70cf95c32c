package dev.sms2fa.keycloak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import dev.sms2fa.keycloak.bridge.GatewayConfigException;
import dev.sms2fa.keycloak.bridge.GatewayRejectedException;
import dev.sms2fa.keycloak.bridge.GatewayUnavailableException;

class SmsCodeSenderTest {

    private static final String TLS_SETUP =
            "the TLS settings for tlsPinSha256 cannot be set up: bad pin; check tlsPinSha256";
    private static final String CLIENT_SETUP = "the HTTP client cannot be set up with the certificates of"
            + " tlsCaFile \"/etc/ca.pem\": no certificates; enter the path of a PEM file with valid CA certificates";
    private static final String TLS_HANDSHAKE = "the TLS connection to https://127.0.0.1:8443 failed: invalid peer"
            + " certificate: UnknownIssuer; set tlsCaFile to the PEM file of the CA";
    private static final String HTTP_401 = "the SMSEagle gateway did not accept the API token (401 Invalid API key);"
            + " enter a valid token in apitoken";
    private static final String HTTP_REDIRECT = "https://127.0.0.1:8443/api/v2/messages/sms responded with 302 Found"
            + " and redirects to https://127.0.0.1:8443/login. The SMS was not sent there, so enter the final URL";

    @Test
    void firstSendClaimJoinsIds() {
        assertEquals("root-1.tab-1.login-1", SmsCodeSender.firstSendClaimPart("root-1", "tab-1", "login-1"));
    }

    @Test
    void firstSendClaimSameWithinLogin() {
        assertEquals(SmsCodeSender.firstSendClaimPart("root-1", "tab-1", "login-1"),
                SmsCodeSender.firstSendClaimPart("root-1", "tab-1", "login-1"));
    }

    @Test
    void firstSendClaimDiffersAfterRestart() {
        // A restart in the same tab keeps root and tab id, but the step starts with a new login id.
        assertNotEquals(SmsCodeSender.firstSendClaimPart("root-1", "tab-1", "login-1"),
                SmsCodeSender.firstSendClaimPart("root-1", "tab-1", "login-2"));
    }

    @Test
    void firstSendClaimDiffersPerTab() {
        assertNotEquals(SmsCodeSender.firstSendClaimPart("root-1", "tab-1", "login-1"),
                SmsCodeSender.firstSendClaimPart("root-1", "tab-2", "login-1"));
    }

    @Test
    void loginIdIsRandomHex() {
        String first = SmsCodeSender.newLoginId();
        String second = SmsCodeSender.newLoginId();

        assertTrue(first.matches("[0-9a-f]{32}"), first);
        assertNotEquals(first, second);
    }

    @Test
    void rejectedOrUnavailableGatewayKeepsRateSlot() {
        assertTrue(SmsCodeSender.mayHaveReachedGateway(new GatewayRejectedException("not queued")));
        assertTrue(SmsCodeSender.mayHaveReachedGateway(new GatewayUnavailableException("timed out")));
        assertTrue(SmsCodeSender.mayHaveReachedGateway(new GatewayUnavailableException(TLS_HANDSHAKE)));
    }

    @Test
    void configErrorBeforeRequestReleasesRateSlot() {
        assertFalse(SmsCodeSender.mayHaveReachedGateway(new GatewayConfigException(TLS_SETUP)));
        assertFalse(SmsCodeSender.mayHaveReachedGateway(new GatewayConfigException(CLIENT_SETUP)));
        assertFalse(SmsCodeSender.mayHaveReachedGateway(new GatewayConfigException(TLS_HANDSHAKE)));
    }

    @Test
    void configErrorAfterHttpAnswerKeepsRateSlot() {
        assertTrue(SmsCodeSender.mayHaveReachedGateway(new GatewayConfigException(HTTP_401)));
        assertTrue(SmsCodeSender.mayHaveReachedGateway(new GatewayConfigException(HTTP_REDIRECT)));
    }

    @Test
    void unknownConfigErrorKeepsRateSlot() {
        assertTrue(SmsCodeSender.mayHaveReachedGateway(new GatewayConfigException("something else failed")));
        assertTrue(SmsCodeSender.mayHaveReachedGateway(new GatewayConfigException(null)));
    }

    @Test
    void secondDeviceAnswerKeepsRateSlot() {
        String message = TLS_HANDSHAKE + SmsCodeSender.SECOND_DEVICE_SEPARATOR + HTTP_401;

        assertTrue(SmsCodeSender.mayHaveReachedGateway(new GatewayConfigException(message)));
    }

    @Test
    void bothDevicesFailingBeforeRequestReleaseRateSlot() {
        String message = TLS_HANDSHAKE + SmsCodeSender.SECOND_DEVICE_SEPARATOR + TLS_HANDSHAKE;

        assertFalse(SmsCodeSender.mayHaveReachedGateway(new GatewayConfigException(message)));
    }
}
