package dev.sms2fa.keycloak.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

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

        JsonNode normalized = JsonSerialization.mapper.readTree(NativeBridge.validateConfig(toJson(config)));

        for (ProviderConfigProperty property : SmsConfigProperties.list()) {
            assertTrue(normalized.has(property.getName()), "normalized config has " + property.getName());
        }
        assertEquals(REFUSED_URL, normalized.get("apiurl").asText());
        assertEquals("6", normalized.get("length").asText());
        assertEquals("300", normalized.get("ttl").asText());
        assertEquals("5", normalized.get("maxAttempts").asText());
        assertEquals("text", normalized.get("messageattribute").asText());
        assertEquals("to", normalized.get("receiverattribute").asText());
        assertEquals("false", normalized.get("urlencode").asText());
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
    void validateConfigInvalidBoolean() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> NativeBridge.validateConfig(toJson(Map.of("apiurl", REFUSED_URL, "urlencode", "maybe"))));
        assertEquals("urlencode", e.getField());
    }

    @Test
    void normalizePhoneVariants() {
        assertEquals(PHONE, NativeBridge.normalizePhone("+48 500-100-200"));
        assertEquals(PHONE, NativeBridge.normalizePhone("0048500100200"));
        assertEquals(PHONE, NativeBridge.normalizePhone(PHONE));
    }

    @Test
    void normalizePhoneInvalid() {
        assertThrows(InvalidPhoneNumberException.class, () -> NativeBridge.normalizePhone("not a number"));
        assertThrows(InvalidPhoneNumberException.class, () -> NativeBridge.normalizePhone(""));
    }

    @Test
    void maskPhoneKeepsPrefixAndLastDigits() {
        assertEquals(MASKED_PHONE, NativeBridge.maskPhone(PHONE));
    }

    @Test
    void verifyCodeMalformedState() {
        assertThrows(InvalidChallengeException.class,
                () -> NativeBridge.verifyCode("not-a-state", hmacKey, "123456", System.currentTimeMillis()));
        assertThrows(InvalidChallengeException.class,
                () -> NativeBridge.verifyCode("", hmacKey, "123456", System.currentTimeMillis()));
    }

    @Test
    void sendCodeConnectionRefused() {
        Map<String, String> config = Map.of("apiurl", REFUSED_URL, "apitoken", TOKEN);

        GatewayUnavailableException e = assertThrows(GatewayUnavailableException.class,
                () -> NativeBridge.sendCode(toJson(config), hmacKey, PHONE, TEXT_TEMPLATE, "it-realm",
                        System.currentTimeMillis()));

        assertFalse(e.getMessage().contains(TOKEN), e.getMessage());
        assertFalse(e.getMessage().contains(PHONE), e.getMessage());
    }

    @Test
    void sendCodeInvalidConfig() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> NativeBridge.sendCode("{}", hmacKey, PHONE, TEXT_TEMPLATE, "it-realm", System.currentTimeMillis()));
        assertEquals("apiurl", e.getField());
    }

    @Test
    void sendCodeInvalidPhone() {
        Map<String, String> config = Map.of("apiurl", REFUSED_URL, "apitoken", TOKEN);

        assertThrows(InvalidPhoneNumberException.class,
                () -> NativeBridge.sendCode(toJson(config), hmacKey, "12", TEXT_TEMPLATE, "it-realm",
                        System.currentTimeMillis()));
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

    private static String toJson(Map<String, String> config) {
        try {
            return JsonSerialization.writeValueAsString(config);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
