package dev.sms2fa.keycloak.bridge;

/**
 * The SMS gateway rejected the request or the credentials: a 3xx, 400, 401, 403, 404 or 405
 * response, or a TLS certificate that is not trusted. An administrator has to fix the configuration.
 */
public class GatewayConfigException extends Sms2faException {

    private static final long serialVersionUID = 1L;

    /** Called by the native library through JNI; keep the signature. */
    public GatewayConfigException(String message) {
        super(message);
    }
}
