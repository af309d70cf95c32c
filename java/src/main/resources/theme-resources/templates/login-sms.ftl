<#import "template.ftl" as layout>
<#import "field.ftl" as field>
<#import "buttons.ftl" as buttons>
<#--
  SMS code page for the keycloak.v2 login theme. SmsAuthenticator sets smsPage to one of:
  code (input for the code that was sent), send-failed (offers a retry), unavailable (error only),
  closed (expired or too many wrong codes; offers to restart the login). The error or reason is in
  the global message, or for the code input in messagesPerField "code".
-->
<@layout.registrationLayout displayMessage=!messagesPerField.existsError('code'); section>
<!-- template: login-sms.ftl -->
    <#if section = "header">
        ${msg("smsAuthTitle")}
    <#elseif section = "form">
        <#assign page = smsPage!"">
        <#if page == "code">
            <form id="kc-sms-code-form" class="${properties.kcFormClass!}" onsubmit="login.disabled = true; return true;" action="${url.loginAction}" method="post">
                <#-- The marker is replaced by an element, so translations may put {0} anywhere in the sentence. -->
                <#assign instruction = msg("smsAuthInstruction", "@@SMS_MASKED_PHONE@@")>
                <p id="sms-instruction" class="${properties.kcContentWrapperClass!}">
                    ${instruction?keep_before("@@SMS_MASKED_PHONE@@")}<strong id="sms-masked-phone">${smsMaskedPhone}</strong>${instruction?keep_after("@@SMS_MASKED_PHONE@@")}
                </p>

                <#assign codeError = messagesPerField.get("code")>
                <@field.group name="code" label=msg("smsAuthCodeLabel") error=codeError>
                    <span class="${properties.kcInputClass} <#if codeError?has_content>${properties.kcError}</#if>">
                        <input id="code" name="code" type="text" value="" autocomplete="one-time-code"
                               inputmode="numeric" pattern="[0-9]*" autofocus aria-describedby="sms-instruction"
                               aria-invalid="<#if codeError?has_content>true</#if>"/>
                        <@field.errorIcon error=codeError/>
                    </span>
                </@field.group>

                <@buttons.loginButton />
            </form>
        <#elseif page == "send-failed">
            <form id="kc-sms-retry-form" class="${properties.kcFormClass!}" action="${url.loginAction}" method="post">
                <@buttons.actionGroup>
                    <@buttons.button id="sms-send-again" name="sendAgain" label="smsAuthSendAgain" />
                </@buttons.actionGroup>
            </form>
        <#elseif page == "closed">
            <@buttons.actionGroup>
                <a id="sms-restart-login" href="${url.loginRestartFlowUrl}" class="${properties.kcButtonPrimaryClass} ${properties.kcButtonBlockClass}">${msg("smsAuthRestartLogin")}</a>
            </@buttons.actionGroup>
        </#if>
    </#if>
</@layout.registrationLayout>
