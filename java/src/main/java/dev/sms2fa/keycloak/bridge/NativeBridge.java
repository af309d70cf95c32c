package dev.sms2fa.keycloak.bridge;

/**
 * Declares every function of the native sms2fa library. The JNI symbol of each method is
 * {@code Java_dev_sms2fa_keycloak_bridge_NativeBridge_<methodName>}, and the Rust function has the
 * same name, so one search finds both sides.
 *
 * <p>The static initializer loads the library through {@link NativeLibraryLoader}. Callers that
 * want a {@link NativeLibraryException} instead of an {@link ExceptionInInitializerError} call
 * {@link NativeLibraryLoader#ensureLoaded()} first.
 *
 * <p>Exceptions thrown by the library are subclasses of {@link Sms2faException}, and a panic
 * inside the library arrives as {@link NativePanicError}.
 */
public final class NativeBridge {

    static {
        NativeLibraryLoader.ensureLoaded();
    }

    private NativeBridge() {
    }

    /** Returns the crate version of the library, for example {@code 0.1.0}. */
    public static native String libraryVersion();

    /** Returns "version target-triple profile", for example {@code 0.1.0 x86_64-unknown-linux-gnu release}. */
    public static native String buildInfo();

    /**
     * Validates an authenticator configuration. Parse the result with {@link ValidateConfigResult#fromJson}.
     *
     * @param configJson a JSON object of string keys to string values, as in the execution's config map
     * @return JSON {@code {"config": {...}, "warnings": [...]}}: the configuration with every key and
     *         the defaults filled in, and texts for the administrator about risky settings, each
     *         starting with the config key
     * @throws InvalidConfigException naming the first missing or invalid field
     */
    public static native String validateConfig(String configJson);

    /**
     * Generates a one-time code, formats the SMS text and sends it through the configured gateway.
     * The code never leaves the library. Parse the result with {@link SendCodeResult#fromJson}.
     *
     * @param configJson the execution's config map as a JSON object
     * @param hmacKey secret key of at least 16 bytes that protects the returned state
     * @param phoneE164 the receiver in E.164 form
     * @param textTemplate a Keycloak message pattern: {0} is the code, {1} the validity in whole
     *        minutes (rounded up), {2} the realm name, and '' is one apostrophe
     * @param realmName the value for {2}
     * @param originHost the Keycloak host name for the origin-bound line, or null. The line is left
     *        out when {@code originBoundLine} is off, or when this is null, an IP address or not a
     *        domain name
     * @param previousState the login's current state for a resend, or null for its first send
     * @param nowMillis the current time in milliseconds since the epoch
     * @return JSON {@code {"state","challengeId","codeId","sendNumber","sendsLeft","nextSendAtMillis",
     *         "expiresAtMillis","attemptsUsed","maxAttempts","messageId","maskedPhone","simulated","deviceUrl"}}
     * @throws SendNotAllowedException if {@code previousState} allows no send now
     * @throws InvalidChallengeException if {@code previousState} is malformed or tampered with
     * @throws InvalidConfigException if the configuration is invalid
     * @throws InvalidPhoneNumberException if {@code phoneE164} is not in E.164 form
     * @throws GatewayConfigException if the gateway rejects the request or credentials
     * @throws GatewayRejectedException if the gateway does not queue the message
     * @throws GatewayUnavailableException if the gateway cannot be reached or fails
     */
    public static native String sendCode(String configJson, byte[] hmacKey, String phoneE164, String textTemplate,
                                         String realmName, String originHost, String previousState, long nowMillis);

    /**
     * Returns the public fields of a challenge state, without secrets. Parse the result with
     * {@link DescribeChallengeResult#fromJson}.
     *
     * @return JSON {@code {"challengeId","codeId","sendNumber","sendsLeft","nextSendAtMillis",
     *         "expiresAtMillis","attemptsUsed","maxAttempts","burned","expired"}}
     * @throws InvalidChallengeException if the state is malformed, tampered with or of another version
     */
    public static native String describeChallenge(String state, byte[] hmacKey, long nowMillis);

    /**
     * Verifies an entered code against the state returned by {@link #sendCode} or by an earlier
     * call of this method. The entry counts as attempt {@code max(attemptsUsed + 1, attemptNumber)}
     * before the comparison. A burned or expired state returns that outcome without comparing. Parse
     * the result with {@link VerifyCodeResult#fromJson}.
     *
     * @param attemptNumber the 1-based attempt slot that the caller claimed cluster-wide for this
     *        code id
     * @return JSON {@code {"outcome":"accepted|wrong|expired|exhausted","state","attemptsLeft","codeId"}}
     * @throws InvalidChallengeException if the state is malformed, tampered with or of another version
     */
    public static native String verifyCode(String state, byte[] hmacKey, String enteredCode, long nowMillis,
                                           int attemptNumber);

    /**
     * Normalises a phone number to E.164, for example {@code "+48 500-100-200"} or
     * {@code "0048500100200"} to {@code "+48500100200"}.
     *
     * @param defaultRegion ISO 3166 alpha-2 region for numbers without a country code, or "" to
     *        require the + or 00 prefix
     * @param allowedCountries comma-separated ISO 3166 alpha-2 codes, or "" for all countries
     * @throws InvalidPhoneNumberException with the reason {@code invalid}, {@code type} or {@code country}
     */
    public static native String normalizePhone(String input, String defaultRegion, String allowedCountries);

    /**
     * Lists the regions that the enrolment form offers, as a JSON array of
     * {@code {"region":"PL","callingCode":48}}: those of {@code allowedCountries} in its order, or
     * every region sorted by code when it is "".
     *
     * @throws InvalidConfigException when {@code allowedCountries} names an unknown region
     */
    public static native String listCountries(String allowedCountries);

    /**
     * Checks the gateway that an authenticator configuration names, for the administrator's
     * gateway check. Every gateway failure is a check in the report, so only invalid input throws.
     *
     * <p>SMSEagle: {@code GET /device/version} for the connection and the token, a send request to
     * the configured URL for the send permission ({@code "test": true}, which queues nothing, unless
     * {@code send} is true), and {@code GET /modem/status/<modemNo or 1>}. A generic gateway gets a
     * {@code HEAD} request, and a real test SMS only with {@code send}. In simulation mode no real
     * SMS is sent.
     *
     * @param configJson the execution's config map as a JSON object
     * @param phoneE164 the test recipient in E.164 form (see {@link #normalizePhone}), or null to
     *        skip the send check
     * @param send true to send a real test SMS to {@code phoneE164}
     * @return JSON {@code {"ok","gatewayType","deviceUrl","maskedPhone"?,"checks":[{"name","result",
     *         "problem"?,"httpStatus"?,"message"}],"messageId"?}}; {@code name} is
     *         {@code connection|token|send|modem|simulation}, {@code result} is
     *         {@code ok|failed|warning|skipped}
     * @throws InvalidConfigException if the configuration is invalid
     * @throws InvalidPhoneNumberException if {@code phoneE164} is not in E.164 form
     */
    public static native String checkGateway(String configJson, String phoneE164, boolean send);

    /** Masks an E.164 number for display and logs, for example {@code "+48500100200"} to {@code "+48******200"}. */
    public static native String maskPhone(String phoneE164);

    /** Panics inside the library with the given message; used by tests of the panic handling. */
    public static native void panicForTest(String message);
}
