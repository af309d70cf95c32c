package dev.sms2fa.keycloak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.text.MessageFormat;
import java.util.HashSet;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.sms2fa.keycloak.credential.SmsPhoneNumberCredentialProvider;

class MessageBundleTest {

    private static final String BUNDLE = "/theme-resources/messages/messages_en.properties";
    private static final String TEMPLATE = "/theme-resources/templates/login-sms.ftl";
    /** Keys that the template takes from Keycloak's own login theme bundle. */
    private static final Set<String> KEYCLOAK_KEYS = Set.of("doLogIn", "doSubmit", "doCancel");

    private static Properties bundle() throws IOException {
        Properties properties = new Properties();
        try (InputStream in = MessageBundleTest.class.getResourceAsStream(BUNDLE)) {
            assertNotNull(in, BUNDLE);
            properties.load(new InputStreamReader(in, StandardCharsets.UTF_8));
        }
        return properties;
    }

    private static String template() throws IOException {
        try (InputStream in = MessageBundleTest.class.getResourceAsStream(TEMPLATE)) {
            assertNotNull(in, TEMPLATE);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void everyMessageKeyConstantIsInBundle() throws Exception {
        Properties bundle = bundle();
        for (Field field : SmsMessages.class.getDeclaredFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class
                    && !field.getName().startsWith("DEFAULT_")) {
                String key = (String) field.get(null);
                assertTrue(bundle.containsKey(key), "bundle has " + key);
            }
        }
        assertTrue(bundle.containsKey(SmsPhoneNumberCredentialProvider.DISPLAY_NAME_KEY));
        assertTrue(bundle.containsKey(SmsPhoneNumberCredentialProvider.HELP_TEXT_KEY));
    }

    @Test
    void templateUsesOnlyKnownKeys() throws IOException {
        Properties bundle = bundle();
        Matcher matcher = Pattern.compile("msg\\(\"([^\"]+)\"|label=\"([^\"]+)\"").matcher(template());
        Set<String> used = new HashSet<>();
        while (matcher.find()) {
            used.add(matcher.group(1) != null ? matcher.group(1) : matcher.group(2));
        }
        assertTrue(used.contains(SmsMessages.INSTRUCTION), "template shows the instruction");
        for (String key : used) {
            assertTrue(bundle.containsKey(key) || KEYCLOAK_KEYS.contains(key), "bundle has " + key);
        }
    }

    @Test
    void messagesWithoutOtherMethodExist() throws IOException {
        Properties bundle = bundle();
        for (String key : new String[] {SmsMessages.SEND_FAILED, SmsMessages.SEND_LIMIT_REACHED,
                SmsMessages.UNAVAILABLE}) {
            String variant = bundle.getProperty(key + SmsLoginForm.NO_OTHER_METHOD_SUFFIX);
            assertNotNull(variant, key);
            assertFalse(variant.contains("another method"), variant);
        }
    }

    @Test
    void defaultSmsTextEqualsBundle() throws IOException {
        assertEquals(SmsMessages.DEFAULT_SMS_TEXT, bundle().getProperty(SmsMessages.SMS_TEXT));
    }

    @Test
    void invalidCodeMessageCountsAttempts() throws IOException {
        String pattern = bundle().getProperty(SmsMessages.CODE_INVALID);
        assertEquals("Invalid code, 4 attempts left.", new MessageFormat(pattern, Locale.ENGLISH).format(new Object[] {4}));
        assertEquals("Invalid code, 1 attempt left.", new MessageFormat(pattern, Locale.ENGLISH).format(new Object[] {1}));
        assertEquals("Invalid code, no attempts left.", new MessageFormat(pattern, Locale.ENGLISH).format(new Object[] {0}));
    }

    @Test
    void instructionPlacesMaskedPhone() throws IOException {
        String pattern = bundle().getProperty(SmsMessages.INSTRUCTION);
        String text = new MessageFormat(pattern, Locale.ENGLISH).format(new Object[] {"+48******200"});
        assertTrue(text.contains("+48******200"), text);
    }

    @Test
    void templateHasStableIds() throws IOException {
        String template = template();
        assertTrue(template.contains("id=\"sms-masked-phone\""), "masked phone element");
        assertTrue(template.contains("<input id=\"code\" name=\"code\""), "code input");
        assertTrue(template.contains("autocomplete=\"one-time-code\""), "one-time-code autocomplete");
        assertTrue(template.contains("inputmode=\"numeric\""), "numeric input");
        // A pattern would make the browser block a pasted code with spaces, which the library accepts.
        assertFalse(template.contains("pattern="), "no pattern on the code input");
        assertTrue(template.contains("<@buttons.loginButton />"), "submit button kc-login");
        assertTrue(template.contains("id=\"sms-restart-login\""), "restart link");
        assertTrue(template.contains("<@field.group name=\"code\""), "error element input-error-code");
    }

    @Test
    void templateHasResendIds() throws IOException {
        String template = template();
        assertTrue(template.contains("id=\"sms-resend\" name=\"resend\""), "send-a-new-code button");
        assertTrue(template.contains("<input type=\"hidden\" name=\"resend\""), "resend form field");
        assertTrue(template.contains("<span id=\"sms-resend-wait\">${smsResendWaitSeconds?c}</span>"),
                "wait element holds only the seconds");
        assertTrue(template.contains("id=\"sms-send-again\" name=\"sendAgain\""), "retry button");
        assertTrue(template.contains("id=\"input-error-code\""), "code error without the input");
    }

    @Test
    void sendFailedMessageNamesWait() throws IOException {
        String pattern = bundle().getProperty(SmsMessages.SEND_FAILED);
        assertEquals("The code could not be sent. Try again after 30 seconds or choose another method.",
                format(pattern, 30));
        assertEquals("The code could not be sent. Try again after 1 second or choose another method.",
                format(pattern, 1));
        assertEquals("The code could not be sent. Try again or choose another method.", format(pattern, 0));
    }

    @Test
    void limitMessageNamesMinutes() throws IOException {
        String pattern = bundle().getProperty(SmsMessages.SEND_LIMIT_REACHED);
        assertTrue(format(pattern, 42L).contains("Try again in 42 minutes"), format(pattern, 42L));
        assertTrue(format(pattern, 1L).contains("Try again in 1 minute "), format(pattern, 1L));
    }

    @Test
    void sendsLeftMessageCounts() throws IOException {
        String pattern = bundle().getProperty(SmsMessages.SENDS_LEFT);
        assertEquals("2 more codes can be sent in this login.", format(pattern, 2));
        assertEquals("1 more code can be sent in this login.", format(pattern, 1));
    }

    @Test
    void closedCodeMessagesShareWrongCodePattern() throws IOException {
        Properties bundle = bundle();
        String wrongPrefix = "Invalid code";
        assertTrue(format(bundle.getProperty(SmsMessages.CODE_INVALID), 4).startsWith(wrongPrefix));
        for (String key : new String[] {SmsMessages.CODE_EXPIRED, SmsMessages.CODE_EXHAUSTED,
                SmsMessages.CODE_EXPIRED_RESTART, SmsMessages.CODE_EXHAUSTED_RESTART, SmsMessages.CODE_REJECTED}) {
            assertTrue(bundle.getProperty(key).startsWith(wrongPrefix), key);
        }
        assertTrue(bundle.getProperty(SmsMessages.CODE_EXPIRED).contains("Send a new code"));
        assertTrue(bundle.getProperty(SmsMessages.CODE_EXHAUSTED).contains("Send a new code"));
        assertTrue(bundle.getProperty(SmsMessages.CODE_EXPIRED_RESTART).contains("Restart the login"));
        assertTrue(bundle.getProperty(SmsMessages.CODE_EXHAUSTED_RESTART).contains("Restart the login"));
    }

    @Test
    void resendWaitPlacesSeconds() throws IOException {
        String text = format(bundle().getProperty(SmsMessages.RESEND_WAIT), "@@SMS_RESEND_WAIT@@");
        assertTrue(text.contains("@@SMS_RESEND_WAIT@@"), text);
    }

    private static String format(String pattern, Object argument) {
        return new MessageFormat(pattern, Locale.ENGLISH).format(new Object[] {argument});
    }
}
