package dev.sms2fa.keycloak;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.jboss.logging.Logger;
import org.keycloak.credential.CredentialModel;
import org.keycloak.events.Details;
import org.keycloak.events.EventBuilder;
import org.keycloak.events.EventType;
import org.keycloak.models.AuthenticatorConfigModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.ModelException;
import org.keycloak.models.RealmModel;
import org.keycloak.models.RoleModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.utils.KeycloakModelUtils;

import dev.sms2fa.keycloak.bridge.InvalidConfigException;
import dev.sms2fa.keycloak.bridge.InvalidPhoneNumberException;
import dev.sms2fa.keycloak.bridge.NativeBridge;
import dev.sms2fa.keycloak.bridge.NativeLibraryException;
import dev.sms2fa.keycloak.bridge.NativePanicError;
import dev.sms2fa.keycloak.credential.SmsPhoneNumberCredentialModel;
import dev.sms2fa.keycloak.credential.SmsPhoneNumberCredentialProvider;

/**
 * Sources and storage of a user's number: the {@code sms-phone-number} credential,
 * a legacy {@code mobile-number} credential of the netzbegruenung plugin, or, before the first SMS
 * login with it, a user attribute that an administrator or LDAP fills ({@code phoneNumberAttribute}).
 *
 * <p>Every stored number is also kept in the user attribute {@value #LOOKUP_ATTRIBUTE}, because
 * Keycloak can search users by attribute but not by credential data; the uniqueness rule uses it.
 */
final class SmsPhoneNumbers {

    /** User attribute with the E.164 number of the user's credential, for the uniqueness search. */
    static final String LOOKUP_ATTRIBUTE = SmsPhoneNumberCredentialProvider.LOOKUP_ATTRIBUTE;
    /** Credential types that count as a second factor for Force 2FA. */
    static final Set<String> SECOND_FACTOR_TYPES = Set.of("otp", "webauthn", "webauthn-passwordless",
            "recovery-authn-codes", SmsPhoneNumberCredentialModel.TYPE, SmsPhoneNumberCredentialModel.LEGACY_TYPE);

    private static final Logger LOG = Logger.getLogger(SmsPhoneNumbers.class);
    /** Realm and role names whose absence was logged, so the warning does not repeat at every login. */
    private static final Set<String> MISSING_ROLES_LOGGED = ConcurrentHashMap.newKeySet();

    private SmsPhoneNumbers() {
    }

    /** Returns the user's stored number credential: the newest type first, else a legacy one. */
    static Optional<CredentialModel> storedCredential(UserModel user) {
        return SmsPhoneNumberCredentialModel.findStored(user);
    }

    /**
     * Returns whether the user has a stored number or, with the settings in {@code rawConfig}, a
     * provisioned one.
     */
    static boolean hasNumber(UserModel user, Map<String, String> rawConfig) {
        if (storedCredential(user).isPresent()) {
            return true;
        }
        String attribute = provisionedAttribute(rawConfig);
        String value = attribute == null ? null : user.getFirstAttribute(attribute);
        return value != null && !value.isBlank();
    }

    /** Returns whether the user has any second factor: a stored one, or a provisioned number. */
    static boolean hasSecondFactor(UserModel user, Map<String, String> rawConfig) {
        boolean stored = user.credentialManager().getStoredCredentialsStream()
                .anyMatch(credential -> SECOND_FACTOR_TYPES.contains(credential.getType()));
        return stored || hasNumber(user, rawConfig);
    }

    /**
     * Returns whether a role of the config field {@value SmsConfigProperties#EXEMPT_ROLE} exempts
     * the user from Force 2FA. Client roles are written {@code client-id.role}. A role that does not
     * exist exempts no user and is logged once.
     */
    static boolean isExempt(RealmModel realm, UserModel user, Map<String, String> rawConfig) {
        String roleName = rawConfig.get(SmsConfigProperties.EXEMPT_ROLE);
        if (roleName == null || roleName.isBlank()) {
            return false;
        }
        RoleModel role = KeycloakModelUtils.getRoleFromString(realm, roleName.trim());
        if (role == null && MISSING_ROLES_LOGGED.add(realm.getId() + ":" + roleName.trim())) {
            LOG.warnf("The role '%s' in field '%s' of the SMS authenticator config in realm '%s' does not exist,"
                    + " so it exempts nobody from Force 2FA", roleName.trim(), SmsConfigProperties.EXEMPT_ROLE,
                    realm.getName());
        }
        return role != null && user.hasRole(role);
    }

    /**
     * Returns the number that login codes go to: the stored credential's, else the provisioned
     * attribute's, normalized with the execution's phone settings. Logs why and returns empty when
     * the user has neither or the number cannot be used.
     */
    static Optional<String> loginNumber(KeycloakSession session, RealmModel realm, UserModel user,
                                        AuthenticatorConfigModel configModel) {
        Map<String, String> rawConfig = configModel == null || configModel.getConfig() == null ? Map.of()
                : configModel.getConfig();
        Optional<CredentialModel> stored = storedCredential(user);
        if (stored.isPresent()) {
            try {
                String number = SmsPhoneNumberCredentialModel.createFromCredentialModel(stored.get()).getPhoneNumber();
                // Numbers stored by an import or another plugin may contain spaces or lack the '+'.
                return Optional.of(normalize(number, rawConfig, false));
            } catch (IllegalArgumentException e) {
                LOG.warnf("User '%s' in realm '%s': %s", user.getId(), realm.getName(), e.getMessage());
                return Optional.empty();
            } catch (InvalidPhoneNumberException e) {
                LOG.warnf("User '%s' in realm '%s' has a %s credential '%s' whose number cannot be used: %s",
                        user.getId(), realm.getName(), stored.get().getType(), stored.get().getId(), e.getMessage());
                return Optional.empty();
            }
        }
        String attribute = provisionedAttribute(rawConfig);
        String value = attribute == null ? null : user.getFirstAttribute(attribute);
        if (value == null || value.isBlank()) {
            LOG.warnf("User '%s' in realm '%s' has no %s credential%s", user.getId(), realm.getName(),
                    SmsPhoneNumberCredentialModel.TYPE,
                    attribute == null ? "" : " and no value in the attribute '" + attribute + "'");
            return Optional.empty();
        }
        try {
            return Optional.of(normalize(value, rawConfig, true));
        } catch (InvalidPhoneNumberException e) {
            LOG.warnf("User '%s' in realm '%s': the number in the attribute '%s' cannot be used (%s): %s",
                    user.getId(), realm.getName(), attribute, e.getReason(), e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * After the right code at login: stores the number the code went to as the user's credential
     * when the user had none, which means it came from the provisioned attribute, since the code
     * proved possession. Turns a legacy credential into the current type with its id kept.
     * Records an UPDATE_CREDENTIAL event for either.
     *
     * @param sentPhone the E.164 number that the accepted code went to
     */
    static void confirmLoginNumber(RealmModel realm, UserModel user, AuthenticatorConfigModel configModel,
                                   EventBuilder event, SmsStep.Verified verified) {
        Optional<CredentialModel> stored = storedCredential(user);
        String sentPhone = verified.phone();
        if (stored.isPresent()) {
            if (SmsPhoneNumberCredentialModel.LEGACY_TYPE.equals(stored.get().getType())) {
                migrateLegacy(realm, user, stored.get(), configModel, event);
            } else if (sentPhone != null && !sentPhone.equals(user.getFirstAttribute(LOOKUP_ATTRIBUTE))) {
                // A number imported without the lookup attribute becomes visible to the uniqueness rule.
                setLookupAttribute(realm, user, sentPhone);
            }
            return;
        }
        if (sentPhone == null || sentPhone.isEmpty()) {
            return;
        }
        CredentialModel created = store(realm, user, null, sentPhone);
        verified.addTo(event.clone().event(EventType.UPDATE_CREDENTIAL).user(user),
                        SmsEvents.SMS_EVENT_PROVISIONED_CONFIRMED)
                .detail(Details.CREDENTIAL_TYPE, SmsPhoneNumberCredentialModel.TYPE)
                .detail(Details.CREDENTIAL_ID, created.getId())
                .success();
        LOG.infof("Stored the provisioned number %s of user '%s' in realm '%s' as credential '%s' after the first"
                + " SMS login with it", verified.maskedPhone(), user.getId(), realm.getName(), created.getId());
    }

    private static void migrateLegacy(RealmModel realm, UserModel user, CredentialModel legacy,
                                      AuthenticatorConfigModel configModel, EventBuilder event) {
        Map<String, String> rawConfig = configModel == null || configModel.getConfig() == null ? Map.of()
                : configModel.getConfig();
        try {
            String number = normalize(
                    SmsPhoneNumberCredentialModel.createFromCredentialModel(legacy).getPhoneNumber(), rawConfig, false);
            CredentialModel migrated = store(realm, user, legacy, number);
            event.clone().event(EventType.UPDATE_CREDENTIAL).user(user)
                    .detail(Details.CREDENTIAL_TYPE, SmsPhoneNumberCredentialModel.TYPE)
                    .detail(Details.CREDENTIAL_ID, migrated.getId())
                    .detail(SmsEvents.DETAIL_SMS_EVENT, SmsEvents.SMS_EVENT_LEGACY_MIGRATED)
                    .detail(SmsEvents.DETAIL_MASKED_PHONE, SmsCodeSender.maskPhone(number))
                    .success();
            LOG.infof("Turned the %s credential '%s' of user '%s' in realm '%s' into an %s credential",
                    SmsPhoneNumberCredentialModel.LEGACY_TYPE, legacy.getId(), user.getId(), realm.getName(),
                    SmsPhoneNumberCredentialModel.TYPE);
        } catch (IllegalArgumentException | InvalidPhoneNumberException e) {
            LOG.warnf("The %s credential '%s' of user '%s' in realm '%s' was left as it is: %s",
                    SmsPhoneNumberCredentialModel.LEGACY_TYPE, legacy.getId(), user.getId(), realm.getName(),
                    e.getMessage());
        }
    }

    /**
     * Stores {@code phoneE164} as the user's credential: a new one when {@code existing} is null,
     * else the existing one updated in place, so that its id stays. Updates the lookup attribute.
     */
    static CredentialModel store(RealmModel realm, UserModel user, CredentialModel existing, String phoneE164) {
        CredentialModel result;
        String label = SmsCodeSender.maskPhone(phoneE164);
        if (existing == null) {
            SmsPhoneNumberCredentialModel created = SmsPhoneNumberCredentialModel.createFromPhoneNumber(phoneE164);
            created.setUserLabel(label);
            result = user.credentialManager().createStoredCredential(created);
        } else {
            SmsPhoneNumberCredentialModel changed = SmsPhoneNumberCredentialModel.createFromPhoneNumber(phoneE164);
            changed.setId(existing.getId());
            // The label shows the masked number in the account console, so it follows the number.
            changed.setUserLabel(label);
            changed.setCreatedDate(existing.getCreatedDate());
            changed.setFederationLink(existing.getFederationLink());
            user.credentialManager().updateStoredCredential(changed);
            result = changed;
        }
        setLookupAttribute(realm, user, phoneE164);
        return result;
    }

    /** Sets the lookup attribute to {@code phoneE164}; a user federation that rejects it is logged. */
    private static void setLookupAttribute(RealmModel realm, UserModel user, String phoneE164) {
        try {
            user.setSingleAttribute(LOOKUP_ATTRIBUTE, phoneE164);
        } catch (ModelException e) {
            // A read-only user federation (LDAP) rejects new attributes. The number is stored, but
            // the uniqueness rule cannot find it.
            LOG.warnf("The attribute '%s' of user '%s' in realm '%s' could not be set, so the uniqueness rule"
                    + " does not see the number %s: %s", LOOKUP_ATTRIBUTE, user.getId(), realm.getName(),
                    SmsCodeSender.maskPhone(phoneE164), e.getMessage());
        }
    }

    /**
     * Returns the id of another user in the realm whose stored number is {@code phoneE164}, or
     * empty. The user {@code self} is excluded.
     */
    static Optional<String> otherOwner(KeycloakSession session, RealmModel realm, UserModel self, String phoneE164) {
        return session.users().searchForUserByUserAttributeStream(realm, LOOKUP_ATTRIBUTE, phoneE164)
                .filter(other -> !other.getId().equals(self.getId()))
                .filter(other -> storedCredential(other).isPresent())
                .map(UserModel::getId)
                .findFirst();
    }

    /** Returns the provisioned-number attribute name of a config, or null when the feature is off. */
    static String provisionedAttribute(Map<String, String> rawConfig) {
        String attribute = rawConfig.get(SmsConfigProperties.PHONE_NUMBER_ATTRIBUTE);
        return attribute == null || attribute.isBlank() ? null : attribute.trim();
    }

    /**
     * Normalizes a number with the config's default region, and with its allow-list when
     * {@code applyAllowList}. Numbers already stored skip the allow-list, so that narrowing it later
     * does not lock their owners out.
     */
    static String normalize(String number, Map<String, String> rawConfig, boolean applyAllowList) {
        SmsRealmConfig.PhoneSettings settings = SmsRealmConfig.phoneSettings(rawConfig);
        try {
            return NativeBridge.normalizePhone(number, settings.defaultRegion(),
                    applyAllowList ? settings.allowedCountries() : "");
        } catch (InvalidConfigException e) {
            // The config's phone settings are invalid; the send path reports that with the field.
            return number;
        } catch (NativePanicError | NativeLibraryException e) {
            LOG.errorf(e, "Bug while normalizing a phone number");
            return number;
        }
    }
}
