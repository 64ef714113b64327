package io.sparkcnn.store;

/** An output location cannot be written: it exists already, is not writable, or a write failed. */
public class OutputException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public OutputException(String message) {
        super(message);
    }

    public OutputException(String message, Throwable cause) {
        super(message, cause);
    }
}
