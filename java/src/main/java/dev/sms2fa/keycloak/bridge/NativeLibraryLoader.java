package dev.sms2fa.keycloak.bridge;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;
import java.util.Properties;

import org.jboss.logging.Logger;

/**
 * Loads the native library once per class loader, before {@link NativeBridge} is used.
 *
 * <p>An administrator can point the system property {@value #LIBRARY_PROPERTY} or the environment
 * variable {@value #LIBRARY_ENV} at a library file. Otherwise the loader copies the library that
 * the jar carries into a new directory that only the owner can access, under the directory named
 * by {@value #DIRECTORY_PROPERTY}, {@value #DIRECTORY_ENV} or {@code java.io.tmpdir}, in that
 * order. Then it checks that the library version equals the version of this jar.
 *
 * <p>A failure is logged once and remembered. Every later call throws a
 * {@link NativeLibraryException} with the same message.
 */
public final class NativeLibraryLoader {

    /** System property with the path of a library file to load instead of the bundled one. */
    public static final String LIBRARY_PROPERTY = "sms2fa.native.library";
    /** Environment variable with the path of a library file to load instead of the bundled one. */
    public static final String LIBRARY_ENV = "SMS2FA_NATIVE_LIBRARY";
    /** System property with the directory to extract the bundled library into. */
    public static final String DIRECTORY_PROPERTY = "sms2fa.native.dir";
    /** Environment variable with the directory to extract the bundled library into. */
    public static final String DIRECTORY_ENV = "SMS2FA_NATIVE_DIR";

    static final String LIBRARY_FILE_NAME = "libsms2fa.so";
    static final String VERSION_RESOURCE = "/dev/sms2fa/keycloak/bridge/sms2fa-version.properties";

    private static final Logger LOG = Logger.getLogger(NativeLibraryLoader.class);

    private enum State { NOT_LOADED, LOADING, LOADED, FAILED }

    private static State state = State.NOT_LOADED;
    private static NativeLibraryException failure;
    private static String loadedFrom;

    private NativeLibraryLoader() {
    }

    /**
     * Loads and checks the native library unless that already happened.
     *
     * @throws NativeLibraryException if loading failed now or on an earlier call
     */
    public static synchronized void ensureLoaded() {
        switch (state) {
            case LOADED:
                return;
            case LOADING:
                // The version check below calls into NativeBridge, whose static initializer calls
                // this method again on the same thread. The library is loaded by then.
                return;
            case FAILED:
                throw new NativeLibraryException(failure.getMessage(), failure);
            case NOT_LOADED:
            default:
                break;
        }

        state = State.LOADING;
        try {
            Path library = locateLibrary();
            loadLibrary(library);
            checkVersion(readJarVersion(), nativeLibraryVersion(library));
            loadedFrom = library.toString();
            state = State.LOADED;
            LOG.infof("Loaded native library %s (%s)", loadedFrom, NativeBridge.buildInfo());
        } catch (NativeLibraryException e) {
            fail(e);
            throw e;
        } catch (RuntimeException | LinkageError e) {
            NativeLibraryException wrapped = new NativeLibraryException(
                    "Failed to load the sms2fa native library: " + e, e);
            fail(wrapped);
            throw wrapped;
        }
    }

    /** Returns the path the library was loaded from, or null before a successful load. */
    public static synchronized String loadedFrom() {
        return loadedFrom;
    }

    private static void fail(NativeLibraryException e) {
        state = State.FAILED;
        failure = e;
        LOG.error(e.getMessage(), e);
    }

    private static Path locateLibrary() {
        String override = firstNonBlank(System.getProperty(LIBRARY_PROPERTY), System.getenv(LIBRARY_ENV));
        if (override != null) {
            return checkOverride(override);
        }
        String platform = platformDirectory(System.getProperty("os.name"), System.getProperty("os.arch"));
        String baseDirectory = firstNonBlank(System.getProperty(DIRECTORY_PROPERTY), System.getenv(DIRECTORY_ENV),
                System.getProperty("java.io.tmpdir"));
        return extractBundledLibrary("/native/" + platform + "/" + LIBRARY_FILE_NAME, Path.of(baseDirectory));
    }

    /**
     * Returns the resource directory that contains the library for this platform.
     *
     * @throws NativeLibraryException for any platform other than Linux on x86_64
     */
    static String platformDirectory(String osName, String osArch) {
        String os = osName == null ? "" : osName.toLowerCase(Locale.ROOT);
        String arch = osArch == null ? "" : osArch.toLowerCase(Locale.ROOT);
        if (os.startsWith("linux") && (arch.equals("amd64") || arch.equals("x86_64"))) {
            return "linux-x86_64";
        }
        throw new NativeLibraryException("The sms2fa jar carries a native library only for Linux on x86_64,"
                + " but this JVM runs on os.name='" + osName + "', os.arch='" + osArch + "'. Build the library"
                + " for this platform and set the system property " + LIBRARY_PROPERTY + " (or the environment"
                + " variable " + LIBRARY_ENV + ") to its path.");
    }

    static Path checkOverride(String value) {
        Path path;
        try {
            path = Path.of(value).toAbsolutePath();
        } catch (InvalidPathException e) {
            throw new NativeLibraryException("Invalid sms2fa native library path '" + value + "' set by "
                    + LIBRARY_PROPERTY + " or " + LIBRARY_ENV + ": " + e.getMessage(), e);
        }
        if (!Files.isRegularFile(path)) {
            throw new NativeLibraryException("The sms2fa native library " + path + " set by " + LIBRARY_PROPERTY
                    + " or " + LIBRARY_ENV + " is not found or is not a regular file.");
        }
        return path;
    }

    private static Path extractBundledLibrary(String resource, Path baseDirectory) {
        try (InputStream in = NativeLibraryLoader.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new NativeLibraryException("The sms2fa jar does not contain the native library resource "
                        + resource + ". Rebuild the jar after `cargo build --release`.");
            }
            Files.createDirectories(baseDirectory);
            Path directory = Files.createTempDirectory(baseDirectory, "sms2fa-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Path library = directory.resolve(LIBRARY_FILE_NAME);
            // deleteOnExit runs in reverse order of registration, so the file goes before its directory.
            directory.toFile().deleteOnExit();
            library.toFile().deleteOnExit();
            Files.copy(in, library, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(library, PosixFilePermissions.fromString("rwx------"));
            return library;
        } catch (IOException | UnsupportedOperationException e) {
            throw new NativeLibraryException("Failed to extract the sms2fa native library into " + baseDirectory
                    + ": " + e + ". Set the system property " + DIRECTORY_PROPERTY + " (or the environment variable "
                    + DIRECTORY_ENV + ") to a writable directory on a POSIX file system.", e);
        }
    }

    private static void loadLibrary(Path library) {
        try {
            System.load(library.toString());
        } catch (UnsatisfiedLinkError e) {
            throw explainLoadFailure(library, e);
        }
    }

    /** Turns a failed {@link System#load} into an exception whose message names the fix. */
    static NativeLibraryException explainLoadFailure(Path library, UnsatisfiedLinkError e) {
        String reason = String.valueOf(e.getMessage());
        if (reason.contains("failed to map segment") || reason.contains("Operation not permitted")) {
            return new NativeLibraryException("Failed to load the sms2fa native library " + library + " (" + reason
                    + "). Its directory is probably on a file system mounted noexec. Set the system property "
                    + DIRECTORY_PROPERTY + " (or the environment variable " + DIRECTORY_ENV
                    + ") to a directory on a file system mounted with exec permission.", e);
        }
        return new NativeLibraryException("Failed to load the sms2fa native library " + library + ": " + reason, e);
    }

    private static String nativeLibraryVersion(Path library) {
        try {
            return NativeBridge.libraryVersion();
        } catch (UnsatisfiedLinkError e) {
            throw new NativeLibraryException("The library " + library + " does not export the sms2fa JNI functions ("
                    + e.getMessage() + "). It is not a build of the sms2fa crate.", e);
        }
    }

    /**
     * Checks that the native library has the version of this jar.
     *
     * @throws NativeLibraryException naming both versions if they differ
     */
    static void checkVersion(String jarVersion, String libraryVersion) {
        if (!jarVersion.equals(libraryVersion)) {
            throw new NativeLibraryException("Version mismatch: the sms2fa jar is version " + jarVersion
                    + " but the native library is version " + libraryVersion
                    + ". Use the library built from the same release as the jar.");
        }
    }

    /** Reads the project version that Maven writes into {@value #VERSION_RESOURCE}. */
    static String readJarVersion() {
        Properties properties = new Properties();
        try (InputStream in = NativeLibraryLoader.class.getResourceAsStream(VERSION_RESOURCE)) {
            if (in == null) {
                throw new NativeLibraryException("The sms2fa jar is missing the resource " + VERSION_RESOURCE + ".");
            }
            properties.load(in);
        } catch (IOException e) {
            throw new NativeLibraryException("Failed to read " + VERSION_RESOURCE + ": " + e, e);
        }
        String version = properties.getProperty("version", "").trim();
        if (version.isEmpty() || version.startsWith("${")) {
            throw new NativeLibraryException("The resource " + VERSION_RESOURCE
                    + " has no filtered project version; the jar was not built by Maven.");
        }
        return version;
    }

    private static String firstNonBlank(String... values) {
        for (String value : values) {
            if (value != null && !value.isBlank()) {
                return value.trim();
            }
        }
        return null;
    }
}
