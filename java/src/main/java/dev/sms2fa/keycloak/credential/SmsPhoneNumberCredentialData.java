package dev.sms2fa.keycloak.credential;

import java.io.Serializable;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Credential data of an {@code sms-phone-number} credential, stored as
 * {@code {"phoneNumber":"+48500100200"}}. Reading also accepts the field names
 * {@code mobileNumber} and {@code mobile_number}, which credentials of the netzbegruenung SMS
 * authenticator (type {@code mobile-number}) use.
 *
 * @param phoneNumber the number that receives the codes, in E.164 form
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SmsPhoneNumberCredentialData(
        @JsonProperty("phoneNumber") @JsonAlias({"mobileNumber", "mobile_number"}) String phoneNumber)
        implements Serializable {
}
