package dev.sms2fa.keycloak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

class SmsRealmConfigTest {

    @Test
    void vaultReferences() {
        assertTrue(SmsRealmConfig.isVaultReference("${vault.smseagle_token}"));
        assertTrue(SmsRealmConfig.isVaultReference("  ${vault.x} "));
        assertFalse(SmsRealmConfig.isVaultReference("${vault.}"));
        assertFalse(SmsRealmConfig.isVaultReference("demo-token"));
        assertFalse(SmsRealmConfig.isVaultReference("${env.TOKEN}"));
        assertFalse(SmsRealmConfig.isVaultReference("prefix ${vault.x}"));
        assertFalse(SmsRealmConfig.isVaultReference(null));
    }

    @Test
    void vaultResolvesApiSecretOnly() {
        assertEquals(Set.of(SmsConfigProperties.API_TOKEN), SmsRealmConfig.SECRET_KEYS);
    }

    @Test
    void foundWithoutConfigHasEmptyMapAndLabels() {
        SmsRealmConfig.Found none = new SmsRealmConfig.Found(null, null);
        assertEquals(Map.of(), none.rawConfig());
        assertEquals("none", none.configId());
        assertEquals("(none in this realm)", none.executionLabel());
    }

    @Test
    void numberRejectionReasonsHaveTheirOwnMessages() {
        assertEquals(SmsMessages.NUMBER_TYPE, SmsEnrolmentAction.numberMessage("type"));
        assertEquals(SmsMessages.NUMBER_COUNTRY, SmsEnrolmentAction.numberMessage("country"));
        assertEquals(SmsMessages.NUMBER_INVALID, SmsEnrolmentAction.numberMessage("invalid"));
        assertEquals(SmsMessages.NUMBER_INVALID, SmsEnrolmentAction.numberMessage(null));
    }
}
