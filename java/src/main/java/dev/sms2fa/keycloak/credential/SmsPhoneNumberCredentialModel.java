package dev.sms2fa.keycloak.credential;

import java.io.IOException;
import java.util.Optional;
import java.util.stream.Stream;

import org.keycloak.common.util.Time;
import org.keycloak.credential.CredentialModel;
import org.keycloak.models.UserModel;
import org.keycloak.util.JsonSerialization;

/**
 * A user's phone number for SMS codes. The credential has no secret: the codes live in the
 * authentication session, not here.
 */
public class SmsPhoneNumberCredentialModel extends CredentialModel {

    private static final long serialVersionUID = 1L;

    /** Credential type, also the id of {@link SmsPhoneNumberCredentialProviderFactory}. */
    public static final String TYPE = "sms-phone-number";

    /**
     * Credential type of the netzbegruenung SMS authenticator. Such credentials keep working: they
     * are read like this type and turned into it, keeping their id, at the first SMS login.
     */
    public static final String LEGACY_TYPE = "mobile-number";

    static final String EMPTY_SECRET_DATA = "{}";

    private final SmsPhoneNumberCredentialData data;

    private SmsPhoneNumberCredentialModel(SmsPhoneNumberCredentialData data) {
        this.data = data;
    }

    /** Creates a new credential for an E.164 number that the caller has already normalised. */
    public static SmsPhoneNumberCredentialModel createFromPhoneNumber(String phoneE164) {
        SmsPhoneNumberCredentialModel model = new SmsPhoneNumberCredentialModel(
                new SmsPhoneNumberCredentialData(phoneE164));
        model.setType(TYPE);
        model.setCreatedDate(Time.currentTimeMillis());
        model.setSecretData(EMPTY_SECRET_DATA);
        try {
            model.setCredentialData(JsonSerialization.writeValueAsString(model.data));
        } catch (IOException e) {
            throw new IllegalStateException("Failed to serialize sms-phone-number credential data", e);
        }
        return model;
    }

    /**
     * Reads the phone number from a stored credential.
     *
     * @throws IllegalArgumentException if the credential data is not valid JSON or has no phone number
     */
    public static SmsPhoneNumberCredentialModel createFromCredentialModel(CredentialModel stored) {
        SmsPhoneNumberCredentialData data;
        try {
            data = JsonSerialization.readValue(stored.getCredentialData(), SmsPhoneNumberCredentialData.class);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(
                    "Invalid data in sms-phone-number credential '" + stored.getId() + "'", e);
        }
        if (data == null || data.phoneNumber() == null || data.phoneNumber().isBlank()) {
            throw new IllegalArgumentException("The sms-phone-number credential '" + stored.getId()
                    + "' has no phoneNumber");
        }

        SmsPhoneNumberCredentialModel model = new SmsPhoneNumberCredentialModel(data);
        model.setId(stored.getId());
        model.setType(stored.getType());
        model.setUserLabel(stored.getUserLabel());
        model.setCreatedDate(stored.getCreatedDate());
        model.setFederationLink(stored.getFederationLink());
        model.setCredentialData(stored.getCredentialData());
        model.setSecretData(stored.getSecretData());
        return model;
    }

    /** Returns the user's number credential: one of {@link #TYPE} first, else a legacy one. */
    public static Optional<CredentialModel> findStored(UserModel user) {
        return Stream.of(TYPE, LEGACY_TYPE)
                .flatMap(type -> user.credentialManager().getStoredCredentialsByTypeStream(type))
                .findFirst();
    }

    /** Returns the phone number in E.164 form. */
    public String getPhoneNumber() {
        return data.phoneNumber();
    }
}
