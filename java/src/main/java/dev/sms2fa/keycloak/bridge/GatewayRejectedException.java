package dev.sms2fa.keycloak.bridge;

/** The SMS gateway returned 200 but did not queue the message. */
public class GatewayRejectedException extends Sms2faException {

    private static final long serialVersionUID = 1L;

    /** Called by the native library through JNI; keep the signature. */
    public GatewayRejectedException(String message) {
        super(message);
    }
}
