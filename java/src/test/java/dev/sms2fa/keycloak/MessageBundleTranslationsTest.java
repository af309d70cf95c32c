package dev.sms2fa.keycloak;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.text.MessageFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Checks the translated message bundles against the English one.
 *
 * <p>Keycloak 26.7.3 reads message bundles as UTF-8, and its {@code msg()} template method
 * ({@code org.keycloak.theme.beans.MessageFormatterMethod}) formats every message with
 * {@link MessageFormat}, also a message without arguments. So a lone apostrophe starts a quoted
 * section and vanishes, and a literal apostrophe is written {@code ''} in every message.
 */
class MessageBundleTranslationsTest {

    private static final String BUNDLE_DIRECTORY = "/theme-resources/messages/";
    private static final String ENGLISH = "en";
    private static final String[] LANGUAGES = {"de", "pl", "fr", "es", "it", "nl", "pt", "cs", "sv", "fi", "ca"};

    /** Keys whose translation may equal the English text, such as a brand name. */
    private static final Set<String> SAME_AS_ENGLISH_ALLOWED = Set.of();

    /**
     * Values for argument {0}: the counts that choice formats receive (attempts left 0..9, sends left
     * 1..9, seconds up to 600, minutes 1..60), with 21, 22 and 25 where Polish changes form.
     */
    private static final int[] SAMPLE_COUNTS = {0, 1, 2, 3, 4, 5, 9, 10, 21, 22, 25, 60, 600};

    /** Messages whose {0} is a count for a choice format. */
    private static final String[] COUNT_KEYS = {SmsMessages.CODE_INVALID, SmsMessages.SENDS_LEFT,
            SmsMessages.SEND_FAILED, SmsMessages.SEND_LIMIT_REACHED};

    /** Messages that the template splits at a marker passed as {0}. */
    private static final String[] MARKER_KEYS = {SmsMessages.INSTRUCTION, SmsMessages.RESEND_WAIT};

    /** Characters of the GSM 03.38 default alphabet, without the escape code. */
    private static final String GSM7_BASIC = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
            + "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
    /** Characters of the GSM 03.38 extension table, each sent as the escape code plus one septet. */
    private static final String GSM7_EXTENSION = "\f^{}\\[~]|€";
    /** Septets in a single-part SMS in the GSM 7-bit alphabet. */
    private static final int GSM7_SINGLE_PART = 160;
    /** Characters in a single-part SMS in UCS-2, used as soon as one character is outside GSM 7-bit. */
    private static final int UCS2_SINGLE_PART = 70;

    private static final byte[] UTF8_BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    private static final Pattern ANY_PLACEHOLDER = Pattern.compile("\\{\\s*(\\d+)\\s*[,}]");
    private static final Pattern SIMPLE_PLACEHOLDER = Pattern.compile("\\{[012]}");

    static Stream<String> languages() {
        return Stream.of(LANGUAGES);
    }

    @ParameterizedTest
    @MethodSource("languages")
    void bundleIsUtf8WithoutBom(String language) throws IOException {
        byte[] bytes = bundleBytes(language);

        assertFalse(bytes.length >= 3 && bytes[0] == UTF8_BOM[0] && bytes[1] == UTF8_BOM[1] && bytes[2] == UTF8_BOM[2],
                language + ": file starts with a byte order mark");
        assertDoesNotThrow(() -> decodeUtf8(bytes), language + ": file is not valid UTF-8");
    }

    @ParameterizedTest
    @MethodSource("languages")
    void keysMatchEnglish(String language) throws IOException {
        assertEquals(new TreeSet<>(bundle(ENGLISH).stringPropertyNames()),
                new TreeSet<>(bundle(language).stringPropertyNames()), language + ": keys differ from English");
    }

    @ParameterizedTest
    @MethodSource("languages")
    void placeholdersMatchEnglish(String language) throws IOException {
        Properties english = bundle(ENGLISH);
        Properties translated = bundle(language);

        for (String key : english.stringPropertyNames()) {
            String translation = translated.getProperty(key);
            assertNotNull(translation, language + ": missing " + key);
            String where = language + "." + key;
            assertEquals(allPlaceholderIndices(english.getProperty(key)), allPlaceholderIndices(translation),
                    where + ": placeholder indices differ from English");
            assertEquals(topLevelPlaceholderCounts(english.getProperty(key)), topLevelPlaceholderCounts(translation),
                    where + ": top-level placeholders differ from English");
        }
    }

    @ParameterizedTest
    @MethodSource("languages")
    void valuesFormatWithSampleArguments(String language) throws IOException {
        Properties translated = bundle(language);
        Locale locale = Locale.forLanguageTag(language);

        for (String key : translated.stringPropertyNames()) {
            String pattern = translated.getProperty(key);
            String where = language + "." + key;
            MessageFormat format = assertDoesNotThrow(() -> new MessageFormat(pattern, locale),
                    where + ": not a valid MessageFormat pattern");
            for (int count : SAMPLE_COUNTS) {
                String text = assertDoesNotThrow(() -> format.format(new Object[] {count, 5, "Example"}),
                        where + ": formatting failed for " + count);
                assertFalse(text.contains("{") || text.contains("}"), where + ": unresolved brace in \"" + text + "\"");
                assertFalse(text.contains("''"), where + ": doubled apostrophe in \"" + text + "\"");
            }
        }
    }

    /**
     * Checks that every apostrophe is written {@code ''} and comes out as one apostrophe. An
     * apostrophe inside a choice branch needs different quoting and fails this check, so the bundles
     * keep apostrophes out of choice branches.
     */
    @ParameterizedTest
    @MethodSource("languages")
    void apostrophesAreDoubled(String language) throws IOException {
        Properties translated = bundle(language);
        Locale locale = Locale.forLanguageTag(language);

        for (String key : translated.stringPropertyNames()) {
            String pattern = translated.getProperty(key);
            String where = language + "." + key;
            assertFalse(pattern.replace("''", "").contains("'"), where + ": lone apostrophe in \"" + pattern + "\"");
            int doubled = (pattern.length() - pattern.replace("''", "").length()) / 2;
            for (int count : SAMPLE_COUNTS) {
                String text = new MessageFormat(pattern, locale).format(new Object[] {count, 5, "Example"});
                assertEquals(doubled, text.chars().filter(c -> c == '\'').count(),
                        where + ": apostrophes lost or added in \"" + text + "\"");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("languages")
    void valuesDifferFromEnglish(String language) throws IOException {
        Properties english = bundle(ENGLISH);
        Properties translated = bundle(language);

        for (String key : english.stringPropertyNames()) {
            if (!SAME_AS_ENGLISH_ALLOWED.contains(key)) {
                assertNotEquals(english.getProperty(key), translated.getProperty(key),
                        language + "." + key + ": not translated");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("languages")
    void countMessagesShowCount(String language) throws IOException {
        Properties translated = bundle(language);

        for (String key : COUNT_KEYS) {
            for (int count : new int[] {2, 5, 9, 22}) {
                String text = format(translated, key, language, count);
                assertTrue(text.contains(String.valueOf(count)), language + "." + key + ": no " + count + " in \"" + text + "\"");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("languages")
    void markerMessagesKeepMarkerOnce(String language) throws IOException {
        Properties translated = bundle(language);
        String marker = "@@MARKER@@";

        for (String key : MARKER_KEYS) {
            String text = format(translated, key, language, marker);
            assertEquals(1, text.split(marker, -1).length - 1, language + "." + key + ": marker not once in \"" + text + "\"");
        }
    }

    /** Checks that wrong, expired and burned codes get messages that start alike, as in English ("Invalid code"). */
    @ParameterizedTest
    @MethodSource("languages")
    void codeErrorsShareRejectedPrefix(String language) throws IOException {
        Properties translated = bundle(language);
        String rejected = translated.getProperty(SmsMessages.CODE_REJECTED);
        assertTrue(rejected.endsWith("."), language + ": rejected message does not end with a full stop");
        String prefix = rejected.substring(0, rejected.length() - 1);

        assertTrue(format(translated, SmsMessages.CODE_INVALID, language, 4).startsWith(prefix),
                language + "." + SmsMessages.CODE_INVALID + " does not start with \"" + prefix + "\"");
        for (String key : new String[] {SmsMessages.CODE_EXPIRED, SmsMessages.CODE_EXPIRED_RESTART,
                SmsMessages.CODE_EXHAUSTED, SmsMessages.CODE_EXHAUSTED_RESTART}) {
            assertTrue(translated.getProperty(key).startsWith(prefix),
                    language + "." + key + " does not start with \"" + prefix + "\"");
        }
    }

    /**
     * Checks that the SMS text uses only plain {0}, {1} and {2}, because the native library fills no
     * other placeholder. The code must come before the realm name, so a long realm name cannot push
     * it out of a notification preview.
     */
    @ParameterizedTest
    @MethodSource("languages")
    void smsTextHasPlainPlaceholdersAndEarlyCode(String language) throws IOException {
        String pattern = bundle(language).getProperty(SmsMessages.SMS_TEXT);

        assertEquals("", SIMPLE_PLACEHOLDER.matcher(pattern).replaceAll("").replaceAll("[^{}]", ""),
                language + ": SMS text has a placeholder other than {0}, {1}, {2}: " + pattern);
        assertTrue(pattern.indexOf("{0}") < pattern.indexOf("{2}"), language + ": code after realm name in " + pattern);
    }

    /** Checks that the SMS stays a single part with a 10-digit code, 10 minutes and a 7-character realm name. */
    @ParameterizedTest
    @MethodSource("languages")
    void smsTextFitsSinglePart(String language) throws IOException {
        String text = smsText(language);
        Integer septets = gsm7Septets(text);

        if (septets != null) {
            assertTrue(septets <= GSM7_SINGLE_PART, language + ": " + septets + " septets: " + text);
        } else {
            assertTrue(text.length() <= UCS2_SINGLE_PART, language + ": " + text.length() + " UCS-2 characters: " + text);
        }
    }

    /** Checks that the Polish SMS text, worded without letters such as ą or ż, keeps the GSM 7-bit alphabet. */
    @Test
    void polishSmsTextIsGsm7() throws IOException {
        String text = smsText("pl");

        assertNotNull(gsm7Septets(text), "not GSM 7-bit: " + text);
    }

    @Test
    void polishCountsUseThreeForms() throws IOException {
        Properties polish = bundle("pl");

        assertEquals("Nieprawidłowy kod, pozostała 1 próba.", format(polish, SmsMessages.CODE_INVALID, "pl", 1));
        assertEquals("Nieprawidłowy kod, pozostały 3 próby.", format(polish, SmsMessages.CODE_INVALID, "pl", 3));
        assertEquals("Nieprawidłowy kod, pozostało 5 prób.", format(polish, SmsMessages.CODE_INVALID, "pl", 5));
        assertEquals("Nieprawidłowy kod, pozostało 9 prób.", format(polish, SmsMessages.CODE_INVALID, "pl", 9));
        assertTrue(format(polish, SmsMessages.SENDS_LEFT, "pl", 1).contains(" 1 kod."));
        assertTrue(format(polish, SmsMessages.SENDS_LEFT, "pl", 4).contains(" 4 kody."));
        assertTrue(format(polish, SmsMessages.SENDS_LEFT, "pl", 7).contains(" 7 kodów."));
        assertTrue(format(polish, SmsMessages.SEND_LIMIT_REACHED, "pl", 23L).contains(" za 23 min "));
        assertTrue(format(polish, SmsMessages.SEND_FAILED, "pl", 30).contains(" za 30 s "));
    }

    @Test
    void czechCountsUseThreeForms() throws IOException {
        Properties czech = bundle("cs");

        assertEquals("Neplatný kód, zbývá 1 pokus.", format(czech, SmsMessages.CODE_INVALID, "cs", 1));
        assertEquals("Neplatný kód, zbývají 4 pokusy.", format(czech, SmsMessages.CODE_INVALID, "cs", 4));
        assertEquals("Neplatný kód, zbývá 5 pokusů.", format(czech, SmsMessages.CODE_INVALID, "cs", 5));
        assertEquals("Neplatný kód, nezbývá žádný pokus.", format(czech, SmsMessages.CODE_INVALID, "cs", 0));
        assertTrue(format(czech, SmsMessages.SEND_LIMIT_REACHED, "cs", 1L).contains(" za 1 minutu "));
        assertTrue(format(czech, SmsMessages.SEND_LIMIT_REACHED, "cs", 3L).contains(" za 3 minuty "));
        assertTrue(format(czech, SmsMessages.SEND_LIMIT_REACHED, "cs", 45L).contains(" za 45 minut "));
        assertTrue(format(czech, SmsMessages.SEND_FAILED, "cs", 2).contains(" za 2 sekundy "));
        assertTrue(format(czech, SmsMessages.SEND_FAILED, "cs", 30).contains(" za 30 sekund "));
    }

    private static String smsText(String language) throws IOException {
        String pattern = bundle(language).getProperty(SmsMessages.SMS_TEXT);
        return new MessageFormat(pattern, Locale.forLanguageTag(language)).format(new Object[] {"1234567890", "10", "Example"});
    }

    /** Returns the septets that {@code text} needs in the GSM 7-bit alphabet, or null when it needs UCS-2. */
    private static Integer gsm7Septets(String text) {
        int septets = 0;
        for (char c : text.toCharArray()) {
            if (GSM7_BASIC.indexOf(c) >= 0) {
                septets++;
            } else if (GSM7_EXTENSION.indexOf(c) >= 0) {
                septets += 2;
            } else {
                return null;
            }
        }
        return septets;
    }

    private static byte[] bundleBytes(String language) throws IOException {
        String resource = BUNDLE_DIRECTORY + "messages_" + language + ".properties";
        try (InputStream in = MessageBundleTranslationsTest.class.getResourceAsStream(resource)) {
            assertNotNull(in, resource + " not found");
            return in.readAllBytes();
        }
    }

    private static String decodeUtf8(byte[] bytes) throws CharacterCodingException {
        return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes))
                .toString();
    }

    private static Properties bundle(String language) throws IOException {
        Properties properties = new Properties();
        properties.load(new StringReader(decodeUtf8(bundleBytes(language))));
        return properties;
    }

    private static String format(Properties bundle, String key, String language, Object argument) {
        return new MessageFormat(bundle.getProperty(key), Locale.forLanguageTag(language)).format(new Object[] {argument});
    }

    /** Collects the argument indices anywhere in the pattern, also inside choice branches. */
    private static Set<Integer> allPlaceholderIndices(String pattern) {
        Set<Integer> indices = new TreeSet<>();
        Matcher matcher = ANY_PLACEHOLDER.matcher(pattern);
        while (matcher.find()) {
            indices.add(Integer.parseInt(matcher.group(1)));
        }
        return indices;
    }

    /**
     * Counts each argument index outside quotes and outside other placeholders. Choice branches may
     * repeat {0} as often as the language needs, but the top level must match English.
     */
    private static Map<Integer, Integer> topLevelPlaceholderCounts(String pattern) {
        Map<Integer, Integer> counts = new TreeMap<>();
        boolean quoted = false;
        int position = 0;
        while (position < pattern.length()) {
            char c = pattern.charAt(position);
            if (c == '\'' && position + 1 < pattern.length() && pattern.charAt(position + 1) == '\'') {
                position += 2;
            } else if (c == '\'') {
                quoted = !quoted;
                position++;
            } else if (c == '{' && !quoted) {
                int end = closingBrace(pattern, position);
                String argument = pattern.substring(position + 1, end).split(",", 2)[0].trim();
                counts.merge(Integer.parseInt(argument), 1, Integer::sum);
                position = end + 1;
            } else {
                position++;
            }
        }
        return counts;
    }

    private static int closingBrace(String pattern, int open) {
        int depth = 0;
        for (int position = open; position < pattern.length(); position++) {
            if (pattern.charAt(position) == '{') {
                depth++;
            } else if (pattern.charAt(position) == '}' && --depth == 0) {
                return position;
            }
        }
        throw new AssertionError("unclosed { at index " + open + " in pattern: " + pattern);
    }
}
