package dev.sms2fa.keycloak.bridge;

/**
 * A phone number is not accepted: it cannot be parsed as a valid number, has a refused number
 * type, or belongs to a country outside the allowed list.
 */
public class InvalidPhoneNumberException extends Sms2faException {

    /** The input is not a valid phone number. */
    public static final String REASON_INVALID = "invalid";
    /** The number is valid but of a refused type, for example premium rate. */
    public static final String REASON_TYPE = "type";
    /** The number belongs to a country outside the allowed countries. */
    public static final String REASON_COUNTRY = "country";

    private static final long serialVersionUID = 1L;

    private final String reason;

    /** Creates the exception with the reason {@value #REASON_INVALID}. */
    public InvalidPhoneNumberException(String message) {
        this(message, REASON_INVALID);
    }

    /**
     * Called by the native library through JNI; keep the signature.
     *
     * @param message what is wrong, in the user's words and without the full number
     * @param reason {@value #REASON_INVALID}, {@value #REASON_TYPE} or {@value #REASON_COUNTRY}
     */
    public InvalidPhoneNumberException(String message, String reason) {
        super(message);
        this.reason = reason;
    }

    /** Returns {@value #REASON_INVALID}, {@value #REASON_TYPE} or {@value #REASON_COUNTRY}. */
    public String getReason() {
        return reason;
    }
}
