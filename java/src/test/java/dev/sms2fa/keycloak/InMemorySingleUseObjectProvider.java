package dev.sms2fa.keycloak;

import java.util.HashMap;
import java.util.Map;

import org.keycloak.models.SingleUseObjectProvider;

/**
 * Single-use object store for tests: a map that records each key's lifespan and never expires
 * entries. Like Keycloak's Infinispan store, putIfAbsent stores an entry without a value.
 */
final class InMemorySingleUseObjectProvider implements SingleUseObjectProvider {

    private final Map<String, Map<String, String>> values = new HashMap<>();
    private final Map<String, Long> lifespans = new HashMap<>();

    @Override
    public void put(String key, long lifespanSeconds, Map<String, String> notes) {
        values.put(key, notes);
        lifespans.put(key, lifespanSeconds);
    }

    @Override
    public Map<String, String> get(String key) {
        return values.get(key);
    }

    @Override
    public Map<String, String> remove(String key) {
        lifespans.remove(key);
        return values.remove(key);
    }

    @Override
    public boolean replace(String key, Map<String, String> notes) {
        if (!values.containsKey(key)) {
            return false;
        }
        values.put(key, notes);
        return true;
    }

    @Override
    public boolean putIfAbsent(String key, long lifespanSeconds) {
        if (lifespanSeconds <= 0) {
            throw new IllegalArgumentException("lifespanSeconds must be positive");
        }
        if (values.containsKey(key)) {
            return false;
        }
        values.put(key, null);
        lifespans.put(key, lifespanSeconds);
        return true;
    }

    @Override
    public boolean contains(String key) {
        return values.containsKey(key);
    }

    @Override
    public void close() {
    }

    Long lifespan(String key) {
        return lifespans.get(key);
    }

    int size() {
        return values.size();
    }
}
