package dev.sms2fa.keycloak;

import java.net.URI;
import java.util.Optional;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.keycloak.authentication.AuthenticationFlowError;
import org.keycloak.common.ClientConnection;
import org.keycloak.events.EventBuilder;
import org.keycloak.forms.login.LoginFormsProvider;
import org.keycloak.http.HttpRequest;
import org.keycloak.models.AuthenticatorConfigModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.services.managers.BruteForceProtector;
import org.keycloak.sessions.AuthenticationSessionModel;

/**
 * One place where a code is sent and entered: the login step ({@link LoginStep}) or the
 * confirmation of a new number in enrolment ({@link EnrolmentStep}). Both follow the same send,
 * attempt and resend rules. They differ in where the number and the settings come from, in what
 * success does, and in whether wrong codes count for brute-force detection.
 *
 * <p>The methods that also exist on Keycloak's {@code AuthenticationFlowContext} have its names.
 */
interface SmsStep {

    KeycloakSession getSession();

    RealmModel getRealm();

    UserModel getUser();

    AuthenticationSessionModel getAuthenticationSession();

    EventBuilder getEvent();

    ClientConnection getConnection();

    UriInfo getUriInfo();

    HttpRequest getHttpRequest();

    LoginFormsProvider form();

    /** Returns the URL whose GET shows this step again; the target of post/redirect/get. */
    URI getRefreshExecutionUrl();

    /** Returns the execution config that the settings come from, or null when there is none. */
    AuthenticatorConfigModel getAuthenticatorConfig();

    /** Returns how log lines name this step: the execution id, or the required action and execution. */
    String stepId();

    /** Returns the E.164 number that codes go to; logs why and returns empty when there is none. */
    Optional<String> phoneNumber();

    /** Whether wrong codes are reported to brute-force detection and a locked-out user gets no SMS. */
    boolean countsForBruteForce();

    /** Returns Keycloak's brute-force protector; used only when {@link #countsForBruteForce()}. */
    BruteForceProtector getProtector();

    /** Whether this is the confirmation of a number in enrolment, which changes the page's texts. */
    boolean enrolment();

    /** Whether the user can choose another method on this step's pages ("Try another way"). */
    boolean hasOtherMethod();

    /**
     * Records that a code went out. The login records nothing here, because Keycloak has no event
     * type for a message sent during a login. Its LOGIN event carries the last send's details.
     */
    void codeSent(String maskedPhone, String messageId, String deviceUrl, int sendNumber);

    void challenge(Response response);

    void failureChallenge(AuthenticationFlowError error, Response response);

    /** Starts the step over after its state became unusable, such as after an HMAC key rotation. */
    void resetFlow();

    /** Ends the step after the right code, recording {@code verified} in the step's event. */
    void success(Verified verified);

    /**
     * The details of an accepted code for events.
     *
     * @param maskedPhone the masked number the code went to
     * @param codeId the code's id, which is not secret
     * @param messageId the gateway's message id of the last send
     * @param deviceUrl scheme://host:port of the gateway, empty in simulation mode
     * @param phone the E.164 number the code went to, which the code proved; never an event detail
     */
    record Verified(String maskedPhone, String codeId, String messageId, String deviceUrl, String phone) {

        /** Omits the number. */
        @Override
        public String toString() {
            return "Verified[maskedPhone=" + maskedPhone + ", codeId=" + codeId + "]";
        }


        /** Adds the details to {@code event} with {@code smsEvent} as the sms_event detail. */
        EventBuilder addTo(EventBuilder event, String smsEvent) {
            return event.detail(SmsEvents.DETAIL_SMS_EVENT, smsEvent)
                    .detail(SmsEvents.DETAIL_MASKED_PHONE, maskedPhone)
                    .detail(SmsEvents.DETAIL_CODE_ID, codeId)
                    .detail(SmsEvents.DETAIL_MESSAGE_ID, messageId)
                    .detail(SmsEvents.DETAIL_DEVICE_URL, deviceUrl);
        }
    }
}
