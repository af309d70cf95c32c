package dev.sms2fa.keycloak.admin;

import org.keycloak.Config;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.services.resources.admin.AdminEventBuilder;
import org.keycloak.services.resources.admin.ext.AdminRealmResourceProvider;
import org.keycloak.services.resources.admin.ext.AdminRealmResourceProviderFactory;
import org.keycloak.services.resources.admin.fgap.AdminPermissionEvaluator;

import dev.sms2fa.keycloak.SmsAuthenticatorFactory;

/**
 * Registers the realm admin resource {@code /admin/realms/{realm}/sms-2fa}, whose
 * {@link GatewayCheckResource} runs the gateway check. The provider keeps no state, so the factory
 * is its own provider.
 */
public class GatewayCheckProviderFactory implements AdminRealmResourceProviderFactory, AdminRealmResourceProvider {

    /** Path segment of the resource under the realm's admin API, the authenticator's id. */
    public static final String PROVIDER_ID = SmsAuthenticatorFactory.PROVIDER_ID;

    @Override
    public String getId() {
        return PROVIDER_ID;
    }

    @Override
    public AdminRealmResourceProvider create(KeycloakSession session) {
        return this;
    }

    @Override
    public Object getResource(KeycloakSession session, RealmModel realm, AdminPermissionEvaluator auth,
                              AdminEventBuilder adminEvent) {
        return new GatewayCheckResource(session, realm, auth);
    }

    @Override
    public void init(Config.Scope config) {
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
    }

    @Override
    public void close() {
    }
}
