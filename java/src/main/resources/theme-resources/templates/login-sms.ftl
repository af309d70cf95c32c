<#import "template.ftl" as layout>
<#import "field.ftl" as field>
<#import "buttons.ftl" as buttons>
<#--
  SMS code page for the keycloak.v2 login theme, at login and in enrolment (smsEnrolment true).
  smsPage is one of: number (enrolment: country and number), code (the code sent, with its
  input while the code can be accepted, and the "send a new code" part), send-failed (no code
  could be sent; offers a retry), unavailable (error only).
  A code error is in messagesPerField "code" and always shown in #input-error-code, also when an
  expired or burned code hides the input. Every other error is the global message.
-->
<#assign enrolment = smsEnrolment!false>
<@layout.registrationLayout displayMessage=!messagesPerField.existsError('code','phoneNumber'); section>
<!-- template: login-sms.ftl -->
    <#if section = "header">
        <#if enrolment>${msg("smsEnrolTitle")}<#else>${msg("smsAuthTitle")}</#if>
    <#elseif section = "form">
        <#assign page = smsPage!"">
        <#if page == "number">
            <#assign numberError = messagesPerField.get("phoneNumber")>
            <#if smsCurrentPhone?has_content>
                <#assign changeText = msg("smsEnrolChangeInstruction", "@@SMS_MASKED_PHONE@@")>
                <p id="sms-enrol-instruction" class="${properties.kcContentWrapperClass!}">
                    ${changeText?keep_before("@@SMS_MASKED_PHONE@@")}<strong id="sms-current-phone">${smsCurrentPhone}</strong>${changeText?keep_after("@@SMS_MASKED_PHONE@@")}
                </p>
            <#else>
                <p id="sms-enrol-instruction" class="${properties.kcContentWrapperClass!}">${msg("smsEnrolInstruction")}</p>
            </#if>
            <form id="kc-sms-number-form" class="${properties.kcFormClass!}" onsubmit="document.getElementById('sms-send-code').disabled = true; return true;" action="${url.loginAction}" method="post">
                <#if smsCountries?has_content>
                    <div class="${properties.kcFormGroupClass}">
                        <div class="${properties.kcFormGroupLabelClass!}">
                            <label for="country" class="${properties.kcFormLabelClass!}"><span class="${properties.kcFormLabelTextClass!}">${msg("smsEnrolCountryLabel")}</span></label>
                        </div>
                        <span class="${properties.kcInputClass!}">
                            <select id="country" name="country">
                                <#-- For a number typed with its country code; selected when no region is preset. -->
                                <option value=""<#if !smsCountries?filter(c -> c.selected)?has_content> selected</#if>>${msg("smsEnrolCountryOther")}</option>
                                <#list smsCountries as country>
                                    <option value="${country.region}"<#if country.selected> selected</#if>>${country.label}</option>
                                </#list>
                            </select>
                        </span>
                    </div>
                </#if>
                <@field.group name="phoneNumber" label=msg("smsEnrolNumberLabel") error=numberError>
                    <span class="${properties.kcInputClass} <#if numberError?has_content>${properties.kcError}</#if>">
                        <input id="phoneNumber" name="phoneNumber" type="tel" value="${smsEnteredNumber!''}" autocomplete="tel" inputmode="tel"
                               autofocus aria-invalid="<#if numberError?has_content>true</#if>"/>
                        <@field.errorIcon error=numberError/>
                    </span>
                </@field.group>
                <@buttons.actionGroup>
                    <@buttons.button id="sms-send-code" name="sendCode" label="smsEnrolSendCode" />
                    <#if isAppInitiatedAction??>
                        <@buttons.button id="sms-cancel" name="cancel-aia" label="doCancel" type="secondary" value="true" formnovalidate="formnovalidate" />
                    </#if>
                </@buttons.actionGroup>
            </form>
        <#elseif page == "code">
            <#-- The marker is replaced by an element, so translations may put {0} anywhere in the sentence. -->
            <#if enrolment>
                <#assign instruction = msg("smsEnrolCodeInstruction", "@@SMS_MASKED_PHONE@@")>
            <#else>
                <#assign instruction = msg("smsAuthInstruction", "@@SMS_MASKED_PHONE@@")>
            </#if>
            <p id="sms-instruction" class="${properties.kcContentWrapperClass!}">
                ${instruction?keep_before("@@SMS_MASKED_PHONE@@")}<strong id="sms-masked-phone">${smsMaskedPhone}</strong>${instruction?keep_after("@@SMS_MASKED_PHONE@@")}
            </p>

            <#assign codeError = messagesPerField.get("code")>
            <#if smsCodeOpen>
                <form id="kc-sms-code-form" class="${properties.kcFormClass!}" onsubmit="login.disabled = true; return true;" action="${url.loginAction}" method="post">
                    <@field.group name="code" label=msg("smsAuthCodeLabel") error=codeError>
                        <span class="${properties.kcInputClass} <#if codeError?has_content>${properties.kcError}</#if>">
                            <input id="code" name="code" type="text" value="" autocomplete="one-time-code"
                                   inputmode="numeric" autofocus aria-describedby="sms-instruction"
                                   aria-invalid="<#if codeError?has_content>true</#if>"/>
                            <@field.errorIcon error=codeError/>
                        </span>
                    </@field.group>

                    <#if enrolment>
                        <@buttons.actionGroup>
                            <@buttons.button id="kc-login" name="login" label="doSubmit" />
                        </@buttons.actionGroup>
                    <#else>
                        <@buttons.loginButton />
                    </#if>
                </form>
            <#elseif codeError?has_content>
                <#-- The same markup as field.ftl renders for an input error, without the input. -->
                <div class="${properties.kcFormGroupClass}">
                    <div id="input-error-container-code">
                        <div class="${properties.kcFormHelperTextClass}" aria-live="polite">
                            <div class="${properties.kcInputHelperTextClass}">
                                <div class="${properties.kcInputHelperTextItemClass} ${properties.kcError}" id="input-error-code">
                                    <span class="${properties.kcInputErrorMessageClass}">${codeError}</span>
                                </div>
                            </div>
                        </div>
                    </div>
                </div>
            </#if>

            <#if smsSendsLeft gt 0>
                <form id="kc-sms-resend-form" class="${properties.kcFormClass!}" action="${url.loginAction}" method="post">
                    <input type="hidden" name="resend" value="true"/>
                    <#if smsResendWaitSeconds gt 0>
                        <#assign resendWait = msg("smsAuthResendWait", "@@SMS_RESEND_WAIT@@")>
                        <p id="sms-resend-wait-text" class="${properties.kcContentWrapperClass!}">
                            ${resendWait?keep_before("@@SMS_RESEND_WAIT@@")}<span id="sms-resend-wait">${smsResendWaitSeconds?c}</span>${resendWait?keep_after("@@SMS_RESEND_WAIT@@")}
                        </p>
                    </#if>
                    <#-- Primary when the code can no longer be accepted, because a new code is then the way on. -->
                    <#assign resendType = smsCodeOpen?then("secondary", "primary")>
                    <@buttons.actionGroup>
                        <#if smsResendWaitSeconds gt 0>
                            <@buttons.button id="sms-resend" name="resend" label="smsAuthResend" type=resendType disabled="disabled" />
                        <#else>
                            <@buttons.button id="sms-resend" name="resend" label="smsAuthResend" type=resendType />
                        </#if>
                    </@buttons.actionGroup>
                    <p id="sms-sends-left" class="${properties.kcContentWrapperClass!}">${msg("smsAuthSendsLeft", smsSendsLeft)}</p>
                </form>
                <#if smsResendWaitSeconds gt 0>
                    <#-- Counts the wait down and enables the button; the server checks the wait again. -->
                    <script>
                        (function () {
                            var wait = document.getElementById("sms-resend-wait");
                            var button = document.getElementById("sms-resend");
                            var seconds = parseInt(wait.textContent, 10);
                            var timer = setInterval(function () {
                                seconds -= 1;
                                if (seconds > 0) {
                                    wait.textContent = String(seconds);
                                    return;
                                }
                                clearInterval(timer);
                                document.getElementById("sms-resend-wait-text").remove();
                                button.disabled = false;
                            }, 1000);
                        })();
                    </script>
                </#if>
            <#elseif smsRestartLogin && !enrolment>
                <@buttons.actionGroup>
                    <a id="sms-restart-login" href="${url.loginRestartFlowUrl}" class="${properties.kcButtonPrimaryClass} ${properties.kcButtonBlockClass}">${msg("smsAuthRestartLogin")}</a>
                </@buttons.actionGroup>
            <#elseif !enrolment>
                <p id="sms-no-sends-left" class="${properties.kcContentWrapperClass!}">${msg("smsAuthNoSendsLeft")}</p>
            </#if>
            <#if enrolment>
                <form id="kc-sms-change-number-form" class="${properties.kcFormClass!}" action="${url.loginAction}" method="post">
                    <input type="hidden" name="changeNumber" value="true"/>
                    <@buttons.actionGroup>
                        <@buttons.button id="sms-change-number" name="changeNumber" label="smsEnrolChangeNumber" type="secondary" />
                        <#if isAppInitiatedAction??>
                            <@buttons.button id="sms-cancel" name="cancel-aia" label="doCancel" type="secondary" value="true" />
                        </#if>
                    </@buttons.actionGroup>
                </form>
            </#if>
        <#elseif page == "send-failed">
            <form id="kc-sms-retry-form" class="${properties.kcFormClass!}" action="${url.loginAction}" method="post">
                <input type="hidden" name="sendAgain" value="true"/>
                <@buttons.actionGroup>
                    <@buttons.button id="sms-send-again" name="sendAgain" label="smsAuthSendAgain" />
                </@buttons.actionGroup>
            </form>
            <#if enrolment>
                <form id="kc-sms-change-number-form" class="${properties.kcFormClass!}" action="${url.loginAction}" method="post">
                    <input type="hidden" name="changeNumber" value="true"/>
                    <@buttons.actionGroup>
                        <@buttons.button id="sms-change-number" name="changeNumber" label="smsEnrolChangeNumber" type="secondary" />
                    </@buttons.actionGroup>
                </form>
            </#if>
        </#if>
    </#if>
</@layout.registrationLayout>
