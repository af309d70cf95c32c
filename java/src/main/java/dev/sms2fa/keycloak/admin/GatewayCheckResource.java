package dev.sms2fa.keycloak.admin;

import java.io.IOException;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.keycloak.common.util.Environment;
import org.keycloak.models.AuthenticationExecutionModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.services.ErrorResponse;
import org.keycloak.services.resources.admin.fgap.AdminPermissionEvaluator;
import org.keycloak.util.JsonSerialization;

import dev.sms2fa.keycloak.SmsAuthenticatorFactory;
import dev.sms2fa.keycloak.SmsConfigProperties;
import dev.sms2fa.keycloak.SmsRealmConfig;
import dev.sms2fa.keycloak.bridge.InvalidConfigException;
import dev.sms2fa.keycloak.bridge.InvalidPhoneNumberException;
import dev.sms2fa.keycloak.bridge.NativeBridge;
import dev.sms2fa.keycloak.bridge.NativeLibraryException;
import dev.sms2fa.keycloak.bridge.NativeLibraryLoader;
import dev.sms2fa.keycloak.bridge.NativePanicError;
import dev.sms2fa.keycloak.bridge.ValidateConfigResult;

/**
 * {@code POST /admin/realms/{realm}/sms-2fa/gateway-check}: checks the gateway of the realm's SMS
 * authenticator config and returns the report of {@link NativeBridge#checkGateway}, plus the checks
 * of the config itself. Needs the manage-realm permission, because the check can send an SMS and
 * uses the realm's gateway token.
 *
 * <p>Status 200 carries every result of the check, a failed one included. 400 is an invalid
 * request body or phone number, 403 a caller without the permission, 404 an unknown execution.
 */
public class GatewayCheckResource {

    private static final Logger LOG = Logger.getLogger(GatewayCheckResource.class);

    private final KeycloakSession session;
    private final RealmModel realm;
    private final AdminPermissionEvaluator auth;

    GatewayCheckResource(KeycloakSession session, RealmModel realm, AdminPermissionEvaluator auth) {
        this.session = session;
        this.realm = realm;
        this.auth = auth;
    }

    /** Runs the check; see the class description for the statuses. */
    @POST
    @Path("gateway-check")
    @Produces(MediaType.APPLICATION_JSON)
    public Response check(String body) {
        auth.realm().requireManageRealm();
        GatewayCheckRequest request;
        try {
            request = GatewayCheckRequest.parse(body);
        } catch (IllegalArgumentException e) {
            throw ErrorResponse.error(e.getMessage(), Response.Status.BAD_REQUEST);
        }

        SmsRealmConfig.Found found = findExecution(request.executionId());
        ObjectNode report = run(found, request);
        if (found.executionId() != null) {
            report.put("executionId", found.executionId());
        }

        String maskedPhone = report.path("maskedPhone").asText("");
        LOG.infof("Gateway check of the SMS authenticator in realm '%s' by admin user '%s', execution '%s': %s;"
                + " test number %s, real SMS %s", realm.getName(), adminUserId(), found.executionLabel(),
                GatewayCheckReports.summary(report), maskedPhone.isEmpty() ? "none" : maskedPhone,
                request.send() ? "requested" : "not requested");
        return Response.ok(GatewayCheckReports.toJson(report), MediaType.APPLICATION_JSON_TYPE).build();
    }

    /** Returns the execution named by {@code executionId}, or the realm's usual one when it is null. */
    private SmsRealmConfig.Found findExecution(String executionId) {
        if (executionId == null) {
            return SmsRealmConfig.find(session, realm);
        }
        AuthenticationExecutionModel execution = realm.getAuthenticationExecutionById(executionId);
        if (execution == null || !SmsAuthenticatorFactory.PROVIDER_ID.equals(execution.getAuthenticator())) {
            throw ErrorResponse.error("Realm '" + realm.getName() + "' has no " + SmsAuthenticatorFactory.PROVIDER_ID
                    + " execution with the id '" + executionId + "'. Leave executionId out to check the realm's"
                    + " SMS authenticator config.", Response.Status.NOT_FOUND);
        }
        String configId = execution.getAuthenticatorConfig();
        return new SmsRealmConfig.Found(execution.getId(),
                configId == null ? null : realm.getAuthenticatorConfigById(configId));
    }

    private ObjectNode run(SmsRealmConfig.Found found, GatewayCheckRequest request) {
        if (found.executionId() == null) {
            return GatewayCheckReports.configFailure(GatewayCheckReports.PROBLEM_NO_EXECUTION, null,
                    "Realm '" + realm.getName() + "' has no \"SMS Authentication (2FA)\" step in any authentication"
                            + " flow. Add it to a flow and configure it, then run the check again.");
        }
        try {
            NativeLibraryLoader.ensureLoaded();
            return runNative(found, request);
        } catch (NativeLibraryException e) {
            LOG.errorf(e, "The gateway check in realm '%s' cannot run, because the native library is not loaded",
                    realm.getName());
            throw ErrorResponse.error("The native library of the SMS authenticator cannot be loaded: " + e.getMessage(),
                    Response.Status.INTERNAL_SERVER_ERROR);
        } catch (NativePanicError | IllegalStateException e) {
            LOG.errorf(e, "Bug in the gateway check in realm '%s', execution '%s'", realm.getName(),
                    found.executionLabel());
            throw ErrorResponse.error("The gateway check failed because of a bug; the Keycloak log has the details.",
                    Response.Status.INTERNAL_SERVER_ERROR);
        }
    }

    private ObjectNode runNative(SmsRealmConfig.Found found, GatewayCheckRequest request) {
        Map<String, String> config;
        try {
            config = SmsRealmConfig.resolveSecrets(session, found.rawConfig());
        } catch (SmsRealmConfig.UnresolvedSecretException e) {
            return GatewayCheckReports.configFailure(GatewayCheckReports.PROBLEM_INVALID_CONFIG, e.getField(),
                    e.getField() + ": " + e.getMessage());
        }
        String configJson = toJson(config);
        ValidateConfigResult validated;
        try {
            validated = ValidateConfigResult.fromJson(NativeBridge.validateConfig(configJson));
        } catch (InvalidConfigException e) {
            return GatewayCheckReports.configFailure(GatewayCheckReports.PROBLEM_INVALID_CONFIG, e.getField(),
                    "Invalid setting " + e.getMessage() + " (execution '" + found.executionId() + "')");
        }

        String phone = normalizePhone(request.phoneNumber(), validated.config());
        ObjectNode report = GatewayCheckReports.parse(NativeBridge.checkGateway(configJson, phone, request.send()));

        boolean simulation = Boolean.parseBoolean(validated.config().get(SmsConfigProperties.SIMULATION));
        if (simulation && !Environment.isDevMode()) {
            GatewayCheckReports.addConfigCheck(report, GatewayCheckReports.RESULT_FAILED,
                    GatewayCheckReports.PROBLEM_SIMULATION_IN_PRODUCTION, SmsConfigProperties.SIMULATION,
                    "Simulation mode is on, and Keycloak runs in production mode, where the SMS authenticator"
                            + " rejects simulation mode, so logins with SMS fail. Set "
                            + SmsConfigProperties.SIMULATION + " to false.");
        }
        ArrayNode warnings = report.putArray("warnings");
        validated.warnings().forEach(warnings::add);
        return report;
    }

    /**
     * Normalizes the test number with the config's {@code defaultRegion} and {@code allowedCountries}.
     * Returns null without a number.
     */
    private static String normalizePhone(String input, Map<String, String> config) {
        if (input == null) {
            return null;
        }
        try {
            return NativeBridge.normalizePhone(input,
                    config.getOrDefault(SmsConfigProperties.DEFAULT_REGION, SmsConfigProperties.DEFAULT_DEFAULT_REGION),
                    config.getOrDefault(SmsConfigProperties.ALLOWED_COUNTRIES,
                            SmsConfigProperties.DEFAULT_ALLOWED_COUNTRIES));
        } catch (InvalidPhoneNumberException e) {
            throw ErrorResponse.error("The phoneNumber cannot be used for the gateway check (" + e.getReason() + "): "
                    + e.getMessage() + " Enter the number with its country code, such as +48500100200, or set"
                    + " defaultRegion.", Response.Status.BAD_REQUEST);
        }
    }

    private String adminUserId() {
        return auth.adminAuth() == null || auth.adminAuth().getUser() == null ? "unknown"
                : auth.adminAuth().getUser().getId();
    }

    private static String toJson(Map<String, String> config) {
        try {
            return JsonSerialization.writeValueAsString(config);
        } catch (IOException e) {
            throw new IllegalStateException("The SMS authenticator config cannot be written as JSON", e);
        }
    }
}
