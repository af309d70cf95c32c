package dev.sms2fa.keycloak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.keycloak.provider.ProviderConfigProperty;

class SmsConfigPropertiesTest {

    /** Key and admin console label of every configuration field, in display order. */
    private static final Map<String, String> EXPECTED_LABELS = new LinkedHashMap<>();

    static {
        EXPECTED_LABELS.put("apiurl", "SMS API URL");
        EXPECTED_LABELS.put("urlencode", "URL encode data");
        EXPECTED_LABELS.put("apitokenattribute", "API Secret Token Attribute");
        EXPECTED_LABELS.put("apitoken", "API Secret");
        EXPECTED_LABELS.put("messageattribute", "Message Attribute");
        EXPECTED_LABELS.put("receiverattribute", "Receiver Phone Number Attribute");
        EXPECTED_LABELS.put("senderattribute", "Sender Phone Number Attribute");
        EXPECTED_LABELS.put("forceSecondFactor", "Force 2FA");
        EXPECTED_LABELS.put("whitelist", "Role exempt from Force 2FA");
        EXPECTED_LABELS.put("gatewayType", "Gateway type");
        EXPECTED_LABELS.put("senderId", "Sender ID");
        EXPECTED_LABELS.put("tlsCaFile", "Trusted CA certificate file (PEM)");
        EXPECTED_LABELS.put("tlsPinSha256", "Pinned certificate SHA-256");
        EXPECTED_LABELS.put("tlsSkipVerify", "Skip TLS verification (unsafe)");
        EXPECTED_LABELS.put("connectTimeoutMs", "Connect timeout (ms)");
        EXPECTED_LABELS.put("requestTimeoutMs", "Request timeout (ms)");
        EXPECTED_LABELS.put("fallbackApiUrl", "Second device SMS API URL");
        EXPECTED_LABELS.put("priority", "SMSEagle priority");
        EXPECTED_LABELS.put("modemNo", "SMSEagle modem number");
        EXPECTED_LABELS.put("length", "Code length");
        EXPECTED_LABELS.put("ttl", "Code validity (seconds)");
        EXPECTED_LABELS.put("maxAttempts", "Maximum wrong attempts");
        EXPECTED_LABELS.put("resendCooldownSeconds", "Resend cooldown (seconds)");
        EXPECTED_LABELS.put("maxSendsPerLogin", "Maximum SMS per login");
        EXPECTED_LABELS.put("maxSendsPerHour", "Maximum SMS per user per hour");
        EXPECTED_LABELS.put("defaultRegion", "Default phone region");
        EXPECTED_LABELS.put("allowedCountries", "Allowed countries");
        EXPECTED_LABELS.put("enforcePhoneNumberUniqueness", "Unique phone numbers");
        EXPECTED_LABELS.put("mobileNumberAttribute", "Provisioned phone number attribute");
        EXPECTED_LABELS.put("originBoundLine", "Add origin-bound code line");
        EXPECTED_LABELS.put("simulation", "Simulation mode");
    }

    private static Map<String, ProviderConfigProperty> propertiesByName() {
        return SmsConfigProperties.list().stream()
                .collect(Collectors.toMap(ProviderConfigProperty::getName, Function.identity()));
    }

    @Test
    void keysAndLabelsMatchContract() {
        List<String> names = SmsConfigProperties.list().stream().map(ProviderConfigProperty::getName).toList();
        assertEquals(List.copyOf(EXPECTED_LABELS.keySet()), names);

        Map<String, ProviderConfigProperty> byName = propertiesByName();
        EXPECTED_LABELS.forEach((key, label) -> assertEquals(label, byName.get(key).getLabel(), "label of " + key));
    }

    @Test
    void everyPropertyHasHelpTextAndType() {
        for (ProviderConfigProperty property : SmsConfigProperties.list()) {
            assertNotNull(property.getType(), "type of " + property.getName());
            assertNotNull(property.getHelpText(), "help text of " + property.getName());
            assertFalse(property.getHelpText().isBlank(), "help text of " + property.getName());
        }
    }

    @Test
    void apiSecretIsSecretPasswordField() {
        ProviderConfigProperty apiToken = propertiesByName().get(SmsConfigProperties.API_TOKEN);
        assertEquals(ProviderConfigProperty.PASSWORD, apiToken.getType());
        assertTrue(apiToken.isSecret());
    }

    @Test
    void onlyApiSecretIsSecret() {
        List<String> secret = SmsConfigProperties.list().stream()
                .filter(ProviderConfigProperty::isSecret)
                .map(ProviderConfigProperty::getName)
                .toList();
        assertEquals(List.of(SmsConfigProperties.API_TOKEN), secret);
    }

    @Test
    void apiUrlIsRequiredWithoutDefault() {
        ProviderConfigProperty apiUrl = propertiesByName().get(SmsConfigProperties.API_URL);
        assertTrue(apiUrl.isRequired());
        assertEquals(null, apiUrl.getDefaultValue());
    }

    @Test
    void defaultsMatchContract() {
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("urlencode", "false");
        expected.put("apitokenattribute", "");
        expected.put("apitoken", "");
        expected.put("messageattribute", "text");
        expected.put("receiverattribute", "to");
        expected.put("senderattribute", "from");
        expected.put("senderId", "");
        expected.put("forceSecondFactor", "false");
        expected.put("whitelist", "");
        expected.put("mobileNumberAttribute", "");
        expected.put("enforcePhoneNumberUniqueness", "true");
        expected.put("gatewayType", "auto");
        expected.put("length", "6");
        expected.put("ttl", "300");
        expected.put("maxAttempts", "5");
        expected.put("connectTimeoutMs", "2000");
        expected.put("requestTimeoutMs", "10000");
        expected.put("tlsCaFile", "");
        expected.put("resendCooldownSeconds", "30");
        expected.put("maxSendsPerLogin", "3");
        expected.put("maxSendsPerHour", "10");
        expected.put("priority", "9");
        expected.put("modemNo", "");
        expected.put("originBoundLine", "false");
        expected.put("fallbackApiUrl", "");
        expected.put("tlsPinSha256", "");
        expected.put("tlsSkipVerify", "false");
        expected.put("defaultRegion", "");
        expected.put("allowedCountries", "");
        expected.put("simulation", "false");

        Map<String, ProviderConfigProperty> byName = propertiesByName();
        expected.forEach((key, value) -> assertEquals(value, byName.get(key).getDefaultValue(), "default of " + key));
    }

    @Test
    void gatewayTypeOffersThreeOptions() {
        ProviderConfigProperty gatewayType = propertiesByName().get(SmsConfigProperties.GATEWAY_TYPE);
        assertEquals(ProviderConfigProperty.LIST_TYPE, gatewayType.getType());
        assertEquals(List.of("auto", "smseagle", "generic"), gatewayType.getOptions());
    }

    @Test
    void booleanFieldsUseBooleanType() {
        Map<String, ProviderConfigProperty> byName = propertiesByName();
        for (String key : List.of(SmsConfigProperties.URL_ENCODE, SmsConfigProperties.FORCE_SECOND_FACTOR,
                SmsConfigProperties.ORIGIN_BOUND_LINE, SmsConfigProperties.TLS_SKIP_VERIFY,
                SmsConfigProperties.SIMULATION)) {
            assertEquals(ProviderConfigProperty.BOOLEAN_TYPE, byName.get(key).getType(), "type of " + key);
        }
    }

    @Test
    void newFieldsHelpNamesDefault() {
        Map<String, ProviderConfigProperty> byName = propertiesByName();
        Map<String, String> expectedDefaultText = new LinkedHashMap<>();
        expectedDefaultText.put("resendCooldownSeconds", "Default 30.");
        expectedDefaultText.put("maxSendsPerLogin", "Default 3.");
        expectedDefaultText.put("maxSendsPerHour", "Default 10.");
        expectedDefaultText.put("priority", "Default 9.");
        expectedDefaultText.put("modemNo", "Default empty");
        expectedDefaultText.put("originBoundLine", "Default off.");
        expectedDefaultText.put("fallbackApiUrl", "Default empty");
        expectedDefaultText.put("tlsPinSha256", "Default empty");
        expectedDefaultText.put("tlsSkipVerify", "Default off.");
        expectedDefaultText.put("defaultRegion", "Default empty");
        expectedDefaultText.put("allowedCountries", "Default empty");
        expectedDefaultText.put("simulation", "Default off.");
        expectedDefaultText.forEach((key, text) -> assertTrue(byName.get(key).getHelpText().contains(text),
                "help text of " + key + ": " + byName.get(key).getHelpText()));
    }

    @Test
    void numericFieldsHelpNamesUnit() {
        Map<String, ProviderConfigProperty> byName = propertiesByName();
        assertTrue(byName.get(SmsConfigProperties.RESEND_COOLDOWN_SECONDS).getHelpText().contains("Seconds"));
        assertTrue(byName.get(SmsConfigProperties.MAX_SENDS_PER_HOUR).getHelpText().contains("rolling hour"));
        assertTrue(byName.get(SmsConfigProperties.CODE_TTL_SECONDS).getHelpText().contains("in seconds"));
    }
}
