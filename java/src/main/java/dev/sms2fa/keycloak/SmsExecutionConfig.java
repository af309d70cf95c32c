package dev.sms2fa.keycloak;

import java.util.Map;

/**
 * The settings of one execution config that the Java side acts on, read from the normalized map
 * that {@code NativeBridge.validateConfig} returns. The native library has checked every range,
 * so a value that does not parse falls back to its default instead of failing a login.
 *
 * @param ttlSeconds validity of a code in seconds
 * @param maxAttempts wrong entries that burn a code
 * @param resendCooldownSeconds wait before the first resend, in seconds
 * @param maxSendsPerLogin SMS one login may send
 * @param maxSendsPerHour SMS send attempts per user in any rolling hour
 * @param originBoundLine whether the SMS ends with the origin-bound code line
 * @param simulation whether sends are suppressed
 */
record SmsExecutionConfig(int ttlSeconds, int maxAttempts, int resendCooldownSeconds, int maxSendsPerLogin,
                          int maxSendsPerHour, boolean originBoundLine, boolean simulation) {

    static SmsExecutionConfig fromNormalized(Map<String, String> config) {
        return new SmsExecutionConfig(
                intValue(config, SmsConfigProperties.CODE_TTL_SECONDS, SmsConfigProperties.DEFAULT_CODE_TTL_SECONDS),
                intValue(config, SmsConfigProperties.MAX_ATTEMPTS, SmsConfigProperties.DEFAULT_MAX_ATTEMPTS),
                intValue(config, SmsConfigProperties.RESEND_COOLDOWN_SECONDS,
                        SmsConfigProperties.DEFAULT_RESEND_COOLDOWN_SECONDS),
                intValue(config, SmsConfigProperties.MAX_SENDS_PER_LOGIN,
                        SmsConfigProperties.DEFAULT_MAX_SENDS_PER_LOGIN),
                intValue(config, SmsConfigProperties.MAX_SENDS_PER_HOUR,
                        SmsConfigProperties.DEFAULT_MAX_SENDS_PER_HOUR),
                booleanValue(config, SmsConfigProperties.ORIGIN_BOUND_LINE,
                        SmsConfigProperties.DEFAULT_ORIGIN_BOUND_LINE),
                booleanValue(config, SmsConfigProperties.SIMULATION, SmsConfigProperties.DEFAULT_SIMULATION));
    }

    private static int intValue(Map<String, String> config, String key, String defaultValue) {
        String value = config.get(key);
        try {
            return Integer.parseInt(value == null ? defaultValue : value.trim());
        } catch (NumberFormatException e) {
            return Integer.parseInt(defaultValue);
        }
    }

    private static boolean booleanValue(Map<String, String> config, String key, String defaultValue) {
        String value = config.get(key);
        return Boolean.parseBoolean(value == null ? defaultValue : value.trim());
    }
}
