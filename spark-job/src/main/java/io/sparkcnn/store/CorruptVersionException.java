package io.sparkcnn.store;

/** A stored file does not match the size and SHA-256 its manifest records; nothing was deserialized. */
public final class CorruptVersionException extends OutputException {
    private static final long serialVersionUID = 1L;

    public CorruptVersionException(String message) {
        super(message);
    }
}
