package dev.sms2fa.keycloak;

/**
 * Keys of the messages in {@code theme-resources/messages/messages_*.properties}.
 *
 * <p>{@link #SMS_TEXT} is the SMS text itself; the other keys are texts of the login page.
 */
public final class SmsMessages {

    /** Page heading. */
    public static final String TITLE = "smsAuthTitle";
    /** Instruction above the input, {0} = masked phone number. */
    public static final String INSTRUCTION = "smsAuthInstruction";
    /** Label of the code input. */
    public static final String CODE_LABEL = "smsAuthCodeLabel";
    /** The form was submitted without a code. */
    public static final String CODE_MISSING = "smsAuthCodeMissing";
    /** Wrong code, {0} = attempts left (an integer, for a choice format). */
    public static final String CODE_INVALID = "smsAuthCodeInvalid";
    /** Wrong code while the user is temporarily locked out; gives no attempt count. */
    public static final String CODE_REJECTED = "smsAuthCodeRejected";
    /** The code validity has passed. */
    public static final String CODE_EXPIRED = "smsAuthCodeExpired";
    /** The code was entered wrong too many times. */
    public static final String CODE_EXHAUSTED = "smsAuthCodeExhausted";
    /** Text of the link that restarts the login. */
    public static final String RESTART_LOGIN = "smsAuthRestartLogin";
    /** The gateway did not accept or could not be reached; a retry may work. */
    public static final String SEND_FAILED = "smsAuthSendFailed";
    /** Text of the button that tries to send the code again. */
    public static final String SEND_AGAIN = "smsAuthSendAgain";
    /** The authenticator cannot work until an administrator acts. */
    public static final String UNAVAILABLE = "smsAuthUnavailable";

    /**
     * SMS text: {0} = code, {1} = validity in whole minutes, {2} = realm display name. The native
     * library formats it, so only simple {n} placeholders and '' for an apostrophe work.
     */
    public static final String SMS_TEXT = "smsAuthText";
    /** SMS text used when no theme bundle has {@link #SMS_TEXT}; equals the English bundle value. */
    public static final String DEFAULT_SMS_TEXT = "Your {2} login code is {0}. It is valid for {1} minutes.";

    private SmsMessages() {
    }
}
