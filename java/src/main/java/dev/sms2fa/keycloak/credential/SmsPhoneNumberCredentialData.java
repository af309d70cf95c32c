package dev.sms2fa.keycloak.credential;

import java.io.Serializable;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Credential data of an {@code sms-phone-number} credential, stored as
 * {@code {"phoneNumber":"+48500100200"}}.
 *
 * @param phoneNumber the number that receives the codes, in E.164 form
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SmsPhoneNumberCredentialData(@JsonProperty("phoneNumber") String phoneNumber)
        implements Serializable {
}
