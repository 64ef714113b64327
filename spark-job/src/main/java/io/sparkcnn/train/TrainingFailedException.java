package io.sparkcnn.train;

/** Training could not complete: a Spark job failed, or the loss diverged. */
public final class TrainingFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TrainingFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
