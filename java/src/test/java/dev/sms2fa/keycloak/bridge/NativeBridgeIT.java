package dev.sms2fa.keycloak.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.util.JsonSerialization;

import dev.sms2fa.keycloak.SmsConfigProperties;

/**
 * Calls every native method of the library that the packaged jar carries. Failsafe runs this
 * after {@code package} with the jar on the class path and with {@code -Xcheck:jni}.
 */
class NativeBridgeIT {

    private static final String PHONE = "+48500100200";
    private static final String MASKED_PHONE = "+48******200";
    private static final String TOKEN = "it-secret-token";
    /** Port 1 on loopback: nothing listens there, so the connection is refused at once. */
    private static final String REFUSED_URL = "http://127.0.0.1:1/api/v2/messages/sms_single";
    private static final String TEXT_TEMPLATE = "Your {2} login code is {0}. It is valid for {1} minutes.";
    /** Codes have 6 digits by default, so a 1-digit entry is always wrong. */
    private static final String NEVER_MATCHING_CODE = "0";

    private static byte[] hmacKey;

    @BeforeAll
    static void loadLibrary() {
        hmacKey = new byte[64];
        Arrays.fill(hmacKey, (byte) 0x5a);
        NativeLibraryLoader.ensureLoaded();
    }

    @Test
    void classesComeFromPackagedJar() {
        String location = NativeBridge.class.getProtectionDomain().getCodeSource().getLocation().getPath();
        assertTrue(location.endsWith(".jar"), "NativeBridge loaded from " + location);
    }

    @Test
    void libraryExtractedIntoPrivateDirectory() throws IOException {
        String loadedFrom = NativeLibraryLoader.loadedFrom();
        assertNotNull(loadedFrom);
        Path library = Path.of(loadedFrom);
        String extractBase = System.getProperty(NativeLibraryLoader.DIRECTORY_PROPERTY);

        assertEquals("libsms2fa.so", library.getFileName().toString());
        assertTrue(library.getParent().getFileName().toString().startsWith("sms2fa-"), loadedFrom);
        assertEquals(Path.of(extractBase).toAbsolutePath(), library.getParent().getParent().toAbsolutePath());
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(library.getParent())));
    }

    @Test
    void libraryVersionMatchesJar() {
        String expected = System.getProperty("sms2fa.test.expectedVersion");
        assertNotNull(expected, "failsafe sets sms2fa.test.expectedVersion");
        assertEquals(expected, NativeBridge.libraryVersion());
        assertEquals(expected, NativeLibraryLoader.readJarVersion());
    }

    @Test
    void buildInfoNamesVersionAndTarget() {
        String buildInfo = NativeBridge.buildInfo();
        String[] parts = buildInfo.split(" ");

        assertEquals(3, parts.length, buildInfo);
        assertEquals(NativeBridge.libraryVersion(), parts[0]);
        assertEquals("x86_64-unknown-linux-gnu", parts[1]);
        assertEquals("release", parts[2]);
    }

    @Test
    void validateConfigFillsDefaults() throws IOException {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("apiurl", REFUSED_URL);
        config.put("apitoken", TOKEN);
        config.put("someKeyKeycloakAdds", "ignored");

        ValidateConfigResult result = ValidateConfigResult.fromJson(NativeBridge.validateConfig(toJson(config)));
        Map<String, String> normalized = result.config();

        for (ProviderConfigProperty property : SmsConfigProperties.list()) {
            assertTrue(normalized.containsKey(property.getName()), "normalized config has " + property.getName());
        }
        assertEquals(REFUSED_URL, normalized.get("apiurl"));
        assertEquals("6", normalized.get("length"));
        assertEquals("300", normalized.get("ttl"));
        assertEquals("5", normalized.get("maxAttempts"));
        assertEquals("text", normalized.get("messageattribute"));
        assertEquals("to", normalized.get("receiverattribute"));
        assertEquals("false", normalized.get("urlencode"));
        assertEquals("30", normalized.get("resendCooldownSeconds"));
        assertEquals("3", normalized.get("maxSendsPerLogin"));
        assertEquals("10", normalized.get("maxSendsPerHour"));
        assertEquals("false", normalized.get("simulation"));
        assertTrue(result.warnings().isEmpty(), result.warnings().toString());
    }

    @Test
    void validateConfigSkipVerifyWarns() {
        Map<String, String> config = Map.of("apiurl", "https://127.0.0.1:1/api/v2/messages/sms", "apitoken", TOKEN,
                "tlsSkipVerify", "true");

        ValidateConfigResult result = ValidateConfigResult.fromJson(NativeBridge.validateConfig(toJson(config)));

        assertEquals(1, result.warnings().size(), result.warnings().toString());
        assertTrue(result.warnings().get(0).startsWith("tlsSkipVerify"), result.warnings().get(0));
    }

    @Test
    void validateConfigPinAndSkipVerifyRejected() {
        Map<String, String> config = Map.of("apiurl", "https://127.0.0.1:1/api/v2/messages/sms", "apitoken", TOKEN,
                "tlsSkipVerify", "true", "tlsPinSha256", "ab".repeat(32));

        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> NativeBridge.validateConfig(toJson(config)));
        assertEquals("tlsSkipVerify", e.getField());
    }

    @Test
    void validateConfigMissingApiUrl() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> NativeBridge.validateConfig("{}"));
        assertEquals("apiurl", e.getField());
        assertFalse(e.getMessage().isBlank());
    }

    @Test
    void validateConfigNonHttpUrl() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> NativeBridge.validateConfig(toJson(Map.of("apiurl", "ftp://127.0.0.1/sms"))));
        assertEquals("apiurl", e.getField());
    }

    @Test
    void validateConfigCodeLengthOutOfRange() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> NativeBridge.validateConfig(toJson(Map.of("apiurl", REFUSED_URL, "length", "5"))));
        assertEquals("length", e.getField());
    }

    @Test
    void validateConfigSendsPerLoginOutOfRange() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> NativeBridge.validateConfig(toJson(Map.of("apiurl", REFUSED_URL, "maxSendsPerLogin", "11"))));
        assertEquals("maxSendsPerLogin", e.getField());
    }

    @Test
    void validateConfigInvalidBoolean() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> NativeBridge.validateConfig(toJson(Map.of("apiurl", REFUSED_URL, "urlencode", "maybe"))));
        assertEquals("urlencode", e.getField());
    }

    @Test
    void normalizePhoneVariants() {
        assertEquals(PHONE, NativeBridge.normalizePhone("+48 500-100-200", "", ""));
        assertEquals(PHONE, NativeBridge.normalizePhone("0048500100200", "", ""));
        assertEquals(PHONE, NativeBridge.normalizePhone(PHONE, "", ""));
    }

    @Test
    void listCountriesFollowsTheAllowList() throws Exception {
        List<Map<String, Object>> countries = JsonSerialization.readValue(NativeBridge.listCountries("pl,DE"),
                new TypeReference<List<Map<String, Object>>>() { });
        assertEquals(List.of(Map.of("region", "PL", "callingCode", 48), Map.of("region", "DE", "callingCode", 49)),
                countries);
        assertTrue(NativeBridge.listCountries("").contains("\"region\":\"US\""));
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> NativeBridge.listCountries("XX"));
        assertEquals("allowedCountries", e.getField());
    }

    @Test
    void normalizePhoneDefaultRegion() {
        assertEquals(PHONE, NativeBridge.normalizePhone("500 100 200", "PL", ""));
    }

    @Test
    void normalizePhoneInvalidReason() {
        for (String input : new String[] {"not a number", "", "500100200"}) {
            InvalidPhoneNumberException e = assertThrows(InvalidPhoneNumberException.class,
                    () -> NativeBridge.normalizePhone(input, "", ""), input);
            assertEquals(InvalidPhoneNumberException.REASON_INVALID, e.getReason(), input);
        }
    }

    @Test
    void normalizePhoneCountryReason() {
        InvalidPhoneNumberException e = assertThrows(InvalidPhoneNumberException.class,
                () -> NativeBridge.normalizePhone(PHONE, "", "DE,AT"));
        assertEquals(InvalidPhoneNumberException.REASON_COUNTRY, e.getReason());
        assertFalse(e.getMessage().contains(PHONE), e.getMessage());

        assertEquals(PHONE, NativeBridge.normalizePhone(PHONE, "", "DE,PL"));
    }

    @Test
    void normalizePhoneTypeReason() {
        // A UK premium-rate number (09 prefix).
        InvalidPhoneNumberException e = assertThrows(InvalidPhoneNumberException.class,
                () -> NativeBridge.normalizePhone("+44 909 876 5432", "", ""));
        assertEquals(InvalidPhoneNumberException.REASON_TYPE, e.getReason());
    }

    @Test
    void maskPhoneKeepsPrefixAndLastDigits() {
        assertEquals(MASKED_PHONE, NativeBridge.maskPhone(PHONE));
    }

    @Test
    void sendCodeSimulated() {
        long now = System.currentTimeMillis();

        SendCodeResult result = sendSimulated(Map.of(), null, now);

        assertTrue(result.simulated());
        assertEquals("simulated", result.messageId());
        assertEquals(MASKED_PHONE, result.maskedPhone());
        assertEquals(1, result.sendNumber());
        assertEquals(2, result.sendsLeft());
        assertEquals(0, result.attemptsUsed());
        assertEquals(5, result.maxAttempts());
        assertEquals(now + 300_000, result.expiresAtMillis());
        assertEquals(now + 30_000, result.nextSendAtMillis());
        assertTrue(result.challengeId().matches("[0-9a-f]+"), result.challengeId());
        assertTrue(result.codeId().matches("[0-9a-f]+"), result.codeId());
        assertFalse(result.state().isEmpty());
    }

    @Test
    void sendCodeTooEarlyNotAllowed() {
        long now = System.currentTimeMillis();
        SendCodeResult first = sendSimulated(Map.of(), null, now);

        SendNotAllowedException e = assertThrows(SendNotAllowedException.class,
                () -> sendSimulated(Map.of(), first.state(), now + 1_000));

        assertEquals(SendNotAllowedException.REASON_COOLDOWN, e.getReason());
        assertTrue(e.getRetryAfterSeconds() > 0, "retryAfterSeconds " + e.getRetryAfterSeconds());
        assertEquals(29, e.getRetryAfterSeconds());
    }

    @Test
    void sendCodeAfterCooldownKeepsChallenge() {
        long now = System.currentTimeMillis();
        SendCodeResult first = sendSimulated(Map.of(), null, now);

        SendCodeResult second = sendSimulated(Map.of(), first.state(), now + 30_000);

        assertEquals(first.challengeId(), second.challengeId());
        assertNotEquals(first.codeId(), second.codeId());
        assertEquals(2, second.sendNumber());
        assertEquals(1, second.sendsLeft());
        // The cooldown doubles for each further code.
        assertEquals(now + 30_000 + 60_000, second.nextSendAtMillis());
    }

    @Test
    void sendCodeBeyondLimitNotAllowed() {
        long now = System.currentTimeMillis();
        SendCodeResult first = sendSimulated(Map.of("maxSendsPerLogin", "1"), null, now);
        assertEquals(0, first.sendsLeft());

        SendNotAllowedException e = assertThrows(SendNotAllowedException.class,
                () -> sendSimulated(Map.of("maxSendsPerLogin", "1"), first.state(), now + 600_000));

        assertEquals(SendNotAllowedException.REASON_LIMIT, e.getReason());
    }

    @Test
    void sendCodeInheritsWrongAttempts() {
        long now = System.currentTimeMillis();
        SendCodeResult first = sendSimulated(Map.of(), null, now);
        VerifyCodeResult wrong = VerifyCodeResult.fromJson(
                NativeBridge.verifyCode(first.state(), hmacKey, NEVER_MATCHING_CODE, now + 1_000, 1));

        SendCodeResult second = sendSimulated(Map.of(), wrong.state(), now + 30_000);

        assertEquals(1, second.attemptsUsed());
    }

    @Test
    void sendCodeOriginBoundLine() {
        SendCodeResult result = sendSimulated(Map.of("originBoundLine", "true"), null,
                System.currentTimeMillis(), "login.example.org");
        assertTrue(result.simulated());
    }

    @Test
    void describeChallengeFreshState() {
        long now = System.currentTimeMillis();
        SendCodeResult sent = sendSimulated(Map.of(), null, now);

        DescribeChallengeResult described = DescribeChallengeResult.fromJson(
                NativeBridge.describeChallenge(sent.state(), hmacKey, now + 1_000));

        assertEquals(sent.challengeId(), described.challengeId());
        assertEquals(sent.codeId(), described.codeId());
        assertEquals(1, described.sendNumber());
        assertEquals(2, described.sendsLeft());
        assertEquals(sent.nextSendAtMillis(), described.nextSendAtMillis());
        assertEquals(sent.expiresAtMillis(), described.expiresAtMillis());
        assertEquals(0, described.attemptsUsed());
        assertEquals(5, described.maxAttempts());
        assertFalse(described.burned());
        assertFalse(described.expired());
    }

    @Test
    void describeChallengeExpired() {
        long now = System.currentTimeMillis();
        SendCodeResult sent = sendSimulated(Map.of(), null, now);

        DescribeChallengeResult described = DescribeChallengeResult.fromJson(
                NativeBridge.describeChallenge(sent.state(), hmacKey, now + 301_000));

        assertTrue(described.expired());
    }

    @Test
    void describeChallengeOtherKeyRejected() {
        SendCodeResult sent = sendSimulated(Map.of(), null, System.currentTimeMillis());
        byte[] otherKey = new byte[64];
        Arrays.fill(otherKey, (byte) 0x33);

        assertThrows(InvalidChallengeException.class,
                () -> NativeBridge.describeChallenge(sent.state(), otherKey, System.currentTimeMillis()));
        assertThrows(InvalidChallengeException.class,
                () -> NativeBridge.describeChallenge("not-a-state", hmacKey, System.currentTimeMillis()));
    }

    @Test
    void verifyCodeWrongCountsAttempt() {
        long now = System.currentTimeMillis();
        SendCodeResult sent = sendSimulated(Map.of(), null, now);

        VerifyCodeResult result = VerifyCodeResult.fromJson(
                NativeBridge.verifyCode(sent.state(), hmacKey, NEVER_MATCHING_CODE, now + 1_000, 1));

        assertEquals(VerifyCodeResult.Outcome.WRONG, result.outcome());
        assertEquals(4, result.attemptsLeft());
        assertEquals(sent.codeId(), result.codeId());
        DescribeChallengeResult described = DescribeChallengeResult.fromJson(
                NativeBridge.describeChallenge(result.state(), hmacKey, now + 2_000));
        assertEquals(1, described.attemptsUsed());
    }

    @Test
    void verifyCodeClaimedAttemptNumberUsed() {
        long now = System.currentTimeMillis();
        SendCodeResult sent = sendSimulated(Map.of(), null, now);

        // Slots 1 to 3 were claimed by parallel requests, so this entry is attempt 4 of 5.
        VerifyCodeResult result = VerifyCodeResult.fromJson(
                NativeBridge.verifyCode(sent.state(), hmacKey, NEVER_MATCHING_CODE, now + 1_000, 4));

        assertEquals(VerifyCodeResult.Outcome.WRONG, result.outcome());
        assertEquals(1, result.attemptsLeft());
    }

    @Test
    void verifyCodeLastAttemptBurns() {
        long now = System.currentTimeMillis();
        SendCodeResult sent = sendSimulated(Map.of(), null, now);

        VerifyCodeResult result = VerifyCodeResult.fromJson(
                NativeBridge.verifyCode(sent.state(), hmacKey, NEVER_MATCHING_CODE, now + 1_000, 5));

        assertEquals(VerifyCodeResult.Outcome.EXHAUSTED, result.outcome());
        assertEquals(0, result.attemptsLeft());
        assertTrue(DescribeChallengeResult.fromJson(
                NativeBridge.describeChallenge(result.state(), hmacKey, now + 2_000)).burned());
    }

    @Test
    void verifyCodeBeyondMaxAttemptsBurns() {
        long now = System.currentTimeMillis();
        SendCodeResult sent = sendSimulated(Map.of(), null, now);

        VerifyCodeResult result = VerifyCodeResult.fromJson(
                NativeBridge.verifyCode(sent.state(), hmacKey, NEVER_MATCHING_CODE, now + 1_000, 6));

        assertEquals(VerifyCodeResult.Outcome.EXHAUSTED, result.outcome());
    }

    @Test
    void verifyCodeExpired() {
        long now = System.currentTimeMillis();
        SendCodeResult sent = sendSimulated(Map.of(), null, now);

        VerifyCodeResult result = VerifyCodeResult.fromJson(
                NativeBridge.verifyCode(sent.state(), hmacKey, NEVER_MATCHING_CODE, now + 301_000, 1));

        assertEquals(VerifyCodeResult.Outcome.EXPIRED, result.outcome());
    }

    @Test
    void verifyCodeMalformedState() {
        assertThrows(InvalidChallengeException.class,
                () -> NativeBridge.verifyCode("not-a-state", hmacKey, "123456", System.currentTimeMillis(), 1));
        assertThrows(InvalidChallengeException.class,
                () -> NativeBridge.verifyCode("", hmacKey, "123456", System.currentTimeMillis(), 1));
    }

    @Test
    void sendCodeConnectionRefused() {
        Map<String, String> config = Map.of("apiurl", REFUSED_URL, "apitoken", TOKEN);

        GatewayUnavailableException e = assertThrows(GatewayUnavailableException.class,
                () -> NativeBridge.sendCode(toJson(config), hmacKey, PHONE, TEXT_TEMPLATE, "it-realm", null, null,
                        System.currentTimeMillis()));

        assertFalse(e.getMessage().contains(TOKEN), e.getMessage());
        assertFalse(e.getMessage().contains(PHONE), e.getMessage());
    }

    @Test
    void sendCodeInvalidConfig() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> NativeBridge.sendCode("{}", hmacKey, PHONE, TEXT_TEMPLATE, "it-realm", null, null,
                        System.currentTimeMillis()));
        assertEquals("apiurl", e.getField());
    }

    @Test
    void sendCodeInvalidPhone() {
        Map<String, String> config = Map.of("apiurl", REFUSED_URL, "apitoken", TOKEN);

        assertThrows(InvalidPhoneNumberException.class,
                () -> NativeBridge.sendCode(toJson(config), hmacKey, "12", TEXT_TEMPLATE, "it-realm", null, null,
                        System.currentTimeMillis()));
    }

    @Test
    void sendCodeTamperedPreviousStateRejected() {
        assertThrows(InvalidChallengeException.class,
                () -> sendSimulated(Map.of(), "not-a-state", System.currentTimeMillis()));
    }

    @Test
    void checkGatewayReportsRefusedConnection() throws IOException {
        Map<String, String> config = Map.of("apiurl", REFUSED_URL, "apitoken", TOKEN);

        String json = NativeBridge.checkGateway(toJson(config), PHONE, false);
        JsonNode report = JsonSerialization.mapper.readTree(json);

        assertFalse(report.get("ok").asBoolean(), json);
        assertEquals("smseagle", report.get("gatewayType").asText(), json);
        assertEquals("http://127.0.0.1:1", report.get("deviceUrl").asText(), json);
        assertEquals(MASKED_PHONE, report.get("maskedPhone").asText(), json);
        JsonNode connection = report.get("checks").get(0);
        assertEquals("connection", connection.get("name").asText(), json);
        assertEquals("failed", connection.get("result").asText(), json);
        assertEquals("unreachable", connection.get("problem").asText(), json);
        assertEquals("skipped", report.get("checks").get(2).get("result").asText(), json);
        assertFalse(json.contains(TOKEN), json);
        assertFalse(json.contains(PHONE), json);
    }

    @Test
    void checkGatewayWithoutPhone() throws IOException {
        Map<String, String> config = Map.of("apiurl", REFUSED_URL, "apitoken", TOKEN, "simulation", "true");

        JsonNode report = JsonSerialization.mapper.readTree(NativeBridge.checkGateway(toJson(config), null, true));

        assertFalse(report.has("maskedPhone"));
        assertEquals("simulation", report.get("checks").get(0).get("name").asText());
        assertEquals("warning", report.get("checks").get(0).get("result").asText());
    }

    @Test
    void checkGatewayInvalidInput() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> NativeBridge.checkGateway("{}", null, false));
        assertEquals("apiurl", e.getField());

        Map<String, String> config = Map.of("apiurl", REFUSED_URL, "apitoken", TOKEN);
        assertThrows(InvalidPhoneNumberException.class, () -> NativeBridge.checkGateway(toJson(config), "12", false));
        assertThrows(NullPointerException.class, () -> NativeBridge.checkGateway(null, null, false));
    }

    @Test
    void panicArrivesAsErrorAndLibraryStillWorks() {
        NativePanicError e = assertThrows(NativePanicError.class,
                () -> NativeBridge.panicForTest("panic from NativeBridgeIT"));
        assertTrue(e.getMessage().contains("panic from NativeBridgeIT"), e.getMessage());

        assertEquals(MASKED_PHONE, NativeBridge.maskPhone(PHONE));
        assertEquals(System.getProperty("sms2fa.test.expectedVersion"), NativeBridge.libraryVersion());
    }

    @Test
    void panicWithNonAsciiMessage() {
        String message = "Zażółć gęślą jaźń ✓";
        NativePanicError e = assertThrows(NativePanicError.class, () -> NativeBridge.panicForTest(message));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    /** Sends a code in simulation mode, so nothing leaves the machine; {@code extraConfig} adds keys. */
    private static SendCodeResult sendSimulated(Map<String, String> extraConfig, String previousState, long nowMillis) {
        return sendSimulated(extraConfig, previousState, nowMillis, null);
    }

    private static SendCodeResult sendSimulated(Map<String, String> extraConfig, String previousState, long nowMillis,
                                                String originHost) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("apiurl", REFUSED_URL);
        config.put("apitoken", TOKEN);
        config.put("simulation", "true");
        config.putAll(extraConfig);
        return SendCodeResult.fromJson(NativeBridge.sendCode(toJson(config), hmacKey, PHONE, TEXT_TEMPLATE, "it-realm",
                originHost, previousState, nowMillis));
    }

    private static String toJson(Map<String, String> config) {
        try {
            return JsonSerialization.writeValueAsString(config);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
