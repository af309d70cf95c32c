package dev.sms2fa.keycloak.credential;

import org.keycloak.common.util.Time;
import org.keycloak.credential.CredentialInput;
import org.keycloak.credential.CredentialInputValidator;
import org.keycloak.credential.CredentialModel;
import org.keycloak.credential.CredentialProvider;
import org.keycloak.credential.CredentialTypeMetadata;
import org.keycloak.credential.CredentialTypeMetadataContext;
import org.jboss.logging.Logger;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.ModelException;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;

/**
 * Stores users' phone numbers as credentials of type {@value SmsPhoneNumberCredentialModel#TYPE}.
 * A user without such a credential is not asked for an SMS code.
 */
public class SmsPhoneNumberCredentialProvider
        implements CredentialProvider<SmsPhoneNumberCredentialModel>, CredentialInputValidator {

    /** Message key of the credential type name shown in the login and account pages. */
    public static final String DISPLAY_NAME_KEY = "sms-phone-number-display-name";
    /** Message key of the credential type description shown in the login and account pages. */
    public static final String HELP_TEXT_KEY = "sms-phone-number-help-text";

    /** Id of the enrolment required action, {@code SmsEnrolmentActionFactory}. */
    public static final String ENROLMENT_ACTION = "mobile_number_config";
    /** User attribute that mirrors the stored number for the uniqueness search; see {@code SmsPhoneNumbers}. */
    public static final String LOOKUP_ATTRIBUTE = "sms2fa_phone_number";

    private static final String ICON_CSS_CLASS = "kcAuthenticatorOTPClass";
    private static final Logger LOG = Logger.getLogger(SmsPhoneNumberCredentialProvider.class);

    private final KeycloakSession session;
    private final String type;

    public SmsPhoneNumberCredentialProvider(KeycloakSession session) {
        this(session, SmsPhoneNumberCredentialModel.TYPE);
    }

    /**
     * Creates the provider of {@code type}: {@value SmsPhoneNumberCredentialModel#TYPE}, or the
     * netzbegruenung plugin's {@value SmsPhoneNumberCredentialModel#LEGACY_TYPE}, whose credentials
     * the admin console then lists and removes until their first SMS login turns them into the first.
     */
    public SmsPhoneNumberCredentialProvider(KeycloakSession session, String type) {
        this.session = session;
        this.type = type;
    }

    @Override
    public String getType() {
        return type;
    }

    @Override
    public CredentialModel createCredential(RealmModel realm, UserModel user,
                                            SmsPhoneNumberCredentialModel credential) {
        if (credential.getCreatedDate() == null) {
            credential.setCreatedDate(Time.currentTimeMillis());
        }
        return user.credentialManager().createStoredCredential(credential);
    }

    @Override
    public boolean deleteCredential(RealmModel realm, UserModel user, String credentialId) {
        boolean removed = user.credentialManager().removeStoredCredentialById(credentialId);
        if (removed && SmsPhoneNumberCredentialModel.findStored(user).isEmpty()) {
            try {
                user.removeAttribute(LOOKUP_ATTRIBUTE);
            } catch (ModelException e) {
                // A read-only user federation (LDAP) rejects the change, but the credential is removed anyway.
                LOG.warnf("The attribute '%s' of user '%s' in realm '%s' could not be removed: %s", LOOKUP_ATTRIBUTE,
                        user.getId(), realm.getName(), e.getMessage());
            }
        }
        return removed;
    }

    @Override
    public SmsPhoneNumberCredentialModel getCredentialFromModel(CredentialModel model) {
        return SmsPhoneNumberCredentialModel.createFromCredentialModel(model);
    }

    /**
     * The account console lists the type among two-factor methods, adds the number through the
     * enrolment required action and removes it through Keycloak's delete_credential action. The
     * same "set up" link changes an existing number, because enrolment replaces the number in the
     * stored credential (Keycloak allows only one of createAction and updateAction).
     */
    @Override
    public CredentialTypeMetadata getCredentialTypeMetadata(CredentialTypeMetadataContext metadataContext) {
        return CredentialTypeMetadata.builder()
                .type(getType())
                .category(CredentialTypeMetadata.Category.TWO_FACTOR)
                .displayName(DISPLAY_NAME_KEY)
                .helpText(HELP_TEXT_KEY)
                .iconCssClass(ICON_CSS_CLASS)
                // The legacy type offers no "set up": a number added now gets the current type.
                .createAction(SmsPhoneNumberCredentialModel.TYPE.equals(type) ? ENROLMENT_ACTION : null)
                .removeable(true)
                .build(session);
    }

    @Override
    public boolean supportsCredentialType(String credentialType) {
        return getType().equals(credentialType);
    }

    @Override
    public boolean isConfiguredFor(RealmModel realm, UserModel user, String credentialType) {
        return supportsCredentialType(credentialType)
                && user.credentialManager().getStoredCredentialsByTypeStream(credentialType).findAny().isPresent();
    }

    /**
     * Returns false for every input. The credential stores only the phone number, and
     * {@code SmsAuthenticator} verifies codes against the challenge state in the authentication
     * session, so there is nothing here to validate an input against.
     */
    @Override
    public boolean isValid(RealmModel realm, UserModel user, CredentialInput input) {
        return false;
    }
}
