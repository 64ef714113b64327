package io.sparkcnn.cli;

/** Process exit codes of the job, also listed in the README. */
public final class ExitCodes {
    /** The job finished and saved its output. */
    public static final int OK = 0;
    /** An unexpected internal error (a bug, or the environment failed in a way not covered below). */
    public static final int INTERNAL = 1;
    /** Bad command line or configuration; nothing was started. */
    public static final int BAD_CONFIG = 2;
    /** Bad input data (missing file, wrong format or values); found before any training. */
    public static final int BAD_DATA = 3;
    /** Training or evaluation failed (a Spark job failed, the loss diverged). */
    public static final int TRAINING_FAILED = 4;
    /** The output cannot be written (exists already, not writable, write failed); nothing half-written is left. */
    public static final int OUTPUT_FAILED = 5;

    private ExitCodes() {
    }
}
