package dev.sms2fa.keycloak.bridge;

/** A field of the authenticator configuration is missing or invalid. */
public class InvalidConfigException extends Sms2faException {

    private static final long serialVersionUID = 1L;

    private final String field;

    /**
     * Called by the native library through JNI; keep the signature.
     *
     * @param field the configuration key, for example {@code apiurl}
     * @param message what is wrong with the value
     */
    public InvalidConfigException(String field, String message) {
        super(message);
        this.field = field;
    }

    /** Returns the configuration key of the invalid field. */
    public String getField() {
        return field;
    }
}
