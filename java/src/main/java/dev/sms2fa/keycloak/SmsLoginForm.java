package dev.sms2fa.keycloak;

import jakarta.ws.rs.core.Response;
import org.keycloak.authentication.AuthenticationFlowContext;
import org.keycloak.forms.login.LoginFormsProvider;
import org.keycloak.models.utils.FormMessage;

/** Renders the states of {@code login-sms.ftl}. */
final class SmsLoginForm {

    static final String TEMPLATE = "login-sms.ftl";
    /** Name of the form field with the entered code. */
    static final String FIELD_CODE = "code";

    /** Template attribute that selects what the page shows; one of the {@code PAGE_*} values. */
    static final String ATTRIBUTE_PAGE = "smsPage";
    static final String ATTRIBUTE_MASKED_PHONE = "smsMaskedPhone";

    /** Code input for a code that was sent. */
    static final String PAGE_CODE = "code";
    /** Sending failed; the page offers to try again. */
    static final String PAGE_SEND_FAILED = "send-failed";
    /** The authenticator cannot send codes until an administrator acts. */
    static final String PAGE_UNAVAILABLE = "unavailable";
    /** The code has expired or was entered wrong too often; the page offers to restart the login. */
    static final String PAGE_CLOSED = "closed";

    private SmsLoginForm() {
    }

    /** Renders the code input; {@code fieldError} is shown under the input when not null. */
    static Response codePage(AuthenticationFlowContext context, String maskedPhone, FormMessage fieldError) {
        LoginFormsProvider form = context.form()
                .setAttribute(ATTRIBUTE_PAGE, PAGE_CODE)
                .setAttribute(ATTRIBUTE_MASKED_PHONE, maskedPhone == null ? "" : maskedPhone);
        if (fieldError != null) {
            form.addError(fieldError);
        }
        return form.createForm(TEMPLATE);
    }

    static Response sendFailedPage(AuthenticationFlowContext context) {
        return messagePage(context, PAGE_SEND_FAILED, SmsMessages.SEND_FAILED);
    }

    static Response unavailablePage(AuthenticationFlowContext context) {
        return messagePage(context, PAGE_UNAVAILABLE, SmsMessages.UNAVAILABLE);
    }

    /** Renders the page for a closed challenge; {@code messageKey} names the reason. */
    static Response closedPage(AuthenticationFlowContext context, String messageKey) {
        return messagePage(context, PAGE_CLOSED, messageKey);
    }

    private static Response messagePage(AuthenticationFlowContext context, String page, String messageKey) {
        return context.form()
                .setAttribute(ATTRIBUTE_PAGE, page)
                .setError(messageKey)
                .createForm(TEMPLATE);
    }
}
