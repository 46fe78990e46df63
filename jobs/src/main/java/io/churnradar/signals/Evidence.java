package io.churnradar.signals;

import io.churnradar.detect.state.InstantText;
import java.util.LinkedHashMap;
import java.util.Map;

/** The evidence map of an alert and how its values are written. */
public final class Evidence {
    private Evidence() {}

    public static Map<String, String> map() {
        return new LinkedHashMap<>();
    }

    public static String iso(long millis) {
        return InstantText.of(millis);
    }

    public static String num(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    /** A percentage with one decimal, e.g. 42.9. */
    public static String percent(double ratio) {
        return num(Math.round(ratio * 1000) / 10.0);
    }

    /**
     * A user id as the outputs may show it: as given, unless it is an e-mail address and personal data
     * is not allowed out (rules {@code privacy.includePersonalData}); then a stable pseudonym, the same
     * for the same address, so a CSM can still tell users apart.
     */
    public static String userId(String id, boolean includePersonalData) {
        if (includePersonalData || id.indexOf('@') < 0) return id;
        try {
            byte[] h = java.security.MessageDigest.getInstance("SHA-256").digest(id.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return "user-" + java.util.HexFormat.of().formatHex(h, 0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Free text from a customer, cut to a length an alert can carry. */
    public static String excerpt(String text, int max) {
        if (text == null) return null;
        String t = text.strip();
        return t.length() <= max ? t : t.substring(0, max - 1) + "…";
    }
}
