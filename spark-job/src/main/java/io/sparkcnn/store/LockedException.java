package io.sparkcnn.store;

/** Another run holds the lock of an output location. */
public final class LockedException extends OutputException {
    private static final long serialVersionUID = 1L;

    public LockedException(String message) {
        super(message);
    }
}
