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
    /** Name of the form field that requests a new code ("Send a new code"). */
    static final String FIELD_RESEND = "resend";
    /** Name of the form field that retries a send that failed. */
    static final String FIELD_SEND_AGAIN = "sendAgain";

    /** Template attribute that selects what the page shows; one of the {@code PAGE_*} values. */
    static final String ATTRIBUTE_PAGE = "smsPage";
    static final String ATTRIBUTE_MASKED_PHONE = "smsMaskedPhone";
    static final String ATTRIBUTE_CODE_OPEN = "smsCodeOpen";
    static final String ATTRIBUTE_SENDS_LEFT = "smsSendsLeft";
    static final String ATTRIBUTE_RESEND_WAIT_SECONDS = "smsResendWaitSeconds";
    static final String ATTRIBUTE_RESTART_LOGIN = "smsRestartLogin";

    /** The code that was sent, with its input while it can be accepted, and the "send a new code" part. */
    static final String PAGE_CODE = "code";
    /** No code could be sent; the page offers to try again. */
    static final String PAGE_SEND_FAILED = "send-failed";
    /** The authenticator cannot send codes until an administrator acts. */
    static final String PAGE_UNAVAILABLE = "unavailable";

    private SmsLoginForm() {
    }

    /**
     * Renders the code page.
     *
     * @param codeError shown in the element {@code input-error-code}; null for the explanation of a
     *        closed code, or for none while the code is open
     * @param pageError shown as the page's global message when {@code codeError} is null; may be null
     */
    static Response codePage(AuthenticationFlowContext context, SmsCodeView view, FormMessage codeError,
                             FormMessage pageError) {
        LoginFormsProvider form = context.form()
                .setAttribute(ATTRIBUTE_PAGE, PAGE_CODE)
                .setAttribute(ATTRIBUTE_MASKED_PHONE, view.maskedPhone() == null ? "" : view.maskedPhone())
                .setAttribute(ATTRIBUTE_CODE_OPEN, view.codeOpen())
                .setAttribute(ATTRIBUTE_SENDS_LEFT, view.sendsLeft())
                .setAttribute(ATTRIBUTE_RESEND_WAIT_SECONDS, view.resendWaitSeconds())
                .setAttribute(ATTRIBUTE_RESTART_LOGIN, view.restartLogin());

        FormMessage fieldMessage = codeError;
        if (fieldMessage == null && pageError == null && view.closedMessageKey() != null) {
            fieldMessage = new FormMessage(FIELD_CODE, view.closedMessageKey());
        }
        if (fieldMessage != null) {
            form.addError(fieldMessage);
        } else if (pageError != null) {
            form.setError(pageError.getMessage(), pageError.getParameters());
        }
        return form.createForm(TEMPLATE);
    }

    /** Renders the page for a send that failed or was refused; {@code messageKey} names the reason. */
    static Response sendFailedPage(AuthenticationFlowContext context, String messageKey, Object... parameters) {
        return context.form()
                .setAttribute(ATTRIBUTE_PAGE, PAGE_SEND_FAILED)
                .setError(messageKey, parameters)
                .createForm(TEMPLATE);
    }

    static Response unavailablePage(AuthenticationFlowContext context) {
        return context.form()
                .setAttribute(ATTRIBUTE_PAGE, PAGE_UNAVAILABLE)
                .setError(SmsMessages.UNAVAILABLE)
                .createForm(TEMPLATE);
    }
}
