package dev.sms2fa.keycloak;

import java.io.IOException;
import java.text.Collator;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.type.TypeReference;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.keycloak.credential.CredentialModel;
import org.keycloak.forms.login.LoginFormsProvider;
import org.keycloak.models.utils.FormMessage;
import org.keycloak.util.JsonSerialization;

import dev.sms2fa.keycloak.bridge.InvalidConfigException;
import dev.sms2fa.keycloak.bridge.NativeBridge;
import dev.sms2fa.keycloak.bridge.NativeLibraryException;
import dev.sms2fa.keycloak.bridge.NativePanicError;
import dev.sms2fa.keycloak.credential.SmsPhoneNumberCredentialModel;

/** Renders the states of {@code login-sms.ftl}, at login and in enrolment. */
final class SmsLoginForm {

    private static final Logger LOG = Logger.getLogger(SmsLoginForm.class);

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
    /** True on the pages of enrolment, which change the heading, texts and links. */
    static final String ATTRIBUTE_ENROLMENT = "smsEnrolment";
    /** The countries of the number page: a list of maps with region, label and selected. */
    static final String ATTRIBUTE_COUNTRIES = "smsCountries";
    /**
     * Suffix of the message keys of {@link SmsMessages#SEND_FAILED}, {@link SmsMessages#SEND_LIMIT_REACHED}
     * and {@link SmsMessages#UNAVAILABLE} for a user who has no other method to choose.
     */
    static final String NO_OTHER_METHOD_SUFFIX = "Only";
    /** The number that the user entered, shown again with an error; "" otherwise. */
    static final String ATTRIBUTE_ENTERED_NUMBER = "smsEnteredNumber";
    /** The masked stored number on the number page, or "" when the user has none. */
    static final String ATTRIBUTE_CURRENT_PHONE = "smsCurrentPhone";

    /** The code that was sent, with its input while it can be accepted, and the "send a new code" part. */
    static final String PAGE_CODE = "code";
    /** No code could be sent; the page offers to try again. */
    static final String PAGE_SEND_FAILED = "send-failed";
    /** The authenticator cannot send codes until an administrator acts. */
    static final String PAGE_UNAVAILABLE = "unavailable";
    /** Enrolment: the country list and the number input. */
    static final String PAGE_NUMBER = "number";

    private SmsLoginForm() {
    }

    /**
     * Renders the code page.
     *
     * @param codeError shown in the element {@code input-error-code}; null for the explanation of a
     *        closed code, or for none while the code is open
     * @param pageError shown as the page's global message when {@code codeError} is null; may be null
     */
    static Response codePage(SmsStep context, SmsCodeView view, FormMessage codeError,
                             FormMessage pageError) {
        String shownPhone = view.maskedPhone() == null ? "" : view.maskedPhone();
        String sentPhone = context.getAuthenticationSession().getAuthNote(SmsAuthenticator.NOTE_SENT_PHONE);
        if (context.enrolment() && sentPhone != null && !sentPhone.isEmpty()) {
            // The user has just typed this number, so it is shown in full to let a typo be seen.
            shownPhone = sentPhone;
        }
        LoginFormsProvider form = context.form()
                .setAttribute(ATTRIBUTE_PAGE, PAGE_CODE)
                .setAttribute(ATTRIBUTE_MASKED_PHONE, shownPhone)
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
            form.setError(messageKey(context, pageError.getMessage()), pageError.getParameters());
        }
        return form.createForm(TEMPLATE);
    }

    /** Renders the page for a send that failed or was refused; {@code messageKey} names the reason. */
    static Response sendFailedPage(SmsStep context, String messageKey, Object... parameters) {
        return context.form()
                .setAttribute(ATTRIBUTE_PAGE, PAGE_SEND_FAILED)
                .setError(messageKey(context, messageKey), parameters)
                .createForm(TEMPLATE);
    }

    static Response unavailablePage(SmsStep context) {
        return context.form()
                .setAttribute(ATTRIBUTE_PAGE, PAGE_UNAVAILABLE)
                .setError(context.enrolment() ? SmsMessages.ENROL_UNAVAILABLE
                        : messageKey(context, SmsMessages.UNAVAILABLE))
                .createForm(TEMPLATE);
    }

    /**
     * Returns the variant of a message that suggests another method, or of one without that advice
     * when the user has no other method to choose.
     */
    static String messageKey(SmsStep context, String key) {
        boolean suggestsOtherMethod = SmsMessages.SEND_FAILED.equals(key) || SmsMessages.SEND_LIMIT_REACHED.equals(key)
                || SmsMessages.UNAVAILABLE.equals(key);
        return suggestsOtherMethod && !context.hasOtherMethod() ? key + NO_OTHER_METHOD_SUFFIX : key;
    }

    /** Renders the number page of enrolment without a message. */
    static Response numberPage(SmsStep context, SmsRealmConfig.Found found) {
        return numberPage(context, found, null, null);
    }

    /**
     * Renders the number page of enrolment: the allowed countries with the default region selected,
     * and the number input. With a message, the country and number that the user submitted come
     * back, so that they can be corrected.
     *
     * @param numberError shown at the number input; may be null
     * @param info shown as the page's information, such as a wait before the next code; may be null
     */
    static Response numberPage(SmsStep context, SmsRealmConfig.Found found, FormMessage numberError,
                               FormMessage info) {
        SmsRealmConfig.PhoneSettings settings = SmsRealmConfig.phoneSettings(found.rawConfig());
        Locale locale = context.getSession().getContext().resolveLocale(context.getUser());
        Optional<CredentialModel> stored = SmsPhoneNumbers.storedCredential(context.getUser());
        String currentPhone = "";
        if (stored.isPresent()) {
            try {
                currentPhone = SmsCodeSender.maskPhone(
                        SmsPhoneNumberCredentialModel.createFromCredentialModel(stored.get()).getPhoneNumber());
            } catch (IllegalArgumentException e) {
                LOG.warnf("User '%s' in realm '%s': %s", context.getUser().getId(), context.getRealm().getName(),
                        e.getMessage());
            }
        }

        String entered = "";
        String selectedRegion = settings.defaultRegion();
        if (numberError != null || info != null) {
            MultivaluedMap<String, String> submitted = context.getHttpRequest().getDecodedFormParameters();
            String phone = submitted.getFirst(SmsEnrolmentAction.FIELD_PHONE);
            String country = submitted.getFirst(SmsEnrolmentAction.FIELD_COUNTRY);
            entered = phone == null ? "" : phone;
            selectedRegion = country == null ? selectedRegion : country;
        }
        LoginFormsProvider form = context.form()
                .setAttribute(ATTRIBUTE_PAGE, PAGE_NUMBER)
                .setAttribute(ATTRIBUTE_CURRENT_PHONE, currentPhone)
                .setAttribute(ATTRIBUTE_COUNTRIES, countries(context, settings.allowedCountries(), selectedRegion,
                        locale))
                .setAttribute(ATTRIBUTE_ENTERED_NUMBER, entered);
        if (numberError != null) {
            form.addError(numberError);
        }
        if (info != null) {
            form.setInfo(info.getMessage(), info.getParameters());
        }
        return form.createForm(TEMPLATE);
    }

    /**
     * Returns the country options: the allow-list, or every region, named in the user's language
     * and sorted by that name, with the default region selected. A broken allow-list gives an
     * empty list, and the number must then start with + or 00; the send path names the field.
     */
    static List<Map<String, Object>> countries(SmsStep context, String allowedCountries, String selectedRegion,
                                               Locale locale) {
        List<Map<String, Object>> regions;
        try {
            regions = JsonSerialization.readValue(
                    NativeBridge.listCountries(allowedCountries),
                    new TypeReference<List<Map<String, Object>>>() { });
        } catch (InvalidConfigException e) {
            SmsCodeSender.logInvalidConfig(context, e.getField(), e.getMessage());
            return List.of();
        } catch (IOException | NativePanicError | NativeLibraryException e) {
            LOG.errorf(e, "Bug while listing the countries of the SMS enrolment form in realm '%s'",
                    context.getRealm().getName());
            return List.of();
        }
        List<Map<String, Object>> options = new ArrayList<>();
        for (Map<String, Object> region : regions) {
            String code = String.valueOf(region.get("region"));
            String name = new Locale("", code).getDisplayCountry(locale);
            options.add(Map.of(
                    "region", code,
                    "label", name + " (+" + region.get("callingCode") + ")",
                    "selected", code.equalsIgnoreCase(selectedRegion)));
        }
        Collator collator = Collator.getInstance(locale);
        options.sort(Comparator.comparing(option -> (String) option.get("label"), collator));
        return options;
    }
}
