package io.sparkcnn.common;

/** Messages of failures that arrive wrapped, as Spark wraps an executor's exception in its own. */
public final class Failures {
    private Failures() {
    }

    /** The message of {@code e}, followed by its root cause when it has one ("... (caused by ...)"). */
    public static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (caused by " + t + ")";
    }
}
