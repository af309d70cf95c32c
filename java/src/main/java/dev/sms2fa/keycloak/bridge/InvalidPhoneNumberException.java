package dev.sms2fa.keycloak.bridge;

/** A phone number cannot be parsed as an E.164 number. */
public class InvalidPhoneNumberException extends Sms2faException {

    private static final long serialVersionUID = 1L;

    /** Called by the native library through JNI; keep the signature. */
    public InvalidPhoneNumberException(String message) {
        super(message);
    }
}
