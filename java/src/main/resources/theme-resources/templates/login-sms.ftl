<#import "template.ftl" as layout>
<#import "field.ftl" as field>
<#import "buttons.ftl" as buttons>
<#--
  SMS code page for the keycloak.v2 login theme. SmsAuthenticator sets smsPage to one of:
  code (the code sent, with its input while the code can be accepted, and the "send a new code"
  part), send-failed (no code could be sent; offers a retry), unavailable (error only).
  A code error is in messagesPerField "code" and always shown in #input-error-code, also when an
  expired or burned code hides the input. Every other error is the global message.
-->
<@layout.registrationLayout displayMessage=!messagesPerField.existsError('code'); section>
<!-- template: login-sms.ftl -->
    <#if section = "header">
        ${msg("smsAuthTitle")}
    <#elseif section = "form">
        <#assign page = smsPage!"">
        <#if page == "code">
            <#-- The marker is replaced by an element, so translations may put {0} anywhere in the sentence. -->
            <#assign instruction = msg("smsAuthInstruction", "@@SMS_MASKED_PHONE@@")>
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

                    <@buttons.loginButton />
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
            <#elseif smsRestartLogin>
                <@buttons.actionGroup>
                    <a id="sms-restart-login" href="${url.loginRestartFlowUrl}" class="${properties.kcButtonPrimaryClass} ${properties.kcButtonBlockClass}">${msg("smsAuthRestartLogin")}</a>
                </@buttons.actionGroup>
            <#else>
                <p id="sms-no-sends-left" class="${properties.kcContentWrapperClass!}">${msg("smsAuthNoSendsLeft")}</p>
            </#if>
        <#elseif page == "send-failed">
            <form id="kc-sms-retry-form" class="${properties.kcFormClass!}" action="${url.loginAction}" method="post">
                <input type="hidden" name="sendAgain" value="true"/>
                <@buttons.actionGroup>
                    <@buttons.button id="sms-send-again" name="sendAgain" label="smsAuthSendAgain" />
                </@buttons.actionGroup>
            </form>
        </#if>
    </#if>
</@layout.registrationLayout>
